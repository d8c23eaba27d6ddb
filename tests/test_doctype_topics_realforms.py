"""Document type and principal topics on the forms real pages take when the title is lost or misleads.

A report retells an issuance in the third person; a copy keeps its headline as the first line of its text; a
consultancy titles its summary by the sides of an application; a page of conditions names 知识产权 and 研发费用
without being about them. Each case is written here, in the words such pages use, for places and documents the
rules were not written from.
"""
from __future__ import annotations

from typing import Any

import pytest

from pipelines.classify.record import classify_record


def classify(title: str = "", text: str = "") -> dict[str, Any]:
    record = {"title": title, "text": text, "issuer": None, "doc_number": None, "incentives": []}
    return classify_record(record, None)


def doc_type(title: str = "", text: str = "") -> tuple[str, str]:
    result = classify(title, text)
    return result["doc_type"], result["classification_reasons"]["doc_type"]


def topics(title: str = "", text: str = "") -> list[str]:
    return sorted(classify(title, text)["topics"])


# --- a report about a document is news ------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "科技部、财政部12日联合印发《关于进一步支持科技型中小企业创新发展的若干措施》，从研发投入、融资服务和人才引育"
    "等方面提出十二条举措。\n措施明确，对首次入库的企业给予一次性奖励。",
    "2023年11月下旬，湖北省科学技术厅公布《2023年度湖北省瞪羚企业名单》，襄阳三家企业名列其中。\n"
    "这三家企业近三年营业收入年均增长均超过两成。",
    "据国家税务总局网站8日消息，两部门日前发布公告，延续实施小微企业所得税优惠政策。\n公告自发布之日起施行。",
])
def test_a_body_that_reports_an_issuance_is_news(text: str) -> None:
    found, why = doc_type("", text)
    assert found == "新闻", why


def test_a_repost_that_gives_the_text_after_its_introduction_is_the_document() -> None:
    repost = ("省科技厅、省财政厅印发《江西省科技创新券管理办法》，全文如下：\n"
              "第一条 为引导企业购买科技服务，制定本办法。\n第二条 本办法所称创新券，是指面向企业发放的电子凭证。\n"
              "第十八条 本办法自2025年1月1日起施行。")
    assert doc_type("", repost)[0] == "管理办法"


def test_a_byline_or_a_reworded_reporter_marks_a_report() -> None:
    byline = ("今年以来，高新区累计新增科技型企业86家，较去年同期增长三成。\n园区将继续做好企业服务工作。\n"
              "（高新区管委会 刘晓明）")
    assert doc_type("", byline)[0] == "新闻"
    reworded = "采访人员从市科技局获悉，全市今年新认定高新技术企业412家，数量创历史新高。"
    assert doc_type("", reworded)[0] == "新闻"


def test_a_line_naming_two_offices_is_no_byline() -> None:
    plan = ("为加快培育科技型企业，制定本方案。\n一、建立企业培育库，每年遴选一批种子企业。\n"
            "（市科技局 市财政局）\n二、落实研发费用加计扣除政策。\n本方案自印发之日起实施。")
    assert doc_type("", plan)[0] == "行动计划"


def test_a_report_that_names_a_plan_in_its_headline_is_news() -> None:
    report = ("市里召开科技企业培育大会，提出用三年时间培育一批高成长企业。\n据了解，市科技局将建立一对一联系服务制度。"
              "\n市长表示，要让更多中小科技企业脱颖而出。\n本台记者 周宁 报道")
    found, why = doc_type("推进“雏鹰”计划 嘉兴科技小企业加速成长", report)
    assert found == "新闻" and "reports on it" in why
    plan = ("近年来，我市科技型企业数量稳步增长。会议指出，要加快培育。\n一、主要目标\n到2027年，全市科技型企业达到3000家。"
            "\n二、重点任务\n（一）实施企业梯次培育。\n三、保障措施\n加强组织领导。")
    assert doc_type("嘉兴市科技型企业梯次培育三年行动计划", plan)[0] == "行动计划"


# --- the headline a copy kept, and the headings of a body ---------------------------------------------

def test_a_copy_without_a_title_is_typed_by_the_headline_it_opens_with() -> None:
    guide = ("科技服务云平台\n2025年度绍兴市重点研发计划项目申报指南\n发布时间：2025-03-02\n"
             "为做好年度项目组织工作，现发布本年度项目指南。企业可在线提交申请。")
    assert doc_type("", guide)[0] == "申报指南"
    visit = ("拱墅区政府代表团赴滨江高新区考察交流\n2024-05-10\n5月9日下午，拱墅区代表团一行来到滨江，"
             "参观了园区展示中心，双方就产业合作进行了交流。")
    assert doc_type("", visit)[0] == "新闻"


def test_an_attachment_file_name_is_no_headline() -> None:
    shared = ("关于推进县域科技创新的调研报告.docx\n文档大小：36KB\n县域是科技创新的基本单元，近年来各地加快布局创新平台，"
              "但人才和资金仍是短板。")
    assert doc_type("", shared)[0] != "新闻"


