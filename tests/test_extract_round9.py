"""落款 glued into copies that joined every line, a repost's footer attribution, and a wrapper that issues a
document's supplement. Every text here is written for the test, as a page of that kind would write it."""
from __future__ import annotations

import pytest

from pipelines.fields.signature import main_signature
from pipelines.fields.titles import policy_title
from pipelines.labels import read_labels
from tests.support.pages import text_record


# ------------------------------------------------------------------------------ glued 落款 with a note after it

@pytest.mark.parametrize("tail, org, date", [
    ("附件:1.申报书2.推荐汇总表甘肃省科学技术厅2023年3月9日(此件主动公开,联系人:张某,电话:0931-1234567)。",
     "甘肃省科学技术厅", "2023-03-09"),
    ("附表:1.企业名单、2.佐证材料清单江西省工业和信息化厅2021年6月30日(联系电话:0791-86000000)。",
     "江西省工业和信息化厅", "2021-06-30"),
    ("附件:科技企业孵化器管理办法贵州省科学技术厅2022年8月1日(此件公开发布)",
     "贵州省科学技术厅", "2022-08-01"),
])
def test_a_glued_signature_followed_by_its_publication_or_contact_note(tail, org, date):
    found = main_signature(["各有关单位:现将有关事项通知如下,请按要求组织申报," + tail])
    assert found is not None and found.date == date and list(found.issuers) == [org]


def test_a_glued_date_that_a_sentence_goes_on_from_is_no_signature():
    assert main_signature(["各有关单位:申报工作由贵州省科学技术厅2022年8月1日(星期一)起组织开展,请相互转告。"]) is None


# ------------------------------------------------------------- a 落款 glued before the document a wrapper issues

def test_a_signature_glued_between_a_wrapper_and_the_document_it_issues():
    line = ("广西壮族自治区科学技术厅广西壮族自治区财政厅关于印发《广西科技创新券管理办法》的通知各市科技局、财政局,"
            "现对《广西科技创新券管理办法》进行了修订,广西壮族自治区科学技术厅广西壮族自治区财政厅2024年5月6日"
            "广西科技创新券管理办法第一章总则第一条为支持科技型中小企业,")
    found = main_signature([line])
    assert found is not None and found.date == "2024-05-06"
    assert list(found.issuers) == ["广西壮族自治区科学技术厅", "广西壮族自治区财政厅"]


def test_a_date_before_another_document_than_the_one_issued_is_no_signature():
    line = ("关于印发《某市研发费用补助办法》的通知各区科技局,根据省科学技术厅2024年5月6日《关于研发投入的意见》,"
            "现将办法印发给你们。")
    assert main_signature([line]) is None


def test_the_record_takes_issuer_and_date_from_the_signature_glued_before_the_issued_document():
    record = text_record(
        "吉林省科学技术厅吉林省财政厅关于印发《吉林省科技发展计划资金管理办法》的通知各市(州)科技局,"
        "现将修订后的《吉林省科技发展计划资金管理办法》印发给你们,吉林省科学技术厅吉林省财政厅2023年11月20日"
        "吉林省科技发展计划资金管理办法第一章总则第一条为规范资金管理,")
    assert record["issuer"] == "吉林省科学技术厅、吉林省财政厅"
    assert record["publish_date"] == "2023-11-20"


# ----------------------------------------------------------------------- a repost's footer attribution line

@pytest.mark.parametrize("line, published", [
    ("原文发布:2023-05-06 09:30 来源:柳州市科学技术局", "2023-05-06 09:30"),
    ("原文发布时间:2022-12-01 来源:某某市工业和信息化局", "2022-12-01"),
])
def test_an_original_posting_label_reads_as_a_published_date(line, published):
    values = read_labels([line]).values
    assert values["published"] == published and values["source"].endswith("局")


