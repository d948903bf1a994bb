"""Where the problem is: community, building, unit, room and a free-text place.

Reads the normalised text (half-width digits, lower case). The rules that matter most for
routing: a floor is never a building (「3号楼6楼」 is building 3, 「6楼以上」 and 「十八楼」 are
floors), 1-2-301 is building-unit-room, and a community named in the district's gazetteer wins
over one guessed from its suffix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from nlp.numbers import ANY_NUM, CN_NUM, cn_to_int, num_str
from nlp.scan import Anchored, scan_patterns

_N = ANY_NUM
# 1-2-301 (also 1—2—301, 1/2/301): building, unit, room.
_TRIPLE = re.compile(r"(?<![\d-])(\d{1,3})\s*[-—/]\s*(\d{1,2})\s*[-—/]\s*(\d{3,4})(?![\d-])")
# The same with its suffixes kept (9号楼-2-301, 2栋-3单元-201, 3#2-301), and 3-2单元 (building 3,
# unit 2).
_TRIPLE_NAMED = re.compile(r"(?<![\d-])(\d{1,3})\s*(?:号楼|栋|幢|号|#)\s*[-—]?\s*(\d{1,2})\s*"
                           r"(?:单元)?\s*[-—]\s*(\d{3,4})(?![\d-])")
_PAIR_UNIT = re.compile(r"(?<![\d-])(\d{1,3})\s*[-—]\s*(\d{1,2})\s*单元")
# 两栋楼 / 几栋 count buildings; they do not name one.
# A letter and a number together name a tower (F3栋 → "F3", b12栋 → "B12"): the letter is
# part of the name, never dropped. A bare 号 after one is a door, exit or space as often
# (地铁b2号出口, c1号门, a3号车位): only a 单元, a room or the end of the phrase follows a tower.
_CODED_BUILDING = re.compile(r"(?<![a-z0-9])(?P<n>[a-z]\s*-?\d{1,3})\s*(?:号楼|号栋|#楼|栋|幢|座|"
                             rf"号(?=\s*(?:{_N}\s*单元|\d{{3,4}}|楼|$|[，。,.!！?？\s])))")
# 一幢楼, 一栋楼 count buildings; 整栋, 另一栋 too. A seat count is a vehicle (7座商务车).
_BUILDING = re.compile(
    rf"(?<![几好两这那每各数多另整同])(?!两)(?!一(?:栋|幢|座)楼)(?P<n>{_N})\s*(?P<s>号楼|号栋|#楼|#栋|栋|幢|"
    r"座(?!位|椅|谈)(?!\s*的?\s*(?:商务|轿|小|面包|私家|越野|客|汽|大巴|中巴){0,2}车)|"
    rf"号(?=\s*{_N}\s*单元)|#(?=\s*{_N}\s*单元|\s*\d{{3,4}}(?!\d)))")
# 一栋 is as often the article as building one (一栋老楼, 一座变电站, 一栋没有电梯的六层老楼): it
# names a building only when an address goes on after it (一栋三单元, 一栋502, 我住一栋。).
_ONE_NAMES = re.compile(rf"\s*(?:\d|{CN_NUM}\s*(?:单元|楼(?!房)|层(?![\u4e00-\u9fff])|号|室)|"
                        r"单元|$|[，。,.!！?？、；;]|"
                        r"的(?:住户|业主|居民|楼道|电梯|楼顶|门口|$|[，。,.!！?？、；;])|"
                        r"(?:楼道|电梯|楼顶|门口|旁边|后面|前面|对面)(?!的?[\u4e00-\u9fff]{0,6}(?:楼|房)))")
# 一共有28栋楼, 共12幢, 小区有18栋，…, 负责四栋楼, 3栋楼之间: a count of buildings, not one
# of them.
_COUNTED_BUILDINGS = re.compile(
    rf"(?:共有?|总共有?|一共有?|合计|计有|约有?|近|超过|多达|负责|管着?|涉及|包括){_N}\s*(?:栋|幢|座)|"
    rf"有{_N}\s*(?:栋|幢|座)(?=楼|住宅|居民楼|高层|多层|都|[，。,.、；;\s]|$)|"
    # 共有住宅楼11栋，…: the count after what is counted
    rf"(?:楼|楼房|住宅|建筑|高层|多层){_N}\s*(?:栋|幢|座)(?=[，。,.、；;和及]|$)|"
    rf"{_N}\s*(?:栋|幢|座)楼(?:之间|中间)|"
    # 2号楼和3号楼中间, 6栋与7栋之间: between two buildings names neither as the place
    rf"{_N}\s*(?:号楼|栋|幢|座)?(?:楼)?\s*(?:和|与|跟|同|、|及|至|到)\s*{_N}\s*(?:号楼|栋|幢|座)(?:楼)?"
    r"\s*(?:的)?\s*(?:之间|中间|当中)|"
    # 三座桥, 两栋居民楼, 3栋烂尾楼: buildings or structures counted by what they are
    rf"{_N}\s*(?:栋|幢|座)\s*(?:居民楼|住宅楼|宿舍楼|写字楼|办公楼|高楼|大楼|老楼|新楼|危楼|"
    r"烂尾楼|楼房|房子|民房|厂房|平房|自建房|出租房|别墅|公厕|厕所|桥|山|塔|庙|变电站)")
# Numbers that look like an address and are not one: a street's house number (中山路128号楼下 is
# at No. 128, not building 128), a day of a month named (12月3号楼下, 本月5号; not 半个月3号楼),
# a parking space (负一层105车位).
# They are blanked before anything is read.
_NOT_ADDRESS = re.compile(
    r"(?:(?<=[街巷弄])|(?<=大道)|(?<=(?<![马公小大水铁线电走])路))\d{1,4}\s*号(?!院|楼\s*\d|楼\s*[一二三四五六七八九十]+\s*单元)|"
    r"(?:(?<=\d月)|(?<=[一二三四五六七八九十本]月))\d{1,2}\s*(?:[至到~-]\s*\d{1,2}\s*)?[号日]|"
    r"\d{3,4}\s*(?=号?(?:停)?车位|号?车库)|"
    r"[a-z]\d{1,2}\s*-\s*\d{3,4}(?=号?车位)|"
    # dates written with slashes or dots (12/15/2023, 15.12.2023, 2023/12/15, 2023-12-15)
    r"(?<![\d/.\-])\d{1,2}\s*[/.]\s*\d{1,2}\s*[/.]\s*(?:19|20)\d\d(?!\d)|"
    r"(?<![\d/.\-])(?:19|20)\d\d\s*([/.\-])\s*\d{1,2}\s*\1\s*\d{1,2}(?!\d)|"
    # the convenience store 7-11 (楼下711门口, 711便利店旁边), not a room unless a floor or a
    # building comes before it (7楼711门口 is a door on the seventh floor)
    r"(?<![\d楼层栋幢座元#\-])7\s*-?\s*11(?=\s*(?:便利|门口|门前|店|旁边|对面|附近|超市|那边|那里))")
# A form filled in by hand: 楼号：12, 单元号：2 (the room: 室号/房号 in _ROOM_BY_NEIGHBOUR).
_BUILDING_FIELD = re.compile(r"(?:楼号|栋号|幢号|楼栋号)\s*[:：]?\s*(?:是\s*)?"
                             rf"(?P<n>[a-z]?\d{{1,3}}|{CN_NUM})(?![\d层楼])")
_UNIT_FIELD = re.compile(rf"单元号\s*[:：]?\s*(?:是\s*)?(?P<n>\d{{1,2}}|{CN_NUM})(?![\d层楼])")
_PAST = re.compile(r"以前|之前|上次|上回|原来|曾经|以往")
_NOW = re.compile(r"现在|这次|这回|目前|如今|[，。,.!！?？；;\n]")
# 不是6栋是8栋: the mention after 不是 is taken back (`_denied`).
_DENIED = re.compile(r"(?:不是|并非|而非)\s*(?:在\s*)?$")
# 2、3栋, 5至8号楼, 3到5栋: several numbers share one suffix; the first names where it starts.
_LIST_BEFORE = re.compile(rf"((?:{_N})\s*(?:、|,|，|至|到|~|-|—|和|及|与)\s*)+$")
# 2梯 is how Guangdong numbers a block's stair-and-lift cores, its units (一梯两户 is a layout).
_UNIT = re.compile(rf"(?<![几好两这那每各数多另整同])(?!两)(?P<n>{_N})\s*"
                   r"(?:单元(?!号)|梯(?![子田形度级队])(?!\s*[一二两三四五六七八2-8]\s*户))")
# What may follow a bare number for it to be a room: not a price, an area, an age, a count, a
# distance, a time, a year, a bus or a shop (楼上1500一个月, 3楼120平米, 5栋2000多人, 300米,
# 对面711便利店).
_NOT_AFTER_ROOM = (r"(?![\d年月日号点时分秒元块钱米平方岁个多余人次周万千百斤公里度%.层路线]|"
                   r"楼(?![上下])|天(?!天)|一个月|一年|一月|一平|左右|以上|便利|超市|店)")
# Counts of households (共有120户居民, 住了120户人家, 居民420户): not household 120.
_ROOM = re.compile(r"(?<![\d年有共约近了计超达余])(?<!居民)(?<!住户)(?<!业主)(?<!村民)(?<!人家)"
                   r"(?P<n>\d{3,4})\s*(?:室(?!内|外|友)|号房|房间|"
                   r"房(?![子租东价贷费产屋源本型])|那户|这户|那家|这家|"
                   r"户(?!居民|人家|村民|家庭|住户|业主|左右|以上|多))"
                   r"|(?<![零〇幺一二三四五六七八九十百千])(?P<c>[零〇幺一二三四五六七八九]{3,4})\s*"
                   r"(?:室|号房|房间)"
                   r"|(?P<f>(?<![\d])\d{1,2}|[一二三四五六七八九十]{1,3})?\s*(?:层|楼)\s*的?\s*"
                   r"(?P<m>\d{3,4}|[零〇幺一二三四五六七八九]{3,4})(?P<s>号|室)?"
                   r"(?![\d年楼层号米平方元块多人岁个])")
# Compounds that letter their towers: B座, A栋, c幢 (a Latin letter not inside a word)
_LETTER_BUILDING = re.compile(r"(?<![A-Za-z])(?P<n>[A-Za-zＡ-Ｚ])\s*(?:座|栋|幢|号楼)")
# A bare number right after a building or unit is the room: 7栋502, 2单元301, and in speech
# with the fillers between (六号楼的八零二, 2单元的那个602啊).
_ROOM_AFTER = re.compile(r"(?:号楼|栋|幢|单元|(?<=\d)梯|(?<=[a-z\d])座|#楼|(?<=\d)#)"
                         r"(?:\s|的|那个|这个|就是|啊|呀|嗯){0,4}(?P<n>\d{3,4}|"
                         rf"[零〇一二三四五六七八九幺]{{3,4}}){_NOT_AFTER_ROOM}")
# A room named by who lives there or where it is from the writer (楼上602, 对门1101, 隔壁502的
# 老人, 房号1203, 他家是502的, 301窗户冒烟, 601的业主).
_ROOM_BY_NEIGHBOUR = re.compile(
    r"(?:楼上|楼下|对门|对面|隔壁|房号|房间号|室号|门牌号?|户号|我家|他家|她家|他们家|我们家|住在?)"
    rf"\s*[:：]?\s*(?:是|在)?\s*(?P<n>\d{{3,4}}){_NOT_AFTER_ROOM}|"
    r"(?<![\d.\-/a-z])(?P<m>\d{3,4})\s*的?\s*(?=住户|业主|人家|邻居|租户|户主|老人|老太太|老爷子|"
    r"大爷|大妈|阿姨|奶奶|爷爷|小孩|孩子|窗户|窗口|阳台|家里|家门)")
# A floor, then a few characters on, a number on that floor (家在9层，901的管子; 我住15楼，1502的).
_ROOM_ON_FLOOR = re.compile(r"(?<!\d)(?P<f>\d{1,2}|[一二三四五六七八九十]{1,3})\s*(?:层|楼)"
                            rf"[^\d]{{0,4}}?(?<![\d.\-/a-z])(?P<m>\d{{3,4}}){_NOT_AFTER_ROOM}")
# Every room pattern needs three digits in a row, in either script.
_ROOM_HINT = re.compile(r"\d{3}|[零〇幺一二三四五六七八九]{3}")
_DIGIT = re.compile(r"\d")
_YEAR = re.compile(r"(?:19|20)\d\d")
# Telephone numbers people call, never rooms when nothing marks them as one.
_SERVICE_NUMBERS = {"110", "119", "120", "122", "114", "315"}

# Every building, unit or room pattern needs one of these; most messages have none.
_ADDRESS_HINT = re.compile(r"[栋幢座单元室房户家#-]|号楼|号栋|号(?=.{0,3}单元)|\d{3}|\d梯|楼号|"
                           r"楼[零〇幺一二三四五六七八九]{3}")
_COMMUNITY_SUFFIX = (
    "小区|社区|花园|家园|新村|新城|家属院|家属楼|公寓|大厦|山庄|华庭|名苑|公馆|佳苑|雅苑|苑|府|湾|园"
)
_COMMUNITY = re.compile(rf"(?P<name>[\u4e00-\u9fff0-9]{{1,8}}?)(?P<suffix>{_COMMUNITY_SUFFIX})")
# (searched from 8 characters before the first suffix: nlp/scan.py Anchored)
_COMMUNITY_AT = Anchored(_COMMUNITY, _COMMUNITY_SUFFIX, 8)
# Characters after which a name cannot continue to the left (我是锦绣家园 → 锦绣家园).
_LEFT_STOP = re.compile(
    r".*(?:[的了是在住我你他她们这那个到从给把被让说问喂呢啊吧吗跟对请找去叫帮要想老该全各]|"
                        r"小区|社区|你好|您好|业主|居民|反映|隔壁|对面|旁边|附近|楼下|楼上|门口|"
                        r"联系|通知|希望|冒充|麻烦|投诉|整个)")
_NOT_COMMUNITY = {
    "公园", "幼儿园", "菜园", "果园", "校园", "乐园", "游乐园", "陵园", "动物园", "花园", "家园",
    "小区", "社区", "公寓", "大厦", "中心花园", "后花园", "屋顶花园", "菜园子", "院子", "产业园",
    "工业园", "科技园", "政府", "港湾", "海湾", "河湾", "学府",
}
_WEAK_SUFFIX = {"苑", "府", "湾", "园"}

# The address patterns begin with a digit, a numeral, a letter or a suffix after lookbehinds and
# lookaheads, which re tries at every position: each is searched from the first character its
# matches can begin with instead (scan.Anchored with no reach; a text without one is done).
_NUMERAL_AT = r"[\d零〇一二两三四五六七八九十百千幺]"
_ADDRESS_HINT_AT = Anchored(_ADDRESS_HINT, r"[栋幢座单元室房户家#\-号楼\d]", 0)
_TRIPLE_AT = Anchored(_TRIPLE, r"\d", 0)
_TRIPLE_NAMED_AT = Anchored(_TRIPLE_NAMED, r"\d", 0)
_PAIR_UNIT_AT = Anchored(_PAIR_UNIT, r"\d", 0)
_CODED_BUILDING_AT = Anchored(_CODED_BUILDING, r"[a-z]", 0)
_BUILDING_AT = Anchored(_BUILDING, _NUMERAL_AT, 0)
_LETTER_BUILDING_AT = Anchored(_LETTER_BUILDING, r"[A-Za-zＡ-Ｚ]", 0)
_UNIT_AT = Anchored(_UNIT, _NUMERAL_AT, 0)
_ROOM_AT = Anchored(_ROOM, r"[\d零〇幺一二三四五六七八九十层楼\s]", 0)

_INTERSECTION = re.compile(
    r"(?P<a>[\u4e00-\u9fff]{1,5}(?:路|街|大道))(?:和|与|跟|、)"
    r"(?P<b>[\u4e00-\u9fff]{1,5}(?:路|街|大道))(?:交叉口|交口|路口|十字路口|口)?")
# 路灯 is a streetlight, not a road's end: 中山路路灯 is on 中山路, not 中山路路.
_ROAD = re.compile(r"(?P<road>[\u4e00-\u9fff]{2,4}(?:路(?!灯)|街|大道|大街))"
                   r"(?P<tail>[\u4e00-\u9fff]{0,2})")
# Both begin with a wide class, which re tries at every position: searched from a few characters
# before the first road word (and the joining word of an intersection) instead.
_INTERSECTION_AT = Anchored(_INTERSECTION, r"(?:路|街|大道)(?:和|与|跟|、)", 5)
_ROAD_AT = Anchored(_ROAD, r"路|街|大道|大街", 4)
# A road's name starts after these; 号 栋 幢 门口 end a building's or a door's words before it
# (3号楼门口解放路 → 解放路; 5号楼门口路灯 names no road: the place is 门口).
_ROAD_STOP = re.compile(r".*(?:[的了是在住我你他她们这那个到从给把被让说问上下边和号栋幢]|门口)")
_NOT_ROAD_END = ("马路", "公路", "道路", "大路", "小路", "走路", "挡路", "堵路", "占路", "拦路",
                 "修路", "让路", "带路", "过路", "开路", "封路", "断路", "绕路", "上路", "问路")
_BUS_STOP = re.compile(r"\d+路(?:公交)?(?:车站|站台|站牌|站)")
_NOT_ROAD = {"马路", "公路", "道路", "大路", "小路", "走路", "过马路", "走道路", "一路", "半路",
             "上路", "铁路", "水路", "线路", "电路", "思路", "出路", "网路", "老街", "大街",
             "逛街", "上街", "沿街", "一条街", "路路"}

# Longest first, so 地下车库 beats 车库 and 小区门口 beats 门口.
PLACE_WORDS = sorted({
    "东门", "西门", "南门", "北门", "东门口", "西门口", "南门口", "北门口", "正门", "后门", "侧门",
    "大门口", "小区门口", "单元门口", "单元门", "楼栋门口", "门口", "地下车库", "车库", "车库出口",
    "车库入口", "地下室", "地下一层", "地下二层", "负一楼", "负一层", "楼顶", "天台", "楼道",
    "楼梯间", "楼梯", "走廊", "过道", "电梯", "电梯间", "电梯口", "车棚", "自行车棚", "垃圾站",
    "垃圾房", "垃圾桶旁", "广场", "中心花园", "绿化带", "草坪", "花坛", "池塘", "河边", "河道",
    "湖边", "桥下", "桥洞", "公园", "菜市场", "农贸市场", "早市", "夜市", "学校门口", "幼儿园门口",
    "校门口", "地铁口", "地铁站", "公交站", "公交车站", "人行道", "工地", "物业办公室", "停车场",
    "菜场", "篮球场", "健身区", "活动室", "老年活动中心", "配电房", "水泵房", "消防通道", "天井",
    "楼后",
}, key=len, reverse=True)
_NEAR = re.compile("旁边|附近|对面")
_PLACES = re.compile("|".join(map(re.escape, PLACE_WORDS)))


@dataclass(frozen=True)
class Location:
    community: str | None = None
    building: str | None = None
    unit: str | None = None
    room: str | None = None
    place: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"community": self.community, "building": self.building, "unit": self.unit,
                "room": self.room, "place": self.place}


class Gazetteer:
    """The district's communities and places: every alias → the canonical name."""

    def __init__(self, places: Iterable[tuple[str, Sequence[str]]] = ()) -> None:
        self.names: dict[str, str] = {}
        for canonical, aliases in places:
            for name in (canonical, *aliases):
                name = name.strip().lower()
                if len(name) >= 2:
                    self.names.setdefault(name, canonical)
        # longest first, so 幸福花园小区 wins over 幸福花园 at the same position
        ordered = sorted(self.names, key=lambda n: (-len(n), n))
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def find(self, text: str) -> tuple[str, int, int] | None:
        """The leftmost, then longest, gazetteer name in the text: (canonical, start, end)."""
        m = self._pattern.search(text) if self._pattern else None
        return (self.names[m.group()], m.start(), m.end()) if m else None


