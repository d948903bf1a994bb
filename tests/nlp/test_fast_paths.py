"""The speed work's shortcuts give what the plain way gives (docs/nlp.md, the classifier's speed,
third round): a regex tried only where a match can begin, a clause's probability made only when
it can count, the model's logits from masked fields."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp import Analyzer
from nlp.cues import _COMPOUND, CATEGORY_CUES, CUES
from nlp.focus import _SPANS
from nlp.normalize import clean
from nlp.scan import Starts, first_chars
from nlp.training import CORPUS, corpus_files

HERE = Path(__file__).parent
# Texts that sit on the edges: a match at the very start or end, one ending where the next
# begins, lookbehinds that look before where the scan resumes, empty and punctuation-only
# texts, Latin letters and digits, full-width forms, Traditional characters, emoji.
AWKWARD = [
    "", "，", "物业", "找物业也没用找物业也没用", "我是3栋的业主我是3栋的业主",
    "物业费太贵了，物业说不归他们管", "尊敬的领导您好：自2019年入住以来多次反映",
    "没人管没人管没人管", "燃气表那块贴满了小广告，消防栓旁边堆满了垃圾",
    "'燃气泄漏检测'的小广告", "城管到现在都没来：北巷口那个修车铺把废机油倒进雨水井",
    "ABC物业xyz12345热线", "樓道裡著火了快來人", "电梯关人了😭😭", "１２３４５热线打不通",
    "不是煤气味，是塑料烧焦的味", "着火了着火了", "楼上漏水漏到我家客厅里了，家里进水了",
    "有人在打架，拿着刀", "电梯不走了 我奶奶还在里头", "孩子被锁在车里出不来",
]


def _texts() -> list[str]:
    paths = (*corpus_files([CORPUS]), HERE / "regression.jsonl")
    texts = [json.loads(line)["text"] for path in paths
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [clean(t) for t in (*AWKWARD, *texts[::3])]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return _texts()


def _patterns() -> list[re.Pattern[str]]:
    out = [_SPANS, *(c.pattern for c in CUES), *(c.pattern for c in CATEGORY_CUES)]
    out += [part for _, parts, _, _ in _COMPOUND for part in parts]
    return out


def test_first_characters_are_read_off_the_pattern() -> None:
    assert first_chars(re.compile(r"(?:找|问)?(?:了|过)?物业")) == frozenset("找问了过物")
    assert first_chars(re.compile(r"(?<![是要])不是[a-c0-1]")) == frozenset("不")
    assert first_chars(re.compile(r"^(?:\s*)?火")) == frozenset({"\\s", "火"})
    assert first_chars(re.compile(r"^\s*火")) == frozenset({"\\s", "火"})  # categories kept
    assert first_chars(re.compile(r"[\d十]+度")) == frozenset({"\\d", "十"})
    assert first_chars(re.compile(r"(?:^|\s|了)好")) == frozenset({"\\s", "了", "好"})
    assert first_chars(re.compile(r"\w火")) is None                # other categories: not told
    assert first_chars(re.compile(r"a?")) is None                 # can match nothing
    assert first_chars(re.compile(r".火")) is None
    assert first_chars(re.compile(r"[^，]火")) is None
    assert first_chars(re.compile(r"(?i)ab")) is None             # case folded
    assert first_chars(re.compile(r"(?i:a)b")) is None


def test_starts_finds_what_the_pattern_finds(texts: list[str]) -> None:
    """Every cue pattern, every compound part and the focus's spans: the same matches by
    finditer and search (also from a position and up to an end) as the pattern's own."""
    patterns = _patterns()
    assert sum(Starts(p)._start is not None for p in patterns) > len(patterns) * 0.9
    # the places are skipped to in C for every pattern whose first characters are known
    assert all(Starts(p)._skip is not None for p in patterns if Starts(p)._start is not None)
    for pattern in patterns:
        scan = Starts(pattern)
        for text in texts:
            want = [m.span() for m in pattern.finditer(text)]
            assert scan.spans(text) == want, (pattern.pattern[:40], text)
            assert [m.span() for m in scan.finditer(text)] == want
            mid = len(text) // 2
            for pos, end in ((0, len(text)), (mid, len(text)), (0, mid), (1, max(1, mid))):
                a = pattern.search(text, pos, end)
                b = scan.search(text, pos, end)
                assert (a and a.span()) == (b and b.span()), (pattern.pattern[:40], text, pos)


