"""A resident's free text, understood before it is acted on.

Each message is first read as one of: a rating, chat, a refusal, a request for a person, a
consult question, a repeat, a piece of the open draft or of the latest report, the answer to the
pending question, or a new report (`meaning.understand`). A pending question never swallows a
message that is something else: a new complaint is filed on its own while the question stays
open (or, when the new report needs a question of its own, the old draft goes to the community
desk as it stands), so nothing the resident wrote is lost.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from handlers.conversation import desk, duplicates, pieces
from handlers.conversation import rating as rating_ops
from handlers.conversation.context import Ctx
from handlers.conversation.drafts import link_draft
from handlers.conversation.meaning import (
    Meaning,
    bare,
    is_announcement,
    is_detail,
    looks_like_problem,
    understand,
)
from handlers.conversation.places import file_draft, placement_at, resolve
from handlers.conversation.reports import file_report, is_district_desk, refers_back
from handlers.conversation.states import DRAFTS, Conv
from handlers.ops import messages as msg
from nlp.taxonomy import category_name
from storage import repo
from storage.models import Ticket
from storage.repos.conversations import current_state
from storage.repos.tickets import latest_resolved_of, ticket_by_code
from storage.statemachine import OPEN_STATUSES

logger = logging.getLogger(__name__)

# an answer to «where?» kept whole when the gazetteer does not know it: it reads as an address
_ADDRESS = re.compile(r"(?:路|街|巷|弄|道|号|门|城|广场|小区|苑|村|里|大厦|公寓|花园|中心|市场|"
                      r"商场|栋|幢|楼|座|单元|园|府|湾|庭|区|站|桥|口)")
_NOT_PLACE = re.compile(r"不知道|不清楚|不晓得|忘了|说不清|你们自己|问那么多|干嘛|为什么|楼下$|"
                        r"这里$|这边$|那边$|附近$|门口$")
_YES = re.compile(r"^(?:1|一|是|对|就是|附议|同一|一样|没错|嗯)")
_NO = re.compile(r"^(?:2|二|不是|不一样|新建|仍然新建|另一|别的|不同)")
_ZERO = re.compile(r"^(?:0|零|不确定|不知道|说不清|不清楚|不好说)")
_ANGRY = re.compile("[\U0001F620\U0001F621\U0001F92C\U0001F4A2\U0001F47F\U0001F624]")  # angry
ANGRY_REPLY = ("看起来您遇到了不顺心的事。请告诉我们发生了什么、在哪里（小区、楼号），"
               "我们马上登记处理。")
CHAT_REPLY = "好的。有需要随时发消息告诉我们；发送「帮助」查看用法。"
PENDING_HINT = {Conv.AWAITING_LOCATION: "还在等您告诉我位置",
                Conv.AWAITING_PLACE: "还在等您告诉我位置",
                Conv.AWAITING_CATEGORY: "还在等您选择类别",
                Conv.AWAITING_DUPLICATE: "还在等您回复是否附议",
                Conv.AWAITING_PIECE: "还在等您回复这条是补充还是新问题"}


async def handle(ctx: Ctx) -> str | None:
    text = ctx.text
    analysis = ctx.services.analyzer.analyze(text)
    st = ctx.state
    state = st.state if st is not None else None
    data: dict[str, Any] = dict(st.data or {}) if st is not None else {}
    resolved = await latest_resolved_of(ctx.session, ctx.person.id)
    rating_open = state == Conv.AWAITING_RATING or resolved is not None
    meaning = understand(text, analysis, rating_open=rating_open,
                         open_category=resolved.category if resolved is not None else None)

    if state == Conv.AWAITING_PIECE and (answer := _piece_answer(text)) is not None:
        return await _piece_answered(ctx, data, answer)  # asked just now: «1» is its answer
    if meaning.kind == "rating" and len(bare(text)) > 4 and \
            (reply := await desk.about_staff(ctx, text)) is not None:
        return reply  # 「周晓燕根本没来看过就说办结了，我要投诉她」: to her leader, not to her
    if meaning.kind == "rating" and meaning.rating is not None:
        return await _rate(ctx, data if state == Conv.AWAITING_RATING else {}, meaning.rating,
                           resolved)
    if state == Conv.AWAITING_CATEGORY and _ZERO.match(bare(text) or text):
        await ctx.clear_state()
        return await file_report(ctx, data.get("text", ""), where=data.get("where"),
                                 draft={**data, "category": (data.get("choices") or [None])[0],
                                        "triage": True})
    if state == Conv.AWAITING_CATEGORY and bare(text) in ("1", "2", "一", "二"):
        choices = list(data.get("choices") or [])
        await ctx.clear_state()
        picked = choices[0 if bare(text) in ("1", "一") else min(1, len(choices) - 1)]
        return await file_report(ctx, data.get("text", ""), where=data.get("where"),
                                 draft={**data, "category": picked})
    if state == Conv.AWAITING_CATEGORY and meaning.kind in ("report", "detail") \
            and not bare(text).isdigit() and not _is_new_complaint(analysis, text):
        # 「就是灯不亮啊楼道的灯」: the answer in words, read against the options offered, else
        # the draft classified again with it; the draft keeps its place and these words
        picked = _choice_in_words(text, list(data.get("choices") or [])) or \
            ctx.services.analyzer.analyze(f"{data.get('text', '')} {text}").category
        await ctx.clear_state()
        details = [*(data.get("details") or []), text]
        return await file_report(ctx, data.get("text", ""), where=data.get("where"),
                                 draft={**data, "category": picked, "details": details})
    if state == Conv.AWAITING_DUPLICATE and _ASKS_WHAT.search(bare(text)):
        return FOLLOW_EXPLAINED + str(data.get("prompt") or "")  # 「附议是什么意思」 is no 1
    if state == Conv.AWAITING_DUPLICATE and _follow_answer(text) is None \
            and meaning.kind in ("report", "detail") and not _is_new_complaint(analysis, text) \
            and (is_detail(text) or analysis.act == "detail"):
        # 「刚才又看了一眼还是那样」 while we ask 附议 or not: a piece of the report we hold, kept
        # with it, and the question stands (trial 15: it became a placeless desk ticket)
        data = {**data, "details": [*(data.get("details") or []), text]}
        await ctx.set_state(Conv.AWAITING_DUPLICATE, data,
                            ctx.settings.conversation.draft_minutes)
        return f"已记下，会一并转达。\n{data.get('prompt') or ''}".rstrip()
    if state == Conv.AWAITING_DUPLICATE and (answer := _follow_answer(text)) is not None:
        await ctx.clear_state()
        if (more := _beyond_answer(text)):
            # 「不是一回事吧 我说的是另一盏 靠近车库那个」: what the answer says beyond 1 or 2
            # belongs to the report, whichever ticket it joins (trial L5)
            data = {**data, "details": [*(data.get("details") or []), more]}
        if answer and (reply := await duplicates.accept(ctx, data)) is not None:
            return reply
        return await file_report(ctx, data.get("text", ""), where=data.get("where"),
                                 draft=data, check_duplicates=False)
    if _CRY.match(bare(text)):  # before any reading as chat or as a placeless report
        return CRY_REPLY
    if meaning.kind == "human" and state not in DRAFTS and \
            (reply := await desk.about_staff(ctx, text)) is not None:
        return reply  # 「找网格员周晓燕三次了都不来，你们换个人来管」: to the leader, not the desk
    if meaning.kind == "human":
        earlier = data.get("text") if state in DRAFTS else None
        if earlier:
            await ctx.clear_state()
        return await desk.ask_for_person(ctx, text, earlier)
    if state not in DRAFTS and meaning.kind != "rating" and pieces.is_nudge(text) and \
            (reply := await pieces.nudge_latest(ctx)) is not None:
        return reply  # 「怎么还没人来啊」 after her report: the holder is reminded, no new ticket
    if state not in DRAFTS and meaning.kind != "rating" and pieces.sounds_impatient(text) and \
            (reply := await pieces.nudge_latest(ctx, text)) is not None:
        return reply  # 「催一下，垃圾还是没人收」: the same, with her report's problem said again
    if state not in DRAFTS and meaning.kind != "rating" and pieces.is_fixed_already(text) and \
            (open_now := await pieces.open_reports(ctx)):
        # 「不用来了 已经换好了」: the holder hears it at once, the resident may withdraw it
        t = open_now[0]
        told = await pieces.append(ctx, t, text)
        return (f"{told}\n如果问题已经解决、不需要工作人员再来，请回复「撤销 {t.code}」，"
                "我们会撤销工单并告知负责人。")
    if state not in DRAFTS and meaning.kind not in ("rating", "human", "refusal") and \
            is_announcement(text):
        return ANNOUNCED_REPLY  # 「你好 我要反映个问题」: no draft, the next message is the report
    if meaning.kind == "refusal":
        if state in DRAFTS:
            await ctx.clear_state()
            return "好的，这次反映已取消。以后有需要，随时发消息告诉我们。"
        return CHAT_REPLY
    if resolved is not None and state not in DRAFTS and _about_resolved(text, meaning.kind,
                                                                        analysis, resolved):
        # 「老人家现在怎么样了 哪个医院啊」 while its rating waits: a question about that ticket
        # for its holder, not a consult ticket for the desk nor a canned line (trial 14, C3)
        return await pieces.ask_holder(ctx, resolved, text)
    if meaning.kind == "chat" and len(bare(text)) > 12 and \
            (reply := await desk.about_staff(ctx, text)) is not None:
        return reply  # 「表扬一下网格员孙丽娟…」 reads as thanks, and is praise for a person
    if meaning.kind in ("chat", "empty"):
        if not PENDING_HINT.get(state or "") and _ANGRY.search(text):
            return ANGRY_REPLY  # 「😡😡😡」 is no acknowledgement: something is wrong
        if not PENDING_HINT.get(state or "") and analysis.intent == "thanks":
            return "不客气，感谢您对社区工作的支持！有新问题随时告诉我们。"
        if not PENDING_HINT.get(state or "") and analysis.intent == "greeting":
            return "您好！请直接发文字描述您遇到的问题和位置（小区、楼号）。发送「帮助」查看用法。"
        return _chat_reply(state, data, text)
    if bare(text).isdigit() and len(bare(text)) <= 2:
        return "现在没有等您回复数字的问题。反映问题请直接发文字描述；发送「帮助」查看用法。"
    if state in DRAFTS and data.get("text") and bare(data["text"]) == bare(text):
        return "这件事已经收到了。" + _pending_prompt(state, data)
    if (t := await pieces.repeat_of(ctx, text)) is not None:
        return await pieces.tell_repeat(ctx, t, text)
    if state not in DRAFTS and (t := await pieces.near_repeat(
            ctx, text, (await resolve(ctx.session, analysis))[1])) is not None:
        return await pieces.fold_repeat(ctx, t, text)
    if state == Conv.AWAITING_PLACE:
        reply = await _urgent_place(ctx, data, text, analysis)
        if reply is not None:
            return reply
    if state == Conv.AWAITING_LOCATION:
        reply = await _where_answer(ctx, data, text, analysis)
        if reply is not None:
            return reply
    if meaning.kind == "consult" and state not in DRAFTS and len(bare(text)) <= 40 and \
            (t := await pieces.recent_report(ctx)) is not None and t.request_kind == "咨询":
        # 「那我明天上午过去可以吗」 minutes after her 低保 question: the same conversation with
        # the service desk, so the staff member answering sees both
        return await pieces.append(ctx, t, text)
    if meaning.kind == "consult":
        return await desk.consult(ctx, text)
    if (reply := await desk.about_staff(ctx, text)) is not None:
        return reply
    if state not in DRAFTS and (is_detail(text) or analysis.act == "detail"
                                or _restates(analysis, text)) and \
            (t := await pieces.recent_report(ctx)) is not None:
        # minutes after her report: a piece of it (「已经三天了」, 「就是灯不亮啊楼道的灯」),
        # a report of its own (「桂井新苑东门自来水突然停了」 after a 澄园 car park), or unclear
        place, placed = await resolve(ctx.session, analysis)
        verdict = await pieces.verdict(ctx, t, text, placed, place)
        if verdict == "piece":
            return await pieces.append(ctx, t, text)
        if verdict == "ask" and pieces.is_correction(text):
            return await pieces.append(ctx, t, text)  # moved, not asked about (trial 14, B3)
        if verdict == "ask":
            return await pieces.ask(ctx, t, text)
    if state not in DRAFTS and analysis.category == "other" and not analysis.keywords and \
            _VENTING.search(bare(text)):
        # 「你们这些人都是吃干饭的 反映了一百遍了」: anger naming nothing to act on is no draft
        # waiting for a place (its next message, a real report, was told «还在等您告诉我位置»)
        return VENT_REPLY
    return await _new_report(ctx, text, state, data)


# what a question to the community's service desk is about (a policy, a service, a paper):
# without any of it, a question while a rating waits is about the ticket just resolved
_SERVICE = re.compile(r"办理|办证|申请|申领|补贴|津贴|证明|社保|医保|低保|养老|退休|居住证|"
                      r"户口|户籍|落户|疫苗|接种|就业|失业|入学|上学|残疾|政策|手续|材料|报销|"
                      r"公积金|资格|条件|流程|窗口|盖章|登记|备案|补助|救助|优待|老年卡|敬老|高龄|"
                      r"生育|婚|准生|"
                      r"租房补|廉租|公租|保障房|上牌|营业执照|证件|身份证|证")
_QUESTION = re.compile(r"[?？]|吗|什么|怎么|为什么|为啥|哪|谁|多久|几时|几点|是不是|有没有")
_ABOUT_US = re.compile(r"机器|真人|人工|你们是|你是谁|谁啊你|公众号|客服")


_POINTS_BACK = re.compile(r"^(?:那个|这个|那次|这次|刚才|上次|后来|你们后来)")
_STILL_WRONG = re.compile(r"坏|不亮|不通|漏|堵|又|还在|没修|没好|没人|臭|吵|危险|着火|冒烟")


def _about_resolved(text: str, kind: str, analysis: Any, resolved: Any) -> bool:
    """A question of some length with no service, policy or paper in it, and not about who
    answers: while a rating waits, it is about the ticket just resolved. One read as a report
    counts only when it names no place, no danger, nothing still wrong, and the ticket's own
    kind of problem (「那个灯是换的新的还是修的啊？」 after the light was mended)."""
    b = bare(text)
    if len(b) < 6 or not _QUESTION.search(text) or _SERVICE.search(b) or _ABOUT_US.search(b):
        return False
    if kind in ("consult", "chat"):
        return True
    loc = analysis.location
    return kind == "report" and (analysis.category == resolved.category or _POINTS_BACK.match(b)) \
        and analysis.urgency == "normal" and not (loc.community or loc.building) \
        and not _STILL_WRONG.search(b)


_VENTING = re.compile(r"吃干饭|吃闲饭|不作为|废物|摆设|饭桶|没用的东西|有什么用|有啥用|管不管|"
                      r"(?:说|反映|投诉|打)了?(?:一百|几十|好几|多少|无数|n|很多)[遍次回]")
VENT_REPLY = ("很抱歉让您失望了。请告诉我们是什么问题、在哪里（小区、楼号），我们登记后转给负责的"
              "工作人员并跟进到底；之前反映过的，发送「查询」可看进度，回复「人工」请工作人员联系您。")
ANNOUNCED_REPLY = ("您好，请直接把要反映的问题或想咨询的事发过来："
                   "是什么事、在哪里（小区、几号楼），一条消息说清楚就行，我们马上登记转给负责的工作人员。")


# what the bot is, asked in chat (「你们是机器人吗？」「你是谁」「是自动回复吗」)
_ABOUT_BOT = re.compile(r"机器人|人工智能|ai|自动回复|智能客服|你们?是谁|你们?是真人|是不是真人|"
                        r"谁在回|有人在回")
BOT_REPLY = ("我是社区的自动助手：您反映的问题会登记成工单，转给负责的网格员处理，"
             "每一步进展都会告诉您。需要工作人员联系您，请回复「人工」。")
# how to send a place (「你们不能自己定位吗？」「怎么发位置」)
_LOCATING = re.compile(r"定位|发位置|发个位置|位置怎么发|怎么发送?位置|共享位置|发地址|地图")
LOCATE_REPLY = ("可以直接发送位置：点输入框旁的「+」，选「位置」，选好地点后发送。"
                "也可以用文字告诉我小区和楼号。")
# an acknowledgement, which 「好的。」 may answer in kind
_ACK = re.compile(r"^(?:好|好的|好滴|好嘞|嗯+|哦+|噢+|ok|okay|收到|知道了|明白|了解|行|可以|"
                  r"谢谢|多谢|辛苦了?)[了啦呀啊吧哈的]*$")
_STILL_THERE = re.compile(r"^(?:在吗|在不在|有人吗|有没有人|人呢)")
# a cry for help that says nothing else (trial 14: «救命» got «有需要随时发消息告诉我们»):
# someone may be in danger, so the emergency numbers first, then what and where
_CRY = re.compile(r"^(?:救命|救救我|救救|救人|快救人|快来人|来人|help|sos|求救|救命啊+|快来人啊+|"
                  r"出事了|出大事了|不好了|快来|快点来)+(?:啊|呀|吧|了)*$", re.IGNORECASE)
CRY_REPLY = ("如有危险，请立即拨打 110（报警）、120（急救）或 119（火警）。\n"
             "能告诉我发生了什么、在哪里吗？（小区、楼号）我们马上通知网格员。")


def _chat_reply(state: str | None, data: dict[str, Any], text: str = "") -> str:
    """The answer to chat: what was asked when it was a question about the bot or about
    sending a place, 「好的。」 only for an acknowledgement, then what is still awaited."""
    hint = PENDING_HINT.get(state or "")
    b = bare(text)
    prompt = f"：请{data['prompt']}" if data.get("prompt") else ""
    pending = f"{hint}{prompt}。不需要了请回复「算了」。" if hint else ""
    if _ABOUT_BOT.search(b):
        return BOT_REPLY + (f"\n（{pending.rstrip('。')}）" if pending else "")
    if _LOCATING.search(b):
        return LOCATE_REPLY
    if _STILL_THERE.match(b):
        return "在的。" + (pending or "请直接告诉我遇到了什么问题、在哪里（小区、楼号），"
                                     "我们马上登记处理。")
    if not hint:
        return CHAT_REPLY if not b or _ACK.match(b) else CHAT_REPLY.removeprefix("好的。")
    return ("好的。" if _ACK.match(b) else "") + pending


def _pending_prompt(state: str | None, data: dict[str, Any]) -> str:
    if state == Conv.AWAITING_LOCATION:
        return msg.ASK_LOCATION
    return str(data.get("prompt") or "")


def _choice_in_words(text: str, choices: list[str]) -> str | None:
    """The offered category an answer names (「是消防的问题」 → 消防安全), if exactly one."""
    b = bare(text)
    named = [c for c in choices if category_name(c) in b or category_name(c)[:2] in b]
    return named[0] if len(named) == 1 else None


_PIECE_NO = re.compile(r"^(?:2|二)$|^(?:不是|不对|新问题|新的|另一|另外一|别的|不同|单独|新建)")
_PIECE_YES = re.compile(r"^(?:1|一)$|^(?:是的?$|对的?$|嗯|补充|是补充|是这个|就是这个|没错|同一)")


def _piece_answer(text: str) -> bool | None:
    """The answer to «补充 or 新问题?»: True 1 补充, False 2 a new report, None neither."""
    b = bare(text)
    if len(b) > 8:
        return None
    if _PIECE_NO.match(b):
        return False
    if _PIECE_YES.match(b):
        return True
    return None


async def _piece_answered(ctx: Ctx, data: dict[str, Any], piece: bool) -> str:
    await ctx.clear_state()
    t = await ticket_by_code(ctx.session, data.get("code"))
    if piece and t is not None and t.status in OPEN_STATUSES:
        reply = await pieces.append(ctx, t, str(data.get("text") or ""))
        if data.get("attachments"):
            await link_draft(ctx, t, data)
        return reply
    return await file_report(ctx, str(data.get("text") or ""),
                             draft={"attachments": list(data.get("attachments") or [])})


_ASKS_WHAT = re.compile(r"(?:附议|一并处理).{0,3}(?:什么意思|是什么|是啥|啥意思|什么东西|指什么)|"
                        r"(?:什么|啥)(?:是|叫)附议|不懂|不明白|看不懂|什么意思")
FOLLOW_EXPLAINED = ("「附议」是说您反映的和这张工单是同一个问题：我们把您加到这张工单上，"
                    "一起处理，进展同样通知您。不是同一件事就新建一张。\n")
_ANSWER_WORDS = re.compile(r"^(?:[12一二]|是的?|对的?|就是|附议|同一个?|一样的?|没错|嗯+|"
                          r"不是(?:一回事|同一个|一个)?|不一样|仍然新建|新建|另一个?|别的|不同)"
                          r"[吧啊呀的了哈嘛呢]*[\s,，.。!！、;；]*")


def _beyond_answer(text: str) -> str:
    """The words of an answer to the 附议 question past its yes or no, when they say
    something (four characters or more), else ''."""
    rest = _ANSWER_WORDS.sub("", text.strip(), count=1).strip()
    return rest if len(bare(rest)) >= 4 else ""


def _follow_answer(text: str) -> bool | None:
    b = bare(text)
    if _NO.match(b):
        return False
    if _YES.match(b):
        return True
    return None


async def _rate(ctx: Ctx, data: dict[str, Any], value: int, resolved: Any) -> str:
    t = await ticket_by_code(ctx.session, data["code"]) if data.get("code") else resolved
    if ctx.state is not None and ctx.state.state == Conv.AWAITING_RATING:
        await ctx.clear_state()
    if t is None:
        return "您目前没有待评价的工单。反映问题请直接发文字描述；发送「帮助」查看用法。"
    return await rating_ops.rate(ctx, t, value, ctx.text)


def _restates(analysis: Any, text: str) -> bool:
    """No place of its own and not announced as another matter (「还有…」「另外…」)."""
    loc = analysis.location
    return not (loc.community or loc.building) and analysis.urgency != "urgent" \
        and not re.match(r"^(?:还有|另外|又有|再|顺便)", bare(text))


def _is_new_complaint(analysis: Any, text: str) -> bool:
    """An answer that is a complaint of its own (「还有…」 saying a problem, or a problem with
    its own place). 「还有旧沙发」 after 「楼道里堆了好多纸箱子」 names no problem of its own:
    a piece of the draft, not another report."""
    loc = analysis.location
    announced = bool(re.match(r"^(?:还有|另外|又有|再|顺便|(?:哦|噢|啊|嗯)?对了)", bare(text)))
    return (announced and looks_like_problem(text)) or (
        bool(loc.community or loc.building) and len(bare(text)) > 12
        and not is_detail(text) and analysis.category not in ("other",))


def _other_complaint(ctx: Ctx, analysis: Any, text: str, data: dict[str, Any]) -> bool:
    """「楼下垃圾也堆了好几天没人收」 while we wait for the place of 「楼道里堆了好多杂物」: a
    complaint of its own with no place, never read as the draft's address (it has a 楼 in it)."""
    if len(bare(text)) <= 10 or is_detail(text) or not looks_like_problem(text) or \
            analysis.act != "report" or analysis.category in (None, "other"):
        return False
    drafted = ctx.services.analyzer.analyze(str(data.get("text") or ""))
    return analysis.category != drafted.category and \
        analysis.category not in [c for c, _ in drafted.alternatives[:2]]


