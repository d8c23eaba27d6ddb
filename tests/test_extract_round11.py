"""Forms of round 8's development pages, each tested on texts written for the test as pages of that kind write them."""
from __future__ import annotations

import pytest

from tests.support.pages import html_record, text_record


# ------------------------------------------------- an 印发 notice's heading a copy cut before 的通知

@pytest.mark.parametrize("heading, issued", [
    ("某市人民政府办公室关于转发《某省促进科技成果转化实施细则》", "某省促进科技成果转化实施细则"),
    ("市科技局关于印发《某市高新技术企业培育行动方案(2024-2026年)》", "某市高新技术企业培育行动方案(2024-2026年)"),
    ("省科技厅 省财政厅关于印发《省级科技企业孵化器认定管理办法》", "省级科技企业孵化器认定管理办法"),
])
def test_a_wrapper_heading_without_its_last_words_still_names_the_document_it_issues(heading, issued):
    text = "\n".join([heading, "为加快培育科技型企业,推动创新资源向企业集聚,结合本地实际,制定本办法。",
                      "一、总体要求", "坚持企业主体、市场导向,完善梯次培育体系。"])
    for record in (html_record(text), text_record(text)):  # a page of paragraphs, as the crawl fetches it; text
        assert record["title"] == heading
        assert record["policy_title"] == issued


def test_a_headline_reporting_an_issue_is_no_wrapper_heading():
    text = "\n".join(["科技部印发《国家高新区绿色发展专项行动实施方案》",
                      "近日,科技部印发《国家高新区绿色发展专项行动实施方案》,提出到2025年,国家高新区绿色发展水平明显提升。",
                      "方案提出了五项重点任务。"])
    assert html_record(text, kind="media")["policy_title"] is None


# ------------------------------------------------- an aggregator card's column cell and keyword field above the text

@pytest.mark.parametrize("column", ["通知", "申报通知", "政策 ｜"])
def test_the_column_a_card_files_a_notice_under_is_no_part_of_its_title(column):
    title = "关于组织申报2025年度高新技术企业培育库入库企业的通知"
    text = "\n".join([f"{column.rstrip(' ｜')} {'｜' if '｜' in column else '|'} {title}", "收藏", "关键词:",
                      "高新技术企业培育", "信息来源:某区企业服务平台", "发布时间:", "2025-03-12",
                      "各有关企业:", "为做好2025年度高新技术企业培育工作,现就入库申报有关事项通知如下。"])
    for record in (text_record(text), html_record(text)):
        assert record["title"] == title


def test_a_keyword_fields_value_on_its_own_line_is_no_title():
    text = "\n".join(["收藏", "关键词:", "科技型中小企业评价", "资讯来源:某某政策在线", "发布时间:", "2024-05-20",
                      "各有关单位:", "根据科技部有关工作安排,现将2024年度科技型中小企业评价入库工作有关事项通知如下。"])
    assert text_record(text)["title"] != "科技型中小企业评价"


# ------------------------------------------------- a 落款 glued between an attachment's title and its file link

def test_a_glued_signature_followed_by_the_attachment_link_is_read():
    text = ("各街道、平台,各有关企业:根据《关于下达2024年度科技型中小企业研发费用补助的通知》(某财教〔2024〕3号)文件精神,"
            "现下达我区2024年度科技经费资助计划,附件:《某区2024年度科技型中小企业研发费用补助计划表》"
            "某市某区科学技术局某市某区财政局2024年8月16日附件:某区2024年度科技型中小企业研发费用补助计划表.xlsx。")
    record = text_record(text)
    assert record["issuer"] == "某市某区科学技术局、某市某区财政局"
    assert record["publish_date"] == "2024-08-16"


def test_a_glued_signature_with_the_attachments_text_or_a_disclaimer_after_it_is_read():
    body = ("各区科技局:现将2009年度科技型中小企业技术创新基金项目申报工作有关事项通知如下:"  # a whole notice on one line
            + "一、申报项目应符合国家产业技术政策,具有较高的创新性和较大的市场潜力,有望形成新的经济增长点。" * 3
            + "二、请各区科技局认真组织,严格审核,于8月30日前将推荐材料报送市科技局。附件:1、申报条件2、推荐汇总表")
    for after in ("附件1:申报条件一、在本市注册的科技型中小企业;二、职工人数不超过500人,其中大专以上学历人员占30%以上。",
                  "免责声明:本站转载的文章仅供参考,版权归原作者所有,如有侵权请联系删除,我们将及时处理,谢谢合作与支持。"):
        record = text_record(body + "某市科学技术局二00九年七月二十四日" + after)
        assert record["issuer"] == "某市科学技术局"
        assert record["publish_date"] == "2009-07-24"


def test_a_date_in_prose_followed_by_an_attachment_is_no_signature():
    text = ("各区科技局:请各单位于2024年8月21日前完成填报。本次申报由市科技局统一受理,逾期不予受理,请各单位认真组织,"
            "按时报送,确保材料真实完整。附件:申报汇总表")
    assert text_record(text)["publish_date"] is None


# ------------------------------------------------- a copy whose lines a fixed width broke (a PDF's, a converter's)

