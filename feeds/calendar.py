"""Application deadlines as an iCalendar file (RFC 5545, the `icalendar` package): one calendar per feed.

Each deadline (申报截止) of each policy the feed's filter passes is one all-day event on the deadline's date
(DTSTART;VALUE=DATE, DTEND the next day), marked free time (TRANSP:TRANSPARENT): a deadline is a day to
remember, not a meeting, and a weeks-long "application window" bar would cover every day of a calendar.
The policy's publish date and every deadline are written in the event's description instead.

Identity and change come from the data, never from the clock, so an unchanged database gives the same bytes:
- UID `<policy id>-deadline-<n>@policywatch`, n the deadline's place among the policy's deadlines in date
  order: a deadline the issuer moves keeps its UID, so calendar apps move the event instead of adding one;
- SEQUENCE is the policy's revision number; LAST-MODIFIED and DTSTAMP its last material revision (else when
  it was first seen), CREATED when it was first seen.

The calendar holds deadlines from HISTORY_DAYS before the publish day on (older ones drop out) and, with no
deadline at all, still one component (the Asia/Shanghai VTIMEZONE), as RFC 5545 requires. Text is cleaned
of control characters; icalendar escapes it, folds lines at 75 octets and ends them with CRLF. A publish run
writes each event once (`CalendarRenderer`) and reuses its lines in every calendar that holds it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Iterable

from icalendar import Calendar, Event, Timezone, TimezoneStandard, vDuration

from core.clock import parse_instant
from feeds.deadlines import parse_deadline
from feeds.page import amount_text, one_line, region_text
from pipelines.sanitize import safe_href
from storage.published import PolicyEntry

PRODID = "-//policywatch//application deadlines 1.0//ZH"
UID_DOMAIN = "policywatch"
TZID = "Asia/Shanghai"
HISTORY_DAYS = 365
REFRESH = timedelta(hours=6)     # how often calendar apps should fetch the file again
SUMMARY_PREFIX = "申报截止："
CATEGORY = "申报截止"
NO_TIME = datetime(2000, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class DeadlineEvent:
    """One deadline of one policy: the n-th (1-based) of its `count` deadlines in date order."""

    entry: PolicyEntry
    day: date
    ordinal: int
    count: int

    @property
    def uid(self) -> str:
        return event_uid(self.entry.policy_id, self.ordinal)


def event_uid(policy_id: str, ordinal: int) -> str:
    """The stable UID of a policy's `ordinal`-th deadline (1-based, in date order)."""
    return f"{policy_id}-deadline-{ordinal}@{UID_DOMAIN}"


def policy_events(entry: PolicyEntry) -> list[DeadlineEvent]:
    """Every dated deadline of a policy as an event, in date order (deadlines that are not dates are left out)."""
    dated = sorted({day for day in map(parse_deadline, entry.deadlines or ()) if day is not None})
    return [DeadlineEvent(entry, day, number, len(dated)) for number, day in enumerate(dated, start=1)]


def calendar_events(entries: Iterable[PolicyEntry], today: date,
                    history_days: int = HISTORY_DAYS) -> list[DeadlineEvent]:
    """The events of `entries` whose deadline is at most `history_days` before `today`, by date then policy."""
    oldest = today - timedelta(days=history_days)
    events = [event for entry in entries for event in policy_events(entry) if event.day >= oldest]
    return sorted(events, key=lambda e: (e.day, e.entry.policy_id, e.ordinal))


def _instant(value: str | None) -> datetime | None:
    parsed = parse_instant(value)
    return parsed.astimezone(timezone.utc) if parsed else None


def _description(event: DeadlineEvent, link: str | None) -> str:
    entry = event.entry
    amount = amount_text(entry.max_amount_wan)
    lines = [
        one_line(entry.title),
        f"发布机构：{one_line(entry.issuer)}" if one_line(entry.issuer) else "",
        f"文号：{one_line(entry.doc_number)}" if one_line(entry.doc_number) else "",
        f"地区：{region_text(entry)}" if region_text(entry) else "",
        f"资金：最高{amount}" if amount else "",
        f"发布日期：{entry.publish_date}" if entry.publish_date else "",
        "申报截止：" + "、".join(e.day.isoformat() for e in policy_events(entry)),
        f"原文：{link}" if link else "",
    ]
    return "\n".join(line for line in lines if line)


