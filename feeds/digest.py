"""Email digests: for each due subscription, the new policies its filter wants, as one HTML + text email.

Policies come from `storage.published.policy_entries` (the query feeds use) and pass the
subscription's `PolicyFilter`; only policies first seen since the subscription started and not yet
delivered to it are listed. Sending is ordered so that no policy is ever sent twice, whatever moment
a run is killed at:

1. the batch (Message-ID, Date, policy ids) is committed as `pending` (intent);
2. MAIL FROM and RCPT TO; once the server accepted the recipient, the batch is committed as `sending`;
3. DATA; on the server's 250 the batch is marked `sent` and each policy logged in `deliveries`.

A failure before 3 started, or a 4xx/5xx answer to DATA, is definite: the policies are pending again
(4xx, lost connection) or the address is refused (5xx). A batch still `pending` when a run starts never
reached DATA and is sent again with the same Message-ID and Date. A batch still `sending`, or one whose
DATA reply never came (timeout, hang-up after the final dot), may or may not be held by the server: it
is never sent again; its policies are logged as delivered with `unconfirmed` = 1 and
`storage.subscriptions.delivery_problems` lists it (Message-ID, address, time) for a look at the mail
log. The price: a message the server lost in that window of one reply is not re-sent.

Runs on one database never overlap: `run_digest` holds an exclusive lock on `<db>.digest.lock`.

A digest lists at most `max_items` policies in full and the next ones, up to `max_listed`, one line
each (richest first). Only listed policies go into the batch and count as delivered; the rest stay
pending for the next digest, and the email says how many wait and where the site lists them all.

Each policy's HTML and text fragments are rendered once per run and shared by every subscriber
(`Renderer`); subscribers with the same filter share one pass over the policies.
"""
from __future__ import annotations

import json
import logging
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.headerregistry import Address, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import SMTP, Policy
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import quote

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from sqlite_utils import Database

from feeds.filters import NATIONAL, PolicyFilter
from feeds.mailer import Mailer, SendError, SmtpSettings, envelope_address
from pipelines.classify import load_vocabulary
from pipelines.dates import BEIJING
from pipelines.sanitize import safe_href
from storage import subscriptions as subs
from storage.files import try_exclusive_lock
from storage.published import PolicyEntry, policy_entries

logger = logging.getLogger(__name__)

LOCAL_TZ = BEIJING  # subscribers' times are Beijing time
TEMPLATES = Path(__file__).resolve().parent / "templates"
TITLE_CHARS = 200
EXCERPT_CHARS = 140
SUBJECT_REGIONS = 2
OTHER_REGION = "其他地区"
OTHER_TOPIC = "其他"
SERVER_STAGES = ("settings", "connect", "auth", "sender")
DEFAULT_MAX_ITEMS = 30
DEFAULT_MAX_LISTED = 200
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


# ---------------------------------------------------------------------------------------------
# config file
# ---------------------------------------------------------------------------------------------

CONFIG_KEYS = {"smtp", "base_url", "max_items", "max_listed", "subscriptions"}
LIMIT_KEYS = {"max_items": 0, "max_listed": 1}  # smallest allowed value of each digest size limit
ENTRY_KEYS = {"email", "name", "frequency", "at", "weekday", "backfill", "filter"}


def _entry_from_config(raw: Any, where: str) -> dict[str, Any]:
    """One checked subscription entry; digests default to policies with incentives (incentives_only: true)."""
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a mapping with email, frequency and filter")
    unknown = set(raw) - ENTRY_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown field {sorted(unknown)[0]!r} (known: {', '.join(sorted(ENTRY_KEYS))})")
    where = f"{where} ({raw.get('email')})" if raw.get("email") else where
    if isinstance(raw.get("at"), (int, float)) and not isinstance(raw.get("at"), bool):
        raise ValueError(f"{where}: at: YAML read {raw['at']!r}, a number, not a time: quote it, "
                         f"for example at: \"12:30\"")
    try:
        email = subs.validate_email(raw.get("email") or "")
        frequency, at, weekday = subs.validate_schedule(str(raw.get("frequency") or ""),
                                                        raw.get("at") or subs.DEFAULT_AT, raw.get("weekday"))
        filter_data = PolicyFilter.from_config(raw.get("filter"), {"incentives_only": True}).to_mapping()
        backfill = int(raw.get("backfill") or 0)
    except (TypeError, ValueError) as exc:  # SubscriptionError and FilterError are ValueErrors
        raise ValueError(f"{where}: {exc}") from None
    return {"email": email, "name": subs.validate_name(raw.get("name")), "frequency": frequency, "at": at,
            "weekday": weekday, "backfill_days": backfill, "filter_data": filter_data}


