"""What a resident's message means before any handler acts on it: `understand(text, analysis)`.

The one place that tells a report from chat, a rating, a refusal, a request for a person, a
consult question or a piece of detail. It prefers nlp's `analysis.act` when it names one of
the conversation acts (report|consult|chat|detail|rating|human; `command` words are the
routers' and fall through to the rules here), and otherwise
keeps to conservative rules of its own: a message is chat only when it is short and says
nothing of a problem, so a real complaint is never taken for small talk.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from handlers.conversation.text import normalize
from nlp.normalize import to_simplified

NLP_INTENTS = frozenset({"report", "chat", "detail", "rating", "human", "consult"})

# everything that is not a letter, digit or CJK character (punctuation, emoji, spaces)
_NOISE = re.compile(r"[^\w\u4e00-\u9fff]+|_")
_ACK = re.compile(
    r"^(?:好的?|好吧|好滴|好嘞|好呀|好啊|嗯+|哦+|噢+|喔+|行|行吧|可以|知道了|明白了?|了解|收到了?|"
    r"ok|okay|谢谢|谢谢你们?|谢了|多谢|感谢|辛苦了|辛苦|麻烦了|麻烦你们了|不客气|没事|在吗|在不在|"
    r"你好|您好|喂|hi|hello|嗨|测试|test|是的|对|对的|嗯嗯好的|好的好的|早|晚安)+"
    r"(?:啊|呀|哈|啦|哦|呢|姑娘|小伙子|同志|唐姐|你们|你啊|你)*$", re.IGNORECASE)
_ABOUT_US = re.compile(r"你们是谁|你是谁|机器人|公众号|是真人吗|能干什么|干什么的|有什么用|怎么用")
_THANKS = re.compile(r"谢谢|感谢|辛苦|多谢")
_REFUSAL = re.compile(
    r"^(?:算了|不说了|不用了|不弄了|不要了|不需要了?|没事了|没事|不报了|不反映了|不管了|取消)|"
    r"算了|不说了|不用了|不弄了|没事了|已经好了|自己好了|不需要了")
_HUMAN = re.compile(
    r"人工|真人|找个人|找人跟我|来个人跟我|人跟我说|打个电话|打电话给我|回个电话|领导.{0,8}(?:当面|电话|谈)|"
    r"客服")
_DETAIL_START = re.compile(r"^(?:就在|在|是在|对了|还有就是|补充|另外说一下|"
                           r"是从|大概|大约|已经|都)")
_NEW_COMPLAINT = re.compile(r"^(?:还有|另外|又有|再投诉|再反映|再说一件|顺便)")
_DURATION = re.compile(r"^(?:已经|都)?[一二两三四五六七八九十几多半\d]+(?:个)?"
                       r"(?:天|周|星期|礼拜|月|年|小时)了?$")

# ratings in the words people use: the negations first, so 「不太满意」 is never 2
_RATING_RULES: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"(?:不|没|没有|谈不上|算不上)(?:太|很|是很|怎么|大|够|咋|那么|是特别|是太)?满意|"
                r"差评|太差|很差|非常差"), 4),
    (re.compile(r"基本满意|还行|还可以|一般般?|凑合|马马虎虎|过得去|还算满意"), 3),
    (re.compile(r"(?:非常|很|特别|十分|超级|相当|太)满意|满分|好评|五星|"
                # 「👍👍 非常好 师傅很专业」 (trial 14): praise of the work is the verdict
                r"(?:非常|特别|十分|超级|相当|太)(?:好|棒|专业|给力|及时|负责|到位)|"
                r"很(?:专业|给力|及时|负责|到位)"), 1),
    (re.compile(r"满意"), 2),
)
# a verdict in one or two words after the rating prompt (「嗯 可以」「不错」「👍」): only while a
# resolved ticket waits for this person's rating
_VERDICT_WORDS = re.compile(r"^(?:嗯+|哦+|噢+)?(?:可以|不错|挺好|蛮好|很好|还不错|挺不错|行|"
                            r"可以的|挺好的|好评)(?:的|了|啊|呀|吧|哈|哦)*$")
_PRAISE_EMOJI = re.compile("^(?:[\U0001F44D\U0001F4AF\U0001F44F\U0001F339\u2764\uFE0F"
                           "\U0001F64F\U0001F60A\U0001F604\U0001F601\\s])+$")
_DIGIT = re.compile(r"^[1-4](?:分|星)?$")
# an acknowledgement opening a few words that name no place (no digits, no 楼/栋/苑/路…)
_ACK_START = re.compile(r"^(?:好的|好吧|好嘞|好滴|行|可以|知道了|明白了?|收到了?|谢谢你们?|"
                        r"谢谢|嗯嗯?)")
_SMALL_TALK = re.compile(r"^[^\d楼栋幢座号苑村路街巷弄园里门口]{1,8}$")
# dissatisfaction in words, for a resolved ticket waiting for its rating
_DISSATISFIED = re.compile(
    r"根本没(?:有)?(?:处理|解决|人来|来|管|弄)|没(?:有)?(?:处理|解决)|还是老样子|一点没变|"
    r"糊弄|敷衍|忽悠|骗人|走过场|假办结|等于没|白说|"
    # 「这也叫办结？今晚还在赌呢」: the closing itself disputed, or the problem still going on
    r"这(?:也|就)?(?:叫|算)(?:办结|解决|处理)|怎么就(?:办结|结了)|凭什么(?:办结|结案)|"
    r"(?:今天|今晚|现在|又|还)(?:还)?在(?:赌|吵|漏|堆|摆|响|冒|烧|闹)|"
    # trial 14: «你们效率太低了», «说是说停了 昨晚还是在干 你们再去看看吧», «鸡还在叫啊 你们来看过
    # 没有»: the handling judged, or the problem told as still going on, without 不满意
    r"效率(?:太|真|好|也太|实在)?(?:低|差|慢)|拖(?:了|得)(?:这么|太|好)?(?:久|长)|"
    r"跟没(?:修|弄|处理|管)(?:一样|似的)|(?:一点|啥|什么)?用(?:都|也)?没有|"
    r"(?:还|还是|依然|照样|照旧|仍然)(?:在)?[\u4e00-\u9fff]?(?:叫|干|吵|漏|堆|摆|响|冒|烧|闹|滴|"
    r"臭|施工|占|停着|乱停|坏|不亮|不通|没修|没好|那样)|"
    r"再(?:去|来|过来)看(?:看|一下)|来看过没|根本没来|没人来过|又开始了|还是不行|没修好")


@dataclass(frozen=True)
class Meaning:
    kind: str  # report | chat | detail | rating | human | consult | refusal | empty
    rating: int | None = None


@functools.lru_cache(maxsize=32)
def bare(text: str) -> str:
    """The words without punctuation, emoji or spaces, for comparing and short-message rules.
    Remembered for the last few texts: one message's is made bare nine times by the rules
    that read it, one after another."""
    return _NOISE.sub("", to_simplified(normalize(text))).lower()


def rating_in(text: str) -> int | None:
    """The 1–4 rating a sentence gives, with negation (「不太满意」 → 4), or None."""
    b = bare(text)
    if _DIGIT.match(b):
        return int(b[0])
    for pattern, value in _RATING_RULES:
        if pattern.search(b):
            return value
    return None


def is_chat(text: str) -> bool:
    b = bare(text)
    if not b:
        return True  # 😀😀😀, 👍, a lone punctuation mark
    if len(b) <= 12 and (_ACK.match(b) or _ABOUT_US.search(b)):
        return True
    if (m := _ACK_START.match(b)) and _SMALL_TALK.match(b[m.end():]) \
            and not _looks_like_problem(b):
        return True  # 「好的，我在家等」: an acknowledgement and a few words of one's own
    return len(b) <= 16 and bool(_THANKS.search(b)) and not _looks_like_problem(b)


# 「你好 我要反映个问题」「在不在 有个事」「打扰一下 想投诉」: the resident announces a report and
# has not told it yet (the next message is the report, never this one's place)
_OPENERS = re.compile(r"^(?:你好|您好|在不在|在吗|在么|打扰一下|打扰了|打扰|请问|麻烦|喂|哈喽|"
                      r"hello|hi|同志|师傅|领导|小哥|那个|嗯|哦|就是)+", re.IGNORECASE)
_ANNOUNCE = re.compile(
    r"^(?:我|我们|我这|我这边|这边)?(?:有|还有)?(?:想|要|想要|需要|得|来|可以)?"
    r"(?:反映|反应|投诉|举报|报告|报修|求助|咨询|问|说|报|找你们)?(?:一下|下)?"
    r"(?:个|一个|件|一件|点|些)?(?:问题|情况|事|事情|事儿|麻烦)?"
    r"(?:想|要)?(?:反映|反应|投诉|说|问|麻烦你们)?(?:一下|下)?"
    r"(?:可以吗|行吗|好吗|吗|呢|啊|呀|哈)?$")


def is_announcement(text: str) -> bool:
    """A report announced and not yet told: no problem, no place, only the wish to tell one."""
    b = bare(text)
    rest = _OPENERS.sub("", b)
    if not rest or len(rest) > 16 or _looks_like_problem(rest.replace("投诉", "").replace(
            "反映", "")) or re.search(r"\d|楼|栋|幢|座|号|苑|村|路|街", rest):
        return False
    m = _ANNOUNCE.match(rest)
    return bool(m) and bool(re.search(r"反映|反应|投诉|举报|报告|报修|求助|问题|情况|事", rest))


def is_refusal(text: str) -> bool:
    b = bare(text)
    return len(b) <= 12 and bool(_REFUSAL.search(b))


def is_dissatisfied(text: str) -> bool:
    """「根本没处理！今晚摊子还在，你们就是糊弄人」: the problem is not solved."""
    b = bare(text)
    return len(b) <= 60 and bool(_DISSATISFIED.search(b))


def wants_person(text: str) -> bool:
    b = bare(text)
    return len(b) <= 40 and bool(_HUMAN.search(b))


def is_detail(text: str) -> bool:
    """A piece added to a report just made: a place, a time, who did it; not a new complaint."""
    b = bare(text)
    if not b or _NEW_COMPLAINT.match(b) or len(b) > 40:
        return False
    return bool(_DURATION.match(b) or _DETAIL_START.match(b)) or not _looks_like_problem(b)


_PROBLEM = re.compile(r"坏|不亮|没人|堵|漏|吵|臭|乱|垃圾|井盖|路灯|充电|飞线|装修|噪音|油烟|占道|"
                      r"违建|着火|冒烟|煤气|困|投诉|反映|破|塌|倒|停水|停电|没水|没电|狗|渗|滴")


def _looks_like_problem(b: str) -> bool:
    return bool(_PROBLEM.search(b))


def looks_like_problem(text: str) -> bool:
    """The words name something wrong (坏, 漏, 垃圾, 没人管…)."""
    return _looks_like_problem(bare(text))


OTHER_MATTER = 0.6  # a complaint this sure of a category other than the resolved one's is new


def understand(text: str, analysis: Any, *, rating_open: bool = False,
               open_category: str | None = None) -> Meaning:
    """What `text` means. `rating_open`: a resolved ticket (of `open_category`) waits for this
    person's rating."""
    act = getattr(analysis, "act", None)
    if is_refusal(text):  # 「算了」「不用了」: whatever else they read as, they withdraw
        return Meaning("refusal")
    if rating_open and is_dissatisfied(text) and not _names_place(analysis) \
            and not _other_matter(analysis, open_category):
        return Meaning("rating", 4)  # 「根本没处理！摊子还在」 right after 办结
    if rating_open:
        praise = bool(text.strip()) and _PRAISE_EMOJI.match(text.strip()) is not None
        if praise or _VERDICT_WORDS.match(bare(text)):
            return Meaning("rating", 1 if praise else 2)
    if act in NLP_INTENTS and act not in ("report", "rating"):
        return Meaning(act)
    if act == "rating" and rating_open and getattr(analysis, "rating", None) is not None:
        return Meaning("rating", analysis.rating)
    if not bare(text):
        return Meaning("chat")
    if rating_open and (value := rating_in(text)) is not None and not _names_place(analysis):
        return Meaning("rating", value)
    if wants_person(text):
        return Meaning("human")
    if is_refusal(text):
        return Meaning("refusal")
    if is_chat(text):
        return Meaning("chat")
    if getattr(analysis, "category", None) == "consult" and \
            getattr(analysis, "request_kind", None) == "咨询":
        return Meaning("consult")
    return Meaning("report")


def _other_matter(analysis: Any, open_category: str | None) -> bool:
    """「楼道里的飞线一直没处理」 after a noise ticket was resolved: a complaint of its own."""
    category = getattr(analysis, "category", None)
    return open_category is not None and category not in (None, "other", open_category) \
        and float(getattr(analysis, "confidence", 0) or 0) >= OTHER_MATTER


def _names_place(analysis: Any) -> bool:
    loc = getattr(analysis, "location", None)
    return bool(loc is not None and (loc.community or loc.building))