def _community(text: str) -> tuple[str, int, int] | None:
    found = _community_at(text, 0)
    if found is not None and found[0].endswith("社区"):
        compound = estate_after(text, found[2])
        if compound is not None:  # both names are the place's, masked together
            return compound[0], found[1], compound[2]
    return found


def estate_after(text: str, end: int) -> tuple[str, int, int] | None:
    """The housing estate named right after a 社区 (金溪社区溪畔新村3栋, 金溪社区的溪畔新村):
    the estate is where the problem is, the 社区 only the administrative area around it."""
    nxt = _community_at(text, end + (text.startswith("的", end)))
    if nxt is not None and nxt[1] == end + (text.startswith("的", end)) \
            and not nxt[0].endswith("社区"):
        return nxt
    return None


def _community_at(text: str, pos: int) -> tuple[str, int, int] | None:
    for m in _COMMUNITY_AT.finditer(text, pos):
        name, suffix = m.group("name"), m.group("suffix")
        cut = _LEFT_STOP.match(name)
        start = m.start("name") + (cut.end() if cut else 0)
        name = text[start:m.start("suffix")]
        full = name + suffix
        end = m.end()
        if suffix in _WEAK_SUFFIX or suffix in ("花园", "家园"):
            follow = re.match(r"小区|社区", text[end:])
            if follow:  # 桂园小区: the name as written keeps its 小区
                full, end = full + follow.group(), end + follow.end()
            elif len(name) < 2:
                continue
        if not name or full in _NOT_COMMUNITY or name in _NOT_COMMUNITY or len(full) < 3:
            continue
        if name.isdigit():
            continue
        return full, start, end
    return None


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group())


