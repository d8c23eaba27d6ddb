"""Document type, topics and city on the forms of pages nobody tuned on.

A wrapper that lost its title still issues its document (现予印发, 现将《…》印发给你们, or with a copy's stray
spaces: 现 印 发给你们); a short untitled notice's signature is no headline; a condensed notice keeps its 现组织开展; a
paper's page continued from another (上接第2版) is a report; a writing-template site's samples are no document.
Official texts write 研发 as R&D and a firm's research body as 研究开发中心; firms join in 创新联合体 to do research.
An addressee list led by a named body (某县、各区人民政府,…) says who, not what about. A county-level city that
a title or signature names is the document's county. Each case is written here in the words such pages use, for
places and documents the rules were not written from.
"""
from __future__ import annotations

from typing import Any

import pytest

from pipelines.classify.record import classify_record


def classify(title: str = "", text: str = "", issuer: str | None = None) -> dict[str, Any]:
    return classify_record({"title": title, "text": text, "issuer": issuer, "doc_number": None, "incentives": []},
                           None)


def doc_type(title: str = "", text: str = "") -> str:
    return classify(title, text)["doc_type"]


def topics(title: str = "", text: str = "") -> list[str]:
    return classify(title, text)["topics"]


# --- doc_type -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("各县（市、区）科技局，市直有关单位：\n《株洲市科技企业孵化器认定管理办法（试行）》已经市政府同意，现 印 发给你们，"
     "请认真贯彻执行。\n株洲市科学技术局\n2024年6月3日", "管理办法"),
    ("各区科技主管部门：\n《嘉兴市科技创新券管理实施细则》已经局党组会议审议通过，现予印发，请遵照执行。\n"
     "第一条 为规范创新券的使用……", "实施细则"),
    ("各镇（街道）、各有关单位：\n现将《海宁市推进科技型中小企业培育三年行动方案》印发给你们，请结合实际抓好落实。", "行动计划"),
])
def test_an_untitled_wrapper_takes_the_type_of_what_its_formula_issues(text: str, expected: str) -> None:
    assert doc_type("", text) == expected


def test_a_short_untitled_notice_is_not_titled_by_its_signature() -> None:
    # the copy turned the signature's non-breaking spaces into question marks
    text = ("各县市区科技局，各有关单位：\n经企业申报、专家评审，现公布2024年度湘潭市工程技术研究中心名单（见附件）。\n"
            "湘潭市科学技术局? ??\n2024年5月8日")
    assert doc_type("", text) == "通知"


def test_a_headline_above_the_text_still_titles_an_untitled_page() -> None:
    text = "2025年岳阳市科技创新券申报指南\n一、支持对象\n在本市注册的科技型中小企业。"
    assert doc_type("", text) == "申报指南"


def test_a_condensed_notice_that_organises_an_exercise_is_a_notice() -> None:
    text = ("现组织开展2024年度市级众创空间绩效评价工作,各众创空间按要求填写评价表,经所在县区科技部门初审后,"
            "请于2024年10月15日前将评价材料报送至市科技局,评价结果作为市级奖补的依据")
    assert doc_type("", text) == "通知"


@pytest.mark.parametrize("text", [
    "（上接第2版）园区内三家企业新获国家高新技术企业认定，累计达到五十六家。下一步，园区将继续优化营商环境。",
    "开发区新建的科创大厦已完成主体结构施工，预计年底交付使用，届时将引入一批研发企业。（下转3版）",
])
def test_a_papers_page_continued_from_another_is_news(text: str) -> None:
    assert doc_type("", text) == "新闻"


@pytest.mark.parametrize("title", ["关于开展科技型中小企业评价工作的通知(精选3篇)", "关于组织申报高新技术企业认定的通知范文"])
def test_a_template_sites_samples_are_no_document(title: str) -> None:
    text = "各有关企业：\n为做好2023年度科技型中小企业评价工作，现将有关事项通知如下：\n一、评价对象……"
    assert doc_type(title, text) == "其他"


