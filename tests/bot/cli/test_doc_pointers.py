"""What the shipped config and README point to exists in the repo (trial H2: the example
config pointed to a file outside it)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_every_file_the_example_config_and_readme_name_is_in_the_repo() -> None:
    for name in ("config.example.toml", "README.md"):
        text = (ROOT / name).read_text(encoding="utf-8")
        assert "shared/" not in text, name
        named = set(re.findall(r"\b((?:docs|examples|bench)/[\w./-]+\.(?:md|toml|py))", text))
        assert named, name
        missing = sorted(p for p in named if not (ROOT / p).exists())
        assert not missing, (name, missing)