def _limits(data: dict[str, Any], path: str | Path) -> dict[str, int]:
    """The digest size limits a config file sets (max_items, max_listed), checked."""
    limits = {}
    for key, smallest in LIMIT_KEYS.items():
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < smallest:
            raise ValueError(f"{path}: {key}: expected a whole number of at least {smallest}, got {value!r}")
        limits[key] = value
    listed, items = limits.get("max_listed"), limits.get("max_items", 0)
    if listed is not None and listed < items:
        raise ValueError(f"{path}: max_listed ({listed}) is below max_items ({items})")
    return limits


def load_digest_config(path: str | Path) -> dict[str, Any]:
    """A subscriptions file (config/subscriptions.example.yaml) read and checked; errors name file, entry, field."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ValueError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict) or set(data) - CONFIG_KEYS:
        raise ValueError(f"{path}: expected a mapping with keys {', '.join(sorted(CONFIG_KEYS))}")
    if not isinstance(data.get("smtp") or {}, dict):
        raise ValueError(f"{path}: smtp: expected a mapping")
    if "password" in (data.get("smtp") or {}):
        raise ValueError(f"{path}: smtp: keep the password out of files (set POLICYWATCH_SMTP_PASSWORD)")
    entries = data.get("subscriptions") or []
    if not isinstance(entries, list):
        raise ValueError(f"{path}: subscriptions: expected a list")
    checked = [_entry_from_config(raw, f"{path}: subscriptions[{n}]") for n, raw in enumerate(entries)]
    seen: set[str] = set()
    for n, entry in enumerate(checked):
        if entry["email"] in seen:
            raise ValueError(f"{path}: subscriptions[{n}] ({entry['email']}): address listed twice")
        seen.add(entry["email"])
    return {"smtp": data.get("smtp") or {}, "base_url": data.get("base_url"), **_limits(data, path),
            "subscriptions": checked}


def sync_subscriptions(db: Database, config: dict[str, Any]) -> tuple[int, int, int]:
    """Save every subscription of a loaded config file and unsubscribe config ones it no longer lists;
    returns (added, updated, unsubscribed).

    A sync never re-activates an address its owner unsubscribed or that bounced until disabled: only
    `policywatch subscribe` does. Such entries are left as they are and counted nowhere.
    """
    added = updated = 0
    for entry in config["subscriptions"]:
        saved = subs.save_subscription(db, origin="config", reactivate=False, **entry)
        if saved["created"]:
            added += 1
        elif saved["active"]:
            updated += 1
    removed = subs.deactivate_missing(db, "config", [e["email"] for e in config["subscriptions"]])
    return added, updated, len(removed)


# ---------------------------------------------------------------------------------------------
# schedule
# ---------------------------------------------------------------------------------------------

def latest_slot(sub: dict[str, Any], now: datetime) -> datetime:
    """The most recent send time of a subscription's schedule at or before `now` (Asia/Shanghai)."""
    local = now.astimezone(LOCAL_TZ)
    hour, minute = (int(part) for part in sub["at_time"].split(":"))
    slot = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if sub["frequency"] == "weekly":
        slot -= timedelta(days=(local.weekday() - subs.WEEKDAYS.index(sub["weekday"])) % 7)
        step = timedelta(days=7)
    else:
        step = timedelta(days=1)
    return slot - step if slot > local else slot


