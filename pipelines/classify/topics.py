"""Topics: the subjects a record is principally about."""
from __future__ import annotations

import bisect
import re

from pipelines.classify.prepare import Doc, SENTENCE_END
from pipelines.classify.vocabulary import Vocabulary


class SentenceIndex:
    """Which sentence of a body a character offset falls in."""

    def __init__(self, body: str) -> None:
        self.body = body
        self.starts = [0] + [m.end() for m in SENTENCE_END.finditer(body)]

    def sentence_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1

    def texts(self) -> list[str]:
        starts = self.starts
        return [self.body[a:b] for a, b in zip(starts, starts[1:] + [len(self.body)])]


HEADING = re.compile(r"^[ \t]*(?:【([^】\n]{1,20})】|[一二三四五六七八九十]{1,3}、([^。,;:\n]{1,24})(?=。|\n|$)"
                     r"|\([一二三四五六七八九十]{1,3}\)([^。,;:\n]{1,24})(?=。|\n|$)"
                     r"|第[一二三四五六七八九十]{1,3}条[ \t]*([^。,;:\n]{1,24})。)", re.MULTILINE)


def headings(body: str) -> list[str]:
    """The short headings that open numbered items or 【】 blocks of a body."""
    return ["".join(part for part in match.groups() if part) for match in HEADING.finditer(body)]


def classify_topics(doc: Doc, index: SentenceIndex, vocab: Vocabulary,
                    heads: list[str] | None = None) -> tuple[list[str], str]:
    """Topic slugs whose score reaches their threshold, and the scores that decided."""
    matcher, topics_of = vocab.compiled["topic_matcher"], vocab.compiled["topics_of"]
    heads = headings(doc.body) if heads is None else heads
    title_terms: dict[str, set[str]] = {}
    for _, _, term in matcher.find(doc.title):
        for slug in topics_of[term]:
            title_terms.setdefault(slug, set()).add(term)
    sentences: dict[str, set[int]] = {}
    distinct: dict[str, set[str]] = {}
    for start, _, term in matcher.find(doc.body):
        for slug in topics_of[term]:
            sentences.setdefault(slug, set()).add(index.sentence_of(start))
            distinct.setdefault(slug, set()).add(term)
    head_hits: dict[str, int] = {}
    for head in heads:
        named = {slug for _, _, term in matcher.find(head) for slug in topics_of[term]}
        named |= {t.slug for t in vocab.topics if any(word in head for word in t.heading_terms)}
        for slug in named:
            head_hits[slug] = head_hits.get(slug, 0) + 1
    chosen, notes = [], []
    for topic in vocab.topics:
        slug = topic.slug
        in_title = sorted(title_terms.get(slug, ()))
        n_sentences, n_terms, n_heads = len(sentences.get(slug, ())), len(distinct.get(slug, ())), head_hits.get(slug, 0)
        bonus = min(topic.max_distinct_bonus, topic.distinct_term_bonus * max(0, n_terms - 1))
        score = topic.title_weight * len(in_title) + n_sentences + topic.heading_bonus * n_heads + bonus
        if score >= topic.min_score:
            chosen.append(slug)
            parts = [f"title {'/'.join(in_title)}"] if in_title else []
            parts.append(f"{n_sentences} sentences")
            if n_heads:
                parts.append(f"{n_heads} headings")
            if bonus:
                parts.append(f"{n_terms} distinct terms")
            notes.append(f"{slug} ({', '.join(parts)})")
    return chosen, "; ".join(notes) if notes else "no topic reaches its threshold"
