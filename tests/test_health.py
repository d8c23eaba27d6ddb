"""Health rules, alert state and run reconciliation over a real SQLite file."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from crawler.sources import SourceConfigError, parse_sources
from storage.db import open_db
from storage.health import (HEALTHY, UNHEALTHY, UNKNOWN, HealthRules, assess_source, judge_source, pending_alerts,
                            record_health)
from storage.runs import finish_run, reconcile_dead_runs, save_source_run, start_run
from tests.support.sources import one_source_yaml

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
RULES = HealthRules(fail_runs=3, no_links_runs=1)


def runs(*statuses: str) -> list[dict]:
    return [{"status": s, "blocked_status": 412 if s == "blocked" else None, "exit_reason": f"reason {i}"}
            for i, s in enumerate(statuses)]


def test_never_crawled_is_unknown_not_unhealthy():
    assert judge_source("a", [], None, RULES, None, NOW) == (UNKNOWN, ["never crawled"])


def test_no_links_on_the_list_page_is_unhealthy_at_once():
    assert judge_source("a", runs("no_links", "ok"), "2026-02-27", RULES, None, NOW) == (
        UNHEALTHY, ["list page yields no article links (1 run(s) in a row; site redesigned?)"])


def test_failures_count_only_in_an_unbroken_row():
    assert judge_source("a", runs("failed", "blocked", "ok", "failed"), None, RULES, None, NOW) == (HEALTHY, [])
    state, reasons = judge_source("a", runs("blocked", "failed", "failed"), None, RULES, None, NOW)
    assert state == UNHEALTHY
    assert reasons == ["failed or blocked 3 runs in a row (last: blocked (http 412): reason 0)"]


def test_newest_document_older_than_the_expected_cadence():
    every = timedelta(days=30)
    assert judge_source("a", runs("ok"), "2026-02-01", RULES, every, NOW) == (HEALTHY, [])
    assert judge_source("a", runs("ok"), "2026-01-20", RULES, every, NOW) == (
        UNHEALTHY, ["newest document (2026-01-20) is older than the expected cadence (30d)"])
    assert judge_source("a", runs("ok"), None, RULES, every, NOW)[1] == ["no document stored yet (expected every 30d)"]


def test_one_alert_per_change_kept_in_the_database(tmp_path):
    db = open_db(tmp_path / "pw.db")
    run_id = start_run(db, ["a"])
    save_source_run(db, run_id, "a", {"status": "no_links", "exit_reason": "no article links on list page 1"})
    finish_run(db, run_id, "finished")
    broken = assess_source(db, "a", RULES, None)
    assert broken.state == UNHEALTHY
    alert = record_health(db, broken)
    assert (alert["state"], alert["email_status"]) == ("unhealthy", "pending")
    assert record_health(db, broken) is None  # still broken: no second alert
    run_id = start_run(db, ["a"])
    save_source_run(db, run_id, "a", {"status": "ok", "links_found": 5})
    finish_run(db, run_id, "finished")
    assert record_health(db, assess_source(db, "a", RULES, None))["state"] == "recovered"
    assert [a["state"] for a in pending_alerts(db)] == ["unhealthy", "recovered"]


def test_first_healthy_judgement_raises_no_alert(tmp_path):
    db = open_db(tmp_path / "pw.db")
    run_id = start_run(db, ["a"])
    save_source_run(db, run_id, "a", {"status": "ok"})
    assert record_health(db, assess_source(db, "a", RULES, None)) is None


def test_interrupted_runs_neither_fail_nor_heal_a_source(tmp_path):
    db = open_db(tmp_path / "pw.db")
    for status in ("failed", "failed", "interrupted", "failed"):
        run_id = start_run(db, ["a"])
        save_source_run(db, run_id, "a", {"status": status})
    health = assess_source(db, "a", RULES, None)
    assert health.state == UNHEALTHY and health.last_run["status"] == "failed"


def test_a_run_left_running_by_a_dead_process_is_marked_interrupted(tmp_path):
    db = open_db(tmp_path / "pw.db")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    run_id = start_run(db, ["a", "b"])
    db["crawl_runs"].update(run_id, {"pid": int(dead.stdout)})
    save_source_run(db, run_id, "a", {"status": "ok"})
    alive = start_run(db, ["c"])  # this process: still running, left alone
    assert reconcile_dead_runs(db) == [run_id]
    assert db["crawl_runs"].get(run_id)["status"] == "interrupted"
    assert db["crawl_runs"].get(alive)["status"] == "running"
    rows = {r["source_id"]: r["status"] for r in db.query("select * from run_sources where run_id = ?", [run_id])}
    assert rows == {"a": "ok", "b": "interrupted"}




@pytest.mark.parametrize(("schedule", "extra", "every"), [
    ("{interval: 6h}", "    expected_every: 30d", timedelta(days=30)),
    ("{interval: 6h}", "    expected_cadence_days: 7", timedelta(days=7)),
    ("{cron: '17 */4 * * mon-fri', jitter: 5m}", "", None),
])
def test_schedule_and_cadence_fields(schedule, extra, every):
    source, = parse_sources(one_source_yaml(schedule, extra), "x.yaml")
    assert source.expected_every == every


@pytest.mark.parametrize(("schedule", "extra", "message"), [
    ("{cron: '99 * * * *'}", "",
     "x.yaml: source 'a': field 'schedule.cron': Error validating expression '99': the last value (99) is higher "
     "than the maximum value (59) (in '99 * * * *')"),
    ("{interval: 6h}", "    expected_every: often",
     "x.yaml: source 'a': field 'expected_every': must look like 30d, 12h or 90m (got 'often')"),
    ("{interval: 6h}", "    expected_every: 30d\n    expected_cadence_days: 30",
     "x.yaml: source 'a': field 'expected_every': give expected_every or expected_cadence_days, not both"),
])
def test_bad_schedule_and_cadence_fields(schedule, extra, message):
    with pytest.raises(SourceConfigError) as error:
        parse_sources(one_source_yaml(schedule, extra), "x.yaml")
    assert str(error.value) == message


def test_status_says_when_a_new_document_was_last_stored_in_utc(tmp_path):
    config = tmp_path / "sources.yaml"
    config.write_text(one_source_yaml("{interval: 6h}"), encoding="utf-8")
    db = open_db(tmp_path / "pw.db")
    run_id = start_run(db, ["a"])
    save_source_run(db, run_id, "a", {"status": "ok", "new_documents": 1})
    finish_run(db, run_id, "finished")
    for url, seen in (("https://example.org/1", "2026-03-01T09:00:00+08:00"),     # 01:00 UTC: the latest
                      ("https://example.org/2", "2026-02-28T23:00:00+00:00")):
        db["documents"].insert({"url": url, "source_id": "a", "first_seen": seen, "text": "正文"})
    db.conn.commit()
    done = subprocess.run([sys.executable, "-m", "crawler", "status", "--config", str(config), "--db",
                           str(tmp_path / "pw.db"), "--cycles", "0"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    header, row = done.stdout.splitlines()[1:3]
    assert header == "source                 health    last run (UTC)      status       new last new doc stored errors / why"
    assert row.split()[:2] == ["a", "healthy"] and row.endswith("   1 2026-03-01 01:00:00 -")
    as_json = subprocess.run([sys.executable, "-m", "crawler", "status", "--config", str(config), "--db",
                              str(tmp_path / "pw.db"), "--json"], capture_output=True, text=True, timeout=120)
    [source] = json.loads(as_json.stdout)["sources"]
    assert source["last_new_document"] == "2026-03-01T09:00:00+08:00"        # the stored instant, as stored


def test_the_last_stored_document_is_the_latest_instant_whatever_its_offset(tmp_path):
    from storage.db import open_db
    from storage.health import newest_document_dates

    db = open_db(tmp_path / "pw.db")
    # 09:00 in Beijing (+08:00) is 01:00 UTC: earlier than 02:00 UTC, though its text sorts after it
    db["documents"].insert({"url": "https://example.org/a.html", "source_id": "s",
                            "first_seen": "2026-03-01T09:00:00+08:00"})
    db["documents"].insert({"url": "https://example.org/b.html", "source_id": "s",
                            "first_seen": "2026-03-01T02:00:00+00:00"})
    assert newest_document_dates(db, "s") == ("2026-03-01T02:00:00+00:00", "2026-03-01T02:00:00+00:00")
