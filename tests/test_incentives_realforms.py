"""Money offers in the forms real policy pages write them, and pages that report money without offering it."""
from __future__ import annotations

import pytest

from pipelines.classify.record import classify_record
from pipelines.fields.money import incentives
from pipelines.text.normalise import TextPair


def offered(text: str) -> list[float | None]:
    """Each offer's amount as a reader of the record sees it: the certain sum, else the ceiling."""
    return [i["amount_wan"] if i["amount_wan"] is not None else i["amount_max_wan"]
            for i in incentives(TextPair(text))]


# --- one offer per distinct offer ------------------------------------------------------------------

def test_equal_sums_of_one_sentence_are_different_offers() -> None:
    found = incentives(TextPair("对新认定的国家级孵化器、省级孵化器分别给予50万元、20万元奖励，通过年度复评的，"
                                "给予20万元奖励。"))
    assert [i["amount_wan"] for i in found] == [50, 20, 20]
    assert found[2]["condition"] == "通过年度复评"


def test_an_offer_restated_for_the_same_recipient_is_listed_once() -> None:
    text = ("政策要点：对首次认定的高新技术企业，奖励20万元。\n"
            "一、对首次认定的高新技术企业，奖励20万元。\n二、对重新认定的高新技术企业，奖励10万元。")
    assert offered(text) == [20, 10]


def test_a_headline_repeating_an_offers_clause_is_listed_once() -> None:
    text = ("高新技术企业认定奖励来了，每家奖励最高15万元！\n"
            "（一）在本区注册并通过国家高新技术企业认定的企业，每家奖励最高15万元。")
    found = incentives(TextPair(text))
    assert [(i["amount_max_wan"], i["condition"]) for i in found] == [(15, "在本区注册并通过国家高新技术企业认定")]


def test_equal_sums_for_different_recipients_are_two_offers() -> None:
    assert offered("对新认定的省级孵化器给予50万元奖励。\n对新认定的省级众创空间给予50万元奖励。") == [50, 50]


def test_a_sum_restated_without_a_recipient_is_listed_once() -> None:
    assert offered("科技创新券补贴最高10万元\n符合条件的企业可申领创新券，每年补贴最高10万元。") == [10]


def test_a_ceiling_summing_up_the_tiers_after_it_is_the_top_tier() -> None:
    text = ("对企业研发投入给予最高100万元补助。其中：研发投入500万元-1000万元的，给予10万元补助；"
            "研发投入1000万元-5000万元的，给予50万元补助；研发投入5000万元以上的，给予100万元补助。")
    assert offered(text) == [10, 50, 100]


def test_a_ceiling_above_the_sums_after_it_is_an_offer_of_its_own() -> None:
    assert offered("单个企业年度补助最高80万元。对首次认定的企业给予30万元补助；对重新认定的企业给予50万元补助。") \
        == [80, 30, 50]


# --- offers written without a money word next to the sum ------------------------------------------

@pytest.mark.parametrize("text, amounts", [
    ("对新认定的众创空间给予一次性奖励，其中国家级每家50万元，省级每家30万元。", [50, 30]),
    ("在孵企业被认定为高新技术企业的，每认定1家奖励该孵化器5万元。", [5]),
    ("每个项目合计资助80万元，分两年到位。", [80]),
    ("对获批的重大专项，每项一次性给予200万元。", [200]),
    ("对认定的市级工程技术研究中心，安排30万元建设经费。", [30]),
    ("对全职引进1名顶尖人才的企业给予100万元奖励。", [100]),
    ("对年度新增规上企业10家以上的街道，给予10万元奖励。", [10]),
])
def test_one_recipients_share(text: str, amounts: list[float]) -> None:
    assert offered(text) == amounts


@pytest.mark.parametrize("text, expected", [
    ("符合条件的科技型中小企业可申领最高5万元创新券。", [(None, 5, "创新券")]),
    ("上年度销售不超过3000万元的企业，可申领使用最高10万元科技创新券。", [(None, 10, "创新券")]),
])
def test_vouchers_are_offers_and_sales_are_conditions(text: str, expected: list[tuple]) -> None:
    assert [(i["amount_wan"], i["amount_max_wan"], i["kind"]) for i in incentives(TextPair(text))] == expected


