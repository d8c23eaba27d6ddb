"""Property tests: cleaning and extraction never raise, whatever the page, and keep the record's shape."""
from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.clean import clean_page
from crawler.discovery import listed_attachments
from core.record import EXTRA_FIELDS, RECORD_FIELDS
from pipelines.extract import PageInput, extract_record
from pipelines.fields.doc_number import find_doc_numbers
from pipelines.numbers import parse_number

PIECES = ["发布时间：", "2025年12月16日", "二〇二三年十二月十一日", "湘科发〔2025〕86号", "给予最高50万元奖励", "五十万元",
          "1.5亿元", "100-600万", "有效期至", "自2026年1月1日起施行", "有效期5年", "（责任单位：省科技厅、", "【牵头单位:",
          "到2028年，高新技术企业数量突破1.2万家", "免费指导热线:19855109130(可加v)", "登录/注册后您将获得:",
          "关于印发《", "》的通知", "湖南省科学技术厅", "当前位置：首页 >", "THE END", "免责声明", "原文链接:",
          "\n", "。", "，", "(", ")", "（", "《", "〔", "<", ">", "&", "\x00", "\ufffd", "國家", "號"]
TAGS = ["<p>", "</p>", "<div class='TRS_Editor'>", "</div>", "<table><tr><td>", "</td></tr></table>", "<br>",
        "<script>var a='<p>';</script>", "<meta name='PubDate' content='2025-13-45'>", "<h1>", "</h1>",
        "<a href='javascript:x'>", "<a href='/a.pdf'>", "</a>", "<!--", "-->", "<ucapcontent>", "<title>", "</title>"]
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_record(record: dict) -> None:
    assert set(record) == set(RECORD_FIELDS) | set(EXTRA_FIELDS)
    assert all(value != "" for value in record.values())
    for name in ("publish_date", "page_date", "effective_date", "expiry_date"):
        assert record[name] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", record[name])
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in record["deadlines"])
    for offer in record["incentives"]:
        assert offer["amount_max_wan"] > 0 and (offer["amount_wan"] is None or offer["amount_wan"] > 0)
    assert isinstance(record["warnings"], list) and record["text"] is None or record["text"].strip()


@PROPERTY
@given(st.binary(max_size=4000))
def test_clean_never_raises_on_bytes(body):
    page = clean_page(body)
    assert isinstance(page.text, str) and isinstance(page.warnings, list)


@PROPERTY
@given(st.text(max_size=3000), st.booleans())
def test_clean_and_extract_never_raise_on_text(text, text_only):
    clean_page(text, text_only=text_only)
    check_record(extract_record(PageInput(url="http://x.gov.cn/a.html", html=text, text_only=text_only)))


@PROPERTY
@given(st.lists(st.sampled_from(PIECES + TAGS) | st.text(max_size=12), max_size=120), st.booleans(),
       st.sampled_from([None, "government", "aggregator"]), st.sampled_from([None, "div.TRS_Editor", "p:nth-child(", "#x"]))
def test_extract_never_raises_on_policy_like_html(parts, text_only, kind, selector):
    html = "".join(parts)
    url = "https://example.org/news/1.html"
    record = extract_record(PageInput(url=url, html=html, source_kind=kind, content_selector=selector,
                                      text_only=text_only, attachments=listed_attachments(html, url, selector)))
    check_record(record)


@PROPERTY
@given(st.text(max_size=200))
def test_field_readers_never_raise(text):
    parse_number(text)
    find_doc_numbers(text)


def test_a_malformed_page_yields_what_could_be_found_plus_warnings():
    html = ("<html><head><meta name='ArticleTitle' content='关于印发《某市高新技术企业培育办法》的通知'>"
            "<body><div class='TRS_Editor'><p>某科发〔2025〕3号</p><p>各有关单位：现将《某市高新技术企业培育办法》印发给你们。</p>"
            "<p>对首次认定的高新技术企业给予最高30万元奖励。</p><p>某市科学技术局</p><p>2025年3月1")
    record = extract_record(PageInput(url="http://x/a.html", html=html))
    assert record["title"] == "关于印发《某市高新技术企业培育办法》的通知" and record["doc_number"] == "某科发〔2025〕3号"
    assert record["incentives"][0]["amount_max_wan"] == 30 and record["publish_date"] is None
    assert any("truncated" in warning for warning in record["warnings"])
