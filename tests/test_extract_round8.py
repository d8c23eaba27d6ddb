"""Titles, issuers, dates and money on short reposts and government pages of further kinds: a breadcrumb labelled 我的位置
over a list item's title, a notice whose only label line is its footer (【来源:… 发布日期:…】 under the 落款), a
title broken after the issuer's 关于, prose citing another body's document at the head, a 落款 date whose 年月日 a
copy stripped, a CMS byline saying when the page was posted, a body's name without its city beside the
落款 that writes it, and the sums a page reports rather than offers (funds allocated or won, awards put up for
public notice, rates per 亩). Every text here is written for the test, as a page of that kind would write it."""
from __future__ import annotations

import pytest

from pipelines.classify.record import classify_record
from pipelines.extract import PageInput, extract_record
from pipelines.fields.money import incentives
from pipelines.labels import split_label_line
from pipelines.fields.signature import main_signature, markless_date
from pipelines.fields.titles import is_title, policy_title
from pipelines.text.normalise import TextPair
from tests.support.pages import text_record


# ---------------------------------------------------------------------------------------------- titles

@pytest.mark.parametrize("line", ["我的位置: 首页 > 通知公告", "我现在的位置：首页 > 政策文件 > 正文", "所在位置: 首页 > 科技动态"])
def test_a_breadcrumb_under_any_location_label_is_no_title(line):
    assert not is_title(line)


@pytest.mark.parametrize("line", ["2023年5月9日", "2021-11-30", "2024/03/08 10:15"])
def test_a_date_alone_is_no_title(line):
    assert not is_title(line)


def test_a_card_page_under_a_breadcrumb_takes_the_list_items_title():
    record = text_record(
        "政策库【切换】 地方政策\n\n我的位置: 首页 > 申报通知\n\n"
        "  • 关于开展2024年度东莞市科技企业孵化器认定工作的通知\n  • 申报对象\n\n扶持额度\n\n"
        "    • (一)在本市注册的孵化器运营机构;\n      (二)孵化场地面积不少于2000平方米。\n")
    assert record["title"] == "关于开展2024年度东莞市科技企业孵化器认定工作的通知"


def test_a_footer_label_line_under_the_signature_keeps_the_text_and_the_title_above():
    record = text_record(
        "关于公布2023年度市级工程技术研究中心名单的通知\n2024-01-12 09:30:11\n浏览\n5\n"
        "关于公布2023年度市级工程技术研究中心名单的通知\n各有关单位:\n"
        "根据《市级工程技术研究中心管理办法》的规定,经单位申报、专家评审和公示,认定某某科技有限公司等18家单位的"
        "研究中心为2023年度市级工程技术研究中心,现予公布。\n"
        "合肥市科学技术局\n2023年12月28日\n【来源:市科技局 发布日期:2024-01-10 15:02:08】")
    assert record["title"] == "关于公布2023年度市级工程技术研究中心名单的通知"
    assert "现予公布" in record["text"]
    assert record["publish_date"] == "2023-12-28"
    assert record["issuer"] == "合肥市科学技术局"


def test_a_title_broken_after_its_issuers_guanyu_is_joined():
    record = text_record(
        "湖南省人民政府办公厅关于支持长株潭国家自主创新示范区\n建设若干政策措施的通知\n湘政办发〔2021〕7号\n"
        "各市州人民政府,省政府各厅委、各直属机构:\n为加快示范区建设,经省人民政府同意,现提出如下措施。\n")
    assert record["title"] == "湖南省人民政府办公厅关于支持长株潭国家自主创新示范区建设若干政策措施的通知"
    assert record["issuer"] == "湖南省人民政府办公厅"


def test_a_list_of_tasks_is_titled_by_its_heading():
    record = text_record("2024年高新区招商引资重点任务清单\n序号 |\n重点任务 |\n责任单位 |\n1 |\n"
                         "引进高新技术企业20家,新增规上工业企业8家。 |\n招商局 |\n", kind="government")
    assert record["title"] == "2024年高新区招商引资重点任务清单"


