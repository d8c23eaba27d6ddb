"""A shared passage is weak evidence: two pages sharing a long passage are one document only with a tie (the same
own doc number, the same title, a 原文链接, the same page path on another host, the same issuer on the same date, one
page cut mid-sentence inside the passage while the other goes on) or when the passage is nearly all of both pages.
Copies cut, shuffled or translated otherwise: a wire's dateline, a bilingual copy's Chinese text. Pages written here,
not taken from any corpus."""
from __future__ import annotations

import pytest

from pipelines.dedup.config import DedupConfig
from pipelines.dedup.normalise import normalise_line, prepare_text
from pipelines.dedup.pages import Page, page_view, text_headings
from pipelines.dedup.urls import url_match_key, url_path
from pipelines.dedup.verdict import compare_pages, links, names_one_document

RULES = [
    "第一条 为引导企业加大研发投入，提升自主创新能力，根据省人民政府有关文件精神，制定本细则。",
    "第二条 本细则所称研发费用补助，是指对上年度研发费用达到一定规模并持续增长的企业给予的财政后补助。",
    "第三条 申请补助的企业应当在本省登记注册，上年度研发费用不低于300万元，且较前一年度增长百分之十以上。",
    "第四条 补助标准按企业上年度研发费用增量的百分之八核定，单个企业年度补助总额最高不超过200万元。",
    "第五条 企业应于每年5月底前通过省科技管理信息系统提交申请，并上传经审计的研发费用专项报告。",
    "第六条 省科技厅会同省财政厅组织专家对申请材料进行审核，审核结果在省科技厅门户网站公示五个工作日。",
    "第七条 获得补助的企业应当将资金用于研发活动，对虚报研发费用骗取补助的，追回资金并五年内不予支持。",
    "第八条 本细则由省科技厅、省财政厅负责解释，自2024年6月1日起施行，有效期五年。",
]
TITLE = "贵州省企业研发费用后补助实施细则"
HEADER = "科技政策一站通 专业申报服务 免费咨询热线"
RELATED = "相关阅读\n贵阳高新区召开科技企业座谈会\n省科技厅举办研发费用加计扣除政策培训班\n遵义市新增国家高新技术企业六十余家"


def rules(parts: slice = slice(None)) -> str:
    return "\n".join(RULES[parts])


def original(**fields) -> object:
    fields.setdefault("url", "https://kjt.guizhou.example.gov.cn/zcwj/202405/t20240518_8321.html")
    return page_view(Page(text=rules(), source_kind="government", **fields))


def cut_copy(text: str | None = None, **fields) -> object:
    """An aggregator's copy cut after the fifth article, between a header and related links of its own."""
    fields.setdefault("url", "https://www.kjzc-tong.example.com/news/5590.html")
    return page_view(Page(text=text or HEADER + "\n" + rules(slice(None, 5)) + "\n" + RELATED,
                          source_kind="aggregator", **fields))


def test_a_shared_passage_without_a_tie_stays_apart_and_says_why():
    verdict = compare_pages(cut_copy(), original())
    assert verdict.containment < DedupConfig().containment and not verdict.linked
    assert not verdict.same
    assert verdict.refusal.startswith("shared passage of ")
    assert verdict.refusal.endswith(" but no tie: no same doc number, title, 原文链接, page path, or issuer and date, "
                                    "and the passage is only 75% / 66% of the two pages' text")


def test_a_mirror_at_the_same_path_joins_and_its_reason_names_passage_and_tie():
    mirror = cut_copy(url="http://gz-kj.example.net/zcwj/202405/t20240518_8321.html")
    verdict = compare_pages(mirror, original())
    assert verdict.same
    assert verdict.reason == ("shared passage of 223 characters (75% of the smaller page) with gov original "
                              "(containment 0.74) + same page path /zcwj/202405/t20240518_8321.html on another host")


def test_the_same_issuer_on_the_same_date_ties_a_passage_another_date_does_not():
    issued = {"issuer": "贵州省科学技术厅、贵州省财政厅", "publish_date": "2024-05-18"}
    verdict = compare_pages(cut_copy(issuer="贵州省财政厅", publish_date="2024-05-18"), original(**issued))
    assert verdict.same and verdict.reason.endswith(" + same issuer 贵州省财政厅 and date 2024-05-18")
    later = compare_pages(cut_copy(issuer="贵州省财政厅", publish_date="2024-06-03"), original(**issued))
    assert not later.same and "but no tie" in later.refusal


