"""Money on offer: whether the record offers an incentive, and the largest amount."""
from __future__ import annotations

from typing import Any, Mapping

from pipelines.classify.prepare import Doc, text_value
from pipelines.classify.vocabulary import Vocabulary
from pipelines.fields.money import incentives
from pipelines.text.normalise import TextPair


def stated_in_text(doc: Doc) -> list[tuple[float, str]]:
    """(amount in 万元, sentence) for each amount the body states, read by extraction's money reader."""
    found = []
    for offer in incentives(TextPair(doc.body)):
        for value in record_incentive_amounts([offer]):
            found.append((value, offer.get("text") or ""))
    return found


def record_incentive_amounts(items: list[Any]) -> list[float]:
    """Every amount_wan / amount_max_wan of the record's incentives."""
    amounts = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        for key in ("amount_wan", "amount_max_wan"):
            value = item.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
                amounts.append(float(value))
    return amounts


def classify_incentive(record: Mapping[str, Any], doc: Doc, doc_type: str, vocab: Vocabulary,
                       from_text: bool = True) -> tuple[bool, float | None, str, list[str]]:
    """(has_incentive, max_amount_wan, reason, sentences that state money); without extracted incentives,
    the amounts stated in the text, unless `from_text` is False.

    A page of a type that offers no money itself (incentives.yaml ignore_doc_types: a 公示 of awards made) has
    no incentive and no amount, its reason naming the amounts it reports."""
    extracted = record.get("incentives")
    extracted = [i for i in extracted if isinstance(i, Mapping)] if isinstance(extracted, list) else []
    if doc_type in vocab.incentives["ignore_doc_types"]:
        amounts = sorted(set(record_incentive_amounts(extracted)), reverse=True)
        if not amounts:
            return False, None, f"a {doc_type} offers no money itself", []
        shown = "、".join(f"{a:g}" for a in amounts[:5]) + ("…" if len(amounts) > 5 else "")
        return False, None, f"a {doc_type} offers no money itself; it reports {shown} 万元", []
    if extracted:
        amounts = record_incentive_amounts(extracted)
        texts = [" ".join(text_value(i.get(k)) for k in ("beneficiary", "condition", "text")) for i in extracted]
        maximum = max(amounts) if amounts else None
        reason = f"{len(extracted)} incentives extracted" + (f", largest {maximum:g} 万元" if amounts else
                                                            ", none with an amount")
        return True, maximum, reason, texts
    if not from_text:
        return False, None, "no incentives extracted; the text was not read for money (processing budget spent)", []
    offers = stated_in_text(doc)
    if not offers:
        return False, None, "no incentives extracted and no amount offered in the text", []
    maximum = max(value for value, _ in offers)
    sentence = next(s for value, s in offers if value == maximum)
    return True, maximum, f"read from the text (no incentives extracted): {shorten(sentence)}", \
        [s for _, s in offers]


def shorten(text: str, limit: int = 60) -> str:
    """The text cut to `limit` characters for a reason line."""
    return text if len(text) <= limit else text[:limit] + "…"
