"""The deadline calendars (.ics) `policywatch feeds` writes beside each feed, read back with icalendar."""
from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta

import pytest
from icalendar import Calendar

from core.clock import BEIJING
from feeds.calendar import HISTORY_DAYS, calendar_events, render_calendar
from feeds.publish import calendar_name, feed_specs, publish
from pipelines.store import store_page
from storage.db import open_db
from storage.documents import document_by_url
from storage.published import policy_entries
from tests.publish_data import MANIFEST, REVISED_URL, XSS_TITLE, build_database, revise_policy
from tests.support.mirror import ROOT, mirror_fetched_page

DEMO_FEEDS = ROOT / "demo" / "feeds.yaml"
NOW = datetime(2025, 11, 18, 9, 0, tzinfo=BEIJING)     # two days before the 湖南 call's first deadline
OPEN_FEED = "\n  - id: open-calls\n    title: 仍可申报\n    filter: {open: true}\n"   # appended to the demo list


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> dict:
    """The shared database published on NOW with the demo feeds and one `open` feed."""
    folder = tmp_path_factory.mktemp("calendar")
    built = build_database(folder / "pw.db")
    config = folder / "feeds.yaml"
    config.write_text(DEMO_FEEDS.read_text(encoding="utf-8") + OPEN_FEED, encoding="utf-8")
    publish(built["db"], folder / "site", base_url="https://pw.example/", config_path=config, now=NOW)
    built.update(out=folder / "site", config=config, entries=policy_entries(built["db"]))
    return built


def raw(data: dict, slug: str) -> bytes:
    return (data["out"] / "feeds" / f"{slug}.ics").read_bytes()


def events(data: dict, slug: str) -> dict[str, object]:
    """UID -> VEVENT of one calendar, parsed by icalendar."""
    calendar = Calendar.from_ical(raw(data, slug))
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def expected_events(entries, wanted=lambda entry: True, today: date = NOW.date()) -> dict[str, date]:
    """UID -> day of every deadline of the wanted policies, from HISTORY_DAYS before `today` on."""
    out = {}
    for entry in entries:
        if not wanted(entry):
            continue
        days = sorted({date.fromisoformat(d) for d in entry.deadlines})
        for number, day in enumerate(days, start=1):
            if day >= today - timedelta(days=HISTORY_DAYS):
                out[f"{entry.policy_id}-deadline-{number}@policywatch"] = day
    return out


def test_each_deadline_is_one_all_day_event_linking_its_policy(data):
    found = events(data, "all")
    assert {uid: event.decoded("DTSTART") for uid, event in found.items()} == expected_events(data["entries"])
    by_id = {entry.policy_id: entry for entry in data["entries"]}
    hunan = next(e for e in data["entries"] if e.deadlines == ["2025-11-20", "2025-11-25"])
    for number, day in ((1, date(2025, 11, 20)), (2, date(2025, 11, 25))):
        event = found[f"{hunan.policy_id}-deadline-{number}@policywatch"]
        assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (day, day + timedelta(days=1))
        assert not isinstance(event.decoded("DTSTART"), datetime)          # a date: an all-day event
        assert str(event["SUMMARY"]) == f"申报截止：{hunan.title}（{number}/2）"
        assert str(event["URL"]) == hunan.canonical_url
        assert str(event["TRANSP"]) == "TRANSPARENT"
        description = str(event["DESCRIPTION"])
        assert description.splitlines()[0] == hunan.title
        assert "申报截止：2025-11-20、2025-11-25" in description and f"原文：{hunan.canonical_url}" in description
        assert "资金：最高200万元" in description and "发布日期：2025-10-09" in description
    for uid, event in found.items():
        entry = by_id[uid.split("-deadline-")[0]]
        first_seen = datetime.fromisoformat(entry.first_seen)
        assert event.decoded("CREATED") == first_seen
        assert event.decoded("DTSTAMP") == event.decoded("LAST-MODIFIED") >= first_seen
        assert event.decoded("SEQUENCE") == entry.revision


def test_the_file_keeps_rfc_5545_form(data):
    body = raw(data, "province-430000")
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n")
    assert body.count(b"\n") == body.count(b"\r\n")                        # every line ends with CRLF
    lines = body.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75                         # folded at 75 octets
    assert any(line.startswith(b" ") for line in lines)                   # (long Chinese titles are folded)
    for line in lines:
        line.decode("utf-8")                                              # never inside a character
    unfolded = body.replace(b"\r\n ", b"").decode("utf-8").split("\r\n")
    assert "VERSION:2.0" in unfolded and "PRODID:-//policywatch//application deadlines 1.0//ZH" in unfolded
    assert "X-WR-CALNAME:policywatch · 湖南省政策 · 申报截止" in unfolded
    assert "NAME:policywatch · 湖南省政策 · 申报截止" in unfolded
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT6H" in unfolded
    assert "SOURCE;VALUE=URI:https://pw.example/feeds/province-430000.ics" in unfolded
    assert not [line for line in unfolded if line.startswith("METHOD:")]  # a published calendar, not a message
    calendar = Calendar.from_ical(body)
    assert (str(calendar["VERSION"]), str(calendar["X-WR-CALNAME"])) == ("2.0", "policywatch · 湖南省政策 · 申报截止")


