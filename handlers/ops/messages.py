"""What people read. Every reply says what they can type next."""

from __future__ import annotations

import functools
import re
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from handlers.ops.events import QUIET_NOTES, event_name
from handlers.ops.privacy import mask_phones
from nlp.taxonomy import URGENCIES, category_name
from storage.clock import local_text, to_local
from storage.models import Person, Ticket, TicketEvent
from storage.statemachine import STATUS_NAMES

if TYPE_CHECKING:
    from handlers.ops.services import Services

EXAMPLE_PLACE = "小区名3号楼"  # when the district has no place with buildings yet


def resident_help(example: str | None = None) -> str:
    where = example or EXAMPLE_PLACE
    return (
        f"您可以直接用文字告诉我们身边的问题，比如「{where}楼道有人拉飞线给电动车充电」，"
        "写清小区和楼号处理更快。\n"
        "其他操作：\n"
        "· 查询：查看我反映过的问题；查询 工单号：查看进度\n"
        "· 补充 工单号 内容：给已反映的问题补充情况\n"
        "· 催办 工单号：提醒负责人尽快处理\n"
        "· 撤销 工单号：撤回反映\n"
        "· 评价 工单号 1-4：1非常满意 2满意 3基本满意 4不满意\n"
        f"· 绑定 地址：设置常住地址，如「绑定 {where}2单元」\n"
        "· 人工客服：请社区工作人员和您联系\n"
        "情况紧急请先拨打119（火警）、110（报警）或120（急救）。"
    )


RESIDENT_HELP = resident_help()

OFFICER_HELP = (
    "网格员指令：\n（接单、进度、办结可不写工单号：只有一件时直接办理，有几件时回复序号选择，"
    "或只写工单号末尾几位，如「接单 0013」）\n"
    "· 接单 工单号\n"
    "· 进度 工单号 说明\n"
    "· 办结 工单号 处理结果\n"
    "· 转办 工单号 部门 说明（如 城管、供水、物业）\n"
    "· 退回 工单号 原因（不属于本网格，退回社区分拨）\n"
    "· 追问 工单号 问题（向居民了解情况，期间时限暂停）\n"
    "· 改类 工单号 类别\n"
    "· 合并 工单号1 工单号2（把工单2并入工单1）\n"
    "· 回复 工单号 内容（直接回复居民）\n"
    "· 我的工单：待办列表\n"
    "· 工单 工单号：查看详情\n"
    "· 帮助"
)

STAFF_HELP = (
    "\n分拨/领导指令：\n"
    "· 派单 工单号 姓名或企业微信账号（把分拨列表中的工单派给某人）；改派 工单号 姓名\n"
    "· 回复 工单号 内容（人工客服：直接回复居民，留在工单记录里）\n"
    "· 核实 工单号 / 驳回 工单号 原因（通讯员上报）\n"
    "· 通过 申请号 / 拒绝 申请号 原因（通讯员申请）\n"
    "· 兑换 通讯员ID 分数 说明；积分排行\n"
    "· 统计：本区近7天的受理、办结、按期办结、满意率和在办、超时件数"
)

WELCOME = (
    "欢迎关注！这里是社区网格服务号。\n"
    "身边有安全隐患、环境卫生、噪音扰民、设施损坏等问题，直接发文字告诉我们，"
    "并写清小区和楼号，我们会派给负责的网格员处理，并全程告诉您进展。\n"
    "发送「帮助」查看全部用法。"
)

ASK_LOCATION = "请告诉我具体位置：哪个小区、几号楼？也可以直接发送位置。"


def ask_location(example: str | None) -> str:
    if not example:
        return ASK_LOCATION
    return f"请告诉我具体位置：哪个小区、几号楼？（例如「{example}」）也可以直接发送位置。"


def ask_location_again(example: str | None) -> str:
    return ("没能认出这个位置。" + ask_location(example)
            + "\n如果说不清，回复「不知道」，我们交社区工作人员核实；不需要了请回复「算了」。")
