"""A region read from world knowledge (an agency abbreviation in a document number, a zone's name) is kept and
marked as inferred in classification_reasons; a place the text names is not."""
from __future__ import annotations

from pipelines.extract import PageInput
from pipelines.process import process_page


def record(title: str, body: str) -> dict:
    html = f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>"
    return process_page(PageInput(url="http://policy.example.com/a.html", html=html, source_id="agg",
                                  source_kind="aggregator", fetched_at="2026-01-01T00:00:00+00:00", list_title=None,
                                  list_date=None, content_selector=None, source_hint={}, text_only=False))


def test_a_zone_and_an_agency_abbreviation_are_inferred_places():
    found = record("关于组织申报2025年度张江高新技术企业培育专项资金的通知",
                   "<p>沪科规〔2025〕3号</p><p>各有关企业：对首次通过高新技术企业认定的企业给予一次性资助。</p>")
    assert (found["province"], found["city"]) == ("上海市", "上海市")
    why = found["classification_reasons"]["province"]
    assert "张江 (inferred: 张江 lies in 上海市)" in why
    assert "(inferred: an agency abbreviation of 上海市)" in why


def test_a_place_the_text_names_is_not_inferred():
    found = record("长沙市科学技术局关于开展2025年高新技术企业认定工作的通知",
                   "<p>各区县（市）科技局：现就长沙市2025年高新技术企业认定工作通知如下。</p>")
    assert found["city"] == "长沙市"
    assert "inferred" not in found["classification_reasons"]["city"]
