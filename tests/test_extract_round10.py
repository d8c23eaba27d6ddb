"""A 政府信息公开 page's catalogue rows above its title, and a store of its own number. Every text here is written for
the test, as a page of that kind would write it."""
from __future__ import annotations

import pytest

from pipelines.fields.titles import is_title
from pipelines.labels import read_labels
from tests.support.pages import text_record


# ----------------------------------------------------------- catalogue rows of a government disclosure page

@pytest.mark.parametrize("row", ["公开方式 | 主动公开 |", "适用范围 | 全市各类科技型企业 |", "有效性 | 有效 |",
                                 "组配分类 | 通知公告 | "])
def test_a_metadata_table_row_that_kept_its_cell_borders_is_no_title(row):
    assert not is_title(row)


@pytest.mark.parametrize("title", ["关于开展2025年度科技型中小企业评价工作的通知",
                                   "院所|《中国科技成果转化年度报告》出炉"])
def test_a_title_with_or_without_a_border_inside_is_still_one(title):
    assert is_title(title)


@pytest.mark.parametrize("line", ["公开方式:主动公开", "公开范围:面向社会", "信息类别:政策文件"])
def test_disclosure_catalogue_fields_are_labels(line):
    assert read_labels([line]).label_lines == {0}


def test_the_title_above_a_disclosure_table_is_the_pages_title():
    text = "\n".join([
        "关于下达2024年度嘉兴市科技企业孵化器绩效评价奖励资金的通知",
        "索引号 | 002573271/2024-09871 |",
        "发文字号 | 嘉科〔2024〕31号 |",
        "发布机构 | 嘉兴市科学技术局 |",
        "公开方式 | 主动公开 |",
        "适用对象 | 孵化器运营机构 |",
        "发布日期 | 2024-10-15 |",
        "各县(市、区)科技局:",
        "根据《嘉兴市科技企业孵化器管理办法》有关规定,现将2024年度孵化器绩效评价奖励资金下达给你们,请及时拨付。",
        "嘉兴市科学技术局",
        "2024年10月12日",
    ])
    record = text_record(text, kind="government", url="https://kjj.jiaxing.example.gov.cn/art/2024/10/15/1.html")
    assert record["title"] == "关于下达2024年度嘉兴市科技企业孵化器绩效评价奖励资金的通知"
    assert record["doc_number"] == "嘉科〔2024〕31号"
    assert record["publish_date"] == "2024-10-12"


# ------------------------------------------------------------- a 落款 glued after the name of an attachment

@pytest.mark.parametrize("attachment, org, date", [
    ("附件:高新技术企业申报材料报送须知", "杭州市滨江区科学技术局", "2023年04月11日"),
    ("附件:2.研发费用归集填报说明", "南京市江宁区科学技术局", "2024年3月5日"),
    ("附件:科技创新券使用操作指引", "成都市新都区科技和人才工作局", "2021年11月2日"),
])
def test_a_signature_glued_after_an_attachment_of_a_guide_kind(attachment, org, date):
    from pipelines.fields.signature import main_signature
    found = main_signature(["各有关企业:请按要求于规定时间内完成申报,逾期不予受理。" + attachment + org + date + "。"])
    assert found is not None and list(found.issuers) == [org]


# ------------------------------------------------------- a document a page gives after a lead of its own

LEAD = ("2024年3月8日,省科技厅、省财政厅联合印发《关于支持科技型中小企业加大研发投入的若干措施》,"
        "从研发费用补助、创新券、人才引进等方面提出十二条举措,进一步激发企业创新活力。")


def test_the_heading_of_a_document_given_after_a_lead_is_the_title_and_the_lead_stays():
    text = "\n".join([
        LEAD,
        "措施明确,对研发投入增长较快的企业给予奖励,具体内容如下。",
        "某某省科学技术厅 某某省财政厅",
        "关于支持科技型中小企业加大研发投入的",
        "若干措施",
        "某科发〔2024〕9号",
        "各市(州)科技局、财政局:",
        "为贯彻落实省委省政府决策部署,支持科技型中小企业加大研发投入,制定以下措施。",
    ])
    record = text_record(text)
    assert record["title"] == "关于支持科技型中小企业加大研发投入的若干措施"
    assert record["doc_number"] == "某科发〔2024〕9号"
    assert record["text"].startswith("2024年3月8日,省科技厅")


def test_a_report_that_only_retells_a_document_gets_no_heading_from_its_text():
    text = "\n".join([
        LEAD,
        "措施提出,对首次认定的高新技术企业给予30万元奖励。",
        "省科技厅有关负责人表示,将加强政策宣传解读。",
        "下一步将组织开展政策培训",
        "各地要抓好落实:",
    ])
    record = text_record(text, kind="aggregator")
    assert record["title"] is None or "若干措施" not in record["title"]


@pytest.mark.parametrize("below, found", [("某科发〔2024〕9号", True), ("各市(州)科技局、财政局:", True),
                                         ("措施共十二条,自发布之日起施行。", False)])
