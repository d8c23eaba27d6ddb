"""Extraction against the labelled pages in tests/fixtures/pages, the seed checks, field readers and the CLI.

Each saved page (raw bytes as served, GBK stays GBK) has a JSON beside it: its URL, how it
was obtained, the expected value of each labelled field, lines its clean text must contain
and lines (advertising, furniture) it must not contain. Pages are never edited to make a
test pass; labels were checked against the page text.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from pipelines.dates import add_years, find_dates, meta_date
from core.record import EXTRA_FIELDS, RECORD_FIELDS
from pipelines.process import process_page
from pipelines.extract import PageInput, content_hash, extract_record, iso_date
from pipelines.clean import clean_text
from pipelines.fields.doc_number import find_doc_numbers, own_doc_number
from pipelines.fields.titles import clean_title
from pipelines.fields.money import incentives
from pipelines.fields.targets import targets
from pipelines.fields.units import split_units
from pipelines.fields.validity import deadlines, effective_date, expiry_date, period
from pipelines.numbers import parse_number
from pipelines.text.normalise import TextPair
from tests.support.mirror import run_cli
from tests.support.pages import FIXTURES, Fixture, by_name, comparable, squeeze

ROOT = Path(__file__).resolve().parent.parent
SCALAR_FIELDS = ("title", "issuer", "publish_date", "page_date", "doc_number", "effective_date", "expiry_date",
                 "period", "deadlines", "policy_title", "cited_doc_numbers", "original_url", "contact_phone")


def field_checks(record: dict[str, Any], expected: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Field → (expected, got) for every labelled field that differs."""
    wrong = {}
    for field, want in expected.items():
        if field == "responsible_units_count":
            got = len(record["responsible_units"])
        else:
            got, want = comparable(field, record[field]), comparable(field, want)
        if got != want:
            wrong[field] = (want, got)
    return wrong


RECORDS: dict[str, dict[str, Any]] = {}


def record_of(fixture: Fixture) -> dict[str, Any]:
    """The extracted record of a fixture (computed once per test session)."""
    if fixture.name not in RECORDS:
        RECORDS[fixture.name] = extract_record(fixture.page_input())
    return RECORDS[fixture.name]


def test_the_labelled_set_is_large_and_covers_every_page_style():
    assert len(FIXTURES) >= 50
    folders = Counter(f.name.split("/")[0] for f in FIXTURES)
    assert folders["seeds"] == 2 and folders["built"] >= 14 and folders["mirror"] >= 30
    sites = {f.name.split("/")[1].split("__")[0] for f in FIXTURES if f.name.startswith("mirror/")}
    assert sites == {"hunan-kjt", "zhanjiang-kjj", "jiangsu-kjt", "gd-maoming-kjj", "huaxiataike", "hfwotao"}


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_labelled_fields(fixture):
    fixture.skip_unless_supported()
    record = record_of(fixture)
    assert field_checks(record, fixture.meta["expected"]) == {}
    for fragment in fixture.meta.get("warnings_contain", []):
        assert any(fragment in warning for warning in record["warnings"]), record["warnings"]


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_record_has_every_field_and_no_empty_strings(fixture):
    record = record_of(fixture)
    assert set(record) == set(RECORD_FIELDS) | set(EXTRA_FIELDS)
    assert all(value != "" for value in record.values())
    for name in ("publish_date", "page_date", "effective_date", "expiry_date"):
        assert record[name] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", record[name])
    assert record["text"] and record["content_hash"] == content_hash(record["text"])
    assert record["has_incentive"] is None and record["max_amount_wan"] is None  # classification's fields


# --- the seeds and their government originals -------------------------------------------------
ZHANJIANG_PAGES = ["seeds/zhanjiang_seed", "mirror/huaxiataike__37805", "mirror/zhanjiang-kjj__content_1786000"]
HUNAN_PAGES = ["seeds/hunan_seed", "mirror/hfwotao__shownews.asp_id_1234", "mirror/hunan-kjt__t20251212_33181266"]


