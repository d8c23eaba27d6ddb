"""Operations commands: `schedule` (run unattended) and `status` (health, exit 1 when unhealthy)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from crawler.cli.common import (config_option, db_option, fail, open_database, parse_pairs, sources_or_fail,
                                var_option)
from crawler.logs import LOG_FORMATS, LOG_LEVELS
from crawler.sources import Source, SourceConfigError, parse_duration

fail_runs_option = click.option("--fail-runs", default=3, show_default=True, type=click.IntRange(1),
                                help="Failed or blocked runs in a row that make a source unhealthy.")
no_links_option = click.option("--no-links-runs", default=1, show_default=True, type=click.IntRange(1),
                               help="Runs in a row whose list page shows no article links that make it unhealthy.")


def _duration(value: str, option: str, allow_off: bool = False) -> timedelta | None:
    """A duration option ('30s', '15m', '6h', '1d'; 'off' where allowed); bad input exits 2."""
    if allow_off and value.strip().lower() in ("off", "none", "0"):
        return None
    parsed = parse_duration(value)
    if parsed is None:
        fail(f"{option} takes a duration like 30s, 15m, 6h or 1d{' (or off)' if allow_off else ''}, got {value!r}")
    return parsed


@click.command()
@config_option
@db_option
@var_option
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE", help="Scrapy setting for every crawl.")
@click.option("--feeds-out", default=None, type=click.Path(file_okay=False),
              help="Rebuild feeds here (`policywatch feeds --out`) after a crawl that stored something.")
@click.option("--feeds-base-url", default=None, metavar="URL", help="Public address of --feeds-out.")
@click.option("--digest-every", default="15m", show_default=True, metavar="DURATION",
              help="How often `policywatch digest` runs (it sends only what is due); 'off' to disable.")
@click.option("--digest-config", default=None, type=click.Path(dir_okay=False),
              help="Subscriptions file for `policywatch digest --config`.")
@click.option("--ops-email", default=None, envvar="POLICYWATCH_OPS_EMAIL", metavar="ADDR",
              help="Where source health alerts are mailed (SMTP from POLICYWATCH_SMTP_*).")
@click.option("--ops-feed", default=None, type=click.Path(dir_okay=False),
              help="Ops Atom feed of health alerts [default: ops.atom beside the database, not in the public "
                   "FEEDS_OUT].")
@click.option("--jobs-db", default=None, type=click.Path(dir_okay=False),
              help="APScheduler job store [default: beside the database, e.g. var/policywatch.jobs.sqlite].")
@click.option("--batch-window", default="10s", show_default=True, metavar="DURATION",
              help="Sources falling due within this window are crawled by one child process.")
@click.option("--crawl-timeout", default="2h", show_default=True, metavar="DURATION",
              help="A crawl child still running after this is stopped (recorded as timeout).")
@click.option("--step-timeout", default="30m", show_default=True, metavar="DURATION",
              help="Time limit of the feeds and digest children.")
@click.option("--misfire-grace", default="off", show_default=True, metavar="DURATION",
              help="Skip a run missed by more than this; 'off' catches up once however late.")
@click.option("--timezone", default="Asia/Shanghai", show_default=True, help="Time zone of cron schedules.")
@fail_runs_option
@no_links_option
@click.option("--log-level", default="INFO", show_default=True, type=click.Choice(LOG_LEVELS, case_sensitive=False))
@click.option("--log-format", default=None, envvar="POLICYWATCH_LOG_FORMAT", type=click.Choice(LOG_FORMATS),
              help="One line per event as text or JSON [default: text].")
@click.option("--crawl-log-level", default="WARNING", show_default=True,
              type=click.Choice(LOG_LEVELS, case_sensitive=False), help="Log level of the crawl children.")
@click.option("--frontier", "frontier_url", envvar="POLICYWATCH_FRONTIER", default=None,
              metavar="redis://HOST:PORT/DB",
              help="Seed each due crawl into this shared frontier for the crawl workers instead of crawling "
                   "here (docs/deployment.md).")
def schedule(config: str, db: str, variables: tuple[str, ...], settings: tuple[str, ...], feeds_out: str | None,
             feeds_base_url: str | None, digest_every: str, digest_config: str | None, ops_email: str | None,
             ops_feed: str | None, jobs_db: str | None, batch_window: str, crawl_timeout: str, step_timeout: str,
             misfire_grace: str, timezone: str, fail_runs: int, no_links_runs: int, log_level: str,
             log_format: str | None, crawl_log_level: str, frontier_url: str | None) -> None:
    """Run crawls, feeds, health alerts and digests on each source's schedule until stopped.

    Each crawl runs in a child process; SIGTERM/SIGINT stop cleanly, SIGHUP reloads the sources file.
    Only one scheduler may run per database.

    Example: policywatch schedule --db var/policywatch.db --feeds-out var/site --log-format json
    """
    from crawler.logs import setup_logging
    from crawler.schedule import PolicyScheduler, ScheduleOptions, SchedulerBusy, load_config
    from storage.health import HealthRules

    parse_pairs(settings, "--set")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"--timezone: unknown time zone {timezone!r}")
    grace = _duration(misfire_grace, "--misfire-grace", allow_off=True)
    options = ScheduleOptions(
        config=Path(config), db=Path(db), variables=parse_pairs(variables, "--var"), crawl_settings=settings,
        jobs_db=Path(jobs_db) if jobs_db else None, feeds_out=Path(feeds_out) if feeds_out else None,
        feeds_base_url=feeds_base_url, digest_config=Path(digest_config) if digest_config else None,
        ops_feed=Path(ops_feed) if ops_feed else None, ops_email=ops_email or None,
        digest_every=_duration(digest_every, "--digest-every", allow_off=True),
        batch_window=_duration(batch_window, "--batch-window").total_seconds(),
        crawl_timeout=_duration(crawl_timeout, "--crawl-timeout").total_seconds(),
        step_timeout=_duration(step_timeout, "--step-timeout").total_seconds(),
        misfire_grace=int(grace.total_seconds()) if grace else None, timezone=timezone,
        crawl_log_level=crawl_log_level.upper(), rules=HealthRules(fail_runs=fail_runs, no_links_runs=no_links_runs),
        frontier=frontier_url or None)
    try:
        loaded = load_config(options)
    except SourceConfigError as exc:
        fail(str(exc))
    open_database(db, write=True).conn.close()  # an unusable database: one line and exit 3, before any cycle
    setup_logging(log_level, log_format)
    try:
        code = PolicyScheduler(options).run(loaded)
    except SchedulerBusy as exc:
        fail(str(exc))
    if code:
        click.echo("policywatch: the scheduler's dispatcher died; see the log above", err=True)
        raise SystemExit(code)


# --- status ------------------------------------------------------------------------------

def status_report(db_path: str, sources: list[Source], fail_runs: int, no_links_runs: int,
                  cycles: int) -> dict[str, Any]:
    """Health of every enabled source and of the scheduler's crawl steps, the latest cycles, alerts and
    delivery problems, as plain data.

    A source's state and reasons are the ones the running scheduler's last health pass recorded (it
    judged with its own --fail-runs/--no-links-runs) when that pass came after the source's latest run;
    otherwise (no scheduler, cron) they are judged here with this command's options."""
    from crawler.alerts import assess_sources
    from crawler.schedule import running_scheduler_pid
    from storage.health import HealthRules, UNHEALTHY, judge_scheduler, pending_alerts, recent_cycles, saved_health

    db = open_database(db_path)
    rules = HealthRules(fail_runs=fail_runs, no_links_runs=no_links_runs)
    healths = assess_sources(db, sources, rules)
    pid = running_scheduler_pid(Path(db_path).resolve())
    saved = saved_health(db) if pid else {}
    for health in healths:
        kept = saved.get(health.source_id)
        finished = (health.last_run or {}).get("finished_at")
        if kept and kept["state"] != "unknown" and finished and kept["checked_at"] >= finished[:25]:
            health.state, health.reasons = kept["state"], kept["reasons"]
    scheduler = judge_scheduler(db, rules)
    return {
        "healthy": not any(h.state == UNHEALTHY for h in [*healths, scheduler]),
        "scheduler_pid": pid,
        "scheduler_health": {"state": scheduler.state, "reasons": scheduler.reasons},
        "sources": [h.to_dict() for h in healths],
        "cycles": recent_cycles(db, cycles),
        "pending_alerts": pending_alerts(db),
        "delivery_problems": _delivery_problems(db),
    }