def test_a_repost_names_its_issuer_in_a_footer_attribution():
    record = text_record(
        "关于开展2023年度科技型企业入库工作的通知\n时间:2023-05-10 10:00\n各有关单位:\n"
        "为做好科技型企业入库工作,现将有关事项通知如下:\n一、入库对象为在本市注册的企业。\n"
        "请于2023年6月1日前报送材料。\n2023年5月6日\n原文发布:2023-05-06 09:30 来源:柳州市科学技术局\n")
    assert record["issuer"] == "柳州市科学技术局"
    assert record["publish_date"] == "2023-05-06"


# ----------------------------------------------------------------------- a wrapper issuing a supplement

@pytest.mark.parametrize("title, carried", [
    ("关于印发《某省科技企业孵化器管理办法》补充规定的通知", "《某省科技企业孵化器管理办法》补充规定"),
    ("某市人民政府关于印发《关于加快科技创新的若干政策》实施细则的通知", "《关于加快科技创新的若干政策》实施细则"),
    ("关于印发《某市研发投入补助办法》的通知", "某市研发投入补助办法"),
    ("关于转发《某省创新券管理办法》的通知", "某省创新券管理办法"),
])
def test_a_wrapper_issuing_a_supplement_carries_the_supplement(title, carried):
    assert policy_title(title, "") == carried


# ------------------------------------------------------------------------ a wire report naming a document

def _doc_type(title: str, text: str) -> str:
    from pipelines.classify.record import classify_record
    return classify_record({"title": title, "text": text, "issuer": None, "doc_number": None, "incentives": []},
                           None)["doc_type"]


def test_a_wire_report_under_a_headline_naming_a_document_is_news():
    assert _doc_type("科技部办公厅印发《关于加快推进技术转移体系建设的指导意见》",
                     "中新社北京5月6日电 科技部办公厅近日印发《关于加快推进技术转移体系建设的指导意见》,"
                     "明确了下一阶段的重点任务。《意见》提出,到2025年,技术合同成交额持续增长。") == "新闻"


def test_a_wire_that_goes_on_to_give_the_document_is_the_document():
    assert _doc_type("国务院办公厅印发《某某科技创新行动方案》",
                     "新华社北京3月2日电 近日,国务院办公厅印发《某某科技创新行动方案》,并发出通知。"
                     "《某某科技创新行动方案》全文如下。\n一、总体要求\n(一)指导思想。\n二、重点任务\n") != "新闻"


def test_a_wrapper_opening_with_its_addressees_is_not_news():
    assert _doc_type("某省科学技术厅印发《某省科技企业孵化器管理办法》",
                     "各市科技局:\n近日,我厅修订了《某省科技企业孵化器管理办法》,现印发给你们,请遵照执行。\n") == "管理办法"


# -------------------------------------------------------------- English glosses injected like pinyin

def test_injected_english_glosses_are_removed_like_pinyin():
    from pipelines.text.repair import remove_injected_pinyin
    assert remove_injected_pinyin("某省人(people)民政府关于(At)印发科技创新若干措施的(of)通知") == "某省人民政府关于印发科技创新若干措施的通知"


@pytest.mark.parametrize("text", [
    "推动人工智能(AI)与研发(R&D)融合,支持首席技术官(CTO)制度",      # acronyms are the text's own
    "建设粤港澳大湾区(Greater Bay Area)科技创新中心",                  # one real gloss, not an injection
    "对新加坡(Singapore)企业给予支持,对德国(Germany)企业同样支持",        # two are not several
])
def test_a_texts_own_parenthesised_english_stays(text):
    from pipelines.text.repair import remove_injected_pinyin
    assert remove_injected_pinyin(text) == text


# ------------------------------------------------------------------------ a 落款 over its publication note

def test_a_date_line_over_its_publication_note_is_the_signature_before_a_later_header_date():
    record = text_record(
        "关于印发某市科技创新政策清单的通知\n发布时间:[2024/03/30] 阅读:120\n各区县人民政府,市各委办局:\n"
        "现将《某市科技创新政策清单》印发给你们。2023年的清单同时废止。\n2024年3月18日\n(此件公开发布)\n"
        "某市科技创新政策清单\n一、支持企业加大研发投入。\n")
    assert record["publish_date"] == "2024-03-18"


