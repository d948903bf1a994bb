"""Rules that override the statistical model where a mistake is expensive or the spec is explicit.

Hazards to life win (taxonomy precedence): a real gas smell, electric shock, fire or smoke, or
someone trapped in a lift decides the category whatever else the message mentions. Two more
precedence rules from the spec: a fire lane blocked by cars is fire_safety, and a leak from the
flat above is a neighbour matter unless a public pipe is named. Everything else is the model's.
"""

from __future__ import annotations

import math
import re

from nlp.cues import Hit, category_cues, real
from nlp.scan import scan_patterns

# Where sparks or smoke come from decides fire_safety versus gas_electric.
_ELECTRIC_SOURCE = re.compile(r"电箱|配电|电表|变压器|电缆|电线|电闸|闸盒|开关|插座|路灯杆|电线杆|"
                              r"线路|电路")
_CRACKLE = re.compile(r"噼里啪啦|劈哩啪啦|劈里啪啦|噼噼啪啪")
_CHARGING = re.compile(r"充电|电动车|电瓶车|电单车|电驴|电池")
_FIRE_SPARKS = re.compile(r"烧烤|炭火|烧纸|纸钱|烟花|鞭炮|礼炮|电焊|焊接|红光|冒火(?!花)|火苗")
_FIRE_LANE = re.compile(r"消防(?:通道|车道)|生命通道|安全通道|逃生通道")
_BLOCKED_BY = re.compile(r"停|占|堵|挡|车")
_LEAK_ABOVE = re.compile(
    r"(?:楼上|上面那家|上面那户|楼上那家|楼上那户|楼上邻居|楼上住户|上层)[^。！？]{0,16}"
    r"(?:漏|渗|滴|流|淹|水管|洗衣机|卫生间|厕所|防水)")
_PUBLIC_PIPE = re.compile(r"公共|总管|主管|立管|楼道里|自来水公司|供水|停水|水压|小区的水管|市政")
# A public pipe named as the source makes a leak water even when a neighbour is mentioned.
_PUBLIC_LEAK = re.compile(r"(?:公共|总|主|立)(?:的)?(?:大)?(?:水管|管道|管子|下水管)[^。！？]{0,8}"
                          r"(?:漏|渗|滴|冒|爆|裂|破)|(?:楼道|单元)[^，。！？]{0,6}(?:水管|管道)[^。！？]{0,6}"
                          r"(?:漏|渗|滴|冒|爆|裂)")
# Knocking out a load-bearing wall is illegal construction (spec), however noisy it is.
_LOAD_BEARING = re.compile(r"(?:砸|拆|打|凿|切|掏|挖|动)[^，。！？]{0,6}承重|"
                           r"承重(?:墙|柱|梁)[^，。！？]{0,6}"
                           r"(?:砸|拆|打通|打掉|打了|凿|切|掏|挖|动了|没了)")
OVERRIDE_CONFIDENCE = 0.9
# How much a category cue (cues.CATEGORY_CUES) multiplies its category's odds.
CUE_BOOST = 2.0
# A streetlight that is out is municipal even when the wire or pole it hangs on is named.
_STREETLIGHT_OUT = re.compile(r"路灯[^。！？]{0,10}(?:不亮|坏|灭|黑|闪|亮不|没亮|时亮时不亮|"
                              r"一闪一闪)|"
                              r"(?:不亮|坏了|灭了)[^，。！？]{0,4}路灯")
_WIRE_DANGER = ("shock", "sparks", "bare_wire", "fire", "smoke", "burning_smell")


def _negated_at(text: str, start: int) -> bool:
    before = text[max(0, start - 4):start]
    return "不是" in before or "没有" in before


# A person in danger with none of these around is nobody's desk but triage (`other`), unless
# the model is sure of a category (a fall on a broken step stays where the step is).
_HAZARD_AROUND = ("fire", "smoke", "smoke_out", "burning_smell", "call_119", "gas", "sparks",
                  "shock",
                  "lift_trapped", "flood_home", "collapse", "attack_now", "bite", "fight",
                  "danger_below", "fell_in", "falling", "facade", "manhole", "tree_down")
PERSON_ONLY_BELOW = 0.6
_VIOLENCE = re.compile(r"打起来|打架|斗殴|打倒|被打|殴打|砍|捅|抢")


