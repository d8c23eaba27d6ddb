"""Types and helpers shared by the site-family modules.

A family module turns one fetched list page (HTML, XML or JSON) into the
article links it shows and the request for the next list page.  Requests carry
a JSON-serialisable ``context`` so that the parse of the next page knows what
the previous one learned (totals, form fields, page size).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from html import unescape
from typing import Any

from core.clock import BEIJING
from crawler.discovery import ArticleLink, ListHints, discover_next_page, find_date



@dataclass(frozen=True)
class PageRequest:
    """The next list page to fetch."""

    url: str
    method: str = "GET"
    formdata: dict[str, str] | None = None  # urlencoded POST body
    context: dict = field(default_factory=dict)  # carried to the parse of that page (JSON-serialisable)


@dataclass(frozen=True)
class ListPage:
    """What one list page gave: its article links and the next page, if any."""

    links: list[ArticleLink]
    next_request: PageRequest | None


def load_json(text: str) -> Any | None:
    """The JSON document in text, or None when text is not JSON."""
    if not isinstance(text, str):
        return None
    stripped = text.strip().lstrip("\ufeff")
    if not stripped.startswith(("{", "[")):
        return None
    try:
        return json.loads(stripped)
    except (ValueError, RecursionError):
        return None


def date_from_epoch(value: object) -> str | None:
    """A Beijing calendar date from epoch seconds or milliseconds (number or digit string)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and re.fullmatch(r"\s*\d{9,13}\s*", value):
        value = int(value)
    if not isinstance(value, (int, float)) or value <= 0:
        return None
    seconds = value / 1000 if value > 1e11 else value
    try:
        return datetime.fromtimestamp(seconds, BEIJING).date().isoformat()
    except (OverflowError, OSError, ValueError):
        return None


def date_from_value(value: object) -> str | None:
    """A date from an API field: epoch seconds/milliseconds or a date string."""
    return date_from_epoch(value) or (find_date(value) if isinstance(value, str) else None)


_TAG = re.compile(r"<[^>]+>")


def plain_text(value: object) -> str:
    """An API string without markup (search APIs wrap hits in ``<em>``), whitespace collapsed."""
    if not isinstance(value, str):
        return ""
    return re.sub(r"\s+", " ", unescape(_TAG.sub("", value))).strip()


def as_int(value: object) -> int | None:
    """An int from an int or a digit string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def generic_next_request(text: str, url: str, hints: ListHints | None, family: str | None) -> PageRequest | None:
    """A GET for the next page the generic pagination finds, keeping the family in the context."""
    next_url = discover_next_page(text, url, hints)
    if next_url is None:
        return None
    return PageRequest(next_url, context={"family": family} if family else {})