def test_every_feed_has_a_calendar_of_the_deadlines_its_filter_passes(data):
    specs = feed_specs(data["entries"], data["config"])
    assert "open-calls" in [spec.slug for spec in specs]
    for spec in specs:
        wanted = expected_events(data["entries"], lambda entry: spec.filter.matches(entry, NOW.date()))
        assert {uid: e.decoded("DTSTART") for uid, e in events(data, spec.slug).items()} == wanted, spec.slug
    open_calls = events(data, "open-calls")
    assert {uid.split("-deadline-")[0] for uid in open_calls} == \
        {e.policy_id for e in data["entries"] if any(d >= "2025-11-18" for d in e.deadlines)}
    assert len(events(data, "incentives")) < len(events(data, "all"))


def test_a_calendar_without_deadlines_is_still_a_valid_calendar(data):
    calendar = Calendar.from_ical(raw(data, "topic-talent"))
    assert calendar.walk("VEVENT") == []
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]


def test_deadlines_more_than_a_year_old_drop_out(data):
    revised = next(e for e in data["entries"] if e.policy_id == data["revised_policy"])
    assert revised.deadlines == ["2024-06-30"]
    assert not [uid for uid in events(data, "all") if uid.startswith(revised.policy_id)]
    oldest = min(e.decoded("DTSTART") for e in events(data, "all").values())
    assert oldest >= NOW.date() - timedelta(days=HISTORY_DAYS) and oldest == date(2024, 12, 20)


def test_hostile_text_is_calendar_text_and_loses_control_characters(data):
    found = events(data, "all")
    event = found[f"{data['hostile_policy']}-deadline-1@policywatch"]
    assert str(event["SUMMARY"]) == "申报截止：" + re.sub(r"\s+", " ", XSS_TITLE)
    assert str(event["URL"]).startswith("https://evil.example/policy?")
    body = raw(data, "all")
    assert b"\x1b" not in body


def test_calendar_bytes_come_from_the_data_not_the_clock(data, tmp_path):
    """The next day changes the feeds' countdowns, not the calendars (DTSTAMP is data, as are states: none)."""
    publish(data["db"], tmp_path / "site", base_url="https://pw.example/", config_path=data["config"],
            now=NOW + timedelta(days=1))
    for path in sorted((data["out"] / "feeds").glob("*.ics")):
        assert (tmp_path / "site" / "feeds" / path.name).read_bytes() == path.read_bytes(), path.name
    assert (tmp_path / "site" / "feeds" / "all.atom").read_bytes() != (data["out"] / "feeds" / "all.atom").read_bytes()


def test_a_moved_deadline_moves_its_event_under_the_same_uid(tmp_path):
    """茂名's reward notice moves its deadline from 2024-06-20 to 2024-06-30 (a material revision)."""
    db = open_db(tmp_path / "pw.db")
    for item in MANIFEST["documents"]:
        store_page(db, mirror_fetched_page(item["path"]))
    policy_id = document_by_url(db, REVISED_URL)["policy_id"]
    uid = f"{policy_id}-deadline-1@policywatch"
    day = datetime(2024, 6, 1, 9, tzinfo=BEIJING)
    publish(db, tmp_path / "before", now=day)
    time.sleep(1.1)  # stored instants have whole seconds: the revision must land in a later one
    revise_policy(db)
    publish(db, tmp_path / "after", now=day)
    before = events({"out": tmp_path / "before"}, "province-440000")[uid]
    after = events({"out": tmp_path / "after"}, "province-440000")[uid]
    assert (before.decoded("DTSTART"), after.decoded("DTSTART")) == (date(2024, 6, 20), date(2024, 6, 30))
    assert after.decoded("SEQUENCE") > before.decoded("SEQUENCE")
    assert after.decoded("LAST-MODIFIED") > before.decoded("LAST-MODIFIED")
    assert after.decoded("DTSTAMP") == after.decoded("LAST-MODIFIED")
    assert len([u for u in events({"out": tmp_path / "after"}, "all") if u.startswith(policy_id)]) == 1


def test_events_written_once_per_run_read_as_icalendar_writes_a_whole_calendar(data):
    """Publish writes each event once and reuses its lines in every calendar: the bytes are icalendar's own."""
    for slug in ("all", "province-430000", "topic-talent"):
        spec = next(s for s in feed_specs(data["entries"], data["config"]) if s.slug == slug)
        wanted = calendar_events([e for e in data["entries"] if spec.filter.matches(e, NOW.date())], NOW.date())
        whole = render_calendar(calendar_name(spec), spec.description, wanted, page_url="https://pw.example/index.html",
                                self_url=f"https://pw.example/feeds/{slug}.ics")
        assert raw(data, slug) == whole, slug