def test_a_pattern_that_cannot_go_inside_the_skip_is_tried_place_by_place() -> None:
    """A global flag at its start cannot stand inside another pattern: the places are tried
    from Python, with the same matches."""
    pattern = re.compile(r"(?s)(?:找|问)?物业.")
    scan = Starts(pattern)
    assert scan._skip is None and scan._start is not None
    for text in ("找物业\n", "物业物业费", "问问物业", "物", ""):
        assert scan.spans(text) == [m.span() for m in pattern.finditer(text)]
        assert (scan.search(text, 1) and scan.search(text, 1).span()) == \
            (pattern.search(text, 1) and pattern.search(text, 1).span())


_STARTS = sorted({ch for p in _patterns() for ch in (first_chars(p) or ()) if len(ch) == 1})


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=[*_STARTS[::3], *"物业找没人管不是着火了煤气味，。 3a😭"], max_size=40))
def test_starts_on_generated_texts(text: str) -> None:
    """Texts dense with the characters matches begin with (where the skip stops and starts
    again most): the same matches as the patterns' own."""
    for pattern in _patterns():
        scan = Starts(pattern)
        assert scan.spans(text) == [m.span() for m in pattern.finditer(text)]
        for pos in (0, len(text) // 3):
            a, b = pattern.search(text, pos), scan.search(text, pos)
            assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups()))


def test_a_pattern_that_cannot_be_told_is_scanned_as_it_is() -> None:
    pattern = re.compile(r"x*")
    scan = Starts(pattern)
    assert scan._start is None
    assert scan.spans("axxb") == [m.span() for m in pattern.finditer("axxb")]


def test_model_logits_and_clause_problems_equal_the_plain_way(analyzer: Analyzer,
                                                               texts: list[str]) -> None:
    """Joint.model_logits is model.logits bit for bit; _clause_problems with what is already
    known left out is the plain one's list less those (the probability is made only when it
    can count)."""
    from nlp.features import extract_sets
    from nlp.pipeline import CLAUSE_CONFIDENCE, _by_clause, _clause_problems, _clauses

    joint = analyzer._scorer()
    model = joint.model
    classes = model.classes
    checked = 0
    for text in texts:
        norm, words = analyzer._prep.prepare(text)
        total = joint.total(*extract_sets(norm, words, model.config))
        n = (total >> joint._count_shift) & ((1 << 48) - 1)
        assert joint.model_logits(total) == model.logits(total, n)
        clauses = _clauses(norm, words)
        if not clauses:
            continue
        parts = _by_clause(norm, words, clauses, joint, model.config)[3]
        plain: list[str] = []
        for part in parts:
            c, p = model.best(joint.model_logits(part))
            if p >= CLAUSE_CONFIDENCE and c not in plain and c not in ("other", "consult"):
                plain.append(c)
        for known in ((), (classes[0],), tuple(plain[:1]), tuple(plain)):
            assert _clause_problems(parts, joint, known) == [c for c in plain if c not in known]
        checked += bool(plain)
    assert checked > 20
    assert math.isfinite(sum(joint.model_logits(0)))


def test_traditional_characters_are_found_as_the_set_finds_them(texts: list[str]) -> None:
    """normalize.has_traditional (a class of the BMP's, the set beyond it) says what
    `not _TRADITIONAL.isdisjoint(text)` says: on every character tw2s changes, alone and in a
    sentence, on characters beyond the BMP that it does and does not change, and on the texts."""
    from nlp.normalize import _TRADITIONAL, has_traditional

    beyond = sorted(c for c in _TRADITIONAL if ord(c) >= 0x10000)
    assert beyond  # the table has some: the second test is exercised
    samples = [*texts, *_TRADITIONAL, *(f"楼道里{c}了" for c in sorted(_TRADITIONAL)[::7]),
               "部𨋢坏了", "𠀀𠀁", f"电梯{beyond[0]}", "😀着火"]
    for text in samples:
        assert has_traditional(text) == (not _TRADITIONAL.isdisjoint(text)), text


# Characters around the location patterns' anchors: names, suffixes, roads, joining words,
# digits, punctuation, so generated texts put anchors at every distance from a match's start.
_NEAR_ANCHORS = ("阳光小区社区花园家园新村大厦苑府湾园幸福的我住在解放路街大道"
                 "和与跟、中山0123，。 "
                 "栋幢座单元室房户号楼层梯#-—/一二两三十零幺几这共有居民年abAB")


