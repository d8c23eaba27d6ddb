"""The record: one per fetched page, the public contract of `extract`, `export`, feeds and digests.

Field names, their types and the enumerations live here once. Extraction builds records from
`empty_record()`, classification fills `CLASSIFICATION_FIELDS`, storage keeps `JSON_FIELDS` as JSON
text, export writes `RECORD_FIELDS` in this order, and the crawl's store step checks each record with
`record_problems` (a run whose records are mostly invalid is reported, never silently stored).
"""
from __future__ import annotations

import re
from typing import Any, Mapping

SOURCE_KINDS = ("government", "aggregator")
LEVELS = ("national", "provincial", "municipal", "county", "zone")
NATIONAL = "全国"  # where a region is asked for (filters, search), the name of national-level documents
DOC_TYPES = ("通知", "行动计划", "申报指南", "管理办法", "实施细则", "若干措施", "规划", "解读", "新闻", "公示", "其他")

# The exported record, in export order (README "The record").
RECORD_FIELDS = (
    "url", "canonical_url", "source_id", "source_kind", "fetched_at", "first_seen", "title", "issuer",
    "publish_date", "page_date", "doc_number", "effective_date", "expiry_date", "period", "deadlines",
    "province", "city", "county", "division_code", "level", "doc_type", "topics", "relevance",
    "relevance_reasons", "is_relevant", "incentives", "has_incentive", "max_amount_wan", "targets",
    "attachments", "original_url", "text", "content_hash", "policy_id", "is_canonical", "warnings",
)
# Extracted and stored too, shown by `extract`, not (yet) part of the export. original_text: the article's
# text as the page gave it, when repairs (injected pinyin, Traditional characters, spam…) changed it.
EXTRA_FIELDS = ("policy_title", "cited_doc_numbers", "responsible_units", "contact_phone", "original_text")
# What classification computes (pipelines.classify.classify_record returns exactly these).
CLASSIFICATION_FIELDS = ("province", "city", "county", "division_code", "level", "doc_type", "topics",
                         "relevance", "relevance_reasons", "is_relevant", "has_incentive", "max_amount_wan",
                         "classification_reasons")
# Fields whose value is a list (an empty list when unknown, never null).
LIST_FIELDS = ("deadlines", "topics", "relevance_reasons", "incentives", "targets", "attachments", "warnings",
               "cited_doc_numbers", "responsible_units")
# Fields stored as JSON text in the documents table.
JSON_FIELDS = ("deadlines", "topics", "relevance_reasons", "incentives", "targets", "attachments", "warnings",
               "cited_doc_numbers", "responsible_units", "classification_reasons")
# The record fields dedup compares (storage selects them, with the document id, for the index).
COMPARED_FIELDS = ("url", "source_id", "source_kind", "title", "policy_title", "issuer", "doc_number",
                "publish_date", "page_date", "first_seen", "original_url", "text", "content_hash")
# The fields policy clustering sets (re-processing a page never overwrites them).
CLUSTER_FIELDS = ("policy_id", "is_canonical", "canonical_url")
DATE_FIELDS = ("publish_date", "page_date", "effective_date", "expiry_date")

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DIVISION_CODE = re.compile(r"^\d{6}$")


def empty_record() -> dict[str, Any]:
    """A record with every extracted field present and unknown."""
    return {name: ([] if name in LIST_FIELDS else None) for name in RECORD_FIELDS + EXTRA_FIELDS}


def _is_date(value: Any) -> bool:
    return isinstance(value, str) and bool(ISO_DATE.match(value))


def _choice_problem(record: Mapping[str, Any], name: str, allowed: tuple[str, ...]) -> str | None:
    value = record.get(name)
    if value is not None and value not in allowed:
        return f"{name} {value!r} is not one of {', '.join(allowed)}"
    return None


def record_problems(record: Mapping[str, Any]) -> list[str]:
    """What makes a processed record invalid (empty when it is valid): missing URL or text, wrong types."""
    problems = []
    if not record.get("url"):
        problems.append("no url")
    if not (record.get("text") or "").strip():
        problems.append("no text")
    for name in DATE_FIELDS:
        value = record.get(name)
        if value is not None and not _is_date(value):
            problems.append(f"{name} {value!r} is not YYYY-MM-DD")
    for name in LIST_FIELDS:
        if name in record and not isinstance(record[name], list):
            problems.append(f"{name} is not a list")
    if any(not _is_date(value) for value in record.get("deadlines") or []):
        problems.append("a deadline is not YYYY-MM-DD")
    for name, allowed in (("source_kind", SOURCE_KINDS), ("level", LEVELS), ("doc_type", DOC_TYPES)):
        problem = _choice_problem(record, name, allowed)
        if problem:
            problems.append(problem)
    code = record.get("division_code")
    if code is not None and not DIVISION_CODE.match(str(code)):
        problems.append(f"division_code {code!r} is not 6 digits")
    relevance = record.get("relevance")
    if relevance is not None and not (isinstance(relevance, (int, float)) and 0 <= relevance <= 1):
        problems.append(f"relevance {relevance!r} is not within 0..1")
    return problems
