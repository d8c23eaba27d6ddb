"""The classification of one record: every classification field, with a reason for each."""
from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

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


# What of a linked file classification reads: its head (a policy states its subject and offers early), and
# at most this many files per document.
ATTACHMENT_CHARS = 20_000
ATTACHMENTS_READ = 3
MAX_TOPICS_WITH_FILES = 4


def classify_record(record: Mapping[str, Any], source_hint: Mapping[str, Any] | None = None,
                    vocab: Vocabulary | None = None, money_from_text: bool = True,
                    attachments: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    """The classification fields of one record (see the module docstring); never raises on odd input.

    `money_from_text`: whether a record without extracted incentives has its text read for money (not
    when the page's processing budget is spent). `attachments`: (name, text) of the files the page links
    to (a 转发 notice's substance is often its attachment): each is classified as a document of its own,
    titled by its name, and counts toward the page's relevance, topics and money, its name in the reasons."""
    vocab = vocab or load_vocabulary()
    page = _classify(record, source_hint, vocab, money_from_text)
    for name, text in [(n, t) for n, t in attachments if isinstance(t, str) and t.strip()][:ATTACHMENTS_READ]:
        _add_attachment(page, name, _classify({"title": _file_title(name), "text": text[:ATTACHMENT_CHARS]},
                                              source_hint, vocab, True), vocab)
    return page


def _file_title(name: str) -> str:
    """A file's name as a title: 附件1：某某办法.pdf → 某某办法."""
    stem = re.sub(r"\.(?:pdf|docx?|wps|xlsx?|ofd|zip|rar)$", "", name.strip(), flags=re.I)
    return re.sub(r"^附件\s*[0-9一二三四五六七八九十]*\s*[:：.、]?\s*", "", stem).strip()


def _add_attachment(page: dict[str, Any], name: str, found: dict[str, Any], vocab: Vocabulary) -> None:
    """Fold one attachment's classification into its page's: the larger relevance, the file's topics after the
    page's, its money when larger; each finding names the file."""
    label, reasons = f"attachment 《{name}》", page["classification_reasons"]
    if found["relevance"] > page["relevance"]:
        page["relevance"] = found["relevance"]
        page["relevance_reasons"] = [*page["relevance_reasons"],
                                     *(f"{label}: {reason}" for reason in found["relevance_reasons"])]
        page["is_relevant"] = page["relevance"] >= vocab.relevance["threshold"]
        reasons["relevance"] = f"{relevance_reason(page['relevance'], vocab)} (from {label})"
    extra = [t for t in found["topics"] if t not in page["topics"]]
    if extra and found["is_relevant"] and len(page["topics"]) < MAX_TOPICS_WITH_FILES:
        page["topics"] = [*page["topics"], *extra][:MAX_TOPICS_WITH_FILES]
        reasons["topics"] = f"{reasons['topics']}; {label}: {found['classification_reasons']['topics']}"
    amount, own = found["max_amount_wan"], page["max_amount_wan"]
    if found["has_incentive"] and (not page["has_incentive"] or (amount or 0) > (own or 0)):
        page["has_incentive"] = True
        page["max_amount_wan"] = amount if amount is not None else own
        money = f"{label}: {found['classification_reasons']['has_incentive']}"
        reasons["has_incentive"] = money
        reasons["max_amount_wan"] = money if page["max_amount_wan"] is not None else "no amount"


def relevance_reason(relevance: float, vocab: Vocabulary) -> str:
    """'0.412 ≥ threshold 0.3': the relevance against the decision threshold."""
    threshold = vocab.relevance["threshold"]
    return f"{relevance:.3f} {'≥' if relevance >= threshold else '<'} threshold {threshold:g}"


def _classify(record: Mapping[str, Any], source_hint: Mapping[str, Any] | None, vocab: Vocabulary,
              money_from_text: bool) -> dict[str, Any]:
    """The classification of one text (a page, or one of its files)."""
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
        "relevance": relevance_reason(relevance, vocab),
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
