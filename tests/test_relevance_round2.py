"""Relevance on pages that lost their title, zones as the subject of a sentence, and the research-money,
technology-transfer and talent words of the subject."""
from __future__ import annotations

import pytest

from pipelines.classify.prepare import prepare
from pipelines.classify.record import classify_record
from pipelines.classify.relevance import opening_sentence, rule_evidence, zone_is_subject
from pipelines.classify.topics import SentenceIndex
from pipelines.classify.vocabulary import load_vocabulary


def classify(title: str, text: str) -> dict:
    return classify_record({"title": title, "text": text, "incentives": []})


def signals(title: str, text: str) -> dict[str, float]:
    vocab = load_vocabulary()
    doc = prepare({"title": title, "text": text}, vocab)
    return rule_evidence(doc, SentenceIndex(doc.body), [], vocab, None).signals


# --- the opening sentence of an untitled page ------------------------------------------------------

@pytest.mark.parametrize("body, opening", [
    # a column name above the heading is no opening
    ("本站讯\n2025年度东区公开招聘社区工作者公告\n一、招聘岗位", "2025年度东区公开招聘社区工作者公告"),
    # a lede ends at its first 。
    ("经区委研究，决定面向社会选聘专职网格员20名。报名时间另行通知。", "经区委研究，决定面向社会选聘专职网格员20名。"),
    # a heading's ! or ? does not end it
    ("开发区必读!2025年各小区对口学校一览\n详情如下", "开发区必读!2025年各小区对口学校一览"),
    ("", ""),
])
def test_opening_sentence(body: str, opening: str) -> None:
    assert opening_sentence(body, 8, 80) == opening


def test_an_opening_without_a_full_stop_is_cut_at_its_length_limit() -> None:
    body = "高新技术企业认定申报材料清单，营业执照复印件，知识产权证明，研发费用专项审计报告，" * 4
    assert opening_sentence(body, 8, 30) == body[:30]


@pytest.mark.parametrize("text, word", [
    ("经管委会研究，决定面向社会公开招聘高新区综合服务中心编外工作人员12名。\n一、招聘条件\n"
     "具有全日制本科以上学历，熟悉高新技术企业服务工作者优先。\n二、报名方式\n现场报名。", "招聘"),
    ("城南高新区2025年秋季小学学区划分公布\n第一小学：滨江路以东、科技大道以北的住宅小区。\n"
     "第二小学：高新区创业园片区。", "学区"),
    ("近日，高新区人才公租房二期项目顺利封顶。\n项目位于创新大道以南，共建设住房1200套，"
     "主要面向园区科技企业职工配租。", "公租房"),
])
def test_an_untitled_page_opening_off_topic_is_not_relevant(text: str, word: str) -> None:
    result = classify("", text)
    assert not result["is_relevant"], result["relevance_reasons"]
    assert f"opening sentence is off-topic ({word})" in " ".join(result["relevance_reasons"])


def test_an_off_topic_word_later_in_an_untitled_notice_does_not_count() -> None:
    text = ("各有关企业：为鼓励企业加大创新投入，现组织开展2025年度高新技术企业认定奖励申报工作。\n"
            "一、对首次通过认定的高新技术企业给予20万元奖励。\n"
            "二、申报企业近一年内未发生重大安全生产事故。\n"
            "三、请于9月30日前将材料报送区科技局。")
    result = classify("", text)
    assert result["is_relevant"], result["relevance_reasons"]
    assert not any("off-topic" in reason for reason in result["relevance_reasons"])


# --- a zone as the subject of its sentence ---------------------------------------------------------

@pytest.mark.parametrize("text, zone, subject", [
    ("加快推进国家高新区高质量发展，打造创新策源地。", "国家高新区", True),
    ("全力支持江北高新区建设，做强主导产业。", "高新区", True),
    ("高新区进一步发展需要更多科技人才。", "高新区", True),
    ("市考察团一行赴滨海高新区参观学习。", "高新区", False),
    ("项目位于高新区创新大道以南。", "高新区", False),
])
def test_zone_is_subject(text: str, zone: str, subject: bool) -> None:
    start = text.index(zone)
    assert zone_is_subject(text, start, start + len(zone), load_vocabulary()) is subject


def test_a_body_developing_a_zone_is_not_only_naming_a_place() -> None:
    developed = "为促进国家高新区进一步发展，省政府出台若干意见，从用地、人才、金融等方面给予支持。"
    visited = "昨天，市政协调研组一行来到国家高新区，实地察看了园区道路和绿化情况。"
    assert signals("", developed)["places_only"] == 0.0
    assert signals("", visited)["places_only"] == 1.0


# --- research money, technology transfer, talent -------------------------------------------------

@pytest.mark.parametrize("title, text, term", [
    ("关于下达2024年度企业研发经费投入后补助资金的通知",
     "各县区科技局：根据企业上年度研发经费投入增量，对符合条件的126家企业给予后补助，现将资金下达给你们。", "研发经费"),
    ("", "对年度R&D经费支出超过1000万元的规模以上工业企业，按增量部分的10%给予奖励，最高不超过100万元。", "R&D"),
    ("关于开展2025年度企业研发财政奖补资金申报工作的通知",
     "各有关企业：为引导企业加大研发投入，现组织申报企业研发财政奖补资金，请于5月31日前完成网上填报。", "企业研发"),
    ("关于印发《促进科技成果转移转化行动方案》的通知",
     "各镇街、各部门：现将《促进科技成果转移转化行动方案》印发给你们，请认真贯彻执行。", "转移转化"),
])
def test_research_money_and_technology_transfer_are_relevant(title: str, text: str, term: str) -> None:
    result = classify(title, text)
    assert result["is_relevant"], result["relevance_reasons"]
    assert term in " ".join(result["relevance_reasons"])


def test_a_talent_and_team_start_up_notice_names_its_terms() -> None:
    text = ("对新引进的高层次人才创新创业团队，经评审认定后给予最高500万元项目资助；"
            "团队所在企业落户本市满一年的，再给予100万元研发补助。")
    reasons = " ".join(classify("", text)["relevance_reasons"])
    assert "高层次人才" in reasons and "创新创业团队" in reasons
