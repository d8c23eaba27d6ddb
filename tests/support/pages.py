"""The labelled pages under tests/fixtures/pages: each saved page (raw bytes as served) with a JSON of its URL,
labelled fields and the lines its clean text must and must not contain."""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pipelines.extract import PageInput, extract_record
from pipelines.text.decode import decode_html
from pipelines.text.normalise import to_simplified

ROOT = Path(__file__).resolve().parent.parent.parent
PAGES = ROOT / "tests" / "fixtures" / "pages"


@dataclass
class Fixture:
    """One labelled page."""

    name: str
    path: Path
    meta: dict[str, Any]

    @property
    def content(self) -> str:
        """The page decoded as the crawler decodes it (plain text pages as UTF-8)."""
        body = self.path.read_bytes()
        if self.meta.get("text_only"):
            return body.decode("utf-8")
        return decode_html(body, self.meta.get("header_charset"))[0]

    def skip_unless_supported(self) -> None:
        """Skip a page whose reading needs an optional library that is not installed."""
        for module in self.meta.get("requires", []):
            pytest.importorskip(module, reason=f"{self.name} needs {module}")

    def page_input(self) -> PageInput:
        """The page as the crawler would hand it to processing."""
        return PageInput(url=self.meta["url"], html=self.content, source_id=self.meta.get("source_id"),
                         source_kind=self.meta.get("source_kind"), text_only=bool(self.meta.get("text_only")))


def load_fixtures() -> list[Fixture]:
    """Every labelled page under tests/fixtures/pages."""
    out = []
    for meta_path in sorted(PAGES.rglob("*.json")):
        raw = [p for p in meta_path.parent.glob(meta_path.stem + ".*") if p.suffix in (".html", ".htm", ".txt")]
        if raw:
            name = f"{meta_path.parent.name}/{meta_path.stem}"
            out.append(Fixture(name, raw[0], json.loads(meta_path.read_text(encoding="utf-8"))))
    return out


def comparable(field: str, value: Any) -> Any:
    """A record value in the form labels give it (incentives and targets as multisets of their numbers)."""
    if field == "incentives":
        return Counter((i["amount_wan"], i["amount_max_wan"], i["kind"]) for i in value)
    if field == "targets":
        return Counter((t["value"], t["unit"], t["year"]) for t in value)
    return value


def squeeze(text: str) -> str:
    """Text without white space, in Simplified characters (lines are compared this way: the text of a page in
    Traditional characters is kept Simplified, its original in `original_text`)."""
    return re.sub(r"\s+", "", to_simplified(text))


FIXTURES = load_fixtures()


def by_name(name: str) -> Fixture:
    return next(f for f in FIXTURES if f.name == name)


def text_record(text: str, kind: str = "aggregator", url: str = "https://zc.example.com/p/1.html") -> dict:
    """The record extracted from `text` served as a page's plain text (a repost of `kind`)."""
    return extract_record(PageInput(url=url, html=text, text_only=True, source_kind=kind))


def html_record(text: str, kind: str = "aggregator", url: str = "https://zc.example.com/p/1.html") -> dict:
    """The record extracted from `text` served as an HTML page with one paragraph a line and no <title> (a repost
    of `kind` that kept only its text, as the crawl fetches it)."""
    from bench.realweb import mirror_html  # the page bench/realweb.py serves a .txt page as

    return extract_record(PageInput(url=url, html=mirror_html(text), source_kind=kind))
