"""Pages as dedup reads them: the record fields compared, their view and their fingerprint."""
from __future__ import annotations

from collections import OrderedDict

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from pipelines.dedup.config import DedupConfig, SCHEME
from pipelines.dedup.minhash import band_hashes, gram_hashes, minhash, shingle_hashes
from pipelines.dedup.normalise import normalise_line, prepare_text, sentence_units, strip_to_words, text_hash
from pipelines.dedup.urls import url_match_key
from pipelines.fields.doc_number import heading_doc_number


HEAD_CHARS = 400  # where a page's own number heads its text
GENRES = (
    ("interpretation", re.compile(r"解读|一图读懂|一图看懂|图解|答记者问|问答|图文")),
    ("list", re.compile(r"公示|名单|结果公告|评审结果")),
    # a consultation notice (关于公开征求《X》意见的公告) carries the draft, whatever the text calls it
    ("draft", re.compile(r"征求意见稿|草案|送审稿|征求.{0,60}意见")),
)
DRAFT = re.compile(r"征求意见稿|草案|送审稿")  # in a text's first lines: a final version may say it 征求了意见
# What a page's own text says it is when its title does not: a news report carries a dateline (新华社北京
# 2月18日电, 本报讯) or, a repost having dropped it, its lead (国务院办公厅日前印发《…》) and reported speech of
# the document by its short name (《意见》强调，), a question-and-answer page its 问/答 marks, an interpretation its
# 起草背景 / 出台背景 / 政策亮点 headings, a draft its 征求意见稿 near the top. A policy document carries none of
# them (it says 本办法, and 现将《…》印发给你们), so a report or an answer quoting a policy is kept apart from it.
SHORT_NAME = r"《(?:意见|通知|办法|方案|规划|措施|计划|纲要|决定|细则|公告)》"
TEXT_GENRES = (
    ("news", re.compile(r"\d{1,2}月\d{1,2}日电|本报讯|[(（]记者|(?:日前|近日)(?:联合)?(?:印发|发布|出台)了?《"
                        rf"|(?:^|[。\n]){SHORT_NAME}(?:指出|强调|提出|明确)[,，]")),
    ("interpretation", re.compile(r"【问题】|【回答】|(?:^|\n)\s*问\s*[:：][^\n]*\n\s*答\s*[:：]"
                                  r"|(?:起草|出台|制定)的?(?:背景|过程)|政策亮点")),
)
GENRE_TEXT_CHARS = 1500  # a page's head: where its own dateline or marks are (not a sidebar's further down)
DRAFT_HEAD_LINES = 4
TITLE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# A page's heading: a line among its first ones (after a spam header, a breadcrumb or a document site's counters)
# that reads as a title, not as a sentence, an addressee line or a date: how a copy without a <title> names itself.
HEADING_LINES = 10
TITLE_KEY_CHARS = 120  # a title key's length at most; a longer line heading a text is a paragraph
HEADING_MIN_HAN = 8
# not a title: a sentence, an addressee line (各区县科技局：), a page's date or source line (发布时间：… 来源：…)
NOT_HEADING = re.compile(r"[。；;！!？?]|[：:]\s*$|\d{1,2}月\d{1,2}日|(?:来源|发布|时间|日期|作者|编辑|浏览|点击|字号|索引号)\s*[：:]")
# a news headline's kicker (三部门：, 国务院常务会议：) on a line of its own reads with the line after it
KICKER = re.compile(r"^(?!各)[^。；;！!？?：:]{1,12}[：:]$")
HAN = re.compile(r"[\u4e00-\u9fff]")
ORG_SPLIT = re.compile(r"[、,，\s]+")


