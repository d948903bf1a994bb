"""The one table of what ticket events are called, wherever a history is shown (chat, WeCom,
the CLI, exports). The keys are the `TicketEvent.kind` values the state machine and the ticket
operations write."""

from __future__ import annotations

EVENT_NAMES = {
    "created": "提交反映，创建工单", "assigned": "派单", "verified": "核实", "accepted": "接单",
    "progress": "处理进展", "asked": "追问", "answered": "居民补充", "resolved": "办结",
    "transferred": "转办", "returned": "退回分拨", "handed_back": "部门退回",
    "reclassified": "改类", "rated": "评价", "reopened": "重新办理", "closed": "关闭",
    "cancelled": "撤销", "merged": "并入其他工单", "merged_in": "合并工单",
    "escalated": "升级督办", "reminded": "到期提醒", "triage": "进入分拨",
    "attached": "补充附件", "followed": "居民附议", "located": "补充位置",
    "urged": "催办", "replied": "回复居民", "supplemented": "居民补充", "nudged": "居民催办",
    "callback": "居民请求联系",
    "rerouted": "补充位置后改派", "unreached": "通知未送达", "related": "疑似重复",
    "repeated": "居民重复反映",
}

# events whose note is for the record, not for the history a person reads (the report's own
# text, the routing detail)
QUIET_NOTES = frozenset({"created", "assigned"})


def event_name(kind: str) -> str:
    return EVENT_NAMES.get(kind, kind)