_PARTICLES = re.compile(r"[啊呀吧嘛呢哦哈啦了的]+$")
_LEAD = re.compile(r"^(?:就是|就在|是在|在|是|我说的是|我说了是|都说了是)")
_INNER_PARTICLE = re.compile(r"(?<=[\u4e00-\u9fff])[啊呀](?=[A-Za-z0-9\u4e00-\u9fff])")
_NAMES_SPOT = re.compile(r"\d|[A-Za-z]|号|栋|幢|座|单元|苑|村|园|小区|花园|大厦|公寓")
_POINTING_TAIL = re.compile(r"(?:就是|就在)?那个(?:楼|地方|位置|门口)?$")


def place_words(text: str) -> str:
    """The place in an answer to «where?», without what was said around it (trial 14: the
    officer read «枫桥雅居A座啊 刚才不是说了吗» and «荷叶新苑7栋就是那个楼啊» as the place): the
    pieces that name a place, their particles and pointing words dropped; the whole answer
    when no piece names one."""
    keep = []
    for part in re.split(r"[\s，,。.!！?？~～]+", text):
        if not part or not _ADDRESS.search(part):
            continue
        if _NOT_PLACE.search(part) and not _NAMES_SPOT.search(part):
            continue  # 「刚才不是说了吗」「就在门口」; never «3-2-301门口»
        part = _INNER_PARTICLE.sub("", _LEAD.sub("", part))
        part = _PARTICLES.sub("", _POINTING_TAIL.sub("", _PARTICLES.sub("", part)))
        if len(part) >= 2:
            keep.append(part)
    return " ".join(keep) if keep else text


