"""Issuers, dates, numbers and titles on reposts from further regions: a list item's mark before a 转发 wrapper's
title, a 落款 padded with the question marks a copy left for lost spaces, a city bureau's section given as 来源,
a 落款 glued after an attachment list that ends with an application form or a guide, a 落款 date in Chinese
numerals closing a joined text above the page's buttons, a heading glued to its salutation with a space, an 印发
wrapper saying 现予印发, and an attachment named by another body's number. Every text here is written for the
test, as a page of that kind would write it."""
from __future__ import annotations

import pytest

from pipelines.fields.doc_number import own_doc_number
from pipelines.fields.signature import government_bodies, main_signature
from pipelines.fields.titles import policy_title, strip_title_prefix, text_heading
from tests.support.pages import text_record



# ---------------------------------------------------------------------------------------------- titles

@pytest.mark.parametrize("shown, title", [
    ("• 包头市科学技术局转发自治区科技厅《关于做好2024年度科技型中小企业评价工作的通知》",
     "包头市科学技术局转发自治区科技厅《关于做好2024年度科技型中小企业评价工作的通知》"),
    ("▪ 关于开展2023年度市级众创空间备案工作的通知", "关于开展2023年度市级众创空间备案工作的通知"),
    ("●【银川】关于组织申报2024年自治区瞪羚企业的通知", "关于组织申报2024年自治区瞪羚企业的通知"),
])
def test_a_list_items_mark_before_a_title_is_no_part_of_it(shown, title):
    assert strip_title_prefix(shown) == title


def test_a_wrapper_title_under_a_list_mark_names_its_issuer():
    record = text_record("• 齐齐哈尔市科学技术局转发省科技厅《关于开展2023年度高新技术企业认定工作的通知》\n"
                         "各县(市)区科技局,各有关单位:\n"
                         "现将省科技厅《关于开展2023年度高新技术企业认定工作的通知》转发给你们,请结合实际认真组织申报。\n")
    assert record["issuer"] == "齐齐哈尔市科学技术局"
    assert not record["title"].startswith("•")


def test_a_heading_glued_to_its_salutation_with_a_space_is_the_title():
    lines = ["关于开展2012年度科技企业孵化器认定工作的通知 各市科技局、各有关单位: 为加快培育科技型中小企业,"
             "现就有关事项通知如下: 一、认定范围 ……"]
    assert text_heading(lines) == "关于开展2012年度科技企业孵化器认定工作的通知"


@pytest.mark.parametrize("text, carried", [
    ("各区科技局:\n《大庆市科技创新券实施细则(试行)》已经局党组会议审议通过,现予印发,请认真贯彻执行。",
     "大庆市科技创新券实施细则(试行)"),
    ("各县(市、区)人民政府:\n《 鹤岗市小微企业贷款贴息办法 》已经市政府同意,现 印 发给你们,请遵照执行。",
     "鹤岗市小微企业贷款贴息办法"),
])
def test_an_issuing_wrapper_names_the_document_it_issues(text, carried):
    assert policy_title(None, text) == carried


def test_a_citation_followed_by_something_else_is_issued_by_no_wrapper():
    assert policy_title(None, "根据《某某市科技计划管理办法》,现予以说明如下。") is None


# ---------------------------------------------------------------------------------------------- issuers

def test_a_signature_padded_with_question_marks_names_its_body_and_date():
    lines = ["现将2023年度创新型企业名单予以公布。", "宁夏回族自治区科学技术厅? ? ??", "2023年11月2日? ? ??",
             "(此件公开发布)"]
    signature = main_signature(lines)
    assert signature.issuers == ("宁夏回族自治区科学技术厅",)
    assert signature.date == "2023-11-02"


def test_a_question_ending_a_line_is_not_padding():
    assert main_signature(["请问如何联系科学技术局?", "2023年11月2日"]).issuers == ()