NOT_FOR_RESIDENTS = ("这是网格员使用的指令，您无需操作。"
                     "反映问题请直接发文字描述；发送「帮助」查看用法。")
ANSWER_WINDOW = timedelta(days=3)  # how long a 追问 waits for the resident's answer
RATING_SCALE = "1 非常满意 2 满意 3 基本满意 4 不满意"
RATING_PROMPT = f"请回复数字评价处理结果：{RATING_SCALE}"


WEEKDAYS = "一二三四五六日"


def deadline_text(dt: datetime | None, services: Services | None = None) -> str:
    """「12月4日（周五）下班前」 for a working-day deadline (it ends at close of business),
    「12月2日 10:30」 for a clock one."""
    local = to_local(dt)
    if local is None:
        return "-"
    end = services.calendar.workday_end if services is not None else time(18, 0)
    if (local.hour, local.minute) == (end.hour, end.minute):
        return f"{local.month}月{local.day}日（周{WEEKDAYS[local.weekday()]}）下班前"
    return f"{local_text(dt)}前"


def person_label(p: Person | None) -> str:
    return p.name if p is not None and p.name else "网格员"


def ticket_line(t: Ticket) -> str:
    return (f"{t.code} {category_name(t.category)} · {STATUS_NAMES.get(t.status, t.status)} · "
            f"{_short(t.text)}")


def _short(text: str, n: int = 24) -> str:
    text = mask_phones(text.replace("\n", " "))
    return text if len(text) <= n else text[:n] + "…"


short = _short  # the start of a resident's words, phones masked, for a notice's line


@functools.lru_cache(maxsize=1024)
def _building_said(building: str) -> re.Pattern[str]:
    """The building's number followed by the word for it, compiled once per number."""
    return re.compile(rf"(?<![0-9A-Za-z]){re.escape(building)}\s*(号楼|号栋|栋|幢|座)",
                      re.IGNORECASE)


def building_words(t: Ticket) -> str:
    """The building as the resident wrote it (「A栋」 stays 「A栋」, 「5幢」 「5幢」); without
    their word, 「3号楼」 for a number and 「A座」 otherwise."""
    return said_building(t.building or "", t.text)


def said_building(b: str, text: str | None) -> str:
    found = _building_said(b).search(text or "")
    if found:
        return f"{b}{found.group(1)}"
    return f"{b}号楼" if b.isdigit() else f"{b}座"


# the word a building, unit or room ends with, which a place text may start with again
# («1单元» + «单元门口», «E座» + «座门口»); 楼 is not one: «3号楼» + «楼道» is right as it is
_SEAM_WORDS = ("单元", "号楼", "栋", "幢", "座", "室")


def _joined(text: str, place: str) -> str:
    """`text` followed by `place`, without the word at the seam said twice."""
    for word in _SEAM_WORDS:
        if text.endswith(word) and place.startswith(word) and len(place) > len(word):
            return text + place[len(word):]
    return text + place


def place_phrase(community: str | None, building: str | None, unit: str | None,
                 room: str | None, place: str | None, text: str | None) -> str:
    """The place as one phrase, without saying a part twice (「枫林苑3幢」, not
    「枫林苑3号楼枫林苑3幢」, and 「F3栋1单元门口」, not 「…1单元单元门口」) when the kept place
    text already holds it."""
    place = place or ""
    parts = [community]
    if building:
        parts.append(said_building(building, text))
    if unit:
        parts.append(f"{unit}单元")
    if room:
        parts.append(f"{room}室")
    if place and parts[0] and parts[0] in place:  # the place text already names the compound
        extra = [(building, parts[1] if building else ""), (unit, f"{unit}单元"),
                 (room, f"{room}室")]
        return place + "".join(p for value, p in extra if value and value not in place)
    said = "".join(p for p in parts if p)
    if place and place not in said:
        said = _joined(said, place)
    return said or "未注明"


def where(t: Ticket) -> str:
    """The ticket's place as one phrase (`place_phrase`)."""
    return place_phrase(t.community_text or (t.community.name if t.community else None),
                        t.building, t.unit, t.room, t.place, t.text)


