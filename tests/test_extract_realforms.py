"""Field extraction on the forms real government and aggregator pages take: one-line and glued 落款,
letter-spaced and sealed names, glued co-issuers, metadata tables that lost their colons, numbers glued
to their neighbours, datelines, and lines that only look like titles. Every text here is written for
the test, as a page of that kind would write it."""
from __future__ import annotations

import pytest

from pipelines.dates import find_dates
from pipelines.extract import PageInput, dateline_date, extract_record
from pipelines.fields.doc_number import find_doc_numbers, heading_doc_number
from pipelines.fields.signature import is_org_name, main_signature, org_value, split_orgs
from pipelines.fields.titles import choose_title, is_title, policy_title, strip_title_prefix, text_heading
from pipelines.labels import read_labels


def text_record(text: str, kind: str = "aggregator", url: str = "https://zc.example.com/p/1.html") -> dict:
    return extract_record(PageInput(url=url, html=text, text_only=True, source_kind=kind))


# ---------------------------------------------------------------------------------------------- 落款

@pytest.mark.parametrize("line, issuers, date", [
    ("佛山市科学技术局 2024年3月8日", ("佛山市科学技术局",), "2024-03-08"),
    ("| 南通市工业和信息化局 2022年11月30日 |", ("南通市工业和信息化局",), "2022-11-30"),
    ("财 政 部 二〇二一年六月九日", ("财政部",), "2021-06-09"),
])
def test_a_signature_on_one_line_names_its_body_and_date(line, issuers, date):
    found = main_signature(["各有关单位：", "请按要求做好申报工作。", line])
    assert (found.issuers, found.date) == (issuers, date)


def test_a_sentence_ending_in_a_date_is_no_one_line_signature():
    assert main_signature(["各有关单位：", "申报截止时间为 2024年3月8日"]) is None


@pytest.mark.parametrize("line, expected", [
    ("四川省科学技术厅 四川省财政厅", ["四川省科学技术厅", "四川省财政厅"]),
    ("七台河市人民政府办公室", ["七台河市人民政府办公室"]),
    ("江苏省科学技术厅江苏省财政厅", ["江苏省科学技术厅", "江苏省财政厅"]),
    ("中共中央组织部国家发展改革委", ["中共中央组织部", "国家发展改革委"]),
    ("商务部财政部海关总署", ["商务部", "财政部", "海关总署"]),
    ("嘉兴市高新技术企业认定管理工作领导小组办公室（代）", ["嘉兴市高新技术企业认定管理工作领导小组办公室"]),
    ("湖北省科学技术厅（盖章）", ["湖北省科学技术厅"]),
])
def test_signature_lines_give_each_body(line, expected):
    assert is_org_name(line) and split_orgs(line) == expected


@pytest.mark.parametrize("line", ["四、保障措施", "三是强化服务", "各区科技局", "某某市科技局门户网站"])
def test_numbered_items_addressees_and_websites_are_no_bodies(line):
    assert not is_org_name(line)


def test_a_website_named_as_source_is_not_the_issuer():
    assert org_value("某某市科学技术局门户网站") == []
    assert org_value("某某市科学技术局") == ["某某市科学技术局"]


def test_a_signature_of_two_bodies_starting_with_a_numeral_place_is_read():
    record = text_record("关于做好2024年度科技型中小企业评价工作的通知\n各市（州）科技局、财政局：\n"
                         "现将有关事项通知如下。\n四川省科学技术厅 四川省财政厅\n2024年4月2日")
    assert (record["issuer"], record["publish_date"]) == ("四川省科学技术厅、四川省财政厅", "2024-04-02")


@pytest.mark.parametrize("last_line, issuer, date", [
    ("请各单位按时报送，特此通知,某某市科学技术局2024年5月6日,。", "某某市科学技术局", "2024-05-06"),
    ("附件:评估结果汇总表某某区工业和信息化局2023年10月9日扫一扫在手机上查看", "某某区工业和信息化局", "2023-10-09"),
    ("附件：2.企业申报推荐表某某市财政局2022年1月4日附件2.xlsx", "某某市财政局", "2022-01-04"),
])
def test_a_glued_signature_is_read_past_punctuation_and_furniture_after_it(last_line, issuer, date):
    record = text_record("关于开展科技企业孵化器绩效评价工作的通知\n各县区科技局:现将有关事项通知如下。\n" + last_line)
    assert (record["issuer"], record["publish_date"]) == (issuer, date)


