"""Excerpts: the first sentences of substance of a policy's text, as feed entries, the index page and email
digests show them.

An official document opens with lines that say nothing about what it decides: its document number
(湘科发〔2025〕86号, also written with [ ] or 【 】), the title again, the addressees
(各县（市、区）科技局，各高新区管委会：) and, on pages that carry it, a 发布时间/来源/字号 line. An excerpt
that starts there tells a reader nothing, so that lead is skipped, in whatever order its parts come, and the
excerpt starts at the first sentence of substance. A text with no such lead is excerpted as it is.

The lead is recognised on a working copy of the text folded to half-width forms and Simplified characters
(pipelines.text.normalise), so 湛科［2024］15號, 發布時間 and an addressee closed by ':' are leads too; the
excerpt itself is cut from the text as stored. Document numbers are recognised by the one document-number
reader (pipelines.fields.doc_number).
"""
from __future__ import annotations

import re

from pipelines.fields.doc_number import find_doc_numbers
from pipelines.text.normalise import TextPair, single_line, split_sentences, to_simplified

EXCERPT_SENTENCES = 3
EXCERPT_CHARS = 160
LEAD_PARTS = 8              # a lead has at most this many parts (number, title, addressees, metadata lines)
TITLE_MIN_CHARS = 4         # a shorter title is too common a phrase to be skipped as the title repeated
METADATA_LINE_CHARS = 80    # a metadata line this short is skipped whole (发布时间：… 来源：… 字号：大 中 小)

# Separators between the parts of a lead, in the folded working copy (full-width marks are half-width there).
_GAP = re.compile(r"[\s,.;、。]*")
# What may follow a document number or the title for it to be a lead part: the end, a space, a separator.
_BOUNDARY = re.compile(r"$|[\s,.;:、。)\]】]")
_METADATA = re.compile(
    r"(?:(?P<date>(?:发布|发文|成文|印发|更新)?(?:时间|日期))"
    r"|(?P<size>字号|字体)"
    r"|(?:(?:信息|文章|稿件)?来源|发布(?:机构|单位)|发文机关|索引号|(?:发文)?文号|(?:责任)?编辑|作者"
    r"|(?:浏览|阅读|点击|访问)(?:次数|量|数)))"
    r"\s*:\s*")
_DATE_VALUE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_SIZE_VALUE = re.compile(r"[\[【(]?\s*大\s*[\]】)]?\s*[\[【(]?\s*中\s*[\]】)]?\s*[\[【(]?\s*小\s*[\]】)]?")
_TOKEN_VALUE = re.compile(r"[^\s。;]{1,40}(?=\s|$)")
_SENTENCE_MARK = re.compile(r"[。!?;！？；]")
# An addressee line: up to its colon, one line, no sentence inside.
_ADDRESSEE = re.compile(r"(?P<who>[^\n:。!?;]{1,120}?)\s*:")
_ADDRESSEE_OPENING = re.compile(r"^(?:各|致|尊敬的)")
_ADDRESSEE_ENDING = re.compile(
    r"(?:单位|部门|机构|机关|企业|公司|集团|局|厅|委|办|办公室|处|会|政府|院|所|校|高校|中心|园区|高新区|开发区"
    r"|同志|朋友|们)[)\]】]?$")
# Words an addressee never holds and the opening of a sentence of substance often does (以下企业：, 通知如下：).
_NOT_ADDRESSEE = re.compile(r"的|以下|如下|根据|为了|现将|现就|关于|通知|公告|公示|名单|要求|包括|主要")


def _doc_number_length(work: str) -> int:
    """The length of a document number opening `work` (湘科发〔2025〕86号), or 0."""
    for start, end, number in find_doc_numbers(work[:200]):
        # a number the reader found after words it strips (根据湘科发〔2025〕86号) does not open the text
        return end if start == 0 and number[0] == work[0] else 0
    return 0


