"""Urgency from the category's default (spec table) and the hazard cues in the text.

Biased to recall: when in doubt between high and urgent, a real (not negated, not hypothetical)
danger-now cue makes it urgent. What the spec says is *not* urgent by itself: a past injury from
a dog bite, a tree that fell on a car (high), a hypothetical fire, a fire already out.
"""

from __future__ import annotations

import re

from nlp.cues import Hit, benign_smoke, fire_resolved, people_out
from nlp.scan import scan_patterns
from nlp.taxonomy import URGENCY_ORDER

DEFAULT_URGENCY: dict[str, str] = {
    "fire_safety": "high",
    "gas_electric": "high",
    "building_safety": "high",
    "public_order": "high",
}

# Which cues raise which categories to high; an empty set means any category.
_HIGH_FOR: dict[str, frozenset[str]] = {
    "bare_wire": frozenset(),
    "burst_pipe": frozenset({"water", "neighbor", "municipal"}),
    "deep_water": frozenset({"water", "municipal"}),
    "falling": frozenset({"building_safety"}),
    "facade": frozenset({"building_safety"}),
    "crack": frozenset({"building_safety", "illegal_construction"}),
    "manhole": frozenset({"municipal", "water"}),
    "railing": frozenset({"municipal"}),
    "tree_down": frozenset({"greening"}),
    "bite": frozenset({"animals"}),
    "fight": frozenset({"neighbor", "public_order", "animals", "other"}),
    "building_work": frozenset({"illegal_construction"}),
}
_FIRE_CUES = {"fire", "smoke", "smoke_out", "burning_smell", "call_119"}
# Dangers a message can call over (「火灭了」, 「味已经散了」, 「现在没事了」): high, not urgent.
_OVER_WHEN_RESOLVED = _FIRE_CUES | {"gas", "sparks"}
# Cues that make anything urgent on their own.
_URGENT_ANYWHERE = {"fire", "smoke", "smoke_out", "missing", "burning_smell", "call_119", "gas",
                    "sparks", "shock",
                    "lift_trapped", "flood_home", "fell_in", "attack_now", "danger_below",
                    "collapsed"}
# Hurt and trapped are urgent when it is happening to people now; a bite is a past injury.
_URGENT_UNLESS_BITE = {"hurt", "trapped"}
# Cues a message calls over when the people are out (「人早就出来了」): high, not urgent.
_OVER_WHEN_OUT = {"lift_trapped", "trapped", "fell_in", "danger_below"}
# Past cues that still make a message high: someone was hurt, bitten or attacked.
_PAST_HIGH = {"hurt", "bite", "fight", "attack_now", "collapsed", "collapse"}
# Issue 9, round eight. A drill (消防演习, 灭火演示) is no fire, whatever is burnt or shouted.
_DRILL = re.compile(r"演习|演练|演示")
# The water has gone down (水已经退了): the flood is over, what it left is high.
_FLOOD_OVER = re.compile(r"水(?:已经|都|早就?)?退(?:了|下去|掉)|水(?:已经)?排(?:干净|完)了")
# Someone pulled out or taken care of and all right (救上来了，没事): over.
_ALL_RIGHT = re.compile(r"没事|没有?大碍|无大碍|平安|脱离危险")
_OVER_WHEN_ALL_RIGHT = {"collapsed", "fell_in", "hurt", "trapped"}
# Sparks from a grill, welding or fireworks are what those do (烧烤店的炭火火星子乱飞: high).
_SPARK_SOURCE = re.compile(r"烧烤|炭火|烤串|烤肉|电焊|焊接|切割机|烟花|鞭炮|打铁")
# The power cut off where the sparks were (冒火花的电箱已经断电了): the sparks are over.
_POWER_CUT = re.compile(r"已(?:经)?(?:被)?(?:断(?:了)?电|拉(?:了)?闸|关(?:了)?电闸)|跳闸了|"
                        r"(?:总闸|电闸)(?:已经)?拉了|(?:拉|关)了(?:总闸|电闸)|把(?:总闸|电闸|闸)(?:给)?(?:拉|关)了|"
                        r"(?:电工|师傅|工人|供电局|物业)[^，。]{0,6}(?:来过|来了)[^，。]{0,6}"
                        r"(?:换了|修好|修了|处理|弄好)")


