"""Feeds by URL, as RSSHub users expect them: `/feeds?province=湖南&topic=hitech-enterprise&open=1`.

The query string is the filter language (feeds/filters.py): each key may repeat or hold a comma list
(`province=湖南,广东`), a key without a value is a switch (`open`, `incentives`); `limit` caps the entries
(default 100, at most 500) and `format` picks RSS (default), Atom, JSON Feed 1.1 or an iCalendar of the
deadlines (`/feeds.atom?…`, `/feeds.json?…`, `/feeds.ics?…` say the same). Policies are read from the
database at each request, so a new crawl shows at once, without a rebuild; `policywatch serve` answers
these URLs (with gzip and conditional GET) when it is given the database.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from sqlite_utils import Database

from feeds.calendar import CalendarRenderer, calendar_events
from feeds.deadlines import run_day, today_in_beijing
from feeds.filters import FilterError, PolicyFilter
from feeds.publish import (DEFAULT_BASE_URL, FeedSpec, NO_DATE, POLICY_URN, EntryRenderer, entry_categories,
                           calendar_name, entry_title, feed_order, feed_urls, published_at, render_feed,
                           select_entries, updated_at)
from storage.published import PolicyEntry, policy_entries

FORMATS = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
    "ics": "text/calendar; charset=utf-8",
}
DEFAULT_QUERY_LIMIT = 100
MAX_QUERY_LIMIT = 500
CONTROL_KEYS = ("format", "limit")
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


class QueryError(ValueError):
    """A feed URL that cannot be answered (unknown key, bad value, unknown format): one line, for a 400."""


@dataclass(frozen=True)
class FeedQuery:
    """A feed asked for by URL: its filter, format and size."""

    filter: PolicyFilter
    format: str = "rss"
    limit: int = DEFAULT_QUERY_LIMIT

    @property
    def content_type(self) -> str:
        return FORMATS[self.format]

    @property
    def key(self) -> str:
        """A stable name for this query (same filter, format and limit: same key)."""
        canonical = json.dumps([self.filter.to_mapping(), self.format, self.limit], ensure_ascii=False,
                               sort_keys=True)
        return hashlib.sha1(canonical.encode("utf-8")).hexdigest()[:12]


def parse_query(query: str, fmt: str | None = None) -> FeedQuery:
    """The feed a query string asks for; `fmt` is the format a path suffix named (it wins over `format=`)."""
    data: dict[str, Any] = {}
    control: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key in CONTROL_KEYS:
            control[key] = value
            continue
        values = [v.strip() for v in value.replace("，", ",").split(",") if v.strip()]
        data.setdefault(key, []).extend(values or ["true"])
    words = []
    for key, values in data.items():
        words.extend(f"{key}={value}" for value in values)
    try:
        wanted = PolicyFilter.parse(" ".join(words)) if words else PolicyFilter()
    except FilterError as exc:
        raise QueryError(str(exc)) from None
    chosen = (fmt or control.get("format") or "rss").lower()
    if chosen not in FORMATS:
        raise QueryError(f"format: one of {', '.join(FORMATS)}, got {chosen!r}")
    try:
        limit = int(control.get("limit") or DEFAULT_QUERY_LIMIT)
    except ValueError:
        raise QueryError(f"limit: a number, got {control['limit']!r}") from None
    if not 1 <= limit <= MAX_QUERY_LIMIT:
        raise QueryError(f"limit: 1 to {MAX_QUERY_LIMIT}, got {limit}")
    return FeedQuery(wanted, chosen, limit)


def render_query(db: Database, query: FeedQuery, *, self_url: str, base_url: str = DEFAULT_BASE_URL,
                 now: datetime | None = None) -> tuple[bytes, datetime]:
    """The feed's bytes and its last change (the newest entry's update), read from the database now."""
    today = run_day(now) if now is not None else today_in_beijing()
    entries = feed_order(policy_entries(db))
    title = query.filter.describe() or "全部政策"
    spec = FeedSpec(slug=f"query-{query.key}", title=title, description=f"policywatch 筛选：{title}",
                    filter=query.filter, group="query")
    if query.format == "ics":
        events = calendar_events((e for e in entries if e.deadlines and query.filter.matches(e, today)), today)
        data = CalendarRenderer().render(calendar_name(spec), spec.description, events,
                                         page_url=feed_urls(base_url, spec.slug)[2], self_url=self_url)
        changed = max((updated_at(e) for e in entries if e.deadlines and query.filter.matches(e, today)),
                      default=NO_DATE)
        return data, changed
    chosen = select_entries(spec, entries, query.limit, today)
    changed = max((updated_at(entry) for entry in chosen), default=NO_DATE)
    renderer = EntryRenderer(today)
    if query.format == "json":
        return json_feed(spec, chosen, renderer, self_url=self_url, base_url=base_url), changed
    rss, atom = render_feed(spec, chosen, base_url, renderer, NO_DATE, self_url=self_url)
    return (rss if query.format == "rss" else atom), changed


def json_feed(spec: FeedSpec, entries: list[PolicyEntry], renderer: EntryRenderer, *, self_url: str,
              base_url: str = DEFAULT_BASE_URL) -> bytes:
    """A JSON Feed 1.1 document (https://jsonfeed.org/version/1.1) of `entries`, as the RSS feed lists them."""
    items = []
    for entry in entries:
        shown, summary, content = renderer.render(entry)
        item: dict[str, Any] = {
            "id": POLICY_URN + entry.policy_id, "title": entry_title(entry), "content_html": content,
            "summary": summary, "date_published": published_at(entry).isoformat(),
            "date_modified": updated_at(entry).isoformat(),
            "tags": [category["term"] for category in entry_categories(shown)],
        }
        if shown["link"]:
            item["url"] = shown["link"]
        if shown["issuer"]:
            item["authors"] = [{"name": shown["issuer"]}]
        items.append(item)
    document = {"version": JSON_FEED_VERSION, "title": f"policywatch · {spec.title}",
                "home_page_url": feed_urls(base_url, spec.slug)[2], "feed_url": self_url,
                "description": spec.description, "language": "zh-CN", "items": items}
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