async def _where_answer(ctx: Ctx, data: dict[str, Any], text: str,
                        analysis: Any) -> str | None:
    """The draft waited for its place. None: this message is not the answer (a report)."""
    if _is_new_complaint(analysis, text) or _other_complaint(ctx, analysis, text, data):
        return None
    if not refers_back(text):
        text = place_words(text)
    draft_text = data.get("text", "")
    if _LOCATING.search(bare(text)) and re.search(r"[吗么呢?？]|怎么|能不能|可不可以|如何",
                                                   text):
        return LOCATE_REPLY  # 「你们不能自己定位吗？」: how to send one, and still waiting
    if refers_back(text):  # 「就是刚才说的那里啊」: the place of the report just made
        await ctx.clear_state()
        return await file_report(ctx, draft_text, where=text, draft=data)
    place, located = await resolve(ctx.session,
                                   ctx.services.analyzer.analyze(f"{text} {draft_text}"))
    b = bare(text)
    not_place = bool(_NOT_PLACE.search(b))
    plausible = bool(_ADDRESS.search(b)) and not not_place and 2 <= len(b) <= 30
    if place.grid is not None or (place.community is not None and located.location.building):
        await ctx.clear_state()
        return await file_report(ctx, draft_text, where=text, draft=data)
    if plausible and (place.community is not None or len(b) >= 4):
        await ctx.clear_state()
        return await file_report(ctx, draft_text, where=text, draft=data)
    kept = not not_place and len(b) >= 2
    if kept:
        # 「我家卫生间天花板」: not a place we know, but the resident's words; kept for the ticket
        data = {**data, "details": [*(data.get("details") or []), text]}
    tries = int(data.get("tries", 0)) + 1
    if tries >= 2:  # asked twice: the desk finds out where
        await ctx.clear_state()
        return await _to_desk(ctx, data, text)
    await ctx.set_state(Conv.AWAITING_LOCATION, {**data, "tries": tries},
                        ctx.settings.conversation.draft_minutes)
    example = await repo.example_place(ctx.session)
    if kept:
        return (f"已记下「{text[:20]}」。还需要知道在哪个小区、几号楼"
                f"{f'（例如「{example}」）' if example else ''}，也可以直接发送位置。\n"
                "说不清就回复「不知道」，我们交社区工作人员核实；不需要了请回复「算了」。")
    return ("没关系。如果知道大概位置（小区、楼号，或附近的路名、店名），请告诉我，"
            "也可以直接发送位置；实在说不清就再回复「不知道」，我们交社区工作人员核实。"
            "不需要了请回复「算了」。")


