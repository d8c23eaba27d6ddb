"""Digest messages: the HTML + text EmailMessage of one digest, its subject and headers, and the Jinja2 templates
(feeds/templates) it is rendered from.

Each policy's HTML and text fragments are rendered once per run and shared by every subscriber (`Renderer`);
the email says how many policies wait for the next digest and where the site lists them all. Deadlines are
shown with their state on the digest's day (feeds/deadlines.py), and closed calls are listed apart, after the
new policies, under 已截止 (feeds/digest/closed.py).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from email.headerregistry import Address, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import SMTP, Policy
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from feeds.deadlines import deadline_states, last_deadline, next_deadline
from feeds.digest.closed import Digest
from feeds.excerpt import excerpt
from feeds.filters import NATIONAL, PolicyFilter
from feeds.mailer import envelope_address
from pipelines.classify.vocabulary import load_vocabulary
from pipelines.sanitize import safe_href
from storage.published import PolicyEntry

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
TITLE_CHARS = 200
EXCERPT_CHARS = 140
SUBJECT_REGIONS = 2
DEADLINES_SHOWN = 6
OTHER_REGION = "其他地区"
OTHER_TOPIC = "其他"
_SPACE = re.compile(r"\s+")


class _ListHeader(UnstructuredHeader):
    """List-Unsubscribe: folded between its <…> items, never RFC 2047-encoded (clients must read the URLs)."""

    max_count = 1

    def fold(self, *, policy: Policy) -> str:
        items = [item.strip() for item in str(self).split(",") if item.strip()]
        return f"{self.name}: " + ("," + policy.linesep + " ").join(items) + policy.linesep


def _digest_policy() -> Policy:
    registry = HeaderRegistry()
    registry.map_to_type("list-unsubscribe", _ListHeader)
    return SMTP.clone(header_factory=registry)


MESSAGE_POLICY = _digest_policy()


def clean_line(text: str | None, limit: int) -> str:
    """One line of text for a header or a listing: no control characters, whitespace collapsed, cut."""
    if not text:
        return ""
    text = _SPACE.sub(" ", text[: limit * 3])  # enough to fill `limit` after collapsing; keeps long texts cheap
    if not text.isprintable():  # control or format characters (categories C, Z) that are not whitespace
        text = _SPACE.sub(" ", "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text))
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"



def region_of(entry: PolicyEntry) -> str:
    """The region a policy is listed under: 全国, its province, or 其他地区."""
    if entry.level == "national":
        return NATIONAL
    return entry.province or OTHER_REGION


def format_wan(amount: float | None) -> str:
    """500 → '500 万元', 15000 → '1.5 亿元'."""
    if amount is None:
        return ""
    return f"{amount / 10000:g} 亿元" if amount >= 10000 else f"{amount:g} 万元"



@dataclass
class Item:
    """One policy as the templates show it (all text cleaned, link checked)."""

    title: str
    url: str | None
    issuer: str
    date: str
    region: str
    place: str
    amount: str
    offers: list[str]
    deadlines: list[str]        # every deadline with its state: 2026-12-20（还剩 13 天）
    excerpt: str
    max_amount: float | None
    next_deadline: str = ""     # the earliest deadline still open, with its state
    closed_on: str = ""         # for a closed call: its last deadline, 2025-11-25（已截止）

    @property
    def where(self) -> str:
        """Region and place in one phrase: 湖南省 长沙市."""
        return " ".join(filter(None, (self.region, self.place)))


def offer_line(incentive: dict[str, Any]) -> str:
    """One offer for a digest: kind, amount (or the rate clause when only a rate is offered), beneficiary."""
    low, high = incentive.get("amount_wan"), incentive.get("amount_max_wan")
    if low is not None and high is not None and high != low:
        amount = f"{low:g}–{format_wan(high)}"
    else:
        amount = format_wan(low if low is not None else high)
    stated = amount or clean_line(incentive.get("rate"), 40)  # an offer of a rate: the clause stating it
    if not stated:
        return ""
    who = clean_line(incentive.get("beneficiary"), 30)
    return clean_line(" ".join(filter(None, (incentive.get("kind"), stated))) + (f"（{who}）" if who else ""), 80)


def to_item(entry: PolicyEntry, today: date) -> Item:
    """The template view of a policy, its deadlines judged on `today` (the digest's Beijing date)."""
    place = " ".join(filter(None, (entry.city, entry.county)))
    offers = [o for o in (offer_line(i) for i in entry.incentives[:6]) if o]
    states = deadline_states(entry.deadlines, today)[:DEADLINES_SHOWN]
    upcoming, last = next_deadline(entry.deadlines, today), last_deadline(entry.deadlines, today)
    return Item(title=clean_line(entry.title, TITLE_CHARS) or "（无标题）", url=safe_href(entry.canonical_url, None),
                issuer=clean_line(entry.issuer, 60), date=entry.publish_date or "", region=region_of(entry),
                place=clean_line(place, 40), amount=format_wan(entry.max_amount_wan),
                offers=list(dict.fromkeys(offers)), deadlines=[clean_line(s.text, 40) for s in states],
                excerpt=clean_line(excerpt(entry.text_head, entry.title, limit=EXCERPT_CHARS), EXCERPT_CHARS),
                max_amount=entry.max_amount_wan,
                next_deadline=clean_line(upcoming.text, 40) if upcoming else "",
                closed_on=clean_line(last.text, 40) if last and not upcoming else "")


@dataclass(frozen=True)
class Listing:
    """One policy rendered for digests: its view, its topic label, its full and one-line fragments, and its line
    under 已截止 (used when it is a closed call)."""

    item: Item
    topic: str
    full_html: Markup
    full_text: str
    compact_html: Markup
    compact_text: str
    closed_html: Markup
    closed_text: str


@dataclass
class TopicGroup:
    label: str
    listings: list[Listing]


@dataclass
class RegionGroup:
    name: str
    topics: list[TopicGroup]
    count: int


class Renderer:
    """Renders each policy's fragments once (templates digest.items.*.j2) and reuses them for every subscriber;
    deadlines are shown as they stand on `today` (the digest run's Beijing date)."""

    def __init__(self, today: date) -> None:
        self.today = today
        self._html = templates().get_template("digest.items.html.j2").module
        self._text = templates().get_template("digest.items.txt.j2").module
        self._labels = {t.slug: t.label for t in load_vocabulary().topics}
        self._cache: dict[str, Listing] = {}

    def listing(self, entry: PolicyEntry) -> Listing:
        """The fragments of a policy, rendered on first use."""
        found = self._cache.get(entry.policy_id)
        if found is None:
            found = self._cache[entry.policy_id] = self._render(entry)
        return found

    def _render(self, entry: PolicyEntry) -> Listing:
        item = to_item(entry, self.today)
        topic = self._labels.get(entry.topics[0], entry.topics[0]) if entry.topics else OTHER_TOPIC
        return Listing(item=item, topic=topic, full_html=self._html.full(item).strip(),
                       full_text=self._text.full(item).strip("\n"), compact_html=self._html.compact(item).strip(),
                       compact_text=self._text.compact(item).strip("\n"), closed_html=self._html.closed(item).strip(),
                       closed_text=self._text.closed(item).strip("\n"))


def group_listings(listings: list[Listing]) -> list[RegionGroup]:
    """Region, then primary topic, keeping the given (richest first) order; groups with more money first."""
    tree: dict[str, dict[str, list[Listing]]] = {}
    for listing in listings:
        tree.setdefault(listing.item.region, {}).setdefault(listing.topic, []).append(listing)

    def top(group: list[Listing]) -> float:
        return max((x.item.max_amount or 0) for x in group)

    regions = []
    for region, topics in sorted(tree.items(), key=lambda r: (-top(sum(r[1].values(), [])), r[0])):
        groups = [TopicGroup(label, group) for label, group in sorted(topics.items(), key=lambda t: (-top(t[1]), t[0]))]
        regions.append(RegionGroup(region, groups, sum(len(g.listings) for g in groups)))
    return regions


def subject_places(entries: list[PolicyEntry]) -> str:
    """The places a subject names: the regions of `entries` by count, then by their top amount (湖南省、广东省);
    more than two become 「湖南省、广东省等 5 地」. Pages without a region are no place: they are not named or
    counted, and when there are some the named regions end in 等 (湖南省等); '' when no policy has a region."""
    counts: dict[str, int] = {}
    tops: dict[str, float] = {}
    for entry in entries:
        region = region_of(entry)
        counts[region] = counts.get(region, 0) + 1
        tops[region] = max(tops.get(region, 0.0), entry.max_amount_wan or 0.0)
    unplaced = counts.pop(OTHER_REGION, 0)
    names = sorted(counts, key=lambda name: (-counts[name], -tops[name], name))
    if len(names) > SUBJECT_REGIONS:
        return f"{'、'.join(names[:SUBJECT_REGIONS])}等 {len(names)} 地"
    return "、".join(names) + ("等" if names and unplaced else "")


def subject_for(entries: list[PolicyEntry]) -> str:
    """【policywatch】湖南省 3 条新政策 · 最高 500 万元 (the places as `subject_places` names them)."""
    where = subject_places(entries)
    subject = f"【policywatch】{where + ' ' if where else ''}{len(entries)} 条新政策"
    top = max((entry.max_amount_wan or 0.0 for entry in entries), default=0.0)
    if top:
        subject += f" · 最高 {format_wan(top)}"
    return clean_line(subject, 150)


def closed_subject(entries: list[PolicyEntry]) -> str:
    """The subject of a digest of closed calls only: 【policywatch】湖南省 无新政策 · 2 条已截止."""
    where = subject_places(entries)
    return clean_line(f"【policywatch】{where + ' ' if where else ''}无新政策 · {len(entries)} 条已截止", 150)


def digest_subject(plan: Digest) -> str:
    """The subject: the new policies (count, regions, top amount); closed calls only when nothing else is new."""
    new = plan.new
    return subject_for(new) if new else closed_subject(plan.everything)


_environment: Environment | None = None


def templates() -> Environment:
    """The Jinja2 environment (HTML templates autoescaped), compiled templates kept for the process."""
    global _environment
    if _environment is None:
        _environment = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                                   autoescape=select_autoescape(enabled_extensions=("html.j2",),
                                                                default_for_string=False, default=False),
                                   trim_blocks=True, lstrip_blocks=True, auto_reload=False)
    return _environment


