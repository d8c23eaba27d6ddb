"""The scheduler as ops run it: a real `policywatch schedule` process with second-level schedules, crawling the
demo mirror on a real loopback server through crawl children, into a real SQLite file."""
from __future__ import annotations

import os
import signal
import time

from demo.server import Fault
from tests.support.mirror import run_cli
from tests.support.scheduler import Scheduler, count, finished_cycles, last_link_path, query, wait_for
from tests.support.sources import write_sources

SOURCES = {"hunan-kjt": "3s", "hfwotao": "3s"}


def site_paths(manifest: dict, sites: set[str]) -> set[str]:
    return {d["path"] for d in manifest["documents"] if d["site"] in sites}


def test_two_cycles_then_sigterm_leaves_complete_history(mirror, manifest, tmp_path):
    config = write_sources(tmp_path / "sources.yaml", SOURCES)
    db = tmp_path / "pw.db"
    feeds = tmp_path / "site"
    scheduler = Scheduler(config, db, mirror.base_url, tmp_path / "scheduler.log", "--feeds-out", str(feeds),
                          "--digest-every", "5s")
    try:
        wait_for(lambda: finished_cycles(db) >= 1, what="the first cycle")
        after_first = len(mirror.requests)
        wait_for(lambda: finished_cycles(db) >= 2, what="the second cycle")

        # A second scheduler on the same database refuses, naming the first.
        other = run_cli("schedule", "--config", str(config), "--db", str(db), "--var", f"mirror={mirror.base_url}",
                        timeout=60)
        assert other.returncode == 2
        assert f"another scheduler (pid {scheduler.proc.pid}) is already running on {db}" in other.stderr

        digests = "select count(*) from cycles where trigger = 'digest' and status != 'running'"
        wait_for(lambda: count(db, digests), what="a digest cycle")
    finally:
        code = scheduler.stop()
    assert code == 0

    # The second cycle was incremental: list pages only, no detail page fetched again.
    details = site_paths(manifest, set(SOURCES))
    assert [r.path for r in mirror.requests[after_first:] if r.path in details] == []
    stored = {row[0] for row in query(db, "select url from documents")}
    assert stored == {mirror.base_url + p for p in details}

    # Nothing left running; every finished run has one row per source; cycle 1 crawled, published, checked.
    assert query(db, "select count(*) from crawl_runs where status = 'running'") == [(0,)]
    assert query(db, "select count(*) from cycles where status = 'running'") == [(0,)]
    for (run_id,) in query(db, "select id from crawl_runs where status = 'finished'"):
        assert sorted(r[0] for r in query(db, "select source_id from run_sources where run_id = ?", (run_id,))) \
            == sorted(SOURCES)
    first, second = [c for (c,) in query(db, "select id from cycles where trigger = 'schedule' order by id limit 2")]
    steps = query(db, "select step, status, crawl_run_id from cycle_steps where cycle_id = ? order by id", (first,))
    assert [(s, st) for s, st, _ in steps] == [("crawl", "ok"), ("feeds", "ok"), ("health", "ok")]
    assert steps[0][2] == 1
    # The ops feed is kept beside the database, out of the public feeds folder.
    assert (feeds / "index.html").exists() and not (feeds / "ops.atom").exists()
    assert (tmp_path / "ops.atom").exists()
    # Crawl children read the snapshot of the sources file that validated, beside the database.
    assert (tmp_path / "pw.db.sources.yaml").read_text(encoding="utf-8") == config.read_text(encoding="utf-8")
    second_steps = query(db, "select step from cycle_steps where cycle_id = ? order by id", (second,))
    assert [s for (s,) in second_steps] == ["crawl", "health"]  # nothing stored: feeds not rebuilt
    assert query(db, "select status from cycle_steps where step = 'digest' and status != 'running' limit 1") \
        == [("ok",)]
    durations = query(db, "select duration_s, started_at, finished_at from cycles where status = 'ok'")
    assert all(d is not None and d >= 0 and start < end for d, start, end in durations)
    assert (tmp_path / "pw.db.scheduler.lock").read_text() == ""


def test_killed_crawl_child_is_marked_interrupted_and_the_next_cycle_completes(mirror, manifest, tmp_path):
    config = write_sources(tmp_path / "sources.yaml", SOURCES)
    db = tmp_path / "pw.db"
    slow = last_link_path(mirror, "hunan-kjt/tzgg/index_2.html")
    mirror.set_fault(slow, Fault(delay=120))
    scheduler = Scheduler(config, db, mirror.base_url, tmp_path / "scheduler.log",
                          "--set", "DOWNLOAD_TIMEOUT=120")
    try:
        wait_for(lambda: any(r.path == slow for r in mirror.requests), what="the slow detail request")
        (run_id, pid), = query(db, "select id, pid from crawl_runs where status = 'running'")
        os.kill(pid, signal.SIGKILL)
        mirror.clear_faults()
        wait_for(lambda: finished_cycles(db) >= 1, what="a cycle after the kill")
    finally:
        assert scheduler.stop() == 0

    assert query(db, "select status from crawl_runs where id = ?", (run_id,)) == [("interrupted",)]
    assert sorted(query(db, "select source_id, status from run_sources where run_id = ?", (run_id,))) \
        == [("hfwotao", "interrupted"), ("hunan-kjt", "interrupted")]
    assert query(db, "select status, exit_code from cycle_steps where crawl_run_id = ?", (run_id,)) \
        == [("killed", -9)]
    urls = [row[0] for row in query(db, "select url from documents")]
    assert len(urls) == len(set(urls))
    assert set(urls) == {mirror.base_url + p for p in site_paths(manifest, set(SOURCES))}


