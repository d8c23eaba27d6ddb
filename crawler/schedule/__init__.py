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

The package, one concern a module: `options` (what the command was started with), `config` (the sources file
and its snapshot), `lock` (one scheduler per database), `jobs` (APScheduler jobs and triggers), `child` (child
command lines and running one), `orphans` (children an earlier scheduler left), `dispatcher` (the cycles) and
`scheduler` (the process: lock, job store, dispatcher, signals). This module is its public API.
"""
from __future__ import annotations

from crawler.schedule.config import LoadedConfig, load_config, write_config_snapshot
from crawler.schedule.dispatcher import Dispatcher
from crawler.schedule.jobs import digest_due, source_due
from crawler.schedule.lock import SchedulerBusy, running_scheduler_pid
from crawler.schedule.options import ScheduleOptions
from crawler.schedule.scheduler import PolicyScheduler

# source_due and digest_due are here because APScheduler's job store names them as text
# ("crawler.schedule:source_due"); see crawler/schedule/jobs.py.
__all__ = ["Dispatcher", "LoadedConfig", "PolicyScheduler", "ScheduleOptions", "SchedulerBusy", "digest_due",
           "load_config", "running_scheduler_pid", "source_due", "write_config_snapshot"]
