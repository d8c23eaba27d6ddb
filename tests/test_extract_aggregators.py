"""Extraction on aggregator pages and policy retellings: issuers written short or on a red head, an aggregator's
作者 and 来源 lines, summaries that repeat amounts, and sums that are reported rather than offered."""
from __future__ import annotations

from pipelines.classify.doc_type import classify_doc_type, retelling_cue
from pipelines.classify.prepare import prepare
from pipelines.classify.vocabulary import load_vocabulary
from pipelines.extract import PageInput, extract_record
from pipelines.fields.money import incentives
from pipelines.fields.signature import full_name, government_bodies, red_head_issuers
from pipelines.labels import read_labels
from pipelines.process import process_page
from pipelines.text.normalise import TextPair


def _page(text: str, kind: str = "aggregator") -> dict:
    return process_page(PageInput(url="https://zc.example.com/a/1.html", html=text, text_only=True,
                                  source_kind=kind))


def _amounts(text: str) -> list[float | None]:
    return [offer["amount_max_wan"] for offer in incentives(TextPair(text))]


# --- issuer: short forms, red heads, 作者 and 来源 lines ---------------------------------------------------

def test_short_form_takes_the_full_name_the_page_writes():
    written = ["绵阳市科学技术局", "绵阳市财政局"]
    assert full_name("市科技局", written) == "绵阳市科学技术局"
    assert full_name("市财政局", written) == "绵阳市财政局"
    assert full_name("区科技局", ["成都市武侯区科学技术局"]) == "成都市武侯区科学技术局"
    assert full_name("市高企认定办公室", ["宜宾市高新技术企业认定管理工作领导小组办公室"]) == \
        "宜宾市高新技术企业认定管理工作领导小组办公室"


def test_short_form_without_its_full_name_stays_as_written():
    assert full_name("县财政局", ["某某市科学技术局"]) == "县财政局"
    assert full_name("市科技局", ["各区科学技术局"]) == "市科技局"
    assert full_name("德阳市科技局", ["绵阳市科学技术局"]) == "德阳市科技局"  # another city's body: as written


def test_title_speaker_in_short_form_is_named_by_the_signature():
    text = ("市科技局关于开展2024年度科技型中小企业评价工作的通知\n各区(市)县科技主管部门:\n"
            "现将有关事项通知如下。\n特此通知。\n南充市科学技术局\n2024年3月5日印发\n")
    record = extract_record(PageInput(url="https://kjj.example.gov.cn/t/1.html", html=text, text_only=True,
                                      source_kind="government"))
    assert record["issuer"] == "南充市科学技术局"


def test_red_head_line_names_the_issuers():
    lines = ["泸州市财政局 泸州市科学技术局文件", "泸财教〔2024〕18号", "关于下达2024年科技创新券兑付资金的通知"]
    assert red_head_issuers(lines) == ["泸州市财政局", "泸州市科学技术局"]
    assert red_head_issuers(["请各单位认真学习有关文件", "关于做好申报工作的通知"]) == []


def test_aggregator_author_naming_a_place_body_is_the_issuer():
    text = ("遂宁市船山区促进高新技术企业发展的实施办法\n作者:遂宁市船山区政府【转载】\n"
            "第一条 为加快培育高新技术企业,制定本办法。\n第二条 对首次认定的高新技术企业给予10万元奖励。\n")
    assert _page(text)["issuer"] == "遂宁市船山区政府"


def test_source_line_with_page_controls_names_the_body():
    labels = read_labels(["发布时间:2022-04-02 来源:眉山市政府 字号:[ 大 中 小 ]"])
    assert labels.get("source") == "眉山市政府"


def test_companies_and_institutes_are_no_issuers():
    assert government_bodies(["某某产业研究院"]) == []
    assert government_bodies(["某某科技咨询有限公司"]) == []
    assert government_bodies(["雅安市科学技术局", "雅安市财政局"]) == ["雅安市科学技术局", "雅安市财政局"]


# --- which pages carry incentives -------------------------------------------------------------------------

SUMMARY = ("江苏省各地高企认定奖励政策汇总\n"
           "南京市:对首次认定的高新技术企业给予30万元奖励。\n"
           "无锡市:对首次认定的高新技术企业给予20万元奖励。\n"
           "常州市:对重新认定的高新技术企业给予10万元奖励。\n")
BLOG = ("很多企业问高企认定后奖励多少,今天小编给大家梳理一下。\n"
        "新认定的国家高新技术企业,市级给予一次性补助15万元;\n"
        "有疑问的可以免费咨询我们的在线顾问。\n")
HEADINGS = ("1、嘉兴市高新技术企业认定奖励政策\n对首次认定的给予20万元奖励。\n"
            "2、湖州市高新技术企业认定奖励政策\n对首次认定的给予15万元奖励。\n")
POLICY = ("关于印发《宜宾市支持科技型企业发展的若干措施》的通知\n各区县科技局:\n"
          "一、对首次认定的高新技术企业给予20万元奖励。\n二、各区县科技局要做好政策汇总和宣传解读工作。\n特此通知。\n")


def test_a_summary_of_policies_is_no_policy_but_carries_the_offers_it_states():
    for text, offers in ((SUMMARY, [30, 20, 10]), (BLOG, [15]), (HEADINGS, [20, 15])):
        record = _page(text)
        assert [o["amount_max_wan"] for o in record["incentives"]] == offers, text
        assert record["doc_type"] == "其他" and "retells policies" in record["classification_reasons"]["doc_type"]


def test_a_policy_with_the_same_words_keeps_its_offers():
    record = _page(POLICY)
    assert [o["amount_max_wan"] for o in record["incentives"]] == [20]
    vocab = load_vocabulary()
    assert retelling_cue(prepare(record, vocab), vocab) is None
    assert classify_doc_type(prepare(record, vocab), vocab)[0] == "若干措施"


def test_sums_reported_or_shared_out_are_no_offers():
    assert _amounts("全区共有56家企业获得高企认定奖励资金共560万元。") == []
    assert _amounts("本批次奖励涉及企业共120家、总金额960万元。") == []
    assert _amounts("2023年分配我市科技创新券补助资金800万元。") == []
    assert _amounts("对首次认定的高新技术企业给予30万元奖励。") == [30]


def test_a_floor_under_which_nothing_is_paid_is_no_offer():
    assert _amounts("单个企业补助金额低于5000元的不予补助。") == []
    assert _amounts("已获得市级奖励的,不再给予区级奖励10万元。") == []
    assert _amounts("研发投入增长的,按增量的10%给予补助,最高不超过50万元。") == [50]