@pytest.mark.parametrize("name", ZHANJIANG_PAGES)
def test_zhanjiang_plan(name):
    record = record_of(by_name(name))
    text = squeeze(record["text"])
    tasks = re.findall(r"(?m)^(\d{1,2})\.", record["text"])
    assert [int(t) for t in tasks][:15] == list(range(1, 16))
    assert "免责声明" not in text and "400-086-8855" not in text and "登录/注册" not in text
    assert record["issuer"] == "湛江市科学技术局" and record["publish_date"] == "2023-12-11"
    assert record["cited_doc_numbers"] == ["湛科〔2021〕129号", "湛府〔2022〕6号"]
    offers = {i["amount_wan"]: i for i in record["incentives"]}
    assert set(offers) == {30, 20}
    assert "整体迁入" in offers[30]["condition"] and offers[30]["kind"] == "补助"
    assert "获得高新技术企业认定" in offers[20]["condition"] and offers[20]["kind"] == "补助"
    assert {"metric": "高新技术企业", "value": 700, "unit": "家", "year": 2025} in [
        {k: t[k] for k in ("metric", "value", "unit", "year")} for t in record["targets"]]
    assert record["policy_title"].startswith("湛江市高新技术产业培育计划")
    assert record["period"] == "2023-2025" and len(record["responsible_units"]) == 15


@pytest.mark.parametrize("name", HUNAN_PAGES)
def test_hunan_plan(name):
    record = record_of(by_name(name))
    tasks = re.findall(r"(?m)^(\d{1,2})\.", record["text"])
    assert [int(t) for t in tasks][:17] == list(range(1, 18))  # then the original's attachment list 1., 2.
    assert not re.search(r"19855109130|勿抄|可加v|微信同号|我们能为您做什么|cnzz|打印此页", record["text"])
    assert record["effective_date"] == "2026-01-01" and record["expiry_date"] == "2028-12-31"
    assert record["period"] == "2026-2028"
    metrics = {(t["metric"], t["value"], t["unit"]) for t in record["targets"]}
    assert ("高新技术企业数量", 7800, "家") in metrics
    units = record["responsible_units"]
    assert len(units) == 17 and units[0]["task"] == "推动主特产业集群化发展"
    assert units[0]["units"][-1] == "各高新区管委会" and "省数据局" in units[0]["units"]


def test_hunan_original_names_its_three_issuers_and_its_number():
    record = record_of(by_name("mirror/hunan-kjt__t20251212_33181266"))
    assert record["issuer"] == "湖南省科学技术厅、湖南省发展和改革委员会、湖南省工业和信息化厅"
    assert record["doc_number"] == "湘科发〔2025〕86号" and record["publish_date"] == "2025-12-10"
    assert record["policy_title"] == "湖南省高新技术产业开发区提质增效三年行动计划（2026—2028年）"


def test_zhanjiang_notice_has_its_own_number_apart_from_the_cited_ones():
    record = record_of(by_name("mirror/zhanjiang-kjj__content_1786000"))
    assert record["doc_number"] == "湛科〔2023〕187号"
    assert "湛科〔2023〕187号" not in record["cited_doc_numbers"]


def test_an_aggregator_hotline_never_becomes_the_contact_phone():
    for name in ("seeds/hunan_seed", "mirror/hfwotao__shownews.asp_id_1145", "built/trad_mirror"):
        assert record_of(by_name(name))["contact_phone"] not in ("19855109130", "13912345678", "400-086-8855")
    assert record_of(by_name("mirror/hfwotao__shownews.asp_id_1145"))["contact_phone"] == "0759-3331286"


def test_repost_points_to_its_original():
    record = record_of(by_name("mirror/huaxiataike__37805"))
    assert record["original_url"] == "http://127.0.0.1:8765/zhanjiang-kjj/tzgg/content/2023-12/13/content_1786000.htm"
    assert record_of(by_name("seeds/zhanjiang_seed"))["original_url"] is None  # the copied text shows no address


def test_traditional_page_fields_come_out_simplified():
    pytest.importorskip("opencc")
    record = record_of(by_name("built/trad_mirror"))
    assert record["title"].startswith("关于印发") and "广州市" in record["text"] and "廣州市" not in record["text"]
    assert "廣州市" in record["original_text"] and "repaired: traditional" in record["warnings"]
    assert record["issuer"] == "广州市科学技术局" and record["doc_number"] == "穗科规字〔2025〕3号"


