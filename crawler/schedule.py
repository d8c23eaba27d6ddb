"""`policywatch schedule`: APScheduler fires each source's schedule; a dispatcher thread runs the work.

* APScheduler 3 (BackgroundScheduler) keeps one job per enabled source (`crawl:<id>`, its cron or
  interval with jitter) and one `digest` job in a SQLite job store beside the database, with
  coalesce=True and max_instances=1: after downtime every source runs once, not once per missed tick.
  A job only marks its source as due.
* The dispatcher runs one cycle at a time. Sources that fall due within the batch window go into
  one crawl child (`python -m crawler crawl --source A --source B …`, Scrapy's reactor runs once
  per process), so no source is ever crawled twice at once. A crawl that stored something is
  followed by `policywatch feeds` (with --feeds-out); every crawl cycle ends with the health pass
  (alerts, ops feed). Digests run in cycles of their own.
* Children run in their own process group with a time limit; on timeout or shutdown the group is
  terminated (SIGTERM, then SIGKILL after a grace period) and the step is recorded as such. A crawl
  stopped at its time limit is recorded as `timeout` (its run and sources), which health counts as failing.
* On Linux each child is started through a tiny wrapper that sets PR_SET_PDEATHSIG(SIGKILL) and then
  execs the command, so a child never outlives a scheduler killed outright (kill -9, OOM killer). The
  kernel sends that signal when the *thread* that forked the child exits: children are forked by the
  dispatcher thread, which lives as long as the process (when it dies the scheduler exits too).
  A scheduler starting up still stops any child of an earlier scheduler on the same database that is
  alive (recorded pid, checked against its command line) before its first cycle.
* Children read a snapshot of the last sources file that validated (`<db>.sources.yaml`, written at
  start and on each successful SIGHUP reload), never the live file: an edit that does not validate
  cannot break crawls. Crawl steps that keep failing anyway make the scheduler itself unhealthy
  (`(scheduler)` in `status`, one ops alert).
* An error inside the dispatcher fails that cycle (logged, recorded) and the next cycle runs; if the
  dispatcher thread dies all the same, the scheduler exits 1 (systemd restarts it).
* One scheduler per database: an exclusive flock on `<db>.scheduler.lock`.
* SIGTERM/SIGINT stop cleanly; SIGHUP reloads the sources file (a bad file keeps the old one).
"""
from __future__ import annotations

import fcntl
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any, Callable, Iterable

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from crawler.alerts import health_pass
from crawler.logs import CHILD_LOG_FORMAT, parse_child_line
from crawler.sources import Schedule, Source, cron_trigger_fields, parse_sources
from storage.db import open_db
from storage.files import try_exclusive_lock, write_atomic
from storage.health import (HealthRules, fail_cycle, feeds_outdated, finish_cycle, finish_step, format_duration,
                            reconcile_dead_cycles, running_step_pids, set_step_pid, start_cycle, start_step,
                            stored_by_run)
from storage.runs import (cut_short_sources, live_runs, mark_run_timeout, pid_alive, reconcile_dead_runs,
                          run_id_for_pid)

logger = logging.getLogger(__name__)

CRAWL_JOB_PREFIX = "crawl:"
DIGEST_JOB_ID = "digest"
OK_STATUSES = ("ok", "skipped")


class SchedulerBusy(RuntimeError):
    """Another scheduler holds the database's lock."""