def _denied(text: str, start: int) -> bool:
    """不是6栋是8栋: the mention right after 不是 is the one the writer takes back."""
    return _DENIED.search(text, max(0, start - 5), start) is not None


def _list_start(text: str, m: re.Match[str]) -> str:
    """The first number of a list or range sharing this suffix (1、2、3号楼 → 1, 5至8号楼 → 5)."""
    before = _LIST_BEFORE.search(text, max(0, m.start("n") - 24), m.start("n"))
    if before is None:
        return m.group("n")
    first = re.match(_N, before.group())
    if first is None:
        return m.group("n")
    low, high = cn_to_int(first.group()), cn_to_int(m.group("n"))
    # a range or list counts upwards; 3-2单元 is building 3's unit 2, not units 3 down to 2
    return first.group() if low is not None and high is not None and low < high else m.group("n")


def _room_ok(number: str, floor: str | None = None, weak: bool = False) -> bool:
    """A room is a floor and a door: never …00 (a price, a count), on the floor stated just
    before it (3楼120平米 is an area, 18层1803 a room); `weak` when nothing but its place in the
    sentence makes the number a room: then no number people dial (110) and no door past 40."""
    if len(number) < 3 or number.endswith("00"):
        return False
    # a door numbered past 40 on its floor is a count (住着180户) or a price (楼上1150) unless a
    # room's own word (室, 房间) says it is one
    if weak and (number in _SERVICE_NUMBERS or int(number[-2:]) > 40):
        return False
    if floor:
        level = num_str(floor)
        if level is not None and not (number.startswith(level)
                                      and len(number) - len(level) == 2):
            return False
    return True


