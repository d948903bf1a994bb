"""The part of a message that states the complaint, for the classifier's second view.

A resident names more than the problem: who was asked and did nothing («找物业也没用»,
«物业说不归他们管», «城管来了就收，走了又摆»), who they are («我是某小区业主»), how long they
have waited («自2019年入住以来», «多次反映»), and what they hope for («恳请尽快处理»). Those
words pull a message towards the desk they name (物业 → property) although the complaint is
elsewhere. `focus_spans` finds them; the analyser scores the message twice with the same
model, whole and with these spans blanked, and averages the two (pipeline.WHOLE_WEIGHT).

The spans are found with one regular expression per kind, on the normalised text. A message
that is nothing but such words (「物业不作为」) keeps its whole text as its focus: a complaint
about the property company is the property company's.
"""

from __future__ import annotations

import re

from nlp.scan import Starts

_STOP = r"[^，。！？；,.!?;\n]"
# Parties named as who was asked, who came, who answered or who did nothing.
PARTIES = (r"(?:物业(?:公司|管理处|经理|客服|保安|值班的人|的人|那边|工作人员)?|业主们?|业委会|"
           r"居委会|居委|"
           r"社区(?:工作人员|的人|干部|那边)?|开发商|城管(?:队员|的人)?|街道(?:办)?|网格员|保安|管理处|房东|"
           r"12345|热线|有关部门|相关部门)")
# What the party did (nothing), said or was asked.
_SHRUG = (r"(?:不管|不理|不闻不问|不作为|推诿|推脱|踢皮球|不处理|不解决|不修|不拦|不来|不出面|"
          r"不愿|不肯|"
          r"置之不理|敷衍|管不了|没办法|没辙|没用|没有用|没反应|没回音|没下文|没人|没有人|不了了之|"
          r"说|讲|回复|答复|回答|表示|让我们|叫我们|来看过|来过|来了|也没|没有|一直没|拖)")
_ASKED = (
    r"(?:找|问|打电话给|打给|打了|联系|反映给|告诉|报给|投诉到|投诉给|向|跟|给|叫)?"
    r"(?:了|过)?(?:好几次|多次|几次|很多次)?"
)
_PARTY_SHRUG = (rf"{_ASKED}{PARTIES}(?![费])(?:{_STOP}(?<![费])){{0,3}}?(?:也|都|根本|压根|从来|"
                r"一直|就|还是|总是|又|却|只)?"
                rf"{_SHRUG}{_STOP}*")
_NOBODY = r"(?:也|都|根本|压根|一直|从来)?没(?:有)?人(?:管|理|处理|过问|来|问)"
_PREAMBLE = (
    rf"尊敬的{_STOP}{{0,8}}|(?:领导|同志|工作人员)?(?:您|你)们?好|"
    rf"(?:我|本人)(?:是|们是|系)?{_STOP}{{0,24}}?(?:业主|居民|住户|租户|市民)|"
    rf"自{_STOP}{{0,12}}(?:入住|搬来|住进|买房|交房)(?:以来|后)|"
    r"(?:向您|给您|跟您|在此)?反映(?:一个|一下|个)?(?:问题|情况|事情|事)|"
    r"(?:市民|群众|居民)?来电(?:人)?(?:称|表示|反映|反应|投诉|求助)|"
    rf"(?:已经|曾|先后|曾经)?多次(?:向|找|给|跟|打|反映|投诉|拨打){_STOP}*|"
    rf"(?:以上|上述)情况{_STOP}*|(?:恳请|恳求|希望|盼望){_STOP}*|(?:谢谢|感谢|辛苦了){_STOP}*|"
    r"联系方式[^。！？]*")
# A hazard object or facility named only as the place of another problem (燃气表那里贴满了小广告,
# 消防栓旁边堆满了垃圾, 电线杆下面有个烧烤摊, 井盖上停了辆车): the place, not the complaint.
_HAZARD_PLACE = (r"(?:燃气表|煤气表|燃气管道?|电表箱|电表|电箱|配电箱|配电房|变电箱|变压器|"
                 r"电线杆|电杆|"
                 r"消防栓|消防箱|消防通道|消防车道|电梯机房|井盖)(?:的)?"
                 r"(?:那一块|那块|那里|那儿|旁边|边上|附近|下面|底下|上面|上|门口|隔壁|围栏里面?|"
                 r"里面|前面|后面)")
# A question asked in passing after the complaint (3号楼电梯坏了，对了顺便问下物业费怎么交): the
# report is what came before it (a message that is only the question keeps it: MIN_LEFT).
_ASIDE = (r"(?:顺便|对了|另外|还有|还想)[^，。！？；,.!?;\n]{0,3}"
          r"(?:问下|问一下|问问|想问|请问|咨询)[^。！？!?\n]*")
# Words that name what was said, not what happens: a quotation ('燃气泄漏检测'的小广告,
# 放'家里燃气漏了怎么办'的广告, 那家'爆炸鸡排').
QUOTED = re.compile(r"'[^'\n]{1,30}'|\"[^\"\n]{1,30}\"|“[^”\n]{1,30}”|‘[^’\n]{1,30}’|"
                    r"「[^」\n]{1,30}」|『[^』\n]{1,30}』")
QUOTE_MARKS = frozenset("'\"“‘「『")
_QUOTE_MARK = re.compile("[" + "".join(sorted(map(re.escape, QUOTE_MARKS))) + "]")
_SPANS = re.compile(f"{_PARTY_SHRUG}|{_NOBODY}|{_PREAMBLE}|{_HAZARD_PLACE}|{_ASIDE}")
_SPANS_AT = Starts(_SPANS)  # tried only where a span can begin (nlp/scan.py)
_PARTY = re.compile(PARTIES + r"|管理处|保安")
# Characters without which none of the patterns can match (most chat messages have none).
_HINTS = frozenset("物业社居开城街网保管房热有相1没尊您你我本自反来多情恳希盼谢感辛联"
                   "燃煤电变消井问咨：:'\"“‘「『")
MIN_LEFT = 4  # Han characters the focus must keep, else the whole message is its focus


def focus_spans(text: str) -> list[tuple[int, int]]:
    """Spans of `text` that name parties, preambles and pleas rather than the problem."""
    if _HINTS.isdisjoint(text):
        return []
    spans = [(a, b) for a, b in _SPANS_AT.spans(text) if b > a]
    colon = max(text.find("："), text.find(":"))
    if colon > 0 and len(text) - colon > 8 and _PARTY.search(text, 0, colon):
        # 城管到现在都没来：北巷口那个修车铺把废机油倒进雨水井: who did nothing, then the problem
        spans = [(a, b) for a, b in spans if a > colon] + [(0, colon + 1)]
    if _QUOTE_MARK.search(text):
        spans += [m.span() for m in QUOTED.finditer(text)]
    spans = sorted(set(spans))
    merged: list[tuple[int, int]] = []
    for a, b in spans:  # overlapping spans blank each character once
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    spans = merged
    if not spans:
        return []
    left = len(text) - sum(b - a for a, b in spans)
    if left < MIN_LEFT or _han_left(text, spans) < MIN_LEFT:
        return []
    return spans


def _han_left(text: str, spans: list[tuple[int, int]]) -> int:
    n = 0
    pos = 0
    for a, b in spans:
        n += sum(1 for ch in text[pos:a] if "\u4e00" <= ch <= "\u9fff")
        pos = b
    return n + sum(1 for ch in text[pos:] if "\u4e00" <= ch <= "\u9fff")
