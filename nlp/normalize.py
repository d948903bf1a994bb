"""Text clean-up before anything else reads the message, including voice-to-text homophones.

WeChat's speech recognition and pinyin input write the right sounds with the wrong characters
(非线 for 飞线, 经盖 for 井盖, 漏期 for 漏气, 物页 for 物业). A span whose toneless pinyin equals
a domain term's is rewritten to the term, so spoken reports classify like typed ones. Guards
keep ordinary words intact: the span must share a character with the term (recognisers rarely
get every character of a word wrong, while chance homophones such as 也住/业主 share none), and
it must not be a frequent word of jieba's dictionary (午夜 stays 午夜, not 物业).

Every syllable is one character, so the rewrite never changes the length of the cleaned text:
positions found after it (locations, denied spans) are positions in the cleaned text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from importlib.metadata import version
from pathlib import Path

import opencc

from nlp.model import cached

logger = logging.getLogger(__name__)

DATA = Path(__file__).parent / "data"
# jieba frequencies: a span more frequent than this is a real word, not a recognition slip.
REAL_WORD_FREQ = 20
# Bump when `fuzzy` or the index's layout changes: the cached index (Homophones) is keyed by it.
INDEX_VERSION = "homophones/1"


def fuzzy(syllable: str) -> str:
    """Collapse the distinctions southern speakers (and recognisers) blur."""
    s = syllable.replace("ü", "v")
    if s[:2] in ("zh", "ch", "sh"):
        s = s[0] + s[2:]
    if s.startswith("l"):
        s = "n" + s[1:]
    if s.endswith("ng"):
        s = s[:-1]
    return s


_TONELESS = str.maketrans({
    **{c: "a" for c in "āáǎà"}, **{c: "e" for c in "ēéěè"}, **{c: "i" for c in "īíǐì"},
    **{c: "o" for c in "ōóǒò"}, **{c: "u" for c in "ūúǔù"}, **{c: "v" for c in "ǖǘǚǜü"},
    **{c: "n" for c in "ńňǹ"}, "ḿ": "m",
})


def primary_sound(ch: str) -> str | None:
    """The fuzzy toneless sound of a character's most common reading, None if not Han."""
    # pypinyin is imported only to build the sound index (cached between processes: importing
    # it and its phrase dictionary is a quarter of a second of the classifier's cold start)
    from pypinyin.pinyin_dict import pinyin_dict

    raw = pinyin_dict.get(ord(ch))
    return fuzzy(raw.split(",", 1)[0].translate(_TONELESS)) if raw else None


