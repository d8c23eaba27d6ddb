"""Issuers, dates and numbers on reposts and government pages collected after the rules were written: a 来源
with the page's font-size control glued to it, a metadata table that lost its colons (文  号 letter-spaced), a
bare 落款 date under the attachment note or above the page's comment widgets, co-issuers of a 落款 glued into the
text's last line, a seal on another body's behalf, a party committee glued to its government, and a number
opening the preamble. Every text here is written for the test, as a page of that kind would write it."""
from __future__ import annotations

import pytest

from pipelines.fields.doc_number import heading_doc_number
from pipelines.fields.signature import main_signature, split_orgs
from pipelines.fields.titles import strip_title_prefix, text_heading
from pipelines.labels import read_labels
from tests.support.pages import text_record



# ---------------------------------------------------------------------------------------------- labels

@pytest.mark.parametrize("line, source", [
    ("发布时间:2022-08-03 09:15 信息来源:宜昌市科学技术局字号:[ ]", "宜昌市科学技术局"),
    ("来源:某某县工业和信息化局 字号:[ 大 | 中 | 小 ]", "某某县工业和信息化局"),
    ("来源:某某区发展和改革局【字体:大 中 小】", "某某区发展和改革局"),
])
def test_a_font_size_control_glued_after_the_source_is_no_part_of_it(line, source):
    assert read_labels([line]).get("source") == source


def test_a_table_without_colons_aligns_a_short_label_by_letter_spacing():
    labels = read_labels(["发布机构 某某省科学技术厅 文  号 某科高字〔2023〕17号",
                          "成文日期 2023-06-30 生效日期 2023-07-01"])
    assert labels.get("issuer") == "某某省科学技术厅"
    assert labels.get("doc_number") == "某科高字〔2023〕17号"


def test_a_publication_label_glued_into_prose_gives_the_date_it_opens_with():
    line = "某某州某某县投资优惠政策 发表时间:2012 年 03 月 15 日 10:05 某某县招商引资优惠政策(试行) 为进一步扩大开放,特制定本政策。"
    assert read_labels([line]).get("published") == "2012 年 03 月 15 日 10:05"


@pytest.mark.parametrize("line", [
    "会议安排如下,时间:2024年3月1日 上午9:00,地点:市政府三楼会议室,请准时参加。",
    "征集活动安排 发布日期:2024年3月1日 至 3月31日,请各单位按时报送材料,逾期不再受理。",
])
def test_a_schedule_in_prose_gives_no_publication_date(line):
    assert read_labels([line]).get("published") is None


def test_a_sentence_opening_with_a_short_label_word_is_no_table_row():
    assert read_labels(["来源 于群众的意见已经汇总。"]).values == {}
    assert read_labels(["时间 紧任务重,各单位要抓紧落实。"]).values == {}


# ---------------------------------------------------------------------------------------------- 落款

def test_a_bare_date_under_the_attachment_note_is_the_signature_date():
    lines = ["各区县科技局:", "现将有关事项通知如下。", "附件:1.2022年度拟认定企业名单.xlsx", "2.推荐汇总表.docx",
             "二〇二二年十一月三日", "附件1", "序号", "|", "企业名称", "|", "所在区县"]
    signature = main_signature(lines)
    assert signature is not None and signature.date == "2022-11-03" and signature.issuers == ()


def test_a_date_above_a_long_table_without_an_attachment_note_is_not_the_signature():
    lines = ["各区县科技局:", "现将名单公布如下。", "2022年11月3日", "序号", "企业名称", "所在区县",
             "1", "某某科技有限公司", "某某区"]
    assert main_signature(lines) is None


def test_a_bare_date_above_the_page_furniture_closes_the_text():
    record = text_record("各有关单位:\n现将申报工作有关事项通知如下。\n一、申报对象为本市企业。\n"
                         "联系电话:0755-12345678\n2024年3月18日\n标签:\n留言与评论(共有 0 条评论)\n发表评论\n验证码")
    assert record["publish_date"] == "2024-03-18"


def test_a_date_followed_by_sentences_does_not_close_the_text():
    lines = ["各有关单位:", "现将有关事项通知如下。", "2024年3月18日", "会议强调,要抓好落实。", "会议要求,各单位要加强协调。",
             "会议指出,要压实责任。"]
    assert main_signature(lines) is None


def test_co_issuers_of_a_signature_glued_into_the_last_line():
    record = text_record("关于公布第二批企业技术中心名单的通知\n各市工业和信息化局、财政局:"
                         " 经审核,现予公布。 三、认定结果有效期三年,期满复核。 某某省工业和信息化厅 某某省财政厅 2019年7月2日 |")
    assert record["issuer"] == "某某省工业和信息化厅、某某省财政厅"
    assert record["publish_date"] == "2019-07-02"


def test_a_signature_after_the_contacts_glued_into_the_last_line():
    signature = main_signature(["四、联系方式 区科技局:王丽 82345678 企业服务QQ群:512345678某某区科学技术局2022年9月5日。"])
    assert signature is not None
    assert signature.issuers == ("某某区科学技术局",) and signature.date == "2022-09-05"


