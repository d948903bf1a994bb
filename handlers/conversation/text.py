"""Reading what people type: width folding, command words, ticket codes, ratings."""

from __future__ import annotations

import re

from handlers.ops.messages import RATING_WORDS
from nlp.normalize import to_halfwidth, to_simplified

CODE_RE = re.compile(r"GD\d{8}-\d{4,}", re.IGNORECASE)


def normalize(text: str) -> str:
    """Fold full-width letters, digits and U+3000; trim. Chinese punctuation (：，！？（）)
    stays as the person wrote it: this is also the text a ticket keeps, and an officer reads
    «尊敬的社区领导：» as the resident wrote it (trial 12). Commands fold ：themselves."""
    return to_halfwidth(text or "").strip()


def command(text: str, *words: str) -> str | None:
    """The arguments after a command word, or None. Tolerates ':' and a missing space."""
    t = to_simplified(normalize(text)).replace("：", ":")  # 評價/查詢 are the same words
    for word in sorted(words, key=len, reverse=True):
        if t == word or t.startswith(word):
            rest = t[len(word):]
            if rest and not (rest[0] in " :" or CODE_RE.match(rest) or _loose_arg(word, rest)):
                continue
            return rest.lstrip(" :").strip()
    return None


def _loose_arg(word: str, rest: str) -> bool:
    # 绑定123456 and 查询GD... need no space; a longer word (办结率) is not the command
    return word in ("绑定", "评价") or rest[0].isdigit()


# «GD 2026 1204 0053», «gd20261204 0053»: a code typed with spaces on a phone (trial 14)
_SPACED_CODE = re.compile(r"GD\s*(\d{4})\s*(\d{2})\s*(\d{2})\s*[-－—_]?\s*(\d{4,})(?!\d)",
                          re.IGNORECASE)


def split_code(args: str) -> tuple[str | None, str]:
    """'GD20261122-0007 说明' → ('GD20261122-0007', '说明'); the code upper-cased."""
    m = CODE_RE.match(args.strip())
    if not m:
        spaced = _SPACED_CODE.match(args.strip())
        if spaced is None:
            return None, args.strip()
        code = f"GD{''.join(spaced.groups()[:3])}-{spaced.group(4)}"
        return code, args.strip()[spaced.end():].lstrip(" :：,，").strip()
    return m.group(0).upper(), args.strip()[m.end():].lstrip(" :：,，").strip()


def parse_rating(text: str) -> int | None:
    t = to_simplified(normalize(text)).rstrip("。.!！")
    if t in ("1", "2", "3", "4"):
        return int(t)
    return RATING_WORDS.get(t)


