"""The validated content of a district file (spec/district.md), as plain dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class DistrictError(Exception):
    """A refused district file: `str(e)` names the source, the line and the reason."""

    def __init__(self, source: str, line: int | None, reason: str) -> None:
        self.source, self.line, self.reason = source, line, reason
        where = f"{source} 第 {line} 行" if line else source
        super().__init__(f"{where}：{reason}")


@dataclass
class PersonSpec:
    id: str
    name: str
    roles: list[str]
    wecom_userid: str | None = None
    bind_code: str | None = None
    phone: str | None = None
    departments: list[str] = field(default_factory=list)


@dataclass
class PlaceSpec:
    code: str
    name: str
    aliases: list[str]
    buildings: list[str]


@dataclass
class RegionSpec:
    """A district, street, community or grid with its slots and children."""

    level: str
    code: str
    name: str
    aliases: list[str]
    slots: dict[str, Any]
    grid_kind: str | None = None
    polygon: list[list[float]] | None = None
    children: list[RegionSpec] = field(default_factory=list)
    places: list[PlaceSpec] = field(default_factory=list)


@dataclass
class DistrictFile:
    district: RegionSpec
    people: list[PersonSpec]

    def regions(self) -> list[tuple[RegionSpec, RegionSpec | None]]:
        """Every region with its parent, parents first."""
        out: list[tuple[RegionSpec, RegionSpec | None]] = []

        def walk(r: RegionSpec, parent: RegionSpec | None) -> None:
            out.append((r, parent))
            for c in r.children:
                walk(c, r)

        walk(self.district, None)
        return out