def test_a_seal_on_another_bodys_behalf_is_no_part_of_the_signature():
    glued = main_signature(["现予公布。 附件:评价结果 某某县委人才工作领导小组办公室 (某某县人力资源和社会保障局代章) 2023年5月6日", "|", "|"])
    assert glued is not None and glued.issuers == ("某某县委人才工作领导小组办公室",) and glued.date == "2023-05-06"
    lined = main_signature(["特此通知。", "某某县委人才工作领导小组办公室(某某县人力资源和社会保障局代章)", "2023年5月6日"])
    assert lined is not None and lined.issuers == ("某某县委人才工作领导小组办公室",)


def test_a_signature_glued_after_the_closing_sentence_inside_a_joined_text():
    line = ("关于印发《某某专项资金管理办法》的通知各市财政局、科技局:现将《某某专项资金管理办法》印发给你们,请认真贯彻执行。"
            "某某省财政厅某某省科学技术厅2021年8月16日某某专项资金管理办法第一章总则第一条为规范资金管理,制定本办法。")
    signature = main_signature([line])
    assert signature is not None
    assert signature.issuers == ("某某省财政厅", "某某省科学技术厅") and signature.date == "2021-08-16"


def test_a_date_after_a_closing_sentence_with_no_body_before_it_is_no_joined_signature():
    line = "现将有关事项通知如下,请认真贯彻执行。2021年8月16日起,各单位应按月报送进度。"
    assert main_signature([line]) is None


def test_a_signature_line_padded_with_lost_characters():
    signature = main_signature(["特此通知。", "???????????????", "??????????????某某市市场监督管理局", "2021年4月9日"])
    assert signature is not None and signature.issuers == ("某某市市场监督管理局",)


# ---------------------------------------------------------------------------------------------- issuer names

@pytest.mark.parametrize("glued, bodies", [
    ("中共某某市委某某市人民政府", ["中共某某市委", "某某市人民政府"]),
    ("中共某某县委办公室某某县人民政府办公室", ["中共某某县委办公室", "某某县人民政府办公室"]),
])
def test_a_party_committee_glued_to_its_government(glued, bodies):
    assert split_orgs(glued) == bodies


# ---------------------------------------------------------------------------------------------- doc_number

def test_a_number_glued_to_the_preamble_after_a_space_is_the_page_number():
    assert heading_doc_number(["某政发〔2021〕9号 为进一步优化营商环境,结合我市实际,制定本意见。"]) == "某政发〔2021〕9号"


@pytest.mark.parametrize("line, number", [
    ("某政发201815 号", "某政发〔2018〕15号"),
    ("(某科发2023〕7号)", "某科发〔2023〕7号"),
    ("某财规〔20214号", "某财规〔2021〕4号"),
])
def test_a_number_alone_on_its_line_that_lost_its_brackets(line, number):
    assert heading_doc_number(["关于印发某某办法的通知", line, "各县(市、区)人民政府:"]) == number


@pytest.mark.parametrize("line", ["某科发〔2023 7", "第201815号", "电话 2018150"])
def test_digits_without_their_number_shape_are_no_number(line):
    assert heading_doc_number(["关于印发某某办法的通知", line, "各县(市、区)人民政府:"]) is None


def test_a_cited_number_opening_a_line_is_not_the_page_number():
    assert heading_doc_number(["根据国发〔2021〕9号 文件精神,结合我市实际,制定本意见。"]) is None
    assert heading_doc_number(["为贯彻落实某政发〔2021〕9号 文件精神,制定本意见。"]) is None


# ---------------------------------------------------------------------------------------------- titles

def test_a_reposts_topic_before_a_heading_is_no_part_of_it():
    assert text_heading(["某市高新区科技企业奖励政策:某某高新区促进科技创新发展若干政策实施细则(试行)",
                         "为深入实施创新驱动发展战略,特制定本细则。"]) == "某某高新区促进科技创新发展若干政策实施细则(试行)"


def test_a_headlines_speaker_before_a_colon_stays_in_the_headline():
    assert strip_title_prefix("三部门:进一步提高科技型中小企业研发费用加计扣除比例") == \
        "三部门:进一步提高科技型中小企业研发费用加计扣除比例"


def test_a_heading_glued_to_the_salutation_of_a_joined_text():
    record = text_record("某某区关于组织申报2023年度科技企业培育奖励资金的通知各有关企业:根据有关规定,现将申报事项通知如下:"
                         "一、申报对象为本区企业。二、申报时间为2023年9月1日至9月30日。")
    assert record["title"] == "某某区关于组织申报2023年度科技企业培育奖励资金的通知"


def test_a_paragraph_opening_the_text_before_a_salutation_is_no_heading():
    assert text_heading(["为做好申报工作,现将有关事项通知各有关企业:一、申报对象为本区企业。"]) is None