async def draft_ticket(ctx: Ctx, data: dict[str, Any]) -> Ticket:
    """A draft filed as it stands, nothing it knew dropped: the place it named (a compound's
    grid, else its community's desk), the category the resident or the classifier chose, the
    details given while we asked."""
    return await file_draft(ctx.session, ctx.services, data, reporter=ctx.person, now=ctx.now)


async def _to_desk(ctx: Ctx, data: dict[str, Any], said: str) -> str:
    t = await draft_ticket(ctx, {**data, "where": None})
    people = await repo.triage_people(ctx.session, t.community) if t.assignee is None else []
    if t.assignee is not None:  # the draft's own words named the place after all
        return msg.accepted_reply(t, ctx.services)
    district = await is_district_desk(ctx, people)
    return (f"好的，位置先空着，{'区指挥中心' if district else '社区工作人员'}核实后派单，"
            f"工单号 {t.code}。\n" + msg.responsible_line(t, people, district_desk=district)
            + f"\n知道位置后可发送「补充 {t.code} 位置」。")


async def _urgent_place(ctx: Ctx, data: dict[str, Any], text: str,
                        analysis: Any) -> str | None:
    t = await ticket_by_code(ctx.session, data.get("code"))
    if t is None or t.region_id is not None:
        await ctx.clear_state()
        return None
    if _is_new_complaint(analysis, text):
        return None
    if await pieces.locate(ctx, t, text):
        await ctx.clear_state()
        who = t.assignee.name if t.assignee else "社区工作人员"
        return (f"已更新工单 {t.code} 的位置：{msg.where(t)}，已通知{who}尽快赶到。\n"
                + msg.emergency_line(t, ctx.services))
    kept = ""
    if not _NOT_PLACE.search(bare(text)) and len(bare(text)) >= 2:
        await pieces.append(ctx, t, text)  # 「人在3楼和4楼之间」: the words join the ticket
        kept = "已把这条补充到工单。"
    return (f"正在紧急处理（工单 {t.code}），{kept}"
            "请告诉我具体位置：哪个小区、几号楼，或直接发送位置。\n"
            + msg.emergency_line(t, ctx.services))


