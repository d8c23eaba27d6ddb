"""The classification of one record: every classification field, with a reason for each."""
from __future__ import annotations

from typing import Any, Mapping

from core.record import CLASSIFICATION_FIELDS
from pipelines.classify.doc_type import classify_doc_type
from pipelines.classify.incentive import classify_incentive
from pipelines.classify.prepare import prepare
from pipelines.classify.region import Region, resolve_region
from pipelines.classify.relevance import classify_relevance, is_listing, rule_evidence
from pipelines.classify.topics import SentenceIndex, classify_topics
from pipelines.classify.vocabulary import Vocabulary, load_vocabulary

OUTPUT_FIELDS = CLASSIFICATION_FIELDS


def _no_region(why: str) -> Region:
    return Region(reasons={name: why for name in ("province", "city", "county", "division_code", "level")})


def classify_record(record: Mapping[str, Any], source_hint: Mapping[str, Any] | None = None,
                    vocab: Vocabulary | None = None, money_from_text: bool = True) -> dict[str, Any]:
    """The classification fields of one record (see the module docstring); never raises on odd input.

    `money_from_text`: whether a record without extracted incentives has its text read for money (not
    when the page's processing budget is spent)."""
    vocab = vocab or load_vocabulary()
    record = record if isinstance(record, Mapping) else {}
    hint = source_hint if isinstance(source_hint, Mapping) else {}
    doc = prepare(record, vocab)
    listing = is_listing(doc, vocab)
    region = resolve_region(doc, hint, vocab) if not listing else _no_region(f"not a document: {listing}")
    doc_type, type_reason = classify_doc_type(doc, vocab)
    index = SentenceIndex(doc.body)
    off_topic = vocab.compiled["negative_title"].search(doc.title)
    if listing:
        topics, topic_reason = [], f"not a document: {listing}"
    elif off_topic:
        topics, topic_reason = [], f"title is off-topic by nature ({off_topic.group(0)})"
    else:
        topics, topic_reason = classify_topics(doc, index, vocab)
    has_incentive, max_amount, money_reason, offers = classify_incentive(record, doc, doc_type, vocab,
                                                                         money_from_text)
    relevance, relevance_reasons = classify_relevance(doc, rule_evidence(doc, index, offers, vocab, listing))
    threshold = vocab.relevance["threshold"]
    reasons = {name: region.reasons.get(name, "") for name in ("province", "city", "county", "division_code",
                                                                 "level")}
    if doc.traditional:
        reasons["text"] = "Traditional characters converted to Simplified"
    reasons.update({
        "doc_type": type_reason,
        "topics": topic_reason,
        "relevance": f"{relevance:.3f} {'≥' if relevance >= threshold else '<'} threshold {threshold:g}",
        "has_incentive": money_reason,
        "max_amount_wan": money_reason if max_amount is not None else "no amount",
    })
    return {
        "province": region.province,
        "city": region.city,
        "county": region.county,
        "division_code": region.division_code,
        "level": region.level,
        "doc_type": doc_type,
        "topics": topics,
        "relevance": relevance,
        "relevance_reasons": relevance_reasons,
        "is_relevant": relevance >= threshold,
        "has_incentive": has_incentive,
        "max_amount_wan": max_amount,
        "classification_reasons": reasons,
    }