def _anchored() -> list[tuple[str, re.Pattern[str], object]]:
    from nlp import location

    return [("community", location._COMMUNITY, location._COMMUNITY_AT),
            ("intersection", location._INTERSECTION, location._INTERSECTION_AT),
            ("road", location._ROAD, location._ROAD_AT),
            ("address hint", location._ADDRESS_HINT, location._ADDRESS_HINT_AT),
            ("triple", location._TRIPLE, location._TRIPLE_AT),
            ("triple named", location._TRIPLE_NAMED, location._TRIPLE_NAMED_AT),
            ("pair unit", location._PAIR_UNIT, location._PAIR_UNIT_AT),
            ("coded building", location._CODED_BUILDING, location._CODED_BUILDING_AT),
            ("building", location._BUILDING, location._BUILDING_AT),
            ("letter building", location._LETTER_BUILDING, location._LETTER_BUILDING_AT),
            ("unit", location._UNIT, location._UNIT_AT),
            ("room", location._ROOM, location._ROOM_AT)]


def _same_matches(pattern: re.Pattern[str], fast: object, text: str) -> None:
    for pos in range(len(text) + 1):
        a = pattern.search(text, pos)
        b = fast.search(text, pos)  # type: ignore[attr-defined]
        assert (a and (a.span(), a.groupdict())) == (b and (b.span(), b.groupdict())), \
            (pattern.pattern[:30], text, pos)
    want = [(m.span(), m.groupdict()) for m in pattern.finditer(text)]
    got = [(m.span(), m.groupdict()) for m in fast.finditer(text)]  # type: ignore[attr-defined]
    assert got == want, (pattern.pattern[:30], text)


def test_anchored_location_patterns_find_what_the_patterns_find(texts: list[str]) -> None:
    """The community, intersection and road patterns searched from before their first anchor
    (scan.Anchored) give the same matches and groups as the patterns, from every position."""
    awkward = ["阳光小区", "小区", "阳光花园小区3栋", "金溪社区溪畔新村3栋",
               "的小区里", "幸福家园家园", "一二三四五六七八九小区", "0123456789小区",
               "解放路和中山路交叉口", "路和路", "解放大道与人民大街", "在中山路上", "大道",
               "我住在阳光苑，解放路、中山街口", "3-2-301", "9号楼-2-301", "2-3单元", "b12栋",
               "锦绣华庭B座", "一栋三单元502", "两栋楼", "居民420户", "18层1803号", "楼三零二",
               "住户301户", "12月3号楼下", "六号楼的八零二", "在 楼302",
               "3 层 1203"]
    for _, pattern, fast in _anchored():
        for text in (*awkward, *texts):
            _same_matches(pattern, fast, text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_NEAR_ANCHORS, max_size=30))
def test_anchored_location_patterns_on_generated_texts(text: str) -> None:
    for _, pattern, fast in _anchored():
        _same_matches(pattern, fast, text)


def test_scanned_rule_patterns_search_as_the_patterns_do(texts: list[str]) -> None:
    """The rule modules' patterns that re tries at every position are searched through
    `Starts` (scan.scan_patterns): the same match as the plain pattern's, from the start, from
    a position and up to an end, on the texts and on each text's bare form (intent's rules
    search both)."""
    import nlp.cues as cues
    import nlp.intent as intent
    import nlp.location as location
    import nlp.rules as rules
    import nlp.urgency as urgency
    from nlp.scan import Scanned, skips_ahead

    modules = (intent, cues, urgency, rules, location)
    assert len(intent.SCANNED) > 30 and all(m.SCANNED for m in modules)
    for module, name in [(m, n) for m in modules for n in m.SCANNED]:
        fast = getattr(module, name)
        assert isinstance(fast, Scanned) and not skips_ahead(fast.plain)
        for text in (*texts[::2], *map(intent._bare, texts[1::4])):
            mid = len(text) // 2
            for pos, end in ((0, len(text)), (mid, len(text)), (0, mid), (1, max(1, mid))):
                a = fast.plain.search(text, pos, end)
                b = fast.search(text, pos, end)
                assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups())), \
                    (name, text, pos, end)
            a, b = fast.plain.search(text), fast.search(text)
            assert (a and a.span()) == (b and b.span()), (name, text)
            # finditer and sub (a literal, a template and a function) go through it too
            for pos, end in ((0, len(text)), (mid, len(text)), (1, max(1, mid))):
                assert [(m.span(), m.groups()) for m in fast.finditer(text, pos, end)] == \
                    [(m.span(), m.groups()) for m in fast.plain.finditer(text, pos, end)], \
                    (name, text, pos, end)
            for repl in ("", " ", "<\\g<0>>", lambda m: f"[{len(m.group())}]"):
                assert fast.sub(repl, text) == fast.plain.sub(repl, text), (name, text)
    assert skips_ahead(re.compile("物业|物管")) and not skips_ahead(re.compile("(?:找)?物业"))


