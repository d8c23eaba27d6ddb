"""Topics: the subjects a record is principally about."""
from __future__ import annotations

import bisect
import re

from pipelines.classify.doc_type import addressee_line
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
#     研究开发费用 among the conditions is not filed under them; at most MAX_TOPICS topics are kept;
#   - the conditions of a programme and the definition of a kind of enterprise name no topic but that kind
#     (condition_sentences); a kind named as its programme needs only BENEFICIARY_SHARE (programme_topics);
#     a focus phrase (以…为重点) adds FOCUS_BONUS; one passing sentence earns no distinct-term bonus.
OPENING_CHARS = 150
OPENING_WEIGHT = 1.0
MENTION_BONUS = 0.5
MAX_MENTION_BONUS = 1.0
TOP_SHARE = 0.5
MAX_TOPICS = 4
# A document that says what it centres on (以培育科技领军企业为重点, 以成果转化为主线, 以…为核心/突破口/抓手) names its
# principal topics itself: each topic named inside such a phrase gains FOCUS_BONUS.
FOCUS = re.compile(r"以(?P<what>[^，,。;；:：\n以]{2,30}?)为(?:重点|主线|核心|突破口|抓手|主攻方向|切入点|导向)")
FOCUS_BONUS = 1.0
# The kinds of enterprise (and carrier) whose recognition is a programme of its own (高企认定, 科技型中小企业评价,
# 孵化器备案) are what a reader files a page under when it names that programme, even when its measures name other
# topics more often: a page of 高企认定 conditions is about 高新技术企业 though 知识产权 and 研发费用 fill its
# lines; a 孵化器 reward list that also rewards 高企认定 is about both. A kind named as its programme is kept at
# BENEFICIARY_SHARE of the best score; a kind only counted (汇聚了33%的高新技术企业) is not a programme.
BENEFICIARY_TOPICS = frozenset({"hitech-enterprise", "tech-sme", "specialised-sme", "incubator"})
BENEFICIARY_SHARE = 0.2
PROGRAMME_AFTER = re.compile(r"[)）”」]?(?:企业)?(?:的)?(?:认定|评价|培育|入库|备案|申报|奖励|补贴|资助)")
PROGRAMME_BEFORE = re.compile(r"(?:认定|评为|获评|申报|培育|入库|备案)(?:为)?(?:国家级?|省级?|市级?)?[“「]?$")
PROGRAMME_CHARS = 8  # how near a kind its programme's verb stands


Match = tuple[int, int, str]  # (start, end, term) of a term the topic matcher found


def programme_topics(text: str, matches: list[Match], vocab: Vocabulary) -> set[str]:
    """The kinds of enterprise `text` names (at `matches`) as the object of their programme (高新技术企业认定,
    认定为小巨人)."""
    topics_of = vocab.compiled["topics_of"]
    found: set[str] = set()
    for start, end, term in matches:
        slugs = [slug for slug in topics_of[term] if slug in BENEFICIARY_TOPICS and slug not in found]
        if slugs and (PROGRAMME_AFTER.match(text, end, end + PROGRAMME_CHARS)
                      or PROGRAMME_BEFORE.search(text[max(0, start - PROGRAMME_CHARS):start])):
            found.update(slugs)
    return found


def who_sentences(index: SentenceIndex, vocab: Vocabulary) -> set[int]:
    """The sentences that say who (addressee lines such as 各高新区管委会:, signature lines), not what about."""
    org_line = vocab.compiled["org_line"]
    return {i for i, text in enumerate(index.texts())
            if addressee_line(text, vocab) == text.strip() or org_line.match(text.strip())}


# The eligibility conditions of a programme (申报条件:, 认定须同时满足以下条件: and the numbered items under it) and
# the definition of a kind of enterprise (高新技术企业是指…) describe the applicant, not what the page is about: the
# 知识产权, 研发费用 and 成果转化 they require are no topic of the page. Only the kinds of enterprise keep counting
# there (获得过省级专精特新中小企业认定).
CONDITIONS_LEAD = re.compile(r"(?:条件|资格|基本要求)[^。\n]{0,12}[:：][ \t]*$")
CONDITIONS_HEADING = re.compile(r"^[ \t]*(?:[一二三四五六七八九十]{1,3}[、.．]|[(（][一二三四五六七八九十]{1,3}[)）]|【)?"
                                r"[ \t]*[^。，,\n]{0,8}(?:条件|资格)】?[ \t]*$")
CONDITION_ITEM = re.compile(r"^[ \t]*(?:\d{1,2}[、.．)）]|[(（]\d{1,2}[)）]|[(（][一二三四五六七八九十]{1,3}[)）]"
                            r"|[A-Ha-h][.、．]|[①-⑳])")
DEFINITION_VERB = re.compile(r"是指|是在|是|指")
DEFINITION_CHARS = 20  # the kind defined opens its sentence


def condition_sentences(index: SentenceIndex, matches: list[Match], vocab: Vocabulary) -> set[int]:
    """The sentences of a body that state a programme's conditions or define a kind of enterprise (the body's
    terms at `matches`)."""
    return _condition_items(index) | _definitions(index, matches, vocab)


