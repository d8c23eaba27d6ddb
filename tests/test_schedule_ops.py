"""The scheduler surviving what goes wrong in months of unattended running: errors inside the dispatcher, a
scheduler killed outright, a broken sources edit, crawls that time out, a redesign that keeps the pager. Real
`policywatch schedule` processes, the demo mirror on a real loopback server, a real SQLite file."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
from pathlib import Path

from demo.server import Fault
from storage.db import open_db
from storage.runs import pid_alive
from tests.support.mirror import FAST, ROOT, crawl_mirror
from tests.support.scheduler import Scheduler, finished_cycles, last_link_path, query, wait_for
from tests.support.sources import write_sources

SOURCES = {"hunan-kjt": "2s", "hfwotao": "2s"}
ONCE = {"hunan-kjt": "1h", "hfwotao": "1h"}  # due once at start, not again during the test


def execute(db: Path, sql: str) -> None:
    """Run one statement on the database (it exists with every migration applied)."""
    open_db(db)
    conn = sqlite3.connect(db, timeout=30)
    try:
        with conn:
            conn.execute(sql)
    finally:
        conn.close()


def test_an_error_inside_a_cycle_fails_that_cycle_and_the_next_one_runs(mirror, tmp_path):
    config = write_sources(tmp_path / "sources.yaml", SOURCES)
    db = tmp_path / "pw.db"
    # A real database error in the scheduler's own bookkeeping (as a full disk or a corrupt page would raise).
    execute(db, "create trigger fault before insert on cycle_steps when new.step = 'crawl' "
                "begin select raise(abort, 'injected: disk I/O error'); end")
    scheduler = Scheduler(config, db, mirror.base_url, tmp_path / "scheduler.log")
    try:
        wait_for(lambda: finished_cycles(db, "failed"), what="a failed cycle")
        execute(db, "drop trigger fault")
        wait_for(lambda: finished_cycles(db) >= 1, what="a cycle after the error")
        assert scheduler.proc.poll() is None
    finally:
        assert scheduler.stop() == 0
    crashed = [e for e in scheduler.events() if e.get("event") == "cycle_crashed"]
    assert crashed and "injected: disk I/O error" in crashed[0]["message"]
    assert query(db, "select count(*) from cycles where status = 'running'") == [(0,)]


def test_a_dead_dispatcher_makes_the_scheduler_exit_non_zero(mirror, tmp_path):
    config = write_sources(tmp_path / "sources.yaml", SOURCES)
    db = tmp_path / "pw.db"
    execute(db, "insert into cycles (started_at, trigger, sources, status, pid) "
                "values ('2026-03-01T00:00:00+00:00', 'schedule', '[]', 'running', 1)")
    execute(db, "create trigger fault before update on cycles begin select raise(abort, 'injected'); end")
    scheduler = Scheduler(config, db, mirror.base_url, tmp_path / "scheduler.log")
    try:
        code = scheduler.proc.wait(timeout=90)
    finally:
        scheduler.stop()
    assert code == 1
    assert [e["event"] for e in scheduler.events() if e.get("event") in ("dispatcher_died", "scheduler_failed")] \
        == ["dispatcher_died", "scheduler_failed"]


def test_a_crawl_child_dies_with_a_killed_scheduler(mirror, tmp_path):
    config = write_sources(tmp_path / "sources.yaml", ONCE)
    db = tmp_path / "pw.db"
    slow = last_link_path(mirror, "hunan-kjt/tzgg/index_2.html")
    mirror.set_fault(slow, Fault(delay=120))
    scheduler = Scheduler(config, db, mirror.base_url, tmp_path / "scheduler.log", "--set", "DOWNLOAD_TIMEOUT=120")
    child = None
    try:
        wait_for(lambda: any(r.path == slow for r in mirror.requests), what="the slow detail request")
        (child,), = query(db, "select pid from crawl_runs where status = 'running'")
        scheduler.proc.kill()
        scheduler.proc.wait(timeout=30)
        wait_for(lambda: not pid_alive(child), timeout=30, what="the crawl child to die with its scheduler")
    finally:
        scheduler.stop()
        if child and pid_alive(child):
            os.kill(child, signal.SIGKILL)


def test_a_new_scheduler_stops_a_crawl_left_running_before_its_first_cycle(mirror, manifest, tmp_path):
    config = write_sources(tmp_path / "sources.yaml", ONCE)
    db = tmp_path / "pw.db"
    slow = last_link_path(mirror, "hunan-kjt/tzgg/index_2.html")
    mirror.set_fault(slow, Fault(delay=120))
    # A crawl child exactly as an earlier scheduler started it, still running after that scheduler is gone.
    from crawler.schedule.child import crawl_argv
    from crawler.schedule.config import load_config, write_config_snapshot
    from crawler.schedule.options import ScheduleOptions

    options = ScheduleOptions(config=config, db=db, variables={"mirror": mirror.base_url},
                              crawl_settings=(*FAST[1::2], "DOWNLOAD_TIMEOUT=120"))
    write_config_snapshot(options, load_config(options))
    orphan = subprocess.Popen(crawl_argv(options, list(ONCE)), cwd=ROOT, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: any(r.path == slow for r in mirror.requests), what="the orphan's slow request")
        (orphan_run,), = query(db, "select id from crawl_runs where status = 'running'")
        scheduler = Scheduler(config, db, mirror.base_url, tmp_path / "scheduler.log")
        try:
            orphan.wait(timeout=90)
            mirror.clear_faults()
            wait_for(lambda: finished_cycles(db) >= 1, what="the new scheduler's first cycle")
        finally:
            assert scheduler.stop() == 0
    finally:
        if orphan.poll() is None:
            orphan.kill()
            orphan.wait()
    events = [e.get("event") for e in scheduler.events()]
    assert events.index("orphan_stopped") < events.index("cycle_started")
    assert query(db, "select status from crawl_runs where id = ?", (orphan_run,)) == [("interrupted",)]
    runs = query(db, "select id, status from crawl_runs order by id")
    assert [status for _, status in runs] == ["interrupted", "finished"]
    urls = [row[0] for row in query(db, "select url from documents")]
    assert len(urls) == len(set(urls))
    assert set(urls) == {mirror.base_url + d["path"] for d in manifest["documents"] if d["site"] in ONCE}


def test_a_broken_sources_edit_without_sighup_does_not_stop_the_crawls(mirror, tmp_path):
    config = write_sources(tmp_path / "sources.yaml", SOURCES)
    db = tmp_path / "pw.db"
    scheduler = Scheduler(config, db, mirror.base_url, tmp_path / "scheduler.log")
    try:
        wait_for(lambda: finished_cycles(db) >= 1, what="the first cycle")
        config.write_text("sources: [", encoding="utf-8")  # saved mid-edit; nobody sent SIGHUP
        wait_for(lambda: finished_cycles(db) >= 3, what="two more cycles")
    finally:
        assert scheduler.stop() == 0
    assert query(db, "select count(*) from cycle_steps where step = 'crawl' and status = 'failed'") == [(0,)]
    assert query(db, "select count(*) from crawl_runs where status = 'finished'")[0][0] >= 3


def test_a_crawl_stopped_at_its_time_limit_is_recorded_as_timeout(mirror, tmp_path):
    config = write_sources(tmp_path / "sources.yaml", ONCE)
    db = tmp_path / "pw.db"
    slow = last_link_path(mirror, "hunan-kjt/tzgg/index_2.html")
    mirror.set_fault(slow, Fault(delay=120))
    # long enough for a child on a starved machine to start and record its run (1-2 s idle, 3 s at a third
    # of a core); the slow page cannot fail first: six 3-second attempts outlast the limit
    scheduler = Scheduler(config, db, mirror.base_url, tmp_path / "scheduler.log", "--crawl-timeout", "15s",
                          "--set", "RETRY_TIMES=5")
    try:
        wait_for(lambda: finished_cycles(db, "timeout"), what="a cycle that timed out")
    finally:
        assert scheduler.stop() == 0
    (run_id, status), = query(db, "select id, status from crawl_runs")
    assert status == "timeout"
    rows = query(db, "select source_id, status, exit_reason from run_sources where run_id = ? order by source_id",
                 (run_id,))
    assert [(s, st) for s, st, _ in rows] == [("hfwotao", "timeout"), ("hunan-kjt", "timeout")]
    assert all(reason.startswith("crawl stopped at its time limit (15s)") for _, _, reason in rows)
    assert query(db, "select status from cycle_steps where step = 'crawl'") == [("timeout",)]


def redesigned(next_page: str) -> bytes:
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>湖南省科学技术厅</title></head><body>'
            '<div class="banner">网站改版升级中</div><p>新版网站即将上线，敬请期待。</p>'
            f'<div class="page"><a href="index.html">首页</a> <a href="{next_page}">下一页</a> '
            '<a href="list_9.html">尾页</a> 共9页</div></body></html>').encode()


def test_a_redesign_that_keeps_the_pager_is_recorded_as_no_links(mirror, tmp_path):
    db = tmp_path / "pw.db"
    mirror.set_fault("/hunan-kjt/tzgg/index.html", Fault(body=redesigned("list_2.html")))
    mirror.set_fault("/hunan-kjt/tzgg/list_2.html", Fault(body=redesigned("list_3.html")))
    done = crawl_mirror(mirror, db, "--source", "hunan-kjt")
    assert done.returncode == 0, done.stderr
    (status, list_pages, links, reason), = query(
        db, "select status, list_pages, links_found, exit_reason from run_sources where source_id = 'hunan-kjt'")
    assert (status, list_pages, links) == ("no_links", 2, 0)
    assert "no article links on the 2 list page(s) read" in reason
