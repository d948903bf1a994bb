"""Regex scans that go straight to the places where a match can begin.

Python's `re` skips ahead by itself only when a pattern begins with a literal or a character
class. A pattern that begins with an optional part (「(?:找|问|打电话给…)?(?:了|过)?物业…」) or a
long alternation is tried at every position of the text, alternative by alternative. `Starts`
reads off the parsed pattern the characters any match must begin with, finds the next of them
with one character class (a scan in C), and tries the pattern only there. The matches are the
same as the pattern's own `search` and `finditer` (the pattern itself decides at each place,
lookbehinds and all); a pattern whose first characters cannot be told (one that can match the
empty string, begins with `.` or a negated class, or ignores case) is scanned as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

try:
    from re import _constants as _sre  # type: ignore[attr-defined]
    from re._parser import parse as _sre_parse  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - another Python: every pattern is scanned as it is
    _sre = None

    def _sre_parse(pattern: str, flags: int = 0) -> Any:
        raise ImportError

_WIDEST_RANGE = 512  # a class range wider than this (\u4e00-\u9fff) is "any character"


class _Unknown(Exception):
    pass


# Categories a match may begin with, written as they go into a class (`Starts`): a digit or a
# space of any script, as the pattern's own \d and \s read them.
_CATEGORIES = {} if _sre is None else {_sre.CATEGORY_DIGIT: r"\d", _sre.CATEGORY_SPACE: r"\s"}


def _first(seq: Any) -> tuple[set[str], bool]:
    """(the characters a match of the parsed sequence can begin with, whether it can match
    the empty string); _Unknown when that cannot be told."""
    out: set[str] = set()
    for op, av in seq:
        if op is _sre.LITERAL:
            out.add(chr(av))
            return out, False
        if op is _sre.IN:
            for o, v in av:
                if o is _sre.LITERAL:
                    out.add(chr(v))
                elif o is _sre.RANGE and v[1] - v[0] <= _WIDEST_RANGE:
                    out.update(map(chr, range(v[0], v[1] + 1)))
                elif o is _sre.CATEGORY and v in _CATEGORIES:
                    out.add(_CATEGORIES[v])  # \d or \s: kept as such in the class of starts
                else:  # a negated class, another category, a wide range
                    raise _Unknown
            return out, False
        if op is _sre.BRANCH:
            nullable = False
            for alt in av[1]:
                chars, empty = _first(alt)
                out |= chars
                nullable = nullable or empty
            if not nullable:
                return out, False
        elif op is _sre.SUBPATTERN:
            if av[1] & re.IGNORECASE:
                raise _Unknown
            chars, empty = _first(av[3])
            out |= chars
            if not empty:
                return out, False
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
            chars, empty = _first(av[2])
            out |= chars
            if av[0] >= 1 and not empty:
                return out, False
        elif op not in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):  # zero width: look further
            raise _Unknown
    return out, True


def first_chars(pattern: re.Pattern[str]) -> frozenset[str] | None:
    r"""The characters every match of the pattern begins with (r"\d" and r"\s" standing for
    those categories), or None when not known (or when it can match the empty string)."""
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        chars, empty = _first(_sre_parse(pattern.pattern, pattern.flags))
    except (_Unknown, ImportError):
        return None
    return None if empty or not chars else frozenset(chars)


class Starts:
    """`pattern.search` and `pattern.finditer`, tried only where a match can begin.

    The places are found in C by one more pattern, `_skip`: `(?:[^S]++|(?!P)[S])*+` for the
    pattern P and the class S of its first characters, matched from where the search starts.
    It runs over every character that cannot begin a match and over every one that can but
    where P does not match, and stops where P matches (or at the end): P is tried at the same
    places as before, with its lookbehinds on the same text, but inside one call of re's
    matcher rather than one Python step and one `match` call for each. P's own `match` then
    gives the match there. A pattern that cannot be put inside another (a global flag in its
    middle) is tried place by place from Python (`_start`)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        chars = first_chars(pattern)
        self._start: re.Pattern[str] | None = None
        self._skip: re.Pattern[str] | None = None
        if chars is None:
            return
        cls = "".join(c if len(c) > 1 else re.escape(c) for c in sorted(chars))
        self._start = re.compile(f"[{cls}]")
        if pattern.flags & re.VERBOSE:
            return  # (a comment at its end would swallow the rest of the skip)
        try:  # P's groups keep their numbers: the skip's own groups capture nothing
            self._skip = re.compile(f"(?:[^{cls}]++|(?!{pattern.pattern})[{cls}])*+",
                                    pattern.flags)
        except (re.error, OverflowError, RecursionError):
            self._skip = None

    def search(self, text: str, pos: int = 0, endpos: int | None = None,
               ) -> re.Match[str] | None:
        end = len(text) if endpos is None else endpos
        skip = self._skip
        if skip is not None:
            at = skip.match(text, pos, end).end()  # type: ignore[union-attr] # (matches "")
            return None if at >= end else self.pattern.match(text, at, end)
        start = self._start
        if start is None:
            return self.pattern.search(text, pos, end)
        find, match = start.search, self.pattern.match
        while True:
            m = find(text, pos, end)
            if m is None:
                return None
            p = m.start()
            found = match(text, p, end)
            if found is not None:
                return found
            pos = p + 1

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None,
                 ) -> Iterator[re.Match[str]]:
        end = len(text) if endpos is None else endpos
        if self._start is None:
            yield from self.pattern.finditer(text, pos, end)
            return
        while True:
            m = self.search(text, pos, end)
            if m is None:
                return
            yield m
            pos = m.end()  # never empty: first_chars refuses a pattern that can match ""

    def spans(self, text: str) -> list[tuple[int, int]]:
        """[m.span() for m in finditer(text)], in one loop."""
        skip = self._skip
        if skip is not None:
            out: list[tuple[int, int]] = []
            skip_to, match, n = skip.match, self.pattern.match, len(text)
            pos = 0
            while True:
                at = skip_to(text, pos).end()  # type: ignore[union-attr]
                if at >= n:
                    return out
                found = match(text, at)
                out.append(found.span())  # type: ignore[union-attr] # (the skip stopped at it)
                pos = found.end()  # type: ignore[union-attr]
        start = self._start
        if start is None:
            return [m.span() for m in self.pattern.finditer(text)]
        find, match = start.search, self.pattern.match
        out = []
        pos = 0
        while True:
            m = find(text, pos)
            if m is None:
                return out
            p = m.start()
            found = match(text, p)
            if found is None:
                pos = p + 1
            else:
                out.append(found.span())
                pos = found.end()