# What the category rules and every category's urgency need; the category-specific high cues
# are looked for only once the category is known (cues_for), which halves the regex work.
HAZARD_CUES = ("fire", "smoke", "smoke_out", "missing", "burning_smell", "call_119", "gas",
               "sparks", "shock", "outage",
               "lift_trapped", "trapped", "hurt", "collapse", "fell_in", "flood_home", "bite",
               "bare_wire", "attack_now", "danger_below", "collapsed")


def cues_for(category: str) -> tuple[str, ...]:
    """The high cues that can raise this category, beyond HAZARD_CUES."""
    return tuple(name for name, cats in _HIGH_FOR.items()
                 if name not in HAZARD_CUES and (not cats or category in cats))


def _max(a: str, b: str) -> str:
    return a if URGENCY_ORDER.index(a) >= URGENCY_ORDER.index(b) else b


def urgency_for(category: str, hits: list[Hit], text: str) -> str:
    level = DEFAULT_URGENCY.get(category, "normal")
    real = [h for h in hits if h.real]
    # A past injury, bite, fight or hazard is no emergency now, but it still is what it was:
    # high (spec: 「a past injury such as a dog bite … is high」).
    for h in hits:
        if h.past and not h.negated and (h.cue in _PAST_HIGH or h.cue in _HIGH_FOR):
            allowed = _HIGH_FOR.get(h.cue, frozenset())
            if not allowed or category in allowed:
                level = _max(level, "high")
    if not real:
        return level  # (most messages: the scans below only judge real hits)
    names = {h.cue for h in real}
    if category == "gas_electric" and names <= {"outage"} and "outage" in names:
        level = "normal"  # 停电 is an inconvenience, not a hazard (spec)
    fire_out = fire_resolved(text)
    denied = denied_cues(text)
    real = [h for h in real if h.cue not in denied]
    out = people_out(text)
    drill = _FIRE_CUES & names and _DRILL.search(text) is not None
    flood_over = "flood_home" in names and _FLOOD_OVER.search(text) is not None
    all_right = out and _OVER_WHEN_ALL_RIGHT & names and _ALL_RIGHT.search(text) is not None
    spark_source = "sparks" in names and (_SPARK_SOURCE.search(text) is not None
                                          or _POWER_CUT.search(text) is not None)
    for h in real:
        if h.chronic and h.level == "urgent":
            level = _max(level, "high")  # a standing hazard: high, never paged as urgent
        elif h.cue in _URGENT_ANYWHERE or h.cue in _URGENT_UNLESS_BITE:
            if h.cue in _URGENT_UNLESS_BITE and "bite" in names:
                level = _max(level, "high")
            elif h.cue in _OVER_WHEN_RESOLVED and fire_out or h.cue in _OVER_WHEN_OUT and out \
                    or drill and h.cue in _FIRE_CUES or flood_over and h.cue == "flood_home" \
                    or all_right and h.cue in _OVER_WHEN_ALL_RIGHT \
                    or spark_source and h.cue == "sparks":
                level = _max(level, "high")
            else:
                level = _max(level, "urgent")
        elif h.cue == "collapse":
            # a road that caved in is high until someone is in it; a building collapsing is not
            level = _max(level, "high" if category in ("municipal", "water") else "urgent")
        elif h.cue in _HIGH_FOR:
            allowed = _HIGH_FOR[h.cue]
            if not allowed or category in allowed:
                level = _max(level, "high")
    return level


# A danger the message itself rules out elsewhere than beside the cue (闻着像煤气，燃气公司来
# 测了说不是漏气; 经检查并非漏气): that cue counts for nothing. 是不是漏气 asks.
_DENIED_DANGER = re.compile(
    r"(?:(?<!是)不是|并非|没有|(?<!有)没)(?P<what>漏气|煤气味|燃气味|燃气泄漏|着火|起火|漏电)")
_DENIED_CUE = {"漏气": "gas", "煤气味": "gas", "燃气味": "gas", "燃气泄漏": "gas", "着火": "fire",
               "起火": "fire", "漏电": "shock"}


# Nobody inside (没人在里面, 里面没人): a locked door or a stuck lift holds no one (round ten).
_NOBODY_INSIDE = re.compile(r"没(?:有)?人在里(?:面|头|边)|(?:里面|里头|屋里|梯里)没(?:有)?人|"
                            r"人(?:没|不)在里(?:面|头|边)")