def test_a_heading_broken_before_its_last_words_is_read_whole():
    text = "\n".join(["某省科学技术厅关于同意科技企业孵化器(众创空间)事项变更和撤销有关资质", "的通知",
                      "2023-06-30 16:30:16 来源: 点击:", "各设区市科技局,各有关单位:",
                      "按照《某省科技企业孵化器和众创空间管理办法》有关规定,经研究,同意下列孵化器事项变更。"])
    assert text_record(text)["title"] == "某省科学技术厅关于同意科技企业孵化器(众创空间)事项变更和撤销有关资质的通知"


def test_a_short_line_of_furniture_above_a_heading_is_not_read_into_it():
    text = "\n".join(["- 举报", "开发区科技创新政策规定", "第一条 为鼓励企业加大研发投入,结合本区实际,制定本规定。",
                      "第二条 本规定适用于在开发区注册的科技型企业。"])
    assert text_record(text)["title"] == "开发区科技创新政策规定"


def test_an_issued_documents_name_in_a_wrapper_sentence_broken_across_lines_is_read():
    text = "\n".join(["某府办〔2023〕16号", "各区人民政府,市政府各部门、各直属机构:",
                      "《某市壮大科技创新主体促进高新技术企业高质量发展若干措施》已经市人民政府同",
                      "意,现印发给你们,请认真组织实施。", "某市人民政府办公厅", "2023年8月14日",
                      "某市壮大科技创新主体促进高新技术企业高质量发展若干措施", "一、支持企业加大研发投入。"])
    record = text_record(text)
    assert record["policy_title"] == "某市壮大科技创新主体促进高新技术企业高质量发展若干措施"
    assert record["title"] != "《某市壮大科技创新主体促进高新技术企业高质量发展若干措施》已经市人民政府同"


@pytest.mark.parametrize("first, tail, title", [
    ("某市科学技术局关于公示2021年度市级规上企业R&D项目拟立项项目的通", "知",
     "某市科学技术局关于公示2021年度市级规上企业R&D项目拟立项项目的通知"),
    ("自治区科技厅关于公布2023年新型研发机构名单的通知(某科政字〔20", "23〕60号)",
     "自治区科技厅关于公布2023年新型研发机构名单的通知"),
])
def test_a_heading_broken_inside_its_last_word_or_its_number_is_read_whole(first, tail, title):
    text = "\n".join([first, tail, "2021-08-26", "各有关单位:",
                      "为全面实施创新驱动发展战略,充分发挥财政科技经费引导作用,现将有关事项公示如下。"])
    assert text_record(text)["title"] == title


# ------------------------------------------------- round 9's development pages: tags, regulations

@pytest.mark.parametrize("tag", ["【截止日:2025年3月31日】", "【申报时间:即日起至4月30日】", "[热点:高企认定]"])
def test_a_labelled_tag_before_a_title_is_no_part_of_it(tag):
    title = "某市科学技术局关于组织申报2025年度企业研发投入后补助的通知"
    text = "\n".join(["热点资讯", tag + title, "来源:某市科学技术局 | 发布时间: 2025-03-02 | 267 次浏览",
                      "各区(市)县科技主管部门,各有关单位:", "现将2025年度企业研发投入后补助申报工作有关事项通知如下。"])
    assert text_record(text)["title"] == title


@pytest.mark.parametrize("note, number", [
    ("(2010年3月2日某市人民政府令第56号公布 自2010年5月1日起施行)", "某市人民政府令第56号"),
    ("(2004年7月9日某省人民政府令第21号公布 根据2011年1月8日《某省人民政府关于修改部分规章的决定》修订)", None),
])
def test_a_regulations_promulgation_note_names_its_maker_and_its_order(note, number):
    text = "\n".join(["某市科学技术奖励办法", "入库时间:2010-03-02|字体:| 下载收藏", "来源:法规数据中心", note,
                      "第一条 为了奖励在科学技术进步活动中做出突出贡献的单位和个人,制定本办法。",
                      "第二条 本办法适用于本市行政区域内的科学技术奖励活动。"])
    record = text_record(text)
    assert record["issuer"] == ("某市人民政府" if "某市" in note else "某省人民政府")
    assert record["doc_number"] == number


def test_a_joined_wrapper_with_its_number_before_its_heading_and_its_signature_before_the_attachment():
    text = ("某市科发〔2020〕49号某市科学技术局关于印发《某市科技企业孵化器认定和管理办法》的通知各县(市、区)科技主管部门,"
            "各有关单位:现将《某市科技企业孵化器认定和管理办法》印发给你们,请遵照执行。附件:某市科技企业孵化器认定和管理办法"
            "某市科学技术局2020年6月18日附件某市科技企业孵化器认定和管理办法第一章总则第一条为深入贯彻落实创新驱动发展战略,"
            "促进科技成果转化,培育科技型企业,制定本办法。第二条本办法所称科技企业孵化器是以促进科技成果转化为宗旨的科技创业服务机构。")
    record = text_record(text)
    assert record["doc_number"] == "某市科发〔2020〕49号"
    assert record["issuer"] == "某市科学技术局"
    assert record["publish_date"] == "2020-06-18"


