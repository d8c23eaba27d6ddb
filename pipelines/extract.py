"""Record fields from a cleaned page.

Fills the record of ARCHITECTURE.md as far as the page shows it; every field it cannot
establish stays None or [] (never a guess, never ""). Besides the public record it gives
``policy_title``, ``cited_doc_numbers``, ``responsible_units`` and ``contact_phone``, which
the documents table stores too. Classification fields are left to classification, except
province/city/level of a government source, which its configuration states.

Evidence order per field (each reader is in ``pipelines/fields/``):

- title: see ``fields.titles`` (a 标题/文件名称 label's title that is a document's heading before a guessed line), else
  the heading opening the text, else the document a wrapper's text issues; a title that is no document's heading
  (a card's short form, a headline) gives way to the document's heading opening the text; a number closing the
  title is the doc_number's, not the title's;
  policy_title: 印发《X》 in the title, or 现将《X》印发 / 《X》已经…同意，现印发给你们 (现予印发。) / 现将《X》公示如下 in the text;
- publish_date (the issuing body's date): a 落款 naming its body, 成文日期 label, a title's note (…通过), a bare 落款 date, then
  for government pages PubDate/firstpublishedtime meta, <publishtime>, 发布时间 label, header date, for
  other pages the 发布时间 label or header date, then a dateline under the title; never a date in the URL
  or the list page's date (the crawl and `policywatch extract` agree on a page);
- page_date (the date the carrying page shows): PubDate/firstpublishedtime/article:published_time/
  datePublished meta, <publishtime> or an element named for it (id="publish_time", a class used once),
  a WeChat article's `var ct` instant, 发布时间/发布日期 label, a date on a header line, the list page's date,
  a date in the URL (/t20251212_…, /2023-12/13/, /art/2025/2/24/);
- issuer, doc_number, cited_doc_numbers: ``fields.signature`` and ``fields.doc_number`` (a red-head line
  某某市科学技术局文件 right after the 落款; an aggregator's 作者 naming a place's body last; a short form
  市科技局 written in full as the page writes it elsewhere);
- effective/expiry/period/deadlines: ``fields.validity``; incentives: ``fields.money`` (the offers a page states,
  a news item's or a summary's too; statistics and totals are none); targets: ``fields.targets``;
  responsible_units: ``fields.units``; contact_phone: ``fields.contact``; original_url: the repost's 原文链接,
  made absolute.

A Traditional-character page is read through its Simplified form, so issuer, units,
incentive and target texts come out in Simplified characters; title and text stay as shown.

Every reader's work grows with the page's length, no faster (``fields.limits``): a page of more than
100,000 characters is read at its head and tail only, and a page whose processing ``Budget`` is spent
keeps the fields read so far, the later ones (dates of validity, deadlines, cited numbers, incentives,
targets, responsible units, contact phone) left unknown. Either is logged and named in ``warnings``.
"""
from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urljoin, urlsplit

from core.record import empty_record
from pipelines.clean import CleanPage, clean_page
from pipelines.dates import find_dates, first_date, make_date, meta_date
from pipelines.fields.contact import contact_phone
from pipelines.fields.doc_number import cited_doc_numbers, normalise_doc_number, own_doc_number, promulgation
from pipelines.fields.limits import READ_HEAD, READ_TAIL, Budget, readable_text
from pipelines.fields.money import incentives
from pipelines.fields.signature import (PLACE_HEAD, Signature, closing_issuers, full_name, government_bodies,
                                        heading_issuers, interview_issuers, is_org_name, main_signature, org_value, red_head_issuers,
                                        split_orgs, title_issuers)
from pipelines.fields.targets import targets
from pipelines.fields.titles import (MAX_TITLE, choose_title, clean_title, dated_heading, fuller_heading, heading_first,
                                     heading_holding, is_title, policy_title, same_title, text_heading)
from pipelines.fields.units import responsible_units
from pipelines.fields.validity import deadlines, effective_date, expiry_date, period
from pipelines.text.normalise import TextPair, fold_width, single_line, to_simplified

logger = logging.getLogger(__name__)

