"""One page through every processing stage that exists: the single entry point that the
crawler's store step, `policywatch extract` and re-processing all call."""
from __future__ import annotations

from collections import Counter
from typing import Any

from sqlite_utils import Database

from pipelines.classify import classify_record
from pipelines.extract import PageInput, extract_record
from storage.documents import iter_documents, update_document
from storage.sources import source_hints


def process_page(page: PageInput) -> dict[str, Any]:
    """The full record for one page (clean → extract → classify)."""
    record = extract_record(page)
    record.update(classify_record(record, page.source_hint))
    return record


def reclassify_record(record: dict[str, Any], source_hint: dict[str, Any] | None) -> dict[str, Any]:
    """The classification fields that differ from the stored record's (empty when nothing changed)."""
    fresh = classify_record(record, source_hint)
    return {k: v for k, v in fresh.items() if record.get(k) != v}


def reclassify_documents(db: Database, source_id: str | None = None) -> Counter:
    """Re-run classification over stored documents (after a vocabulary change); counts changed fields."""
    hints = source_hints(db)
    changed: Counter = Counter()
    for record in iter_documents(db, source_id):
        changes = reclassify_record(record, hints.get(record["source_id"]))
        if changes:
            update_document(db, record["url"], changes)
            changed.update(changes.keys())
            changed["documents"] += 1
        changed["seen"] += 1
    return changed