def _earlier(text: str, m: re.Match[str], pattern: re.Pattern[str]) -> bool:
    """上次报的是5栋，这次是6栋; 以前住3栋，现在搬到9栋了: a building the writer no longer means,
    when the text names another after it."""
    cut = max(text.rfind(c, 0, m.start()) for c in "，。,.!！?？；;\n ")
    if not _PAST.search(text, cut + 1, m.start()):
        return False
    return any(later.group("n") != m.group("n") and _NOW.search(text, m.end(), later.start())
               for later in pattern.finditer(text, m.end()))


# The resident's own building (我住3号楼，…; 我家在7栋，…; 本人是12栋的业主): where they live, not
# where the problem is when another building is named after it (`_own_before_other`).
_OWN_BEFORE = re.compile(r"(?:我|我们|我家|俺|俺家|本人|咱家)(?:家)?(?:就|也)?"
                         r"(?:是|住|住在|在|家在)[^，。,.!！?？；;]{0,12}$")
# 第二栋楼, 进门第3栋: an ordinal, a position counted from somewhere, not the building's number
# (书香门第5号楼 is a compound's name before a number).
_ORDINAL = re.compile(r"(?<![门府宅])第\s*$")


def _own_before_other(text: str, m: re.Match[str], pattern: re.Pattern[str],
                      skip: list[tuple[int, int]]) -> bool:
    """我住3号楼，5号楼有人在楼道里烧东西: the first is the writer's home, the problem is at 5."""
    cut = max(text.rfind(c, 0, m.start()) for c in "，。,.!！?？；;\n")
    if not _OWN_BEFORE.search(text, cut + 1, m.start()):
        return False
    return any(later.group("n") != m.group("n")
               and not any(lo <= later.start() < hi for lo, hi in skip)
               and not _denied(text, later.start())
               for later in pattern.finditer(text, m.end()))


