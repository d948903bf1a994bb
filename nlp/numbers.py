"""Chinese and Arabic numerals as they appear in addresses (七号楼, 二十三栋, 12幢, 十八楼)."""

from __future__ import annotations

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9, "幺": 1}
_UNITS = {"十": 10, "百": 100, "千": 1000}

# Used inside regular expressions elsewhere: one numeral in either script.
CN_NUM = "[零〇一二两三四五六七八九十百千幺]+"
ANY_NUM = rf"(?:\d+|{CN_NUM})"


def cn_to_int(text: str) -> int | None:
    """Parse 七, 十二, 二十三, 一百零五; digit strings like 三零一 read as 301 (spoken rooms)."""
    s = text.strip()
    if not s:
        return None
    if s.isdigit():
        return int(s)
    if any(ch not in _DIGITS and ch not in _UNITS for ch in s):
        return None
    if not any(ch in _UNITS for ch in s):
        # 三零一 is how people say room 301: read digit by digit.
        return int("".join(str(_DIGITS[ch]) for ch in s))
    total, current = 0, 0
    for ch in s:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        else:
            unit = _UNITS[ch]
            # 十二 has no leading digit: it means one ten.
            total += (current or 1) * unit
            current = 0
    return total + current


def num_str(text: str) -> str | None:
    value = cn_to_int(text)
    return None if value is None else str(value)
