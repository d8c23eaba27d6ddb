"""Dedup's pure functions: canonical URLs, normalisation, fingerprints, verification on the demo
mirror's repost groups and hard negatives and on the labelled corpus of tests/fixtures/dedup/."""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from pipelines.text.decode import decode_html
from pipelines.clean import clean_page
from pipelines.dedup.canonical import choose_canonical, policy_id_for
from pipelines.dedup.config import DedupConfig, UrlRules, dedup_config_from_mapping, url_rules_from_mapping
from pipelines.dedup.diff import text_differences
from pipelines.dedup.minhash import band_hashes, estimated_jaccard, exact_similarity, minhash, shingle_hashes
from pipelines.dedup.normalise import normalise_text, sentence_units, prepare_text, text_hash
from pipelines.dedup.pages import Page, fingerprint, genre, page_view
from pipelines.dedup.revisions import describe_revision, revision_summary
from pipelines.dedup.urls import canonical_url, url_match_key
from pipelines.dedup.verdict import compare_pages, text_conflicts

ROOT = Path(__file__).resolve().parent.parent
MIRROR = ROOT / "demo" / "mirror"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "dedup"
MANIFEST = json.loads((MIRROR / "manifest.json").read_text(encoding="utf-8"))
SITES = MANIFEST["sites"]
BASE = "http://127.0.0.1:8765"


@lru_cache(maxsize=None)
def mirror_page(path: str) -> Page:
    """A mirror document as dedup sees it: cleaned text plus the manifest's labelled fields."""
    entry = next(d for d in MANIFEST["documents"] if d["path"] == path)
    html = decode_html((MIRROR / entry["file"]).read_bytes(), None)[0]
    original = BASE + entry["original_path"] if entry["original_path"] else None
    kind = SITES[entry["site"]]["kind"]
    return Page(url=BASE + path, text=clean_page(html).text, source_kind=kind, source_id=entry["site"],
                title=entry["title"], issuer=entry["issuer"],
                doc_number=entry["doc_number"] if kind == "government" else None,
                page_date=entry["date"], original_url=original)


def text_only(page: Page) -> Page:
    """The page with every field but its text and URL forgotten (verification by text alone)."""
    return Page(url=page.url, text=page.text, source_kind=page.source_kind)


def groups() -> dict[str, list[str]]:
    """Mirror groups with at least one repost: group → paths (original first)."""
    out: dict[str, list[str]] = {}
    for entry in sorted(MANIFEST["documents"], key=lambda d: d["variant"] != "original"):
        if entry["group"]:
            out.setdefault(entry["group"], []).append(entry["path"])
    return {group: paths for group, paths in out.items() if len(paths) > 1}


