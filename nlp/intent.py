"""What the sender wants: a new report, or a query, rating, cancel, help, greeting or thanks.

Conservative towards `report`: a message that describes a problem is a report even when it also
greets or thanks (「你好，路灯坏了，谢谢」). Only the short conversational messages, and thanks
for work already done (「谢谢，路灯修好了」), are anything else.
"""

from __future__ import annotations

import re

_PUNCT = re.compile(r"[\s，。！？!?,.、~～…：:；;😊🙏👍❤️]+")
RATING_WORDS = {"非常满意": 1, "很满意": 1, "满意": 2, "比较满意": 2, "基本满意": 3, "还行": 3,
                "一般": 3, "不满意": 4, "很不满意": 4, "非常不满意": 4}
_RATING = re.compile(r"^(?:评价)?(?P<n>[1-4])(?:分|星)?$")
_RATING_WORD = re.compile(r"^(?:我)?(?:觉得)?(?P<w>非常满意|很满意|比较满意|基本满意|非常不满意|很不满意|"
                          r"不满意|满意)(?:了|的|啊|呀)?$")
_CANCEL = re.compile(r"^(?:撤销|撤回|取消)(?:工单|投诉|报修|反映)?|不用(?:处理|来|管|修)了|不需要处理了|"
                     r"已经(?:好了|自己修好了|解决了)[^。！？]{0,6}不用|撤销[a-z]{2}\d")
_QUERY = re.compile(r"^查询|^查一下|^查下|进度怎么样|进度如何|处理(?:得)?怎么样了?|办得怎么样|"
                    r"我(?:之前|上次|前几天|昨天|上周)?(?:反映|投诉|报修|报|提交|说)的[^，。！？]{0,8}?"
                    r"(?:事情?|问题|情况|工单)[^。！？]{0,8}(?:怎么样|有结果|处理了吗|处理没|有人管吗|"
                    r"什么时候|到哪|进展|有消息)|工单(?:号|进度|状态)|^我的工单")
_HELP = re.compile(r"^(?:帮助|help|菜单|使用说明|怎么用|如何使用|怎么反映问题|怎么报事|功能|说明|[?？]+)$")
_GREETING = re.compile(r"^(?:你好|您好|你们好|hello|hi|嗨|喂|在吗|在不在|有人吗|有人在吗|早上好|"
                       r"上午好|下午好|晚上好|网格员|同志|小同志)+(?:啊|呀|呢|吗)?$")
_THANKS = re.compile(r"谢谢|感谢|多谢|辛苦了|点赞|点个赞|给你们赞|好评|麻烦你们了|太感谢|表扬")
_RESOLVED = re.compile(r"(?:修|补|装|换|清|拖|拉|搬|运|处理|弄|搞|解决|恢复|清理|整改|拆)"
                       r"(?:好|上|完|走|掉|干净|过来)?了|已经好了|搞定|亮了|来水了|来电了|通了|"
                       r"上次帮忙|帮了大忙|效率真高|很及时|挺快|办得好|服务很好|"
                       r"处理得(?:很|挺|非常|真)?(?:好|及时|快)|(?:很|特别|非常)(?:耐心|负责|认真|热情)|"
                       r"服务(?:很|真|非常|越来越)?好|满意")
_UNRESOLVED = re.compile(r"(?:没|没有|还没|未|不)(?:修好|弄好|解决|处理好|处理完|恢复)|又坏|又不")
_PROBLEM = re.compile(r"坏|不亮|没人管|没有人管|堵|漏|吵|臭|乱|投诉|反映|麻烦(?:你们|派|来)|请|"
                      r"能不能|怎么办|又|还是|一直|天天")
_SUGGEST = re.compile(r"建议|能不能(?:多|增加|加装|装|建|设|安排|搞|办)|可不可以(?:装|建|加|增加)|"
                      r"希望(?:增加|多|能装|能建|安装)|要是能|最好能|提个意见|提议")
_ASK = re.compile(r"请问|问一下|问下|咨询|怎么办理|怎么申请|在哪(?:里)?(?:办|领|交|申请|打)|"
                  r"需要(?:带)?什么(?:材料|手续|证件)|能不能办|可以办|怎么交|多少钱|有没有什么(?:政策|补贴)")
_HELP_ASK = re.compile(r"帮忙|帮帮|救命|求助|求求|快来人|能不能派人|上门帮")


def _bare(text: str) -> str:
    return _PUNCT.sub("", text)


def intent_of(text: str, mentions_problem: bool = False) -> str:
    """`mentions_problem`: the caller found domain words (井盖, 漏水 …) outside thanks words."""
    bare = _bare(text)
    if not bare:
        return "help" if "?" in text or "？" in text else "greeting"
    if _RATING.match(bare) or _RATING_WORD.match(bare):
        return "rating"
    if _HELP.match(bare) or _HELP.match(text.strip()):
        return "help"
    if _CANCEL.search(bare):
        return "cancel"
    if _QUERY.search(bare):
        return "query"
    if _GREETING.match(bare):
        return "greeting"
    if _THANKS.search(bare):
        rest = _THANKS.sub("", bare)
        if _RESOLVED.search(bare) and not _UNRESOLVED.search(bare):
            return "thanks"
        if len(rest) <= 12 and not _PROBLEM.search(rest) and not mentions_problem:
            return "thanks"
    return "report"


def rating_of(text: str) -> int | None:
    """The 1–4 rating a message gives (1 非常满意 … 4 不满意), or None."""
    bare = _bare(text)
    m = _RATING.match(bare)
    if m:
        return int(m.group("n"))
    w = _RATING_WORD.match(bare)
    return RATING_WORDS[w.group("w")] if w else None


def request_kind_of(text: str, intent: str, category: str, urgency: str) -> str:
    """投诉 / 求助 / 咨询 / 建议 / 表扬, as the ticket records it."""
    if intent == "thanks":
        return "表扬"
    if category == "consult":
        return "咨询"
    if _SUGGEST.search(text):
        return "建议"
    if urgency == "urgent" or _HELP_ASK.search(text):
        return "求助"
    if _ASK.search(text) and not _PROBLEM.search(text):
        return "咨询"
    return "投诉"
