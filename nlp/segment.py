"""Word segmentation: jieba with our domain dictionary and the district's place names.

A private `jieba.Tokenizer` keeps our words (and the gazetteer added at run time) out of the
process-wide default tokenizer other code may use. HMM discovery of unknown words is off: it
is the slow part of jieba, and the character n-grams already cover words jieba does not know.

The main dictionary is jieba's own without its rarest words (frequency below `MIN_FREQ`: 60% of
its 349,000 entries, mostly names, transliterations and rare idioms). Loading jieba's full
dictionary is a third of a second in a warm process and a second or more in a fresh one, the
largest part of the classifier's cold start; the pruned one loads in a third of that. A rare
word jieba no longer knows is cut into shorter words, which the character n-grams cover anyway;
the model is trained on the same segmentation, so training and serving agree.
"""

from __future__ import annotations

import logging
import marshal
import math
import os
import sys
import tempfile
import threading
from collections.abc import Iterable
from hashlib import md5
from pathlib import Path

from nlp.model import own_file

# jieba 0.42 imports pkg_resources only to open its own data files, and falls back to a plain
# open() when it cannot; importing pkg_resources (setuptools) is a third of a second of the
# classifier's cold start, so jieba is imported with it hidden, and it is put back at once.
_hidden = sys.modules.get("pkg_resources", False)
sys.modules["pkg_resources"] = None  # type: ignore[assignment]
try:
    import jieba
finally:
    if _hidden is False:
        del sys.modules["pkg_resources"]
    else:
        sys.modules["pkg_resources"] = _hidden

logger = logging.getLogger(__name__)

DATA = Path(__file__).parent / "data"
USER_DICT = DATA / "userdict.txt"
# A gazetteer name must beat any split jieba would prefer (金色 + 港湾).
PLACE_FREQ = 50_000

# jieba's words rarer than this are left out of the main dictionary (see the module's docstring).
MIN_FREQ = 5

jieba.setLogLevel(logging.WARNING)

# `_Tokenizer._lattice` values beside log-probabilities (which are <= 0): the fragment only
# begins longer words, or no word at all.
PREFIX = 1.0
ABSENT = 2.0


def pruned_dictionary(min_freq: int = MIN_FREQ, folder: Path | None = None) -> Path | None:
    """jieba's main dictionary without the words rarer than `min_freq`, written once into the
    temporary folder (where jieba keeps its own cache) and reused; None when it cannot be
    written there, and the full dictionary is used."""
    source = Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME
    stamp = f"{jieba.__version__}-{source.stat().st_size}-{min_freq}"
    path = (folder or Path(tempfile.gettempdir())) / f"gridbot-jieba-{stamp}.txt"
    try:
        with path.open("rb") as fh:
            if own_file(fh.fileno()):
                return path
        path.unlink()  # someone else's file: replaced by ours below, or the full dictionary
    except OSError:
        pass
    kept: list[str] = []
    with source.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split(" ")
            if len(parts) >= 2 and parts[1].strip().isdigit() and int(parts[1]) >= min_freq:
                kept.append(line)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".part")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.writelines(kept)
        os.replace(tmp, path)
    except OSError as exc:
        logger.warning("segment: cannot write the pruned dictionary to %s (%s); "
                       "using jieba's full one", path.parent, exc)
        return None
    return path