@dataclass
class ScheduleOptions:
    """Everything `policywatch schedule` was started with."""

    config: Path
    db: Path
    variables: dict[str, str] = field(default_factory=dict)
    crawl_settings: tuple[str, ...] = ()          # KEY=VALUE pairs handed to each crawl as --set
    jobs_db: Path | None = None
    feeds_out: Path | None = None
    feeds_base_url: str | None = None              # handed to `policywatch feeds --base-url`
    digest_config: Path | None = None              # handed to `policywatch digest --config`
    ops_feed: Path | None = None
    ops_email: str | None = None
    digest_every: timedelta | None = timedelta(minutes=15)
    batch_window: float = 10.0
    crawl_timeout: float = 7200.0
    step_timeout: float = 1800.0
    stop_grace: float = 20.0
    misfire_grace: int | None = None               # None: a missed run is caught up however late
    timezone: str = "Asia/Shanghai"
    crawl_log_level: str = "WARNING"
    rules: HealthRules = field(default_factory=HealthRules)

    def __post_init__(self) -> None:
        self.config, self.db = Path(self.config).resolve(), Path(self.db).resolve()
        self.jobs_db = Path(self.jobs_db).resolve() if self.jobs_db else default_jobs_db(self.db)
        if self.feeds_out:
            self.feeds_out = Path(self.feeds_out).resolve()
        if self.ops_feed is None:  # beside the database: source health is for ops, not the public feeds folder
            self.ops_feed = self.db.parent / "ops.atom"

    @property
    def config_snapshot(self) -> Path:
        """The last sources file that validated, which crawl children read (`<db>.sources.yaml`)."""
        return self.db.with_name(self.db.name + ".sources.yaml")


def default_jobs_db(db: Path) -> Path:
    """The APScheduler job store beside the database: var/policywatch.db -> var/policywatch.jobs.sqlite."""
    return db.with_name(db.stem + ".jobs.sqlite")


def lock_path(db: Path) -> Path:
    """The scheduler's lock file beside the database."""
    return db.with_name(db.name + ".scheduler.lock")


def running_scheduler_pid(db: Path) -> int | None:
    """The pid of the scheduler running on `db`, or None."""
    try:
        text = lock_path(Path(db)).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    pid = int(text) if text.isdigit() else None
    return pid if pid_alive(pid) else None


class SchedulerLock:
    """An exclusive, non-blocking flock held for the scheduler's lifetime (released by the kernel on death)."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.path = lock_path(db)
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock and write our pid into it, or raise SchedulerBusy naming the holder."""
        handle = try_exclusive_lock(self.path)
        if handle is None:
            holder = self.path.read_text(encoding="ascii").strip() or "?"
            raise SchedulerBusy(f"another scheduler (pid {holder}) is already running on {self.db} "
                                f"(lock {self.path})")
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        """Drop the lock (the file stays; its pid is stale once we are gone)."""
        if self._file is not None:
            self._file.seek(0)
            self._file.truncate()
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


# --- triggers and jobs -------------------------------------------------------------------

def describe_schedule(schedule: Schedule) -> str:
    """'every 6h, jitter 10m' or 'cron 17 */4 * * *, jitter 10m'."""
    when = f"cron {schedule.cron}" if schedule.cron else f"every {format_duration(schedule.interval)}"
    return when + (f", jitter {format_duration(schedule.jitter)}" if schedule.jitter else "")


def make_trigger(schedule: Schedule, timezone: str) -> BaseTrigger:
    """The APScheduler trigger of a source's schedule (cron fields are read in `timezone`)."""
    jitter = int(schedule.jitter.total_seconds()) or None
    if schedule.cron:
        return CronTrigger(**cron_trigger_fields(schedule.cron), timezone=timezone, jitter=jitter)
    return IntervalTrigger(seconds=int(schedule.interval.total_seconds()), timezone=timezone, jitter=jitter)