def _building(text: str) -> str | None:
    for coded in _CODED_BUILDING_AT.finditer(text):
        if not _denied(text, coded.start()):
            return re.sub(r"[\s-]", "", coded.group("n")).upper()
    counted: list[tuple[int, int]] | None = None
    for b in _BUILDING_AT.finditer(text):
        if counted is None:
            counted = [m.span() for m in _COUNTED_BUILDINGS.finditer(text)]
        if any(lo <= b.start() < hi for lo, hi in counted) or _denied(text, b.start()) \
                or _earlier(text, b, _BUILDING) \
                or _ORDINAL.search(text, max(0, b.start() - 3), b.start()) \
                or _own_before_other(text, b, _BUILDING, counted):
            continue
        article = b.group("n") == "一" and b.group("s") in ("栋", "幢", "座")
        if article and not _ONE_NAMES.match(text, b.end()):
            continue  # 一栋老楼: the article, not building one
        return num_str(_list_start(text, b))
    for lettered in _LETTER_BUILDING_AT.finditer(text):  # 锦绣华庭B座, A栋
        if not _denied(text, lettered.start()):
            return lettered.group("n").upper()
    field = _BUILDING_FIELD.search(text)
    if field:
        n = field.group("n")
        return n.upper() if n[0].isascii() and n[0].isalpha() else num_str(n)
    return None