# By the pattern's id, not the pattern: a pattern's hash is made from its text and code on every
# call. The Starts keeps its pattern alive, so the id cannot be reused while it is in here.
_MADE: dict[int, Starts] = {}


def starts(pattern: re.Pattern[str]) -> Starts:
    """The pattern's `Starts`, made once."""
    made = _MADE.get(id(pattern))
    if made is None:
        made = _MADE[id(pattern)] = Starts(pattern)
    return made


class Anchored:
    """`pattern.search` and `pattern.finditer` begun near the first place a match can hold.

    For a pattern each match of which holds a match of `anchor` (a cheap regex, usually a few
    literals re finds in C) beginning at most `reach` characters after the match's own start:
    a pattern that begins with a wide class (`[\\u4e00-\\u9fff]{1,8}?(?:小区|社区…)`) is tried by
    re at every position, each with all its backtracking, while most texts hold no anchor or
    one far on. No match can begin before the first anchor at or after `pos` less `reach`, so
    the search starts there (and finds nothing when there is no anchor): the same matches.
    The pattern must not match an empty string (finditer's steps are then plain searches from
    the end of the last match); lookbehinds still see what lies before where it starts."""

    def __init__(self, pattern: re.Pattern[str], anchor: str, reach: int) -> None:
        self.pattern = pattern
        self.anchor = re.compile(anchor)
        self.reach = reach

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        a = self.anchor.search(text, pos)
        if a is None:
            return None
        return self.pattern.search(text, max(pos, a.start() - self.reach))

    def finditer(self, text: str, pos: int = 0) -> Iterator[re.Match[str]]:
        while True:
            m = self.search(text, pos)
            if m is None:
                return
            yield m
            pos = m.end()


try:
    from re._compiler import _get_charset_prefix, _get_literal_prefix  # type: ignore
except ImportError:  # pragma: no cover - another Python: nothing is replaced
    _get_charset_prefix = _get_literal_prefix = None


def skips_ahead(pattern: re.Pattern[str]) -> bool:
    """re finds where a match may begin by itself: the pattern begins with a literal or with a
    class (or alternatives that each begin with a literal), which its search looks for in C."""
    if _get_literal_prefix is None:
        return True
    parsed = _sre_parse(pattern.pattern, pattern.flags)
    return bool(_get_literal_prefix(parsed, pattern.flags)[0]
                or _get_charset_prefix(parsed, pattern.flags))


class Scanned:
    """A compiled pattern whose `search`, `finditer` and `sub` go through its `Starts` (tried
    only where a match can begin); every other method is the pattern's own, so it stands in
    for the pattern."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.plain = pattern
        fast = Starts(pattern)
        self.search = fast.search
        self.finditer = fast.finditer
        self._skip = fast._skip
        for name in ("match", "fullmatch", "findall", "subn", "split",
                     "pattern", "flags", "groups", "groupindex"):
            setattr(self, name, getattr(pattern, name))

    def sub(self, repl: Any, string: str, count: int = 0) -> str:
        """`pattern.sub`, its matches found by the skip (in C) rather than by a try at every
        position: the same matches (a `Starts` pattern never matches the empty string, so
        each search resumes where the last match ended, as sub's own does). A template with a
        backslash, a count, or a pattern without a skip is left to the pattern's own sub."""
        skip = self._skip
        literal = isinstance(repl, str)
        if skip is None or count or literal and "\\" in repl:
            return self.plain.sub(repl, string, count)
        skip_to, match, n = skip.match, self.plain.match, len(string)
        at = skip_to(string).end()  # type: ignore[union-attr]
        if at >= n:
            return string  # no match: sub gives back the string itself
        out: list[str] = []
        pos = 0
        while at < n:
            found = match(string, at)
            out.append(string[pos:at])
            out.append(repl if literal else repl(found))
            pos = found.end()  # type: ignore[union-attr] # (the skip stopped at it)
            at = skip_to(string, pos).end()  # type: ignore[union-attr]
        out.append(string[pos:])
        return "".join(out)


def scan_patterns(namespace: dict[str, Any]) -> list[str]:
    """Put a `Scanned` in place of each compiled pattern of a module's namespace that re
    tries at every position (it does not skip ahead by itself) and whose first characters are
    known: a module of rules calls this once at its end, so patterns added later are covered
    too. Returns the names replaced."""
    replaced = []
    for name, value in list(namespace.items()):
        if isinstance(value, re.Pattern) and first_chars(value) is not None \
                and not skips_ahead(value):
            namespace[name] = Scanned(value)
            replaced.append(name)
    return replaced