def sync_jobs(scheduler: BackgroundScheduler, sources: Iterable[Source], options: ScheduleOptions) -> dict[str, int]:
    """Make the job store match the sources: add new sources (due at once), reschedule changed schedules,
    remove dropped or disabled sources; unchanged jobs keep their stored next run (so missed runs coalesce)."""
    wanted: dict[str, tuple[str, BaseTrigger, str, list[str]]] = {
        CRAWL_JOB_PREFIX + s.id: ("crawler.schedule:source_due", make_trigger(s.schedule, options.timezone),
                                  f"crawl {s.id}: {describe_schedule(s.schedule)}", [s.id])
        for s in sources if s.enabled}
    if options.digest_every:
        every = Schedule(interval=options.digest_every)
        wanted[DIGEST_JOB_ID] = ("crawler.schedule:digest_due", make_trigger(every, options.timezone),
                                 f"digest: {describe_schedule(every)}", [])
    counts = {"added": 0, "rescheduled": 0, "removed": 0, "kept": 0}
    existing = {job.id: job for job in scheduler.get_jobs()}
    for job_id in set(existing) - set(wanted):
        scheduler.remove_job(job_id)
        counts["removed"] += 1
    job_options = {"coalesce": True, "max_instances": 1, "misfire_grace_time": options.misfire_grace}
    for job_id, (func, trigger, name, args) in wanted.items():
        job = existing.get(job_id)
        if job is None:
            scheduler.add_job(func, trigger, args=args, id=job_id, name=name,
                              next_run_time=datetime.now(trigger.timezone), **job_options)
            counts["added"] += 1
        elif job.name != name:
            scheduler.modify_job(job_id, name=name, **job_options)
            scheduler.reschedule_job(job_id, trigger=trigger)
            counts["rescheduled"] += 1
        else:
            scheduler.modify_job(job_id, **job_options)
            counts["kept"] += 1
    return counts


_dispatcher: "Dispatcher | None" = None


def source_due(source_id: str) -> None:
    """Job function of `crawl:<id>`: mark the source due (the dispatcher batches and crawls it)."""
    if _dispatcher is not None:
        _dispatcher.source_due(source_id)


def digest_due() -> None:
    """Job function of `digest`: ask the dispatcher for a digest cycle."""
    if _dispatcher is not None:
        _dispatcher.digest_due()


# --- child processes ---------------------------------------------------------------------

@dataclass
class ChildOutcome:
    """How a child command ended: ok, failed, timeout, interrupted or killed (by a signal)."""

    status: str
    exit_code: int | None
    pid: int
    detail: str


def _relay(stream: IO[str], label: str, pid: int, default_level: int, tail: deque) -> None:
    """Log each line a child prints, as the child's own log line where it is one."""
    child_logger = logging.getLogger(f"policywatch.{label}")
    for raw in stream:
        line = raw.rstrip()
        if not line:
            continue
        level, name, message, fields = parse_child_line(line, default_level)
        child_logger.log(level, "%s", message, extra={**fields, "child": label, "pid": pid})
        if level >= logging.WARNING:
            tail.append(message)


def _stop_group(proc: subprocess.Popen, grace: float) -> int:
    """SIGTERM the child's process group, SIGKILL it after `grace` seconds; returns the exit code."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 30.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            return proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
    return proc.wait()


# Run in the child between fork and the real command: ask the kernel to SIGKILL this process when
# the thread that forked it exits (PR_SET_PDEATHSIG = 1), then exec. If the scheduler died before
# prctl took effect the parent pid has already changed: exit instead of running unsupervised.
# (A wrapper rather than preexec_fn: preexec_fn is not safe in a process with threads.)
PDEATHSIG_WRAPPER = """\
import ctypes, os, signal, sys
if ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0) != 0:
    sys.exit("prctl(PR_SET_PDEATHSIG) failed: errno %d" % ctypes.get_errno())
if os.getppid() != int(sys.argv[1]):
    sys.exit("the scheduler exited before this child started")