URL_DATES = (
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_"),
    re.compile(r"/((?:19|20)\d{2})-(\d{2})/(\d{2})/"),
    re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})/(\d{2})/"),
)
GOV_META = ("SiteIDCode", "ArticleTitle", "firstpublishedtime")


@dataclass
class PageInput:
    """A fetched page as the crawler hands it to processing.

    `text_only`: `html` is plain text copied from a browser. `attachments`: the attachment links
    the page shows, as the caller found them (`crawler.discovery.listed_attachments`) for pages
    processed outside a crawl; the crawler lists attachments itself as it downloads them.
    """

    url: str
    html: str
    source_id: str | None = None
    source_kind: str | None = None
    fetched_at: str | None = None
    list_title: str | None = None
    list_date: str | None = None
    content_selector: str | None = None
    source_hint: dict[str, Any] = field(default_factory=dict)
    text_only: bool = False
    attachments: list[dict[str, Any]] | None = None


def iso_date(text: str | None) -> str | None:
    """The first Y-M-D date in `text` as ISO, if it is a real calendar date."""
    return first_date(text)


def content_hash(text: str) -> str:
    """A stable hash of the text with all white space removed."""
    return hashlib.sha1(re.sub(r"\s+", "", text or "").encode("utf-8")).hexdigest()


def url_date(url: str | None) -> str | None:
    """A date written into an article URL by common CMSs (TRS t20251212_, /2023-12/13/, /art/2025/2/24/)."""
    for pattern in URL_DATES:
        match = pattern.search(url or "")
        if match:
            return make_date(*(int(g) for g in match.groups()))
    return None


def is_government(page: PageInput, cleaned: CleanPage) -> bool:
    """A government page: so declared by its source, else one with gov meta tags or on a gov.cn host."""
    if page.source_kind:
        return page.source_kind == "government"
    host = (urlsplit(page.url or "").hostname or "") if "://" in (page.url or "") else ""
    return host.endswith(".gov.cn") or any(name in cleaned.meta for name in GOV_META)


def _simplified(value: str | None, traditional: bool) -> str | None:
    return to_simplified(value) if value and traditional else value


def stated_date(cleaned: CleanPage) -> str | None:
    """The publication date the page itself states: its meta tags, a publish-time element, a 发布时间 label,
    a date on a header line."""
    meta = cleaned.meta
    for value in (meta.get("PubDate"), meta.get("firstpublishedtime"), meta.get("publishdate"),
                  meta.get("article:published_time"), meta.get("datePublished"), meta.get("publishtime")):
        found = meta_date(value)
        if found:
            return found
    return first_date(cleaned.labels.get("published")) or cleaned.header_date


def page_date(page: PageInput, cleaned: CleanPage) -> str | None:
    """The date the carrying page shows, else the date the list page showed beside its link, else the URL's."""
    return stated_date(cleaned) or iso_date(page.list_date) or url_date(page.url)


# A dateline under a title: the page's publication time with its source or author (2021-05-11 08:03:44 来源: 某某日报,
# 某某晚报 2020-05-20 19:47:05, • 2021-08-23, an aggregator's card row 某省某市 科技部门 2025-04-13 立即咨询, the
# heading a copy glued it to: 关于…的通知2024-05-06), short, no sentence, and not one of a run of time stamps (a
# sidebar's list a copy kept).
DATELINE_LINES = 5
DATELINE_CHARS = 80
STAMP_CHARS = 25  # a line no longer than a date with its time of day
CLOCK = re.compile(r"(?<!\d)[0-2]?\d:[0-5]\d(?!\d)")
SENTENCE_MARK = re.compile(r"[。，,；;！？]")


def _a_field(line: str, start: int, end: int) -> bool:
    """The date at line[start:end] is a field of a row of fields: written without spaces, white space or the
    line's ends around it, and the row no label:value line."""
    return (not re.search(r"\s", line[start:end]) and ":" not in line and "：" not in line
            and (start == 0 or line[start - 1].isspace()) and (end == len(line) or line[end].isspace()))


def _stamp(line: str) -> bool:
    """A line that is a date (and time) alone."""
    line = line.strip().lstrip("•·*|").strip()
    found = find_dates(line)
    return len(line) <= STAMP_CHARS and bool(found) and found[0].start == 0