def test_the_same_own_doc_number_or_title_ties_the_copy():
    numbered = compare_pages(cut_copy(doc_number="黔科通〔2024〕15号"), original(doc_number="黔科通〔2024〕15号"))
    assert numbered.same and "same doc_number 黔科通〔2024〕15号" in numbered.reason
    # the copy has no <title>: the original's title heads its text, after the site's header and date line
    headed = cut_copy(HEADER + "\n发布时间：2024-05-20 10:32\n" + TITLE + "\n" + rules(slice(None, 5)) + "\n" + RELATED)
    verdict = compare_pages(headed, original(title=TITLE))
    assert verdict.same and verdict.reason.endswith(f"same title {TITLE} heading the text")
    # a different title on each page ties nothing, whatever heads their texts
    other = compare_pages(headed, original(title="贵州省科技创新券管理办法实施细则"))
    assert not other.same and not other.linked


def test_a_passage_that_is_nearly_all_of_both_pages_needs_no_other_tie():
    # the same whole text, one copy stuffed with a keyword every dozen characters: damage, not text of its own
    stuffed = "\n".join("".join(line[i:i + 12] + ("高企网" if i + 12 < len(line) else "")
                                for i in range(0, len(line), 12)) for line in RULES)
    copy = cut_copy(stuffed)
    verdict = compare_pages(copy, original())
    assert verdict.containment < DedupConfig().containment
    assert verdict.same and verdict.reason.endswith(" + the passage is 100% / 100% of the two pages' text")


def test_a_district_compilation_quoting_the_rules_under_its_own_head_stays_apart():
    compilation = cut_copy("南明区企业可享受的研发投入扶持政策汇编\n一、省级政策\n" + rules(slice(1, 7))
                           + "\n二、区级政策\n对获得省级研发费用后补助的企业，区财政按省级补助额的百分之五十给予配套，"
                             "单个企业最高不超过100万元，由区科技局会同区财政局每年组织一次。",
                           url="https://www.nanming-qiye.example.com/zc/112.html", title="南明区研发投入扶持政策汇编")
    verdict = compare_pages(compilation, original(title=TITLE))
    assert not verdict.same and "but no tie" in verdict.refusal


def test_headings_are_title_lines_not_sentences_addressees_or_date_lines():
    text = prepare_text("\n".join([
        "首页 > 通知公告", "发布时间：2024-05-06 来源：市科技局", "关于开展2024年度科技型中小企业评价入库工作的通知",
        "各区县（市）科技局：", "为做好今年评价入库工作，现将有关事项通知如下。"]))
    assert text_headings(text) == ["关于开展2024年度科技型中小企业评价入库工作的通知"]
    # a news headline's kicker on its own line reads with the headline, which also stands alone
    assert text_headings(prepare_text("财政部：\n研发费用加计扣除新政今起实施\n记者从财政部获悉，新政今起实施。")) == [
        "财政部研发费用加计扣除新政今起实施", "研发费用加计扣除新政今起实施"]
    # two copies without a title tie through a line heading both texts
    a = page_view(Page(url="https://a.example.com/1.html", text="财政部：研发费用加计扣除新政今起实施\n" + rules()))
    b = page_view(Page(url="https://b.example.com/2.html", text="财政部：\n研发费用加计扣除新政今起实施\n" + rules()))
    assert links(a, b) == ["same title 财政部研发费用加计扣除新政今起实施 heading the text"]


def test_a_page_path_names_a_page_only_with_a_number():
    assert url_path(url_match_key("https://www.example.com/gaoqi/5259.html")) == "/gaoqi/5259.html"
    assert url_path(url_match_key("http://m.example.net/article.aspx?id=1141")) == "/article.aspx?id=1141"
    assert url_path(url_match_key("https://www.example.com/news/")) is None
    assert url_path(url_match_key("https://www.example.com/zcfg/index_2.html")) is None
    assert url_path(None) is None


@pytest.mark.parametrize("title, specific", [
    ("瞪羚企业认定评价办法", True),          # a subject of its own over a kind of rules
    ("孵化器绩效评价细则", True),
    ("科技成果转化尽职免责规定", True),
    ("专项资金管理办法", False),             # every body has one
    ("科技创新券实施细则", False),
    ("关于开展认定工作的通知", False),       # a 通知 names an action, not a text
    ("关于加快科技创新的意见", False),
    ("企业研发投入后补助", False),           # no kind of document
])
def test_a_short_title_names_one_document_only_when_specific(title, specific):
    assert names_one_document(normalise_line(title)) is specific


def test_a_short_specific_title_heading_a_copy_ties_it_a_generic_one_does_not():
    short = "研发投入后补助核定细则"
    copy = cut_copy(HEADER + "\n" + short + "\n" + rules(slice(None, 5)) + "\n" + RELATED)
    verdict = compare_pages(copy, original(title=short))
    assert verdict.containment < DedupConfig().containment
    assert verdict.same and verdict.reason.endswith(f"same title {short} heading the text")
    generic = "研发费用补助细则"
    untied = compare_pages(cut_copy(HEADER + "\n" + generic + "\n" + rules(slice(None, 5)) + "\n" + RELATED),
                           original(title=generic))
    assert not untied.same and not untied.linked