os.execv(sys.argv[2], sys.argv[2:])
"""


def supervised_argv(argv: list[str]) -> list[str]:
    """`argv` behind the parent-death wrapper on Linux (elsewhere unchanged)."""
    if not sys.platform.startswith("linux"):
        return argv
    return [sys.executable, "-S", "-c", PDEATHSIG_WRAPPER, str(os.getpid()), *argv]


def run_child(argv: list[str], label: str, timeout: float, stop: threading.Event, grace: float,
              on_start: Callable[[int], None] | None = None) -> ChildOutcome:
    """Run one policywatch child command to its end, its time limit, or until `stop` is set
    (`on_start(pid)` is called once it runs; if anything here fails, the child is stopped first)."""
    proc = subprocess.Popen(supervised_argv(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8", errors="replace", start_new_session=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    logger.info("%s child started (pid %s)", label, proc.pid, extra={"event": "child_started", "child": label,
                                                                     "pid": proc.pid})
    tail: deque[str] = deque(maxlen=3)
    readers = [threading.Thread(target=_relay, args=(stream, label, proc.pid, level, tail), daemon=True)
               for stream, level in ((proc.stdout, logging.INFO), (proc.stderr, logging.WARNING))]
    for reader in readers:
        reader.start()
    deadline = time.monotonic() + timeout
    reason = None
    try:
        if on_start is not None:
            on_start(proc.pid)
        while True:
            try:
                code = proc.wait(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                pass
            if stop.is_set() or time.monotonic() > deadline:
                reason = "interrupted" if stop.is_set() else "timeout"
                logger.warning("%s child (pid %s): %s, stopping its process group", label, proc.pid, reason,
                               extra={"event": f"child_{reason}", "child": label, "pid": proc.pid})
                code = _stop_group(proc, grace)
                break
    except BaseException:
        _stop_group(proc, grace)  # never leave a child running behind an error in the scheduler
        raise
    for reader in readers:
        reader.join(timeout=10)
    status = reason or ("ok" if code == 0 else "killed" if code < 0 else "failed")
    details = {"timeout": f"no result within {timeout:.0f}s; process group stopped",
               "interrupted": "the scheduler was stopped during this step",
               "killed": f"killed by signal {-code}" if code < 0 else ""}
    detail = details.get(status) or ("" if status == "ok" else f"exit {code}: " + " | ".join(tail))
    return ChildOutcome(status, code, proc.pid, detail)


def policywatch_argv(*args: str) -> list[str]:
    """A `policywatch ARGS` command line running in this interpreter."""
    return [sys.executable, "-m", "crawler", *args]


def crawl_argv(options: ScheduleOptions, source_ids: list[str]) -> list[str]:
    """The crawl child's command line."""
    argv = ["crawl", "--config", str(options.config_snapshot), "--db", str(options.db),
            "--log-level", options.crawl_log_level]
    for name, value in options.variables.items():
        argv += ["--var", f"{name}={value}"]
    for pair in options.crawl_settings:
        argv += ["--set", pair]
    argv += ["--set", "POLICYWATCH_RUN_TRIGGER=schedule", "--set", f"LOG_FORMAT={CHILD_LOG_FORMAT}"]
    for source_id in source_ids:
        argv += ["--source", source_id]
    return policywatch_argv(*argv)


def feeds_argv(options: ScheduleOptions) -> list[str]:
    """The feeds child's command line."""
    argv = ["feeds", "--db", str(options.db), "--out", str(options.feeds_out)]
    return policywatch_argv(*argv, *(["--base-url", options.feeds_base_url] if options.feeds_base_url else []))


def digest_argv(options: ScheduleOptions) -> list[str]:
    """The digest child's command line."""
    argv = ["digest", "--db", str(options.db)]
    return policywatch_argv(*argv, *(["--config", str(options.digest_config)] if options.digest_config else []))


def cycle_status(statuses: list[str], stopped: bool) -> str:
    """A cycle's status from its steps'."""
    if stopped or "interrupted" in statuses:
        return "interrupted"
    if "timeout" in statuses:
        return "timeout"
    return "ok" if all(s in OK_STATUSES for s in statuses) else "failed"


