"""Record fields from a cleaned page.

Fills the record of ARCHITECTURE.md as far as the page shows it; every field it
cannot establish stays None (never a guess).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from pipelines.clean import CleanPage, clean_page

RECORD_FIELDS = (
    "url", "canonical_url", "source_id", "source_kind", "fetched_at", "first_seen", "title", "issuer",
    "publish_date", "page_date", "doc_number", "effective_date", "expiry_date", "period", "deadlines",
    "province", "city", "county", "division_code", "level", "doc_type", "topics", "relevance",
    "relevance_reasons", "is_relevant", "incentives", "has_incentive", "max_amount_wan", "targets",
    "attachments", "original_url", "text", "content_hash", "policy_id", "is_canonical", "warnings",
)
LIST_FIELDS = ("deadlines", "topics", "relevance_reasons", "incentives", "targets", "attachments", "warnings")
# A <title> suffix naming the site: "标题_湖南省科学技术厅", "标题 - 政策通平台", "标题|某某网".
# Dashes inside titles ("(2023—2025年)") are not separators unless spaced.
TITLE_SUFFIX = re.compile(
    r"\s*(?:_|\||｜|--|\s[-–—]\s)\s*[^_|｜]{0,24}(?:网|局|厅|委|办|政府|平台|中心|门户|首页|官网|资讯)[^_|｜]{0,8}$")
ISO_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")


@dataclass
class PageInput:
    """A fetched page as the crawler hands it to processing."""

    url: str
    html: str
    source_id: str | None = None
    source_kind: str | None = None
    fetched_at: str | None = None
    list_title: str | None = None
    list_date: str | None = None
    content_selector: str | None = None
    source_hint: dict[str, Any] = field(default_factory=dict)


def iso_date(text: str | None) -> str | None:
    """The first Y-M-D date in `text` as ISO, if it is a real calendar date."""
    match = ISO_DATE.search(text or "")
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    if not (1949 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def content_hash(text: str) -> str:
    """A stable hash of the text with all white space removed."""
    return hashlib.sha1(re.sub(r"\s+", "", text).encode("utf-8")).hexdigest()


def choose_title(page: CleanPage, list_title: str | None) -> str | None:
    """The document's title: ArticleTitle meta, else h1, else <title> without its site suffix, else the list's."""
    if page.meta.get("ArticleTitle"):
        return page.meta["ArticleTitle"].strip()
    for candidate in page.title_candidates:
        stripped = TITLE_SUFFIX.sub("", candidate).strip()
        if len(stripped) >= 4:
            return stripped
    return list_title.strip() if list_title else None


def empty_record() -> dict[str, Any]:
    """A record with every field present and unknown."""
    return {name: ([] if name in LIST_FIELDS else None) for name in RECORD_FIELDS}


def extract_record(page: PageInput) -> dict[str, Any]:
    """The record for one page (fields this module cannot establish stay None)."""
    cleaned = clean_page(page.html, page.content_selector)
    record = empty_record()
    hint = page.source_hint or {}
    record.update({
        "url": page.url,
        "canonical_url": page.url,
        "source_id": page.source_id,
        "source_kind": page.source_kind,
        "fetched_at": page.fetched_at,
        "title": choose_title(cleaned, page.list_title),
        "page_date": iso_date(cleaned.meta.get("PubDate")) or iso_date(cleaned.meta.get("firstpublishedtime"))
        or page.list_date,
        "text": cleaned.text,
        "content_hash": content_hash(cleaned.text),
        "warnings": list(cleaned.warnings),
    })
    if page.source_kind == "government":
        record.update({"province": hint.get("province"), "city": hint.get("city"), "level": hint.get("level")})
    if not cleaned.text:
        record["warnings"].append("no main text found")
    return record