@dataclass
class Page:
    """A stored document as dedup sees it (the record's fields that matter)."""

    url: str
    text: str
    source_kind: str | None = None
    source_id: str | None = None
    title: str | None = None
    policy_title: str | None = None
    issuer: str | None = None
    doc_number: str | None = None
    publish_date: str | None = None
    page_date: str | None = None
    first_seen: str | None = None
    original_url: str | None = None
    document_id: int | None = None

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> "Page":
        """A Page from a record or a documents row (unknown keys ignored)."""
        names = cls.__dataclass_fields__
        values = {k: record.get(k) for k in names if k in record and k != "document_id"}
        values["text"] = values.get("text") or ""
        values["document_id"] = record.get("document_id", record.get("id"))
        return cls(**values)

    @property
    def government(self) -> bool:
        """Whether the page is on a government source."""
        return self.source_kind == "government"


PAGE_FIELDS = tuple(Page.__dataclass_fields__)


@dataclass
class PageView:
    """A page prepared for comparison: prepared text, shingle set and keys computed once."""

    page: Page
    prepared: str
    shingles: np.ndarray
    norm_hash: str
    doc_number: str | None
    url_key: str | None
    original_key: str | None
    normalised: str = ""
    _units: list[str] | None = None
    _genre: str | None = None
    _headings: list[str] | None = None

    @property
    def units(self) -> list[str]:
        """Sentence units (computed on first use: only verification of a close candidate needs them)."""
        if self._units is None:
            self._units = sentence_units(self.prepared)
        return self._units

    @property
    def genre(self) -> str:
        """What the page is (see `page_genre`), computed on first use."""
        if self._genre is None:
            self._genre = page_genre(self.page.title, self.prepared)
        return self._genre

    @property
    def headings(self) -> list[str]:
        """The title-like lines heading the text (see `text_headings`), computed on first use."""
        if self._headings is None:
            self._headings = text_headings(self.prepared)
        return self._headings


@dataclass
class Fingerprint:
    """What is stored per document to find its duplicates again without recomputing."""

    scheme: str
    norm_hash: str
    shingle_count: int
    signature: bytes
    bands: list[int]
    url_key: str | None
    original_key: str | None
    doc_number: str | None
    title_key: str | None
    sentences: list[int] = field(default_factory=list)  # passage keys: shared by copies however they are cut


def passage_keys(view: PageView, config: DedupConfig) -> list[int]:
    """The page's first sampled `passage_gram`-grams: each gram whose hash falls in one of `passage_sample`
    buckets (distinct, in text order, at most `passage_keys`).

    The sample depends on the text alone, so two pages sharing a passage share its sampled grams wherever
    the passage sits. A truncated copy, a slice of a long page, a summary that re-orders sentences or
    clauses, a copy stuffed with keywords every few characters all keep runs of eight characters of their
    original, and so share keys with it even when their 5-gram sets are far apart: these find the
    candidates the MinHash bands miss."""
    grams = gram_hashes(view.normalised, config.passage_gram)
    if len(view.normalised) < config.passage_gram:
        return []
    keys: list[int] = []
    for value in grams[grams % config.passage_sample == 0].tolist():
        if value not in keys:
            keys.append(value)
            if len(keys) >= config.passage_keys:
                break
    return keys


def own_doc_number(page: Page) -> str | None:
    """The page's own 发文字号, normalised: the record's, else one the head of its text shows as its own (standing
    alone or glued to the title: `heading_doc_number`; a number a citation on the first lines carries is not)."""
    if page.doc_number:
        return normalise_line(page.doc_number) or None
    number = heading_doc_number(page.text[:HEAD_CHARS].split("\n"))
    return (normalise_line(number) or None) if number else None


def title_key(page: Page) -> str | None:
    """The normalised policy title (the 《X》 a 通知 印发s), else the page title."""
    title = page.policy_title or page.title
    return (normalise_line(title)[:TITLE_KEY_CHARS] or None) if title else None


def text_headings(prepared: str) -> list[str]:
    """The lines among the text's first `HEADING_LINES` that read as a title (no sentence end, not an addressee
    line, at least `HEADING_MIN_HAN` Chinese characters; after a kicker line, also the two read as one),
    normalised as `title_key` normalises a title."""
    lines = [line.strip() for line in prepared.split("\n") if line.strip()][:HEADING_LINES]
    headings = []
    for before, line in zip([""] + lines, lines):
        key = strip_to_words(line)
        if len(key) > TITLE_KEY_CHARS or NOT_HEADING.search(line) or len(HAN.findall(key)) < HEADING_MIN_HAN:
            continue
        for heading in ([strip_to_words(before) + key] if KICKER.match(before) else []) + [key]:
            if heading not in headings:
                headings.append(heading)
    return headings


