"""The dispatcher thread: one cycle at a time, a batch of due sources crawled by one child (then feeds and
the health pass) or a digest."""
from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from crawler.alerts import health_pass
from crawler.schedule.child import crawl_argv, digest_argv, feeds_argv, run_child
from crawler.schedule.options import ScheduleOptions
from crawler.schedule.orphans import is_child_of_ours, stop_orphans
from crawler.sources import Source
from storage.db import open_db
from storage.health import (fail_cycle, feeds_outdated, finish_cycle, finish_step, reconcile_dead_cycles,
                            set_step_pid, start_cycle, start_step, stored_by_run)
from storage.runs import cut_short_sources, live_runs, mark_run_timeout, reconcile_dead_runs, run_id_for_pid

logger = logging.getLogger(__package__)  # "crawler.schedule": the scheduler's log lines keep one logger name

OK_STATUSES = ("ok", "skipped")


def cycle_status(statuses: list[str], stopped: bool) -> str:
    """A cycle's status from its steps'."""
    if stopped or "interrupted" in statuses:
        return "interrupted"
    if "timeout" in statuses:
        return "timeout"
    return "ok" if all(s in OK_STATUSES for s in statuses) else "failed"


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
            # with a frontier the store worker stores pages after the seeding child ends, stamped with their
            # fetch time (possibly before the last feeds step began): every cycle rebuilds the feeds
            if self.options.feeds_out and (stored or self.options.frontier or feeds_outdated(self.db)):
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
        # a cycle cut short by the scheduler's own stop (SIGTERM) is no fault
        log = logger.info if status == "ok" or (status == "interrupted" and self.stopping.is_set()) else logger.warning
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