def fixture_records() -> list[dict]:
    return [json.loads(line) for line in (FIXTURES / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]


# ---------------------------------------------------------------------------------------------
# canonical URLs
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("given, expected", [
    ("HTTP://Kjt.Hunan.GOV.cn:80/tzgg/index.html", "http://kjt.hunan.gov.cn/tzgg/"),
    ("https://kjt.hunan.gov.cn:443/a/b/../c/./d.html", "https://kjt.hunan.gov.cn/a/c/d.html"),
    ("https://kjt.hunan.gov.cn:8443/a.html", "https://kjt.hunan.gov.cn:8443/a.html"),
    ("http://www.gz.gov.cn/zwgk/default.htm", "http://www.gz.gov.cn/zwgk/"),
    ("http://a.gov.cn/x/index.shtml?b=2&a=1", "http://a.gov.cn/x/?a=1&b=2"),
    ("http://a.gov.cn/art.html?utm_source=wx&utm_medium=share&id=7&spm=a1.b2&from=timeline",
     "http://a.gov.cn/art.html?id=7"),
    ("http://a.gov.cn/art.jsp;jsessionid=ABC123?JSESSIONID=x&id=3#section2", "http://a.gov.cn/art.jsp?id=3"),
    ("http://a.gov.cn//col//col736/index.html", "http://a.gov.cn/col/col736/"),
    ("https://www.mz.gov.cn/info/iList.jsp?node_id=GKmzs&cat_id=15971", 
     "https://www.mz.gov.cn/info/iList.jsp?cat_id=15971&node_id=GKmzs"),
    ("https://app.gov.cn/#/detail?id=9", "https://app.gov.cn/#/detail?id=9"),
    ("http://a.gov.cn/%e9%80%9a%e7%9f%a5.html", "http://a.gov.cn/%E9%80%9A%E7%9F%A5.html"),
    ("http://a.gov.cn", "http://a.gov.cn/"),
])
def test_canonical_url(given, expected):
    assert canonical_url(given) == expected


def test_canonical_url_keeps_a_list_api_session_id_that_is_not_tracking():
    assert canonical_url("http://x.gov.cn/gkmlpt/api/all/0?page=2&sid=755001") == \
        "http://x.gov.cn/gkmlpt/api/all/0?page=2&sid=755001"


def test_per_source_url_rules():
    rules = url_rules_from_mapping({"drop_params": ["uid", "t_*"], "lowercase_path": True, "https": True})
    assert canonical_url("http://A.gov.cn/Art/X.HTML?uid=5&t_1=2&id=1", rules) == "https://a.gov.cn/art/x.html?id=1"
    keep = url_rules_from_mapping({"keep_params": ["id"]})
    assert canonical_url("http://a.cn/news.asp?id=1188&classid=3&page=2", keep) == "http://a.cn/news.asp?id=1188"
    extra = url_rules_from_mapping({"index_files": ["main.htm"]})
    assert canonical_url("http://a.cn/tzgg/main.htm", extra) == "http://a.cn/tzgg/"


@pytest.mark.parametrize("data, message", [
    ({"drop": ["x"]}, "unknown field 'drop'"),
    ({"drop_params": "utm"}, "drop_params: expected a list of names"),
    ({"https": "yes"}, "https: expected true or false"),
])
def test_url_rules_errors_name_the_field(data, message):
    with pytest.raises(ValueError, match=message):
        url_rules_from_mapping(data, "sources[hunan-kjt].dedup.url")


def test_config_from_mapping_reads_thresholds_and_source_rules():
    config = dedup_config_from_mapping({"containment": 0.85},
                                       [{"id": "hfwotao", "dedup": {"url": {"keep_params": ["id"]}}}, {"id": "x"}])
    assert config.containment == 0.85
    assert config.url_rules == {"hfwotao": UrlRules(keep_params=("id",))}
    with pytest.raises(ValueError, match="unknown setting 'threshold'"):
        dedup_config_from_mapping({"threshold": 0.5})


def test_match_key_ignores_scheme_and_www():
    assert url_match_key("http://www.hunan.gov.cn/a/index.html") == url_match_key("https://hunan.gov.cn/a/")


# ---------------------------------------------------------------------------------------------
# normalisation and fingerprints
# ---------------------------------------------------------------------------------------------

def test_normalised_text_ignores_spacing_width_punctuation_script_and_date_spelling():
    original = "湖南省科学技术厅关于印发《若干措施》的通知\n（一）首次认定奖励５０万元。\n2025年4月1日起施行"
    copy = "湖南省科學技術廳關於印發<若干措施>的通知 (一)首次認定獎勵50萬元;\n\n 2025-04-01起施行"
    assert normalise_text(original) == normalise_text(copy)
    assert text_hash(normalise_text(original)) == text_hash(normalise_text(copy))


def test_sentence_units_survive_reflowed_paragraphs():
    text = "第一条 总则。第二条 范围；\n第三条 附则"
    assert sentence_units(prepare_text(text)) == ["第一条总则", "第二条范围", "第三条附则"]
    assert sentence_units(prepare_text(text.replace("\n", ""))) == sentence_units(prepare_text(text))


def test_minhash_estimates_jaccard_and_is_stable_across_processes():
    page = mirror_page("/hunan-kjt/tzgg/202503/t20250320_33121829.html")
    copy = mirror_page("/hfwotao/shownews.asp?id=1188")
    a = shingle_hashes(normalise_text(page.text))
    b = shingle_hashes(normalise_text(copy.text))
    exact, _ = exact_similarity(a, b)
    assert abs(estimated_jaccard(minhash(a), minhash(b)) - exact) < 0.1
    here = band_hashes(minhash(a), 32)[:4]
    code = ("from pipelines.dedup.minhash import *; from pipelines.dedup.normalise import *; import sys; t=sys.stdin.read(); "
            "print(band_hashes(minhash(shingle_hashes(normalise_text(t))), 32)[:4])")
    other = subprocess.run([sys.executable, "-c", code], input=page.text, capture_output=True, encoding="utf-8",
                           cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": "123", "PYTHONIOENCODING": "utf-8"},
                           check=True)
    assert other.stdout.strip() == str(here)


def test_fingerprint_keys():
    page = mirror_page("/huaxiataike/news/37805.html")
    fp = fingerprint(page)
    assert len(fp.signature) == 128 * 4 and len(fp.bands) == 32
    assert fp.original_key == "127.0.0.1:8765/zhanjiang-kjj/tzgg/content/2023-12/13/content_1786000.htm"
    assert fp.doc_number is None
    gov = fingerprint(mirror_page("/zhanjiang-kjj/tzgg/content/2023-12/13/content_1786000.htm"))
    assert gov.doc_number == "湛科2023187号"
    assert gov.url_key == fp.original_key


def test_shingles_of_texts_shorter_than_a_shingle():
    assert len(shingle_hashes("通知")) == 1
    assert len(shingle_hashes("")) == 0
    assert minhash(shingle_hashes("")).shape == (128,)


@pytest.mark.parametrize("title, expected", [
    ("《湖南省支持高新技术企业高质量发展若干措施》政策解读", "interpretation"),
    ("一图读懂《茂名市高新技术产业培育计划（2024—2026年）》", "interpretation"),
    ("关于2024年度茂名市高新技术企业认定奖励资金拟奖励名单的公示", "list"),
    ("茂名市2024年度高新技术企业认定奖励资金申报通知(最高奖励30万元)", "document"),
])
def test_genre(title, expected):
    assert genre(title) == expected


# ---------------------------------------------------------------------------------------------
# the demo mirror: every repost joins its original, no hard negative merges
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("group", sorted(groups()))
def test_each_mirror_repost_matches_its_original_both_ways(group):
    original, *copies = groups()[group]
    for path in copies:
        for new, known in ((path, original), (original, path)):
            verdict = compare_pages(page_view(mirror_page(new)), page_view(mirror_page(known)))
            assert verdict.same, (new, known, verdict)
            assert verdict.reason


@pytest.mark.parametrize("group", sorted(groups()))
def test_each_mirror_repost_matches_by_text_alone(group):
    """Without doc_number, title, issuer or 原文链接, the texts alone still join."""
    original, *copies = groups()[group]
    for path in copies:
        verdict = compare_pages(page_view(text_only(mirror_page(path))), page_view(text_only(mirror_page(original))))
        assert verdict.same, (path, verdict)


@pytest.mark.parametrize("pair", MANIFEST["hard_negatives"], ids=lambda p: p["reason"][:24])
def test_mirror_hard_negatives_do_not_merge(pair):
    a, b = mirror_page(pair["a"]), mirror_page(pair["b"])
    for new, known in ((a, b), (b, a)):
        verdict = compare_pages(page_view(new), page_view(known))
        assert not verdict.same, verdict


@pytest.mark.parametrize("pair", [p for p in MANIFEST["hard_negatives"] if "template" in p["reason"]
                                  or "two years" in p["reason"]], ids=lambda p: p["reason"][:24])
def test_look_alike_texts_conflict_on_their_text_alone(pair):
    """Same template, other year or city: the aligned texts show the replaced numbers and names."""
    a, b = page_view(text_only(mirror_page(pair["a"]))), page_view(text_only(mirror_page(pair["b"])))
    assert exact_similarity(a.shingles, b.shingles)[1] > 0.85
    conflicts = text_conflicts(text_differences(a.units, b.units), DedupConfig())
    assert any("changed numbers" in c for c in conflicts), conflicts


def test_merge_reasons_name_the_evidence():
    gov = page_view(mirror_page("/hunan-kjt/tzgg/202503/t20250320_33121829.html"))
    traditional = page_view(mirror_page("/huaxiataike/news/40502.html"))
    verdict = compare_pages(traditional, gov)
    assert verdict.reason == ("原文链接 points to a known government page; containment 1.00 of gov original; "
                              "same title")
    same = compare_pages(page_view(mirror_page("/huaxiataike/news/40943.html")),
                         page_view(mirror_page("/hunan-kjt/tzgg/202503/t20250324_33130656.html")))
    assert same.reason == "same content hash"
    repost = dataclasses.replace(mirror_page("/hfwotao/shownews.asp?id=1188"), doc_number="湘科发〔2025〕12号",
                                 original_url=None)
    verdict = compare_pages(page_view(repost), gov)
    assert verdict.reason == "containment 0.98 of gov original; same doc_number 湘科发〔2025〕12号"


def test_conflicts_are_reported_as_data():
    verdict = compare_pages(page_view(mirror_page("/jiangsu-kjt/art/2024/2/26/art_1001_40100.html")),
                            page_view(mirror_page("/jiangsu-kjt/art/2025/2/24/art_1001_43326.html")))
    assert verdict.conflicts == ["different doc_number 苏科高发〔2024〕23号 / 苏科高发〔2025〕19号",
                                 "titles name different years 2024 / 2025"]
    assert verdict.refusal == ("different doc_number 苏科高发〔2024〕23号 / 苏科高发〔2025〕19号; "
                               "titles name different years 2024 / 2025")


def test_every_refusal_says_why():
    """A verdict that keeps two pages apart says why in one line (`policies show` prints it); a merge has none."""
    policy = page_view(mirror_page("/hunan-kjt/tzgg/202503/t20250320_33121829.html"))
    interpretation = page_view(mirror_page("/hunan-kjt/tzgg/202503/t20250324_33130656.html"))
    verdict = compare_pages(interpretation, policy)
    assert (verdict.same, verdict.containment, verdict.refusal) == (False, 0.176, "containment 0.17 below 0.80")
    assert compare_pages(page_view(mirror_page("/huaxiataike/news/40502.html")), policy).refusal is None
    # a 解读 that quotes the whole policy is still another document
    quoted = dataclasses.replace(mirror_page("/hunan-kjt/tzgg/202503/t20250324_33130656.html"),
                                 text=mirror_page("/hunan-kjt/tzgg/202503/t20250320_33121829.html").text
                                 + "\n以上为政策原文，解读如下：企业可按本措施申报奖励。")
    assert compare_pages(page_view(quoted), policy).refusal == "different genre interpretation / document"
    a = Page(url="http://a.gov.cn/1.html", text="详见附件。", source_kind="government", title="关于A的通知")
    b = Page(url="http://a.gov.cn/2.html", text="详见附件。", source_kind="government", title="关于B的通知")
    assert compare_pages(page_view(a), page_view(b)).refusal == \
        "too short to merge without a link (under 30 5-grams)"
    # cut, not rounded: a containment just under the threshold never reads as the threshold itself
    records = {r["id"]: r for r in fixture_records()}
    first = page_view(Page.from_record(records["incubator_rules-江科-2024/gov"]))
    second = page_view(Page.from_record(records["incubator_rules-陕科高-2023/gov"]))
    no_passage = DedupConfig(passage_chars=10 ** 9)
    near = compare_pages(first, second, no_passage)
    assert 0.795 <= near.containment < 0.80 and near.refusal == "containment 0.79 below 0.80"
    # the two cities' template rules share a long passage: their own numbers and issuers keep them apart
    assert compare_pages(first, second).refusal.startswith("different doc_number 江科规〔2024〕8号 / 陕科高规〔2023〕3号")


# ---------------------------------------------------------------------------------------------
# the generated labelled corpus
# ---------------------------------------------------------------------------------------------

def test_fixture_corpus_is_labelled_and_large_enough():
    records = fixture_records()
    negatives = json.loads((FIXTURES / "hard_negatives.json").read_text(encoding="utf-8"))
    ids = {r["id"] for r in records}
    mirror_groups = {d["group"] for d in MANIFEST["documents"] if d["group"]}
    assert len({r["group"] for r in records if r["group"]}) + len(mirror_groups) >= 30
    assert len(negatives) + len(MANIFEST["hard_negatives"]) >= 30
    assert all(n["a"] in ids and n["b"] in ids for n in negatives)


def test_fixture_copies_match_their_originals():
    records = fixture_records()
    originals = {r["group"]: r for r in records if r["variant"] == "original" and r["group"]}
    for record in records:
        if record["group"] and record["variant"] != "original":
            verdict = compare_pages(page_view(Page.from_record(record)),
                                    page_view(Page.from_record(originals[record["group"]])))
            assert verdict.same, (record["id"], verdict)


def test_fixture_hard_negatives_do_not_merge():
    records = {r["id"]: r for r in fixture_records()}
    for pair in json.loads((FIXTURES / "hard_negatives.json").read_text(encoding="utf-8")):
        a, b = Page.from_record(records[pair["a"]]), Page.from_record(records[pair["b"]])
        for new, known in ((a, b), (b, a)):
            assert not compare_pages(page_view(new), page_view(known)).same, pair


# ---------------------------------------------------------------------------------------------
# differences, revisions, canonical choice, ids
# ---------------------------------------------------------------------------------------------

def test_text_differences_find_changed_values_and_ignore_reflow():
    old = "一、奖励标准\n对首次认定的企业给予30万元奖励。\n请于2024年3月31日前申报。"
    new = "一、奖励标准 对首次认定的企业给予50万元奖励。\n请于2024年4月15日前申报。\n新增一段说明文字内容。"
    diff = text_differences(sentence_units(prepare_text(old)), sentence_units(prepare_text(new)))
    assert [(c.kind, c.old, c.new) for c in diff.changed] == [
        ("amount", "30万元", "50万元"), ("date", "2024年3月31日", "2024年4月15日")]
    assert diff.added == ["新增一段说明文字内容"]
    reflowed = text_differences(sentence_units(prepare_text(old)),
                                sentence_units(prepare_text(old.replace("\n", ""))))
    assert reflowed.changed == [] and reflowed.added == [] and reflowed.removed == []


def test_revision_summary():
    old = "第一段。\n对首次认定的企业给予30万元奖励。"
    summary = revision_summary(old, "第一段。\n对首次认定的企业给予50万元奖励。\n第三条 本办法自印发之日起施行。")
    assert summary["material"] is True
    assert summary["paragraphs_added"] == 2 and summary["paragraphs_removed"] == 1
    assert summary["changed"] == [{"kind": "amount", "old": "30万元", "new": "50万元"}]
    assert describe_revision(summary) == "paragraphs +2 -1; changed amount 30万元→50万元"
    spacing = revision_summary(old, "第一段 。\n\n对首次认定的企业给予３０万元奖励；")
    assert spacing["material"] is False
    assert revision_summary(None, "x")["previous_known"] is False


def test_choose_canonical_prefers_government_then_link_target_then_date_then_completeness():
    gov = Page(url="http://a.gov.cn/1.html", text="", source_kind="government", page_date="2025-03-20")
    agg = Page(url="http://agg.com/9.html", text="", source_kind="aggregator", page_date="2025-03-18",
               original_url="http://a.gov.cn/1.html")
    assert choose_canonical([(agg, 900), (gov, 500)]) is gov
    mirror = Page(url="http://b.gov.cn/2.html", text="", source_kind="government", page_date="2025-03-10")
    assert choose_canonical([(gov, 500), (mirror, 500), (agg, 900)]) is gov  # the 原文链接 target
    assert choose_canonical([(gov, 500), (mirror, 500)]) is mirror  # earlier
    later = dataclasses.replace(mirror, url="http://b.gov.cn/3.html")
    assert choose_canonical([(mirror, 400), (later, 700)]) is later  # same date, more complete


def test_policy_id_is_stable_and_short():
    assert policy_id_for("HTTP://A.gov.cn:80/x/index.html?utm_source=1") == policy_id_for("http://a.gov.cn/x/")
    assert policy_id_for("http://a.gov.cn/x/").startswith("p-") and len(policy_id_for("http://a.gov.cn/x/")) == 14


def test_config_defaults_are_consistent():
    config = DedupConfig()
    assert config.num_perm == config.bands * config.rows
    assert np.all(minhash(shingle_hashes("abcdefg"), config.num_perm) < 2 ** 32)


def test_short_identical_texts_need_a_link_to_merge():
    """Pages whose body is only 详见附件 share a content hash but not a policy."""
    a = Page(url="http://a.gov.cn/1.html", text="详见附件。", source_kind="government", title="关于A的通知")
    b = Page(url="http://a.gov.cn/2.html", text="详见附件。", source_kind="government", title="关于B的通知")
    assert not compare_pages(page_view(a), page_view(b)).same
    copy = Page(url="http://agg.com/9.html", text="详见附件", source_kind="aggregator", title="关于A的通知",
                original_url="http://a.gov.cn/1.html")
    assert compare_pages(page_view(copy), page_view(a)).reason == \
        "原文链接 points to a known government page; containment 1.00 of gov original"
    assert fingerprint(Page(url="http://a.gov.cn/3.html", text="")).bands == []


def test_a_variant_character_is_not_a_changed_word():
    old = sentence_units(prepare_text("显著提升企业创新能力，支持高新区建设发展。"))
    new = sentence_units(prepare_text("显着提升企业创新能力，支持高新区建设发展。"))
    assert text_differences(old, new).changed == []
    city = sentence_units(prepare_text("湛江市支持高新区建设发展，显著提升企业创新能力。"))
    other = sentence_units(prepare_text("茂名市支持高新区建设发展，显著提升企业创新能力。"))
    assert [str(c) for c in text_differences(city, other).word_changes] == ["湛江→茂名"]
