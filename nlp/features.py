"""The classifier's features, shared by training and serving so the two can never drift.

Features are jieba words and character n-grams of the normalised text. Digits are folded to 0
so 3号楼 and 15号楼 look alike, and n-grams never cross punctuation or spaces. Each message is a
set of features (presence, not counts): complaints are short and a word repeated for emphasis
should not outvote the rest. Words and n-grams are kept apart (电梯 the word is not 电梯 the
bigram); training names them `w:…` and `c:…`, serving keeps two sets to skip the prefixing.

What a contrastive negation denies is left out (「不是煤气味，是塑料烧焦的味」 is not about gas,
「不是消防通道，就是普通的路」 not about a fire lane): the words between 不是 and the end of
the clause give no features. 是不是 (a question) is not a negation, and 不亮/没水 are untouched.
"""

from __future__ import annotations

import re
from operator import add
from typing import Any

from nlp.focus import focus_spans

DEFAULT_CONFIG: dict[str, Any] = {"ngram_min": 1, "ngram_max": 2, "words": True}

_RUNS = re.compile(r"[0-9a-z\u3400-\u9fff]+")
_DIGITS = re.compile(r"\d+")
_DENIED = re.compile(r"(?<![是要])(?:并不是|也不是|而不是|不是|并非)"
                     r"(?P<x>[^，。！？,.!?;；\s]{1,12}?)"
                     r"(?=[，。！？,.!?;；\s]|而是|就是|是|$)")


def denied_spans(text: str) -> list[tuple[int, int]]:
    return [m.span("x") for m in _DENIED.finditer(text)]


def fold(text: str) -> str:
    return _DIGITS.sub("0", text)


def extract_sets(normalised: str, words: list[str],
                 config: dict[str, Any] | None = None) -> tuple[set[str], set[str]]:
    """(word features, character n-gram features) without prefixes."""
    cfg = config or DEFAULT_CONFIG
    lo, hi = int(cfg["ngram_min"]), int(cfg["ngram_max"])
    if "不是" in normalised or "并非" in normalised:
        spans = denied_spans(normalised)
        if spans:
            normalised, words = _without(normalised, words, spans)
    wset: set[str] = set()
    if cfg.get("words", True):
        # isalnum drops punctuation and spaces (Han characters count as alphanumeric)
        wset = set(filter(str.isalnum, words))
        if any(map(str.isdigit, wset)):
            wset = {("0" if w.isdigit() else w) for w in wset}
    cset: set[str] = set()
    for run in _RUNS.findall(fold(normalised)):
        for size in range(lo, hi + 1):
            if size == 1:
                cset.update(run)
            elif size == 2:  # pairs of neighbours, built in C
                cset.update(map(add, run, run[1:]))
            else:
                cset.update(run[i:i + size] for i in range(len(run) - size + 1))
    return wset, cset


def focus_sets(normalised: str, words: list[str],
               config: dict[str, Any] | None = None) -> tuple[set[str], set[str]] | None:
    """The word and n-gram sets of the message's focus (focus.py: the message without who was
    asked, who did nothing, preambles and pleas), or None when the whole message is its focus."""
    view = focus_view(normalised, words)
    return None if view is None else extract_sets(*view, config)


def focus_view(normalised: str, words: list[str]) -> tuple[str, list[str]] | None:
    """The text and words of the message's focus (what focus.focus_spans leaves out becomes
    blanks, so positions and the tiling by words hold), or None when it is the whole text."""
    spans = focus_spans(normalised)
    return _without(normalised, words, spans) if spans else None


def _without(text: str, words: list[str], spans: list[tuple[int, int]],
             ) -> tuple[str, list[str]]:
    chars = list(text)
    removed = bytearray(len(text))  # 1 where a span covers the character
    for a, b in spans:
        chars[a:b] = " " * (b - a)
        removed[a:b] = b"\x01" * (b - a)
    if any(a >= b for a, b in spans):  # an empty span removes the word around it
        return "".join(chars), _without_words(words, spans)
    kept: list[str] = []
    pos = 0
    for w in words:  # jieba's words tile the text, so offsets are running sums
        end = pos + len(w)
        # a removed word becomes blanks, so the words still tile the (blanked) text
        kept.append(" " * len(w) if removed.find(1, pos, end) >= 0 else w)
        pos = end
    return "".join(chars), kept


def _without_words(words: list[str], spans: list[tuple[int, int]]) -> list[str]:
    kept: list[str] = []
    pos = 0
    for w in words:
        end = pos + len(w)
        kept.append(" " * len(w) if any(a < end and pos < b for a, b in spans) else w)
        pos = end
    return kept


def extract(normalised: str, words: list[str], config: dict[str, Any] | None = None) -> set[str]:
    """The prefixed feature names training uses."""
    wset, cset = extract_sets(normalised, words, config)
    return {"w:" + w for w in wset} | {"c:" + c for c in cset}