def test_a_garbled_copy_is_repaired_into_a_simplified_relevant_record():
    text = ("浙科發(fā)高〔2022〕15號(hào)\n關(guān)于做好2022年度高新技術(shù)企業(yè)認(rèn)定工作的通知\n"
            "各市科技局：\n為(wèi)加快培育高新技術(shù)企業(yè)，對首次認(rèn)定的高新技術(shù)企業(yè)給予30萬元獎勵。\n"
            "浙江省科學(xué)技術(shù)廳\n2022年4月1日")
    record = process_page(PageInput(url="https://example.com/a.html", html=text, text_only=True))
    assert record["title"] == "关于做好2022年度高新技术企业认定工作的通知"
    assert record["doc_number"] == "浙科发高〔2022〕15号"
    assert record["is_relevant"] and record["province"] == "浙江省"
    assert [i["amount_wan"] for i in record["incentives"]] == [30]
    assert {"repaired: pinyin", "repaired: traditional"} <= set(record["warnings"])
    assert record["original_text"].startswith("浙科發(fā)")


# --- field readers on forms the fixtures do not all show ---------------------------------------
@pytest.mark.parametrize("written, value", [
    ("30", 30), ("五十", 50), ("一千二百", 1200), ("二〇二三", 2023), ("1.2万", 12000), ("三亿五千万", 350000000),
    ("十五", 15), ("一千零五", 1005), ("1,200", 1200), ("两百", 200), ("0.5", 0.5), ("abc", None), ("", None)])
def test_parse_number(written, value):
    assert parse_number(written) == value


def test_parse_number_agrees_with_cn2an():
    cn2an = pytest.importorskip("cn2an")
    for written in ("五十", "一百零八", "三千二百一十五", "九十九", "一万零一", "十二万三千", "两千"):
        assert parse_number(written) == cn2an.cn2an(written, "smart")


@pytest.mark.parametrize("text, numbers", [
    ("根据(湛科〔2021〕129号)和(湛府〔2022〕6号)", ["湛科〔2021〕129号", "湛府〔2022〕6号"]),
    ("苏科高发[2025]19号", ["苏科高发〔2025〕19号"]), ("湘政办发（2023）第4号", ["湘政办发〔2023〕4号"]),
    ("粤府办【2020】1號", ["粤府办〔2020〕1号"]), ("国家税务总局公告2017年第5号", ["国家税务总局公告2017年第5号"]),
    ("根据《财政部 税务总局 科技部公告2022年第28号》", ["财政部 税务总局 科技部公告2022年第28号"]),
    ("执行财政部、税务总局公告2023年第7号", ["财政部 税务总局公告2023年第7号"]),
    ("详见 国家税务总局公告2017年第5号", ["国家税务总局公告2017年第5号"]),
    ("中华人民共和国国务院令第725号", ["中华人民共和国国务院令第725号"]), ("索引号：000014349/2017-00110", []),
    ("登记号：HHCR-2023-01005", []), ("（2023—2025年）", [])])
def test_doc_number_forms(text, numbers):
    assert [n for _s, _e, n in find_doc_numbers(text)] == numbers


def test_own_doc_number_prefers_label_then_top_line_then_title():
    assert own_doc_number("发改办高技[2025]918号", [], None) == "发改办高技〔2025〕918号"
    assert own_doc_number(None, ["湘科发〔2025〕86号", "各市州："], None) == "湘科发〔2025〕86号"
    assert own_doc_number(None, ["各市州：", "根据湛科〔2021〕129号文件"], "关于x的通知（国发〔2024〕5号）") == "国发〔2024〕5号"
    assert own_doc_number(None, ["各市州：", "根据湛科〔2021〕129号文件"], "关于x的通知") is None