def denied_cues(text: str) -> set[str]:
    denied = {_DENIED_CUE[m.group("what")] for m in _DENIED_DANGER.finditer(text)}
    if _NOBODY_INSIDE.search(text):
        denied |= {"trapped", "lift_trapped"}
    return denied


# What keeps a learned "urgent" from counting (pipeline.URGENT_HEAD): the message speaks of the
# past, of what might happen, of something recurring or standing, denies the danger, or calls it
# over. The rules above judge each cue; the head reads the whole message, so this test does too.
_NOT_NOW = re.compile(
    r"万一|如果|要是|假如|假设|一旦|担心|害怕|生怕|(?<![可])怕|以免|以防|防止|隐患|风险|迟早|早晚|"
    r"差点|差一点|险些|会不会|可能会|容易|哪天|可不得了|怎么得了|就麻烦了|出了事|出事怎么办|出人命|"
    r"去年|前年|上个月|上周|上次|上回|以前|之前|曾经|那次|前几天|前段时间|"
    r"经常|老是|总是|常常|每次|每回|每年|每逢|每到|三天两头|隔三差五|(?<!一)动不动|时不时|好几年|多年|"
    r"好几个月|长期|常年|一直都这样|从\d+年|开始有了|好多年|几年前|"
    r"谣言|听说|据说|在传|打起来|打架|吵架|吵起来|拆墙|砸墙|往下挖|装修|施工|"
    r"没(?:有)?(?:困|伤|人受伤|出事|危险)|没事了|(?:里面|里头|里边|屋里|车里)(?:没|没有)人|"
    r"没(?:有)?人(?:在里面|在里头|被关|被困)|"
    r"(?:已经|现在|目前|这会儿)(?:不|没|没有)(?:再)?(?:冒|漏|着|烧|闪|响)|不(?:再)?冒(?:烟|火|火花)?了|不是(?:着火|煤气|漏气|困)|已经(?:救|修|扑灭|灭|处理|好)|"
    # issue 9, round seven: a near miss at one's feet, not fallen yet, a false alarm, hearsay,
    # the past week, recurring (Cantonese 日日), a vehicle (not a person) stuck
    r"(?:摔|砸|掉|落)(?:碎)?在[^，。]{0,4}(?:脚边|身边|旁边|边上|跟前|面前)|还没(?:掉|倒|塌)下?来|"
    r"虚惊一场|传说|谣传|上星期|上个星期|上个礼拜|日日|每周|每个星期|"
    r"(?:我的|我家的?|谁的)(?:车|车子|电动车|电瓶车|自行车)[^，。]{0,3}(?:被)?(?:困|关|堵|卡|锁)|"
    # issue 9, round eight: a drill, a flood gone down
    r"演习|演练|演示|水(?:已经|都|早就?)?退(?:了|下去|掉)|"
    # issue 9, round nine: over (现在没味了, 开窗散了, 来修好了), nobody inside (人没在里面), a
    # danger denied (那不是血, 我家没进水), what a smell is said to do (臭得能把人熏晕过去)
    r"现在没(?:味|事|烟|气味)(?:了|儿)|(?:味|气味|烟|开窗)(?:已经)?散(?:了|掉了|干净)|(?:来|已经)修好了|"
    r"关(?:好|严|紧)了|人(?:没|不)在里面|没(?:有)?人在里面|那不是血|不是血|没进水|"
    r"得(?:能|要)?把人(?:熏|臭|呛|吵|热)(?:晕|死)|(?:臭|熏|吵|热)得要(?:死|命)|"
    # issue 9, round eleven: lighting a heater, the main switch pulled, all normal now (the
    # urgency head, retrained, read these as danger)
    r"打火困难|打不着火|点不着火|(?:总)?闸(?:已经)?拉(?:了|掉)|拉了(?:总)?闸|一切正常")


def not_now(text: str, hits: list[Hit]) -> bool:
    """The text says the danger is not happening now (see _NOT_NOW)."""
    if any(h.level == "urgent" and not h.real or h.chronic for h in hits):
        return True
    return (bool(_NOT_NOW.search(text)) or fire_resolved(text) or people_out(text)
            or benign_smoke(text))


# The patterns above that re would try at every position are searched only where a match can
# begin (nlp/scan.py scan_patterns); the matches are the same.
SCANNED = scan_patterns(globals())