def test_a_date_a_sentence_goes_on_from_is_no_glued_signature():
    record = text_record("关于开展科技企业孵化器绩效评价工作的通知\n"
                         "各县区科技局:经研究,某某市科学技术局2024年5月6日召开会议,部署相关工作。")
    assert record["publish_date"] is None


def test_a_bare_date_after_the_closing_sentence_dates_the_notice():
    text = ("某某市人民政府办公室关于印发某某市科技成果转化行动方案的通知\n各区县人民政府，市政府各部门：\n"
            "《某某市科技成果转化行动方案》已经市政府同意，现印发给你们，请认真组织实施。\n二〇二三年三月七日\n"
            "某某市科技成果转化行动方案\n一、总体要求\n到2025年，全市技术合同成交额达到100亿元。\n二、重点任务")
    assert text_record(text)["publish_date"] == "2023-03-07"


def test_a_signature_naming_its_body_outranks_a_conflicting_written_date_label():
    text = ("成文日期：2024-06-01\n关于支持科技企业发展的实施意见\n各镇人民政府：\n现印发给你们，请认真贯彻执行。\n"
            "某某市人民政府\n2023年12月20日")
    assert text_record(text)["publish_date"] == "2023-12-20"


# ---------------------------------------------------------------------------------------------- dates

@pytest.mark.parametrize("text, iso", [
    ("二O二三年五月八日", "2023-05-08"),
    ("二0二二年十一月三十日", "2022-11-30"),
    ("15.03.2021 09:20", "2021-03-15"),
])
def test_dates_written_with_latin_zeros_or_day_first_stamps(text, iso):
    assert [d.iso for d in find_dates(text)] == [iso]


def test_a_day_first_date_without_its_time_is_not_read():
    assert find_dates("版本 15.03.2021") == []


@pytest.mark.parametrize("lines, iso", [
    (["某县启动科技创新券发放", "2023-07-14 16:05:33 来源：某某日报 作者：记者"], "2023-07-14"),
    (["某某晚报 2021-09-02 08:15", "正文第一段。"], "2021-09-02"),
    (["• 某某市科学技术局", "• 2022-06-30"], "2022-06-30"),
    (["某县启动科技创新券发放", "2023年7月14日前，各企业应完成申报，逾期不予受理。"], None),
])
def test_a_dateline_under_the_title_gives_the_page_date(lines, iso):
    assert dateline_date(lines) == iso


def test_a_government_page_is_not_dated_by_its_url():
    html = ("<html><body><div class='content'><p>各有关单位：</p><p>现将有关事项通知如下。</p>"
            "<p>请认真落实。</p></div></body></html>")
    record = extract_record(PageInput(url="https://kjj.example.gov.cn/art/2024/3/5/art_1_2.html", html=html,
                                      source_kind="government"))
    assert record["publish_date"] is None and record["page_date"] == "2024-03-05"


# ---------------------------------------------------------------------------------------------- labels

def test_a_metadata_table_without_colons_is_read():
    labels = read_labels(["索引号 11330100MB1234567X/2024-00012", "成文日期 2024-02-18", "发布日期 2024-02-20",
                          "发文字号 杭科高〔2024〕9号", "发布机构 杭州市科学技术局"])
    assert labels.values == {"index_number": "11330100MB1234567X/2024-00012", "written": "2024-02-18",
                             "published": "2024-02-20", "doc_number": "杭科高〔2024〕9号", "issuer": "杭州市科学技术局"}


def test_bracketed_labels_of_a_legal_database_are_read():
    labels = read_labels(["•【制定机关】某某省科学技术厅", "•【公布日期】2022.08.16", "•【字号】某科规〔2022〕4号",
                          "[ 成文日期 ] | 2022-08-10"])
    assert labels.values == {"issuer": "某某省科学技术厅", "published": "2022.08.16", "doc_number": "某科规〔2022〕4号",
                             "written": "2022-08-10"}


