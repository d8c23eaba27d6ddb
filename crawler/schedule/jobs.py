"""APScheduler jobs: one per enabled source (`crawl:<id>`) and one `digest`; a job only marks work as due
for the running scheduler's dispatcher."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Iterable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from crawler.schedule.options import ScheduleOptions
from crawler.sources import Schedule, Source, cron_trigger_fields
from storage.health import format_duration

if TYPE_CHECKING:
    from crawler.schedule.dispatcher import Dispatcher

CRAWL_JOB_PREFIX = "crawl:"
DIGEST_JOB_ID = "digest"
# The job store keeps each job's function as text: "crawler.schedule:source_due" names the package's public
# API (crawler/schedule/__init__.py), so job stores written before or after any move inside it still load.
SOURCE_DUE_JOB = "crawler.schedule:source_due"
DIGEST_DUE_JOB = "crawler.schedule:digest_due"


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
        CRAWL_JOB_PREFIX + s.id: (SOURCE_DUE_JOB, make_trigger(s.schedule, options.timezone),
                                  f"crawl {s.id}: {describe_schedule(s.schedule)}", [s.id])
        for s in sources if s.enabled}
    if options.digest_every:
        every = Schedule(interval=options.digest_every)
        wanted[DIGEST_JOB_ID] = (DIGEST_DUE_JOB, make_trigger(every, options.timezone),
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


_dispatcher: Dispatcher | None = None


def set_dispatcher(dispatcher: Dispatcher | None) -> None:
    """Send the jobs' calls to `dispatcher` (None while no scheduler runs: a job firing then does nothing)."""
    global _dispatcher
    _dispatcher = dispatcher


def source_due(source_id: str) -> None:
    """Job function of `crawl:<id>`: mark the source due (the dispatcher batches and crawls it)."""
    if _dispatcher is not None:
        _dispatcher.source_due(source_id)


def digest_due() -> None:
    """Job function of `digest`: ask the dispatcher for a digest cycle."""
    if _dispatcher is not None:
        _dispatcher.digest_due()
