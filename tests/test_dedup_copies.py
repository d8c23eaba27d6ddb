"""Dedup of copies the real web makes: damaged forms are no conflict, and copies cut short or sliced find their
original through the passages they share (pages written here, not taken from any corpus)."""
from __future__ import annotations

import pytest

from pipelines.dedup.config import DedupConfig
from pipelines.dedup.diff import damaged_form
from pipelines.dedup.normalise import LOST_MARK
from pipelines.dedup.pages import Page, fingerprint, page_view
from pipelines.store import assign_policy
from storage.db import open_db
from storage.policies import SqlitePolicyIndex
from storage.documents import upsert_document

SENTENCES = [
    "为深入实施创新驱动发展战略，加快培育壮大科技型中小企业群体，现就{year}年度科技型中小企业评价工作通知如下。",
    "一、评价对象为在{city}注册的居民企业，职工总数不超过500人、年销售收入不超过2亿元。",
    "二、企业应于{year}年6月30日前登录全国科技型中小企业信息服务平台完成自主评价并填报信息。",
    "三、各区科技主管部门负责对本地区企业填报的信息进行形式审查，审查结果在平台公示10个工作日。",
    "四、对首次入库的科技型中小企业，市财政给予每家3万元的一次性补助，资金直接拨付到企业。",
    "五、入库企业可享受研发费用按100%在税前加计扣除的政策，并优先推荐申报高新技术企业。",
    "六、企业对提交信息的真实性负责，弄虚作假的取消入库资格并纳入科研诚信记录。",
    "七、联系人：科技局高新技术科，联系电话0759-3331286，邮箱kjj@example.gov.cn。",
]


def notice(city: str, year: int, parts: slice = slice(None)) -> str:
    return "\n".join(s.format(city=city, year=year) for s in SENTENCES[parts])


def store(db, url: str, text: str, kind: str = "aggregator", title: str | None = None) -> str:
    upsert_document(db, {"url": url, "source_id": url.split("/")[2], "source_kind": kind, "title": title,
                         "text": text, "content_hash": str(hash(text)), "first_seen": url, "fetched_at": url})
    return url


@pytest.mark.parametrize("old, new, damaged", [
    ("fxiàn", "现", True),                      # pinyin left in one copy
    ("财政部", "财政", True),                    # a word cut short
    ("2019年12月31日", "201921日", True),        # digits and marks stripped
    ("二〇二三年五月", "二〇二三年", True),
    (LOST_MARK + "园", "孵化", True),           # characters the page's decoding lost
    ("财和政", "财政和", True),                  # characters transposed in a scrambled copy
    ("政策和资金", "资金和政策", False),          # re-ordered words: rewritten text
    ("30万元", "300万元", False),                # another amount
    ("茂名", "湛江", False),                      # another city
    ("2023年", "2024年", False),                 # another year
    ("6月30日", "7月31日", False),               # another deadline
])
def test_damaged_forms_are_told_from_other_values(old, new, damaged):
    assert damaged_form(old, new) is damaged


def test_passage_keys_are_stable_sampled_grams_and_none_for_a_short_text():
    page = Page(url="https://a.example/1.html", text=notice("茂名市", 2025))
    keys = fingerprint(page).sentences
    assert 10 <= len(keys) <= DedupConfig().passage_keys and keys == fingerprint(page).sentences
    assert len(set(keys)) == len(keys) and all(0 <= key < 2 ** 32 for key in keys)
    assert fingerprint(Page(url="x", text="特此通知")).sentences == []


def test_a_copy_cut_short_joins_its_original_found_through_shared_sentences(tmp_path):
    db = open_db(tmp_path / "pw.db")
    original = store(db, "https://kjj.example.gov.cn/a.html", notice("茂名市", 2025), "government")
    cut = store(db, "https://mirror.example.com/1.html",
                "扫码添加客服微信，免费咨询高企申报\n" + notice("茂名市", 2025, slice(None, 3)))
    first, second = assign_policy(db, original), assign_policy(db, cut)
    assert second.policy_id == first.policy_id and second.merge_reason.startswith("containment 0.88 of gov original")
    # the band index does not find it (jaccard 0.37): the sentence keys do
    index = SqlitePolicyIndex(db)
    cut_id = index.page_row(cut)["id"]
    fp = fingerprint(Page.from_record(index.page_row(cut)))
    assert index.band_candidates(fp.bands, cut_id, 200) == []
    assert index.page_row(original)["id"] in index.sentence_candidates(fp.sentences, cut_id, 3, 20)


def test_the_same_notice_of_another_city_or_year_stays_apart(tmp_path):
    db = open_db(tmp_path / "pw.db")
    first = assign_policy(db, store(db, "https://kjj.example.gov.cn/a.html", notice("茂名市", 2025), "government"))
    other_year = assign_policy(db, store(db, "https://kjj.example.gov.cn/b.html", notice("茂名市", 2024), "government"))
    other_city = assign_policy(db, store(db, "https://kjj.example2.gov.cn/c.html", notice("湛江市", 2025), "government"))
    assert len({first.policy_id, other_year.policy_id, other_city.policy_id}) == 3


def test_two_slices_that_share_no_sentence_stay_apart_until_the_whole_arrives(tmp_path):
    db = open_db(tmp_path / "pw.db")
    head = assign_policy(db, store(db, "https://m1.example.com/h.html", notice("茂名市", 2025, slice(None, 4))))
    tail = assign_policy(db, store(db, "https://m2.example.com/t.html", notice("茂名市", 2025, slice(4, None))))
    assert head.policy_id != tail.policy_id
    whole = assign_policy(db, store(db, "https://kjj.example.gov.cn/a.html", notice("茂名市", 2025), "government"))
    assert whole.policy_id == head.policy_id and whole.absorbed == [tail.policy_id]


def test_config_has_the_passage_settings():
    config = DedupConfig()
    assert config.passage_gram > config.shingle_size and config.shared_passage_keys >= 2
    assert page_view(Page(url="x", text="")).units == []


@pytest.mark.parametrize("old, new", [("AI产业", "数字产业"), ("5G基站", "光纤"), ("CEO", "总经理")])
def test_latin_words_are_values_not_leftover_pinyin(old, new):
    assert damaged_form(old, new) is False


def test_boilerplate_sentences_held_by_many_documents_find_no_candidates(tmp_path):
    db = open_db(tmp_path / "pw.db")
    boilerplate = "请各单位高度重视认真组织做好申报工作确保按时报送材料\n对弄虚作假的单位一经查实取消其申报资格三年\n" \
                  "联系人及联系方式详见附件请及时与我局联系沟通"
    for n in range(6):
        assign_policy(db, store(db, f"https://kjj{n}.example.gov.cn/a.html",
                                f"第{n}号通知：关于{n}市科技计划项目申报的事项说明\n{boilerplate}", "government"))
    index = SqlitePolicyIndex(db)
    probe = fingerprint(Page(url="x", text=boilerplate))
    assert len(index.sentence_candidates(probe.sentences, -1, 3, 20)) == 6
    assert index.sentence_candidates(probe.sentences, -1, 3, 20, max_documents=5) == []
