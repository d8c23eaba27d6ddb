"""Dedup of the forms reposts take on the real web: copies whose differences lie at their edges (spam headers,
furniture, other cuts, partly overlapping slices) join through the passage they share; a news report, an
answer page, a draft and a city's implementing notice stay apart from the policy they quote (pages written
here, not taken from any corpus)."""
from __future__ import annotations

import numpy as np

from pipelines.dedup.config import DedupConfig
from pipelines.dedup.diff import damaged_form, text_differences
from pipelines.dedup.minhash import shingle_hashes
from pipelines.dedup.normalise import normalise_text, prepare_text, sentence_units
from pipelines.dedup.pages import Page, fingerprint, page_view
from pipelines.dedup.passage import shared_passage
from pipelines.dedup.verdict import compare_pages
from pipelines.store import assign_policy
from storage.db import open_db
from storage.documents import upsert_document
from storage.policies import SqlitePolicyIndex

MEASURES = [
    "为加快建设现代化产业体系，推动企业加大研究开发投入，经区管委会研究，制定本办法。",
    "第一条 本办法适用于在本区依法登记注册、具有独立法人资格的工业企业和科技服务企业。",
    "第二条 对首次通过认定的国家高新技术企业，一次性给予20万元奖励；重新通过认定的，给予10万元奖励。",
    "第三条 对新建省级工程技术研究中心的企业，给予30万元补助；新建市级的，给予10万元补助。",
    "第四条 企业年度研发费用增长超过百分之二十的，按增量部分的百分之五给予补助，最高不超过50万元。",
    "第五条 对引进的高层次科技人才团队，经评审认定后给予最高200万元的项目资助。",
    "第六条 同一企业同一年度获得的各项奖补资金合计不超过300万元，已获上级同类资金支持的不重复奖励。",
    "第七条 申报单位对申报材料的真实性负责，对弄虚作假骗取资金的，追回资金并取消三年申报资格。",
    "第八条 本办法由区科技和工业信息化局负责解释，自印发之日起施行，有效期三年。",
]
SPAM = "彩票代理高额返水_棋牌游戏真人在线_每日签到领取红包"
FURNITURE = "首页 > 政策法规 > 地方政策\n上一篇：关于开展安全生产检查的通知\n下一篇：区管委会召开季度工作会议"
TITLE = "高新区促进企业研发投入和科技创新若干奖励办法"


def measures(parts: slice = slice(None)) -> str:
    return "\n".join(MEASURES[parts])


def view(text: str, url: str = "https://www.example.com/a.html", kind: str = "aggregator", **fields):
    return page_view(Page(url=url, text=text, source_kind=kind, **fields))


def store(db, url: str, text: str, kind: str = "aggregator", title: str | None = None) -> str:
    upsert_document(db, {"url": url, "source_id": url.split("/")[2], "source_kind": kind, "title": title,
                         "text": text, "content_hash": str(hash(text)), "first_seen": url, "fetched_at": url})
    return url


def test_shared_passage_counts_edges_apart_from_interior_differences():
    whole = normalise_text(measures())
    edges = normalise_text(SPAM + "\n" + measures(slice(None, 6)) + "\n" + FURNITURE)
    found = shared_passage(edges, shingle_hashes(whole))
    assert found.covered >= 200 and found.interior == 0 and found.span < found.length
    # a city's own clauses between the shared ones are interior differences
    city = "\n".join(line + "本市对获得上述支持的企业再按一比一比例给予配套资金。" for line in MEASURES)
    inside = shared_passage(normalise_text(city), shingle_hashes(whole))
    assert inside.interior_share > 0.3
    assert shared_passage("", shingle_hashes(whole)).covered == 0
    assert shared_passage(whole, np.empty(0, dtype=np.uint32)).span == 0


def test_a_copy_with_a_spam_header_furniture_and_another_cut_joins_through_its_passage():
    # a mirror serves the page at the original's path on its own host: the tie a passage needs
    original = view(measures(), "https://kjj.example.gov.cn/zcfg/2024/0312/1088.html", "government")
    copy = view(SPAM + "\n" + FURNITURE + "\n" + measures(slice(None, 6)) + "\n" + FURNITURE,
                "https://www.gaoqi-jingxiang.example.com/zcfg/2024/0312/1088.html")
    verdict = compare_pages(copy, original)
    assert verdict.containment < DedupConfig().containment
    assert verdict.same and verdict.reason.startswith("shared passage of ")
    assert "with gov original" in verdict.reason and verdict.reason.endswith(
        " + same page path /zcfg/2024/0312/1088.html on another host")


def test_two_slices_that_overlap_partly_are_one_document():
    # the head slice opens with the title; the tail slice, cut after it, keeps it as its page title
    head = view(TITLE + "\n" + measures(slice(None, 7)) + "\n" + FURNITURE, "https://m1.example.com/h.html")
    tail = view(SPAM + "\n" + measures(slice(2, None)), "https://m2.example.com/t.html", title=TITLE)
    assert compare_pages(tail, head).same


