"""Document type (通知, 行动计划, 申报指南…, 解读, 新闻, 其他)."""
from __future__ import annotations

import re

from pipelines.classify.prepare import Doc
from pipelines.classify.region import body_doc_number
from pipelines.classify.vocabulary import Vocabulary


YEARS_TAIL = re.compile(r"\s*[(\[【]?\s*(?:19|20)\d{2}\s*(?:年)?\s*(?:[-—–~至]\s*(?:19|20)?\d{2,4}\s*年?)?\s*[)\]】]?\s*$")
SEGMENT_SPLIT = re.compile(r"[,!?:;()\[\]《》【】\s·|]+")


def type_of_name(name: str, vocab: Vocabulary) -> tuple[str, str] | None:
    """(type, word) of a policy's own name by the type word it ends with: …三年行动计划 → 行动计划."""
    name = YEARS_TAIL.sub("", name.strip()).strip()
    for word, doc_type in vocab.doc_types["name_words"]:
        if name.endswith(word):
            return doc_type, word
    return None


def _title_type_words(title: str, vocab: Vocabulary) -> list[tuple[int, str, str]]:
    """(end position, word, type) of each type word that closes a title segment."""
    trailing = vocab.doc_types["direct_trailing"]
    words = vocab.doc_types["name_words"]
    found: list[tuple[int, str, str]] = []
    offset = 0
    for segment in SEGMENT_SPLIT.split(title):
        position = title.find(segment, offset) if segment else offset
        offset = position + len(segment)
        taken: list[tuple[int, int]] = []
        for word, doc_type in words:
            start = segment.find(word)
            while start >= 0:
                end = start + len(word)
                if not any(s <= start < e or s < end <= e for s, e in taken) and \
                        _only_types_follow(segment[end:], words, trailing):
                    taken.append((start, end))
                    found.append((position + end, word, doc_type))
                start = segment.find(word, start + 1)
    return sorted(found)


def _only_types_follow(rest: str, words: list[tuple[str, str]], trailing: list[str]) -> bool:
    """Whether `rest` is made only of type words and allowed trailing words (…行动计划|申报指南)."""
    allowed = [w for w, _ in words] + trailing
    while rest:
        for word in allowed:
            if rest.startswith(word):
                rest = rest[len(word):]
                break
        else:
            return False
    return True


def _body_support(body: str, doc_type: str, vocab: Vocabulary) -> int:
    return sum(min(body.count(marker), 3) for marker in vocab.doc_types["body_markers"].get(doc_type, ()))


ADDRESSEE_START = re.compile(r"^各[^。，,；;:：\n]{1,60}[:：]")
NOTICE_FORMULA = re.compile(r"特此(?:通知|公告|公示|通告)|现(?:将|就)[^。\n]{0,30}通知如下|现予(?:以)?(?:公示|公布|公告)|予以(?:公示|公布)")


def _news_body(body: str, vocab: Vocabulary) -> str | None:
    """The lede cue of a body that reads like a news report (no addressee line), if any."""
    rules = vocab.doc_types
    head = body[:600]
    if any(rules["addressee_line"].match(line.strip()) for line in head.split("\n")):
        return None
    if body_doc_number(body):
        return None
    lede = body[:rules["news_lede_chars"]]
    for pattern in rules["news_lede"]:
        match = pattern.search(lede)
        if match:
            return match.group(0)
    return None


# A page that retells policies for its readers instead of being one: a consultancy's 政策汇总 or 政策要点, a blog
# post talking to its readers (小编, 给大家, 咱们, 今天分享), a service page selling its advice (免费咨询), a list
# whose numbered headings name the policies it retells (1、某市高新技术企业认定奖励政策).
RETELLING = re.compile(r"政策(?:汇总|要点|梳理|盘点|大全)|小编|给大家|咱们|今天(?:主要|就)?(?:来|给您)?(?:分享|介绍|普及|聊聊)"
                       r"|免费咨询|在线顾问|欢迎(?:来电)?咨询"
                       r"|(?m:^[ \t]*(?:\d{1,2}|[一二三四五六七八九十]{1,3})[、.．][^\n，。,；;:：]{4,40}"
                       r"(?:奖励|扶持|补贴|补助|优惠|相关)政策[ \t]*[:：]?[ \t]*$)")


def retelling_cue(doc: Doc, vocab: Vocabulary) -> str | None:
    """The cue of a page with no document form of its own that retells policies (政策汇总, 小编, 免费咨询…):
    such a page is no policy and offers no money itself, whatever amounts it repeats."""
    return None if _document_type(doc, vocab) is not None else _retelling(doc)