def block(t: Ticket) -> str:
    """The compound and building only: what a neighbour who seconded (附议) may see of the
    place (no unit, room or the reporter's own place words)."""
    parts = [t.community_text or (t.community.name if t.community else None)]
    if t.building:
        parts.append(building_words(t))
    return "".join(p for p in parts if p) or "未注明"


# a person in danger: someone in the water, or someone taken ill or hurt
_DROWNING = ("落水", "溺水", "掉河里", "掉进河", "掉水里", "掉进水", "掉湖里", "掉进湖", "淹水里")
_MEDICAL = ("晕倒", "昏倒", "昏迷", "叫不醒", "不省人事", "没反应", "没有反应", "摔倒", "跌倒",
            "起不来", "抽搐", "没呼吸", "没有呼吸", "心脏病", "中风", "流血", "受伤", "急救")


# gas named outright (the first six), or by what a voice slip or a smell says
_GAS = ("煤气", "燃气", "天然气", "漏气", "液化气", "瓦斯",
        "臭鸡蛋", "气味", "气罐", "燃起", "煤汽")
_ELECTRIC = ("电箱", "电线", "火花", "漏电", "触电", "电表", "配电", "插座", "电闸", "电缆",
             "打火", "短路", "变压器")
_BURNING = ("烧焦", "焦糊", "焦味", "糊味", "烧糊", "塑料味")
_BITE = ("咬", "抓伤")
_WATER_IN = ("进水", "进屋", "漫进", "灌进", "涌进", "淹了", "水漫", "往下漏", "往家里", "泡了",
             # water let loose inside (trial 14: a pipe spraying, water down a light fitting)
             "往下滴", "滴水", "滴下来", "往外喷", "喷水", "滋水", "哗哗", "渗水", "爆管",
             "水管爆", "水管裂", "管子裂", "管子爆", "关不住")
_BEHIND_DOOR = ("敲门没反应", "敲门也没反应", "敲门没人应", "敲门也没人应", "好几天没见",
                "几天没见", "好几天没出门", "几天没出门", "好几天没看到", "几天没看到")


def hazard_of(t: Ticket) -> str:
    """Which danger an urgent report is about, for the advice that goes with it."""
    text = t.text or ""
    if any(w in text for w in _DROWNING):
        return "drowning"
    if t.category == "building_safety" and ("电梯" in text or "困" in text):
        return "lift"
    if any(w in text for w in _BITE) and t.category in ("animals", "other", "public_order"):
        return "bite"
    if any(w in text for w in _BEHIND_DOOR):
        return "behind_door"
    if t.category == "gas_electric" and any(w in text for w in _GAS[:6]):
        return "gas"
    if t.category == "fire_safety" or any(w in text for w in ("着火", "起火", "冒烟", "火苗")) \
            or any(w in text for w in _BURNING):
        return "fire"
    if t.category == "gas_electric":
        # a smell with no electric thing named is treated as gas: its advice is the safe one
        smell = "味" in text and not any(w in text for w in _ELECTRIC)
        return "gas" if smell or any(w in text for w in _GAS) else "electric"
    if any(w in text for w in _WATER_IN) and \
            t.category in ("water", "neighbor", "building_safety", "other"):
        # from a pipe or the flat above (a valve to close), or water rising from outside
        pipe = t.category == "neighbor" or any(w in text for w in ("楼上", "水管", "爆管", "管子"))
        return "water_in" if pipe else "flood"
    if any(w in text for w in _MEDICAL):
        return "medical"
    return "other"