@pytest.mark.parametrize("source", ["政策法规科", "高新技术科", "综合股"])
def test_a_departments_section_given_as_source_is_no_issuer(source):
    assert government_bodies([source]) == []


@pytest.mark.parametrize("source", ["吉林省科学技术厅", "市科学技术局", "延边朝鲜族自治州科技局", "成果转化与区域创新处"])
def test_a_body_given_as_source_stays_the_issuer(source):
    assert government_bodies([source]) == [source]


def test_a_government_page_whose_source_is_a_section_has_no_issuer_from_it():
    record = text_record("来源:高新技术科 发布时间:2024-04-08 10:20\n关于开展2024年度科技型中小企业入库工作的通知\n"
                         "各有关企业:\n请按要求于5月10日前完成入库申请。\n", kind="government",
                         url="https://kjj.example.gov.cn/art/1.html")
    assert record["issuer"] is None


@pytest.mark.parametrize("tail, issuer", [
    ("附件:1.2024年度绩效评价指标表2.孵化器绩效评价申报书牡丹江市科学技术局2024年5月6日附件.zip",
     "牡丹江市科学技术局"),
    ("附件:申报材料清单白银市科学技术局2023年4月12日", "白银市科学技术局"),
    ("附件:2024年科技型企业申报指南玉溪市科学技术局2024年3月1日。", "玉溪市科学技术局"),
])
def test_a_signature_glued_after_an_attachment_list_names_its_body(tail, issuer):
    signature = main_signature(["请各单位按时报送材料,逾期不予受理。" + tail])
    assert signature.issuers == (issuer,)


def test_the_secretariat_of_a_body_is_no_attachment_name():
    signature = main_signature(["请按时报送。附件:汇总表。某某省科技金融促进会秘书处2022年7月8日"])
    assert signature.issuers == ("某某省科技金融促进会秘书处",)


# ---------------------------------------------------------------------------------------------- dates

def test_a_signature_date_in_chinese_numerals_closing_a_joined_text_above_the_buttons():
    lines = ["关于做好高新技术企业复审工作的通知 各盟市科技局: 请于9月30日前报送材料。 附件: 二〇一〇年八月十六日 |",
             "【 纠 错 】 【加入收藏】【打印本页】【关闭窗口】"]
    assert main_signature(lines).date == "2010-08-16"


def test_a_date_in_chinese_numerals_that_the_sentence_goes_on_from_is_no_signature():
    lines = ["本办法自二〇一一年一月一日起施行,由市科技局负责解释,有效期五年,期满后根据实施情况依法评估修订。"]
    assert main_signature(lines) is None


def test_a_date_in_digits_closing_a_joined_text_without_a_body_is_no_signature():
    lines = ["请各单位于9月30日前报送材料。2023年9月1日", "【打印本页】【关闭窗口】"]
    assert main_signature(lines) is None


# ---------------------------------------------------------------------------------------------- numbers

@pytest.mark.parametrize("line", ["附件:陇科高〔2023〕15号.pdf", "附件：黔科通[2022]37号(/upload/file/202204/a1.doc)",
                                  "附件:1.桂科高字〔2024〕8号.docx"])
def test_an_attachment_named_by_a_number_is_not_the_pages_own_number(line):
    # a city bureau's notice sends on the province's document, named by the province's number
    lines = ["各县（区）科技局：", "根据省科技厅工作部署，现将有关事项通知如下。", line, "某某市科学技术局", "2024年1月1日"]
    assert own_doc_number(None, lines, "某某市科学技术局关于做好2024年度高新技术企业认定申报工作的通知") is None


def test_a_number_at_the_head_of_the_text_is_the_pages_own_whatever_it_attaches():
    lines = ["甘科高〔2023〕2号", "各市州科技局:", "附件:陇科高〔2023〕15号.pdf"]
    assert own_doc_number(None, lines, None) == "甘科高〔2023〕2号"