def _retelling(doc: Doc) -> str | None:
    match = RETELLING.search(f"{doc.title}\n{doc.body}")
    return match.group(0) if match else None


def classify_doc_type(doc: Doc, vocab: Vocabulary) -> tuple[str, str]:
    """(doc_type, reason) by the ordered rules of doc_types.yaml."""
    found = _document_type(doc, vocab)
    if found is not None:
        return found
    cue = _retelling(doc)
    if cue:
        return "其他", f"retells policies ({cue}) and has no document form of its own"
    return "其他", "no type word in the title and no document form in the body"


def _document_type(doc: Doc, vocab: Vocabulary) -> tuple[str, str] | None:
    """(doc_type, reason) by the ordered rules of doc_types.yaml, None when no rule decides."""
    rules = vocab.doc_types
    title = doc.title
    for word in rules["interpretation"]:
        if word in title:
            return "解读", f"title says {word}"
    for pattern in rules["publicity"]:
        match = pattern.search(title)
        if match:
            return "公示", f"title announces a list ({match.group(0)})"
    embedded = _embedded_type(doc, vocab)
    if embedded:
        return embedded
    notice_form = any(p.search(title) for p in rules["notice_form"])
    if not notice_form:
        for pattern in rules["news_title"]:
            match = pattern.search(title)
            if match:
                return "新闻", f"news title ({match.group(0)})"
        cue = _news_body(doc.body, vocab)
        if cue:
            return "新闻", f"body opens like a news report ({cue}) and has no addressee line"
    if notice_form:
        return "通知", "title is a notice (关于…的通知/公告)"
    direct = _direct_type(doc, vocab)
    if direct:
        return direct
    for word in rules["notice_words"]:
        if word in title:
            return "通知", f"title says {word}"
    return _body_type(doc, vocab)


def _embedded_type(doc: Doc, vocab: Vocabulary) -> tuple[str, str] | None:
    if doc.policy_title:
        found = type_of_name(doc.policy_title, vocab)
        if found:
            return found[0], f"policy title 《{doc.policy_title}》 is a {found[1]}"
    for pattern in vocab.doc_types["embedded"]:
        match = pattern.search(doc.title)
        if match:
            name = match.group("name")
            found = type_of_name(name, vocab)
            if found:
                return found[0], f"title issues 《{name}》, a {found[1]}"
            return "其他", f"title issues 《{name}》, whose type has no vocabulary entry"
    return None


def _direct_type(doc: Doc, vocab: Vocabulary) -> tuple[str, str] | None:
    words = _title_type_words(doc.title, vocab)
    types = list(dict.fromkeys(doc_type for _, _, doc_type in words))
    if not types:
        return None
    if len(types) == 1:
        return types[0], f"title ends in {words[-1][1]}"
    support = {doc_type: _body_support(doc.body, doc_type, vocab) for doc_type in types}
    best = max(support.values())
    if best == 0:
        return words[-1][2], f"title names {', '.join(types)}; the body supports none, last word wins"
    last = {doc_type: end for end, _, doc_type in words}
    chosen = max((t for t in types if support[t] == best), key=lambda t: last[t])
    detail = ", ".join(f"{t} {support[t]}" for t in types)
    return chosen, f"title names {', '.join(types)}; body markers decide ({detail})"


def _body_type(doc: Doc, vocab: Vocabulary) -> tuple[str, str] | None:
    for pattern in vocab.doc_types["embedded"]:
        match = pattern.search(doc.body[:800])
        if match:
            found = type_of_name(match.group("name"), vocab)
            if found:
                return found[0], f"body issues 《{match.group('name')}》, a {found[1]}"
    head = doc.body[:600].split("\n")
    if any(vocab.doc_types["addressee_line"].match(line.strip()) for line in head):
        return "通知", "body opens with an addressee line"
    # a copy that joined its lines keeps the addressee at a line's start (各有关单位:根据…) and a notice's formulas
    opened = next((line for line in head if ADDRESSEE_START.match(line.strip())), None)
    if opened:
        return "通知", f"body opens with an addressee ({ADDRESSEE_START.match(opened.strip()).group(0)})"
    formula = NOTICE_FORMULA.search(doc.body)
    if formula:
        return "通知", f"body uses a notice's formula ({formula.group(0)})"
    return None
