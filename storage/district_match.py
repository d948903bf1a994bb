"""Matching a place named in a message against the district's regions (pure functions over
loaded regions; the read model in storage.district_model supplies them)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from nlp.normalize import primary_sound, to_halfwidth
from storage.models import Region

MIN_MATCH = 2  # a shorter overlap (one character) matches too much to mean anything
_BUILDING_SUFFIX = re.compile(r"(号楼|号|栋|幢|座|楼)$")


def normalize_building(text: str | None) -> str | None:
    """'３号楼', '3栋', '3' → '3'; letters upper-cased ('a座' → 'A')."""
    if not text:
        return None
    value = to_halfwidth(text.strip()).upper()
    value = _BUILDING_SUFFIX.sub("", value).strip()
    return value or None


def overlap(text: str, names: Iterable[str]) -> int:
    """How much of a name the text covers: exact or contained either way, longest wins."""
    best = 0
    for name in names:
        if not name:
            continue
        if name == text:
            score = len(name) + 1000  # an exact match beats any containment
        elif name in text:
            score = len(name)
        elif text in name:
            score = len(text)
        else:
            continue
        if score >= MIN_MATCH:
            best = max(best, score)
    return best


class Index:
    """What matching needs of a list of regions, made once (the read model keeps one per
    snapshot, storage.district_model): by id, the communities with their names, and the
    place groups (places with the same name in one community are one compound split across
    grids) with theirs."""

    def __init__(self, regions: list[Region]) -> None:
        self.by_id = by_id = {r.id: r for r in regions}
        self.communities = [(c, [c.name, *(c.aliases or [])]) for c in regions
                            if c.level == "community"]
        groups: dict[tuple[int, str], list[Region]] = {}
        for r in regions:
            grid = by_id.get(r.parent_id) if r.level == "place" else None  # type: ignore[arg-type]
            if grid is not None and grid.parent_id in by_id:
                groups.setdefault((grid.parent_id, r.name), []).append(r)  # type: ignore[arg-type]
        self.groups = groups
        self.names = {key: _names(rows) for key, rows in groups.items()}


def grid_for_place(regions: list[Region] | Index, community_text: str | None,
                   building: str | None) -> tuple[Region | None, Region | None]:
    """(grid, community) among active community/grid/place `regions` (ordered by id), or in
    an `Index` made of them."""
    text = (community_text or "").strip()
    if not text:
        return None, None
    index = regions if isinstance(regions, Index) else Index(regions)
    by_id, groups = index.by_id, index.groups

    # "连江社区幸福花园": the community named in the text narrows the place to look for
    inside = [(len(n), n, c) for c, names in index.communities for n in names
              if n and n in text]
    if inside:
        _, name, community = max(inside, key=lambda t: t[0])
        rest = text.replace(name, "", 1).strip()
        if len(rest) >= MIN_MATCH:
            found = _best({k: v for k, v in index.names.items() if k[0] == community.id}, rest)
            if found:
                return _pick(groups[found], building, by_id)

    found = _best(index.names, text) or _by_building(index, text, building) \
        or _by_sound(index, text)
    place_score = overlap(text, index.names[found]) if found else 0
    scored = [(overlap(text, names), c) for c, names in index.communities]
    best_c = max((s for s, _ in scored), default=0)
    if found and place_score >= best_c:  # a place is the more precise answer on a tie
        return _pick(groups[found], building, by_id)
    named = [c for s, c in scored if s and s == best_c]
    if len(named) == 1:
        return None, named[0]
    return None, None


def _names(rows: list[Region]) -> list[str]:
    return [rows[0].name, *(a for r in rows for a in (r.aliases or []))]


def _best(names: dict[tuple[int, str], list[str]], text: str) -> tuple[int, str] | None:
    """The one place group (by its names) that matches `text` best, or None when none or
    several tie."""
    scored = [(overlap(text, group), key) for key, group in names.items()]
    top = max((s for s, _ in scored), default=0)
    keys = [key for s, key in scored if s and s == top]
    if len(keys) == 1:
        return keys[0]
    return None


def _by_building(index: Index, text: str, building: str | None) -> tuple[int, str] | None:
    """Compounds of one name in several communities (a 云杉雅居 A–C in one, D–F in another, as
    districts split them): the building named decides, when it is in exactly one of them."""
    wanted = normalize_building(building)
    if wanted is None:
        return None
    scored = [(overlap(text, group), key) for key, group in index.names.items()]
    top = max((s for s, _ in scored), default=0)
    if not top:
        return None
    having = [key for s, key in scored if s == top and any(
        wanted in {normalize_building(b) for b in p.buildings or []}
        for p in index.groups[key])]
    return having[0] if len(having) == 1 else None


@lru_cache(maxsize=8192)
def _sound(ch: str) -> str:
    return primary_sound(ch) or ch


@lru_cache(maxsize=4096)
def _sounds(text: str) -> str:
    return "|" + "|".join(_sound(ch) for ch in text) + "|"


def _by_sound(index: Index, text: str) -> tuple[int, str] | None:
    """A compound's name heard by voice input with other characters of the same sound (石流苑,
    石榴院 for 石榴苑): the one place group whose name sounds inside the text and shares a
    character with it (chance homophones share none, as in nlp.normalize)."""
    if not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return None
    keys = {key for key, names in index.names.items() for name in names
            if heard_at(text, name) is not None}
    return keys.pop() if len(keys) == 1 else None


def heard_at(text: str, name: str) -> int | None:
    """Where `name` is heard in `text` written with other characters of the same sound, sharing
    at least one with it (石流苑 in 「我住在石流苑三栋」 for 石榴苑), or None."""
    if len(name) < 2 or name in text or not set(name) & set(text) \
            or _sounds(name) not in _sounds(text):
        return None
    want = [_sound(ch) for ch in name]
    heard = [_sound(ch) for ch in text]
    n = len(name)
    for i in range(len(text) - n + 1):
        if heard[i:i + n] == want and set(text[i:i + n]) & set(name):
            return i
    return None


def _pick(places: list[Region], building: str | None,
          by_id: dict[int, Region]) -> tuple[Region | None, Region | None]:
    grids = [by_id[p.parent_id] for p in places if p.parent_id in by_id]
    community = by_id.get(grids[0].parent_id) if grids else None  # type: ignore[arg-type]
    wanted = normalize_building(building)
    if wanted is not None:
        for place, grid in zip(places, grids, strict=True):
            if wanted in {normalize_building(b) for b in place.buildings or []}:
                return grid, community
    if len(grids) == 1:
        return grids[0], community
    return None, community