def dateline_date(lines: list[str]) -> str | None:
    """The date of a dateline among the text's first lines: a line that is no sentence and opens with a date,
    holds a date with its time of day, holds one date as a field of a row of short fields, or closes the
    heading it was glued to; a stamp with another stamp next to it is a list's."""
    head = lines[:DATELINE_LINES + 1]
    for index, line in enumerate(head[:DATELINE_LINES]):
        line = line.strip().lstrip("•·*|").strip()
        if len(line) > DATELINE_CHARS or SENTENCE_MARK.search(line):
            continue
        if _stamp(line) and any(0 <= near < len(head) and _stamp(head[near]) for near in (index - 1, index + 1)):
            continue
        found = find_dates(line)
        if found and (found[0].start == 0 or CLOCK.search(line[found[0].end:])
                      or len(found) == 1 and _a_field(line, found[0].start, found[0].end)):
            return found[0].iso
        if found and dated_heading(line):
            return found[-1].iso
    return None


# The note under a law's or regulation's title saying when it was passed or issued: (1991年10月30日第七届全国人民
# 代表大会常务委员会第二十二次会议通过), (2019年5月6日某府令第12号公布 根据…修订).
NOTE_LINES = 8
TITLE_NOTE = re.compile(r"^[(（][^()（）]{0,120}?(?:通过|公布|发布|印发|颁布|批准)")


def title_note_date(lines: list[str]) -> str | None:
    """The date a title's note opens with, among the text's first lines (the first date: later ones are revisions)."""
    for line in lines[:NOTE_LINES]:
        line = line.strip()
        found = find_dates(line[:20])
        if found and found[0].start <= 2 and TITLE_NOTE.match(line):
            return found[0].iso
    return None


def publish_date(cleaned: CleanPage, signature: Signature | None, government: bool, lines: list[str]) -> str | None:
    """The issuing body's date: a 落款 naming its body, 成文日期, the date a title's note gives, a bare 落款 date,
    else the page's own date (a government page's meta tags and header, any page's 发布日期/发布时间 label or
    dateline under its title, as shared/LABELING.md counts it). Never a date read from the URL or the list page:
    the page decides, so a crawl and `policywatch extract` of one page give the same date."""
    written = first_date(cleaned.labels.get("written")) or title_note_date(lines)
    if signature and signature.issuers:
        return signature.date
    if written or signature:
        return written or signature.date
    stated = stated_date(cleaned) if government else first_date(cleaned.labels.get("published")) or cleaned.header_date
    return stated or dateline_date(lines)


def labelled_title(cleaned: CleanPage) -> str | None:
    """The title a 标题/文件名称 label states (an attribute table's, an aggregator's 政策名称), if it can be one."""
    value = cleaned.labels.get("title")
    return value if value and 6 <= len(value) <= MAX_TITLE and is_title(value) else None


def labelled_doc_number(cleaned: CleanPage) -> str | None:
    """The 文号 label's value, else a 来源 label that holds nothing but a document number (来源：财税〔2018〕120号)."""
    source = cleaned.labels.get("source")
    if cleaned.labels.get("doc_number") or not source:
        return cleaned.labels.get("doc_number")
    return source if normalise_doc_number(source) and len(fold_width(source).strip()) <= MAX_SOURCE_NUMBER else None


MAX_SOURCE_NUMBER = 40  # a 来源 longer than a number with its joint agencies says more than the number