@pytest.mark.parametrize("title, carried", [
    ("关于对《烟台市科技企业孵化器管理办法(征求意见稿)》公开征求意见的通知", "烟台市科技企业孵化器管理办法(征求意见稿)"),
    ("关于公开征求《佛山市高新技术企业培育若干措施》意见的公告", "佛山市高新技术企业培育若干措施"),
    ("关于《温州市科技创新券实施细则(修订稿)》向社会公开征求意见的公告", "温州市科技创新券实施细则(修订稿)"),
])
def test_a_call_for_comment_carries_its_draft_as_the_policy(title, carried):
    assert policy_title(title, "") == carried


def test_a_newspapers_source_line_under_a_report_is_no_title_and_the_report_stays():
    record = text_record(
        "全省科技型中小企业突破3万家\n"
        "本报长沙3月2日电 (记者李明)省科技厅2日表示,截至2月底,全省入库科技型中小企业达3.1万家,同比增长18%。"
        "省里将继续落实研发费用加计扣除等政策。\n《 湖南日报 》( 2024年03月03日 第 02 版)\n"
        "- ·《某某电影》定档春节,主演亮相发布会\n- ·《某综艺》第二季开播\n", kind="mirror")
    assert "入库科技型中小企业达3.1万家" in record["text"]
    assert record["title"] != "《 湖南日报 》( 2024年03月03日 第 02 版)"
    assert "定档" not in (record["title"] or "")


def test_a_sidebars_cut_teasers_above_the_title_do_not_end_the_search_for_it():
    record = text_record(
        "您当前的位置: 首页 >> 政策服务 >> 项目申报\n  • 某省数字经济增速连续5年居前\n"
        "    科技日报记者日前从省政府工作报告获悉,2022年全省数字经济加速突破,规模以上企业营收增长20%。报告显示,增…\n"
        "  • 包头市科学技术局转发自治区科技厅《关于开展2023年度科技型中小企业评价工作的通知》\n"
        "各旗县区科技局:\n现将自治区科技厅通知转发给你们,请认真组织实施。\n", kind="aggregator")
    assert record["title"] == "包头市科学技术局转发自治区科技厅《关于开展2023年度科技型中小企业评价工作的通知》"


@pytest.mark.parametrize("line", ["> 首页 > 申报通知", "一、申报时间安排", "(二)支持对象和条件"])
def test_a_breadcrumb_without_its_label_or_a_sections_numbered_heading_is_no_title(line):
    assert not is_title(line)


def test_a_title_its_copy_glued_to_the_header_and_the_text_keeps_both():
    record = text_record(
        "![]() | ![]() 山西省科学技术厅 山西省财政厅关于公布2022年度山西省科技企业孵化器名单的通知来源:发布时间:2022-12-06 "
        "09:12 各市科技局、财政局,各有关单位: 根据《山西省科技企业孵化器管理办法》,经评审,认定太原某某孵化器等12家"
        "单位为省级科技企业孵化器,现予公布。对新认定的省级孵化器给予50万元奖励。 山西省科学技术厅 山西省财政厅 "
        "2022年12月1日")
    assert record["title"] == "山西省科学技术厅 山西省财政厅关于公布2022年度山西省科技企业孵化器名单的通知"
    assert "认定太原某某孵化器等12家" in record["text"]
    assert [offer["amount_wan"] for offer in record["incentives"]] == [50]


@pytest.mark.parametrize("text, title", [
    ("某市科学技术局 |\n某科函〔2016〕11号\n关于下达2015年度某市科技计划\n项目的通知\n各县(市、区)科技主管部门:\n现将计划下达。",
     "关于下达2015年度某市科技计划项目的通知"),
    ("1\n福田区孵化器建设扶持计划\n操作规程\n第一章 总 则\n第一条 为落实孵化器发展战略,制定本操作规程。",
     "福田区孵化器建设扶持计划操作规程"),
])
def test_a_titles_last_words_broken_onto_the_next_line_are_joined(text, title):
    assert text_record(text)["title"] == title


