"""Validating a district file: every rule of spec/district.md, with the line of each problem."""

from __future__ import annotations

import re
import tomllib
from typing import Any, NoReturn

from shapely.geometry import Polygon
from shapely.validation import explain_validity

from storage.district_file import DistrictError, DistrictFile, PersonSpec, PlaceSpec, RegionSpec
from storage.district_lines import Locator, Path
from storage.district_match import normalize_building

ROLES = ("resident", "officer", "correspondent", "liaison", "leader", "department", "admin")
GRID_KINDS = ("residential", "special")
MAX_ID = 64  # regions.code and people.id are String(64)

_BIND_CODE = re.compile(r"^\d{6}$")
_TOML_LINE = re.compile(r"\s*\(at line (\d+), column \d+\)")

_KEYS = {
    "root": {"district", "people", "streets"},
    "district": {"code", "name", "aliases", "command_centre", "triage"},
    "people": {"id", "name", "roles", "wecom_userid", "bind_code", "phone", "departments"},
    "street": {"code", "name", "aliases", "leader", "communities"},
    "community": {"code", "name", "aliases", "leader", "triage", "liaisons", "police", "grids"},
    "grid": {"code", "name", "aliases", "officer", "kind", "property", "polygon", "places"},
    "place": {"code", "name", "aliases", "buildings"},
}