def deadline_event(event: DeadlineEvent) -> Event:
    """The VEVENT of one deadline."""
    entry = event.entry
    title = one_line(entry.title) or entry.policy_id
    place = f"（{event.ordinal}/{event.count}）" if event.count > 1 else ""
    link = safe_href(entry.canonical_url, None)
    created = _instant(entry.first_seen) or NO_TIME
    modified = max(_instant(entry.updated_at) or created, created)
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", modified)
    vevent.add("created", created)
    vevent.add("last-modified", modified)
    vevent.add("sequence", max(int(entry.revision or 0), 0))
    vevent.add("dtstart", event.day)
    vevent.add("dtend", event.day + timedelta(days=1))
    vevent.add("summary", f"{SUMMARY_PREFIX}{title}{place}")
    vevent.add("description", _description(event, link))
    if link:
        vevent.add("url", link)
    vevent.add("categories", [CATEGORY])
    vevent.add("transp", "TRANSPARENT")
    return vevent


def _beijing_zone() -> Timezone:
    """Asia/Shanghai: UTC+8 all year since 1991."""
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1991, 9, 15, 0, 0))
    standard.add("tzoffsetfrom", timedelta(hours=8))
    standard.add("tzoffsetto", timedelta(hours=8))
    standard.add("tzname", "CST")
    zone = Timezone()
    zone.add("tzid", TZID)
    zone.add_component(standard)
    return zone


def calendar_head(name: str, description: str, *, page_url: str | None = None,
                  self_url: str | None = None) -> Calendar:
    """The calendar without its events: its name (shown by calendar apps), refresh hints and the Beijing zone."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", one_line(name))                 # RFC 7986
    calendar.add("x-wr-calname", one_line(name))         # what most calendar apps read
    if description:
        calendar.add("description", one_line(description))
        calendar.add("x-wr-caldesc", one_line(description))
    calendar.add("x-wr-timezone", TZID)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))   # the same, for apps that predate RFC 7986
    if page_url:
        calendar.add("url", page_url, parameters={"VALUE": "URI"})
    if self_url:
        calendar.add("source", self_url, parameters={"VALUE": "URI"})
    calendar.add_component(_beijing_zone())
    return calendar


class CalendarRenderer:
    """The calendars of one publish run: each event is written once and its lines reused by every calendar that
    holds it (a deadline is in the all, incentives, province and topic calendars alike)."""

    END = b"END:VCALENDAR\r\n"

    def __init__(self) -> None:
        self._events: dict[str, bytes] = {}

    def event_lines(self, event: DeadlineEvent) -> bytes:
        """The VEVENT's folded CRLF lines."""
        found = self._events.get(event.uid)
        if found is None:
            found = self._events[event.uid] = deadline_event(event).to_ical()
        return found

    def render(self, name: str, description: str, events: Iterable[DeadlineEvent], *,
               page_url: str | None = None, self_url: str | None = None) -> bytes:
        """The .ics bytes of one calendar: its head, then `events` (see `calendar_events`) in their order."""
        head = calendar_head(name, description, page_url=page_url, self_url=self_url).to_ical()
        if not head.endswith(self.END):
            raise ValueError("a calendar head must end with END:VCALENDAR")
        return head[: -len(self.END)] + b"".join(self.event_lines(event) for event in events) + self.END


def render_calendar(name: str, description: str, events: Iterable[DeadlineEvent], *,
                    page_url: str | None = None, self_url: str | None = None) -> bytes:
    """The .ics bytes of one calendar: `name` (shown by calendar apps) and `events` (see `calendar_events`)."""
    calendar = calendar_head(name, description, page_url=page_url, self_url=self_url)
    for event in events:
        calendar.add_component(deadline_event(event))
    return calendar.to_ical()