def test_a_keyword_stuffed_copy_is_found_by_its_passage_keys_and_joins(tmp_path):
    db = open_db(tmp_path / "pw.db")
    original = store(db, "https://kjj.example.gov.cn/zcfg/1.html", measures(), "government", TITLE)
    stuffed = "\n".join(line[:len(line) // 2] + "高企申报" + line[len(line) // 2:] for line in MEASURES[:7])
    copy = store(db, "https://mirror.example.com/9.html", SPAM + "\n" + stuffed, title=TITLE)
    first, second = assign_policy(db, original), assign_policy(db, copy)
    assert second.policy_id == first.policy_id
    index = SqlitePolicyIndex(db)
    fp = fingerprint(Page.from_record(index.page_row(copy)))
    assert index.page_row(original)["id"] in index.sentence_candidates(fp.sentences, index.page_row(copy)["id"], 3, 20)


def test_a_news_report_quoting_the_policy_stays_apart():
    policy = view(measures(), "https://kjj.example.gov.cn/zcfg/1.html", "government")
    news = view("本报讯（记者 李明）近日，区管委会印发新政策。\n" + measures(slice(None, 8)), "https://news.example.com/5.html")
    verdict = compare_pages(news, policy)
    assert not verdict.same and verdict.refusal == "different genre news / document"
    dateline = view("中新社杭州3月5日电 区管委会近日出台办法。\n" + measures(slice(None, 8)))
    assert dateline.genre == "news"


def test_an_answer_page_quoting_the_policy_stays_apart():
    policy = view(measures(), "https://kjj.example.gov.cn/zcfg/1.html", "government")
    answer = view("问：重新通过认定的高新技术企业能拿到多少奖励？\n答：根据区里的办法，规定如下。\n" + measures(slice(1, 8)))
    verdict = compare_pages(answer, policy)
    assert not verdict.same and verdict.refusal == "different genre interpretation / document"


def test_a_draft_and_its_final_version_stay_apart():
    final = view(measures(), "https://kjj.example.gov.cn/zcfg/2.html", "government")
    draft = view("区科技创新奖励办法（征求意见稿）\n" + measures(slice(None, 8)), "https://kjj.example.gov.cn/zqyj/1.html",
                 "government")
    assert draft.genre == "draft" and final.genre == "document"
    assert compare_pages(draft, final).refusal == "different genre draft / document"
    titled = view(measures(), "https://kjj.example.gov.cn/zqyj/2.html", "government",
                  title="关于公开征求《区科技创新奖励办法（草案）》意见的公告")
    assert titled.genre == "draft"


def test_a_city_notice_implementing_the_measures_has_no_passage_evidence():
    province = view(measures(), "https://kjt.example.gov.cn/1.html", "government")
    city = view("\n".join(line + "市财政再按一比一比例给予配套支持，由市科技局会同市财政局组织实施。"
                          for line in MEASURES[1:6]), "https://kjj.example-city.gov.cn/1.html", "government")
    verdict = compare_pages(city, province)
    assert not verdict.same and verdict.refusal.startswith("containment")


def test_long_tone_marked_pinyin_is_damage_but_an_english_word_is_not():
    assert damaged_form("建设", "jiànshè") is True
    assert damaged_form("设", "jiānoshè") is True
    assert damaged_form("人工智能", "artificial") is False


def test_characters_lost_to_decoding_or_transposed_are_damage_but_another_body_is_not():
    original = view(measures(), "https://kjj.example.gov.cn/zcfg/1.html", "government")
    damaged = measures().replace("工程技术研究中心", "工程??鐩究中心").replace("科技服务企业", "科技务服企业")
    verdict = compare_pages(view(damaged, "https://www.example.com/b.html"), original)
    assert verdict.same and verdict.containment < 1.0
    # a page's own question mark stays a sentence end, not a lost character
    assert sentence_units("企业能拿到多少奖励？最高200万元。") == ["企业能拿到多少奖励", "最高200万元"]
    other = damaged.replace("经区管委会研究", "经县人民政府研究")
    refused = compare_pages(view(other, "https://www.example.com/c.html"), original)
    assert not refused.same and refused.refusal == "1 changed words (区管委会→县人民政府)"


# ------------------------------------------------- a heading and a sentence that say a document was issued

def test_two_ways_of_saying_a_document_was_issued_are_no_word_change():
    sentence = "为做好孵化器工作,某部组织编制了某省科技企业孵化器发展规划。现印发你们,请结合实际做好落实工作。"
    heading = "为做好孵化器工作,某部办公厅关于印发某省科技企业孵化器发展规划。现印发你们,请结合实际做好落实工作。"
    diff = text_differences(sentence_units(prepare_text(sentence)), sentence_units(prepare_text(heading)))
    assert diff.word_changes == []


def test_another_body_issuing_the_same_words_is_still_a_word_change():
    a = "为做好孵化器工作,茂名市科技局印发了科技企业孵化器发展规划。请各县区结合实际做好落实工作。"
    b = "为做好孵化器工作,湛江市科技局印发了科技企业孵化器发展规划。请各县区结合实际做好落实工作。"
    diff = text_differences(sentence_units(prepare_text(a)), sentence_units(prepare_text(b)))
    assert [(c.old, c.new) for c in diff.word_changes] == [("茂名", "湛江")]
