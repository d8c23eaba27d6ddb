"""Document type and region on the forms real government and aggregator pages take.

Pages lose their titles, glue their lines, drop a colon, keep only a body that names its own type, or speak
as 我省 / 我市 without repeating the place's name. Each case below is written here, in the words such pages
use, for places and documents the rules were not written from.
"""
from __future__ import annotations

from typing import Any

import pytest

from pipelines.classify.record import classify_record

NAV = "首页 | 要闻 | 时政 | 经济 | 社会 | 文化 | 体育 | 图片 | 视频 | 专题 | 评论 | 数字报\n" * 6


def classify(title: str = "", text: str = "", issuer: str | None = None, **extra: Any) -> dict[str, Any]:
    record = {"title": title, "text": text, "issuer": issuer, "doc_number": None, "incentives": [], **extra}
    return classify_record(record, None)


def doc_type(title: str = "", text: str = "") -> tuple[str, str]:
    result = classify(title, text)
    return result["doc_type"], result["classification_reasons"]["doc_type"]


# --- the type of the document a wrapper issues ------------------------------------------------------

@pytest.mark.parametrize("title, expected", [
    ("关于印发《青田县科技计划项目管理办法（试行）》的通知", "管理办法"),
    ("关于印发《黔南州科技创新券实施办法（2024年修订）》的通知", "管理办法"),
    ("关于印发《曲靖市数字经济发展推进方案》的通知", "行动计划"),
    ("中共钦州市委 钦州市人民政府关于加快建设创新型城市的实施意见", "若干措施"),
    ("关于印发《关于支持科技型中小企业加快成长的意见》的通知", "若干措施"),
    ("关于印发《科技型中小企业评价服务工作指引》的通知", "管理办法"),
    ("中共南岸区委关于制定南岸区国民经济和社会发展第十五个五年规划和二〇三五年远景目标的建议", "规划"),
    ("省人民政府关于同意设立安顺高新技术产业开发区的批复", "其他"),
])
def test_a_wrapper_or_a_title_takes_the_type_of_the_document_it_names(title: str, expected: str) -> None:
    assert doc_type(title)[0] == expected


def test_a_published_list_is_filed_with_notices() -> None:
    found, why = doc_type("关于印发《2025年度柳江区科技创新券兑付企业名单》的通知")
    assert found == "公示" and "名单" in why


def test_a_question_and_its_answer_is_no_document() -> None:
    assert doc_type("高新技术企业认定需要满足哪些条件？", "高企认定要看知识产权、研发费用和高新收入。")[0] == "其他"
    found, why = doc_type("", "问：科技型中小企业评价每年什么时候开始？\n答：评价工作常年开展，企业可随时登录服务平台填报。")
    assert found == "其他" and "question" in why


# --- a body without its title ---------------------------------------------------------------------

def test_an_interpretation_is_told_by_its_headings_or_its_opening() -> None:
    headed = ("一、起草背景\n为落实省委关于创新驱动的部署，市科技局牵头起草了本措施。\n"
              "二、主要内容\n措施共十条，涵盖研发投入、人才引进和成果转化。\n三、适用对象\n在本市注册的企业。")
    assert doc_type("", headed)[0] == "解读"
    opening = "《若干措施》出台的背景是，我区科技型企业融资难、融资贵的问题仍较突出。"
    assert doc_type("", opening)[0] == "解读"


def test_a_body_that_issues_a_document_takes_its_type() -> None:
    issued = ("各镇人民政府、街道办事处，县直各单位：\n《平江县促进工业企业研发投入奖补办法》已经县人民政府同意，"
              "现印发给你们，请认真贯彻执行。\n平江县人民政府办公室\n2025年4月8日")
    assert doc_type("", issued)[0] == "管理办法"
    unknown = ("各乡镇农业综合服务中心：\n我局会同县财政局编制了《2025年农机报废更新补贴机具目录》，现印发你们，"
               "请遵照执行。")
    found, why = doc_type("", unknown)
    assert found == "其他" and "no vocabulary entry" in why


def test_a_newsroom_report_on_a_policy_is_news_even_when_it_names_the_policy() -> None:
    report = NAV + ("宜宾日报讯（记者 陈某）近日，市政府印发《宜宾市科技企业梯度培育实施方案》，"
                    "提出到2027年全市高新技术企业达到500家。")
    found, why = doc_type("", report)
    assert found == "新闻" and "newsroom" in why


@pytest.mark.parametrize("text, expected", [
    ("为加快培育高成长性科技企业，结合本市实际，特制定本实施方案。\n一、总体要求\n二、重点任务", "行动计划"),
    ("第一条 为规范市级科研项目管理，根据有关规定，制定本办法。\n第二条 本办法适用于市级财政资金支持的项目。",
     "管理办法"),
    ("为进一步激发民营企业创新活力，经市政府同意，现就加快科技型企业发展提出如下意见：\n一、加大研发投入支持",
     "若干措施"),
    ("本规划纲要依据区委建议编制，是今后五年全区发展的行动纲领。\n第一章 发展基础", "规划"),
])
def test_a_body_that_names_its_own_type_takes_it(text: str, expected: str) -> None:
    assert doc_type("", text)[0] == expected


def test_one_passing_mention_of_a_type_is_not_a_document_naming_itself() -> None:
    retelling = ("黄冈市人才政策要点\n符合本计划支持条件的高层次人才，可申请安家补贴。博士每人5万元，硕士每人2万元。")
    found, why = doc_type("", retelling)
    assert found == "其他" and "retells" in why


