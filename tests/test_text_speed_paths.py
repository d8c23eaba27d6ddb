"""Shortcuts taken for speed give the answers of the plain computation they replace."""
from __future__ import annotations

import unicodedata

import pytest

from pipelines.dates import find_dates
from pipelines.text import noise
from pipelines.text.noise import default_rules, line_rule_hit
from pipelines.text.normalise import WIDTH_FOLD, fold_width, nfkc


@pytest.mark.parametrize("text", [
    "", "关于印发（２０２４）１２号的通知", "ＡＢＣ　ｄｅｆ\u200b：１\xa0２\ufeff３", "（一）对认定企业给予１０万元奖励；",
    "纯中文没有全角字符", "!~（）", "\u2002\u2003\u2009混合 ｍｉｘｅｄ 文本１２３",
])
def test_fold_width_equals_a_full_translation(text):
    assert fold_width(text) == text.translate(WIDTH_FOLD)


def test_fold_width_drops_zero_width_characters_only():
    assert fold_width("附\u200b件\ufeff１") == "附件1"


@pytest.mark.parametrize("line", ["当前位置: 首页 > 通知公告", "版权所有 XX市科学技术局", "对新认定的高新技术企业给予20万元奖励。"])
def test_a_remembered_line_gets_the_rule_it_got_first(line):
    rules = default_rules()
    plain = next((rule for rule in rules.lines if len(line) <= rule.max_len and rule.pattern.search(line)), None)
    assert line_rule_hit(rules, line) is plain
    assert line in rules.line_hits
    assert line_rule_hit(rules, line) is plain


def test_remembered_lines_are_bounded(monkeypatch):
    rules = default_rules()
    monkeypatch.setattr(noise, "LINE_HITS_KEPT", 3)
    rules.line_hits.clear()
    for n in range(10):
        line_rule_hit(rules, f"第{n}行 版权所有")
        assert len(rules.line_hits) <= 3
    assert line_rule_hit(rules, "第9行 版权所有") is not None


@pytest.mark.parametrize("text, found", [
    ("没有日期的句子。", []), ("二〇二三年五月十日", ["2023-05-10"]), ("2023-05-09", ["2023-05-09"]),
    ("28.04.2022 14:36", ["2022-04-28"]), ("请于5月20日前报送", []), ("共1990家企业", []),
])
def test_dates_read_after_the_quick_check(text, found):
    assert [d.iso for d in find_dates(text)] == found


@pytest.mark.parametrize("text", [
    "", "关于印发（２０２４）１２号的通知，", "①②ＡＢＣ　ｄｅｆ\u200b：１\xa0２", "Ａ\u0301", "㈠㍿ﬁ", "已是半角, (1)", "\u3000\u2002x\u2009",
])
def test_nfkc_equals_unicode_nfkc(text):
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def _passage_by_membership(normalised, other, size=5, damage=6):
    """shared_passage as plain set membership computes it (the reference)."""
    import numpy as np

    from pipelines.dedup.minhash import gram_hashes
    from pipelines.dedup.passage import Passage

    grams = gram_hashes(normalised, size)
    if not len(grams) or not len(other):
        return Passage(len(normalised), 0, 0, 0)
    shared = np.array([gram in set(other.tolist()) for gram in grams.tolist()], dtype=np.int32)
    covered = np.convolve(shared, np.ones(min(size, len(normalised)), dtype=np.int32))[:len(normalised)] > 0
    where = np.flatnonzero(covered)
    if not len(where):
        return Passage(len(normalised), 0, 0, 0)
    gaps = np.diff(where) - 1
    return Passage(len(normalised), len(where), int(where[-1]) + 1 - int(where[0]), int(gaps[gaps > damage].sum()))


def test_shared_passage_equals_plain_membership():
    import numpy as np

    from pipelines.dedup.minhash import shingle_hashes
    from pipelines.dedup.passage import shared_passage

    rng = np.random.default_rng(7)
    for _ in range(300):
        text = "".join(chr(0x4E00 + int(x)) for x in rng.integers(0, 25, rng.integers(0, 80)))
        other = "".join(chr(0x4E00 + int(x)) for x in rng.integers(0, 25, rng.integers(0, 80)))
        shingles = shingle_hashes(other)
        assert shared_passage(text, shingles) == _passage_by_membership(text, shingles)