def test_a_heading_glued_to_its_number_date_and_addressees_is_the_title():
    record = text_record(
        "科学技术部关于公布2021年国家级科技企业孵化器名单的通知 国科发区[2021]350号 2021-12-9 各省、自治区、"
        "直辖市及计划单列市科技厅(委、局),有关单位: 为深入实施创新驱动发展战略,经评审,现予公布。")
    assert record["title"] == "科学技术部关于公布2021年国家级科技企业孵化器名单的通知"
    assert record["doc_number"] == "国科发区〔2021〕350号"


def test_a_number_glued_after_a_list_notices_title_has_its_own_agency():
    record = text_record(
        "某市工业和信息化局关于公布2023年某市“专精特新”中小企业名单的通知某市工信发〔2023〕15号各县(市、区)工信局:"
        "按照《某市专精特新中小企业认定办法》,经评审,现将名单予以公布。")
    assert record["title"] == "某市工业和信息化局关于公布2023年某市“专精特新”中小企业名单的通知"
    assert record["doc_number"] == "某市工信发〔2023〕15号"


def test_a_document_forwarded_with_its_number_in_brackets_is_carried():
    text = "现将工业和信息化部《关于开展2023年度工业设计中心认定工作的通知》(工信厅政法函〔2023〕88号)转发给你们,请认真组织申报。"
    assert policy_title(None, text) == "关于开展2023年度工业设计中心认定工作的通知"


@pytest.mark.parametrize("lead", ["以下为通知原文:", "通知全文如下:", "原文如下:"])
def test_a_report_that_gives_the_document_whole_carries_its_heading(lead):
    text = (f"近日,省科技厅公布了2023年度省级科技企业孵化器名单,我市3家入选。{lead}\n"
            "某省科学技术厅关于公布2023年度省级科技企业孵化器名单的通知\n各设区市科技局:\n经评审,现予公布。\n")
    assert policy_title(None, text) == "某省科学技术厅关于公布2023年度省级科技企业孵化器名单的通知"


# --------------------------------------------------------------------------------------------- issuers

@pytest.mark.parametrize("opening", ["依据", "按照", "根据"])
def test_prose_citing_another_bodys_document_names_no_issuer(opening):
    record = text_record(
        f"各有关企业:\n{opening}温州市科技局关于《温州市科技创新券管理办法》的规定,为做好2019年度创新券申领工作,"
        "现将有关事项通知如下:\n一、申领对象\n在本区注册的科技型中小企业。\n")
    assert not (record["issuer"] or "").startswith(opening)


def test_a_body_named_without_its_city_takes_the_name_its_signature_writes():
    record = text_record(
        "两江新区科技创新局关于兑现2022年度高新技术企业奖励的通知\n各有关企业:\n"
        "为鼓励企业创新,对首次认定的高新技术企业给予奖励,现将有关事项通知如下。\n"
        "一、请于规定时间内提交材料。\n重庆市两江新区科技创新局\n")
    assert record["issuer"] == "重庆市两江新区科技创新局"


def test_a_view_count_label_bounds_the_source_before_it():
    assert split_label_line("来源:湖南省科学技术厅 浏览数:27")[0][:2] == ("source", "湖南省科学技术厅")


def test_a_list_link_naming_the_forwarded_document_does_not_name_the_pages_issuer():
    page = PageInput(url="https://zc.example.com/p/9.html", text_only=True, source_kind="aggregator",
                     list_title="国家重大技术装备办公室关于组织开展2024年首台(套)目录修订工作的通知",
                     html="发布时间: 2024年06月03日\n各市州工信局、有关企业:\n现将工业和信息化部《国家重大技术装备办公室关于"
                          "组织开展2024年首台(套)目录修订工作的通知》(国重装函〔2024〕5号)转发给你们,请组织企业申报。\n")
    assert extract_record(page)["issuer"] != "国家重大技术装备办公室"


