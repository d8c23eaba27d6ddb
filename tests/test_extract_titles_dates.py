"""Titles and publish dates on aggregator, repost and document-sharing pages: a title behind a repost's tag or
filing body, a title glued to its header line, a legal database's 文号 line, a wrapper that only issues a document,
a law's note under its title, a page's posting line and a dateline the head dropped."""
from __future__ import annotations

from pipelines.clean import clean_text
from pipelines.extract import PageInput, extract_record, title_note_date
from pipelines.fields.signature import full_name
from pipelines.fields.titles import is_title, policy_title, strip_title_prefix
from pipelines.labels import Labels, dated_pairs, read_labels


def _record(text: str, kind: str = "aggregator") -> dict:
    return extract_record(PageInput(url="https://zc.example.com/p/2024/88.html", html=text, text_only=True,
                                    source_kind=kind))


# --- titles: what a repost writes before a title -------------------------------------------------------------

def test_a_place_in_brackets_and_a_filing_body_are_no_part_of_the_title():
    assert strip_title_prefix("(江西省)南昌市促进科技型中小企业高质量发展若干措施") == "南昌市促进科技型中小企业高质量发展若干措施"
    assert strip_title_prefix("区科技和工业信息化局:2024年第一批区级众创空间拟认定名单公示") \
        == "2024年第一批区级众创空间拟认定名单公示"
    assert strip_title_prefix("省科学技术厅：关于组织申报2025年度重点研发计划的通知") == "关于组织申报2025年度重点研发计划的通知"


def test_a_dot_between_the_issuers_and_the_title_is_joined():
    assert strip_title_prefix("科技部 财政部·关于进一步做好科技型中小企业评价工作的通知") \
        == "科技部 财政部关于进一步做好科技型中小企业评价工作的通知"


def test_a_tag_saying_the_page_is_an_interpretation_stays():
    assert strip_title_prefix("【政策解读】《武汉市促进高新技术企业发展办法》") == "【政策解读】《武汉市促进高新技术企业发展办法》"
    assert strip_title_prefix("【江夏】武汉市江夏区高新技术企业奖励办法") == "武汉市江夏区高新技术企业奖励办法"


def test_markup_a_copy_kept_is_no_title():
    assert not is_title('<span class="hide"><i id="k2"></i></span>')
    assert is_title("关于公布2024年度瞪羚企业名单的通知")


# --- titles: where the text's head holds them ---------------------------------------------------------------

def test_the_title_above_a_legal_databases_number_line():
    page = clean_text("法规检索\n湖北省人民政府关于加快高新技术产业开发区建设的若干意见\n鄂政发[2019]7号\n"
                      "颁布时间:2019-03-12 发文单位:湖北省人民政府\n各市、州、县人民政府:\n为加快高新区建设，提出如下意见。\n")
    assert page.title_candidates == ["湖北省人民政府关于加快高新技术产业开发区建设的若干意见"]


def test_a_title_glued_to_its_header_line_and_written_twice():
    page = clean_text("关于公布2024年度科技企业孵化器考核结果的通知关于公布2024年度科技企业孵化器考核结果的通知"
                      " 发布日期:2024-06-18 来源:市科技局\n各有关单位：\n现将考核结果予以公布。\n")
    assert page.title_candidates == ["关于公布2024年度科技企业孵化器考核结果的通知"]
    assert page.labels["published"] == "2024-06-18"


def test_a_prose_line_citing_a_document_is_no_title():
    page = clean_text("南宁出台新政 支持科技企业做大做强\n2024年3月8日 09:12 来源:南宁日报\n"
                      "日前，市政府印发《南宁市支持科技型企业发展若干措施》，对新认定的企业给予奖励。\n")
    assert page.title_candidates == []
    assert "《南宁市支持科技型企业发展若干措施》" in page.text


def test_a_heading_after_the_salutation_is_the_issued_documents():
    text = ("各区人民政府，市政府各部门：\n《贵阳市高新技术企业培育行动方案》已经市政府同意，现印发给你们，请认真贯彻执行。\n"
            "贵阳市人民政府\n2024年4月2日\n贵阳市高新技术企业培育行动方案\n为壮大高新技术企业群体，制定本方案。\n")
    assert clean_text(text).title_candidates == []
    record = _record(text)
    assert record["title"] == "贵阳市高新技术企业培育行动方案"
    assert record["policy_title"] == "贵阳市高新技术企业培育行动方案"
    assert record["publish_date"] == "2024-04-02"


