"""Titles, issuers, dates and numbers on the layouts of pages collected after the rules were first written:
an aggregator's card header (the title among the site's furniture, a row of region, department and date under
it), a card title that only shortens the document's heading, a title closed by its number, a 征求意见稿 made
public by a notice, a 落款 glued after a form's name, a 标题 label, a 来源 with a link or counter glued to it,
and time stamps of a sidebar. Every text here is written for the test, as a page of that kind would write it."""
from __future__ import annotations

import pytest

from pipelines.extract import PageInput, dateline_date, extract_record
from pipelines.fields.doc_number import closing_number, own_doc_number
from pipelines.fields.signature import main_signature
from pipelines.fields.titles import (clean_title, dated_heading, heading_first, heading_holding, is_title,
                                     policy_title, text_heading)
from pipelines.labels import read_labels
from tests.support.pages import text_record
from pipelines.text.normalise import fold_width



# ---------------------------------------------------------------------------------------------- titles

@pytest.mark.parametrize("title, cleaned", [
    ("关于做好2024年度科技创新券兑付工作的通知(湘科函〔2024〕18号)", "关于做好2024年度科技创新券兑付工作的通知"),
    ("某某区科技计划项目管理办法（区科发[2023]5号）", "某某区科技计划项目管理办法"),
    ("2024年度瞪羚企业培育工作 浙科发高〔2024〕33号", "2024年度瞪羚企业培育工作"),
    ("某某市科技创新发展规划(2021-2025年)", "某某市科技创新发展规划(2021-2025年)"),
    ("关于公布第2批名单的通知(第12号)", "关于公布第2批名单的通知(第12号)"),
])
def test_a_title_loses_the_document_number_closing_it(title, cleaned):
    assert clean_title(title) == cleaned


def test_the_number_closing_a_title_is_still_the_page_number():
    record = text_record("关于做好2024年度科技创新券兑付工作的通知(湘科函〔2024〕18号)\n"
                         "各市州科技局：\n现将有关事项通知如下。\n特此通知。")
    assert record["title"] == "关于做好2024年度科技创新券兑付工作的通知"
    assert record["doc_number"] == "湘科函〔2024〕18号"


def test_a_card_title_among_the_site_furniture_and_the_date_row_under_it():
    text = ("科技服务云\n政策库\n企业服务中心\n2024年某某市科技创新券申报指南(第二批)\n"
            "浙江省某某市 科技部门 2024-05-20 立即咨询\n"
            "为做好科技创新券发放工作，制定本指南。\n一、申领对象\n在本市注册的企业。")
    record = text_record(text)
    assert record["title"] == "2024年某某市科技创新券申报指南(第二批)"
    assert record["publish_date"] == "2024-05-20"


def test_a_heading_below_the_salutation_is_not_the_page_heading():
    assert text_heading(["门户网站", "各有关单位：", "关于印发某某办法的通知"]) is None
    assert text_heading(["为加快创新发展，制定本办法。", "某某市科技创新券管理办法"]) is None


def test_a_card_title_gives_way_to_the_heading_it_shortens():
    text = ("政策详情\n2024年度专精特新中小企业认定工作 粤工信融资函〔2024〕15号\n"
            "发布时间：2024-04-08 来源：广东省工业和信息化厅\n"
            "广东省工业和信息化厅关于开展2024年度专精特新中小企业认定工作的通知\n粤工信融资函〔2024〕15号\n"
            "各地级以上市工业和信息化主管部门：\n现将有关事项通知如下。")
    record = text_record(text)
    assert record["title"] == "广东省工业和信息化厅关于开展2024年度专精特新中小企业认定工作的通知"
    assert record["doc_number"] == "粤工信融资函〔2024〕15号"


def test_a_title_that_is_a_heading_keeps_its_place():
    lines = ["某某市科学技术局关于开展科技型企业入库工作的通知", "各区县："]
    assert heading_holding(lines, "关于开展科技型企业入库工作的通知") is None
    assert heading_holding(lines, "科技型企业入库工作") == "某某市科学技术局关于开展科技型企业入库工作的通知"
    assert heading_holding(lines, "高企认定奖励") == "某某市科学技术局关于开展科技型企业入库工作的通知"
    assert heading_holding(["某市启动科技型企业入库工作。", "关于开展入库工作的通知"], "科技型企业入库工作") is None