def _title_length(work: str, title: str) -> int:
    """The length of the title repeated at the start of `work` (spaces and line breaks aside), or 0."""
    wanted = "".join(title.split())
    if len(wanted) < TITLE_MIN_CHARS:
        return 0
    matched = 0
    for index, char in enumerate(work):
        if char.isspace():
            continue
        if char != wanted[matched]:
            return 0
        matched += 1
        if matched == len(wanted):
            return index + 1
    return 0


def _metadata_length(work: str) -> int:
    """The length of a 发布时间/来源/字号-style label and its value opening `work`, or 0."""
    label = _METADATA.match(work)
    if not label:
        return 0
    line = work.split("\n", 1)[0]
    if len(line) <= METADATA_LINE_CHARS and not _SENTENCE_MARK.search(line):
        return len(line)
    kind = "date" if label.group("date") else "size" if label.group("size") else "token"
    value = {"date": _DATE_VALUE, "size": _SIZE_VALUE}.get(kind, _TOKEN_VALUE).match(work, label.end())
    if not value:
        value = _TOKEN_VALUE.match(work, label.end())
    return value.end() if value else 0


def _addressee_length(work: str) -> int:
    """The length of an addressee line closed by its colon (各有关单位：), or 0."""
    found = _ADDRESSEE.match(work)
    if not found:
        return 0
    who = found.group("who").strip()
    opening = _ADDRESSEE_OPENING.match(who)
    if _NOT_ADDRESSEE.search(who[opening.end() if opening else 0:]) or _METADATA.match(who + ":"):
        return 0
    return found.end() if opening or _ADDRESSEE_ENDING.search(who) else 0


def _lead_part(work: str, title: str, depth: int = 0) -> int:
    """The length of one part of a lead opening `work` (number, title, metadata or addressee), or 0.

    A document number or the title counts only when a separator or another part of the lead follows it, so a
    sentence that merely begins with the title's words (高新技术企业认定工作…) is kept."""
    if not work:
        return 0
    for length in (_doc_number_length(work), _title_length(work, title) if title else 0):
        if length:
            rest = work[length:]
            if _BOUNDARY.match(rest) or (depth < 2 and _lead_part(rest, title, depth + 1)):
                return length
    return _metadata_length(work) or _addressee_length(work)


def _working_copy(text: str) -> TextPair:
    """The text with a working copy for matching: half-width, and Simplified when that keeps every offset."""
    pair = TextPair(text)
    simplified = to_simplified(pair.work)
    if len(simplified) == len(pair.work):
        pair.work = simplified
    return pair


def skip_lead(text: str, title: str | None = None) -> str:
    """The text from its first sentence of substance: a leading document number, the title repeated, the
    addressees (各有关单位：) and 发布时间/来源/字号 lines skipped. The text as it is when it has no such lead,
    or nothing but one."""
    pair = _working_copy(text or "")
    work = pair.work
    wanted = "".join(_working_copy(title).work.split()) if title else ""
    position = _GAP.match(work).end()
    for _ in range(LEAD_PARTS):
        length = _lead_part(work[position:], wanted)
        if not length:
            break
        position += length
        position = _GAP.match(work, position).end()
    rest = pair.display[position:]
    return rest if rest.strip() else pair.display


def excerpt(text: str | None, title: str | None = None, *, sentences: int = EXCERPT_SENTENCES,
            limit: int = EXCERPT_CHARS) -> str:
    """The first two or three sentences of substance of a policy's text (see `skip_lead`), on one line, at most
    `limit` characters (a longer first sentence is cut with …). Control characters are removed; callers escape."""
    body = single_line(skip_lead(text or "", title)) or ""
    chosen = ""
    for part in [part.strip() for part in split_sentences(body)][:sentences]:
        if chosen and len(chosen) + len(part) > limit:
            break
        chosen += part
    return chosen if len(chosen) <= limit else chosen[: limit - 1] + "…"
