"""Document type, topics and region on the forms freshly collected pages take.

A notice says 有关事项通知如下 without 将 or 就; its addressee line starts with the bodies directly under the
government (市直各有关单位); a 转发 wrapper passes on another notice; rules say 特制定如下实施细则 instead of 本细则; a
notice's title names the session of 政策解读 it announces. A provincial list names firms of every city; a body
lists the parks of many cities; a city's 转发 of a provincial notice speaks as the city (结合我市实际); an autonomous
region speaks of itself as 我区. Each case is written here in the words such pages use, for places and documents
the rules were not written from.
"""
from __future__ import annotations

from typing import Any

import pytest

from pipelines.classify.record import classify_record


def classify(title: str = "", text: str = "") -> dict[str, Any]:
    return classify_record({"title": title, "text": text, "issuer": None, "doc_number": None, "incentives": []}, None)


def doc_type(title: str = "", text: str = "") -> str:
    return classify(title, text)["doc_type"]


def region(title: str = "", text: str = "") -> tuple[str | None, str | None]:
    result = classify(title, text)
    return result["province"], result["city"]


# --- doc_type -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "为做好2025年度市级科技企业孵化器绩效评价工作，根据《市级科技企业孵化器管理办法》有关规定，现启动评价工作，"
    "具体事项通知如下：\n一、评价对象\n在我市注册并已备案满一年的市级以上孵化器。",
    # a copy that joined every line of the notice into one
    "关于组织申报2025年度企业研发投入后补助的通知各相关企业:现启动2025年度企业研发投入后补助申报工作,有关事项"
    "公告如下:一、申报对象在本区登记注册的规模以上工业企业,二、申报材料企业研发费用专项审计报告。",
])
def test_a_body_that_gives_its_matters_as_a_notice_is_a_notice(text: str) -> None:
    assert doc_type("", text) == "通知"


@pytest.mark.parametrize("addressee", ["市直各有关部门，各县（市、区）科技局：", "省直各有关单位:", "区直各部门，各街道办事处"])
def test_an_addressee_line_led_by_the_bodies_under_the_government_marks_a_document(addressee: str) -> None:
    text = f"{addressee}\n经研究，现下达2024年度市级工程技术研究中心名单（见附件），请各单位加强建设与管理。"
    assert doc_type("", text) == "通知"


def test_rules_that_say_they_are_made_as_follows_take_their_own_type() -> None:
    rules = ("为推动《关于支持科技型企业高质量发展的若干政策》落地见效，结合本区实际，特制定如下实施细则：\n"
             "第一条 支持对象为在本区注册经营的企业。\n第二条 对首次认定的高新技术企业给予奖励。")
    assert doc_type("", rules) == "实施细则"
    measures = ("为加快培育科技型中小企业，经区政府同意，特制定以下措施：\n一、对新入库企业给予一次性奖励。\n"
                "二、支持企业建设研发机构。")
    assert doc_type("", measures) == "若干措施"


def test_a_wrapper_forwarding_a_notice_is_a_notice() -> None:
    title = "关于转发《关于开展2025年度省级众创空间备案工作的通知》的通知"
    assert doc_type(title, "现将省科技厅通知转发给你们，请结合实际认真组织申报。") == "通知"


def test_a_wrapper_forwarding_a_wrapper_takes_the_type_of_what_the_inner_one_issues() -> None:
    title = "关于转发《关于印发〈湖北省科技型中小企业成长路线图计划实施方案〉的通知》的通知"
    assert doc_type(title, "现将上述文件转发给你们，请遵照执行。") == "行动计划"


@pytest.mark.parametrize("title", [
    "关于举办2025年高新技术企业认定政策解读培训会的通知",
    "关于开展科技型中小企业评价政策答疑活动的通知",
])
def test_a_notice_announcing_a_session_of_interpretation_or_questions_is_a_notice(title: str) -> None:
    assert doc_type(title, "各有关企业：\n为帮助企业准确把握政策，定于6月12日举办专题活动，现将有关事项通知如下。") == "通知"


def test_an_interpretation_and_a_page_of_questions_keep_their_classes() -> None:
    assert doc_type("《江门市科技创新券管理办法》政策解读", "一、出台背景\n二、主要内容") == "解读"
    assert doc_type("高新技术企业认定常见问题解答", "问：企业注册满多久可以申报？\n答：一年以上。") == "其他"


# --- topics ---------------------------------------------------------------------------------------

def test_the_recognition_of_technology_innovation_demonstration_firms_is_about_rd() -> None:
    result = classify("关于公布2025年度省级技术创新示范企业复核结果的通知",
                      "各市工业和信息化局：\n经企业自评、地方推荐和专家复核，现将复核结果予以公布。")
    assert "rd-investment" in result["topics"]


def test_the_special_carrier_programme_is_about_incubation() -> None:
    result = classify("关于推荐打造特色载体推动中小企业创新创业升级工作申报主体的公示",
                      "经各市科技局推荐、专家评审，拟推荐以下园区作为特色载体申报主体，现予以公示。")
    assert "incubator" in result["topics"]


# --- region ---------------------------------------------------------------------------------------

def test_the_firms_a_provincial_list_names_tell_the_province_but_no_city() -> None:
    text = ("近日，省工业和信息化厅公布了2025年度湖南省技术创新示范企业名单，株洲市华信新材料股份有限公司、"
            "株洲市宏达电气有限公司、衡阳市金源科技有限公司等35家企业入选。\n获得认定的企业要继续加大研发投入。")
    assert region("", text) == ("湖南省", None)


def test_a_body_listing_the_parks_of_many_cities_speaks_for_none_of_them() -> None:
    text = ("科技部日前公布国家高新区综合评价结果，江苏省有5家园区进入前30名，分别是：\n南京高新技术产业开发区\n"
            "苏州高新技术产业开发区\n无锡高新技术产业开发区\n常州高新技术产业开发区\n苏州工业园区")
    assert region("", text) == ("江苏省", None)


def test_a_city_forwarding_a_provincial_notice_is_the_citys() -> None:
    title = "关于转发《关于开展2025年度湖北省科技企业孵化器绩效评价工作的通知》的通知"
    text = ("各县市区科技局：\n现将省科技厅通知转发给你们，结合我市实际，提出以下要求：\n"
            "一、宜昌市内省级以上孵化器均应参加评价。\n二、请于6月20日前报送材料。")
    assert region(title, text) == ("湖北省", "宜昌市")


def test_an_autonomous_region_speaking_as_we_names_itself() -> None:
    text = "近年来，我区持续加大科技型中小企业培育力度，目前广西科技型中小企业入库数量突破九千家。"
    assert region("", text)[0] == "广西壮族自治区"
    district = "近年来，我区持续加大科技型中小企业培育力度，湖南科技型中小企业入库数量稳步增长。"
    assert region("", district)[0] is None


def test_one_province_named_in_full_and_no_other_names_the_province() -> None:
    assert region("", "会上，贵州省的代表介绍了大数据产业发展的做法。")[0] == "贵州省"
    assert region("", "会上，贵州省和云南省的代表分别介绍了大数据产业发展的做法。")[0] is None
