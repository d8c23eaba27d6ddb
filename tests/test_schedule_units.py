"""Scheduler pieces over a real SQLite file, a real SMTP server and the real CLI, without a scheduler process:
crontab weekdays, the summary alert email, the scheduler's own health, timeouts in health and resume, feeds
staleness and the history indexes."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from crawler.alerts import deliver_alerts, health_pass
from crawler.schedule.dispatcher import Dispatcher
from crawler.schedule.jobs import make_trigger
from crawler.schedule.options import ScheduleOptions
from crawler.sources import Schedule, SourceConfigError, parse_sources
from storage.db import open_db
from storage.health import (SCHEDULER_ID, UNHEALTHY, HealthRules, assess_source, feeds_outdated, finish_step,
                            record_health, start_cycle, start_step)
from storage.runs import finish_run, interrupted_sources, mark_run_timeout, save_source_run, start_run
from tests.support.mirror import DEMO_SOURCES, refusing_port, run_cli
from demo.mailsink import start_smtp
from tests.support.smtp import Recorder
from tests.support.sources import one_source_yaml

SHANGHAI = ZoneInfo("Asia/Shanghai")
RULES = HealthRules(fail_runs=3, no_links_runs=1)


# --- 6. crontab weekdays ---------------------------------------------------------------------

def fire_days(cron: str) -> list[str]:
    """The weekday names of the fire times of `cron` during the week from Sunday 2026-03-01."""
    trigger = make_trigger(Schedule(cron=cron), "Asia/Shanghai")
    start = datetime(2026, 3, 1, 0, 0, tzinfo=SHANGHAI)  # a Sunday
    days, previous, now = [], None, start
    while True:
        fire = trigger.get_next_fire_time(previous, now)
        if fire >= datetime(2026, 3, 8, 0, 0, tzinfo=SHANGHAI):
            return days
        days.append(fire.strftime("%a %H:%M"))
        previous, now = fire, fire


@pytest.mark.parametrize(("cron", "days"), [
    ("0 9 * * 1-5", ["Mon 09:00", "Tue 09:00", "Wed 09:00", "Thu 09:00", "Fri 09:00"]),
    ("0 9 * * 0", ["Sun 09:00"]),
    ("0 9 * * 7", ["Sun 09:00"]),
    ("0 9 * * 6,0", ["Sun 09:00", "Sat 09:00"]),
    ("0 9 * * 0-2", ["Sun 09:00", "Mon 09:00", "Tue 09:00"]),
    ("0 9 * * */2", ["Sun 09:00", "Tue 09:00", "Thu 09:00", "Sat 09:00"]),
    ("0 9 * * 5-7", ["Sun 09:00", "Fri 09:00", "Sat 09:00"]),
    ("0 9 * * mon-fri", ["Mon 09:00", "Tue 09:00", "Wed 09:00", "Thu 09:00", "Fri 09:00"]),
    ("30 8 * * *", ["Sun 08:30", "Mon 08:30", "Tue 08:30", "Wed 08:30", "Thu 08:30", "Fri 08:30", "Sat 08:30"]),
])
def test_numeric_cron_weekdays_read_as_crontab(cron, days):
    assert fire_days(cron) == days




def test_a_numeric_weekday_out_of_range_is_refused_when_loading():
    with pytest.raises(SourceConfigError) as error:
        parse_sources(one_source_yaml("{cron: '0 9 * * 8'}"), "x.yaml")
    assert str(error.value) == ("x.yaml: source 'a': field 'schedule.cron': weekday '8': values run 0-7 "
                                "(0 and 7 are Sunday), low to high (in '0 9 * * 8')")
    assert parse_sources(one_source_yaml("{cron: '0 9 * * 7'}"), "x.yaml")[0].schedule.cron == "0 9 * * 7"


# --- 7. one summary email per health pass -----------------------------------------------------

class Refusing:
    """aiosmtpd handler that answers every message with a temporary failure and counts the attempts."""

    def __init__(self) -> None:
        self.attempts = 0

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd API)
        self.attempts += 1
        return "451 4.3.0 try again later"


def smtp_env(port: int) -> dict[str, str]:
    return {"POLICYWATCH_SMTP_HOST": "127.0.0.1", "POLICYWATCH_SMTP_PORT": str(port),
            "POLICYWATCH_SMTP_SECURITY": "none", "POLICYWATCH_SMTP_FROM": "policywatch@example.org"}


def broken_sources(db, ids: list[str]) -> None:
    """One finished run in which every source in `ids` showed no article links, judged and recorded."""
    run_id = start_run(db, ids)
    for source_id in ids:
        save_source_run(db, run_id, source_id, {"status": "no_links", "exit_reason": "no article links"})
    finish_run(db, run_id, "finished")
    for source_id in ids:
        record_health(db, assess_source(db, source_id, RULES, None))


def test_all_pending_alerts_go_out_in_one_email_and_a_refusal_leaves_them_pending(tmp_path):
    db = open_db(tmp_path / "pw.db")
    broken_sources(db, ["a", "b", "c"])

    refusing = Refusing()
    down = start_smtp(refusing)
    try:
        assert deliver_alerts(db, "ops@example.org", smtp_env(down.port)) == (0, 3)
    finally:
        down.stop()
    assert refusing.attempts == 1  # one message for the three alerts, not three
    assert [(r["email_status"], r["attempts"]) for r in db.query("select * from ops_alerts order by id")] \
        == [("pending", 1)] * 3

    inbox = Recorder()
    up = start_smtp(inbox)
    try:
        assert deliver_alerts(db, "ops@example.org", smtp_env(up.port)) == (3, 0)
        assert deliver_alerts(db, "ops@example.org", smtp_env(up.port)) == (0, 0)
    finally:
        up.stop()
    message, = inbox.emails
    assert message["Subject"] == "[policywatch] 3 sources unhealthy"
    body = message.get_content()
    for source_id in ("a", "b", "c"):
        assert f"- source {source_id} is unhealthy: list page yields no article links" in body
        assert f"policywatch sources check {source_id}" in body
    assert [r["email_status"] for r in db.query("select * from ops_alerts")] == ["sent"] * 3


def test_a_down_smtp_server_is_tried_once_per_pass(tmp_path):
    db = open_db(tmp_path / "pw.db")
    broken_sources(db, ["a", "b"])
    with refusing_port() as closed:
        assert deliver_alerts(db, "ops@example.org", smtp_env(closed)) == (0, 2)
    rows = list(db.query("select email_status, attempts, last_error from ops_alerts order by id"))
    assert [(r["email_status"], r["attempts"]) for r in rows] == [("pending", 1), ("pending", 1)]
    assert rows[0]["last_error"].startswith(f"SMTP 127.0.0.1:{closed}: cannot connect")


# --- 3. the scheduler's own health ------------------------------------------------------------

def crawl_cycle(db, status: str, detail: str | None = None) -> None:
    cycle_id = start_cycle(db, "schedule", ["hunan-kjt"], 1)
    finish_step(db, start_step(db, cycle_id, "crawl"), status, detail, 2 if status == "failed" else 0)
    db["cycles"].update(cycle_id, {"status": "ok" if status == "ok" else "failed", "finished_at": "x"})


def test_crawl_steps_failing_in_a_row_make_the_scheduler_unhealthy_with_one_alert(tmp_path):
    db = open_db(tmp_path / "pw.db")
    bad = "exit 2: policywatch: sources.yaml: not valid YAML at line 1: expected a node"
    crawl_cycle(db, "ok")
    crawl_cycle(db, "failed", bad + "; no crawl run recorded")
    crawl_cycle(db, "failed", bad + "; no crawl run recorded")
    status_args = ("status", "--config", str(DEMO_SOURCES), "--db", str(tmp_path / "pw.db"),
                   "--var", "mirror=http://127.0.0.1:9")
    assert run_cli(*status_args, timeout=60).returncode == 0  # two failures: not yet

    crawl_cycle(db, "failed", bad + "; no crawl run recorded")
    done = run_cli(*status_args, timeout=60)
    assert done.returncode == 1
    assert f"scheduler health: unhealthy: last 3 crawl cycles failed: failed: {bad}" in done.stdout.splitlines()

    feed = tmp_path / "ops.atom"
    first = health_pass(db, [], RULES, None, feed)
    second = health_pass(db, [], RULES, None, feed)
    assert (first.unhealthy, first.new_alerts, second.new_alerts) == ([SCHEDULER_ID], 1, 0)
    alert, = db.query("select source_id, state, reasons from ops_alerts")
    assert (alert["source_id"], alert["state"]) == (SCHEDULER_ID, "unhealthy")
    assert "the scheduler is unhealthy: last 3 crawl cycles failed" in feed.read_text(encoding="utf-8")

    crawl_cycle(db, "ok")
    assert health_pass(db, [], RULES, None, feed).new_alerts == 1  # recovered
    assert run_cli(*status_args, timeout=60).returncode == 0


# --- 5. timeouts count as failing; resume at most once in a row ------------------------------

def run_with(db, statuses: dict[str, str]) -> int:
    run_id = start_run(db, list(statuses), "schedule")
    for source_id, status in statuses.items():
        save_source_run(db, run_id, source_id, {"status": status})
    finish_run(db, run_id, "interrupted" if "interrupted" in statuses.values() else "finished")
    return run_id


def test_timeouts_are_recorded_as_such_and_make_a_source_unhealthy(tmp_path):
    db = open_db(tmp_path / "pw.db")
    run_with(db, {"a": "ok"})
    for _ in range(3):
        run_id = run_with(db, {"a": "interrupted"})
        mark_run_timeout(db, run_id, "crawl stopped at its time limit (7200s)")
    assert db["crawl_runs"].get(run_id)["status"] == "timeout"
    row = db["run_sources"].get((run_id, "a"))
    assert (row["status"], row["exit_reason"]) == ("timeout", "crawl stopped at its time limit (7200s)")
    health = assess_source(db, "a", RULES, None)
    assert health.state == UNHEALTHY
    assert health.reasons == ["failed or blocked 3 runs in a row (last: timeout: crawl stopped at its time limit "
                              "(7200s))"]


def test_resume_after_a_cut_short_run_happens_at_most_once_in_a_row(tmp_path):
    db = open_db(tmp_path / "pw.db")
    run_with(db, {"a": "ok", "b": "ok", "c": "ok"})
    mark_run_timeout(db, run_with(db, {"a": "interrupted"}), "time limit")
    run_with(db, {"b": "interrupted"})
    assert interrupted_sources(db, ["a", "b", "c"]) == {"a", "b"}
    mark_run_timeout(db, run_with(db, {"a": "interrupted"}), "time limit")  # the whole-list read timed out too
    assert interrupted_sources(db, ["a", "b", "c"]) == {"b"}
    run_with(db, {"a": "ok"})
    mark_run_timeout(db, run_with(db, {"a": "interrupted"}), "time limit")
    assert interrupted_sources(db, ["a"]) == {"a"}


# --- 10. feeds are rebuilt until a rebuild succeeds -------------------------------------------

def test_feeds_stay_outdated_until_a_feeds_step_succeeds_after_the_newest_document(tmp_path):
    db = open_db(tmp_path / "pw.db")
    assert not feeds_outdated(db)
    db["documents"].insert({"url": "https://example.org/a.html", "first_seen": "2026-03-01T04:00:00+00:00"})
    assert feeds_outdated(db)
    cycle_id = start_cycle(db, "schedule", ["a"], 1)
    finish_step(db, start_step(db, cycle_id, "feeds"), "failed", "exit 1")
    assert feeds_outdated(db)
    finish_step(db, start_step(db, cycle_id, "feeds"), "ok")
    assert not feeds_outdated(db)
    # the next day in Beijing, deadline states have changed: rebuilt even with nothing new
    built = datetime.fromisoformat(db.execute("select max(started_at) from cycle_steps").fetchone()[0])
    assert not feeds_outdated(db, built)
    assert feeds_outdated(db, built + timedelta(days=1))
    db["documents"].insert({"url": "https://example.org/b.html", "first_seen": "2099-01-01T00:00:00+00:00"})
    assert feeds_outdated(db)


# --- 8. the history queries use their indexes -------------------------------------------------

@pytest.mark.parametrize(("sql", "index"), [
    ("select s.*, r.trigger from run_sources s join crawl_runs r on r.id = s.run_id where s.source_id = ? "
     "order by s.run_id desc limit 5", "idx_run_sources_source_id_run_id"),
    ("select max(r.run_id) from run_sources r where r.source_id = ?", "idx_run_sources_source_id_run_id"),
    ("select url from fetch_errors where source_id = ? and kind = 'detail' group by url",
     "idx_fetch_errors_source_id_kind"),
])
def test_history_queries_use_the_migration_9_indexes(tmp_path, sql, index):
    db = open_db(tmp_path / "pw.db")
    assert db.execute("select name from schema_migrations where version = 9").fetchone() is not None
    plan = " | ".join(row[-1] for row in db.execute("explain query plan " + sql, ["a"]).fetchall())
    assert index in plan


def test_the_older_of_a_digest_request_and_due_sources_goes_first(tmp_path):
    """Digests slower than their interval cannot starve crawls, nor busy crawls the digests."""
    sources = parse_sources(DEMO_SOURCES.read_text(encoding="utf-8"), str(DEMO_SOURCES), {"mirror": "http://127.0.0.1:1"})
    dispatcher = Dispatcher(ScheduleOptions(config=DEMO_SOURCES, db=tmp_path / "pw.db", batch_window=0), sources)
    first, second = sources[0].id, sources[1].id
    dispatcher.source_due(first)
    dispatcher.digest_due()
    assert dispatcher._next_work() == ([first], False)      # the crawl was asked for first
    dispatcher.source_due(second)                           # due while the digest still waits
    dispatcher.digest_due()                                 # asked again: keeps its older place
    assert dispatcher._next_work() == ([], True)
    assert dispatcher._next_work() == ([second], False)
    dispatcher.digest_due()
    assert dispatcher._next_work() == ([], True)