_HALFWIDTH = {0x3000: " ", 0xFF03: "#", 0xFF0D: "-"}
_HALFWIDTH.update({c: chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)})
_HALFWIDTH.update({c: chr(c - 0xFEE0) for c in range(0xFF21, 0xFF3B)})
_HALFWIDTH.update({c: chr(c - 0xFEE0) for c in range(0xFF41, 0xFF5B)})
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_FULLWIDTH = re.compile("[\u3000\uff03\uff0d\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_SPACES = re.compile(r"\s+")


def to_halfwidth(text: str) -> str:
    """Full-width digits, letters and the address marks # and - as ASCII (３＃楼, １－２－３０１).

    Chinese punctuation stays: it reads as Chinese punctuation everywhere downstream.
    """
    return text.translate(_HALFWIDTH)


class Homophones:
    """Terms matched by sound with one regular expression over a "sound string".

    Every Han character maps (str.translate, in C) to one private-use code point standing for
    the fuzzy sound of its most common reading, so the message becomes a string of sounds the
    same length as the text; each term becomes the same kind of string, and one regex of literal
    alternatives finds them. Only the rare hits are checked against the guards in Python. A term
    with a heteronym (藏獒: zang, not the commoner cang) is also entered under the common reading.
    """

    def __init__(self, terms: Iterable[str], is_real_word: Callable[[str], bool]) -> None:
        self._is_real_word = is_real_word
        terms = list(dict.fromkeys(terms))
        key = "\n".join([INDEX_VERSION, version("pypinyin"), *terms]).encode("utf-8")
        self._table, self._terms = cached("homophones", key, lambda: self._index(terms),
                                          lambda built: built, tuple)
        self._pattern = re.compile("|".join(map(re.escape, self._terms)))

    @staticmethod
    def _index(terms: list[str]) -> tuple[dict[int, str], dict[str, str]]:
        """(character → sound token, sound string → term), longest sound string first."""
        from pypinyin import Style, lazy_pinyin  # see primary_sound
        from pypinyin.pinyin_dict import pinyin_dict

        tokens: dict[str, str] = {}

        def token(sound: str) -> str:
            return tokens.setdefault(sound, chr(0xF0000 + len(tokens)))

        table: dict[int, str] = {}
        for code, raw in pinyin_dict.items():
            table[code] = token(fuzzy(raw.split(",", 1)[0].translate(_TONELESS)))
        variants: dict[str, str] = {}  # sound string → term
        for term in terms:
            said = [fuzzy(s) for s in lazy_pinyin(term, style=Style.NORMAL)]
            if len(said) != len(term) or len(term) < 2:
                continue
            common = [primary_sound(ch) or s for ch, s in zip(term, said, strict=True)]
            for sounds in (said, common):
                variants.setdefault("".join(token(s) for s in sounds), term)
        ordered = sorted(variants, key=lambda v: (-len(v), v))  # longest term first
        return table, {v: variants[v] for v in ordered}

    @classmethod
    def from_file(cls, path: Path, is_real_word: Callable[[str], bool]) -> Homophones:
        lines = path.read_text(encoding="utf-8").splitlines()
        terms = [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]
        return cls(terms, is_real_word)

    def rewrite(self, text: str) -> tuple[str, list[tuple[str, str]]]:
        """The text with misheard domain terms corrected, and the (span, term) pairs changed."""
        heard = text.translate(self._table)
        m = self._pattern.search(heard)
        if m is None:
            return text, []
        changes: list[tuple[str, str]] = []
        out: list[str] = []
        done = 0
        while m is not None:
            term = self._terms[m.group()]
            start, end = m.span()
            span = text[start:end]
            if span != term and self._accept(text, start, end, term):
                out.append(text[done:start])
                out.append(term)
                changes.append((span, term))
                done = end
                m = self._pattern.search(heard, end)
            elif span == term:
                m = self._pattern.search(heard, end)
            else:
                m = self._pattern.search(heard, start + 1)
        out.append(text[done:])
        return "".join(out), changes

    def _accept(self, text: str, start: int, end: int, term: str) -> bool:
        span = text[start:end]
        # recognisers rarely get every character wrong: 也住 is not a slip for 业主
        if not set(span) & set(term) or self._is_real_word(span):
            return False
        return not self._straddles(text, start, end)

    def _straddles(self, text: str, start: int, end: int) -> bool:
        """A real word crosses the span's edge (我们楼电梯: 电梯 crosses 楼电), so no rewrite."""
        for edge in (start, end):
            for left in (1, 2):
                for right in (1, 2):
                    lo, hi = edge - left, edge + right
                    if lo < 0 or hi > len(text) or (lo >= start and hi <= end):
                        continue
                    if self._is_real_word(text[lo:hi]):
                        return True
        return False


# Traditional Chinese (Taiwan, Hong Kong, overseas relatives) is read as Simplified. OpenCC's
# plain t2s keeps 著 (著火 stays 著火, which no cue matches); tw2s writes the particle and the
# verb as 着 (着火, 看着) while 显著/著名 keep 著, the forms the corpus and the cues use. It
# leaves Simplified text unchanged, so it runs on every message (a few microseconds).
_T2S = opencc.OpenCC("tw2s")
# The characters tw2s changes when they stand alone (data/tw2s_chars.txt, written by
# `python -m nlp.normalize`; a test checks it against the installed OpenCC). A text without
# any of them is left as it is by tw2s too (its phrases all contain one: 乾燥, 著火, 甚麼), so
# the conversion runs only on the few messages that need it (么 is one: 什么 goes through it).
TW2S_CHARS_FILE = DATA / "tw2s_chars.txt"
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2A6DF),
               (0x2A700, 0x2EBEF), (0x2F800, 0x2FA1F))


def tw2s_changed_chars() -> str:
    """Every CJK character tw2s converts on its own, sorted (slow: for the data file)."""
    chars = [chr(c) for lo, hi in _CJK_RANGES for c in range(lo, hi + 1)]
    out = _T2S.convert("\n".join(chars)).split("\n")
    return "".join(c for c, o in zip(chars, out, strict=True) if c != o)


_TRADITIONAL = frozenset(TW2S_CHARS_FILE.read_text(encoding="utf-8").strip())
# Found in C by a character class of those in the BMP (sre keeps such a class as a bitmap; one
# with characters beyond it is a list, scanned ten times slower), and by the set only in the
# rare text that has a character beyond the BMP: three times faster than isdisjoint, which
# makes a string of every character of the text.
_TRADITIONAL_BMP = re.compile(
    "[" + "".join(sorted(re.escape(c) for c in _TRADITIONAL if ord(c) < 0x10000)) + "]")
