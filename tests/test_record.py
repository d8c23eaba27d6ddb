"""The record schema (core.record): one definition every room reads, and the validation of the crawl path."""
from __future__ import annotations

from core.record import (
    CLASSIFICATION_FIELDS, DOC_TYPES, LEVELS, LIST_FIELDS, RECORD_FIELDS, empty_record, record_problems,
)
from pipelines.classify.record import classify_record
from pipelines.extract import PageInput
from pipelines.process import process_page


def valid_record(**changes):
    record = {**empty_record(), "url": "https://kjt.example.gov.cn/a.html", "text": "关于开展认定工作的通知"}
    record.update(changes)
    return record


def test_a_processed_page_is_valid_and_has_every_field():
    html = ("<html><head><title>关于做好2026年度高新技术企业认定工作的通知</title></head><body>"
            "<div class='content'><p>各有关单位：对首次认定的高新技术企业给予30万元奖励。</p>"
            "<p>湖南省科学技术厅</p><p>2026年3月1日</p></div></body></html>")
    record = process_page(PageInput(url="https://kjt.hunan.gov.cn/a.html", html=html, source_kind="government"))
    assert record_problems(record) == []
    assert set(RECORD_FIELDS) - {"fetched_at", "first_seen", "policy_id", "is_canonical", "canonical_url"} <= set(record)


def test_classification_returns_exactly_the_classification_fields():
    assert set(classify_record({"title": "", "text": ""})) == set(CLASSIFICATION_FIELDS)


def test_empty_record_lists_are_lists_and_the_rest_unknown():
    record = empty_record()
    assert all(record[name] == [] for name in LIST_FIELDS if name in record)
    assert all(value is None for name, value in record.items() if name not in LIST_FIELDS)


def test_problems_name_each_invalid_field():
    assert record_problems(valid_record()) == []
    assert record_problems(valid_record(url=None, text="  ")) == ["no url", "no text"]
    assert record_problems(valid_record(publish_date="2026/03/01")) == ["publish_date '2026/03/01' is not YYYY-MM-DD"]
    assert record_problems(valid_record(deadlines=["2026-3-1"])) == ["a deadline is not YYYY-MM-DD"]
    assert record_problems(valid_record(topics="ip")) == ["topics is not a list"]
    assert record_problems(valid_record(level="city"))[0].startswith("level 'city' is not one of")
    assert record_problems(valid_record(doc_type="公告"))[0].startswith("doc_type '公告' is not one of")
    assert record_problems(valid_record(division_code="43")) == ["division_code '43' is not 6 digits"]
    assert record_problems(valid_record(relevance=1.5)) == ["relevance 1.5 is not within 0..1"]


def test_enumerations_are_the_ones_classification_uses():
    assert "通知" in DOC_TYPES and "其他" in DOC_TYPES and LEVELS[0] == "national"