def test_a_headline_over_the_notice_it_carries_gives_way_to_the_notice_heading():
    body = "<p>各有关单位：</p><p>现将有关事项通知如下。</p><p>特此通知。</p><p>某某市科学技术局</p><p>2024年2月28日</p>"
    html = ("<html><head><title>重磅！2024年孵化器认定开始了-某某网</title></head><body><h1>重磅！2024年孵化器认定开始了</h1>"
            f"<div class='content'><p>关于组织开展2024年度科技企业孵化器认定工作的通知</p>{body}</div></body></html>")
    record = extract_record(PageInput(url="https://zc.example.com/p/2.html", html=html, source_kind="aggregator"))
    assert record["title"] == "关于组织开展2024年度科技企业孵化器认定工作的通知"


def test_a_draft_made_public_for_comment_is_the_document_the_notice_carries():
    text = "为规范管理，现将《某某区科技企业孵化器认定办法(征求意见稿)》公示如下，公示期10天。"
    assert policy_title(None, text) == "某某区科技企业孵化器认定办法(征求意见稿)"
    assert policy_title(None, "现将《某某区孵化器认定办法》有关事项通知如下。") is None


@pytest.mark.parametrize("text", [
    "标题：关于开展2024年度高新技术企业认定工作的通知\n发布日期：2024-03-15\n各有关单位：\n现将有关事项通知如下。",
    "某某政务服务平台\n首页 > 政策 > 详情\n政策名称：关于开展2024年度高新技术企业认定工作的通知\n"
    "发布时间：2024-03-15  来源：某某市科学技术局\n各有关单位：\n现将有关事项通知如下。",
])
def test_a_labelled_title_is_the_title(text):
    assert text_record(text)["title"] == "关于开展2024年度高新技术企业认定工作的通知"


def test_a_heading_outranks_a_line_that_is_none():
    assert heading_first("某某科技服务平台", "关于开展孵化器绩效评价的通知") == "关于开展孵化器绩效评价的通知"
    assert heading_first("关于开展孵化器绩效评价的通知", "孵化器绩效评价") == "关于开展孵化器绩效评价的通知"
    assert heading_first("孵化器绩效评价工作", None) == "孵化器绩效评价工作"
    assert heading_first(None, "孵化器绩效评价工作") == "孵化器绩效评价工作"


@pytest.mark.parametrize("line", ["您现在所在的位置 : 首页 > 新闻中心", "您当前的位置：首页 > 通知公告", "您所在的位置：首页"])
def test_a_breadcrumb_is_no_title(line):
    assert not is_title(line)


# ---------------------------------------------------------------------------------------------- dates

@pytest.mark.parametrize("lines, iso", [
    (["2024年某某区研发补助申报指南", "江苏省某某市 科技局 2024-07-08 浏览 56"], "2024-07-08"),
    (["关于组织申报2024年度科技型中小企业评价的通知2024-05-06", "各区县科技局："], "2024-05-06"),
    (["关于公布孵化器名单的公告 2024年7月2日 10:20", "根据有关规定，现予公告。"], "2024-07-02"),
    (["某市启动研发补助兑付", "某某日报记者 2024年03月02日 09:12"], "2024-03-02"),
])
def test_a_dateline_in_a_row_of_fields_or_glued_to_the_heading(lines, iso):
    assert dateline_date(lines) == iso


@pytest.mark.parametrize("lines", [
    ["某市启动研发补助兑付。", "2024-03-03 15:36", "2024-03-03 14:02", "2024-03-02 10:58"],
    ["政策有效期:有效期至 2025 年 12 月 31 日", "配套文件:某某办法"],
    ["申报时间 2024-05-01 至 2024-05-31"],
])
def test_stamps_of_a_sidebar_and_dates_in_fields_are_no_dateline(lines):
    assert dateline_date(lines) is None


def test_a_heading_with_a_date_glued_after_it():
    assert dated_heading("关于开展2024年科技成果登记工作的通知2024-02-19") == "关于开展2024年科技成果登记工作的通知"
    assert dated_heading("截至2024-02-19") is None


# ---------------------------------------------------------------------------------------------- issuers

def test_a_glued_signature_after_a_form_name():
    line = ("请于6月30日前完成报送。附件：2024年度企业研发投入核查表某某省科学技术厅2024年5月8日。")
    signature = main_signature(["各有关企业：", line])
    assert signature.issuers == ("某某省科学技术厅",) and signature.date == "2024-05-08"


def test_a_glued_signature_of_a_people_s_congress_keeps_its_name():
    line = "本决定自公布之日起施行。某某市人民代表大会常务委员会2024年5月8日"
    assert main_signature(["各有关单位：", line]).issuers == ("某某市人民代表大会常务委员会",)