def forced_category(text: str, hits: list[Hit], model_top: str,
                    model_confidence: float = 1.0) -> str | None:
    """The category the rules insist on, or None to keep the model's choice."""
    if real(hits, "gas"):
        return "gas_electric"
    if real(hits, "shock"):
        return "gas_electric"
    if real(hits, "smoke_out"):
        return "fire_safety"  # smoke pouring out of a window or a door is a fire
    if real(hits, "fire", "smoke", "call_119", "sparks", "burning_smell"):
        if model_top != "gas_electric" and _CHARGING.search(text):
            return "fire_safety"
        if _ELECTRIC_SOURCE.search(text) and not real(hits, "fire", "call_119"):
            return "gas_electric"
        if real(hits, "fire", "smoke", "call_119"):
            return "fire_safety"
        if real(hits, "burning_smell") and _CRACKLE.search(text):
            return "fire_safety"  # 一股烧塑料的味儿…噼里啪啦在响, nothing electric named: burning
        if model_top == "building_safety" and "电梯" in text:
            return None  # 电梯轿厢里有一股焦糊味: the lift's fault, the model's call
        if not real(hits, "sparks") or _FIRE_SPARKS.search(text):
            # issue 9, round nine: a burning smell with nothing electric named (焦糊味…里面还在
            # 冒), or sparks from a flame (烧纸的火星子, 窗户里冒火, 窜红光), is a fire
            return "fire_safety"
        return "gas_electric"
    if model_top == "gas_electric" and _STREETLIGHT_OUT.search(text) and \
            not any(h.real and h.cue in _WIRE_DANGER for h in hits):
        return "municipal"
    if real(hits, "lift_trapped"):
        return "building_safety"
    if real(hits, "collapsed", "trapped", "missing") and not real(hits, *_HAZARD_AROUND) \
            and model_top not in ("consult", "other", "water", "municipal") \
            and model_confidence < PERSON_ONLY_BELOW and not _VIOLENCE.search(text):
        return "other"  # someone collapsed or stuck, no hazard of a desk around them
    if real(hits, "flood_home") and model_top not in ("water", "neighbor"):
        return "water"  # water entering homes, whatever the model made of the rest
    lane = _FIRE_LANE.search(text)
    if lane and not _negated_at(text, lane.start()) and _BLOCKED_BY.search(text) and \
            model_top in ("parking_traffic", "property", "street_order", "neighbor", "other"):
        return "fire_safety"
    if model_top == "water" and _LEAK_ABOVE.search(text) and not _PUBLIC_PIPE.search(text):
        return "neighbor"
    if model_top == "neighbor" and _PUBLIC_LEAK.search(text):
        return "water"
    if model_top in ("noise", "neighbor", "property", "other") and _LOAD_BEARING.search(text):
        return "illegal_construction"
    return None


def apply_override(ranked: list[tuple[str, float]], forced: str) -> list[tuple[str, float]]:
    """Put the forced category first with at least OVERRIDE_CONFIDENCE; rescale the rest."""
    probs = dict(ranked)
    conf = max(probs.get(forced, 0.0), OVERRIDE_CONFIDENCE)
    rest = [(c, p) for c, p in ranked if c != forced]
    total = sum(p for _, p in rest) or 1.0
    return [(forced, conf)] + [(c, p / total * (1.0 - conf)) for c, p in rest]


# The taxonomy's precedence where two categories fit: a hazard to life wins. When the model's
# best is another category and a hazard category scores nearly as much (at least HAZARD_TIE of
# it), the hazard is the category and the other is left for `also` (电梯又坏了，还有楼下那条狗…).
HAZARD_CATEGORIES = frozenset({"fire_safety", "gas_electric", "building_safety"})
HAZARD_TIE = 0.8


def hazard_first(ranked: list[tuple[str, float]], stated: frozenset[str] = frozenset(),
                 ) -> list[tuple[str, float]]:
    """Swap a near-tied hazard category ahead of the best one, unless a category cue stated
    the best one (楼道灯不亮 is the property company's whatever the model read into 摸黑)."""
    if len(ranked) < 2:
        return ranked
    (top, p1), (second, p2) = ranked[0], ranked[1]
    if top in HAZARD_CATEGORIES or second not in HAZARD_CATEGORIES or top in stated \
            or p2 < HAZARD_TIE * p1:
        return ranked
    return [(second, p1), (top, p2), *ranked[2:]]


def boost_category_cues(text: str, ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Raise the categories whose cues the text states (赌博, 传销, 养鸡, 红绿灯坏了 …), then let
    a near-tied hazard category win (hazard_first)."""
    cues = category_cues(text)
    if not cues:
        return hazard_first(ranked)
    boosted = {c.category for c in cues}
    factor = math.exp(CUE_BOOST)
    scaled = [(c, p * factor if c in boosted else p) for c, p in ranked]
    total = sum(p for _, p in scaled) or 1.0
    return hazard_first(sorted(((c, p / total) for c, p in scaled), key=lambda cp: -cp[1]),
                        frozenset(boosted))


# The patterns above that re would try at every position are searched only where a match can
# begin (nlp/scan.py scan_patterns); the matches are the same.
SCANNED = scan_patterns(globals())