def _unit(text: str) -> str | None:
    for u in _UNIT_AT.finditer(text):
        if not _denied(text, u.start()):
            return num_str(_list_start(text, u))
    field = _UNIT_FIELD.search(text)
    return num_str(field.group("n")) if field else None


def _room(text: str) -> str | None:
    if not _ROOM_HINT.search(text):
        return None
    for r in _ROOM_AT.finditer(text):
        number = r.group("n") or num_str(r.group("c") or r.group("m") or "")
        floor = r.group("f") if r.group("m") else None
        if r.group("m") and not floor and not r.group("s") and (
                not r.group("m").isdigit() or _YEAR.fullmatch(r.group("m"))):
            continue  # 这栋楼2019翻新的: a year; 楼一二三 without a floor is no room
        weak = r.group().endswith("户")  # 301户, but also 住着180户
        if number and not _denied(text, r.start()) and _room_ok(number, floor, weak):
            return number
    for r in _ROOM_AFTER.finditer(text):
        number = num_str(r.group("n"))
        if number and not _denied(text, r.start()) and _room_ok(number, weak=True):
            return number
    for r in _ROOM_ON_FLOOR.finditer(text):
        if not _denied(text, r.start("m")) and _room_ok(r.group("m"), r.group("f"), weak=True):
            return r.group("m")
    for r in _ROOM_BY_NEIGHBOUR.finditer(text):
        number = r.group("n") or r.group("m")
        if not _denied(text, r.start()) and _room_ok(number, weak=True):
            return number
    return None