def unsubscribe_links(token: str, from_addr: str, base_url: str | None) -> tuple[str | None, str | None]:
    """(https one-click URL or None, mailto URL or None) for a token."""
    https = None
    if base_url:
        https = safe_href(f"{base_url.rstrip('/')}/unsubscribe?token={quote(token)}", None)
        https = https if https and https.startswith("https://") else None
    mailto = f"mailto:{from_addr}?subject={quote('unsubscribe ' + token)}" if from_addr.isascii() else None
    return https, mailto


def site_link(base_url: str | None) -> str | None:
    """The published index page (`policywatch feeds` output) a digest points to for what it leaves out."""
    return safe_href(f"{base_url.rstrip('/')}/", None) if base_url else None


def _recipient(sub: dict[str, Any]) -> Address:
    """The To address; an ASCII mailbox at an IDN domain gets the IDNA domain, so no SMTPUTF8 is needed."""
    local, _, domain = envelope_address(sub["email"]).rpartition("@")
    return Address(display_name=sub["name"] or "", username=local, domain=domain)


def _context(sub: dict[str, Any], plan: Digest, renderer: Renderer, unsubscribe_url: str | None,
             base_url: str | None) -> dict[str, Any]:
    new = plan.new
    top = max((e.max_amount_wan for e in new if e.max_amount_wan is not None), default=None)
    return {"regions": group_listings([renderer.listing(e) for e in plan.full]),
            "compact": [renderer.listing(e) for e in plan.compact], "waiting": len(plan.waiting),
            "closed": [renderer.listing(e) for e in plan.closed],
            "count": len(new), "full_count": len(plan.full), "top_amount": format_wan(top),
            "site_url": site_link(base_url),
            "filter": clean_line(PolicyFilter.from_mapping(sub["filter"]).describe(), 200),
            "frequency": "每日" if sub["frequency"] == "daily" else "每周",
            "name": clean_line(sub["name"], 60), "unsubscribe_url": unsubscribe_url, "token": sub["token"]}


