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


# Principal topics only (shared/LABELING.md: "the principal topics a reader would file the page under,
# usually 1-3, not every term mentioned once"):
#   - the opening of the body says what a notice is about, like a title does (many reposts lose the title):
#     a topic named in its first sentence (addressee lines left out), within OPENING_CHARS, gains OPENING_WEIGHT;
#   - a long sentence (lists joined by commas) may name its subject several times: each further mention
#     adds MENTION_BONUS, up to MAX_MENTION_BONUS;
#   - a topic must reach TOP_SHARE of the best topic's score: a page about 高企认定 that lists 知识产权 and
#     研究开发费用 among the conditions is not filed under them; at most MAX_TOPICS topics are kept.
OPENING_CHARS = 150
OPENING_WEIGHT = 1.0
MENTION_BONUS = 0.5
MAX_MENTION_BONUS = 1.0
TOP_SHARE = 0.5
MAX_TOPICS = 4


def who_sentences(index: SentenceIndex, vocab: Vocabulary) -> set[int]:
    """The sentences that say who (addressee lines such as 各高新区管委会:, signature lines), not what about."""
    addressee, org_line = vocab.doc_types["addressee_line"], vocab.compiled["org_line"]
    return {i for i, text in enumerate(index.texts()) if addressee.match(text.strip()) or org_line.match(text.strip())}


def classify_topics(doc: Doc, index: SentenceIndex, vocab: Vocabulary,
                    heads: list[str] | None = None) -> tuple[list[str], str]:
    """The principal topics' slugs (strongest first), and the scores that decided."""
    matcher, topics_of = vocab.compiled["topic_matcher"], vocab.compiled["topics_of"]
    heads = headings(doc.body) if heads is None else heads
    title_terms: dict[str, set[str]] = {}
    for _, _, term in matcher.find(doc.title):
        for slug in topics_of[term]:
            title_terms.setdefault(slug, set()).add(term)
    who = who_sentences(index, vocab)
    sentences: dict[str, set[int]] = {}
    mentions: dict[str, int] = {}
    distinct: dict[str, set[str]] = {}
    opening: set[str] = set()
    first = next((i for i in range(len(index.starts)) if i not in who and index.texts()[i].strip()), None)
    for start, _, term in matcher.find(doc.body):
        sentence = index.sentence_of(start)
        if sentence in who:
            continue
        for slug in topics_of[term]:
            sentences.setdefault(slug, set()).add(sentence)
            mentions[slug] = mentions.get(slug, 0) + 1
            distinct.setdefault(slug, set()).add(term)
            if sentence == first and start < OPENING_CHARS:
                opening.add(slug)
    head_hits: dict[str, int] = {}
    for head in heads:
        named = {slug for _, _, term in matcher.find(head) for slug in topics_of[term]}
        named |= {t.slug for t in vocab.topics if any(word in head for word in t.heading_terms)}
        for slug in named:
            head_hits[slug] = head_hits.get(slug, 0) + 1
    scored = []
    for topic in vocab.topics:
        slug = topic.slug
        in_title = sorted(title_terms.get(slug, ()))
        n_sentences, n_terms, n_heads = len(sentences.get(slug, ())), len(distinct.get(slug, ())), head_hits.get(slug, 0)
        bonus = min(topic.max_distinct_bonus, topic.distinct_term_bonus * max(0, n_terms - 1))
        repeated = min(MAX_MENTION_BONUS, MENTION_BONUS * (mentions.get(slug, 0) - n_sentences))
        lead = OPENING_WEIGHT if slug in opening else 0.0
        score = topic.title_weight * len(in_title) + n_sentences + topic.heading_bonus * n_heads + bonus + repeated + lead
        if score >= topic.min_score:
            parts = [f"title {'/'.join(in_title)}"] if in_title else []
            parts += ["opening"] if lead else []
            parts.append(f"{n_sentences} sentences")
            if n_heads:
                parts.append(f"{n_heads} headings")
            if bonus:
                parts.append(f"{n_terms} distinct terms")
            scored.append((score, slug, f"{slug} {score:g} ({', '.join(parts)})"))
    if not scored:
        return [], "no topic reaches its threshold"
    scored.sort(key=lambda item: -item[0])
    floor = TOP_SHARE * scored[0][0]
    chosen = [item for item in scored if item[0] >= floor][:MAX_TOPICS]
    dropped = [item[1] for item in scored if item not in chosen]
    note = "; ".join(text for _, _, text in chosen)
    if dropped:
        note += f"; minor beside them: {', '.join(dropped)}"
    return [slug for _, slug, _ in chosen], note
