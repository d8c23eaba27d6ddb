"""Email digests: for each due subscription, the new policies its filter wants, as one HTML + text email.

Policies come from `storage.published.policy_entries` (the query feeds use) and pass the
subscription's `PolicyFilter`; only policies first seen since the subscription started and not yet
delivered to it are listed. Sending follows a write-ahead order so that a kill at any moment never
loses a policy nor delivers it twice under two different messages:

1. the batch (Message-ID, Date, policy ids) is committed as `pending`;
2. the message is sent;
3. the batch is marked `sent` and each policy logged in `deliveries` (one transaction).

A batch still `pending` when a digest run starts died between 1 and 3: it is sent again, rebuilt
from its stored policies with the *same* Message-ID and Date, so a server that did accept the first
copy receives an identical duplicate that mail systems drop by Message-ID.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.headerregistry import Address, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import SMTP, Policy
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import quote
from zoneinfo import ZoneInfo

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlite_utils import Database

from feeds.filters import NATIONAL, PolicyFilter
from feeds.mailer import Mailer, SendError, SmtpSettings
from pipelines.classify import load_vocabulary
from pipelines.sanitize import safe_href
from storage import subscriptions as subs
from storage.published import PolicyEntry, policy_entries

logger = logging.getLogger(__name__)

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
TEMPLATES = Path(__file__).resolve().parent / "templates"
TITLE_CHARS = 200
EXCERPT_CHARS = 140
SUBJECT_REGIONS = 2
OTHER_REGION = "其他地区"
OTHER_TOPIC = "其他"
SERVER_STAGES = ("settings", "connect", "auth", "sender")
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

CONFIG_KEYS = {"smtp", "base_url", "subscriptions"}
ENTRY_KEYS = {"email", "name", "frequency", "at", "weekday", "backfill", "filter"}


def _entry_from_config(raw: Any, where: str) -> dict[str, Any]:
    """One checked subscription entry; digests default to policies with incentives (incentives_only: true)."""
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a mapping with email, frequency and filter")
    unknown = set(raw) - ENTRY_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown field {sorted(unknown)[0]!r} (known: {', '.join(sorted(ENTRY_KEYS))})")
    where = f"{where} ({raw.get('email')})" if raw.get("email") else where
    try:
        email = subs.validate_email(raw.get("email") or "")
        frequency, at, weekday = subs.validate_schedule(str(raw.get("frequency") or ""),
                                                        str(raw.get("at") or subs.DEFAULT_AT), raw.get("weekday"))
        wanted = {"incentives_only": True, **(raw.get("filter") or {})}
        filter_data = PolicyFilter.from_mapping(wanted).to_mapping()
        backfill = int(raw.get("backfill") or 0)
    except (TypeError, ValueError) as exc:  # SubscriptionError and FilterError are ValueErrors
        raise ValueError(f"{where}: {exc}") from None
    return {"email": email, "name": subs.validate_name(raw.get("name")), "frequency": frequency, "at": at,
            "weekday": weekday, "backfill_days": backfill, "filter_data": filter_data}


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
    return {"smtp": data.get("smtp") or {}, "base_url": data.get("base_url"), "subscriptions": checked}


def sync_subscriptions(db: Database, config: dict[str, Any]) -> tuple[int, int, int]:
    """Save every subscription of a loaded config file and unsubscribe config ones it no longer lists;
    returns (added, updated, unsubscribed)."""
    added = updated = 0
    for entry in config["subscriptions"]:
        saved = subs.save_subscription(db, origin="config", **entry)
        added, updated = (added + 1, updated) if saved["created"] else (added, updated + 1)
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
# selection and grouping
# ---------------------------------------------------------------------------------------------

def clean_line(text: str | None, limit: int) -> str:
    """One line of text for a header or a listing: no control characters, whitespace collapsed, cut."""
    if not text:
        return ""
    text = text[: limit * 3]  # enough to fill `limit` after whitespace collapses; keeps long texts cheap
    text = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)
    text = _SPACE.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def new_policies(entries: Iterable[PolicyEntry], sub: dict[str, Any], claimed: set[str]) -> list[PolicyEntry]:
    """Entries the subscription's filter wants, first seen since it started, not delivered or pending."""
    wanted = PolicyFilter.from_mapping(sub["filter"])
    return [e for e in entries if e.first_seen >= sub["since"] and e.policy_id not in claimed and wanted.matches(e)]


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
    place: str
    amount: str
    offers: list[str]
    deadlines: list[str]
    excerpt: str
    max_amount: float | None