def emergency_line(t: Ticket, services: Services) -> str:
    e = services.settings.emergency
    hazard = hazard_of(t)
    if hazard == "lift":
        return (f"请被困的人不要扒门、不要强行爬出，按电梯里的警铃，拨打电梯应急电话 {e.lift}；"
                f"有人受伤请拨 {e.ambulance}，情况危急请拨 {e.police}。")
    if hazard == "gas":
        gas = f"燃气抢修 {e.gas} 或" if e.gas else ""
        return ("闻到燃气味请立即开窗通风，不要开关电器、不要打电话或用明火，"
                f"关闭燃气总阀后到室外拨打{gas}火警 {e.fire}。")
    if hazard == "fire":
        return (f"发现火情请立即拨打火警 {e.fire}，不要乘电梯。门外楼道烟大时不要开门冲进烟里："
                "用湿毛巾堵住门缝，到窗边呼救等待救援；能安全离开时用湿毛巾捂住口鼻、弯腰沿楼梯"
                "往下撤离。")
    if hazard == "electric":
        return f"请远离冒火花的电箱，不要用水浇或用手碰；起火请拨打火警 {e.fire}。"
    if hazard == "bite":
        return ("被狗或其他动物咬伤、抓伤，请立即用肥皂水和流动清水交替冲洗伤口约15分钟，"
                f"尽快到医院或狂犬病暴露处置门诊处理；伤得重请拨急救 {e.ambulance}。"
                "请远离那只动物，不要追打。")
    if hazard == "behind_door":
        return (f"请不要独自破门。请拨打 {e.police} 请民警到场，并联系其家属或物业；"
                f"如能看到有人倒地，同时拨打急救 {e.ambulance}。")
    if hazard == "water_in":
        return ("请先关闭自家进水总阀，断开电闸，把电器和贵重物品移到高处，不要在积水里碰电器、"
                f"插座；请联系物业或楼上住户关阀。有人被困水中请拨 {e.police} 或 {e.fire}。")
    if hazard == "flood":
        return ("请断开电闸，把电器和贵重物品移到高处，不要在积水里碰电器、插座；"
                "水还在涨时带上老人孩子往高处去，不要蹚水走过井盖和低洼处。"
                f"有人被困水中请拨 {e.police} 或 {e.fire}。")
    if hazard == "drowning":
        return (f"有人落水请立即拨打 {e.police} 和急救 {e.ambulance}，说清具体位置。"
                "不会水、没有救生经验不要贸然下水，向落水者抛救生圈、长竿、绳子或能漂浮的东西，"
                "并大声呼救。")
    if hazard == "medical":
        return (f"请立即拨打急救电话 {e.ambulance}，说清地址和病人情况。"
                "不要随意搬动摔倒或昏迷的人，让其侧卧、保持呼吸通畅，等急救人员到来。")
    return (f"情况危急请立即拨打：报警 {e.police}，火警 {e.fire}，急救 {e.ambulance}，"
            "并注意自身安全。")


def responsible_line(t: Ticket, desk: list[Person] | None = None, *,
                     district_desk: bool = False) -> str:
    """Who holds it. `district_desk`: the desk is the district's (its triage list or command
    centre, for a report with no community or one whose community has no desk of its own),
    named as such: 社区工作人员 is only ever a community's desk."""
    if t.status == "pending_verification":
        return "负责：社区联络员核实中，核实后派给网格员"
    if t.assignee is not None:
        area = f"{t.region.name} " if t.region else ""
        return f"负责：{area}{t.assignee.name or '网格员'}"
    names = "、".join(p.name for p in desk or [] if p.name)
    who = "区指挥中心" if district_desk else "社区工作人员"
    return f"负责：{who}{f'（{names}）' if names else ''}，确认后派给负责人"


def accepted_reply(t: Ticket, services: Services, desk: list[Person] | None = None, *,
                   district_desk: bool = False) -> str:
    lines = [
        f"已受理您的反映，工单号 {t.code}。",
        f"类别：{category_name(t.category)}（{URGENCIES[t.urgency]}）",
        f"位置：{where(t)}",
        responsible_line(t, desk, district_desk=district_desk),
        f"预计办结：{deadline_text(t.resolve_by, services)}",
    ]
    if t.urgency == "urgent":
        lines.insert(1, emergency_line(t, services))
    elif hazard_of(t) in ("bite", "water_in"):
        # a bite that is over (high) still needs washing and the rabies clinic now; a pipe
        # spraying (high) its valve (trial 14)
        lines.insert(1, emergency_line(t, services))
    lines.append(f"发送「查询 {t.code}」查看进度，「补充 {t.code} 内容」补充情况，"
                 f"「撤销 {t.code}」撤回。")
    return "\n".join(lines)