# Stored candidates a crawl compares new pages with again and again (each source's recent pages, a site's
# template): about 16 KB a view for a text of 1,200 characters, 4-15 MB for all.
VIEW_CACHE_SIZE = 256
_views: "OrderedDict[tuple, PageView]" = OrderedDict()


def page_view(page: Page, config: DedupConfig | None = None) -> PageView:
    """A PageView of `page`; the views of the last VIEW_CACHE_SIZE pages are kept (keyed by every field of the
    page and the config), as a stored page is compared with many new ones."""
    config = config or DedupConfig()
    key = (repr(config), *(getattr(page, name) for name in PAGE_FIELDS))
    cached = _views.get(key)
    if cached is not None:
        _views.move_to_end(key)
        return cached
    view = _page_view(page, config)
    _views[key] = view
    if len(_views) > VIEW_CACHE_SIZE:
        _views.popitem(last=False)
    return view


def _page_view(page: Page, config: DedupConfig) -> PageView:
    prepared = prepare_text(page.text)
    normalised = strip_to_words(prepared)
    rules = config.url_rules.get(page.source_id or "")
    return PageView(page=page, prepared=prepared, shingles=shingle_hashes(normalised, config.shingle_size),
                    norm_hash=text_hash(normalised), doc_number=own_doc_number(page),
                    url_key=url_match_key(page.url, rules), original_key=url_match_key(page.original_url),
                    normalised=normalised)


def fingerprint_scheme(config: DedupConfig) -> str:
    """The recipe a fingerprint was made with (stored beside it)."""
    return f"{SCHEME}; k{config.shingle_size} p{config.num_perm} b{config.bands}"


def fingerprint(view: PageView | Page, config: DedupConfig | None = None) -> Fingerprint:
    """The page's stored keys: exact hash, MinHash and band hashes, URL keys, doc_number, title key."""
    config = config or DedupConfig()
    if isinstance(view, Page):
        view = page_view(view, config)
    signature = minhash(view.shingles, config.num_perm)
    # an empty text has no bands: its all-maximum signature would collide with every other empty page
    bands = band_hashes(signature, config.bands) if len(view.shingles) else []
    return Fingerprint(
        scheme=fingerprint_scheme(config), norm_hash=view.norm_hash, shingle_count=int(len(view.shingles)),
        signature=signature.tobytes(), bands=bands, url_key=view.url_key,
        original_key=view.original_key, doc_number=view.doc_number, title_key=title_key(view.page),
        sentences=passage_keys(view, config))


def genre(title: str | None) -> str:
    """'interpretation' (解读, 一图读懂…), 'list' (公示, 名单) or 'document', from a title."""
    work = normalise_line(title or "")
    for name, pattern in GENRES:
        if pattern.search(work):
            return name
    return "document"


def page_genre(title: str | None, prepared: str) -> str:
    """The title's genre; for a title that names none (or no title), what the text's head shows: 'news',
    'interpretation' (问/答, 起草背景), 'draft' (征求意见稿 in its first lines) or 'document'."""
    named = genre(title)
    if named != "document":
        return named
    head = prepared[:GENRE_TEXT_CHARS]
    for name, pattern in TEXT_GENRES:
        if pattern.search(head):
            return name
    return "draft" if DRAFT.search("\n".join(head.split("\n", DRAFT_HEAD_LINES)[:DRAFT_HEAD_LINES])) else "document"


def title_years(title: str | None) -> set[str]:
    """Years written in a title (2024年度, 2023—2025年)."""
    return set(TITLE_YEAR.findall(unicodedata.normalize("NFKC", title or "")))


def issuers(value: str | None) -> set[str]:
    """The issuing bodies of an `issuer` field, normalised."""
    return {normalise_line(part) for part in ORG_SPLIT.split(value or "") if normalise_line(part)}