def build_message(sub: dict[str, Any], plan: Digest, renderer: Renderer, *, from_addr: str, message_id: str,
                  date: str, base_url: str | None) -> EmailMessage:
    """The digest email for a subscription: subject with the true count of new policies and their top amount,
    text and HTML parts (closed calls after the new ones, under 已截止).

    Both parts are base64: CJK text is a third of the size of quoted-printable and needs no 8BITMIME.
    """
    https, mailto = unsubscribe_links(sub["token"], from_addr, base_url)
    context = _context(sub, plan, renderer, https or mailto, base_url)
    message = EmailMessage(policy=MESSAGE_POLICY)
    message["Subject"] = digest_subject(plan)
    message["From"] = Address(display_name="policywatch", addr_spec=from_addr)
    message["To"] = _recipient(sub)
    message["Date"] = date
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    links = [link for link in (https, mailto) if link]
    if links:
        message["List-Unsubscribe"] = ", ".join(f"<{link}>" for link in links)
    if https:
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(templates().get_template("digest.txt.j2").render(context), cte="base64")
    message.add_alternative(templates().get_template("digest.html.j2").render(context), subtype="html",
                            cte="base64")
    return message


def message_bytes(message: EmailMessage) -> bytes:
    """The message as sent (UTF-8 headers only when an address needs them, as smtplib does)."""
    international = not all(str(message.get(h, "")).isascii() for h in ("From", "To"))
    return message.as_bytes(policy=message.policy.clone(utf8=international))