WECOM_TEXT_BYTES = 2048  # WeCom cuts a text message here
MP_TEXT_BYTES = 2048  # the Official Account's customer-service text limit


def fit(text: str, code: str | None, limit: int = WECOM_TEXT_BYTES,
        keep: str = "") -> str:
    """`text` cut to `limit` UTF-8 bytes with «…（全文见 工单 CODE）», `keep` (the lines
    that say what to do) always whole at the end."""
    whole = f"{text}\n{keep}" if keep else text
    if len(whole.encode()) <= limit:
        return whole
    tail = f"…（全文见 工单 {code}）" if code else "…"
    room = limit - len(tail.encode()) - (len(keep.encode()) + 1 if keep else 0)
    cut = text.encode()[:max(room, 0)].decode("utf-8", errors="ignore")
    return f"{cut}{tail}" + (f"\n{keep}" if keep else "")


def ago(then: datetime, now: datetime) -> str:
    minutes = max(int((now - then).total_seconds() // 60), 0)
    if minutes < 1:
        return "刚刚"
    if minutes < 120:
        return f"{minutes} 分钟前"
    return f"{local_text(then)} "


def related_line(related: Ticket, now: datetime, code: str, same_reporter: bool = False) -> str:
    """The line of a page naming the open ticket the new report may repeat (two neighbours
    smelling the same gas; the same resident's next message, «一楼大厅全是污水» after «下水道
    堵了»): what it is, when, and the 合并 that makes one of them."""
    status = STATUS_NAMES.get(related.status, related.status)
    if same_reporter:
        return (f"注意：同一居民{ago(related.created_at, now)}在同一位置反映过 {related.code}"
                f"（{category_name(related.category)}，{status}），可能是同一件事或其后续；"
                f"如是同一件事可发送「合并 {related.code} {code}」。")
    return (f"注意：{ago(related.created_at, now)}已有人在同一位置反映同类问题"
            f"（{related.code}，{status}），"
            f"可能是同一件事；核实后可发送「合并 {related.code} {code}」。")


def related_for_reporter(related: Ticket, now: datetime) -> str:
    return (f"（{ago(related.created_at, now)}已有邻居反映了同样的情况，工单 {related.code}，"
            "工作人员已收到；您的反映也已转告，不会耽误。）")


def assignment(t: Ticket, services: Services, photos: int = 0,
               related: str | None = None) -> str:
    head = "【紧急工单】" if t.urgency == "urgent" else "【新工单】"
    body = "\n".join([
        f"{head}{t.code}",
        f"类别：{category_name(t.category)}，紧急程度：{URGENCIES[t.urgency]}",
        f"位置：{where(t)}",
        *([related] if related else []),
        f"请于 {deadline_text(t.respond_by, services)}接单，"
        f"{deadline_text(t.resolve_by, services)}办结。",
        *([f"附件：居民发来照片 {photos} 张，发送「工单 {t.code}」查看。"] if photos else []),
        f"内容：{mask_phones(t.text)}",
    ])
    keep = f"回复「接单 {t.code}」接单，「退回 {t.code} 原因」退回。"
    return fit(body, t.code, keep=keep)


DIGEST_LINE_CHARS = 72  # one folded notice's line in a digest: head, code, place, content
DIGEST_WORDS = 24  # of the resident's words (内容) in such a line


def digest_line(text: str) -> str:
    """A notice as one line: its first line (head and code), then its place and the start of
    its 内容 when it has them: the deadlines and the category line are left out, they took
    the whole line and cut the resident's words to four characters (trial 13)."""
    first, *rest = text.split("\n")
    place = next((r.removeprefix("位置：") for r in rest if r.startswith("位置：")), "")
    words = next((r.removeprefix("内容：") for r in rest if r.startswith("内容：")), "")
    if not words:
        return _short(" ".join(text.split()), DIGEST_LINE_CHARS)
    line = " ".join(x for x in (first.strip(), place, _short(words, DIGEST_WORDS)) if x)
    return _short(" ".join(line.split()), DIGEST_LINE_CHARS)


def digests(texts: list[str], urgent: bool, per_minute: int,
            limit: int = WECOM_TEXT_BYTES, why: str | None = None) -> list[str]:
    """Notices that would have waited for WeCom's pace (or, with `why`, another reason),
    folded into as few messages as fit, one line each (the whole text stays on the ticket:
    「工单 CODE」)."""
    head = "【紧急通知汇总】" if urgent else "【通知汇总】"
    tail = "详情请发送「工单 编号」查看。"
    why = why or f"通知较多（企业微信每人每分钟限 {per_minute} 条）"
    lines = [digest_line(t) for t in texts]
    out: list[list[str]] = [[]]
    room = limit - 200 - len(tail.encode())  # the head line with its numbers takes < 200
    used = 0
    for line in lines:
        size = len(line.encode()) + 6  # «12. » and the line feed
        if out[-1] and used + size > room:
            out.append([])
            used = 0
        out[-1].append(line)
        used += size
    texts_out = []
    for i, chunk in enumerate(out, 1):
        part = f"（{i}/{len(out)}）" if len(out) > 1 else ""
        body = [f"{head}{part}{why}，以下 {len(chunk)} 条合并发送：",
                *(f"{n}. {line}" for n, line in enumerate(chunk, 1)), tail]
        texts_out.append("\n".join(body))
    return texts_out


def unreached_assignee(t: Ticket, person: Person, notice: str) -> str:
    """To the triage desk and the leader: the assignee has no channel yet, pass it on."""
    head = (f"【无法送达】工单 {t.code} 已派给 {person_label(person)}，但本人尚未绑定"
            f"企业微信或公众号，收不到通知（绑定后补发）。请电话转告，或回复「改派 {t.code} "
            "姓名」改派。")
    return fit(f"{head}\n{notice}", t.code)


def copy_notice(t: Ticket, handler: Person) -> str:
    return (f"【抄送】工单 {t.code}（{category_name(t.category)}，{where(t)}）已派给 "
            f"{handler.name} 处理：{_short(t.text, 60)}")


def triage_notice(t: Ticket) -> str:
    # an urgent report on a desk is an emergency to route, never a resident asking for a person
    head = "【紧急待分拨】" if t.urgency == "urgent" else \
        {"求助": "【人工客服】", "咨询": "【居民咨询】"}.get(t.request_kind, "【待分拨】")
    body = "\n".join([
        f"{head}{t.code} {category_name(t.category)}（{URGENCIES[t.urgency]}）",
        f"位置：{where(t)}",
        f"内容：{mask_phones(t.text)}",
    ])
    keep = (f"回复「回复 {t.code} 内容」直接答复居民，或「派单 {t.code} 姓名」派给负责人。"
            if t.request_kind in ("求助", "咨询") and t.urgency != "urgent" else
            f"请回复「派单 {t.code} 姓名」派给负责人。")
    return fit(body, t.code, keep=keep)


def urgent_leader(t: Ticket, related: str | None = None) -> str:
    who = person_label(t.assignee) if t.assignee else "待分拨"
    return (f"【紧急工单提醒】{t.code} {category_name(t.category)}，位置：{where(t)}，"
            f"负责人：{who}。内容：{_short(t.text, 80)}" + (f"\n{related}" if related else ""))


def history_line(e: TicketEvent, names: dict[str, str]) -> str:
    who = names.get(e.actor_id or "", "")
    note = f"：{mask_phones(e.note)}" if e.note and e.kind not in QUIET_NOTES else ""
    return f"{local_text(e.created_at)} {event_name(e.kind)}{(' · ' + who) if who else ''}{note}"


def rating_text(r: int) -> str:
    return RATING_NAMES.get(r, str(r))


RATING_WORDS = {"非常满意": 1, "满意": 2, "基本满意": 3, "不满意": 4}


RATING_NAMES = {v: k for k, v in RATING_WORDS.items()}