def test_clean_of_a_text_no_step_touches_is_strip_and_lower(texts: list[str]) -> None:
    """normalize.clean skips its steps for a text without a character they act on: the same
    result as taking every step, for each such character alone and inside a sentence, for
    every kind of whitespace, two spaces, characters beyond the BMP, and the raw corpus."""
    from nlp.normalize import (
        _CANTONESE_ONLY,
        _HALFWIDTH,
        _SPACE_CHARS,
        _TRADITIONAL,
        clean,
        clean_steps,
    )

    raw = [json.loads(line)["text"] for path in corpus_files([CORPUS])
           for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    odd = sorted({*_CANTONESE_ONLY, *_TRADITIONAL, *_SPACE_CHARS, *map(chr, _HALFWIDTH),
                  *map(chr, range(0x20)), "\x7f", "\U0001F600", "𨋢", "A", "Ｚ", " "})
    samples = [*raw[::2], *AWKWARD, *odd, *(f" 3号楼{c}楼道 " for c in odd),
               "楼道  灯坏了", " 楼道灯坏了 ", "ABC", "唔该", "部𨋢坏咗", "入面好臭"]
    for text in samples:
        assert clean(text) == clean_steps(text), repr(text)
    assert all(not chr(c).isspace() for c in range(0x3001, 0x110000))  # _SPACE_CHARS is all


def _same_scores(analyzer: Analyzer, text: str, words: list[str]) -> None:
    from nlp.features import extract_ids, extract_sets, gram_id

    joint = analyzer._scorer()
    config = joint.model.config
    wset, cset = extract_sets(text, words, config)
    wids, ids = extract_ids(text, words, config)
    assert wids == wset
    named = {gram_id(c) for c in cset}
    assert named <= ids
    # what the ids hold besides the n-grams (a blank, pairs with a blank) is in no table
    assert all(g not in joint._ids for g in ids - named)
    assert joint.total_ids(wids, ids) == joint.total(wset, cset)


def test_ngram_ids_score_as_the_ngram_strings(analyzer: Analyzer) -> None:
    """Serving's n-grams as integers (features.extract_ids, Joint.total_ids) give the sums the
    strings give (extract_sets, Joint.total), bit for bit, on every corpus row: the whole
    message, each clause and the focus, as the pipeline reads them."""
    from nlp.features import focus_view
    from nlp.pipeline import _clauses

    joint = analyzer._scorer()
    assert len(joint._ids) == len(joint._chars)  # no two n-grams share an id
    paths = (*corpus_files([CORPUS]), HERE / "regression.jsonl")
    texts = [json.loads(line)["text"] for path in paths
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for raw in (*AWKWARD, *texts):
        norm, words = analyzer._prep.prepare(raw)
        _same_scores(analyzer, norm, words)
        for start, end, first, last in _clauses(norm, words):
            _same_scores(analyzer, norm[start:end], words[first:last])
        view = focus_view(norm, words)
        if view is not None:
            _same_scores(analyzer, *view)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="火着了楼道物业不是并非3０٣aZé ，。!?\n\t😭𠮶丶㐀鿿", max_size=40))
def test_ngram_ids_on_generated_texts(analyzer: Analyzer, text: str) -> None:
    """Digits of any script, Latin letters, the runs' edges (㐀, 鿿), characters beyond the BMP,
    blanks and punctuation: the ids score as the strings."""
    norm, words = analyzer._prep.prepare(text)
    _same_scores(analyzer, norm, words)
    _same_scores(analyzer, text, list(text))  # words that do not tile a normalised text too
