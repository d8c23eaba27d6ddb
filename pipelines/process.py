"""One page through every processing stage (clean → extract → classify): pure, no storage.

The single entry point that the crawler's store step, `policywatch extract` and re-processing call."""
from __future__ import annotations

from typing import Any

from pipelines.classify.record import classify_record
from pipelines.extract import PageInput, extract_record


def process_page(page: PageInput) -> dict[str, Any]:
    """The full record for one page (clean → extract → classify)."""
    record = extract_record(page)
    record.update(classify_record(record, page.source_hint))
    return record


def reclassify_record(record: dict[str, Any], source_hint: dict[str, Any] | None) -> dict[str, Any]:
    """The classification fields that differ from the stored record's (empty when nothing changed)."""
    fresh = classify_record(record, source_hint)
    return {k: v for k, v in fresh.items() if record.get(k) != v}