# ----------------------------------------------------------------------------------------------- dates

@pytest.mark.parametrize("digits, iso", [
    ("2019813", "2019-08-13"), ("2022526", "2022-05-26"), ("20211130", "2021-11-30"), ("2018131", "2018-01-31"),
    ("2020111", None), ("2023121", None), ("2021", None), ("202113355", None)])
def test_a_signature_date_without_its_marks_is_read_only_where_one_reading_fits(digits, iso):
    assert markless_date(digits) == iso


def test_a_signature_whose_date_lost_its_marks_gives_the_documents_date():
    lines = ["各有关单位:", "现将2021年度科技创新券兑付名单予以公布。", "石家庄市科学技术局", "2021916"]
    signature = main_signature(lines)
    assert signature is not None and signature.date == "2021-09-16"
    assert signature.issuers == ("石家庄市科学技术局",)


@pytest.mark.parametrize("byline, iso", [("admin 于2021年03月05日发表", "2021-03-05"),
                                         ("张工 - 编辑 于 2020-11-02 发布", "2020-11-02")])
def test_a_posting_byline_gives_the_pages_date(byline, iso):
    record = text_record(
        f"深圳市龙岗区科技创新专项资金管理办法\n\n{byline}\n\n第一条 为规范专项资金管理,制定本办法。\n"
        "第二条 本办法所称专项资金由区财政预算安排。\n")
    assert record["publish_date"] == iso


# ----------------------------------------------------------------------------------------------- money

def amounts(text: str) -> list[float | None]:
    return [offer["amount_wan"] for offer in incentives(TextPair(text))]


@pytest.mark.parametrize("sentence", [
    "省里下达我市科技创新专项资金3560万元,由市科技局统筹使用。",
    "今年以来,区科技局积极争取上级科技资金1260万元,支持企业研发项目42个。",
    "经审核,其中规上企业研发奖补300万元,创新平台建设补助150万元,现予以公示(名单附后)。",
    "2024年度拟资助高新技术企业培育入库补助共计85万元。",
])
def test_sums_allocated_won_or_put_up_for_notice_are_no_offers(sentence):
    assert amounts(sentence) == []


def test_an_offer_granted_in_a_notice_of_awards_stays():
    assert amounts("根据有关规定,对首次通过认定的高新技术企业给予30万元补助,现予以公示。") == [30]


@pytest.mark.parametrize("sentence", ["核定2023年稻谷补贴标准为105.5元/亩,按实际种植面积发放。",
                                      "对新建标准厂房每平方米补贴50元。"])
def test_a_rate_per_unit_under_ten_thousand_yuan_is_no_offer(sentence):
    assert amounts(sentence) == []


def test_a_sum_per_mu_of_ten_thousand_yuan_or_more_stays():
    assert amounts("对入园的科技企业,按实际用地每亩奖励2万元。") == [2]



@pytest.mark.parametrize("sentence", [
    "未来五年,该区将投3亿元科技创新专项资金支持企业研发。",
    "对符合条件的企业给予贴息,每家企业每年可享受贴息的最高贷款金额为800万元。",
])
def test_a_fund_no_one_is_granted_or_a_loans_size_is_no_offer(sentence):
    assert amounts(sentence) == []


def test_a_grant_of_a_hundred_million_stays_an_offer():
    assert amounts("对顶尖人才团队,经评审给予最高1亿元综合资助。") == [None]  # a cap: its most is 10000万元
    assert incentives(TextPair("对顶尖人才团队,经评审给予最高1亿元综合资助。"))[0]["amount_max_wan"] == 10000


def test_a_summarys_short_lines_after_the_text_has_begun_are_offers_of_their_own():
    text = ("某市及各县区高新技术企业奖励政策汇总\n某市\n对新认定的高新技术企业,一次性奖励20万元。\n"
            "政策依据:《某市创新驱动工作方案》\n甲县\n对认定为高新技术企业的奖励20万元\n"
            "乙县\n当年被认定的高新技术企业一次性奖励20万元")
    assert amounts(text) == [20, 20, 20]