def issuer(cleaned: CleanPage, signers: tuple[str, ...], titles: list[str], government: bool, text: str,
           made: tuple[str, str | None] | None = None) -> str | None:
    """The issuing bodies (lead first, joined with 、), by the evidence order of fields.signature; `titles`
    are the page's own title and the chosen one, read in that order."""
    def simplified(value: str | None) -> str:
        return fold_width(_simplified(value, cleaned.traditional) or "")

    labelled = org_value(simplified(cleaned.labels.get("issuer")))
    # a title the text says it forwards or issues (现将《X》转发给你们: a list link named the page by X) speaks for
    # X's issuer, not for the page's
    carried = policy_title(None, text)
    titled = next(filter(None, (title_issuers(simplified(title)) for title in titles
                                if not (carried and same_title(carried, simplified(title))))), [])
    sourced = government_bodies(org_value(simplified(cleaned.meta.get("ContentSource") or cleaned.labels.get("source"))))
    lines = text.split("\n")
    headed = red_head_issuers(lines)
    heading = text_heading(lines)
    beside = heading_issuers(lines, [*titles, heading] if heading else titles)
    # the title's speaker wrote the document; a 发布机构 may be the department that put it online (a district's
    # 发展改革委 carrying its 区委's 建议)
    # `made`: a regulation's promulgation note (某市人民政府令第128号公布), the government that made it
    order = [list(signers), headed, [made[0]] if made else [], titled, beside, labelled]
    interviewed = next(filter(None, (interview_issuers(simplified(title), text) for title in titles)), None)
    order += [closing_issuers(text), interviewed or interview_issuers(None, text)]
    order.append(sourced if government or not cleaned.meta.get("ContentSource") else [])
    # an aggregator's 作者 line naming a place's body (作者:某某区政府【转载】); a person or a desk is no issuer
    authored = government_bodies(org_value(simplified(cleaned.labels.get("editor"))))
    order.append(authored if authored and all(PLACE_HEAD.match(body) for body in authored) else [])
    found = next(filter(None, order), None)
    if not found:
        return None
    # a short form (市科技局, 某省政府) takes the full name the page writes elsewhere (落款, 来源, title, the heading
    # opening the text, a line naming a body)
    written = [*signers, *headed, *labelled, *titled, *beside, *sourced, *title_issuers(heading),
               *(body for line in lines if is_org_name(line) for body in split_orgs(line))]
    return "、".join(dict.fromkeys(full_name(body, written) for body in found))


def original_url(page: PageInput, cleaned: CleanPage) -> str | None:
    """The absolute 原文链接 of a repost (http/https only, never the page itself)."""
    if not cleaned.original_link:
        return None
    try:
        url = urljoin(page.url or "", cleaned.original_link.strip())
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc or url == page.url:
        return None
    return url


def listed_attachments(page: PageInput) -> list[dict[str, Any]]:
    """Attachment links the caller found on the page (the crawler fills its own list as it downloads)."""
    if page.text_only:
        return []
    return [dict(attachment) for attachment in page.attachments or []]