def test_dates():
    assert [d.iso for d in find_dates("二〇二五年六月十日 2025/12/16 2024.05.17 2023年12月11日")] == [
        "2025-06-10", "2025-12-16", "2024-05-17", "2023-12-11"]
    assert find_dates("2023年2月30日 1900年1月1日") == []
    assert meta_date("2024-05-17-10:30:00") == "2024-05-17"
    assert meta_date("2024-05-16T18:30:00Z") == "2024-05-17"  # Beijing time
    assert iso_date("发布时间：2025-12-12 10:05") == "2025-12-12" and iso_date("无日期") is None
    assert add_years("2026-01-01", 5) == "2030-12-31" and add_years("2024-02-29", 1) == "2025-02-28"


def test_validity_and_period():
    text = "本办法自2024年10月1日起施行，有效期5年。"
    assert effective_date(text, None) == "2024-10-01" and expiry_date(text, "2024-10-01") == "2029-09-30"
    text = "有效期为2024年1月1日至2026年12月31日。"
    assert effective_date(text, None) == "2024-01-01" and expiry_date(text, None) == "2026-12-31"
    assert effective_date("本通知自印发之日起施行。", "2025-03-18") == "2025-03-18"
    assert expiry_date("有效期5年。", None) is None  # no start, no guess
    assert period(["湛江市科技创新“十四五”规划"], "") == "2021-2025"
    assert period(["关于印发通知"], "本计划实施期限为2024—2026年。") == "2024-2026"
    assert deadlines("请于2024年5月15日前提交申请，县级部门于5月24日前完成审核推荐。") == ["2024-05-15", "2024-05-24"]
    assert deadlines("公示期为2024年12月6日至12月12日。") == []


@pytest.mark.parametrize("text, expected", [
    # filing deadlines, with the filing in the date's clause or the next one
    ("各单位请于2025年5月10日前，将申报材料报送至市科技局。", ["2025-05-10"]),
    ("2025年5月8日前，各区将汇总材料报送市工信局。", ["2025-05-08"]),
    ("申报单位应于2025年6月30日前完成网上注册并提交材料。", ["2025-06-30"]),
    ("请于2025年5月10日前在系统中注册账号并填报申报书。", ["2025-05-10"]),
    # dates the applicant must already meet are conditions
    ("申报单位应具有独立法人资格，成立时间在2022年6月30日之前，运营规范。", []),
    ("申报企业须为2023年12月31日前在本市注册登记的企业。", []),
    ("申报人须为1985年1月1日以后出生，2024年12月31日前取得博士学位。", []),
    ("申请人应于2020年1月1日前入驻园区，现申请租金补贴。", []),
])
def test_deadlines_are_filings_not_applicant_conditions(text, expected):
    assert deadlines(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("对首次认定的企业给予五十万元奖励。", [(50, 50, "奖励")]),
    ("单个项目支持金额100-600万。", [(100, 600, "支持")]),
    ("对重大项目给予最高1.5亿元资助。", [(None, 15000, "资助")]),
    ("对入库企业给予3000元补贴。", [(0.3, 0.3, "补贴")]),
    ("上年度研发费用不低于50万元的企业可以申报。", []),
    ("累计兑现奖励资金860万元。", []),
    ("按实际支付利息的50%给予贴息，单个企业年度贴息最高30万元。", [(None, 30, "贴息")]),
    # amounts measuring the applicant are conditions, even in a clause about 支持 or next to an offer
    ("支持对象为上年度销售收入不超过2亿元的科技型中小企业。", []),
    ("注册资本500万元以上的企业给予一次性奖励20万元。", [(20, 20, "奖励")]),
    ("对年度融资额达1000万元以上的企业给予贴息支持，单户贴息不超过50万元。", [(None, 50, "贴息")]),
    ("按照其实际融资额给予最高30万元补贴。", [(None, 30, "补贴")]),
    # the more specific money word of a compound names it
    ("对立项项目给予3-10万元经费资助，分两期拨付。", [(3, 10, "资助")]),
    ("对新认定的研究中心给予50万元建设经费支持。", [(50, 50, "经费")]),
    # a rate instead of a sum: an offer whose amount is unknown; a rate in a condition is none
    ("对研发费用增长的企业，按增量部分的10%给予奖励。", [(None, None, "奖励")]),
    ("对已认定的高新技术企业，减按15%的税率征收企业所得税。", [(None, None, "减免")]),
    ("研发费用较上年增长20%以上的企业可以申报。", []),
    ("全市高新技术企业数量增长15%。", []),
])
def test_money_forms(text, expected):
    assert [(i["amount_wan"], i["amount_max_wan"], i["kind"]) for i in incentives(TextPair(text))] == expected