def _delivery_problems(db: Any) -> list[dict[str, Any]]:
    """Digest subscriptions whose last delivery failed (when the digest tables exist)."""
    try:
        from storage.subscriptions import delivery_problems
    except ImportError:
        return []
    return delivery_problems(db) if "subscriptions" in db.table_names() else []


def _short(stamp: str | None) -> str:
    """A stored instant as 'YYYY-MM-DD HH:MM:SS' UTC ('-' when unknown; one without an offset as it is)."""
    if not stamp:
        return "-"
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp[:19].replace("T", " ")
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def print_status(report: dict[str, Any]) -> None:
    """The status report as tables."""
    pid = report["scheduler_pid"]
    click.echo(f"scheduler: {'running (pid ' + str(pid) + ')' if pid else 'not running'}")
    health = report["scheduler_health"]
    if health["state"] == "unhealthy":
        click.echo(f"scheduler health: unhealthy: {'; '.join(health['reasons'])}")
    # last new doc stored: when a document of the source not stored before was last stored (`last_new_document`)
    click.echo(f"{'source':<22} {'health':<9} {'last run (UTC)':<19} {'status':<11} {'new':>4} "
               f"{'last new doc stored':<19} errors / why")
    for row in report["sources"]:
        run = row["last_run"] or {}
        kinds = ",".join(f"{k}:{v}" for k, v in sorted(row["error_kinds"].items()))
        why = "; ".join(row["reasons"]) if row["state"] != "healthy" else ""
        click.echo(f"{row['source_id']:<22} {row['state']:<9} {_short(run.get('started_at')):<19} "
                   f"{run.get('status') or '-':<11} {run.get('new_documents', '-') if run else '-':>4} "
                   f"{_short(row['last_new_document']):<19} {' '.join(filter(None, (kinds, why))) or '-'}")
    click.echo("\nlast cycles:")
    for cycle in report["cycles"]:
        steps = " ".join(f"{s['step']}:{s['status']}" for s in cycle["steps"])
        click.echo(f"  #{cycle['id']:<5} {_short(cycle['started_at'])} {cycle['duration_s'] or 0:>7.1f}s "
                   f"{cycle['trigger']:<8} {cycle['status']:<11} {len(cycle['sources']):>3} sources  {steps}")
    if not report["cycles"]:
        click.echo("  (none yet)")
    for alert in report["pending_alerts"]:
        click.echo(f"alert not yet mailed: {alert['source_id']} {alert['state']} since {_short(alert['created_at'])}"
                   f" ({alert['attempts']} attempts; {alert['last_error'] or 'not tried yet'})")
    for problem in report["delivery_problems"]:
        click.echo(f"digest delivery problem: {problem['email']}: {problem.get('code') or '-'} {problem['error']}"
                   f"{' (disabled)' if problem.get('disabled') else ''}")