def _fields(page: PageInput, cleaned: CleanPage, record: dict[str, Any], budget: Budget) -> None:
    """Fill the extracted fields of `record` from the cleaned page, the optional ones while `budget` lasts."""
    display = to_simplified(cleaned.text) if cleaned.traditional else cleaned.text
    display, unread = readable_text(display)
    if unread:
        logger.warning("long text on %s [%s]: fields read from its first %d and last %d characters, %d unread",
                       page.url, page.source_id, READ_HEAD, READ_TAIL, unread)
        record["warnings"].append(f"text too long to read whole: fields read from its first {READ_HEAD} and "
                                  f"last {READ_TAIL} characters ({unread} characters unread)")
    pair = TextPair(display)
    lines = pair.work.split("\n")
    head = display.split("\n")
    # the titles as the page shows them keep a number closing them (…的通知(晋科函〔2019〕44号)), the page's own
    own_shown = heading_first(choose_title(cleaned.title_candidates, cleaned.page_title,
                                           cleaned.meta.get("ArticleTitle"), None), labelled_title(cleaned)) \
        or text_heading(head)
    title_shown = choose_title(cleaned.title_candidates, cleaned.page_title, cleaned.meta.get("ArticleTitle"),
                               page.list_title) if page.list_title else own_shown
    own_title = clean_title(own_shown)
    own_title = clean_title(heading_holding(head, own_title)) or own_title
    title = clean_title(title_shown) if page.list_title else own_title
    title = clean_title(heading_holding(head, title)) or title
    # Readers that take evidence from a title (issuers before 关于, 印发《X》, a closing 文号) read the page's
    # own title first, then the chosen one, then a heading holding the chosen one: a title the list page
    # confirmed never takes away what the page's headings say, so a crawl knows at least what
    # `policywatch extract` of the page knows.
    fuller = fuller_heading(cleaned.title_candidates, title) if title != own_title else None
    titles = [_simplified(t, cleaned.traditional) for t in dict.fromkeys((own_title, title, fuller)) if t]
    works = [fold_width(t) for t in titles]
    government = is_government(page, cleaned)
    signature = main_signature(lines)
    shown = page_date(page, cleaned)
    published = publish_date(cleaned, signature, government, lines)
    carried = next(filter(None, (policy_title(t, "") for t in titles)), None) \
        or policy_title(_simplified(title, cleaned.traditional), display)
    labelled_number = fold_width(_simplified(labelled_doc_number(cleaned), cleaned.traditional) or "")
    numbered = [*(fold_width(_simplified(t, cleaned.traditional)) for t in dict.fromkeys((own_shown, title_shown)) if t),
                *works]
    own = next(filter(None, (own_doc_number(labelled_number, lines, work) for work in numbered)), None) \
        if numbered else own_doc_number(labelled_number, lines, "")
    made = promulgation(lines)
    own = own or (made[1] if made else None)
    record.update({
        "title": single_line(title or carried),  # a wrapper's text names the document it issues
        "policy_title": single_line(carried),
        "issuer": single_line(issuer(cleaned, signature.issuers if signature else (), titles, government, pair.work,
                                             made)),
        "publish_date": published,
        "page_date": shown,
        "doc_number": own,
        "original_url": original_url(page, cleaned),
    })
    # The optional readers, in order of use to a reader of the feed; each starts only while the budget lasts.
    optional: tuple[tuple[str, Callable[[], Any]], ...] = (
        ("effective_date", lambda: effective_date(pair.work, published)),
        ("expiry_date", lambda: expiry_date(pair.work, record["effective_date"])),
        ("period", lambda: period([fold_width(_simplified(carried, cleaned.traditional) or ""), *works],
                                  pair.work)),
        ("deadlines", lambda: deadlines(pair.work)),
        ("incentives", lambda: incentives(pair)),
        ("cited_doc_numbers", lambda: cited_doc_numbers([*works, pair.work], own)),
        ("targets", lambda: targets(pair)),
        ("responsible_units", lambda: responsible_units(pair)),
        ("contact_phone", lambda: contact_phone(lines, cleaned.furniture_phones)),
    )
    skipped = []
    for name, read in optional:
        if budget.spent():
            skipped.append(name)
        else:
            record[name] = read()
    if skipped:
        logger.warning("processing budget of %ss spent on %s [%s]: skipped %s", budget.seconds, page.url,
                       page.source_id, ", ".join(skipped))
        record["warnings"].append(f"processing budget of {budget.seconds}s spent: {', '.join(skipped)} not read")


def extract_record(page: PageInput, budget: Budget | None = None) -> dict[str, Any]:
    """The record for one page (fields this module cannot establish, or had no `budget` left for, stay None or [])."""
    budget = budget or Budget()
    cleaned = clean_page(page.html, page.content_selector, text_only=page.text_only)
    record = empty_record()
    hint = page.source_hint or {}
    record.update({
        "url": page.url,
        "canonical_url": page.url,
        "source_id": page.source_id,
        "source_kind": page.source_kind,
        "fetched_at": page.fetched_at,
        "text": cleaned.text or None,
        "original_text": cleaned.original_text,
        "content_hash": content_hash(cleaned.text) if cleaned.text else None,
        "warnings": list(cleaned.warnings),
        "attachments": listed_attachments(page),
    })
    if page.source_kind == "government":
        record.update({"province": hint.get("province"), "city": hint.get("city"), "level": hint.get("level")})
    _fields(page, cleaned, record, budget)
    if any("剩余内容已隐藏" in line or "查看全文" in line for line in cleaned.dropped_lines):
        record["warnings"].append("part of the text is hidden behind a login on this page")
    if record["title"] is None:
        record["warnings"].append("no title found")
    logger.debug("extracted %s [%s]: %d chars, %d incentives, %d warnings", page.url, page.source_id,
                 len(cleaned.text), len(record["incentives"]), len(record["warnings"]))
    return record
