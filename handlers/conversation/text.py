"""Reading what people type: width folding, command words, ticket codes, ratings."""

from __future__ import annotations

import re

from nlp.normalize import to_halfwidth

CODE_RE = re.compile(r"GD\d{8}-\d{4,}", re.IGNORECASE)
# a mainland mobile number, also written +86 …, 3-4-4 with '-' or spaces, or in full-width
# digits; never a run of digits inside a longer number (an ID card or order number)
_D = "[0-9０-９]"
_PHONE_RE = re.compile(
    rf"(?<![0-9０-９])(?:\+?86[-\s]?)?([1１][3-9３-９]{_D})[-\s]?{_D}{{4}}[-\s]?({_D}{{4}})"
    rf"(?![0-9０-９])"
)

RATING_WORDS = {"非常满意": 1, "满意": 2, "基本满意": 3, "不满意": 4}
RATING_NAMES = {v: k for k, v in RATING_WORDS.items()}


def normalize(text: str) -> str:
    """Fold full-width letters, digits, ：and U+3000; trim. Chinese punctuation (，！？（）)
    stays as the person wrote it."""
    return to_halfwidth(text or "").replace("：", ":").strip()


def command(text: str, *words: str) -> str | None:
    """The arguments after a command word, or None. Tolerates ':' and a missing space."""
    t = normalize(text)
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


def split_code(args: str) -> tuple[str | None, str]:
    """'GD20261122-0007 说明' → ('GD20261122-0007', '说明'); the code upper-cased."""
    m = CODE_RE.match(args.strip())
    if not m:
        return None, args.strip()
    return m.group(0).upper(), args.strip()[m.end():].lstrip(" :,，").strip()


def parse_rating(text: str) -> int | None:
    t = normalize(text).rstrip("。.!！")
    if t in ("1", "2", "3", "4"):
        return int(t)
    return RATING_WORDS.get(t)


def mask_phones(text: str | None) -> str | None:
    """138****0001: phone numbers never appear whole in a message or a log line."""
    if not text:
        return text
    return _PHONE_RE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