@dataclass
class TopicGroup:
    label: str
    items: list[Item]


@dataclass
class RegionGroup:
    name: str
    topics: list[TopicGroup]
    count: int


def _offer(incentive: dict[str, Any]) -> str:
    low, high = incentive.get("amount_wan"), incentive.get("amount_max_wan")
    if low is not None and high is not None and high != low:
        amount = f"{low:g}–{format_wan(high)}"
    else:
        amount = format_wan(low if low is not None else high)
    if not amount:
        return ""
    who = clean_line(incentive.get("beneficiary"), 30)
    return clean_line(" ".join(filter(None, (incentive.get("kind"), amount))) + (f"（{who}）" if who else ""), 80)


def to_item(entry: PolicyEntry) -> Item:
    """The template view of a policy."""
    place = " ".join(filter(None, (entry.city, entry.county)))
    offers = [o for o in (_offer(i) for i in entry.incentives[:6]) if o]
    return Item(title=clean_line(entry.title, TITLE_CHARS) or "（无标题）", url=safe_href(entry.canonical_url, None),
                issuer=clean_line(entry.issuer, 60), date=entry.publish_date or "", place=clean_line(place, 40),
                amount=format_wan(entry.max_amount_wan), offers=list(dict.fromkeys(offers)),
                deadlines=[clean_line(d, 20) for d in entry.deadlines[:3]],
                excerpt=clean_line(entry.text_head, EXCERPT_CHARS), max_amount=entry.max_amount_wan)


def group_entries(entries: list[PolicyEntry]) -> list[RegionGroup]:
    """Region, then primary topic, then highest amount first; groups with more money first."""
    labels = {t.slug: t.label for t in load_vocabulary().topics}
    tree: dict[str, dict[str, list[PolicyEntry]]] = {}
    for entry in entries:
        topic = labels.get(entry.topics[0], entry.topics[0]) if entry.topics else OTHER_TOPIC
        tree.setdefault(region_of(entry), {}).setdefault(topic, []).append(entry)

    def top(items: list[PolicyEntry]) -> float:
        return max((e.max_amount_wan or 0) for e in items)

    regions = []
    for region, topics in sorted(tree.items(), key=lambda r: (-top(sum(r[1].values(), [])), r[0])):
        groups = [TopicGroup(label, [to_item(e) for e in richest_first(items)])
                  for label, items in sorted(topics.items(), key=lambda t: (-top(t[1]), t[0]))]
        regions.append(RegionGroup(region, groups, sum(len(g.items) for g in groups)))
    return regions


def richest_first(entries: list[PolicyEntry]) -> list[PolicyEntry]:
    """Highest amount first (policies without an amount last), newer first among equals."""
    ordered = sorted(entries, key=lambda e: (e.publish_date or "", e.policy_id), reverse=True)
    return sorted(ordered, key=lambda e: -(e.max_amount_wan if e.max_amount_wan is not None else -1.0))


def subject_for(regions: list[RegionGroup], count: int, top_amount: float | None) -> str:
    """【policywatch】湖南省 3 条新政策 · 最高 500 万元 (regions by count; more than two become 「…等 N 地」)."""
    names = [r.name for r in sorted(regions, key=lambda r: -r.count)]
    where = "、".join(names) if len(names) <= SUBJECT_REGIONS else f"{names[0]}等 {len(names)} 地"
    subject = f"【policywatch】{where} {count} 条新政策"
    if top_amount:
        subject += f" · 最高 {format_wan(top_amount)}"
    return clean_line(subject, 150)