class _Tokenizer(jieba.Tokenizer):
    """jieba's tokenizer with the dynamic-programming step caching log-probabilities.

    `get_DAG` and `calc` are jieba's own algorithm (same lattice, same route, same tie-break
    towards the longer word; a test checks the words are identical), but jieba looks every
    fragment up twice and recomputes log(freq) for every candidate of every message. Doing it
    once and caching the logarithms makes segmentation ~30% faster, which matters because
    segmentation is a third of `analyze`. `fast_lcut` goes further: one cached number per
    fragment (`_lattice`) says whether it is a word (and its log-probability), the beginning of
    one or neither, so each candidate of the lattice costs one dict lookup, not two.
    """

    CACHE_LIMIT = 200_000

    def __init__(self, dictionary: Path | None = None) -> None:
        if dictionary is None:
            super().__init__()
        else:
            super().__init__(str(dictionary))
        self._logp: dict[str, float] = {}
        self._lattice: dict[str, float] = {}

    def initialize(self, dictionary: str | None = None) -> None:
        """jieba's, but its cache is read with marshal.loads(fh.read()): jieba's marshal.load(fh)
        calls the file's readinto for every one of the prefix dictionary's 180,000 words, a
        third of a second of the classifier's cold start. No cache (or a stale one): jieba's."""
        if dictionary is None and not self.initialized:
            with self.lock:
                if not self.initialized:
                    self._load_jieba_cache()
        super().initialize(dictionary)

    def _load_jieba_cache(self) -> None:
        path = self.dictionary  # jieba's naming and staleness rule (Tokenizer.initialize)
        if self.cache_file:
            name = self.cache_file
        elif path == jieba.DEFAULT_DICT:
            name = "jieba.cache"
        else:
            name = f"jieba.u{md5(path.encode('utf-8', 'replace')).hexdigest()}.cache"
        cache = os.path.join(self.tmp_dir or tempfile.gettempdir(), name)
        try:
            if path != jieba.DEFAULT_DICT and os.path.getmtime(cache) <= os.path.getmtime(path):
                return
            with open(cache, "rb") as fh:
                freq, total = marshal.loads(fh.read())
        except (OSError, EOFError, ValueError, TypeError):
            return
        self.FREQ, self.total, self.initialized = freq, total, True

    def add_word(self, word: str, freq: int | None = None, tag: str | None = None) -> None:
        super().add_word(word, freq, tag)
        # the total changed, so every cached probability did (and a word or prefix is new)
        self._logp, self._lattice = {}, {}

    def get_DAG(self, sentence: str) -> dict[int, list[int]]:  # jieba's name
        """jieba's word lattice, with one dict lookup per candidate instead of two."""
        self.check_initialized()
        freq = self.FREQ
        n = len(sentence)
        dag: dict[int, list[int]] = {}
        for k in range(n):
            ends = []
            i = k
            f = freq.get(sentence[k])
            while f is not None:
                if f:
                    ends.append(i)
                i += 1
                if i >= n:
                    break
                f = freq.get(sentence[k:i + 1])
            dag[k] = ends or [k]
        return dag

    def calc(self, sentence: str, DAG: dict[int, list[int]],  # jieba's name
             route: dict[int, tuple[float, int]]) -> None:
        n = len(sentence)
        route[n] = (0.0, 0)
        logp, freq = self._logp, self.FREQ
        if len(logp) > self.CACHE_LIMIT:
            logp.clear()
        logtotal = math.log(self.total)
        for idx in range(n - 1, -1, -1):
            best_s, best_x = -math.inf, idx
            for x in DAG[idx]:
                w = sentence[idx:x + 1]
                lp = logp.get(w)
                if lp is None:
                    lp = logp[w] = math.log(freq.get(w) or 1) - logtotal
                score = lp + route[x + 1][0]
                if score >= best_s:  # ties go to the later end, as in jieba's max()
                    best_s, best_x = score, x
            route[idx] = (best_s, best_x)


    def fast_lcut(self, sentence: str) -> list[str]:
        """jieba's `lcut(sentence, HMM=False)` in one function: the same blocks, lattice, route
        and joining of single Latin letters and digits, without jieba's three layers of
        generators and the DAG dict (the route is computed while the lattice is scanned)."""
        self.check_initialized()
        words: list[str] = []
        # split() with a group alternates the text between matches (even places, which never
        # match: a character that could would have started one) and matches (odd places)
        for k, blk in enumerate(jieba.re_han_default.split(sentence)):
            if not blk:
                continue
            if k & 1:
                self._cut_block(blk, words)
            else:
                for j, x in enumerate(jieba.re_skip_default.split(blk)):
                    if j & 1:
                        words.append(x)
                    else:
                        words.extend(x)
        return words

    def _lattice_entry(self, fragment: str) -> float:
        """What `_cut_block` needs to know of a fragment, in one number (cached in `_lattice`):
        its log-probability (<= 0) when it is a word, PREFIX when it only begins longer words,
        ABSENT when no word begins with it."""
        table = self._lattice
        if len(table) > self.CACHE_LIMIT:
            table.clear()
        f = self.FREQ.get(fragment)
        if f is None:
            v = ABSENT
        elif f:
            v = math.log(f) - math.log(self.total)
        else:
            v = PREFIX
        table[fragment] = v
        return v

    def _cut_block(self, sentence: str, words: list[str]) -> None:
        get, entry = self._lattice.get, self._lattice_entry
        n = len(sentence)
        best_score = [0.0] * (n + 1)
        best_end = [0] * (n + 1)
        for idx in range(n - 1, -1, -1):
            best_s, best_x = -math.inf, idx
            i = idx
            w = sentence[idx]
            v = get(w)
            if v is None:
                v = entry(w)
            found = False
            while v < ABSENT:  # a word, or the beginning of one
                if v <= 0.0:
                    found = True
                    score = v + best_score[i + 1]
                    if score >= best_s:  # ties go to the later end, as in jieba
                        best_s, best_x = score, i
                i += 1
                if i >= n:
                    break
                w = sentence[idx:i + 1]
                v = get(w)
                if v is None:
                    v = entry(w)
            if not found:  # not in the dictionary: the character alone, frequency 1
                best_s, best_x = -math.log(self.total) + best_score[idx + 1], idx
            best_score[idx], best_end[idx] = best_s, best_x
        x = 0
        buf = ""
        while x < n:
            y = best_end[x] + 1
            word = sentence[x:y]
            if y - x == 1 and word.isascii() and word.isalnum():
                buf += word
            else:
                if buf:
                    words.append(buf)
                    buf = ""
                words.append(word)
            x = y
        if buf:
            words.append(buf)


class Segmenter:
    def __init__(self, user_dict: Path = USER_DICT) -> None:
        self._tok = _Tokenizer(pruned_dictionary())
        self._lock = threading.Lock()
        self._user_dict = user_dict
        self._ready = False

    def warm(self) -> None:
        with self._lock:
            if self._ready:
                return
            self._tok.initialize()
            self._tok.load_userdict(str(self._user_dict))
            self._ready = True

    def add_words(self, words: Iterable[str], freq: int = PLACE_FREQ) -> None:
        self.warm()
        with self._lock:
            for w in words:
                w = w.strip()
                if len(w) >= 2:
                    self._tok.add_word(w, freq=freq)

    def cut(self, text: str) -> list[str]:
        if not self._ready:
            self.warm()
        return self._tok.fast_lcut(text)

    def word_freq(self, word: str) -> int:
        if not self._ready:
            self.warm()
        return self._tok.FREQ.get(word) or 0

    def domain_words(self) -> list[str]:
        """Our own dictionary's words: what counts as a domain term for keywords."""
        lines = self._user_dict.read_text(encoding="utf-8").splitlines()
        return [ln.split()[0] for ln in lines if ln.strip() and not ln.startswith("#")]