def due_period(sub: dict[str, Any], now: datetime, force: bool = False) -> str | None:
    """The period (date of the latest slot) a digest is due for, or None: not yet, or already done.

    A slot before the subscription was created does not count; `force` ignores the schedule.
    """
    slot = latest_slot(sub, now)
    period = slot.date().isoformat()
    if force:
        return period
    if slot < datetime.fromisoformat(sub["created_at"]) or (sub["last_period"] or "") >= period:
        return None
    return period


# ---------------------------------------------------------------------------------------------
# selection, capping and grouping
# ---------------------------------------------------------------------------------------------

def clean_line(text: str | None, limit: int) -> str:
    """One line of text for a header or a listing: no control characters, whitespace collapsed, cut."""
    if not text:
        return ""
    text = _SPACE.sub(" ", text[: limit * 3])  # enough to fill `limit` after collapsing; keeps long texts cheap
    if not text.isprintable():  # control or format characters (categories C, Z) that are not whitespace
        text = _SPACE.sub(" ", "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text))
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def unclaimed_since(entries: Iterable[PolicyEntry], sub: dict[str, Any], claimed: set[str]) -> list[PolicyEntry]:
    """Entries first seen since the subscription started and neither delivered to it nor pending."""
    return [e for e in entries if e.first_seen >= sub["since"] and e.policy_id not in claimed]


def new_policies(entries: Iterable[PolicyEntry], sub: dict[str, Any], claimed: set[str]) -> list[PolicyEntry]:
    """Entries the subscription's filter wants, first seen since it started, not delivered or pending."""
    wanted = PolicyFilter.from_mapping(sub["filter"])
    return unclaimed_since((e for e in entries if wanted.matches(e)), sub, claimed)


class FilterMatches:
    """The entries each distinct filter wants, computed once: subscribers often share a filter (a province)."""

    def __init__(self, entries: list[PolicyEntry]) -> None:
        self.entries = entries
        self._by_filter: dict[str, list[PolicyEntry]] = {}

    def wanted_by(self, sub: dict[str, Any]) -> list[PolicyEntry]:
        """The entries the subscription's filter matches, newest first."""
        key = json.dumps(sub["filter"], sort_keys=True, ensure_ascii=False)
        if key not in self._by_filter:
            wanted = PolicyFilter.from_mapping(sub["filter"])
            self._by_filter[key] = [e for e in self.entries if wanted.matches(e)]
        return self._by_filter[key]


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


def richest_first(entries: list[PolicyEntry]) -> list[PolicyEntry]:
    """Highest amount first (policies without an amount last), newer first among equals."""
    ordered = sorted(entries, key=lambda e: (e.publish_date or "", e.policy_id), reverse=True)
    return sorted(ordered, key=lambda e: -(e.max_amount_wan if e.max_amount_wan is not None else -1.0))


@dataclass
class DigestPlan:
    """What one digest shows: policies in full, policies in one line each, and the ones left for the next digest.

    `full` and `compact` are listed (and delivered when the message is accepted); `waiting` are only counted.
    """

    full: list[PolicyEntry]
    compact: list[PolicyEntry]
    waiting: list[PolicyEntry]

    @property
    def listed(self) -> list[PolicyEntry]:
        """The policies the message lists, full ones first."""
        return self.full + self.compact

    @property
    def everything(self) -> list[PolicyEntry]:
        """Every new policy the subscription has: what the subject counts."""
        return self.full + self.compact + self.waiting


def split_listed(listed: list[PolicyEntry], waiting: list[PolicyEntry], max_items: int) -> DigestPlan:
    """The richest `max_items` of `listed` in full, the rest of them in one line each."""
    ranked = richest_first(listed)
    return DigestPlan(full=ranked[:max_items], compact=ranked[max_items:], waiting=richest_first(waiting))


def plan_digest(chosen: list[PolicyEntry], max_items: int, max_listed: int) -> DigestPlan:
    """Richest first: `max_items` in full, then one line each up to `max_listed` (at least `max_items`); the rest
    wait for the next digest."""
    ranked = richest_first(chosen)
    cut = max(max_items, max_listed)
    return split_listed(ranked[:cut], ranked[cut:], max_items)


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
    deadlines: list[str]
    excerpt: str
    max_amount: float | None

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


def to_item(entry: PolicyEntry) -> Item:
    """The template view of a policy."""
    place = " ".join(filter(None, (entry.city, entry.county)))
    offers = [o for o in (offer_line(i) for i in entry.incentives[:6]) if o]
    return Item(title=clean_line(entry.title, TITLE_CHARS) or "（无标题）", url=safe_href(entry.canonical_url, None),
                issuer=clean_line(entry.issuer, 60), date=entry.publish_date or "", region=region_of(entry),
                place=clean_line(place, 40), amount=format_wan(entry.max_amount_wan),
                offers=list(dict.fromkeys(offers)), deadlines=[clean_line(d, 20) for d in entry.deadlines[:3]],
                excerpt=clean_line(entry.text_head, EXCERPT_CHARS), max_amount=entry.max_amount_wan)


@dataclass(frozen=True)
class Listing:
    """One policy rendered for digests: its view, its topic label, and its full and one-line fragments."""

    item: Item
    topic: str
    full_html: Markup
    full_text: str
    compact_html: Markup
    compact_text: str


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
    """Renders each policy's fragments once (templates digest.items.*.j2) and reuses them for every subscriber."""

    def __init__(self) -> None:
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
        item = to_item(entry)
        topic = self._labels.get(entry.topics[0], entry.topics[0]) if entry.topics else OTHER_TOPIC
        return Listing(item=item, topic=topic, full_html=self._html.full(item).strip(),
                       full_text=self._text.full(item).strip("\n"), compact_html=self._html.compact(item).strip(),
                       compact_text=self._text.compact(item).strip("\n"))


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


def subject_for(entries: list[PolicyEntry]) -> str:
    """【policywatch】湖南省 3 条新政策 · 最高 500 万元 (regions by count; more than two become 「…等 N 地」)."""
    counts: dict[str, int] = {}
    tops: dict[str, float] = {}
    for entry in entries:
        region = region_of(entry)
        counts[region] = counts.get(region, 0) + 1
        tops[region] = max(tops.get(region, 0.0), entry.max_amount_wan or 0.0)
    names = sorted(counts, key=lambda name: (-counts[name], -tops[name], name))
    where = "、".join(names) if len(names) <= SUBJECT_REGIONS else f"{names[0]}等 {len(names)} 地"
    subject = f"【policywatch】{where} {len(entries)} 条新政策"
    top = max(tops.values(), default=0.0)
    if top:
        subject += f" · 最高 {format_wan(top)}"
    return clean_line(subject, 150)


# ---------------------------------------------------------------------------------------------
# messages
# ---------------------------------------------------------------------------------------------

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


def _context(sub: dict[str, Any], plan: DigestPlan, renderer: Renderer, unsubscribe_url: str | None,
             base_url: str | None) -> dict[str, Any]:
    everything = plan.everything
    top = max((e.max_amount_wan for e in everything if e.max_amount_wan is not None), default=None)
    return {"regions": group_listings([renderer.listing(e) for e in plan.full]),
            "compact": [renderer.listing(e) for e in plan.compact], "waiting": len(plan.waiting),
            "count": len(everything), "full_count": len(plan.full), "top_amount": format_wan(top),
            "site_url": site_link(base_url),
            "filter": clean_line(PolicyFilter.from_mapping(sub["filter"]).describe(), 200),
            "frequency": "每日" if sub["frequency"] == "daily" else "每周",
            "name": clean_line(sub["name"], 60), "unsubscribe_url": unsubscribe_url, "token": sub["token"]}


def build_message(sub: dict[str, Any], plan: DigestPlan, renderer: Renderer, *, from_addr: str, message_id: str,
                  date: str, base_url: str | None) -> EmailMessage:
    """The digest email for a subscription: subject with the true count and top amount, text and HTML parts.

    Both parts are base64: CJK text is a third of the size of quoted-printable and needs no 8BITMIME.
    """
    https, mailto = unsubscribe_links(sub["token"], from_addr, base_url)
    context = _context(sub, plan, renderer, https or mailto, base_url)
    message = EmailMessage(policy=MESSAGE_POLICY)
    message["Subject"] = subject_for(plan.everything)
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


# ---------------------------------------------------------------------------------------------
# a digest run
# ---------------------------------------------------------------------------------------------

@dataclass
class DigestOptions:
    """What a digest run does.

    now: the clock (tests and catch-up runs pass it); only: this address, forced now;
    force_all: every active subscription now, schedule ignored; out_dir: dry run, write .eml files and
    record nothing; base_url: the published site (its index page and /unsubscribe); max_failures: permanent
    refusals in a row before a subscription is disabled; max_items: policies shown in full per digest;
    max_listed: policies listed per digest (the rest, one line each; at least max_items); more wait.
    """

    now: datetime | None = None
    only: str | None = None
    force_all: bool = False
    out_dir: Path | None = None
    base_url: str | None = None
    max_failures: int = subs.DEFAULT_MAX_FAILURES
    max_items: int = DEFAULT_MAX_ITEMS
    max_listed: int = DEFAULT_MAX_LISTED

    def __post_init__(self) -> None:
        if self.max_items < 0 or self.max_listed < 1:
            raise ValueError(f"max_items must be 0 or more and max_listed 1 or more, got {self.max_items} "
                             f"and {self.max_listed}")


@dataclass
class DigestReport:
    """What a digest run did."""

    due: int = 0
    sent: int = 0
    resent: int = 0
    unconfirmed: list[str] = field(default_factory=list)
    empty: int = 0
    failed: int = 0
    refused: int = 0
    disabled: list[str] = field(default_factory=list)
    policies: int = 0
    waiting: int = 0
    written: list[Path] = field(default_factory=list)
    aborted: str | None = None

    def summary(self) -> str:
        """One line for people."""
        what = "written" if self.written else "sent"
        count = len(self.written) if self.written else self.sent
        parts = [f"{self.due} due", f"{count} {what} ({self.policies} policies)", f"{self.empty} with nothing new"]
        if self.waiting:
            parts.append(f"{self.waiting} policies over the size limit left for the next digest")
        if self.resent:
            parts.append(f"{self.resent} unfinished re-sent")
        if self.unconfirmed:
            parts.append(f"{len(self.unconfirmed)} unconfirmed, not re-sent (see policywatch status): "
                         f"{', '.join(self.unconfirmed)}")
        if self.failed:
            parts.append(f"{self.failed} failed (will retry)")
        if self.refused:
            parts.append(f"{self.refused} refused")
        if self.disabled:
            parts.append(f"disabled: {', '.join(self.disabled)}")
        return "digest: " + ", ".join(parts)


Progress = Callable[[str], None]


def due_subscriptions(db: Database, now: datetime, options: DigestOptions) -> list[tuple[dict[str, Any], str]]:
    """(subscription, period) for every subscription to send to now."""
    if options.only:
        sub = subs.subscription_by_email(db, options.only)
        if sub is None or not sub["active"]:
            raise subs.SubscriptionError(f"only: no active subscription for {options.only}")
        return [(sub, due_period(sub, now, force=True) or "")]
    due = []
    for sub in subs.list_subscriptions(db, active_only=True):
        period = due_period(sub, now, force=options.force_all)
        if period:
            due.append((sub, period))
    return due


class _Run:
    """One digest run over an open database and (unless dry) one SMTP connection."""

    def __init__(self, db: Database, settings: SmtpSettings, options: DigestOptions, progress: Progress) -> None:
        self.db, self.settings, self.options, self.progress = db, settings, options, progress
        self.now = options.now or datetime.now(timezone.utc)
        self.report = DigestReport()
        self.mailer = Mailer(settings)
        self.renderer = Renderer()

    def message_for(self, sub: dict[str, Any], plan: DigestPlan, message_id: str, date: str) -> EmailMessage:
        return build_message(sub, plan, self.renderer, from_addr=self.settings.from_addr, message_id=message_id,
                             date=date, base_url=self.options.base_url)

    def new_message_id(self, sub: dict[str, Any]) -> str:
        domain = self.settings.from_addr.rpartition("@")[2] or "localhost"
        return make_msgid(idstring=f"digest.{sub['id']}", domain=domain.encode("idna").decode("ascii"))

    def deliver(self, message: EmailMessage, message_id: str, sub: dict[str, Any], plan: DigestPlan) -> bool:
        """Send one recorded batch and log the outcome; False when the server itself is unusable."""

        def data_starts() -> None:
            if not subs.mark_sending(self.db, message_id):
                raise _Abandoned(message_id)

        try:
            self.mailer.send(message, before_data=data_starts)
        except _Abandoned:
            self.progress(f"skipped {sub['email']}: unsubscribed while sending")
            return True
        except SendError as exc:
            if exc.uncertain:
                self.unconfirmed(message_id, sub, str(exc))
                return True
            return self.failed(exc, message_id, sub)
        subs.mark_sent(self.db, message_id)
        self.report.sent += 1
        self.report.policies += len(plan.listed)
        self.report.waiting += len(plan.waiting)
        self.progress(f"sent {len(plan.listed)} policies to {sub['email']}{_waiting_note(plan)}")
        return True

    def unconfirmed(self, message_id: str, sub: dict[str, Any] | None, reason: str) -> None:
        """A batch whose DATA started but whose acceptance was never seen: logged, listed, never re-sent."""
        subs.mark_unconfirmed(self.db, message_id, reason)
        email = sub["email"] if sub else "?"
        self.report.unconfirmed.append(email)
        logger.warning("digest: %s: %s unconfirmed, not re-sent: %s", email, message_id, reason)
        self.progress(f"unconfirmed {email} {message_id} (not re-sent; check the mail log): {reason}")

    def failed(self, exc: SendError, message_id: str, sub: dict[str, Any]) -> bool:
        server_problem = exc.stage in SERVER_STAGES
        permanent = not exc.temporary and not server_problem
        disabled = subs.mark_failed(self.db, message_id, str(exc), exc.code, permanent, self.options.max_failures)
        logger.warning("digest: %s: %s", sub["email"], exc)
        if permanent:
            self.report.refused += 1
            self.progress(f"refused {sub['email']}: {exc}")
        else:
            self.report.failed += 1
            self.progress(f"failed {sub['email']} (kept for the next run): {exc}")
        if disabled:
            self.report.disabled.append(sub["email"])
        if server_problem:
            self.report.aborted = str(exc)
        return not server_problem

    def settle_unfinished(self) -> bool:
        """Close what a killed run left: `sending` batches become unconfirmed (never re-sent); `pending` ones
        (DATA never started) are sent with their Message-ID and Date. False to stop the run."""
        for batch in subs.sending_batches(self.db):
            self.unconfirmed(batch["message_id"], subs.subscription(self.db, batch["subscription_id"]),
                             "the digest process died after DATA started")
        for batch in subs.pending_batches(self.db):
            sub = subs.subscription(self.db, batch["subscription_id"])
            listed = self.batch_policies(batch)
            entries = policy_entries(self.db, relevant_only=False, policy_ids=listed, with_pages=False)
            if sub is None or not sub["active"] or not entries:
                with self.db.conn:
                    subs.abandon_pending(self.db, batch["subscription_id"], "nothing left to send")
                continue
            shown = [e.policy_id for e in entries]
            if set(shown) != set(batch["policy_ids"]):  # log what the message lists, not what was planned
                subs.set_batch_policies(self.db, batch["message_id"], shown)
            # nothing is announced as waiting: whatever waits may go out in this very run
            plan = split_listed(entries, [], self.options.max_items)
            message = self.message_for(sub, plan, batch["message_id"], batch["date"])
            self.report.resent += 1
            if not self.deliver(message, batch["message_id"], sub, plan):
                return False
        return True

    def batch_policies(self, batch: dict[str, Any]) -> list[str]:
        """A pending batch's policies as they stand now: merged ones replaced by their survivors, minus survivors
        the subscription already got or another open batch holds."""
        mapped = subs.survivors(self.db, batch["policy_ids"])
        taken = subs.delivered_policy_ids(self.db, batch["subscription_id"]) | {
            p for other in subs.pending_batches(self.db) + subs.sending_batches(self.db)
            if other["subscription_id"] == batch["subscription_id"] and other["message_id"] != batch["message_id"]
            for p in subs.survivors(self.db, other["policy_ids"]).values()}
        return [p for p in dict.fromkeys(mapped[i] for i in batch["policy_ids"]) if p not in taken]

    def waiting_for(self, sub: dict[str, Any]) -> list[PolicyEntry]:
        """New policies of a subscription that no batch holds (a capped digest left them for later)."""
        entries = policy_entries(self.db, since=sub["since"], with_pages=False)
        return new_policies(entries, sub, subs.claimed_policy_ids(self.db, sub["id"]))

    def send_new(self, targets: list[tuple[dict[str, Any], str]]) -> None:
        matches = FilterMatches(self.entries(targets))
        for sub, period in targets:
            chosen = unclaimed_since(matches.wanted_by(sub), sub, subs.claimed_policy_ids(self.db, sub["id"]))
            if not chosen:
                self.report.empty += 1
                if not self.options.out_dir:
                    subs.close_period(self.db, sub["id"], period)
                continue
            plan = plan_digest(chosen, self.options.max_items, self.options.max_listed)
            message_id, date = self.new_message_id(sub), format_datetime(self.now.astimezone(timezone.utc))
            message = self.message_for(sub, plan, message_id, date)
            if self.options.out_dir:
                self.write(message, sub, plan)
                continue
            subs.record_intent(self.db, message_id=message_id, subscription_id=sub["id"], period=period,
                               policy_ids=[e.policy_id for e in plan.listed], date=date)
            if not self.deliver(message, message_id, sub, plan):
                return

    def entries(self, targets: list[tuple[dict[str, Any], str]]) -> list[PolicyEntry]:
        if not targets:
            return []
        since = min(sub["since"] for sub, _ in targets)
        return policy_entries(self.db, since=since, with_pages=False)

    def write(self, message: EmailMessage, sub: dict[str, Any], plan: DigestPlan) -> None:
        out = self.options.out_dir
        assert out is not None
        out.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^\w.@-]", "_", sub["email"])
        path = out / f"{len(self.report.written) + 1:04d}-{safe}.eml"
        path.write_bytes(message_bytes(message))
        self.report.written.append(path)
        self.report.policies += len(plan.listed)
        self.report.waiting += len(plan.waiting)
        self.progress(f"wrote {len(plan.listed)} policies for {sub['email']} to {path}{_waiting_note(plan)}")


