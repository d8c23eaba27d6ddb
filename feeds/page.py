"""The static index page, and the display helpers it shares with feed entries.

Deadlines are shown with their state on the publish run's day (feeds/deadlines.py); the page's filters
(words, region, city, topic, type, amount, open calls) run in the browser and keep their choice in the
page's address, so a filtered view can be shared.

Everything a page shows comes from crawled pages, so it is treated as hostile: Jinja2
autoescapes every value, text loses control characters (CR/LF, NUL, terminal escapes),
links keep only absolute http(s) addresses (pipelines.sanitize.safe_href), and the one
inline script is pinned by a Content-Security-Policy hash.
"""
from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Any, Iterable

from jinja2 import Environment, PackageLoader, select_autoescape
from lxml import html as lxml_html

from feeds.deadlines import call_status, deadline_states, is_open
from feeds.excerpt import excerpt
from feeds.filters import city_of
from pipelines.classify.vocabulary import load_vocabulary
from pipelines.sanitize import safe_href, sanitised_html
from storage.published import PolicyEntry

NATIONAL = "全国"
NOT_XML_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u2028\u2029]")
AMOUNT_CHOICES = (10, 50, 100, 500, 1000, 5000)      # the page's minimum-amount choices, in 万元
# the page's groups of feed links: the feed groups each lists (a province's cities follow it under 按地区)
FEED_GROUPS = ((("standard",), "全部"), (("province", "city"), "按地区"), (("topic",), "按主题"),
               (("config",), "自定义筛选"))


@dataclass(frozen=True)
class FeedLink:
    """A published feed as the page links to it (paths relative to the output folder)."""

    slug: str
    title: str
    description: str
    group: str          # "standard", "province", "city", "topic" or "config"
    rss_path: str
    atom_path: str
    entries: int
    ics_path: str = ""  # the feed's calendar of application deadlines
    events: int = 0     # deadlines in that calendar


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja2 environment for feeds/templates (autoescape on for HTML, trimmed blocks)."""
    env = Environment(loader=PackageLoader("feeds", "templates"),
                      autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["href"] = lambda url: safe_href(url, None)
    return env


def clean_text(text: str | None) -> str:
    """Text safe to put in XML/HTML once escaped: no control characters, no lone surrogates."""
    return NOT_XML_TEXT.sub(" ", text or "")


def one_line(text: str | None) -> str:
    """Clean text on one line (titles, names): CR/LF, tabs and runs of spaces folded."""
    return re.sub(r"\s+", " ", clean_text(text)).strip()


def sanitised_fragment(html: str) -> str:
    """Rendered HTML passed through the page sanitiser too: a second line of defence behind autoescaping."""
    if not html.strip():
        return ""
    return sanitised_html(lxml_html.fragment_fromstring(html, create_parent="div"))


def amount_text(amount_wan: float | None) -> str | None:
    """An amount in 万元 as people write it: 30万元, 1.5亿元."""
    if amount_wan is None:
        return None
    if amount_wan >= 10000:
        return f"{amount_wan / 10000:g}亿元"
    return f"{amount_wan:g}万元"


def region_of(entry: PolicyEntry) -> str:
    """The filter value of a policy's region: its province, 全国 for national policies, else ''."""
    if entry.level == "national" and not entry.province:
        return NATIONAL
    return entry.province or ""


def region_text(entry: PolicyEntry) -> str:
    """Province, city and county joined (湖南省 长沙市), 全国, or ''."""
    return " ".join(dict.fromkeys(filter(None, (entry.province, entry.city, entry.county)))) or region_of(entry)


def topic_labels(slugs: Iterable[str]) -> list[str]:
    """Labels of topic slugs (unknown slugs shown as they are)."""
    labels = {topic.slug: topic.label for topic in load_vocabulary().topics}
    return [labels.get(slug, slug) for slug in slugs]


def other_pages(entry: PolicyEntry) -> list[dict[str, str]]:
    """The policy's pages other than the canonical one that have an http(s) address, each with the name of its
    source (华夏泰科 政策资讯; its id when the source is not configured, its address when it has neither)."""
    pages = []
    for page in entry.pages:
        url = safe_href(page["url"], None)
        if url and not page["is_canonical"] and url != entry.canonical_url:
            source = one_line(page.get("source_name")) or one_line(page["source_id"]) or url
            pages.append({"url": url, "source": source})
    return pages


def display(entry: PolicyEntry, today: date) -> dict[str, Any]:
    """What a reader sees of a policy: cleaned text, labels, amounts, deadlines with their state on `today`
    (the run's Beijing date), safe links."""
    states = deadline_states(entry.deadlines, today)
    return {
        "id": entry.policy_id,
        "title": one_line(entry.title) or entry.policy_id,
        "link": safe_href(entry.canonical_url, None),
        "issuer": one_line(entry.issuer),
        "doc_number": one_line(entry.doc_number),
        "date": entry.publish_date or "",
        "region": region_of(entry),
        "region_text": region_text(entry),
        "doc_type": entry.doc_type or "",
        "topics": list(entry.topics),
        "topic_labels": topic_labels(entry.topics),
        "amount": amount_text(entry.max_amount_wan),
        "incentive_count": len(entry.incentives),
        "deadlines": list(entry.deadlines),
        "deadline": max(entry.deadlines) if entry.deadlines else "",
        "deadline_states": [replace(state, deadline=one_line(state.deadline)) for state in states],
        "call": call_status(entry.deadlines, today),
        "open": is_open(entry.deadlines, today),
        "as_of": today.isoformat(),
        "city": city_of(entry) or "",
        "amount_wan": entry.max_amount_wan,
        "period": entry.period or "",
        "excerpt": one_line(excerpt(entry.text_head, entry.title)),
        "updated": bool(entry.updated_at),
        "update_summary": one_line(entry.update_summary if isinstance(entry.update_summary, str) else ""),
        "also_at": other_pages(entry),
    }


@lru_cache(maxsize=1)
def filter_script() -> tuple[str, str]:
    """The page's filter script and its CSP hash ('sha256-…')."""
    script = environment().get_template("filters.js.j2").render()
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return script, f"sha256-{digest}"


def render_index(entries: list[PolicyEntry], feeds: list[FeedLink], title: str = "policywatch", *,
                 today: date) -> str:
    """index.html: the policies as a table (newest first) with their deadlines' state on `today` (the run's
    Beijing date), filters (region, city, topic, type, amount, open calls, words) and feed links."""
    rows = [display(entry, today) for entry in entries]
    regions = sorted({row["region"] for row in rows if row["region"]}, key=lambda r: (r == NATIONAL, r))
    cities = sorted({row["city"] for row in rows if row["city"]})
    used_topics = {slug for row in rows for slug in row["topics"]}
    topics = [(t.slug, t.label) for t in load_vocabulary().topics if t.slug in used_topics]
    types = sorted({row["doc_type"] for row in rows if row["doc_type"]})
    script, script_hash = filter_script()
    amounts = [amount for amount in AMOUNT_CHOICES
               if any((row["amount_wan"] or 0) >= amount for row in rows)]
    groups = [(label, [feed for feed in feeds if feed.group in members]) for members, label in FEED_GROUPS]
    return environment().get_template("index.html.j2").render(
        title=title, rows=rows, regions=regions, cities=cities, topics=topics, types=types, feeds=feeds,
        amounts=[(amount, amount_text(amount)) for amount in amounts], feed_groups=[g for g in groups if g[1]],
        open_count=sum(1 for row in rows if row["open"]), today=today.isoformat(),
        script=script, script_hash=script_hash,
        newest=max((row["date"] for row in rows if row["date"]), default=""))
