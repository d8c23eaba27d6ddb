"""Pages as dedup reads them: the record fields compared, their view and their fingerprint."""
from __future__ import annotations

import re
import unicodedata
import hashlib
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from pipelines.dedup.config import DedupConfig, SCHEME
from pipelines.dedup.minhash import band_hashes, minhash, shingle_hashes
from pipelines.dedup.normalise import normalise_line, prepare_text, sentence_units, strip_to_words, text_hash
from pipelines.dedup.urls import url_match_key


DOC_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,16}(?:19|20)\d{2}\d{1,4}号")
GENRES = (
    ("interpretation", re.compile(r"解读|一图读懂|一图看懂|图解|答记者问|问答|图文")),
    ("list", re.compile(r"公示|名单|结果公告|评审结果")),
)
TITLE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
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
    _units: list[str] | None = None

    @property
    def units(self) -> list[str]:
        """Sentence units (computed on first use: only verification of a close candidate needs them)."""
        if self._units is None:
            self._units = sentence_units(self.prepared)
        return self._units


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
    sentences: list[int] = field(default_factory=list)  # sentence keys: shared by copies however they are cut


def sentence_keys(view: PageView, config: DedupConfig) -> list[int]:
    """Stable 63-bit hashes of the page's first long sentence units (distinct, in text order).

    A truncated copy, a slice of a long page and a re-ordered summary share whole sentences with their
    original even when their 5-gram sets are far apart, so these find candidates the MinHash bands miss."""
    keys: list[int] = []
    for unit in view.units:
        if len(unit) >= config.sentence_min_chars:
            key = int.from_bytes(hashlib.blake2b(unit.encode("utf-8"), digest_size=8).digest(), "big") >> 1
            if key not in keys:
                keys.append(key)
                if len(keys) >= config.sentence_keys:
                    break
    return keys


def own_doc_number(page: Page, prepared: str | None = None) -> str | None:
    """The page's own 发文字号, normalised: the record's, else one heading the text's first lines."""
    if page.doc_number:
        return normalise_line(page.doc_number) or None
    head = (prepared if prepared is not None else prepare_text(page.text[:400])).split("\n", 4)[:4]
    for line in head:
        found = DOC_NUMBER.match(strip_to_words(line))
        if found:
            return found.group(0)
    return None


def title_key(page: Page) -> str | None:
    """The normalised policy title (the 《X》 a 通知 印发s), else the page title."""
    title = page.policy_title or page.title
    return (normalise_line(title)[:120] or None) if title else None


def page_view(page: Page, config: DedupConfig | None = None) -> PageView:
    """A PageView of `page`."""
    config = config or DedupConfig()
    prepared = prepare_text(page.text)
    normalised = strip_to_words(prepared)
    rules = config.url_rules.get(page.source_id or "")
    return PageView(page=page, prepared=prepared, shingles=shingle_hashes(normalised, config.shingle_size),
                    norm_hash=text_hash(normalised), doc_number=own_doc_number(page, prepared),
                    url_key=url_match_key(page.url, rules), original_key=url_match_key(page.original_url))


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
        sentences=sentence_keys(view, config))


def genre(title: str | None) -> str:
    """'interpretation' (解读, 一图读懂…), 'list' (公示, 名单) or 'document', from a title."""
    work = normalise_line(title or "")
    for name, pattern in GENRES:
        if pattern.search(work):
            return name
    return "document"


def title_years(title: str | None) -> set[str]:
    """Years written in a title (2024年度, 2023—2025年)."""
    return set(TITLE_YEAR.findall(unicodedata.normalize("NFKC", title or "")))


def issuers(value: str | None) -> set[str]:
    """The issuing bodies of an `issuer` field, normalised."""
    return {normalise_line(part) for part in ORG_SPLIT.split(value or "") if normalise_line(part)}