def test_the_breadcrumb_names_a_column_above_it_and_the_title_below_it():
    # a column's name repeated under the breadcrumb (通知公告, 科技部) is no title: the heading below it is
    page = clean_text("通知公告\n当前位置:首页 > 通知公告\n通知公告\n关于申报2024年度市级工程技术研究中心的通知\n"
                      "各有关单位：\n现将申报事项通知如下。\n")
    assert page.title_candidates == ["关于申报2024年度市级工程技术研究中心的通知"]
    page = clean_text("通知公告\n当前位置:首页 > 通知公告\n关于申报2024年度市级工程技术研究中心的通知\n"
                      "各有关单位：\n现将申报事项通知如下。\n")
    assert page.title_candidates == ["关于申报2024年度市级工程技术研究中心的通知"]


# --- policy titles: a wrapper's text ------------------------------------------------------------------------

def test_a_wrapper_that_issues_or_forwards_a_document():
    assert policy_title(None, "《昆明市科技创新券实施细则》已经市人民政府同意，现印发给你们，请遵照执行。") == "昆明市科技创新券实施细则"
    assert policy_title(None, "省政府同意省科技厅《关于支持高新区高质量发展的意见》，现转发给你们，请认真贯彻落实。") \
        == "关于支持高新区高质量发展的意见"
    assert policy_title(None, "为贯彻落实《中华人民共和国科学技术进步法》精神，结合实际，现印发给你们。") is None


# --- publish dates ------------------------------------------------------------------------------------------

def test_a_laws_note_gives_its_date_not_the_pages():
    lines = ["第一章 总则"]
    assert title_note_date(lines) is None
    lines = ["(2016年9月30日广西壮族自治区第十二届人民代表大会常务委员会第二十五次会议通过 2022年3月1日修正)",
             "第一章 总则"]
    assert title_note_date(lines) == "2016-09-30"
    record = _record("广西壮族自治区科学技术进步条例\n作者:法规库 时间:2023-02-11 10:03:54 浏览:12\n"
                     "广西壮族自治区科学技术进步条例\n(2016年9月30日广西壮族自治区第十二届人民代表大会常务委员会第二十五次会议通过)\n"
                     "第一章 总则\n第一条 为了促进科学技术进步，制定本条例。\n")
    assert record["publish_date"] == "2016-09-30"


def test_a_date_label_holding_a_date_alone_beside_unknown_fields():
    assert dated_pairs("适用地区:全国 发布日期:2024年05月20日") == [("published", "2024年05月20日")]
    assert dated_pairs("所属行业:制造业 发布时间:2024-05-20 08:30") == [("published", "2024-05-20 08:30")]
    assert dated_pairs("适用地区:全国 发布日期:请见原文") == []
    labels = read_labels(["政策类型:奖励补贴 发布日期:2024年05月20日"], Labels())
    assert labels.get("published") == "2024年05月20日"


def test_a_posting_line_of_a_document_sharing_site():
    record = _record("- 12\n- 约1.5万字\n- 2022-06-14 发布于江苏\n- 举报\n南京市高新技术企业培育库入库管理办法\n"
                     "第一条 为做好高新技术企业培育工作，制定本办法。\n")
    assert record["publish_date"] == "2022-06-14"
    record = _record("苏州市研发费用补助申报指南\n上传于 2023/7/9\n一、申报条件\n在苏州市注册的企业。\n")
    assert record["publish_date"] == "2023-07-09"


def test_a_sentence_naming_when_something_was_issued_is_no_posting_line():
    record = _record("某市科技创新政策汇编\n2023年5月9日发布的《办法》明确了奖励标准\n一、奖励对象\n")
    assert record["publish_date"] is None


def test_a_dateline_above_the_title_the_head_dropped():
    record = _record("新闻资讯\n当前位置:首页 > 新闻资讯\n【绍兴】绍兴市越城区科技型企业研发投入奖励办法\n2023-08-21\n"
                     "绍兴市越城区科技型企业研发投入奖励办法\n第一条 为鼓励企业加大研发投入，制定本办法。\n")
    assert record["title"] == "绍兴市越城区科技型企业研发投入奖励办法"
    assert record["publish_date"] == "2023-08-21"


def test_a_year_less_date_stays_null():
    record = _record("某区科技局关于高企奖励兑现的公告\n发布日期:5月9日\n各有关企业：\n奖励已兑现。\n")
    assert record["publish_date"] is None


# --- issuers: a government named without 人民 --------------------------------------------------------------

def test_a_government_named_without_renmin_takes_the_full_name():
    assert full_name("湖北省政府", ["湖北省人民政府"]) == "湖北省人民政府"
    assert full_name("湖北省科技厅", ["湖北省科学技术厅"]) == "湖北省科学技术厅"  # spelt out elsewhere: the full name