def test_a_heading_after_a_lead_stands_over_its_number_or_addressees(below, found):
    from pipelines.fields.doc_number import heading_after_lead
    lines = [LEAD, "关于支持科技型中小企业加大研发投入的若干措施", below, "第一条 ……"]
    assert (heading_after_lead(lines, 1) == 1) is found


# ------------------------------------------------------------------ a news headline's 创新高 inside a title

@pytest.mark.parametrize("title, doc_type", [
    ("某某省人民政府关于推动大众创业万众创新高质量发展的实施意见", "若干措施"),
    ("关于加快科技创新高水平建设创新型城市的行动方案", "行动计划"),
    ("全市高新技术企业数量创新高 达到1200家", "新闻"),
])
def test_a_record_high_in_a_headline_is_news_but_not_inside_a_titles_words(title, doc_type):
    from pipelines.classify.doc_type import classify_doc_type
    from pipelines.classify.prepare import prepare
    from pipelines.classify.vocabulary import load_vocabulary
    vocab = load_vocabulary()
    record = text_record(title + "\n为深入实施创新驱动发展战略,结合本省实际,提出以下意见。\n一、总体要求\n二、重点任务")
    assert classify_doc_type(prepare(record, vocab), vocab)[0] == doc_type


# ------------------------------------------------------- a headline naming the document its report is about

REPORT = ("为激励企业加大研发投入,某某区科技局制定了《研发投入奖励办法》。\n"
          "该办法明确,对年度研发投入增长的企业按增量给予奖励。\n(某某区科技局 王晓明)")
RULES = ("第一条 为激励企业加大研发投入,制定本办法。\n第二条 本办法适用于本区登记注册的企业。\n"
         "第三条 对年度研发投入增长的企业按增量的10%给予奖励。")


@pytest.mark.parametrize("title, body, doc_type", [
    ("某某区科技局出台《研发投入奖励办法》", REPORT, "新闻"),
    ("某某区科技局印发《研发投入奖励办法》", "各街道、各有关企业:\n" + RULES, "管理办法"),
    ("关于印发《研发投入奖励办法》的通知", REPORT, "管理办法"),
])
def test_a_headline_naming_a_document_over_a_report_with_its_byline_is_news(title, body, doc_type):
    from pipelines.classify.doc_type import classify_doc_type
    from pipelines.classify.prepare import prepare
    from pipelines.classify.vocabulary import load_vocabulary
    vocab = load_vocabulary()
    record = text_record(title + "\n" + body, kind="government", url="https://kjj.example.gov.cn/art/1.html")
    assert classify_doc_type(prepare(record, vocab), vocab)[0] == doc_type


@pytest.mark.parametrize("shown", ["Page 3 - 某某市人民政府关于印发科技创新券管理办法的通知",
                                   "PAGE 12 | 某某市人民政府关于印发科技创新券管理办法的通知",
                                   "P. 7 - 某某市人民政府关于印发科技创新券管理办法的通知"])
def test_a_flip_books_page_number_before_a_title_is_no_part_of_it(shown):
    from pipelines.fields.titles import strip_title_prefix
    assert strip_title_prefix(shown) == "某某市人民政府关于印发科技创新券管理办法的通知"


# ------------------------------------------------------------------- a number with its date beside it

@pytest.mark.parametrize("line, number", [("粤科规范字〔2021〕3号 2021-07-09", "粤科规范字〔2021〕3号"),
                                          ("渝科局发〔2019〕88号  2019.5.6", "渝科局发〔2019〕88号"),
                                          ("宁政办发〔2022〕14号 2022年3月", "宁政办发〔2022〕14号"),
                                          ("温科发〔2023〕7号 ZJCC01-2023-0012", "温科发〔2023〕7号"),
                                          ("佛科〔2024〕56号 FSBG2024017", "佛科〔2024〕56号")])
def test_a_number_line_with_the_date_beside_it_is_the_pages_number(line, number):
    from pipelines.fields.doc_number import heading_doc_number
    assert heading_doc_number(["关于加强科技型中小企业培育工作的通知", line, "各有关单位:"]) == number


def test_a_number_inside_a_sentence_with_a_date_after_it_stays_cited():
    from pipelines.fields.doc_number import heading_doc_number
    assert heading_doc_number(["根据《关于加强科技创新的意见》(粤科规范字〔2021〕3号)2021年起施行。"]) is None


# -------------------------------------------------------------------- a firm's R&D centre as the subject

@pytest.mark.parametrize("text", [
    "各有关企业:\n根据市科技局通知要求,现组织开展2024年度区级企业研究开发中心备案工作,请符合条件的企业于6月30日前报送材料。",
    "各有关单位:\n为引导企业建设研发中心,对新认定的市级研发中心给予一次性补助,现将申报事项通知如下。",
])
def test_a_notice_about_firms_rd_centres_is_about_the_subject(text):
    from pipelines.classify.prepare import prepare
    from pipelines.classify.relevance import rule_evidence
    from pipelines.classify.topics import SentenceIndex
    from pipelines.classify.vocabulary import load_vocabulary
    vocab = load_vocabulary()
    doc = prepare({"title": "", "text": text}, vocab)
    signals = rule_evidence(doc, SentenceIndex(doc.body), [], vocab, None).signals
    assert signals["body"] >= 0.3, signals
