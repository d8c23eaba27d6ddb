"""One page through every processing stage (clean → extract → classify): pure, no storage.

The single entry point that the crawler's store step, `policywatch extract` and re-processing call.

A page's processing is bounded twice over (``pipelines.fields.limits``): extraction and classification
read at most the head and tail of a very long text, and a time budget per page ($POLICYWATCH_PAGE_BUDGET
seconds, default 10) skips the optional readers not yet started once it is spent. The record is always
returned, with a warning naming what was not read, so one hostile page never holds up a crawl."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from core.clock import env_seconds
from pipelines.classify.record import classify_record
from pipelines.extract import PageInput, extract_record
from pipelines.fields.limits import Budget, readable_text

DEFAULT_PAGE_BUDGET = 10.0
BUDGET_VARIABLE = "POLICYWATCH_PAGE_BUDGET"


def page_budget_seconds() -> float:
    """The seconds one page's processing may take: $POLICYWATCH_PAGE_BUDGET, else DEFAULT_PAGE_BUDGET."""
    return env_seconds(BUDGET_VARIABLE, DEFAULT_PAGE_BUDGET)


def _classified_text(record: Mapping[str, Any]) -> Mapping[str, Any]:
    """The record as classification reads it: a very long text cut to the head and tail extraction read."""
    text = record.get("text")
    if not isinstance(text, str):
        return record
    readable, unread = readable_text(text)
    return {**record, "text": readable} if unread else record


def process_page(page: PageInput, budget_seconds: float | None = None) -> dict[str, Any]:
    """The full record for one page (clean → extract → classify) within `budget_seconds`
    (default: page_budget_seconds())."""
    budget = Budget(page_budget_seconds() if budget_seconds is None else budget_seconds)
    record = extract_record(page, budget)
    record.update(classify_record(_classified_text(record), page.source_hint, money_from_text=not budget.spent()))
    return record


def reclassify_record(record: dict[str, Any], source_hint: dict[str, Any] | None,
                      attachments: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    """The classification fields that differ from the stored record's (empty when nothing changed), the texts
    of the files it links to (name, text) read with it."""
    fresh = classify_record(_classified_text(record), source_hint, attachments=attachments)
    return {k: v for k, v in fresh.items() if record.get(k) != v}