@pytest.mark.parametrize("line, source", [
    ("发布时间：2023-06-01 来源：某某市科学技术局 原文：", "某某市科学技术局"),
    ("文章来源：某某县财政局浏览量：发表时间：2023-06-01 09:30", "某某县财政局"),
    ("来源：某某区人民政府  查看原文", "某某区人民政府"),
    ("来源：某某市发展和改革委员会 阅读次数 1024", "某某市发展和改革委员会"),
])
def test_a_source_loses_the_link_or_counter_glued_to_it(line, source):
    assert read_labels([fold_width(line)]).get("source") == source


def test_a_source_with_a_link_glued_is_the_issuer_of_a_repost():
    text = ("关于落实2023年度科技型中小企业研发费用补助的通知\n时间：2023-08-15 来源：某某省科学技术厅 原文：\n"
            "各市科技局：\n现将有关事项通知如下。\n一、补助对象")
    assert text_record(text)["issuer"] == "某某省科学技术厅"


# ---------------------------------------------------------------------------------------------- card fields

@pytest.mark.parametrize("field", ["政策级别：省级", "所属地区：某某市", "主管部门：某某市科学技术局", "适用对象：科技型中小企业",
                                   "申报时间：2024-03-01至2024-04-01", "政策类型：资金扶持"])
def test_a_card_field_is_no_title(field):
    assert not is_title(field)


@pytest.mark.parametrize("title", ["三部门：进一步提高科技型中小企业研发费用加计扣除比例", "山西：关于落实高企奖励政策的通知"])
def test_a_headline_with_a_colon_can_be_a_title(title):
    assert is_title(title)


def test_card_fields_between_the_title_and_the_date_row_are_not_the_title():
    text = ("政策库\n关于组织开展2024年度科技企业孵化器认定工作的通知\n政策级别：市级\n所属地区：某某市\n"
            "发布日期：2024-03-01\n各有关单位：\n现将有关事项通知如下。\n特此通知。")
    record = text_record(text)
    assert record["title"] == "关于组织开展2024年度科技企业孵化器认定工作的通知"
    assert record["publish_date"] == "2024-03-01"


@pytest.mark.parametrize("line, key, value", [
    ("政策来源：某某市工业和信息化局  发布日期：2024-03-01", "source", "某某市工业和信息化局"),
    ("来源单位：某某区科技局", "source", "某某区科技局"),
    ("入库时间：2024-03-01", "published", "2024-03-01"),
])
def test_an_aggregator_s_labels(line, key, value):
    assert read_labels([fold_width(line)]).get(key) == value


# ---------------------------------------------------------------------------------------------- numbers

@pytest.mark.parametrize("title, number, rest", [
    ("关于印发某某区科技创新券管理办法的通知某科发〔2024〕12号", "某科发〔2024〕12号", "关于印发某某区科技创新券管理办法的通知"),
    ("关于开展孵化器绩效评价的通知某科函〔2024〕5号", "某科函〔2024〕5号", "关于开展孵化器绩效评价的通知"),
    ("孵化器绩效评价工作 某科函[2024]5号", "某科函〔2024〕5号", "孵化器绩效评价工作"),
    ("关于公布2024年瞪羚企业名单的通知（某科发【2024】30号）", "某科发〔2024〕30号", "关于公布2024年瞪羚企业名单的通知"),
])
def test_the_number_closing_a_title(title, number, rest):
    start, found = closing_number(title)
    assert found == number and title[:start] == rest


@pytest.mark.parametrize("title", ["某某市科技创新发展规划(2021-2025年)", "2024年申报指南某某科技咨询中心",
                                   "关于某科发〔2024〕12号文件的补充通知"])
def test_a_title_closed_by_no_number(title):
    assert closing_number(title) is None


def test_a_title_glued_to_its_number_in_a_plain_copy():
    record = text_record("关于开展2024年度孵化器绩效评价的通知某科函〔2024〕5号\n各区县科技局：\n现将有关事项通知如下。")
    assert record["title"] == "关于开展2024年度孵化器绩效评价的通知"
    assert record["doc_number"] == "某科函〔2024〕5号"


def test_a_number_line_in_square_brackets_is_the_page_number():
    assert own_doc_number(None, ["区科发[2023]5号", "各街道："], None) == "区科发〔2023〕5号"
    assert own_doc_number(None, ["[区科发[2023]5号]", "各街道："], None) == "区科发〔2023〕5号"
