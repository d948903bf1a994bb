"""What people read. Every reply says what they can type next."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from handlers.ops.events import QUIET_NOTES, event_name
from handlers.ops.privacy import mask_phones
from nlp.taxonomy import URGENCIES, category_name
from storage.clock import local_text
from storage.models import Person, Ticket, TicketEvent
from storage.statemachine import STATUS_NAMES

if TYPE_CHECKING:
    from handlers.ops.services import Services

RESIDENT_HELP = (
    "您可以直接用文字告诉我们身边的问题，比如「幸福花园3号楼楼道有人拉飞线给电动车充电」，"
    "写清小区和楼号处理更快。\n"
    "其他操作：\n"
    "· 查询：看我反映的事项；查询 工单号：看进度\n"
    "· 撤销 工单号：撤回反映\n"
    "· 评价 工单号 1-4：1非常满意 2满意 3基本满意 4不满意\n"
    "· 绑定 地址：设置常住地址，如「绑定 幸福花园3号楼2单元」\n"
    "情况紧急请先拨打119/110。"
)

OFFICER_HELP = (
    "网格员指令：\n"
    "· 接单 工单号\n"
    "· 进度 工单号 说明\n"
    "· 办结 工单号 处理结果\n"
    "· 退回 工单号 原因（不属于本网格，退回社区分拨）\n"
    "· 我的工单：待办列表\n"
    "· 工单 工单号：查看详情\n"
    "· 帮助"
)

STAFF_HELP = (
    "\n分拨/领导指令：\n"
    "· 派单 工单号 人员ID（分拨列表中的工单派给某人）；改派 工单号 人员ID\n"
    "· 核实 工单号 / 驳回 工单号 原因（通讯员上报）\n"
    "· 通过 申请号 / 拒绝 申请号 原因（通讯员申请）\n"
    "· 兑换 人员ID 分数 说明；积分排行"
)

WELCOME = (
    "欢迎关注！这里是社区网格服务号。\n"
    "身边有安全隐患、环境卫生、噪音扰民、设施损坏等问题，直接发文字告诉我们，"
    "并写清小区和楼号，我们会派给负责的网格员处理，并全程告诉您进展。\n"
    "发送「帮助」查看全部用法。"
)

ASK_LOCATION = "请告诉我具体位置：哪个小区、几号楼？（例如「幸福花园3号楼」）"
NOT_FOR_RESIDENTS = "这是网格员使用的指令，您无需操作。反映问题请直接发文字描述；发送「帮助」查看用法。"
ANSWER_WINDOW = timedelta(days=3)  # how long a 追问 waits for the resident's answer
RATING_SCALE = "1 非常满意 2 满意 3 基本满意 4 不满意"
RATING_PROMPT = f"请回复数字评价处理结果：{RATING_SCALE}"


def person_label(p: Person | None) -> str:
    return p.name if p is not None and p.name else "网格员"


def ticket_line(t: Ticket) -> str:
    return (f"{t.code} {category_name(t.category)} · {STATUS_NAMES.get(t.status, t.status)} · "
            f"{_short(t.text)}")


def _short(text: str, n: int = 24) -> str:
    text = mask_phones(text.replace("\n", " "))
    return text if len(text) <= n else text[:n] + "…"


def where(t: Ticket, *, doors: bool = True) -> str:
    """The place; without `doors` no unit or room (what a neighbour who seconded may see)."""
    parts = [t.community_text or (t.community.name if t.community else None)]
    if t.building:
        parts.append(f"{t.building}号楼")
    if t.unit and doors:
        parts.append(f"{t.unit}单元")
    if t.room and doors:
        parts.append(f"{t.room}室")
    if t.place:
        parts.append(t.place)
    text = "".join(p for p in parts if p)
    return text or "未注明"


def emergency_line(t: Ticket, services: Services) -> str:
    e = services.settings.emergency
    nums = [f"火警{e.fire}", f"报警{e.police}"]
    if e.gas:
        nums.append(f"燃气抢修{e.gas}")
    return "情况危急请立即拨打：" + "，".join(nums) + "，并远离危险。"


def accepted_reply(t: Ticket, services: Services) -> str:
    grid = t.region.name if t.region else "社区分拨"
    who = person_label(t.assignee) if t.assignee else "社区工作人员"
    lines = [
        f"已受理您的反映，工单号 {t.code}。",
        f"类别：{category_name(t.category)}（{URGENCIES[t.urgency]}）",
        f"位置：{where(t)}",
        f"负责：{grid} {who}",
        f"预计办结：{local_text(t.resolve_by)} 前",
    ]
    if t.status == "pending_verification":
        lines[3] = "负责：社区联络员核实中，核实后派给网格员"
    if t.urgency == "urgent":
        lines.insert(1, emergency_line(t, services))
    lines.append(f"发送「查询 {t.code}」查看进度，「撤销 {t.code}」撤回。")
    return "\n".join(lines)


def assignment(t: Ticket, services: Services) -> str:
    head = "【紧急工单】" if t.urgency == "urgent" else "【新工单】"
    return "\n".join([
        f"{head}{t.code}",
        f"类别：{category_name(t.category)}  紧急程度：{URGENCIES[t.urgency]}",
        f"位置：{where(t)}",
        f"内容：{mask_phones(t.text)}",
        f"请于 {local_text(t.respond_by)} 前接单，{local_text(t.resolve_by)} 前办结。",
        f"回复「接单 {t.code}」接单，「退回 {t.code} 原因」退回。",
    ])


def copy_notice(t: Ticket, handler: Person) -> str:
    return (f"【抄送】工单 {t.code}（{category_name(t.category)}，{where(t)}）已派给 "
            f"{handler.name} 处理：{_short(t.text, 60)}")


def triage_notice(t: Ticket) -> str:
    return "\n".join([
        f"【待分拨】{t.code} {category_name(t.category)}（{URGENCIES[t.urgency]}）",
        f"位置：{where(t)}",
        f"内容：{mask_phones(t.text)}",
        f"请回复「派单 {t.code} 人员ID」派给负责人。",
    ])


def urgent_leader(t: Ticket) -> str:
    who = person_label(t.assignee) if t.assignee else "待分拨"
    return (f"【紧急工单提醒】{t.code} {category_name(t.category)}，位置：{where(t)}，"
            f"负责人：{who}。内容：{_short(t.text, 80)}")


def history_line(e: TicketEvent, names: dict[str, str]) -> str:
    who = names.get(e.actor_id or "", "")
    note = f"：{mask_phones(e.note)}" if e.note and e.kind not in QUIET_NOTES else ""
    return f"{local_text(e.created_at)} {event_name(e.kind)}{(' · ' + who) if who else ''}{note}"


def rating_text(r: int) -> str:
    return RATING_NAMES.get(r, str(r))


RATING_WORDS = {"非常满意": 1, "满意": 2, "基本满意": 3, "不满意": 4}


RATING_NAMES = {v: k for k, v in RATING_WORDS.items()}