async def _new_report(ctx: Ctx, text: str, state: str | None, data: dict[str, Any]) -> str:
    """A new complaint. A question left open for another draft stays open; if this report asks
    a question of its own, that draft goes to the desk as it stands."""
    analysis = ctx.services.analyzer.analyze(text)
    said = pieces.problem_beside_place(ctx, text, analysis)
    # 「澄园3栋地下车库开始进水了」, which nlp reads as an address: the words beside the place
    # say what is wrong, so it is a report of their category, never a place kept for later
    own = {"category": said.category} if said is not None else {}
    if state == Conv.AWAITING_DESCRIPTION or (state in DRAFTS and not data.get("text")):
        if data.get("where") and _no_problem(analysis, said):  # 「楼道里」: more of the place
            return await _ask_what_there(ctx, {**data, "where": f"{data['where']}{text}"})
        if (kept := await _kept_place_elsewhere(ctx, analysis, data)) is not None:
            # 「桂井新苑东门口一棵大树倒了」 after 「澄园3栋」 was kept: the place the message
            # states wins; the kept one had no problem told, and the resident hears so
            await ctx.clear_state()
            reply = await file_report(ctx, text, draft={
                **own, "attachments": list(data.get("attachments") or [])})
            return reply + (f"\n\n（之前记下的位置「{kept[:20]}」还没有说明出了什么问题，"
                            "没有登记；那里有问题请再发一条，说明位置和情况。）")
        # the photo, position or place waited for these words: they complete that draft
        return await file_report(ctx, text, where=data.get("where"), draft={**data, **own})
    if state is None and _no_problem(analysis, said) and analysis.location.community:
        # 「松涛苑B栋」 out of the blue: a place, no problem yet. Kept for the next message
        return await _ask_what_there(ctx, {"where": text})
    held = (state, data) if state in DRAFTS or state == Conv.AWAITING_PLACE else None
    if held is not None:
        await ctx.clear_state()  # file_report must not take the other draft's pieces
    reply = await file_report(ctx, text, draft=own)
    if held is None:
        return reply
    new_state = await _state_now(ctx)
    if new_state is None:
        await ctx.set_state(held[0], held[1], ctx.settings.conversation.draft_minutes)
        return reply + f"\n\n（另外，{PENDING_HINT.get(held[0], '之前的问题还在等您回复')}。）"
    if held[0] in DRAFTS and held[1].get("text"):
        old = await _to_desk_quiet(ctx, held[1])
        reply += (f"\n\n（您之前反映的「{held[1]['text'][:20]}」已交社区工作人员核实，"
                  f"工单号 {old}。）")
    return reply