def test_a_headline_above_the_text_restates_its_offer():
    assert amounts("高新技术企业最高奖励30万元\n对首次认定的高新技术企业,给予最高30万元奖励。") == [None]



def test_sums_listed_under_a_money_heading_without_its_colon_are_offers():
    assert amounts("资金奖励\n国家级专精特新“小巨人”:50万元/家\n省级专精特新企业:20万元/家") == [50, 20]


@pytest.mark.parametrize("sentence", ["专利资助标准:发明专利授权奖励5000元/件。",
                                      "国内授权发明专利为职务发明的,每件资助不超过0.6万元。"])
def test_a_rate_per_patent_under_ten_thousand_yuan_is_no_offer(sentence):
    assert amounts(sentence) == []


def test_a_tiers_lower_bound_is_no_offer():
    assert amounts("技术交易奖励\n对累计金额高于10万元、不超过100万元(含)的部分,按0.5%给予奖励。") == []



@pytest.mark.parametrize("sentence", ["2023年结余资金12.5万元结转至2024年继续使用。",
                                      "2024年可实施购置补贴资金1235.418万元(其中中央资金1100.2万元)。"])
def test_a_balance_carried_over_or_a_ledgers_figure_is_no_offer(sentence):
    assert amounts(sentence) == []



@pytest.mark.parametrize("sentence, offered", [
    ("经专家评审,拟对某某公司等25家企业给予研发费用补助,补助标准为每家10万元,现予以公示。", [10]),
    ("经审核,拟对新认定的国家级孵化器奖励100万元,现予以公示。", [100]),
    ("对新落户的世界500强企业区域总部奖励1亿元。", [10000]),
])
def test_an_offer_to_a_recipient_in_a_notice_of_awards_or_of_a_hundred_million_stays(sentence, offered):
    assert amounts(sentence) == offered


# ------------------------------------------------------------------------------------------- doc types

@pytest.mark.parametrize("title, text", [
    ("", "2023年,某市推进科技型企业培育行动取得新成效,高新技术企业达1260家,较上年增长12.5%,总量列全省第二位。"
         "我市将继续加大政策支持力度。"),
    ("某区科技企业加快成长", "2018年,我区遴选瞪羚企业65家,同比增长8%,数量位列全省高新区前列。"),
    ("", "(资料图片)\n全省高新技术企业数量达3.2万家,产值占规上工业比重达45%。"),
    ("2019年首批12家高新区升级为国家高新区-【新闻】", "国务院近日批复同意12家省级高新区升级。"),
])
def test_a_report_of_results_measured_and_ranked_is_news(title, text):
    record = classify_record({"title": title, "text": text, "incentives": []})
    assert record["doc_type"] == "新闻"


@pytest.mark.parametrize("text", [
    "五、对新认定的省级科技企业孵化器,给予运营主体一次性补助30万元。\n六、对新建的研发机构,按投入的20%给予补助。",
    "(二)人才引进项目。对新引进的高层次人才团队,按到位资金的10%予以奖励,最高500万元。",
    "12、强化创新平台建设。鼓励企业建设工程技术研究中心,对新认定的省级中心给予一次性奖励。",
])
def test_a_fragment_opening_on_a_numbered_measure_is_a_document_of_measures(text):
    assert classify_record({"title": "", "text": text, "incentives": []})["doc_type"] == "若干措施"


@pytest.mark.parametrize("text", [
    "1、 广州市高新技术企业认定奖励政策\n对首次通过认定的企业给予20万元奖励。\n2、 广州市研发补助政策\n按研发投入给予补助。",
    "1、企业须在本省注册登记,具有独立法人资格,近三年获得市级以上财政支持。\n2、企业研发投入占比不低于3%。",
])
def test_a_summary_naming_policies_or_a_list_of_conditions_is_no_document_of_measures(text):
    assert classify_record({"title": "", "text": text, "incentives": []})["doc_type"] != "若干措施"
