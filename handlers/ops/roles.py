"""Who counts as staff, and who may triage and route tickets."""

from __future__ import annotations

STAFF_ROLES = ("officer", "liaison", "leader", "department", "admin")


TRIAGE_ROLES = ("leader", "liaison", "admin")