class _Abandoned(Exception):
    """A batch stopped being pending just before DATA (its subscription was unsubscribed)."""


class DigestBusy(RuntimeError):
    """Another digest run holds the database's digest lock."""


@contextmanager
def digest_lock(db: Database) -> Iterator[None]:
    """Hold `<db>.digest.lock` (flock, exclusive, not waiting) for a run; DigestBusy when another run has it."""
    path = subs.database_file(db)
    if not path:
        yield
        return
    lock = Path(f"{path}.digest.lock")
    handle = try_exclusive_lock(lock)
    if handle is None:
        raise DigestBusy(f"another digest run is using {path} (lock {lock}); try again when it ends")
    try:
        yield
    finally:
        handle.close()  # closing releases the lock


def _waiting_note(plan: DigestPlan) -> str:
    return f" ({len(plan.waiting)} over the limit wait for the next digest)" if plan.waiting else ""


def run_digest(db: Database, settings: SmtpSettings, options: DigestOptions | None = None,
               progress: Progress = lambda line: None) -> DigestReport:
    """Settle batches a killed run left (see the module docstring), then send each due subscription its new
    policies. Raises DigestBusy when another run holds the database's digest lock (dry runs take no lock).

    A failure of the server itself (connection, login, sender) stops the run; a refusal or a temporary
    error for one address is recorded and the run goes on with the next subscription.
    """
    options = options or DigestOptions()
    run = _Run(db, settings, options, progress)
    if options.out_dir:
        targets = due_subscriptions(db, run.now, options)
        run.report.due = len(targets)
        run.send_new(targets)
        return run.report
    with digest_lock(db), run.mailer:
        if run.settle_unfinished():
            targets = due_subscriptions(db, run.now, options)
            run.report.due = len(targets)
            run.send_new(targets)
    return run.report