# --- sums that are not offers ----------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    # statistics: recipients counted, figures reached, totals
    "2023年，全市168家企业获得高企认定奖励，奖励资金5040万元。",
    "今年已为86家企业发放研发补助3200万元。",
    "我区科技奖补资金突破8000万元，惠及企业300余家。",
    "全区合计资助项目42个、资金2600万元。",
    "本批次共支持企业52家，资助资金1800万元（详见附件）。",
    "去年全省两千余家企业享受研发后补助经费3.6亿元。",
    "今年共兑现科技奖补资金2.3亿元，相比去年的1.2亿元奖补金翻了近一番。",
    "“这笔80万元奖金来得很及时。”企业负责人说。",
    # budgets
    "市财政每年安排2000万元专项资金，用于科技创新券兑付。",
    "2025年奖励资金暂定为500万元，按申报先后顺序兑付，用完即止。",
    # examples
    "各地奖励标准不一，例如某区对首次认定的高企给予15万元奖励。",
    "单个企业年度补助可达一定额度（如50万元）。",
    # cut off by the page's end
    "对首次认定的企业给予1万…",
    "三、对当年新认定的高新技术企业奖励5万",
])
def test_statistics_budgets_examples_and_cut_sums_offer_nothing(text: str) -> None:
    assert incentives(TextPair(text)) == []


def test_tiers_of_a_table_run_together_are_conditions_not_offers() -> None:
    text = ("按上年度营业收入分档奖励：2亿元以上的，奖励50万元；1亿元至2亿元的，奖励30万元；"
            "5000万元至1亿元的，奖励20万元。")
    assert offered(text) == [50, 30, 20]


def test_the_brackets_of_a_base_a_rate_applies_to_are_not_offers() -> None:
    text = "研发费用1000万元以下部分按8%给予补助，1000万元以上部分按5%给予补助，单个企业最高200万元。"
    assert [(i["amount_wan"], i["amount_max_wan"]) for i in incentives(TextPair(text))] == [(None, 200)]


def test_a_ceiling_reached_is_still_a_ceiling() -> None:
    assert [(i["amount_wan"], i["amount_max_wan"]) for i in incentives(TextPair("单个项目资助最高可达500万元。"))] \
        == [(None, 500)]


def test_a_note_in_brackets_after_a_sum_is_not_its_clause() -> None:
    assert offered("对首次认定的高企奖励20万元，重新认定的高企奖励10万元（2024年到期的企业按首次认定标准兑现）。") \
        == [20, 10]


def test_a_money_word_before_xing_describes_the_one_after_it() -> None:
    assert [i["kind"] for i in incentives(TextPair("对通过认定的高新技术企业予以5万元奖励性资助。"))] == ["资助"]


def test_a_complete_sum_at_the_end_of_a_line_is_no_cut() -> None:
    assert offered("对认定的市级工程技术研究中心，给予10万元资助\n申报材料一式三份") == [10]


# --- pages that report money -------------------------------------------------------------------------------

NEWS_TEXT = ("本报讯（记者 李明）记者日前从市科技局获悉，我市2025年首批科技创新券开始兑现。"
             "根据新出台的办法，对首次认定的高新技术企业给予20万元奖励，每家企业每年最高可申领10万元创新券。")
AWARDS_TEXT = ("根据《某市科技创新奖励办法》，经企业申报、专家评审，拟对以下企业给予奖励，现予以公示：\n"
               "1. 某某电子科技有限公司 高新技术企业认定奖励 20万元\n2. 某某新材料有限公司 研发投入后补助 35万元")


def test_a_news_report_stating_a_policys_offer_leads_to_it() -> None:
    stated = incentives(TextPair(NEWS_TEXT))
    result = classify_record({"title": "我市首批科技创新券开始兑现", "text": NEWS_TEXT, "incentives": stated})
    assert result["doc_type"] == "新闻"
    assert (result["has_incentive"], result["max_amount_wan"]) == (True, 20)


def test_a_list_of_awards_made_offers_none() -> None:
    stated = [{"amount_wan": 20, "amount_max_wan": 20}, {"amount_wan": 35, "amount_max_wan": 35}]
    result = classify_record({"title": "关于2025年度科技创新奖励拟奖励企业名单的公示", "text": AWARDS_TEXT,
                              "incentives": stated})
    assert (result["has_incentive"], result["max_amount_wan"]) == (False, None)
    assert result["classification_reasons"]["has_incentive"] == "a 公示 offers no money itself; it reports 35、20 万元"


def test_the_policy_itself_still_offers_its_money() -> None:
    text = ("各区科技局：\n现将《关于加快高新技术企业发展的若干措施》印发给你们，请认真贯彻执行。\n"
            "一、对首次认定的高新技术企业给予30万元奖励。")
    result = classify_record({"title": "关于印发《关于加快高新技术企业发展的若干措施》的通知", "text": text,
                              "incentives": incentives(TextPair(text))})
    assert (result["has_incentive"], result["max_amount_wan"]) == (True, 30.0)


# --- round 2: sums changed, shared out, given roughly, listed under a heading, restated in a headline -------

def money(text: str) -> list[tuple[float | None, float | None, str | None]]:
    return [(i["amount_wan"], i["amount_max_wan"], i["kind"]) for i in incentives(TextPair(text))]