def test_only_a_heading_line_that_issues_a_document_gives_its_type() -> None:
    wrapper = ("关于印发《金华市促进科技成果转化实施办法》的通知\n各县（市、区）人民政府，市政府各部门：\n"
               "现将《金华市促进科技成果转化实施办法》印发给你们，请认真贯彻执行。")
    assert doc_type("", wrapper)[0] == "管理办法"
    feature = ("瞪羚企业是成长最快的一类创新企业，被视为区域经济的风向标。\n园区2019年发布《关于实施瞪羚企业培育工程的若干意见》，"
               "此后每年遴选一批企业给予支持，这些企业的营收普遍保持两位数增长，投资机构也纷纷关注。")
    assert doc_type("", feature)[0] != "若干措施"


# --- titles -------------------------------------------------------------------------------------

@pytest.mark.parametrize("title, expected", [
    ("宁波市2024年高新技术企业认定常见问题解答", "其他"),
    ("科技型中小企业评价政策问答", "其他"),
    ("市科技局负责人就《宁波市科技创新券管理办法》答记者问", "解读"),
    ("余杭区便民服务事项办事指南", "其他"),
    ("2025年度浙江省重点研发计划项目指南", "申报指南"),
    ("台州市科技创新促进条例", "其他"),
    ("关于印发《台州市科技计划项目经费管理若干规定》的通知", "其他"),
])
def test_the_title_forms_of_faq_pages_guides_and_rules(title: str, expected: str) -> None:
    found, why = doc_type(title, "为做好相关工作，特制定本文。")
    assert found == expected, why


def test_a_title_listing_the_sides_of_an_application_is_a_summary_unless_the_body_is_the_notice() -> None:
    summary = "高新技术企业认定可享受企业所得税减按15%征收，各地还有额外奖励，具体以当地科技局为准。"
    found, why = doc_type("2025年浙江省高新技术企业认定申报时间、条件及流程", summary)
    assert found == "其他" and "时间、条件" in why
    notice = "各市科技局：\n现就2025年度高新技术企业认定工作通知如下。"
    assert doc_type("2025年浙江省高新技术企业认定申报时间、条件及流程", notice)[0] == "通知"


# --- principal topics --------------------------------------------------------------------------

def test_a_programme_kind_is_kept_beside_the_measures_that_fill_the_page() -> None:
    text = ("一、孵化器建设奖励\n对新认定的国家级科技企业孵化器给予100万元奖励，省级孵化器给予50万元奖励。\n"
            "对年度考核优秀的，再给予20万元运营补助。\n"
            "二、在孵企业培育\n孵化器当年在孵企业通过高新技术企业认定的，每家给予孵化器2万元奖励。\n"
            "毕业企业三年内被认定为高新技术企业的，再给予孵化器1万元奖励。")
    assert topics("", text) == ["hitech-enterprise", "incubator"]


def test_the_conditions_of_a_programme_are_not_its_topics() -> None:
    text = ("各区科技局：\n现将2025年度高新技术企业认定申报工作通知如下。\n一、申报条件\n"
            "1、企业拥有对主要产品发挥核心支持作用的知识产权所有权；\n"
            "2、近三个会计年度研究开发费用总额占销售收入总额的比例符合规定；\n"
            "3、企业科技成果转化能力较强，近三年转化科技成果不少于5项；\n"
            "二、申报时间\n高新技术企业认定申报截止时间为6月30日。")
    assert topics("关于开展2025年度高新技术企业认定申报工作的通知", text) == ["hitech-enterprise"]


def test_the_definition_of_a_kind_of_enterprise_names_no_topic() -> None:
    text = ("科技型中小企业是指依托科技人员从事研究开发活动，取得知识产权并将其转化为产品的中小企业。\n"
            "科技型中小企业评价实行企业自主评价、省级审核、全国公示的方式。\n评价结果在服务平台公示十个工作日。")
    assert topics("", text) == ["tech-sme"]


def test_what_a_document_says_it_centres_on_is_principal() -> None:
    text = ("为推动科技创新主城区建设，制定本方案。\n坚持以培育科技领军企业为重点，以科技成果转化为主线，"
            "全面提升区域创新能力。\n一、总体要求\n力争到2026年全区创新能力明显增强。")
    assert topics("", text) == ["specialised-sme", "tech-transfer"]


def test_one_sentence_listing_two_terms_of_a_topic_is_a_mention() -> None:
    text = ("国家高新区是创新驱动发展的重要载体。\n高新区汇聚了全省四成的专精特新“小巨人”企业。\n"
            "今年以来，各高新区加快建设创新平台，高新区生产总值同比增长8%。")
    assert "specialised-sme" not in topics("", text)


@pytest.mark.parametrize("text, expected", [
    ("对新认定的省级工程技术研究中心给予30万元奖励。\n对新认定的市级工程技术研究中心给予10万元奖励。", "rd-investment"),
    ("企业可申领科技创新券购买检验检测服务。\n每家企业每年创新券额度不超过10万元。", "rd-investment"),
    ("对新认定的省级科技小巨人企业给予20万元奖励。\n科技小巨人企业每年复核一次。", "tech-sme"),
])
def test_the_words_of_a_topic_real_pages_use(text: str, expected: str) -> None:
    assert expected in topics("", text)