def _no_problem(analysis: Any, said: Any) -> bool:
    """Words that say where (or a detail), no problem of their own: 「松涛苑B栋」, 「楼道里」;
    not 「澄园3栋地下车库开始进水了」, whose words beside the place (`said`) are a report."""
    return analysis.act == "detail" and analysis.category in (None, "other") \
        and analysis.urgency != "urgent" and said is None


async def _kept_place_elsewhere(ctx: Ctx, analysis: Any, data: dict[str, Any]) -> str | None:
    """The kept place's words (or «您发送的位置») when this message names a place of its own
    (a compound or building) that is not the kept one; None when it names none or the same."""
    loc = analysis.location
    if not (loc.community or loc.building):
        return None
    own, placed = await resolve(ctx.session, analysis)
    if data.get("lng") is not None and data.get("lat") is not None:
        kept = await placement_at(ctx, float(data["lng"]), float(data["lat"]))
        if own.grid is not None and kept.grid is not None and own.grid.id != kept.grid.id:
            return str(data.get("label") or "您发送的位置")
        return None
    where = str(data.get("where") or "")
    if not where:
        return None
    kept, located = await resolve(ctx.session, ctx.services.analyzer.analyze(where))
    here, there = placed.location, located.location
    if own.grid is not None and kept.grid is not None and own.grid.id != kept.grid.id:
        return where
    if here.community and there.community and bare(here.community) != bare(there.community):
        return where
    if here.building and there.building and here.building != there.building:
        return where
    return None


async def _ask_what_there(ctx: Ctx, data: dict[str, Any]) -> str:
    await ctx.set_state(Conv.AWAITING_DESCRIPTION, data, ctx.settings.conversation.draft_minutes)
    return (f"好的，位置记下了：{data['where'][:30]}。请问那里出了什么问题？"
            "请用文字说明，例如「楼道堆满杂物」「路灯不亮」。")


async def _state_now(ctx: Ctx) -> str | None:
    row = await current_state(ctx.session, ctx.identity.channel, ctx.identity.external_id,
                              ctx.now)
    return row.state if row is not None else None


async def _to_desk_quiet(ctx: Ctx, data: dict[str, Any]) -> str:
    return (await draft_ticket(ctx, data)).code


__all__ = ["Meaning", "handle"]