# ------------------------------------------------------------------- a heading broken before its last words

def test_a_heading_broken_before_its_last_words_is_joined():
    record = text_record("某某新区建设高水平科技企业\n孵化器的扶持办法\n(修订版)\n第一章 总则\n第一条 为支持孵化器发展,制定本办法。\n")
    assert record["title"] == "某某新区建设高水平科技企业孵化器的扶持办法"


@pytest.mark.parametrize("first", ["某某市科学技术局", "各区科技局、各有关单位"])
def test_a_body_or_an_address_above_a_short_title_is_not_joined(first):
    record = text_record(f"{first}\n孵化器的扶持办法\n第一章 总则\n第一条 为支持孵化器发展,制定本办法。\n")
    assert record["title"] != first + "孵化器的扶持办法"


# ----------------------------------------------------------------- a summary's numbered item names no issuer

def test_a_summarys_numbered_item_names_no_issuer_of_the_page():
    from pipelines.fields.signature import heading_issuers
    lines = ["二、新材料", "(一)某省人民政府关于加快新材料产业发展的意见(某政发〔2023〕8号)",
             "对新材料项目按投资额的10%给予补助。"]
    assert heading_issuers(lines, []) == []
    assert heading_issuers(["某省人民政府关于加快新材料产业发展的意见", "各市人民政府:"], []) == ["某省人民政府"]


# ------------------------------------------------------------- an amount describing the recipient is no offer

def _amounts(text: str) -> list[float]:
    from pipelines.fields.money import incentives
    from pipelines.text.normalise import TextPair
    return sorted(i["amount_max_wan"] for i in incentives(TextPair(text)) if i.get("amount_max_wan") is not None)


def test_a_threshold_describing_the_recipient_is_no_offer():
    text = ("按照企业上年度研发投入规模,对500万元以下、500万元至2000万元(含)、2000万元以上的企业"
            "分别给予20万元、30万元、40万元奖励。")
    assert _amounts(text) == [20, 30, 40]


def test_a_ceiling_closing_the_offers_own_words_stays():
    assert _amounts("对新认定的省级孵化器给予100万元以内的补助。") == [100]
    assert _amounts("对投资1000万元及以上的项目,给予最高50万元奖励。") == [50]


def test_a_call_for_comment_on_a_document_carries_the_document_not_its_comments():
    assert policy_title("关于公开征求《某市科技创新券管理办法》意见的通知", "") == "某市科技创新券管理办法"


# ------------------------------------------------------------------ a body's abbreviation and its full name

@pytest.mark.parametrize("short, written, full", [
    ("某省科技厅", ["某省科学技术厅"], "某省科学技术厅"),
    ("某省政府", ["某省人民政府"], "某省人民政府"),
    ("某市发改委", ["某市发展和改革委员会"], "某市发展和改革委员会"),
    ("某省科技厅", ["另省科学技术厅"], "某省科技厅"),
])
def test_a_body_abbreviated_takes_the_full_name_the_page_spells_out(short, written, full):
    from pipelines.fields.signature import full_name
    assert full_name(short, written) == full


@pytest.mark.parametrize("date_line", ["二一五年十月十五", "2023年821", "二〇一九年六月"])
def test_a_signature_whose_date_a_copy_broke_still_names_its_body(date_line):
    from pipelines.fields.signature import closing_issuers
    text = f"现将名单予以公示。\n附件:名单.docx\n某某市科学技术局\n{date_line}"
    assert closing_issuers(text) == ["某某市科学技术局"]


def test_a_sentence_above_a_broken_date_names_no_body():
    from pipelines.fields.signature import closing_issuers
    assert closing_issuers("现将名单予以公示。\n请各单位认真落实。\n2023年821") == []
