"""Long-lived collaborators every layer of handlers/ is given:
settings, analyzer, clock, calendar."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from storage.clock import Clock
from storage.sla import WorkCalendar

if TYPE_CHECKING:
    from nlp import Analyzer
    from storage.config import Settings


@dataclass
class Services:
    """Long-lived collaborators, built once per app."""

    settings: Settings
    analyzer: Analyzer
    clock: Clock
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