def test_a_cited_number_opening_a_line_without_a_heading_is_not_the_pages():
    text = ("国科发火〔2016〕32号文件发布以来,各地陆续出台配套政策。记者梳理发现,关于高新技术企业认定的奖励标准差异较大,"
            "供企业参考。")
    assert text_record(text)["doc_number"] is None


@pytest.mark.parametrize("menu", ["首页  机构概况  新闻中心  政务公开  办事服务", "精品久久_中文字幕在线_国产视频免费观看",
                                  "首页 > 政务公开 > 法定主动公开内容 > 科技动态"])
def test_a_menu_line_above_its_item_is_no_broken_heading(menu):
    text = "\n".join([menu, "通知公告", "关于开展2025年度高新技术企业认定工作的通知",
                      "各区科技局:现将2025年度高新技术企业认定工作有关事项通知如下。"])
    assert text_record(text)["title"] == "关于开展2025年度高新技术企业认定工作的通知"


def test_the_value_of_a_title_field_on_its_own_line_stays_the_title():
    text = "\n".join(["标题:", "关于开展2025年度科技型中小企业评价工作的通知", "发布时间:2025-03-02 来源:某区科技局",
                      "各有关企业:", "根据科技部有关工作安排,现将2025年度科技型中小企业评价工作有关事项通知如下。"])
    assert text_record(text)["title"] == "关于开展2025年度科技型中小企业评价工作的通知"


@pytest.mark.parametrize("edition", ["(2005年修订)", "(试行)", "(2023-2025年)"])
def test_a_title_line_may_carry_its_edition(edition):
    title = "某省科学技术奖励办法" + edition
    text = "\n".join(["找律师咨询", "您现在的位置:首页 >> 法律法规 >> 法律文章", title, "【字体:",
                      "【发布部门】 某省人民政府", "【发布日期】 2005-12-28",
                      "第一章 总则", "第一条 为奖励在科学技术进步活动中做出突出贡献的公民、组织,制定本办法。"])
    assert text_record(text)["title"] == title


def test_a_menu_item_with_its_count_is_no_title():
    text = "\n".join(["通知公告(12)", "政策法规(36)", "关于开展2025年度科技型中小企业评价工作的通知",
                      "各有关企业:根据科技部有关工作安排,现将评价工作有关事项通知如下。"])
    assert text_record(text)["title"] == "关于开展2025年度科技型中小企业评价工作的通知"


def test_a_headlines_column_tag_on_the_next_line_is_not_read_into_it():
    text = "\n".join(["市科技局召开2024年度全市科技创新工作推进会", "政策解读", "发布时间:2024-03-12 来源:某市科技局",
                      "3月12日,市科技局召开全市科技创新工作推进会,部署全年重点工作。会议指出,要加快培育科技型企业。"])
    assert text_record(text, kind="media")["title"] == "市科技局召开2024年度全市科技创新工作推进会"


def test_a_body_the_signature_spells_out_keeps_its_words_beside_an_abbreviated_title():
    text = "\n".join(["新疆维吾尔自治区工信厅关于2021年自治区专精特新中小企业名单的公示", "科技工作者之家 2020-09-27",
                      "经各地州市工信局推荐、专家评审,共有25家企业通过审核。现将名单予以公示。欢迎社会各界参与监督。",
                      "附件:2020年自治区专精特新“小巨人”培育企业名单", "自治区工业和信息化厅", "2020年9月25日"])
    assert text_record(text)["issuer"] == "自治区工业和信息化厅"


def test_a_cited_number_before_a_headings_colon_is_not_the_pages():
    text = ("国科发火〔2016〕32号文件解读:高新技术企业认定管理办法修订了哪些内容。本文从认定条件、认定程序两方面作出说明,"
            "供企业参考。")
    assert text_record(text)["doc_number"] is None


@pytest.mark.parametrize("addressees", ["各市州科技局:", "有关单位:", "市直各单位:"])
def test_a_number_glued_to_the_addressees_is_the_pages(addressees):
    text = f"某科发〔2024〕12号{addressees}现将2024年度科技型中小企业评价工作有关事项通知如下。请认真组织实施。"
    assert text_record(text)["doc_number"] == "某科发〔2024〕12号"


def test_a_title_that_opens_with_its_verb_names_no_issuer():
    text = "\n".join(["转发省科技厅关于组织申报2021年度省级高新技术企业培育库入库企业的通知",
                      "各镇区科技局、各有关单位:",
                      "现将《某省科学技术厅关于组织申报2021年度省级高新技术企业培育库入库企业的通知》转发给你们,请认真组织申报。"])
    assert text_record(text)["issuer"] is None


def test_a_source_label_with_the_date_and_controls_after_it_names_its_body():
    text = "\n".join(["当前位置: 首页 > 新闻动态 > 工作动态", "某州23家企业被认定为某省科技型中小企业",
                      "来源:某省科技厅     2018-01-17 00:00:00     【字体: 】",
                      "日前,某州推荐上报的23家企业经审核后全部被认定为某省科技型中小企业。"])
    assert text_record(text, kind="government")["issuer"] == "某省科技厅"
