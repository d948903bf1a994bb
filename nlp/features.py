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
import sys
from array import array
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


def _undenied(normalised: str, words: list[str]) -> tuple[str, list[str]]:
    """The text and words with what a contrastive negation denies blanked."""
    if "不是" in normalised or "并非" in normalised:
        spans = denied_spans(normalised)
        if spans:
            return _without(normalised, words, spans)
    return normalised, words


def _word_set(words: list[str], cfg: dict[str, Any]) -> set[str]:
    if not cfg.get("words", True):
        return set()
    # isalnum drops punctuation and spaces (Han characters count as alphanumeric)
    wset = set(filter(str.isalnum, words))
    if any(map(str.isdigit, wset)):
        wset = {("0" if w.isdigit() else w) for w in wset}
    return wset


def extract_sets(normalised: str, words: list[str],
                 config: dict[str, Any] | None = None) -> tuple[set[str], set[str]]:
    """(word features, character n-gram features) without prefixes."""
    cfg = config or DEFAULT_CONFIG
    lo, hi = int(cfg["ngram_min"]), int(cfg["ngram_max"])
    normalised, words = _undenied(normalised, words)
    wset = _word_set(words, cfg)
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


# Serving reads the character n-grams as integers (`extract_ids`): a character is its code point
# and a pair of neighbours the two code points' UTF-16 units read as one 32-bit integer. The
# runs' characters are all in the BMP (_RUNS), so each is one UTF-16 unit; the ids are made in C
# (`array` over the encoded text) instead of a new string and its hash for every n-gram, and an
# integer's hash and equality are trivial. A pair's id is >= 2**16 (its second unit is not 0),
# so it is never a character's.
_UTF16 = "utf-16-le" if sys.byteorder == "little" else "utf-16-be"
_IDS = array("H").itemsize == 2 and array("I").itemsize == 4
_NOT_RUN = re.compile(r"[^0-9a-z\u3400-\u9fff]+")


def gram_id(gram: str) -> int | str:
    """What `extract_ids` stands for a character or a pair of them by (a longer n-gram, of a
    model configured so, stands for itself)."""
    if len(gram) == 1:
        return ord(gram)
    if len(gram) == 2 and _IDS and len(raw := gram.encode(_UTF16)) == 4:
        return array("I", raw)[0]
    return gram


def by_gram_id(table: dict[str, int]) -> dict[int | str, int]:
    """A table of n-grams keyed by their `gram_id`s."""
    return {gram_id(gram): value for gram, value in table.items()}


def extract_ids(normalised: str, words: list[str],
                config: dict[str, Any] | None = None) -> tuple[set[str], set[int | str]]:
    """`extract_sets` with the n-grams as `gram_id`s, plus ids of a blank and of pairs with a
    blank (no feature has one: they look up nothing). Only for the n-grams of 1 and 2
    characters every shipped model uses; other configurations are made from extract_sets."""
    cfg = config or DEFAULT_CONFIG
    if int(cfg["ngram_min"]) != 1 or int(cfg["ngram_max"]) != 2 or not _IDS:
        wset, cset = extract_sets(normalised, words, cfg)
        return wset, set(map(gram_id, cset))
    normalised, words = _undenied(normalised, words)
    # every character outside the runs becomes one blank, so the pairs across two runs hold it
    text = _NOT_RUN.sub(" ", fold(normalised))
    raw = text.encode(_UTF16)
    ids = set(array("H", raw))
    n = len(text)
    ids.update(array("I", raw[:n // 2 * 4]))             # pairs begun at even places
    ids.update(array("I", raw[2:2 + (n - 1) // 2 * 4]))  # and at odd ones
    return _word_set(words, cfg), ids


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