REDESIGNED = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>湖南省科学技术厅</title></head><body>'
              '<div class="banner">网站改版升级中</div><p>新版网站即将上线，敬请期待。</p></body></html>').encode()


def test_redesigned_list_page_raises_one_alert_and_status_fails_until_it_recovers(mirror, tmp_path):
    from demo.mailsink import start_smtp
    from tests.support.smtp import Recorder

    inbox = Recorder()
    smtp = start_smtp(inbox)
    config = write_sources(tmp_path / "sources.yaml", {"hunan-kjt": "2s", "hfwotao": "2s"})
    db = tmp_path / "pw.db"
    env = {**os.environ, "POLICYWATCH_SMTP_HOST": "127.0.0.1", "POLICYWATCH_SMTP_PORT": str(smtp.port),
           "POLICYWATCH_SMTP_SECURITY": "none", "POLICYWATCH_SMTP_FROM": "policywatch@example.org",
           "POLICYWATCH_OPS_EMAIL": "ops@example.org"}
    status_args = ("status", "--config", str(config), "--db", str(db), "--var", f"mirror={mirror.base_url}")
    scheduler = Scheduler(config, db, mirror.base_url, tmp_path / "scheduler.log", env=env)
    try:
        wait_for(lambda: finished_cycles(db) >= 1, what="the first cycle")
        mirror.set_fault("/hunan-kjt/tzgg/index.html", Fault(body=REDESIGNED))
        wait_for(lambda: inbox.emails, what="the alert email")
        flipped = finished_cycles(db)
        wait_for(lambda: finished_cycles(db) >= flipped + 2, what="two more cycles")
        assert len(inbox.emails) == 1
        alert = inbox.emails[0]
        assert alert["To"] == "ops@example.org"
        assert alert["Subject"].startswith("[policywatch] source hunan-kjt is unhealthy: list page yields no "
                                           "article links")
        assert "policywatch sources check hunan-kjt" in alert.get_content()

        down = run_cli(*status_args, timeout=60)
        assert down.returncode == 1
        line = next(row for row in down.stdout.splitlines() if row.startswith("hunan-kjt"))
        assert "unhealthy" in line and "no article links" in line
        assert next(row for row in down.stdout.splitlines() if row.startswith("hfwotao")).split()[1] == "healthy"

        mirror.clear_faults()
        wait_for(lambda: len(inbox.emails) >= 2, what="the recovery email")
        assert inbox.emails[1]["Subject"] == "[policywatch] source hunan-kjt recovered"
        assert run_cli(*status_args, timeout=60).returncode == 0
    finally:
        assert scheduler.stop() == 0
        smtp.stop()
    assert len(inbox.emails) == 2
    assert query(db, "select source_id, state, email_status from ops_alerts order by id") == [
        ("hunan-kjt", "unhealthy", "sent"), ("hunan-kjt", "recovered", "sent")]
    feed = (tmp_path / "ops.atom").read_text(encoding="utf-8")
    assert feed.count("<entry>") == 2 and "source hunan-kjt recovered" in feed


def test_restart_after_downtime_catches_up_once_and_sighup_reloads(mirror, tmp_path):
    config = write_sources(tmp_path / "sources.yaml", {"hunan-kjt": "2s", "hfwotao": "2s"})
    db = tmp_path / "pw.db"
    first = Scheduler(config, db, mirror.base_url, tmp_path / "first.log")
    try:
        wait_for(lambda: finished_cycles(db) >= 1, what="the first cycle")
    finally:
        assert first.stop() == 0
    before = query(db, "select max(id) from crawl_runs")[0][0]
    # Down for more than four intervals: each source has missed several runs.
    time.sleep(9)

    second = Scheduler(config, db, mirror.base_url, tmp_path / "second.log")
    try:
        wait_for(lambda: count(db, "select count(*) from cycles where id > 1 and status = 'ok'"),
                 what="the catch-up cycle")
        events = second.events()
        started = next(i for i, e in enumerate(events) if e.get("event") == "cycle_started")
        due = [e["source"] for e in events[:started] if e.get("event") == "source_due"]
        # Coalesced: one catch-up per source (a regular tick may fall into the batch window), not one per miss.
        assert sorted(set(due)) == ["hfwotao", "hunan-kjt"] and all(due.count(s) <= 2 for s in set(due))
        assert events[started]["sources"] == ["hunan-kjt", "hfwotao"]
        catch_up = query(db, "select sources from crawl_runs where id = ?", (before + 1,))
        assert catch_up == [('["hunan-kjt", "hfwotao"]',)]

        # SIGHUP: a changed schedule is picked up; a broken file is refused and the old one kept.
        config.write_text(config.read_text(encoding="utf-8").replace("interval: 2s", "interval: 1h", 1),
                          encoding="utf-8")
        second.signal(signal.SIGHUP)
        reloaded = wait_for(lambda: [e for e in second.events() if e.get("event") == "reloaded"], what="reload")
        assert "'rescheduled': 1" in reloaded[0]["message"]
        jobs = dict(query(tmp_path / "pw.jobs.sqlite", "select id, next_run_time from apscheduler_jobs"))
        assert jobs["crawl:hunan-kjt"] - jobs["crawl:hfwotao"] > 3000
        config.write_text("sources: [", encoding="utf-8")
        second.signal(signal.SIGHUP)
        failed = wait_for(lambda: [e for e in second.events() if e.get("event") == "reload_failed"],
                          what="refused reload")
        assert "keeping the previous configuration" in failed[0]["message"] and second.proc.poll() is None
    finally:
        assert second.stop() == 0