def is_child_of_ours(pid: int, db: Path) -> bool:
    """True when `pid` runs `python -m crawler … --db <db>` (a scheduler's child on this database), read from
    /proc: a recorded pid may since have been reused by an unrelated process."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace").split("\0")
    except OSError:
        return False
    return any(a == "-m" and b == "crawler" for a, b in zip(args, args[1:])) and \
        any(a == "--db" and b == str(db) for a, b in zip(args, args[1:]))


def stop_orphans(db: Any, options: ScheduleOptions) -> list[int]:
    """Stop the children an earlier scheduler on this database left running (it was killed outright before
    they finished, on a system without parent-death signals, or they were started by hand with the
    scheduler's argv), so that no source is crawled twice at once; returns the pids stopped."""
    pids = set(running_step_pids(db)) | {row["pid"] for row in live_runs(db, trigger="schedule")}
    stopped = []
    for pid in sorted(p for p in pids if pid_alive(p) and p != os.getpid()):
        if not is_child_of_ours(pid, options.db):
            continue
        logger.warning("a child of an earlier scheduler (pid %s) is still running: stopping it", pid,
                       extra={"event": "orphan_stopped", "pid": pid})
        for sig, wait in ((signal.SIGTERM, options.stop_grace), (signal.SIGKILL, 30.0)):
            try:
                if os.getpgid(pid) == pid:
                    os.killpg(pid, sig)
                else:
                    os.kill(pid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + wait
            while pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            if not pid_alive(pid):
                break
        stopped.append(pid)
    return stopped


# --- the dispatcher ----------------------------------------------------------------------

class Dispatcher(threading.Thread):
    """Runs cycles one at a time: batched crawls (+ feeds, health) and digests."""

    def __init__(self, options: ScheduleOptions, sources: list[Source]) -> None:
        super().__init__(name="policywatch-dispatcher", daemon=True)
        self.options = options
        self.stopping = threading.Event()
        self._cond = threading.Condition()
        self._due: dict[str, float] = {}
        self._digest_at: float | None = None  # when the waiting digest request came (None: none waits)
        self._sources = {s.id: s for s in sources}
        self.db: Any = None
        self._cycle_id: int | None = None
        self.error: BaseException | None = None

    def set_sources(self, sources: list[Source]) -> None:
        """Use a reloaded configuration from the next cycle on."""
        with self._cond:
            self._sources = {s.id: s for s in sources}

    def source_due(self, source_id: str) -> None:
        """Queue a source for the next crawl batch (a source already queued stays queued once)."""
        logger.info("[%s] due", source_id, extra={"event": "source_due", "source": source_id})
        with self._cond:
            self._due.setdefault(source_id, time.monotonic())
            self._cond.notify_all()

    def digest_due(self) -> None:
        """Queue a digest cycle (a digest already queued keeps its place)."""
        with self._cond:
            if self._digest_at is None:
                self._digest_at = time.monotonic()
            self._cond.notify_all()

    def stop(self) -> None:
        """Stop after the current step; a running child is terminated."""
        self.stopping.set()
        with self._cond:
            self._cond.notify_all()

    def queued(self) -> list[str]:
        """Sources marked due but not crawled yet."""
        with self._cond:
            return list(self._due)

    def run(self) -> None:
        try:
            self.db = open_db(self.options.db)
            self.recover()
            while not self.stopping.is_set():
                try:
                    self.next_cycle()
                except Exception as exc:  # one broken cycle must not stop every later one
                    self._cycle_failed(exc)
        except BaseException as exc:  # the scheduler's main loop sees the thread gone and exits non-zero
            self.error = exc
            logger.critical("dispatcher stopped by an error: %s: %s", type(exc).__name__, exc, exc_info=True,
                            extra={"event": "dispatcher_died"})

    def next_cycle(self) -> None:
        """Wait for work and run one cycle."""
        batch, digest = self._next_work()
        if batch:
            self.crawl_cycle(batch)
        elif digest:
            self.digest_cycle()

    def recover(self) -> None:
        """Before the first cycle (the scheduler holds the database's lock): stop children an earlier
        scheduler left running, close what it left open, and queue the sources it cut short."""
        stop_orphans(self.db, self.options)
        reused = [row["id"] for row in live_runs(self.db, trigger="schedule")
                  if not is_child_of_ours(row["pid"], self.options.db)]  # pid reused (containers)
        for run_id in reconcile_dead_runs(self.db, also=reused):
            logger.warning("crawl run %s was left running by a dead process: marked interrupted", run_id,
                           extra={"event": "run_interrupted"})
        reconcile_dead_cycles(self.db, every=True)
        with self._cond:
            enabled = [sid for sid, s in self._sources.items() if s.enabled]
        for source_id in cut_short_sources(self.db, enabled):
            logger.info("[%s] its last run was cut short: crawled again now", source_id,
                        extra={"event": "source_requeued", "source": source_id})
            with self._cond:
                self._due.setdefault(source_id, time.monotonic())
                self._cond.notify_all()

    def _cycle_failed(self, exc: Exception) -> None:
        """Log an error raised inside a cycle, record the cycle as failed, and pause briefly (a lasting fault
        such as a full disk must not spin)."""
        cycle_id, self._cycle_id = self._cycle_id, None
        logger.error("cycle %s failed in the scheduler: %s: %s", cycle_id or "-", type(exc).__name__, exc,
                     exc_info=True, extra={"event": "cycle_crashed", "cycle": cycle_id})
        if cycle_id is not None:
            try:
                fail_cycle(self.db, cycle_id, f"scheduler error: {type(exc).__name__}: {exc}")
            except Exception as again:  # the database itself may be what failed; the log line above stays
                logger.error("cycle %s: could not record the failure: %s", cycle_id, again,
                             extra={"event": "cycle_crashed", "cycle": cycle_id})
        self.stopping.wait(1.0)

    def _next_work(self) -> tuple[list[str], bool]:
        """Wait for due sources (then for the batch window to close) or a digest request.

        The older request goes first: a digest waiting since before the oldest due source runs before
        the crawl batch, so neither busy crawls nor digests slower than their interval starve the other.
        """
        with self._cond:
            while not self.stopping.is_set() and not self._due and self._digest_at is None:
                self._cond.wait(0.5)
            if self._digest_at is not None and not self.stopping.is_set() and \
                    (not self._due or self._digest_at <= min(self._due.values())):
                self._digest_at = None
                return [], True
            if self._due:
                closes = min(self._due.values()) + self.options.batch_window
                while not self.stopping.is_set() and time.monotonic() < closes:
                    self._cond.wait(max(0.05, closes - time.monotonic()))
            if self.stopping.is_set():
                return [], False
            if self._due:
                due, self._due = self._due, {}
                batch = [sid for sid in self._sources if sid in due and self._sources[sid].enabled]
                for dropped in sorted(set(due) - set(batch)):
                    logger.info("[%s] no longer configured: not crawled", dropped, extra={"source": dropped})
                return batch, False
            return [], False

    def crawl_cycle(self, source_ids: list[str]) -> None:
        """Crawl a batch in one child, rebuild feeds if it stored something, then the health pass."""
        cycle_id = self._cycle_id = start_cycle(self.db, "schedule", source_ids, os.getpid())
        logger.info("cycle %s: crawling %s", cycle_id, ", ".join(source_ids),
                    extra={"event": "cycle_started", "cycle": cycle_id, "sources": source_ids})
        step_id = start_step(self.db, cycle_id, "crawl")
        outcome = run_child(crawl_argv(self.options, source_ids), "crawl", self.options.crawl_timeout,
                            self.stopping, self.options.stop_grace, lambda pid: set_step_pid(self.db, step_id, pid))
        reconcile_dead_runs(self.db)
        run_id = run_id_for_pid(self.db, outcome.pid)
        if run_id is not None and outcome.status == "timeout":
            mark_run_timeout(self.db, run_id, f"crawl stopped at its time limit ({self.options.crawl_timeout:.0f}s)")
        stored = stored_by_run(self.db, run_id)
        stored_note = f"crawl run {run_id}: {stored} documents new or updated" if run_id else "no crawl run recorded"
        detail = "; ".join(filter(None, (outcome.detail, stored_note)))
        finish_step(self.db, step_id, outcome.status, detail, outcome.exit_code, outcome.pid, run_id)
        statuses = [outcome.status]
        if not self.stopping.is_set():
            if self.options.feeds_out and (stored or feeds_outdated(self.db)):
                statuses.append(self._child_step(cycle_id, "feeds", feeds_argv(self.options)))
            statuses.append(self._health_step(cycle_id))
        self._finish(cycle_id, statuses)

    def digest_cycle(self) -> None:
        """Run `policywatch digest` (it sends what is due) as a cycle of its own."""
        cycle_id = self._cycle_id = start_cycle(self.db, "digest", [], os.getpid())
        status = self._child_step(cycle_id, "digest", digest_argv(self.options))
        self._finish(cycle_id, [status])

    def _finish(self, cycle_id: int, statuses: list[str]) -> None:
        status = cycle_status(statuses, self.stopping.is_set())
        finish_cycle(self.db, cycle_id, status)
        self._cycle_id = None
        log = logger.info if status == "ok" else logger.warning
        log("cycle %s %s (steps: %s)", cycle_id, status, ", ".join(statuses),
            extra={"event": "cycle_finished", "cycle": cycle_id, "status": status})

    def _child_step(self, cycle_id: int, step: str, argv: list[str]) -> str:
        step_id = start_step(self.db, cycle_id, step)
        outcome = run_child(argv, step, self.options.step_timeout, self.stopping, self.options.stop_grace,
                            lambda pid: set_step_pid(self.db, step_id, pid))
        finish_step(self.db, step_id, outcome.status, outcome.detail, outcome.exit_code, outcome.pid)
        if outcome.status != "ok":
            logger.error("cycle %s: %s step %s: %s", cycle_id, step, outcome.status, outcome.detail,
                         extra={"event": "step_failed", "cycle": cycle_id, "step": step})
        return outcome.status

    def _health_step(self, cycle_id: int) -> str:
        step_id = start_step(self.db, cycle_id, "health")
        with self._cond:
            sources = list(self._sources.values())
        try:
            result = health_pass(self.db, sources, self.options.rules, self.options.ops_email, self.options.ops_feed)
        except Exception as exc:  # the scheduler outlives a broken health pass; the step records why
            logger.exception("cycle %s: health pass failed", cycle_id, extra={"event": "step_failed", "step": "health"})
            finish_step(self.db, step_id, "failed", f"{type(exc).__name__}: {exc}")
            return "failed"
        finish_step(self.db, step_id, "ok", result.describe())
        return "ok"


# --- the scheduler process ---------------------------------------------------------------

@dataclass
class LoadedConfig:
    """A sources file that validated: its enabled sources and the exact text they came from."""

    sources: list[Source]
    text: str


def load_config(options: ScheduleOptions) -> LoadedConfig:
    """Read and validate the sources file once (raises SourceConfigError)."""
    from crawler.sources import SourceConfigError

    try:
        text = options.config.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceConfigError(f"{options.config}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceConfigError(f"{options.config}: cannot read: {exc}") from None
    sources = parse_sources(text, str(options.config), variables=options.variables)
    return LoadedConfig([s for s in sources if s.enabled], text)


def load_enabled_sources(options: ScheduleOptions) -> list[Source]:
    """The enabled sources of the sources file (raises SourceConfigError)."""
    return load_config(options).sources


def write_config_snapshot(options: ScheduleOptions, config: LoadedConfig) -> Path:
    """Write the validated sources text where crawl children read it (atomically: a child never reads half)."""
    write_atomic(options.config_snapshot, config.text.encode("utf-8"))
    return options.config_snapshot


class PolicyScheduler:
    """The `policywatch schedule` process: lock, job store, dispatcher, signals."""

    def __init__(self, options: ScheduleOptions) -> None:
        self.options = options
        self._stop = threading.Event()
        self._reload = threading.Event()

    def run(self, config: LoadedConfig) -> int:
        """Run until SIGTERM/SIGINT (exit status 0) or until the dispatcher dies (1); raises SchedulerBusy when
        another scheduler has the database."""
        global _dispatcher
        self._install_signals()
        lock = SchedulerLock(self.options.db)
        lock.acquire()
        exit_code = 0
        sources = config.sources
        write_config_snapshot(self.options, config)  # only now: a refused second scheduler must not touch it
        self.options.jobs_db.parent.mkdir(parents=True, exist_ok=True)
        dispatcher = Dispatcher(self.options, sources)
        scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{self.options.jobs_db}")},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": self.options.misfire_grace},
            timezone=self.options.timezone)
        try:
            _dispatcher = dispatcher
            scheduler.start(paused=True)
            counts = sync_jobs(scheduler, sources, self.options)
            dispatcher.start()
            scheduler.resume()
            logger.info("scheduler started (pid %s): %d sources, jobs %s, job store %s", os.getpid(), len(sources),
                        counts, self.options.jobs_db, extra={"event": "scheduler_started", "pid": os.getpid()})
            while not self._stop.is_set():
                self._stop.wait(0.5)
                if not dispatcher.is_alive():
                    logger.critical("the dispatcher thread has died (%s): the scheduler exits so that it is "
                                    "restarted", dispatcher.error, extra={"event": "scheduler_failed"})
                    exit_code = 1
                    break
                if self._reload.is_set():
                    self._reload.clear()
                    self.reload(scheduler, dispatcher)
        finally:
            if scheduler.running:
                scheduler.pause()  # no source is marked due while we stop
            dispatcher.stop()
            if dispatcher.is_alive():
                dispatcher.join()
            if scheduler.running:
                self._keep_queued(scheduler, dispatcher.queued())
                scheduler.shutdown(wait=False)
            _dispatcher = None
            lock.release()
            logger.info("scheduler stopped", extra={"event": "scheduler_stopped", "pid": os.getpid()})
        return exit_code

    def _keep_queued(self, scheduler: BackgroundScheduler, source_ids: list[str]) -> None:
        """Sources marked due but not crawled when we stop: store their jobs as due now, so the next start
        crawls them at once instead of after their next interval."""
        for source_id in source_ids:
            job = scheduler.get_job(CRAWL_JOB_PREFIX + source_id)
            if job is not None:
                job.modify(next_run_time=datetime.now(job.trigger.timezone))
                logger.info("[%s] due but not crawled: kept due for the next start", source_id,
                            extra={"event": "source_kept_due", "source": source_id})

    def _install_signals(self) -> None:
        signal.signal(signal.SIGTERM, lambda *_: self._stop.set())
        signal.signal(signal.SIGINT, lambda *_: self._stop.set())
        signal.signal(signal.SIGHUP, lambda *_: self._reload.set())

    def reload(self, scheduler: BackgroundScheduler, dispatcher: Dispatcher) -> None:
        """Re-read the sources file and reconcile the jobs; a bad file keeps the running configuration (and the
        snapshot the crawl children read)."""
        from crawler.sources import SourceConfigError

        try:
            config = load_config(self.options)
        except SourceConfigError as exc:
            logger.error("config reload failed, keeping the previous configuration: %s", exc,
                         extra={"event": "reload_failed"})
            return
        write_config_snapshot(self.options, config)
        dispatcher.set_sources(config.sources)
        counts = sync_jobs(scheduler, config.sources, self.options)
        logger.info("config reloaded: %d sources, jobs %s", len(config.sources), counts, extra={"event": "reloaded"})