def test_units_split_outside_brackets_and_drop_explanations():
    assert split_units("各县（市、区）政府（管委会）、市工信局，各高新区管委会；以下不再列出") == [
        "各县（市、区）政府（管委会）", "市工信局", "各高新区管委会"]
    assert split_units("省科技厅、人民银行湖南省分行等") == ["省科技厅", "人民银行湖南省分行"]


def test_page_input_keeps_its_contract():
    page = PageInput(url="http://x/a.html", html="<p>x</p>", source_id="s", source_kind="government",
                     fetched_at="2025-01-01T00:00:00+08:00", list_title="t", list_date="2025-01-01",
                     content_selector=None, source_hint={"province": "湖南省", "level": "provincial"})
    record = extract_record(page)
    assert record["province"] == "湖南省" and record["level"] == "provincial" and record["city"] is None
    assert record["title"] == "t" and record["page_date"] == "2025-01-01"


# --- the command -------------------------------------------------------------------------------
def run_extract(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler", "extract", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def test_cli_extract_seed_text_as_json():
    done = run_extract(str(by_name("seeds/zhanjiang_seed").path), "--text")
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert set(RECORD_FIELDS) | set(EXTRA_FIELDS) <= set(record)  # processing may add classification
    assert record["issuer"] == "湛江市科学技术局" and record["publish_date"] == "2023-12-11"


def test_cli_extract_html_table_with_url_and_attachments():
    fixture = by_name("built/ndrc_trs")
    done = run_extract(str(fixture.path), "--url", fixture.meta["url"], "--format", "table")
    assert done.returncode == 0, done.stderr
    assert re.search(r"^doc_number\s+发改办高技〔2025〕918号$", done.stdout, re.M)
    assert "P020251216376412345601.pdf" in done.stdout  # attachments listed outside a crawl


def test_cli_extract_gbk_page():
    done = run_extract(str(by_name("built/mz_ilist_gbk").path))
    assert done.returncode == 0 and json.loads(done.stdout)["doc_number"] == "绵府办发〔2025〕12号"


@pytest.mark.parametrize("args, message", [
    (["/no/such/page.html"], "no such file"), (["ftp://example.org/a.html"], "only http and https")])
def test_cli_extract_bad_input_exits_2_with_one_line(args, message):
    done = run_extract(*args)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("policywatch: ") and message in done.stderr


def test_cli_extract_binary_input_exits_2(tmp_path):
    path = tmp_path / "file.pdf"
    path.write_bytes(b"%PDF-1.4\x00\x01\x02" * 100)
    done = run_extract(str(path))
    assert done.returncode == 2 and "not a text or HTML page" in done.stderr
    undecodable = tmp_path / "bad.txt"
    undecodable.write_bytes(bytes([0x81, 0x30, 0xFF, 0xFE]) * 50 + b"\xff")
    done = run_extract(str(undecodable), "--text")
    assert done.returncode in (0, 2)  # decodes as Big5/GB18030 or fails with one line
    if done.returncode == 2:
        assert done.stderr.startswith("policywatch: ")


ARTICLE = "<p>为加快培育高新技术企业，现就有关事项通知如下。</p>" * 6


def shown_date(head: str, body: str = "", url: str = "https://news.example.com/a.html") -> str | None:
    html = f"<html><head><title>通知</title>{head}</head><body>{body}<div class='content'>{ARTICLE}</div></body></html>"
    return extract_record(PageInput(url=url, html=html, source_kind="aggregator"))["page_date"]


@pytest.mark.parametrize("head, body, expected", [
    # WeChat as fetched: the time element is empty (filled by script), the instant is in `var ct`
    ("", '<em id="publish_time"></em><script>var ct = "1716049800";</script>', "2024-05-19"),
    ("", '<em id="publish_time" class="rich_media_meta">2024-05-18 18:30</em>', "2024-05-18"),
    ('<meta property="article:published_time" content="2025-03-01T20:00:00Z">', "", "2025-03-02"),
    ('<meta itemprop="datePublished" content="2025-03-01">', "", "2025-03-01"),
    ("", '<span class="info pubtime">发布时间：2025-06-09</span>', "2025-06-09"),
    # a class on every item of a sidebar list dates nothing in particular
    ("", "<ul>" + "".join(f'<li><span class="pubtime">2025-0{m}-01</span></li>' for m in (1, 2, 3)) + "</ul>", None),
])
def test_page_date_from_standard_meta_time_elements_and_wechat(head, body, expected):
    assert shown_date(head, body) == expected


NOTICE_TITLE = "关于开展2026年度专精特新企业培育工作的通知"
NOTICE_BODY = ("<p>各区工业和信息化主管部门：</p><p>为培育一批专精特新中小企业，现将有关事项通知如下。</p>"
               "<p>对新认定的企业给予一次性奖励20万元。</p>")


def article_page(title: str, info: str, body: str) -> str:
    """A hand-built government article page: navigation, heading, info line, body and footer."""
    return f"""<html><head><meta charset="utf-8"><title>{title}</title></head><body>
    <div class="header"><a href="/">首页</a> <a href="/tzgg/">通知公告</a></div>
    <div class="article"><h1>{title}</h1>
    <div class="info">{info}</div>
    <div class="content">{body}</div></div><div class="footer">版权所有 网站标识码</div></body></html>"""


@pytest.mark.parametrize("closing, info, expected", [
    # an undated 落款 after the 附件 list names the body in full; the 来源 only abbreviates it
    ("<p>附件：1.申报书模板</p><p>附件2：推荐汇总表</p><p style='text-align:right'>遵义市工业和信息化局</p>",
     "来源：市工信局", "遵义市工业和信息化局"),
    ("<p style='text-align:right'>遵义市工业和信息化局 遵义市财政局</p>", "来源：市工信局",
     "遵义市工业和信息化局、遵义市财政局"),
    # a labelled 发布机构 outranks it; a closing sentence names no body
    ("<p>遵义市工业和信息化局</p>", "发布机构：遵义市人民政府办公室", "遵义市人民政府办公室"),
    ("<p>特此通知。</p>", "来源：遵义市工业和信息化局", "遵义市工业和信息化局"),
])
def test_an_undated_closing_signature_names_the_issuer(closing, info, expected):
    record = extract_record(PageInput(url="http://gxj.zunyi.gov.cn/tzgg/202603/t20260310_1.html",
                                      html=article_page(NOTICE_TITLE, info, NOTICE_BODY + closing)))
    assert record["issuer"] == expected


@pytest.mark.parametrize("text, expected", [
    # items listed with 、 share the verb before them
    ("力争到2027年，全市高新技术企业达到1500家、科技型中小企业5000家，技术合同成交额突破300亿元。",
     [("高新技术企业", 1500, "家"), ("科技型中小企业", 5000, "家"), ("技术合同成交额", 300, "亿元")]),
    ("到2025年，新增国家级创新平台10个、省级创新平台50个。",
     [("国家级创新平台", 10, "个"), ("省级创新平台", 50, "个")]),
    ("到2030年，累计培育专精特新企业3000家以上、单项冠军企业40家。",
     [("专精特新企业", 3000, "家"), ("单项冠军企业", 40, "家")]),
    # an item with its own verb is one target, not two
    ("力争到2027年高新技术企业总数突破2万家、科技型中小企业入库数量达到3万家。",
     [("高新技术企业总数", 20000, "家"), ("科技型中小企业入库数量", 30000, "家")]),
    # a listed sum of money offered is not a goal
    ("到2026年，对认定企业给予奖励20万元、贷款贴息50万元。", []),
])
def test_targets_listed_under_one_verb(text, expected):
    assert [(t["metric"], t["value"], t["unit"]) for t in targets(TextPair(text))] == expected


@pytest.mark.parametrize("title, opening, info, expected", [
    ("省财政厅有关负责人就《关于支持科技型中小企业发展的若干措施》答记者问", "问：出台背景是什么？", "", "省财政厅"),
    ("《若干措施》政策解读", "日前，浙江省经济和信息化厅相关负责同志就《若干措施》回答了记者的提问。", "", "浙江省经济和信息化厅"),
    # a labelled 发布机构 outranks the speaker; a reporter who interviews a body is not that body
    ("《若干措施》政策解读", "日前，省财政厅有关负责人就《若干措施》答记者问。", "发布机构：浙江省人民政府办公厅", "浙江省人民政府办公厅"),
    ("《若干措施》政策解读", "记者就此采访了浙江省科学技术厅。", "", None),
])
def test_the_body_answering_an_interpretation_names_its_issuer(title, opening, info, expected):
    html = article_page(title, info, f"<p>{opening}</p><p>问：有哪些支持举措？</p><p>答：对首次认定的高新技术企业给予奖励。</p>")
    record = extract_record(PageInput(url="http://www.zj.gov.cn/art/2026/3/10/art_1229_1.html", html=html))
    assert record["issuer"] == expected


def test_extract_text_command_repairs_a_garbled_copy(tmp_path):
    page = tmp_path / "garbled.txt"
    page.write_text("浙科發(fā)高〔2022〕15號(hào)\n關(guān)于做好2022年度高新技術(shù)企業(yè)認(rèn)定工作的通知\n各市科技局：\n"
                    "對首次認(rèn)定的高新技術(shù)企業(yè)給予30萬元獎勵。\n浙江省科學(xué)技術(shù)廳\n2022年4月1日\n", encoding="utf-8")
    done = run_cli("extract", str(page), "--text", "--format", "json")
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert (record["title"], record["doc_number"], record["issuer"], record["publish_date"]) == (
        "关于做好2022年度高新技术企业认定工作的通知", "浙科发高〔2022〕15号", "浙江省科学技术厅", "2022-04-01")
    assert record["is_relevant"] and [i["amount_wan"] for i in record["incentives"]] == [30]


@pytest.mark.parametrize("text, amounts", [
    ("全市共兑现高新技术企业奖励资金12亿元，惠及企业3000家。", []),
    ("设立规模100亿元的科技创新基金，对符合条件的项目给予最高500万元支持。", [500]),
    ("对引进的重大产业项目给予最高1亿元支持。", [10000]),
])
def test_a_billion_or_more_is_a_fund_or_a_total_not_an_offer(text, amounts):
    assert [i["amount_max_wan"] for i in incentives(TextPair(text))] == amounts


@pytest.mark.parametrize("title, cleaned", [
    ("湘政办发〔2024〕7号《湖南省人民政府办公厅关于印发湖南省促进科技成果转化若干措施的通知》",
     "湖南省人民政府办公厅关于印发湖南省促进科技成果转化若干措施的通知"),
    ("粤科高字[2023]12号 关于做好高新技术企业认定工作的通知", "关于做好高新技术企业认定工作的通知"),
    ("关于印发《某某市科技创新券管理办法》的通知", "关于印发《某某市科技创新券管理办法》的通知"),
    ("《某某市科技创新券管理办法》", "某某市科技创新券管理办法"),
])
def test_a_title_loses_the_document_number_heading_it(title, cleaned):
    assert clean_title(title) == cleaned


@pytest.mark.parametrize("head", [
    "附件:1.关于开展2025年度科技型中小企业评价工作的通知",
    "根据《高新技术企业认定管理办法》的通知",
    "3、企业应当建立研发费用辅助账的通知",
    "【发布机构】某某市科学技术局的通知",
])
def test_lines_that_cannot_be_titles_are_passed_over(head):
    page = clean_text(head + "\n关于组织申报2025年度科技企业孵化器认定的通知\n各区科技局：\n现将有关事项通知如下。")
    assert page.title_candidates == ["关于组织申报2025年度科技企业孵化器认定的通知"]


def test_a_title_broken_in_two_lines_is_joined():
    page = clean_text("关于2025年度某某市区国家高新技术企业\n拟兑付奖励资金的公示\n根据有关规定，现予以公示。")
    assert page.title_candidates == ["关于2025年度某某市区国家高新技术企业拟兑付奖励资金的公示"]


def test_a_signature_glued_to_the_end_of_a_joined_copy_dates_the_document():
    text = ("关于公布2025年第二批入库科技型中小企业名单的通知\n"
            "各有关单位:根据评价办法,现将名单予以公布,附件:入库企业名单.xlsx某某省科技型中小企业评价工作办公室2025年7月9日。")
    record = extract_record(PageInput(url="https://agg.example.com/n/1.html", html=text, text_only=True,
                                      source_kind="aggregator"))
    assert record["publish_date"] == "2025-07-09"


def test_a_repost_without_a_signature_is_dated_by_the_date_it_states():
    text = ("关于开展2025年度高新技术企业认定工作的通知\n发布时间:2025-04-02 09:30 来源:某某科技局\n"
            "各有关单位:现将2025年度高新技术企业认定工作有关事项通知如下。")
    record = extract_record(PageInput(url="https://agg.example.com/n/20250301.html", html=text, text_only=True,
                                      source_kind="aggregator"))
    assert record["publish_date"] == "2025-04-02" and record["page_date"] == "2025-04-02"
    bare = extract_record(PageInput(url="https://agg.example.com/n/2025/03/01/9.html", html=text.split("\n", 2)[0]
                                    + "\n" + text.split("\n", 2)[2], text_only=True, source_kind="aggregator"))
    assert bare["publish_date"] is None  # a date read from the URL is the page's, never the document's


@pytest.mark.parametrize("last_line, issuer", [
    ("附件:入库企业名单.xlsx某某省科技型中小企业评价工作办公室2025年7月9日。", "某某省科技型中小企业评价工作办公室"),
    ("现予以公布。附件:拟认定企业名单某某市科学技术局2025年7月9日", "某某市科学技术局"),
])
def test_a_glued_signature_names_its_body_when_the_words_before_it_tell(last_line, issuer):
    text = "关于公布2025年第二批入库科技型中小企业名单的通知\n各有关单位:根据评价办法,现将名单予以公布。\n" + last_line
    record = extract_record(PageInput(url="https://agg.example.com/n/1.html", html=text, text_only=True,
                                      source_kind="aggregator"))
    assert record["publish_date"] == "2025-07-09" and record["issuer"] == issuer


def test_a_date_glued_to_prose_is_no_signature():
    text = "关于公布2025年第二批入库科技型中小企业名单的通知\n各有关单位:根据评价办法,现将名单予以公布。特此通知。2025年7月9日"
    record = extract_record(PageInput(url="https://agg.example.com/n/1.html", html=text, text_only=True,
                                      source_kind="aggregator"))
    assert record["publish_date"] is None and record["issuer"] is None


def test_a_signature_date_with_masked_characters_before_it_is_read():
    text = "关于开展2025年度科技企业孵化器认定工作的通知\n各有关单位:现将有关事项通知如下。\n特此通知。\n某某省科学技术厅\n??? 2025年6月2日"
    record = extract_record(PageInput(url="https://agg.example.com/n/2.html", html=text, text_only=True,
                                      source_kind="aggregator"))
    assert (record["issuer"], record["publish_date"]) == ("某某省科学技术厅", "2025-06-02")


def test_titles_and_issuers_carry_no_line_breaks_control_or_direction_characters():
    html = ("<html><head><title>关于\r\n开展\x1b[31m高新技术企业\x07认定\u202e工作的通知</title></head><body>"
            "<div class='content'><p>各有关单位：现将有关事项通知如下。</p><p>某某市科学\u200b技术局</p>"
            "<p>2025年3月1日</p></div></body></html>")
    record = extract_record(PageInput(url="https://kjj.example.gov.cn/a.html", html=html, source_kind="government"))
    assert record["title"] == "关于 开展[31m高新技术企业认定工作的通知"
    assert record["issuer"] == "某某市科学技术局"
    for value in (record["title"], record["issuer"]):
        assert not any(ch in value for ch in "\r\n\x1b\x07\u202e\u200b")
