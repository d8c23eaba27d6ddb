"""Relevance: is the record about high-tech zones, high-tech enterprises and their incentives?"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from pipelines.classify.divisions import division_index
from pipelines.classify.incentive import shorten
from pipelines.classify.model import RelevanceModel, load_model
from pipelines.classify.prepare import Doc
from pipelines.classify.region import LEADING_YEAR, is_zone_org, find_places, title_org
from pipelines.classify.topics import SentenceIndex, who_sentences
from pipelines.classify.vocabulary import Vocabulary


def is_listing(doc: Doc, vocab: Vocabulary) -> str | None:
    """Why the page is a list of links rather than a document, if it is."""
    rules = vocab.relevance
    for pattern in rules["listing_titles"]:
        match = pattern.search(doc.title)
        if match:
            return f"title marks a list page ({match.group(0).strip(' -_|')})"
    lines = [line for line in doc.body.split("\n") if line.strip()]
    if len(lines) < rules["listing_min_lines"]:
        return None
    dated = sum(1 for line in lines if len(line) <= rules["listing_max_line"]
                and re.search(r"(?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s*$", line))
    if dated / len(lines) >= rules["listing_min_share"]:
        return f"{dated} of {len(lines)} lines are dated links"
    return None


def opening_sentence(body: str, min_chars: int, max_chars: int) -> str:
    """The sentence a page opens with: its first line of at least `min_chars` characters (a column name such
    as 新安快讯 above a heading is no opening), up to its first 。 (a heading's ! or ? does not end it), at most
    `max_chars` long."""
    for line in body.split("\n"):
        line = line.strip()
        if len(line) >= min_chars:
            stop = line.find("。")
            return line[:stop + 1 if stop >= 0 else max_chars][:max_chars]
    return ""


def off_topic(doc: Doc, vocab: Vocabulary) -> str | None:
    """The off-topic word (招聘, 学区, 公租房…) of the title, or of an untitled page's opening sentence."""
    rules = vocab.relevance
    said = doc.title or opening_sentence(doc.body, rules["opening_min_chars"], rules["opening_max_chars"])
    match = vocab.compiled["negative_title"].search(said)
    return match.group(0) if match else None


ZONE_CONTEXT = 12  # characters read on each side of a zone's name


def zone_is_subject(text: str, start: int, end: int, vocab: Vocabulary) -> bool:
    """Whether the zone named at text[start:end] is what the sentence develops (促进国家高新区进一步发展,
    高新区建设), not where something happens (调研组赴岳阳高新区…)."""
    rules = vocab.relevance
    return bool(rules["zone_before"].search(text, max(0, start - ZONE_CONTEXT), start)
                or rules["zone_after"].match(text, end, end + ZONE_CONTEXT))


def actor_zone(title: str, vocab: Vocabulary) -> str:
    """The zone a title opens with as its speaker (郑州高新区管委会关于…, 长沙高新区2025年…), or ''."""
    org = title_org(title, vocab)
    if org:
        return org if is_zone_org(org, vocab) else ""
    divisions = division_index()
    start = len(LEADING_YEAR.match(title).group(0))
    zone = vocab.compiled["zone_word"].search(title, start, start + 16)
    if zone is None or divisions is None or "matcher" not in vocab.compiled:
        return ""
    head = title[start:zone.start()]
    if not head:
        return ""
    places = find_places(head, vocab, divisions)
    speaker = places[0] if places and places[0].start == 0 else None
    # 湖南省高新区 are the province's zones: a province is never a zone's speaker
    if speaker and any(d.tier != "province" for d in speaker.candidates) and len(head) <= 10:
        return title[:zone.end()]
    return ""


@dataclass(frozen=True)
class RuleEvidence:
    """What the rules found: their score, the signals the learned model reads, and the reasons, with counts."""

    score: float
    signals: dict[str, float]
    reasons: list[str]
    factor: float = 1.0          # the off-topic title and list-page factors, which also scale the model's probability


# The rule signals the learned model reads (pipelines/classify/model.py), each in 0..1.
SIGNALS = ("score", "title", "body", "lead", "money", "off_topic", "listing", "untitled", "sentences", "places_only")


def rule_evidence(doc: Doc, index: SentenceIndex, offers: list[str], vocab: Vocabulary,
                  listing: str | None) -> RuleEvidence:
    """The rule score, its parts and the rules that fired, with counts."""
    rules, weights = vocab.relevance, vocab.relevance["weights"]
    core, matcher = rules["core"], vocab.compiled["core_matcher"]
    reasons: list[str] = []
    actor = actor_zone(doc.title, vocab)
    title_terms = list(dict.fromkeys(term for start, _, term in matcher.find(doc.title)
                                     if term in core and start >= len(actor)))
    title = 0.0
    if title_terms:
        title = min(weights["title_cap"],
                    max(core[t] for t in title_terms) + weights["title_extra"] * (len(title_terms) - 1))
        reasons.append(f"title names {'/'.join(title_terms)} (+{title:.2f})")
    elif actor:
        title = weights["actor_zone_title"]
        reasons.append(f"title names only its speaker {actor} (+{title:.2f})")
    secondary = [t for t in rules["secondary"] if t in doc.title]
    if secondary:
        title += weights["secondary_title"]
        reasons.append(f"title names {'/'.join(secondary)} (+{weights['secondary_title']:.2f})")
    texts = index.texts()
    addressed = who_sentences(index, vocab)
    sentences: set[int] = set()
    subject_sentences: set[int] = set()  # naming an enterprise-side subject, not only a zone (a place)
    counts: dict[str, set[int]] = {}
    for start, end, term in matcher.find(doc.body):
        sentence = index.sentence_of(start)
        if term in core and sentence not in addressed:
            sentences.add(sentence)
            counts.setdefault(term, set()).add(sentence)
            if term not in rules["place_terms"] or zone_is_subject(doc.body, start, end, vocab):
                subject_sentences.add(sentence)
    # A long plan names its subject in many sentences, a short notice in few: the body counts by number
    # and by share of its sentences, whichever says more.
    # A zone named in a sentence may be only where something happens (调研组赴岳阳高新区…): zones count by
    # number alone, never by share or in the opening.
    total = max(1, sum(1 for text in texts if text.strip()) - len(addressed))
    by_count = 1 - math.exp(-len(sentences) / weights["body_scale"])
    by_share = min(1.0, len(subject_sentences) / total / weights["density_full"])
    body = weights["body_cap"] * max(by_count, by_share)
    if sentences:
        top = ", ".join(f"{t}×{len(n)}" for t, n in sorted(counts.items(), key=lambda kv: -len(kv[1]))[:4])
        reasons.append(f"{len(sentences)} of {total} body sentences name the subject ({top}) (+{body:.2f})")
    # A notice says what it is about at once: a strong subject term in its opening counts on its own.
    lead_terms = [term for start, _, term in matcher.find(doc.body[:int(weights["lead_chars"])])
                  if core.get(term, 0) >= weights["lead_min_weight"] and term not in rules["place_terms"]
                  and index.sentence_of(start) not in addressed]
    lead = weights["lead"] if lead_terms and not title_terms else 0.0
    if lead:
        reasons.append(f"the opening names {lead_terms[0]} (+{lead:.2f})")
    incentive = 0.0
    linked = next((s for s in offers if any(term in core for _, _, term in matcher.find(s))), None)
    if linked:
        incentive = weights["incentive_for_subject"]
        reasons.append(f"money offered to the subject: {shorten(linked, 40)} (+{incentive:.2f})")
    factor = 1.0
    negative = off_topic(doc, vocab)
    if negative:
        factor *= rules["negative_factor"]
        where = "title" if doc.title else "opening sentence"
        reasons.append(f"{where} is off-topic ({negative}) (×{rules['negative_factor']:g})")
    if listing:
        factor *= rules["listing_factor"]
        reasons.append(f"{listing} (×{rules['listing_factor']:g})")
    score = min(1.0, title + body + lead + incentive) * factor
    if not reasons:
        reasons.append("no subject term in title or body")
    signals = {"score": score, "title": min(1.0, title), "body": body, "lead": float(bool(lead)),
               "money": float(bool(incentive)), "off_topic": float(bool(negative)), "listing": float(bool(listing)),
               "untitled": float(not doc.title), "sentences": min(1.0, len(sentences) / 10),
               # zones named only as places (调研组赴岳阳高新区…), no subject in the title or opening
               "places_only": float(bool(sentences) and not subject_sentences and not title_terms and not lead)}
    return RuleEvidence(score=round(score, 3), signals=signals, reasons=reasons, factor=factor)


def classify_relevance(doc: Doc, evidence: RuleEvidence, model: RelevanceModel | None = None) -> tuple[float, list[str]]:
    """The record's relevance: the learned model's probability over the text and the rule signals, times the
    rules' factors (an off-topic title, a list page), and the reasons (the rules that fired, then the model's
    strongest contributions)."""
    model = model or load_model()
    probability, parts = model.score(doc.title or doc.policy_title, doc.body, evidence.signals)
    scaled = f" ×{evidence.factor:g}" if evidence.factor != 1 else ""
    return (round(probability * evidence.factor, 3),
            [*evidence.reasons, f"model: {probability:.3f}{scaled} ({model.summary(parts)})"])