# ---------------------------------------------------------------------------------------------
# messages
# ---------------------------------------------------------------------------------------------

_environment: Environment | None = None


def templates() -> Environment:
    """The Jinja2 environment (HTML templates autoescaped)."""
    global _environment
    if _environment is None:
        _environment = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                                   autoescape=select_autoescape(enabled_extensions=("html.j2",),
                                                                default_for_string=False, default=False),
                                   trim_blocks=True, lstrip_blocks=True)
    return _environment


def unsubscribe_links(token: str, from_addr: str, base_url: str | None) -> tuple[str | None, str | None]:
    """(https one-click URL or None, mailto URL or None) for a token."""
    https = None
    if base_url:
        https = safe_href(f"{base_url.rstrip('/')}/unsubscribe?token={quote(token)}", None)
        https = https if https and https.startswith("https://") else None
    mailto = f"mailto:{from_addr}?subject={quote('unsubscribe ' + token)}" if from_addr.isascii() else None
    return https, mailto


def _recipient(sub: dict[str, Any]) -> Address:
    local, _, domain = sub["email"].rpartition("@")
    return Address(display_name=sub["name"] or "", username=local, domain=domain)


def build_message(sub: dict[str, Any], entries: list[PolicyEntry], *, from_addr: str, message_id: str, date: str,
                  base_url: str | None) -> EmailMessage:
    """The digest email for a subscription: subject with count and top amount, text and HTML parts."""
    regions = group_entries(entries)
    top = max((e.max_amount_wan for e in entries if e.max_amount_wan is not None), default=None)
    https, mailto = unsubscribe_links(sub["token"], from_addr, base_url)
    context = {"regions": regions, "count": len(entries), "top_amount": format_wan(top),
               "filter": clean_line(PolicyFilter.from_mapping(sub["filter"]).describe(), 200),
               "frequency": "每日" if sub["frequency"] == "daily" else "每周",
               "name": clean_line(sub["name"], 60), "unsubscribe_url": https or mailto,
               "token": sub["token"]}
    message = EmailMessage(policy=MESSAGE_POLICY)
    message["Subject"] = subject_for(regions, len(entries), top)
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
    message.set_content(templates().get_template("digest.txt.j2").render(context))
    message.add_alternative(templates().get_template("digest.html.j2").render(context), subtype="html")
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
    record nothing; base_url: where https unsubscribe links point; max_failures: permanent refusals in a
    row before a subscription is disabled.
    """

    now: datetime | None = None
    only: str | None = None
    force_all: bool = False
    out_dir: Path | None = None
    base_url: str | None = None
    max_failures: int = subs.DEFAULT_MAX_FAILURES


@dataclass
class DigestReport:
    """What a digest run did."""

    due: int = 0
    sent: int = 0
    resent: int = 0
    empty: int = 0
    failed: int = 0
    refused: int = 0
    disabled: list[str] = field(default_factory=list)
    policies: int = 0
    written: list[Path] = field(default_factory=list)
    aborted: str | None = None

    def summary(self) -> str:
        """One line for people."""
        what = "written" if self.written else "sent"
        count = len(self.written) if self.written else self.sent
        parts = [f"{self.due} due", f"{count} {what} ({self.policies} policies)", f"{self.empty} with nothing new"]
        if self.resent:
            parts.append(f"{self.resent} unfinished re-sent")
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

    def message_for(self, sub: dict[str, Any], entries: list[PolicyEntry], message_id: str,
                    date: str) -> EmailMessage:
        return build_message(sub, entries, from_addr=self.settings.from_addr, message_id=message_id, date=date,
                             base_url=self.options.base_url)

    def new_message_id(self, sub: dict[str, Any]) -> str:
        domain = self.settings.from_addr.rpartition("@")[2] or "localhost"
        return make_msgid(idstring=f"digest.{sub['id']}", domain=domain.encode("idna").decode("ascii"))

    def deliver(self, message: EmailMessage, message_id: str, sub: dict[str, Any], count: int) -> bool:
        """Send one recorded batch and log the outcome; False when the server itself is unusable."""
        subs.note_attempt(self.db, message_id)
        try:
            self.mailer.send(message)
        except SendError as exc:
            return self.failed(exc, message_id, sub)
        subs.mark_sent(self.db, message_id)
        self.report.sent += 1
        self.report.policies += count
        self.progress(f"sent {count} policies to {sub['email']}")
        return True

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

    def resend_pending(self) -> bool:
        """Send again every batch a killed run left pending, same Message-ID and Date; False to stop."""
        for batch in subs.pending_batches(self.db):
            sub = subs.subscription(self.db, batch["subscription_id"])
            entries = policy_entries(self.db, relevant_only=False, policy_ids=batch["policy_ids"], with_pages=False)
            if sub is None or not sub["active"] or not entries:
                with self.db.conn:
                    subs.abandon_pending(self.db, batch["subscription_id"], "nothing left to send")
                continue
            message = self.message_for(sub, _in_order(entries, batch["policy_ids"]), batch["message_id"],
                                       batch["date"])
            self.report.resent += 1
            if not self.deliver(message, batch["message_id"], sub, len(entries)):
                return False
        return True

    def send_new(self, targets: list[tuple[dict[str, Any], str]]) -> None:
        entries = self.entries(targets)
        for sub, period in targets:
            chosen = new_policies(entries, sub, subs.claimed_policy_ids(self.db, sub["id"]))
            if not chosen:
                self.report.empty += 1
                if not self.options.out_dir:
                    subs.close_period(self.db, sub["id"], period)
                continue
            message_id, date = self.new_message_id(sub), format_datetime(self.now.astimezone(timezone.utc))
            message = self.message_for(sub, chosen, message_id, date)
            if self.options.out_dir:
                self.write(message, sub, len(chosen))
                continue
            subs.record_intent(self.db, message_id=message_id, subscription_id=sub["id"], period=period,
                               policy_ids=[e.policy_id for e in chosen], date=date)
            if not self.deliver(message, message_id, sub, len(chosen)):
                return

    def entries(self, targets: list[tuple[dict[str, Any], str]]) -> list[PolicyEntry]:
        if not targets:
            return []
        since = min(sub["since"] for sub, _ in targets)
        return policy_entries(self.db, since=since, with_pages=False)

    def write(self, message: EmailMessage, sub: dict[str, Any], count: int) -> None:
        out = self.options.out_dir
        assert out is not None
        out.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^\w.@-]", "_", sub["email"])
        path = out / f"{len(self.report.written) + 1:04d}-{safe}.eml"
        path.write_bytes(message_bytes(message))
        self.report.written.append(path)
        self.report.policies += count
        self.progress(f"wrote {count} policies for {sub['email']} to {path}")


def _in_order(entries: list[PolicyEntry], ids: list[str]) -> list[PolicyEntry]:
    position = {policy_id: n for n, policy_id in enumerate(ids)}
    return sorted(entries, key=lambda e: position.get(e.policy_id, len(ids)))


def run_digest(db: Database, settings: SmtpSettings, options: DigestOptions | None = None,
               progress: Progress = lambda line: None) -> DigestReport:
    """Finish batches a killed run left pending, then send each due subscription its new policies.

    A failure of the server itself (connection, login, sender) stops the run; a refusal or a temporary
    error for one address is recorded and the run goes on with the next subscription.
    """
    options = options or DigestOptions()
    run = _Run(db, settings, options, progress)
    with run.mailer:
        if options.out_dir or run.resend_pending():
            targets = due_subscriptions(db, run.now, options)
            run.report.due = len(targets)
            run.send_new(targets)
    return run.report