@click.command()
@config_option
@db_option
@var_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--cycles", default=10, show_default=True, type=click.IntRange(0), help="How many recent cycles.")
@fail_runs_option
@no_links_option
@click.option("--frontier", "frontier_url", envvar="POLICYWATCH_FRONTIER", default=None,
              metavar="redis://HOST:PORT/DB",
              help="Also show the distributed crawl's frontier: queue, streams, workers seen, open runs.")
@click.option("--prefix", default="policywatch", show_default=True, help="The frontier's key prefix.")
def status(config: str, db: str, variables: tuple[str, ...], as_json: bool, cycles: int, fail_runs: int,
           no_links_runs: int, frontier_url: str | None, prefix: str) -> None:
    """Show source health, the last cycles and undelivered alerts; exit 1 when any source (or the scheduler's
    crawl step) is unhealthy.

    Per source: health, the last run (start, UTC), its status and new documents, and when policywatch last
    stored a document of the source it had not stored before (UTC; `last_new_document` in --json; updates of
    known pages do not count).

    Example: policywatch status --db var/policywatch.db || echo "a source needs attention"
    """
    sources = [s for s in sources_or_fail(config, parse_pairs(variables, "--var")) if s.enabled]
    if not Path(db).exists():
        fail(f"{db}: no such database")
    report = status_report(db, sources, fail_runs, no_links_runs, cycles)
    if frontier_url:
        from crawler.cli.distributed import frontier_report

        report["frontier"] = frontier_report(frontier_url, prefix)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    else:
        print_status(report)
        if frontier_url:
            from crawler.cli.distributed import print_frontier

            print_frontier(report["frontier"])
    if not report["healthy"]:
        raise SystemExit(1)
