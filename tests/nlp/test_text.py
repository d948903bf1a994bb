"""Segmentation keeps domain words; voice-to-text homophones are corrected, real words are not."""

from __future__ import annotations

import pytest

from nlp.normalize import clean, to_halfwidth
from nlp.numbers import cn_to_int
from nlp.text import TextPrep


@pytest.mark.parametrize("text, word", [
    ("楼道里有人飞线给电瓶车充电", "飞线"),
    ("楼道里有人飞线给电瓶车充电", "电瓶车"),
    ("路口的井盖被偷了", "井盖"),
    ("网格员你好", "网格员"),
    ("燃气管道好像漏了", "燃气管道"),
    ("电动车停在单元楼道里", "单元楼道"),
    ("路灯不亮", "路灯"),
])
def test_segmentation_keeps_domain_words(prep: TextPrep, text: str, word: str) -> None:
    assert word in prep.segmenter.cut(text)


@pytest.mark.parametrize("spoken, typed", [
    ("楼道里有人非线充电", "楼道里有人飞线充电"),
    ("路口经盖没了", "路口井盖没了"),
    ("是不是漏期了", "是不是漏气了"),
    ("物页不管事", "物业不管事"),
    ("消访通道被堵了", "消防通道被堵了"),
    ("下水到堵了", "下水道堵了"),
    ("拉圾桶满了", "垃圾桶满了"),
    ("小区里有人养藏敖", "小区里有人养藏獒"),
])
def test_homophones_are_corrected(prep: TextPrep, spoken: str, typed: str) -> None:
    assert prep.normalise(spoken) == typed


@pytest.mark.parametrize("text", [
    "午夜施工吵得睡不着",      # 午夜 is wu ye like 物业, but a real word
    "我也住这个小区",          # 也住 sounds like 业主 and shares no character with it
    "我们楼电梯坏了",          # 楼电 sounds like 漏电, but 电梯 straddles it
    "一秒钟都不停",
])
def test_real_words_are_left_alone(prep: TextPrep, text: str) -> None:
    assert prep.normalise(text) == text


def test_normalisation_keeps_length(prep: TextPrep) -> None:
    text = "三号楼非线充电，经盖也没了"
    assert len(prep.normalise(text)) == len(text)


def test_clean_halfwidth_and_case() -> None:
    assert to_halfwidth("３＃楼１－２－３０１") == "3#楼1-2-301"
    assert clean("  ＡＢ\u3000楼道\t") == "ab 楼道"


@pytest.mark.parametrize("cn, n", [
    ("七", 7), ("十", 10), ("十二", 12), ("二十三", 23), ("九十九", 99), ("一百零五", 105),
    ("三零一", 301), ("两", 2), ("12", 12),
])
def test_chinese_numerals(cn: str, n: int) -> None:
    assert cn_to_int(cn) == n


def test_traditional_gate_matches_opencc() -> None:
    from nlp.normalize import TW2S_CHARS_FILE, clean, tw2s_changed_chars

    # regenerate with `python -m nlp.normalize` after upgrading OpenCC
    assert TW2S_CHARS_FILE.read_text(encoding="utf-8").strip() == tw2s_changed_chars()
    assert clean("樓道裡著火了") == "楼道里着火了"
    assert clean("乾燥的天气别烧东西") == "干燥的天气别烧东西"
    assert clean("怎么回事") == "怎么回事"


def test_fast_segmentation_equals_jieba(prep: TextPrep) -> None:
    tok = prep.segmenter._tok
    for text in ["3号楼楼道里有人飞线充电", "abc12 x-1 A座  \r\n你好!!", "",
                 "鬱鬱蔥蔥的樹擋住路燈", "楼上漏水到我家卫生间了，物业说找开发商",
                 "wifi密码123456是多少"]:
        assert tok.fast_lcut(text) == tok.lcut(text, HMM=False)


def test_start_up_caches_are_rebuilt_when_absent_and_someone_else_s_are_not_read(
        tmp_path, monkeypatch) -> None:
    """The packed model and the pruned dictionary come back from the temporary folder; a cache
    this user did not write is never loaded (a shared /tmp), and the result is the same."""
    import os
    import tempfile

    from nlp import model as model_module
    from nlp.model import LinearModel
    from nlp.pipeline import SHIPPED_MODEL
    from nlp.segment import pruned_dictionary

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    built = LinearModel.load(SHIPPED_MODEL)
    caches = list(tmp_path.glob("gridbot-model-*.marshal"))
    assert len(caches) == 1
    again = LinearModel.load(SHIPPED_MODEL)
    assert (again.words, again.chars, again.classes) == (built.words, built.chars, built.classes)
    monkeypatch.setattr(model_module, "own_file", lambda fd: False)
    caches[0].write_bytes(b"not marshal")  # would raise if it were read
    assert LinearModel.load(SHIPPED_MODEL).words == built.words
    dictionary = pruned_dictionary(folder=tmp_path)
    assert dictionary is not None and dictionary.read_text(encoding="utf-8").count("\n") > 100_000
    assert pruned_dictionary(folder=tmp_path) == dictionary
    assert os.stat(dictionary).st_size > 1_000_000


def test_jieba_cache_read_by_the_tokenizer_is_jieba_s(tmp_path) -> None:
    """Our tokenizer reads jieba's prefix-dictionary cache itself (faster); what it reads is
    what jieba builds and reads, and a stale or broken cache is left to jieba."""
    import os

    import jieba

    from nlp.segment import _Tokenizer, pruned_dictionary

    dictionary = pruned_dictionary(folder=tmp_path)
    theirs = jieba.Tokenizer(str(dictionary))
    theirs.tmp_dir = str(tmp_path)
    theirs.initialize()  # builds the cache in tmp_path
    ours = _Tokenizer(dictionary)
    ours.tmp_dir = str(tmp_path)
    ours._load_jieba_cache()
    assert ours.initialized
    assert (ours.FREQ, ours.total) == (theirs.FREQ, theirs.total)
    (cache,) = tmp_path.glob("jieba.u*.cache")
    os.utime(dictionary)  # the dictionary is now newer than its cache
    os.utime(cache, (0, 0))
    stale = _Tokenizer(dictionary)
    stale.tmp_dir = str(tmp_path)
    stale._load_jieba_cache()
    assert not stale.initialized
    cache.write_bytes(b"not marshal")
    broken = _Tokenizer(dictionary)
    broken.tmp_dir = str(tmp_path)
    broken.initialize()  # jieba rebuilds it
    assert broken.initialized and broken.total == theirs.total