# A bilingual copy -------------------------------------------------------------------------------------------

ARTICLES = [
    "第一条 为规范科技企业孵化器建设和管理，提升孵化服务能力，促进科技型中小企业成长，根据国家和省有关规定，结合本市实际，制定本办法。",
    "第二条 本办法所称科技企业孵化器，是指以促进科技成果转化、培育科技企业和企业家精神为宗旨，提供物理空间、共享设施和专业化服务的科技创业服务机构。",
    "第三条 市科学技术局负责全市孵化器的认定、备案、绩效评价和指导服务工作，各区县科技主管部门负责本辖区孵化器的培育、推荐和日常管理。",
    "第四条 申请认定市级孵化器的机构应当在本市注册，具有独立法人资格，运营满一年，孵化场地面积不低于三千平方米，在孵企业不少于二十家。",
    "第五条 孵化器应当配备不少于五名专职孵化服务人员，其中接受过专业培训的不低于百分之五十，并与投融资、知识产权、法律等服务机构建立合作关系。",
    "第六条 市科学技术局每年组织一次认定工作，申报单位通过市科技项目管理系统提交申请材料，经区县推荐、专家评审和实地核查后确定拟认定名单。",
    "第七条 拟认定名单在市科学技术局门户网站公示五个工作日，公示无异议的，由市科学技术局发文认定并授予市级科技企业孵化器牌匾。",
    "第八条 对新认定的市级孵化器，给予一次性奖励三十万元；对晋升为国家级孵化器的，再给予一次性奖励一百万元，所需资金从市科技专项资金中列支。",
    "第九条 市科学技术局对市级孵化器实行年度绩效评价，评价结果分为优秀、良好、合格和不合格四个等次，评价优秀的给予最高二十万元运营补助。",
    "第十条 连续两年评价不合格或者弄虚作假骗取资金的孵化器，取消其市级孵化器资格，追回已拨付资金，三年内不得再次申报。",
]
INCUBATOR_TITLE = "东江市科技企业孵化器认定和管理办法"


def test_a_bilingual_copy_joins_the_chinese_original_on_its_chinese_text():
    english = [
        "Article 1 These Measures are formulated to regulate the recognition and management of incubators.",
        "Article 2 Incubators refer to science and technology entrepreneurship service institutions.",
        "Article 3 The municipal science and technology bureau is responsible for recognition and evaluation.",
        "Article 4 An applicant shall be registered in the city and have operated for at least one year.",
        "Article 5 An incubator shall have no fewer than five full-time incubation service staff members.",
        "Article 6 The bureau organizes recognition once a year through the project management system.",
    ]
    bilingual = "\n".join(f"{en} {zh}" for en, zh in zip(english, ARTICLES[:6]))
    copy = page_view(Page(url="https://law.example-db.com/en/display.aspx?id=88120", text=bilingual,
                          source_kind="aggregator"))
    original = page_view(Page(url="https://kjj.dongjiang.example.gov.cn/zcfg/t2024_88.html",
                              text="\n".join(ARTICLES), source_kind="government"))
    verdict = compare_pages(copy, original)
    assert verdict.same and verdict.containment >= DedupConfig().containment


@pytest.mark.parametrize("text, prepared", [
    ("(No. 12 [2024] of the Municipal Bureau) （东科发〔2024〕12号）", "( ) (东科发〔2024〕12号)"),
    ("关于推进5G和AI产业发展的通知", "关于推进5G和AI产业发展的通知"),              # single words stay
    ("高新jishu企业 R&D 投入", "高新jishu企业 R&D 投入"),                         # leftover pinyin stays
    ("Notice on the Recognition of Incubators", "Notice on the Recognition of Incubators"),  # no Chinese text
])
def test_western_prose_is_dropped_from_a_chinese_text_only(text, prepared):
    assert prepare_text(text) == prepared




def test_the_own_number_of_a_page_without_one_in_its_record_is_the_one_heading_its_text_not_one_it_cites():
    # a copy whose record lost the number: the number standing alone under its heading is its own
    numbered = cut_copy("关于印发《贵州省企业研发费用后补助实施细则》的通知\n黔科通〔2024〕15号\n各市(州)科技局:\n"
                        + rules(slice(None, 5)))
    assert numbered.doc_number == normalise_line("黔科通〔2024〕15号")
    # the first line cites the rules' parent document by its number: the page's own number is unknown, so the
    # cited one neither ties it to that document nor keeps it from a copy of itself
    citing = cut_copy("《贵州省科技创新条例》(黔府发[2021]8号,以下称《条例》)已经印发,现将有关事项通知如下:\n"
                      + rules(slice(None, 5)))
    assert citing.doc_number is None
    assert compare_pages(citing, original(doc_number="黔科通〔2024〕15号")).same