def _building_unit_room(text: str) -> tuple[str | None, str | None, str | None]:
    if not _ADDRESS_HINT_AT.search(text):
        return None, None, None
    if _DIGIT.search(text):
        text = _NOT_ADDRESS.sub(_blank, text)
    m = _TRIPLE_AT.search(text) or _TRIPLE_NAMED_AT.search(text)
    if m:
        return m.group(1), m.group(2), m.group(3)
    pair = _PAIR_UNIT_AT.search(text)
    if pair and int(pair.group(1)) > int(pair.group(2)):  # 2-3单元 is a range of units
        return pair.group(1), pair.group(2), _room(text)
    return _building(text), _unit(text), _room(text)


def _place(text: str) -> str | None:
    m = _INTERSECTION_AT.search(text) or _BUS_STOP.search(text)
    if m:
        return m.group(0)
    best: tuple[int, str] | None = None
    for r in _ROAD_AT.finditer(text):
        road = r.group("road")
        cut = _ROAD_STOP.match(road)
        if cut:
            road = road[cut.end():]
        if road.endswith("路路"):
            road = road[:-1]  # 解放路路口: the road, then its crossing
        if len(road) < 3 or road in _NOT_ROAD or road.endswith(_NOT_ROAD_END):
            continue
        tail = _PLACES.match(text, r.end("road"))
        if tail:  # 解放路菜场: the road names which market
            road += tail.group()
        best = (r.start("road") + (cut.end() if cut else 0), road)
        break
    p = _PLACES.search(text)
    if p and (best is None or p.start() < best[0]):
        near = _NEAR.match(text, p.end())
        best = (p.start(), p.group() + (near.group() if near else ""))
    return best[1] if best else None


