"""The `policywatch schedule` process: lock, job store, dispatcher thread, signals (SIGTERM/SIGINT stop,
SIGHUP reloads the sources file)."""
from __future__ import annotations

import logging
import os
import signal
import threading
from datetime import datetime

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED

from crawler.schedule.config import LoadedConfig, load_config, write_config_snapshot
from crawler.schedule.dispatcher import Dispatcher
from crawler.schedule.jobs import CRAWL_JOB_PREFIX, set_dispatcher, sync_jobs
from crawler.schedule.lock import SchedulerLock
from crawler.schedule.options import ScheduleOptions
from crawler.sources import SourceConfigError

logger = logging.getLogger(__package__)  # "crawler.schedule": the scheduler's log lines keep one logger name


class JobScheduler(BackgroundScheduler):
    """APScheduler's background scheduler, starting no job once shut down.

    Its thread looks for due jobs once more when `shutdown()` wakes it, after the executors are gone, and
    logs an ERROR with a traceback for each due job it cannot hand them ("cannot schedule new futures
    after shutdown"): every source kept due by a stop, and every interval that passed while the stop
    waited for the crawl child."""

    def _process_jobs(self):  # type: ignore[no-untyped-def]
        if self.state == STATE_STOPPED:
            return None
        return super()._process_jobs()


class PolicyScheduler:
    """The `policywatch schedule` process: lock, job store, dispatcher, signals."""

    def __init__(self, options: ScheduleOptions) -> None:
        self.options = options
        self._stop = threading.Event()
        self._reload = threading.Event()
        self._stop_signal: int | None = None

    def run(self, config: LoadedConfig) -> int:
        """Run until SIGTERM/SIGINT (exit status 0) or until the dispatcher dies (1); raises SchedulerBusy when
        another scheduler has the database."""
        self._install_signals()
        lock = SchedulerLock(self.options.db)
        lock.acquire()
        exit_code = 0
        sources = config.sources
        write_config_snapshot(self.options, config)  # only now: a refused second scheduler must not touch it
        self.options.jobs_db.parent.mkdir(parents=True, exist_ok=True)
        dispatcher = Dispatcher(self.options, sources)
        scheduler = JobScheduler(
            jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{self.options.jobs_db}")},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": self.options.misfire_grace},
            timezone=self.options.timezone)
        try:
            set_dispatcher(dispatcher)
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
            if self._stop_signal is not None:
                logger.info("%s received: stopping (a running child is stopped, due sources are kept due)",
                            signal.Signals(self._stop_signal).name, extra={"event": "scheduler_stopping"})
        finally:
            if scheduler.running:
                scheduler.pause()  # no source is marked due while we stop
            dispatcher.stop()
            if dispatcher.is_alive():
                dispatcher.join()
            if scheduler.running:
                self._keep_queued(scheduler, dispatcher.queued())
                scheduler.shutdown(wait=False)
            set_dispatcher(None)
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
        signal.signal(signal.SIGTERM, self._stop_on)
        signal.signal(signal.SIGINT, self._stop_on)
        signal.signal(signal.SIGHUP, lambda *_: self._reload.set())

    def _stop_on(self, signum: int, _frame: object) -> None:
        """SIGTERM/SIGINT: stop (the main loop logs it: a signal handler must not take logging's locks)."""
        self._stop_signal = signum
        self._stop.set()

    def reload(self, scheduler: BackgroundScheduler, dispatcher: Dispatcher) -> None:
        """Re-read the sources file and reconcile the jobs; a bad file keeps the running configuration (and the
        snapshot the crawl children read)."""
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