@pytest.mark.parametrize("text, amounts", [
    # the sum a change leaves behind is no offer: the new one is
    ("新政将每家企业的创新券年度额度由最高30万元提高到50万元。", [50]),
    ("研发后补助单个企业年度限额由原来的300万元上调至500万元。", [500]),
    # an amount measuring the applicant, written with 超
    ("对研发投入超1000万元的企业给予贴息支持，单户贴息最高50万元。", [50]),
    # an allowance is money offered
    ("对全职引进的两院院士，每人每月发放1万元特殊津贴。", [1]),
])
def test_changed_sums_measures_and_allowances(text: str, amounts: list[float]) -> None:
    assert offered(text) == amounts


@pytest.mark.parametrize("text", [
    # a figure given roughly
    "今年一季度，全市拟下达研发补助约2300万元。",
    "截至目前，我区各类人才奖补资金已逾1.2亿元。",
    # parts of a total the sentence breaks down
    "全年下达科技专项资金3.8亿元，其中，高新技术企业认定奖励资金8600万元，研发后补助资金1.1亿元。",
    "我县企业获得的研发补助总额达到3200万元（其中省级资金2100万元）。",
    # round figures, not sums
    "重磅！研发投入超亿元的企业可获千万补助",
    "对顶尖人才团队的资助可达数百万元。",
    "人才安家补贴动辄几十万元。",
    # recipients counted as 载体
    "本年度全市共有12家孵化载体通过绩效评价，获财政奖励资金360万元。",
])
def test_rough_figures_shares_of_a_total_and_round_figures_offer_nothing(text: str) -> None:
    assert incentives(TextPair(text)) == []


def test_a_sum_written_in_numerals_is_still_read() -> None:
    assert offered("对新认定的省级技术创新中心，给予十万元奖励。") == [10]


@pytest.mark.parametrize("text, expected", [
    ("对新认定的市级重点实验室，最高资助额度为200万元。", [(None, 200, "资助")]),
    ("同一家单位年度奖励上限为30万元。", [(None, 30, "奖励")]),
    ("科技型中小企业研发补助最高提至80万元。", [(None, 80, "补助")]),
])
def test_ceilings_with_the_money_or_a_verb_between(text: str, expected: list[tuple]) -> None:
    assert money(text) == expected


def test_a_headline_restating_the_bodys_offer_in_other_words_is_listed_once() -> None:
    text = ("高企认定补贴翻番 企业最高可获40万元\n"
            "根据新修订的办法，对首次通过认定的高新技术企业，给予最高40万元奖励；对重新认定的给予10万元奖励。")
    assert offered(text) == [40, 10]


def test_a_headline_offer_the_body_does_not_state_stays() -> None:
    text = "我市出台新政：首台套装备最高奖励300万元\n对首次通过认定的高新技术企业，给予20万元奖励。"
    assert offered(text) == [300, 20]


def test_equal_sums_for_different_units_are_two_offers() -> None:
    text = "购置新能源公交车的，每辆补贴2万元。建设公共充电桩的，每个补贴2万元。"
    assert offered(text) == [2, 2]
    assert offered("同一家企业年度奖励最高不超过20万元。同一家园区年度奖励最高不超过20万元。") == [20, 20]


def test_an_offer_restated_in_the_body_without_a_recipient_is_listed_once() -> None:
    text = ("企业研发后补助，单个企业年度补助最高可达500万元。\n"
            "政策明确，研发后补助按研发投入增量的10%核定，单个企业年度最高补助可达500万元。")
    assert offered(text) == [500]


def test_bare_sums_listed_under_a_heading_naming_the_money_are_its_offers() -> None:
    text = "奖励标准：\n国家级众创空间50万元；\n省级众创空间30万元；\n市级众创空间10万元。"
    found = incentives(TextPair(text))
    assert [(i["amount_wan"], i["kind"], i["beneficiary"]) for i in found] == \
        [(50, "奖励", "国家级众创空间"), (30, "奖励", "省级众创空间"), (10, "奖励", "市级众创空间")]


@pytest.mark.parametrize("text", [
    "申报条件：\n注册资本100万元以上；\n上年度营业收入500万元以上。",
    "项目概况：\n园区已完成一期建设。\n总投资3000万元。",
    "补贴标准：\n各区补贴办法另行制定。\n园区总投资20亿元。",
])
def test_sums_under_a_heading_naming_no_money_or_past_a_closed_sentence_are_not_listed(text: str) -> None:
    assert incentives(TextPair(text)) == []


def test_a_programmes_total_is_no_offer_but_one_recipients_total_is() -> None:
    text = "对认定的市级专精特新企业，每家补助最高不超过10万元，全年补助总量不超过300万元。"
    assert offered(text) == [10]
    assert offered("单个企业年度各类奖补资金总额不超过200万元。") == [200]
    assert offered("对认定的省级重点实验室，给予总额最高500万元的资助。") == [500]