def parse_district(text: str, source: str = "<file>") -> DistrictFile:
    """Parse and validate `text`; raise DistrictError (line + reason) on the first problem."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = _TOML_LINE.search(str(e))
        reason = _TOML_LINE.sub("", str(e))
        raise DistrictError(source, int(m.group(1)) if m else None,
                            f"TOML 语法错误：{reason}") from None
    return _Parser(text, source).parse(doc)


class _Parser:
    def __init__(self, text: str, source: str) -> None:
        self.loc = Locator(text)
        self.source = source
        self.codes: set[str] = set()
        self.people: dict[str, PersonSpec] = {}

    def fail(self, path: Path, key: str | None, reason: str) -> NoReturn:
        raise DistrictError(self.source, self.loc.line_of(path, key), reason)

    def parse(self, doc: dict[str, Any]) -> DistrictFile:
        self._keys(doc, (), "root")
        if not isinstance(doc.get("district"), dict):
            self.fail((), None, "缺少 [district] 表")
        for i, raw in enumerate(self._tables(doc, (), "people")):
            self._person(raw, ("people", i))
        district = self._district(doc["district"], ("district",))
        for i, raw in enumerate(self._tables(doc, (), "streets")):
            district.children.append(self._street(raw, ("streets", i)))
        return DistrictFile(district=district, people=list(self.people.values()))

    # ── tables ──────────────────────────────────────────────────────────────────────────

    def _person(self, raw: dict[str, Any], path: Path) -> None:
        self._keys(raw, path, "people")
        pid = self._ident(raw, path, "id")
        if pid in self.people:
            self.fail(path, "id", f"人员 id {pid!r} 重复")
        roles = self._strs(raw, path, "roles")
        if not roles:
            self.fail(path, "roles", f"人员 {pid!r} 没有 roles（角色）")
        for role in roles:
            if role not in ROLES:
                self.fail(path, "roles", f"人员 {pid!r}：未知角色 {role!r}"
                                         f"（可用：{', '.join(ROLES)}）")
        userid = self._str(raw, path, "wecom_userid")
        if userid and any((p.wecom_userid or "").lower() == userid.lower()
                          for p in self.people.values()):
            self.fail(path, "wecom_userid", f"wecom_userid {userid!r} 用了两次"
                                            "（不区分大小写）")
        bind_code = self._str(raw, path, "bind_code")
        if bind_code is not None:
            if not _BIND_CODE.match(bind_code):
                self.fail(path, "bind_code", f"人员 {pid!r}：bind_code 须是加引号的 6 位数字，"
                                             f"不是 {bind_code!r}")
            if any(p.bind_code == bind_code for p in self.people.values()):
                self.fail(path, "bind_code", f"bind_code {bind_code} 用了两次")
        self.people[pid] = PersonSpec(
            id=pid, name=self._str(raw, path, "name", required=True) or "", roles=roles,
            wecom_userid=userid, bind_code=bind_code, phone=self._str(raw, path, "phone"),
            departments=self._strs(raw, path, "departments"),
        )

    def _district(self, raw: dict[str, Any], path: Path) -> RegionSpec:
        self._keys(raw, path, "district")
        centre = self._refs(raw, path, "command_centre", required=True)
        triage = self._refs(raw, path, "triage") or centre
        return self._region(raw, path, "district", {"command_centre": centre, "triage": triage})

    def _street(self, raw: dict[str, Any], path: Path) -> RegionSpec:
        self._keys(raw, path, "street")
        leader = self._ref(raw, path, "leader")
        street = self._region(raw, path, "street", {"leader": leader} if leader else {})
        for i, c in enumerate(self._tables(raw, path, "communities")):
            street.children.append(self._community(c, (*path, "communities", i)))
        return street

    def _community(self, raw: dict[str, Any], path: Path) -> RegionSpec:
        self._keys(raw, path, "community")
        community = self._region(raw, path, "community", {})
        code = community.code
        leader = self._ref(raw, path, "leader")
        if not leader:
            self.fail(path, None, f"社区 {code} 没有 leader（社区书记）")
        triage = self._refs(raw, path, "triage")
        if not triage:
            self.fail(path, "triage", f"社区 {code} 没有 triage（分拨员）名单")
        slots: dict[str, Any] = {"leader": leader, "triage": triage,
                                 "liaisons": self._refs(raw, path, "liaisons") or triage}
        if police := self._ref(raw, path, "police"):
            slots["police"] = police
        community.slots = slots
        split: dict[tuple[str, str], str] = {}  # (place name, building) → grid code
        for i, g in enumerate(self._tables(raw, path, "grids")):
            grid = self._grid(g, (*path, "grids", i))
            community.children.append(grid)
            for j, place in enumerate(grid.places):
                for b in place.buildings:  # folded: "5号楼" here and 5 there are one
                    other = split.setdefault((place.name, normalize_building(b) or b),
                                             grid.code)
                    if other != grid.code:
                        self.fail((*path, "grids", i, "places", j), "buildings",
                                  f"{place.name} 的楼栋 {b} 同时划在网格 {other} "
                                  f"和 {grid.code}")
        return community

    def _grid(self, raw: dict[str, Any], path: Path) -> RegionSpec:
        self._keys(raw, path, "grid")
        grid = self._region(raw, path, "grid", {})
        code = grid.code
        officer = self._ref(raw, path, "officer")
        if not officer:
            self.fail(path, None, f"网格 {code} 没有 officer（网格员）")
        slots = {"officer": officer}
        if prop := self._ref(raw, path, "property"):
            slots["property"] = prop
        kind = self._str(raw, path, "kind") or "residential"
        if kind not in GRID_KINDS:
            self.fail(path, "kind", f"网格 {code}：kind 只能是 residential 或 special，"
                                    f"不是 {kind!r}")
        grid.slots, grid.grid_kind = slots, kind
        if "polygon" in raw:
            grid.polygon = self._polygon(raw["polygon"], path, grid.code)
        names: set[str] = set()
        for i, p in enumerate(self._tables(raw, path, "places")):
            place = self._place(p, (*path, "places", i), grid.code)
            if place.name in names:
                self.fail((*path, "places", i), "name",
                          f"网格 {grid.code} 中地点 {place.name} 写了两次")
            names.add(place.name)
            grid.places.append(place)
        return grid

    def _place(self, raw: dict[str, Any], path: Path, grid_code: str) -> PlaceSpec:
        self._keys(raw, path, "place")
        name = self._str(raw, path, "name", required=True) or ""
        code = self._str(raw, path, "code") or f"{grid_code}/{name}"
        self._claim_code(code, path)
        buildings = self._strs(raw, path, "buildings", numbers=True)
        if len({normalize_building(b) or b for b in buildings}) != len(buildings):
            self.fail(path, "buildings", f"地点 {name}：有楼栋写了两次")
        return PlaceSpec(code=code, name=name, aliases=self._strs(raw, path, "aliases"),
                         buildings=buildings)

    def _region(self, raw: dict[str, Any], path: Path, level: str,
                slots: dict[str, Any]) -> RegionSpec:
        code = self._ident(raw, path, "code")
        self._claim_code(code, path)
        return RegionSpec(level=level, code=code, name=self._str(raw, path, "name",
                                                                 required=True) or "",
                          aliases=self._strs(raw, path, "aliases"), slots=slots)

    def _polygon(self, value: Any, path: Path, code: str) -> list[list[float]]:
        bad = f"网格 {code}：polygon 须是至少 3 个 [lng, lat] 点围成的环"
        if not isinstance(value, list):
            self.fail(path, "polygon", bad)
        ring: list[list[float]] = []
        for pt in value:
            if (not isinstance(pt, list) or len(pt) != 2
                    or not all(isinstance(v, int | float) and not isinstance(v, bool)
                               for v in pt)):
                self.fail(path, "polygon", f"{bad}；这里是 {pt!r}")
            lng, lat = float(pt[0]), float(pt[1])
            if not (-180 <= lng <= 180 and -90 <= lat <= 90):
                self.fail(path, "polygon", f"{bad}；{pt!r} 不是 [lng, lat] 点")
            ring.append([lng, lat])
        open_ring = ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else ring
        if len(open_ring) < 3:
            self.fail(path, "polygon", bad)
        shape = Polygon(open_ring)
        if not shape.is_valid or shape.area == 0:
            self.fail(path, "polygon", f"网格 {code}：polygon 无效"
                                       f"（{explain_validity(shape)}）")
        return ring

    # ── values ──────────────────────────────────────────────────────────────────────────

    def _keys(self, raw: dict[str, Any], path: Path, kind: str) -> None:
        for key in raw:
            if key not in _KEYS[kind]:
                self.fail(path, key, f"{kind} 表中有未知的键 {key!r}"
                                     f"（可用：{', '.join(sorted(_KEYS[kind]))}）")

    def _tables(self, raw: dict[str, Any], path: Path, key: str) -> list[dict[str, Any]]:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(path, key, f"{key} 须写成表数组（[[{key}]]）")
        return value

    def _str(self, raw: dict[str, Any], path: Path, key: str,
             required: bool = False) -> str | None:
        value = raw.get(key)
        if value is None:
            if required:
                self.fail(path, None, f"缺少 {key}")
            return None
        if not isinstance(value, str):
            self.fail(path, key, f"{key} 须是加引号的字符串，不是 {value!r}")
        value = value.strip()
        if required and not value:
            self.fail(path, key, f"{key} 为空")
        return value or None

    def _ident(self, raw: dict[str, Any], path: Path, key: str) -> str:
        value = self._str(raw, path, key, required=True) or ""
        if len(value) > MAX_ID or any(ch.isspace() for ch in value):
            self.fail(path, key, f"{key} {value!r} 须不超过 {MAX_ID} 个字符，"
                                 "且不含空格")
        return value

    def _strs(self, raw: dict[str, Any], path: Path, key: str,
              numbers: bool = False) -> list[str]:
        value = raw.get(key, [])
        if isinstance(value, str):
            value = [value]
        ok = (int, str) if numbers else (str,)
        if not isinstance(value, list) or not all(
                isinstance(v, ok) and not isinstance(v, bool) for v in value):
            self.fail(path, key, f"{key} 须是字符串列表")
        out = [str(v).strip() for v in value]
        if any(not v for v in out):
            self.fail(path, key, f"{key} 中有空项")
        return out

    def _ref(self, raw: dict[str, Any], path: Path, key: str) -> str | None:
        pid = self._str(raw, path, key)
        if pid is not None and pid not in self.people:
            self.fail(path, key, f"{key} {pid!r} 不是 [[people]] 中的 id")
        return pid

    def _refs(self, raw: dict[str, Any], path: Path, key: str,
              required: bool = False) -> list[str]:
        ids = self._strs(raw, path, key)
        if required and not ids:
            self.fail(path, key if key in raw else None, f"缺少 {key}（人员 id 列表）")
        for pid in ids:
            if pid not in self.people:
                self.fail(path, key, f"{key}：{pid!r} 不是 [[people]] 中的 id")
        return ids

    def _claim_code(self, code: str, path: Path) -> None:
        if len(code) > MAX_ID:
            self.fail(path, "code", f"code {code!r} 超过 {MAX_ID} 个字符")
        if code in self.codes:
            self.fail(path, "code", f"code {code!r} 重复")
        self.codes.add(code)