def extract_location(text: str, gazetteer: Gazetteer | None = None) -> Location:
    found = gazetteer.find(text) if gazetteer else None
    community: str | None = None
    span: tuple[int, int] | None = None
    if found:
        community, span = found[0], (found[1], found[2])
        estate = estate_after(text, found[2]) if community.endswith("社区") else None
        if estate is not None:
            community, span = estate[0], (found[1], estate[2])
    else:
        guess = _community(text)
        if guess:
            community, span = guess[0], (guess[1], guess[2])
    rest = text if span is None else text[:span[0]] + " " * (span[1] - span[0]) + text[span[1]:]
    building, unit, room = _building_unit_room(rest)
    # The community's own name is masked: 和平里小区门口 is at 门口, not at 小区门口.
    place = _place(rest)
    return Location(community, building, unit, room, place)


_FLOOR_OR_NUMBER = re.compile(rf"{_N}\s*(?:层|楼|号|户)?|[a-z]\d*\s*(?:座|栋|幢|区)?|大堂|楼下|"
                              r"楼上|大厅|门厅|"
                              r"[东南西北]头|[东南西北]边|那户|那家|这栋|这边|那边|那儿|那里|这里|旁边|附近|对面|"
                              r"交叉口|路口|口|里|内|外|前|后")
_FILLER = re.compile(r"就|是|在|位置|地点|地址|我家|我们|我|那个|这个|的|啊|呢|吧|对|那|这|和|与")


def is_address_only(text: str, gazetteer: Gazetteer | None = None,
                    loc: Location | None = None) -> bool:
    """The message names a place and says nothing else (「就在2单元门口」, 「18层1803号」):
    a detail of a report, not a report. `loc`: the text's location when already extracted."""
    if loc is None:
        loc = extract_location(text, gazetteer)
    if not any(loc.as_dict().values()):
        return False
    rest = text
    found = gazetteer.find(rest) if gazetteer else None
    if found:
        rest = rest[:found[1]] + rest[found[2]:]
    guess = _community(rest)
    if guess:
        rest = rest[:guess[1]] + rest[guess[2]:]
    for pattern in (_INTERSECTION, _BUS_STOP, _TRIPLE, _BUILDING, _UNIT, _ROOM, _LETTER_BUILDING,
                    _PLACES):
        rest = pattern.sub(" ", rest)
    if loc.place:
        rest = rest.replace(loc.place, " ")
    rest = _FLOOR_OR_NUMBER.sub(" ", rest)
    rest = _FILLER.sub("", re.sub(r"[\s，。！？!?,.、#-]+", "", rest))
    return len(rest) <= 1


# The patterns above that re would try at every position are searched only where a match can
# begin (nlp/scan.py scan_patterns); the matches are the same.
SCANNED = scan_patterns(globals())
