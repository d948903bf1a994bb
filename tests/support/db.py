"""Which databases the tests run on."""

from __future__ import annotations

import os

PG_URL = os.environ.get("GRIDBOT_TEST_DATABASE_URL")