_BEYOND_BMP = re.compile("[\U00010000-\U0010FFFF]")


def has_traditional(text: str) -> bool:
    """The text has a character tw2s changes (`not _TRADITIONAL.isdisjoint(text)`)."""
    return _TRADITIONAL_BMP.search(text) is not None or (
        _BEYOND_BMP.search(text) is not None and not _TRADITIONAL.isdisjoint(text))


def to_simplified(text: str) -> str:
    return _T2S.convert(text) if has_traditional(text) else text


# Cantonese-flavoured Mandarin (Guangdong, Hong Kong, relatives abroad) read as Mandarin: the
# particles and words only Cantonese writes (咗 = 了, 冇 = 没, 喺 = 在, 嚟 = 来 …), one character
# for one, so positions hold. 唔 is also Mandarin's "mm", so it is read as 不 only in a message
# that has one of the others (升降机困咗人 唔该快啲嚟).
_CANTONESE = str.maketrans({"咗": "了", "冇": "没", "喺": "在", "嚟": "来", "啲": "些", "佢": "他",
                            "嘅": "的", "睇": "看", "乜": "什", "哋": "们", "揾": "找", "搵": "找",
                            "嗰": "那", "噉": "这", "咁": "这", "俾": "给", "畀": "给",
                            # round six: what is seen and done in an emergency (揸住把刀 拿着刀,
                            # 掟 扔, 燶味 糊味, 门罅 门缝, 𨋢 梯, 嗌 喊, 啱啱 刚刚, 仲 还, 晒 了)
                            "揸": "拿", "掟": "扔", "燶": "糊", "罅": "缝", "𨋢": "梯", "嗌": "喊",
                            "嘢": "物", "啱": "刚", "仲": "还", "晒": "了", "斩": "砍"})
_CANTONESE_ONLY = frozenset("咗冇喺嚟啲佢嘅睇哋揾搵嗰噉咁畀揸掟燶罅𨋢嗌嘢啱")
# Two-character words, replaced before the characters (the same length: positions hold).
_CANTONESE_WORDS = (("唔该", "谢谢"), ("部𨋢", "电梯"), ("入面", "里面"), ("隔篱", "隔壁"))


# (a character class finds one in C; isdisjoint made a string of every character of the text)
_CANTONESE_ONLY_CHAR = re.compile("[" + "".join(sorted(map(re.escape, _CANTONESE_ONLY))) + "]")


def from_cantonese(text: str) -> str:
    if not _CANTONESE_ONLY_CHAR.search(text):
        return text
    for word, mandarin in _CANTONESE_WORDS:
        text = text.replace(word, mandarin)
    return text.replace("唔", "不").translate(_CANTONESE)


# Every character some step of `clean` below changes or acts on besides lower-casing: Cantonese
# and Traditional ones, full-width forms, control characters, whitespace but the plain space;
# with two spaces in a row and characters beyond the BMP (Traditional ones among them, as the
# class is kept to the BMP: see _TRADITIONAL_BMP), what a text must hold for the steps to do
# anything. Most messages hold none, and for them `clean` is strip and lower.
_SPACE_CHARS = "".join(c for c in map(chr, range(0x3001)) if c.isspace() and c != " ")
_TOUCHED = re.compile(
    "[" + "".join(sorted(map(re.escape, {*_CANTONESE_ONLY, *_TRADITIONAL, *_SPACE_CHARS,
                                          *map(chr, _HALFWIDTH), *map(chr, range(0x20)), "\x7f"}
                                      - {c for c in _TRADITIONAL if ord(c) >= 0x10000}
                                      - {c for c in _CANTONESE_ONLY if ord(c) >= 0x10000})))
    + "]|  |[\U00010000-\U0010FFFF]")


def clean(text: str) -> str:
    """Simplified characters, Mandarin for Cantonese particles, half-width letters and digits,
    lower case, single spaces, no control characters."""
    if _TOUCHED.search(text) is None:  # nothing `clean_steps` does would change it
        return text.strip().lower()
    return clean_steps(text)


def clean_steps(text: str) -> str:
    """`clean`, every step taken."""
    # Cantonese first: tw2s rewrites some of its characters (嗰 → 𠮶, 燶 → 㶶) out of the table
    text = to_simplified(from_cantonese(text))
    if _FULLWIDTH.search(text):  # rare, and translate with a dict is not free
        text = text.translate(_HALFWIDTH)
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text).strip().lower()


if __name__ == "__main__":
    TW2S_CHARS_FILE.write_text(tw2s_changed_chars() + "\n", encoding="utf-8")
    print(f"wrote {TW2S_CHARS_FILE}")
