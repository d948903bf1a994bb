"""Staff words that miss: a ticket code mistyped, a command word one character off. The reply
says what was probably meant instead of the whole help (trial D3, D4)."""

from __future__ import annotations

import re

from handlers.ops import messages as msg
from storage.models import Ticket

CODE = re.compile(r"GD\d{8}-\d{4,}", re.IGNORECASE)
# what a person means as a code: GD and digits, however many, with dashes where they typed them
LOOKS_LIKE_CODE = re.compile(r"GD[\d\-－—_]{2,}", re.IGNORECASE)
STAFF_WORDS = ("接单", "进度", "办结", "转办", "退回", "追问", "改类", "合并", "回复", "我的工单",
               "工单", "帮助", "派单", "改派", "核实", "驳回", "通过", "拒绝", "兑换", "催办")
SHOWN = 5


def malformed_code(args: str) -> str | None:
    """The code-like word the arguments start with when it is not a whole ticket code
    («GD2026120-0004»), else None."""
    m = LOOKS_LIKE_CODE.match(args.strip())
    if m is None or CODE.fullmatch(m.group(0)):
        return None
    return m.group(0).upper()


def not_found(code: str, open_tickets: list[Ticket]) -> str:
    """«没有找到工单 X» and, so the next try is right, the person's own open tickets."""
    lines = [f"没有找到工单 {code}，请核对工单号（格式如 GD20261202-0007）。"]
    if open_tickets:
        lines.append(f"您的待办（{len(open_tickets)} 件）：")
        lines += [msg.ticket_line(t) for t in open_tickets[:SHOWN]]
        if len(open_tickets) > SHOWN:
            lines.append("……发送「我的工单」查看全部。")
    return "\n".join(lines)


def did_you_mean(text: str, words: tuple[str, ...] = STAFF_WORDS) -> str | None:
    """The command word `text` starts with, but for one character («办洁 GD…» → 办结), when
    exactly one word fits; None when none or several do, or when `text` is a command."""
    text = text.strip()
    found: set[str] = set()
    for word in words:
        head, rest = text[:len(word)], text[len(word):]
        if head == word:
            return None  # a command (answered elsewhere): nothing to guess
        if len(head) == len(word) and sum(a != b for a, b in zip(head, word, strict=True)) == 1 \
                and (not rest or rest[0] in " :：" or CODE.match(rest.lstrip())
                     or LOOKS_LIKE_CODE.match(rest.lstrip())):
            found.add(word)
    if len(found) != 1:
        return None
    word = found.pop()
    rest = text[len(word):].lstrip(" :：")
    shown = rest if len(rest) <= 40 else rest[:40] + "…"
    return f"您是想发送「{word} {shown}」吗？请重新发送。发送「帮助」查看全部指令。".replace(
        f"「{word} 」", f"「{word}」")