@pytest.mark.parametrize("text", [
    "赣科发计字〔2025〕18号各设区市科技局，赣江新区科创局：根据省科技计划管理有关规定，请组织推荐2025年度项目。",
    "各乡镇人民政府、街道办事处，区直各部门\n请于本月底前报送本单位年度科技工作总结。",
])
def test_an_addressee_counts_behind_a_glued_number_and_without_its_colon(text: str) -> None:
    found, why = doc_type("", text)
    assert found == "通知" and "addressee" in why


@pytest.mark.parametrize("text", [
    "根据《关于促进企业研发投入的若干措施》文件精神，决定组织开展2025年度企业研发费用补助申报工作。申报对象为规上工业企业。",
    "经研究，同意将恒泰新材料有限公司等12家企业确定为区级工程技术研究中心。",
    "2025年全县分配耕地地力保护补贴资金860万元，补贴标准为每亩105元。\n汝南县农业农村局\n2025年3月6日",
])
def test_a_notice_is_told_by_its_formulas_or_its_closing_signature(text: str) -> None:
    assert doc_type("", text)[0] == "通知"


def test_a_deadline_day_is_no_news_lede() -> None:
    assert doc_type("", "请各企业于2025年6月30日前将申报材料报送至市科技局。特此通知。")[0] == "通知"


def test_prose_without_document_form_is_news_when_it_reads_like_news() -> None:
    habits = ("今年以来，我市新增科技型中小企业320家。据了解，市科技局将继续加大培育力度，"
              "截至6月底已兑现奖补资金1800万元。")
    assert doc_type("", habits)[0] == "新闻"
    newsroom = "来源：株洲晚报\n园区新落地的三个研发中心已投入使用，企业研发人员超过600人。"
    assert doc_type("", newsroom)[0] == "新闻"
    work_report = ("近年来，县科技局围绕主导产业加大企业培育力度，我县科技型企业数量稳步增长。"
                   "下一步，县科技局将继续做好高新技术企业申报辅导工作。")
    assert doc_type("", work_report)[0] == "新闻"
    explainer = "科技型中小企业是指依托一定数量的科技人员从事科学技术研究开发活动的中小企业。"
    assert doc_type("", explainer)[0] == "其他"


# --- region ---------------------------------------------------------------------------------------

def region(result: dict[str, Any]) -> tuple[str | None, str | None]:
    return result["province"], result["city"]


def test_a_heading_line_names_the_place_of_a_page_without_title() -> None:
    result = classify("", "甘肃省2025年职称评审工作时间安排\n具体时间以各系列评审通知为准。")
    assert region(result) == ("甘肃省", None)
    assert "heading" in result["classification_reasons"]["province"]


def test_a_body_speaking_as_its_province_or_city_names_its_place_once() -> None:
    province = classify("", "近年来，我省持续加大高新技术企业培育力度。目前贵州省高新技术企业已超过2000家。")
    assert region(province) == ("贵州省", None)
    city = classify("", "截至目前，我市高新技术企业总数达到860家。下一步，芜湖将继续完善梯度培育体系。")
    assert region(city) == ("安徽省", "芜湖市")
    assert "我市" in city["classification_reasons"]["city"]


def test_one_short_mention_without_speaking_as_the_place_stays_too_weak() -> None:
    assert region(classify("", "会上，贵州的代表介绍了大数据产业发展的做法。")) == (None, None)
    assert region(classify("", "会上，上海市的代表介绍了集成电路产业发展的做法。")) == (None, None)


def test_a_body_naming_places_all_over_the_country_speaks_for_none() -> None:
    scattered = classify("", "北京市、上海市和广东省深圳市、广州市的高新区位列前列，浙江省杭州市、四川省成都市、湖北省武汉市紧随其后。")
    assert region(scattered) == (None, None)
    assert "provinces" in scattered["classification_reasons"]["province"]
    dominant = classify("", "苏州工业园区召开座谈会，苏州市科技局介绍了苏州高新区的做法，上海、杭州的代表参加。")
    assert region(dominant) == ("江苏省", "苏州市")


def test_a_document_addressed_to_every_province_is_national() -> None:
    result = classify("关于印发《科技企业孵化器评价指标体系》的通知",
                      "各省、自治区、直辖市及新疆生产建设兵团科技厅（委、局）：\n现将评价指标体系印发给你们。\n"
                      "联系地址：北京市海淀区玉渊潭南路")
    assert region(result) == (None, None) and result["level"] == "national"
    assert "addressed to" in result["classification_reasons"]["level"] or \
        "addressed to" in result["classification_reasons"]["province"]


def test_a_province_filled_from_a_smaller_place_is_kept_and_said_to_be_inferred() -> None:
    result = classify("西平县科学技术局关于开展2025年科技型中小企业评价工作的通知", "各乡镇人民政府：\n请组织企业填报。")
    assert region(result) == ("河南省", "驻马店市") and result["county"] == "西平县"
    reasons = result["classification_reasons"]
    assert "province inferred: 西平县 lies in 河南省" in reasons["province"]
    assert "city inferred: 西平县 lies in 驻马店市" in reasons["city"]
    named = classify("河南省科学技术厅关于开展2025年科技型中小企业评价工作的通知", "各省辖市科技局：\n请组织企业填报。")
    assert "inferred" not in named["classification_reasons"]["province"]