def test_labels_bounded_by_the_next_label_are_read_from_a_line_of_prose():
    line = ("关于2024年度第一批科技型中小企业入库的公告 发布时间:2024-04-09 10:12 来源:高新技术处 浏览次数:88 "
            "根据《科技型中小企业评价办法》，经企业自评、省市审核，现将入库名单予以公告，公示期为十个工作日，期间如有异议请联系。")
    labels = read_labels([line])
    assert labels.values == {"published": "2024-04-09 10:12", "source": "高新技术处"} and not labels.label_lines


def test_a_source_label_holding_a_number_is_the_documents_number():
    text = "关于某项税收政策的通知\n来源：财税〔2023〕17号\n各省财政厅：\n现将有关政策通知如下。"
    assert text_record(text)["doc_number"] == "财税〔2023〕17号"


# ---------------------------------------------------------------------------------------------- numbers

@pytest.mark.parametrize("line, number", [
    ("闽科高〔2022〕31号各设区市科技局，平潭综合实验区经济发展局:根据有关规定", "闽科高〔2022〕31号"),
    ("关于公布2022年度省级众创空间名单的通知（闽科高〔2022〕31号）各设区市科技局:", "闽科高〔2022〕31号"),
    ("（1992年3月2日闽政〔1992〕7号发布） 第一条 为加强管理", "闽政〔1992〕7号"),
    ("各设区市科技局:根据《某某管理办法》（闽科高〔2020〕5号）要求", None),
    ("依据《关于加强众创空间建设的意见》（闽科高〔2020〕5号）的规定,各单位:", None),
])
def test_a_number_glued_at_the_head_of_the_text_is_the_pages_own(line, number):
    assert heading_doc_number([line]) == number


def test_label_words_glued_to_a_number_and_its_zeros_are_kept_apart():
    assert [n for _s, _e, n in find_doc_numbers("发文字号鲁科字〔2019〕061号")] == ["鲁科字〔2019〕061号"]


# ---------------------------------------------------------------------------------------------- titles

@pytest.mark.parametrize("candidate", [
    "【发布文号】--------", "体裁分类 通知", "您现在的位置: 首页 > 政务公开", "各区科技局、财政局:", "苏科高〔2021〕88号",
    "本市将对新认定的企业给予奖励。具体办法另行制定", "出处 《科技日报》 2020年第3期",
    "《 经济日报 》( 2022年05月10日 第 03 版)", "澳门,新葡京,博彩,真人,娱乐",
])
def test_lines_that_are_no_titles(candidate):
    assert not is_title(candidate)


@pytest.mark.parametrize("candidate, stripped", [
    ("原标题：某某省人民政府关于加快高新区发展的意见", "某某省人民政府关于加快高新区发展的意见"),
    ("【南京】南京市科技企业孵化器认定管理办法", "南京市科技企业孵化器认定管理办法"),
    ("某区高企奖励政策：关于支持企业创新发展的若干措施", "关于支持企业创新发展的若干措施"),
    ("关于印发《某某市科技创新券管理办法》的通知", "关于印发《某某市科技创新券管理办法》的通知"),
])
def test_notes_before_a_title_are_dropped(candidate, stripped):
    assert strip_title_prefix(candidate) == stripped


def test_a_metadata_row_never_wins_over_the_heading():
    assert choose_title(["主题分类 科技、教育", "关于组织开展2024年高新技术企业认定工作的通知"], None, None, None) \
        == "关于组织开展2024年高新技术企业认定工作的通知"


def test_the_heading_opening_the_text_is_the_title_when_the_page_gave_none():
    assert text_heading(["图片", "某某区国民经济和社会发展第十四个五年规划纲要", "第一章 发展基础"]) \
        == "某某区国民经济和社会发展第十四个五年规划纲要"
    assert text_heading(["各有关单位：", "现将有关事项通知如下。"]) is None


def test_a_forwarded_notice_carries_the_title_it_forwards():
    text = "各县区科技局：\n现将省科技厅《关于开展2024年度技术先进型服务企业认定工作的通知》转发给你们，请遵照执行。"
    assert policy_title(None, text) == "关于开展2024年度技术先进型服务企业认定工作的通知"