def _condition_items(index: SentenceIndex) -> set[int]:
    """The sentences of the numbered items that follow a conditions heading (一、申报条件; …应满足以下条件:)."""
    found: set[int] = set()
    offset, in_block = 0, False
    for line in index.body.split("\n"):
        start, offset = offset, offset + len(line) + 1
        if in_block and CONDITION_ITEM.match(line):
            found.update(range(index.sentence_of(start), index.sentence_of(start + max(0, len(line) - 1)) + 1))
            continue
        in_block = bool(CONDITIONS_LEAD.search(line) or CONDITIONS_HEADING.match(line))
    return found


def _definitions(index: SentenceIndex, matches: list[Match], vocab: Vocabulary) -> set[int]:
    """The sentences that open by defining a kind of enterprise (科技型中小企业是指…)."""
    topics_of, body = vocab.compiled["topics_of"], index.body
    found: set[int] = set()
    for start, end, term in matches:
        sentence = index.sentence_of(start)
        opening = index.starts[sentence]
        if sentence in found or end - opening > DEFINITION_CHARS or not DEFINITION_VERB.match(body, end):
            continue
        if any(slug in BENEFICIARY_TOPICS for slug in topics_of[term]) and not body[opening:start].strip():
            found.add(sentence)
    return found


def classify_topics(doc: Doc, index: SentenceIndex, vocab: Vocabulary,
                    heads: list[str] | None = None) -> tuple[list[str], str]:
    """The principal topics' slugs (strongest first), and the scores that decided."""
    matcher, topics_of = vocab.compiled["topic_matcher"], vocab.compiled["topics_of"]
    heads = headings(doc.body) if heads is None else heads
    title_matches, body_matches = list(matcher.find(doc.title)), list(matcher.find(doc.body))
    title_terms: dict[str, set[str]] = {}
    for _, _, term in title_matches:
        for slug in topics_of[term]:
            title_terms.setdefault(slug, set()).add(term)
    who = who_sentences(index, vocab)
    conditions = condition_sentences(index, body_matches, vocab)
    sentences: dict[str, set[int]] = {}
    mentions: dict[str, int] = {}
    distinct: dict[str, set[str]] = {}
    opening: set[str] = set()
    first = next((i for i in range(len(index.starts)) if i not in who and index.texts()[i].strip()), None)
    for start, _, term in body_matches:
        sentence = index.sentence_of(start)
        if sentence in who:
            continue
        for slug in topics_of[term]:
            if sentence in conditions and slug not in BENEFICIARY_TOPICS:
                continue
            sentences.setdefault(slug, set()).add(sentence)
            mentions[slug] = mentions.get(slug, 0) + 1
            distinct.setdefault(slug, set()).add(term)
            if sentence == first and start < OPENING_CHARS:
                opening.add(slug)
    focus = {slug for m in FOCUS.finditer(doc.body) for _, _, term in matcher.find(m.group("what"))
             for slug in topics_of[term]}
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
        lead = OPENING_WEIGHT if slug in opening else 0.0
        centre = FOCUS_BONUS if slug in focus else 0.0
        # the terms of one passing sentence are one phrase (专精特新“小巨人”企业, 贴息、担保和保险), not several
        # statements: the distinct-term bonus needs a second sentence, the title, a heading, the opening or a focus
        passing = n_sentences <= 1 and not (in_title or n_heads or lead or centre)
        bonus = 0.0 if passing else min(topic.max_distinct_bonus, topic.distinct_term_bonus * max(0, n_terms - 1))
        repeated = min(MAX_MENTION_BONUS, MENTION_BONUS * (mentions.get(slug, 0) - n_sentences))
        score = (topic.title_weight * len(in_title) + n_sentences + topic.heading_bonus * n_heads + bonus + repeated
                 + lead + centre)
        if score >= topic.min_score:
            parts = [f"title {'/'.join(in_title)}"] if in_title else []
            parts += ["opening"] if lead else []
            parts += ["focus"] if centre else []
            parts.append(f"{n_sentences} sentences")
            if n_heads:
                parts.append(f"{n_heads} headings")
            if bonus:
                parts.append(f"{n_terms} distinct terms")
            scored.append((score, slug, f"{slug} {score:g} ({', '.join(parts)})"))
    if not scored:
        return [], "no topic reaches its threshold"
    scored.sort(key=lambda item: -item[0])
    best = scored[0][0]
    programmes = programme_topics(doc.title, title_matches, vocab) | programme_topics(doc.body, body_matches, vocab)
    chosen = [item for item in scored
              if item[0] >= (BENEFICIARY_SHARE if item[1] in programmes else TOP_SHARE) * best][:MAX_TOPICS]
    dropped = [item[1] for item in scored if item not in chosen]
    note = "; ".join(text for _, _, text in chosen)
    if dropped:
        note += f"; minor beside them: {', '.join(dropped)}"
    return [slug for _, slug, _ in chosen], note
