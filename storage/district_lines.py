"""Finding the line of a table or key in a district file, for error messages.

tomllib keeps no positions, so the text is scanned for table headers. Arrays of tables are
numbered the way TOML fills them (each `[[a.b]]` appends to the latest `a`), which gives every
table a path like ("streets", 0, "communities", 1) matching the parsed structure.
"""

from __future__ import annotations

import re

Path = tuple[str | int, ...]

_HEADER = re.compile(r"""^\s*(\[\[?)\s*([A-Za-z0-9_\-."' ]+?)\s*\]\]?\s*(#.*)?$""")


def _parts(name: str) -> list[str]:
    return [p.strip().strip("\"'") for p in name.split(".")]


class Locator:
    """Maps a path in the parsed document (and optionally a key) to a 1-based line number."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers: list[tuple[int, Path]] = []
        counters: dict[str, int] = {}
        for n, line in enumerate(self.lines, 1):
            m = _HEADER.match(line)
            if not m:
                continue
            parts = _parts(m.group(2))
            name = ".".join(parts)
            if m.group(1) == "[[":
                counters[name] = counters.get(name, -1) + 1
                for k in [k for k in counters if k.startswith(name + ".")]:
                    del counters[k]  # a new parent element starts its children from 0
            path: list[str | int] = []
            for i, part in enumerate(parts):
                path.append(part)
                prefix = ".".join(parts[: i + 1])
                if prefix in counters:
                    path.append(counters[prefix])
            self.headers.append((n, tuple(path)))
        self._by_path = {p: n for n, p in self.headers}

    def line_of(self, path: Path, key: str | None = None) -> int:
        """The line of `key` inside the table at `path`, else of the table's header."""
        path = tuple(path)
        while path and path not in self._by_path:
            # an inline table: point at the key that holds it in the nearest real table
            last_name = next((p for p in reversed(path) if isinstance(p, str)), None)
            path = path[:-1]
            if isinstance(last_name, str) and path and path[-1] == last_name:
                path = path[:-1]
                key = last_name
        start = self._by_path.get(path, 0) if path else 0
        if key is not None:
            end = next((n for n, _ in self.headers if n > start), len(self.lines) + 1)
            pattern = re.compile(rf"""^\s*["']?{re.escape(key)}["']?\s*=""")
            for n in range(start + 1, end):
                if pattern.match(self.lines[n - 1]):
                    return n
        return max(start, 1)