def test_a_notice_issuing_a_model_contract_text_is_no_template_page() -> None:
    text = "各有关单位：\n请在技术合同登记工作中推广使用新版技术转让合同示范文本。"
    assert doc_type("关于推广使用技术转让合同示范文本的通知", text) == "通知"


# --- topics ---------------------------------------------------------------------------------------

def test_r_and_d_written_in_latin_letters_is_rd_investment() -> None:
    text = ("为鼓励规上工业企业加大R&D经费投入，现将2024年度R&D投入奖励资金下达给你们。\n"
            "请各地及时将资金拨付到企业，专项用于企业R&D活动。")
    assert topics("", text) == ["rd-investment"]


@pytest.mark.parametrize("title, text", [
    ("关于认定2024年度市级企业研究开发中心的通知",
     "经企业申报、县区推荐和专家评审，认定江西某某材料有限公司研究开发中心等32家为市级企业研究开发中心。"),
    ("关于组建2025年度重点产业创新联合体的通知",
     "由行业龙头企业牵头，联合高校和科研院所组建创新联合体，围绕产业链关键技术开展联合攻关。"),
])
def test_a_firms_research_centre_and_its_research_consortium_are_rd_investment(title: str, text: str) -> None:
    assert "rd-investment" in topics(title, text)


def test_an_addressee_list_led_by_a_named_body_says_who_not_what_about() -> None:
    text = ("临湘市、各区人民政府，岳阳经济技术开发区、高新技术产业开发区管委会，市直各单位\n"
            "《岳阳市高层次人才引进实施办法》已经市人民政府同意，现予印发，请认真贯彻执行。\n"
            "一、引进的高层次人才按层次给予安家补贴。")
    found = topics("", text)
    assert "talent" in found and "hitech-zone" not in found


# --- city -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("title, text, place", [
    ("义乌市科学技术局关于组织申报2024年度科技创新券的通知",
     "各有关企业：\n为鼓励企业购买研发服务，现组织申报科技创新券。\n义乌市科学技术局\n2024年3月1日",
     ("义乌市", "义乌市", "county")),
    ("关于印发《推进高新技术企业倍增行动方案》的通知",
     "各镇人民政府，各街道办事处：\n现将方案印发给你们，请认真组织实施。\n昆山市人民政府\n2023年7月12日",
     ("昆山市", "昆山市", "county")),
])
def test_a_county_level_city_named_by_title_or_signature_is_the_documents_city_and_county(title: str, text: str,
                                                                                 place: tuple) -> None:
    result = classify(title, text)
    assert (result["city"], result["county"], result["level"]) == place


def test_a_county_level_city_that_co_issues_with_its_party_committee_is_the_documents_county() -> None:
    title = "中共海宁市委 海宁市人民政府关于印发《关于加快科技创新推动高质量发展的若干意见》的通知"
    text = ("各镇党委、人民政府，各街道党工委、办事处，市直属各单位：\n现将《关于加快科技创新推动高质量发展的若干意见》"
            "印发给你们，请认真贯彻执行。\n中共海宁市委\n海宁市人民政府\n2024年2月20日\n"
            "为深入实施创新驱动发展战略，结合嘉兴市和我市实际，制定本意见。")
    result = classify(title, text)
    assert (result["city"], result["county"], result["level"]) == ("海宁市", "海宁市", "county")
    assert "in 嘉兴市" in result["classification_reasons"]["city"]


def test_a_city_naming_itself_beside_a_county_level_city_is_the_citys() -> None:
    text = "各县市区科技局：\n现公布2024年度苏州市科技企业孵化器名单，其中昆山市5家。\n苏州市科学技术局\n2024年9月2日"
    result = classify("苏州市科技局关于公布2024年度市级科技企业孵化器名单的通知", text)
    assert (result["city"], result["county"]) == ("苏州市", None)


def test_a_district_stays_within_its_city() -> None:
    text = "各有关企业：\n现组织申报2024年度区级研发费用补助。\n长沙市雨花区科学技术局\n2024年4月2日"
    assert classify("雨花区科技局关于组织申报研发费用补助的通知", text)["city"] == "长沙市"
