"""The workers of a distributed crawl (docs/deployment.md): `crawl-worker`, `process-worker`, `store-worker`.
`policywatch crawl --frontier URL` seeds a run; `policywatch status --frontier URL` shows the frontier."""
from __future__ import annotations

import signal
from typing import Any

import click

from crawler.cli.common import config_option, db_option, fail, open_database, parse_pairs, scrapy_overrides, var_option

frontier_option = click.option(
    "--frontier", "frontier_url", envvar="POLICYWATCH_FRONTIER", required=True, metavar="redis://HOST:PORT/DB",
    help="The shared Redis frontier (also $POLICYWATCH_FRONTIER).")
prefix_option = click.option("--prefix", default="policywatch", show_default=True,
                             help="The frontier's key prefix (one Redis can hold several deployments).")
node_option = click.option("--node", default=None, metavar="NAME", help="This worker's name (default: host:pid).")
idle_option = click.option("--idle-exit", default=0.0, show_default=True, type=click.FloatRange(0), metavar="S",
                           help="Stop after S seconds without work (0: run until stopped).")
claim_option = click.option("--claim-after", default=60.0, show_default=True, type=click.FloatRange(0.1),
                            metavar="S", help="Take over entries a dead worker held for S seconds.")


def _frontier(url: str, prefix: str, claim_after: float = 60.0) -> Any:
    from crawler.distributed.frontier import Frontier, FrontierUnavailable

    frontier = Frontier(url, prefix, claim_after)
    try:
        frontier.check()
    except FrontierUnavailable as exc:
        fail(str(exc))
    return frontier


def _loop(frontier: Any, role: str, node: str | None, idle_exit: float) -> Any:
    from crawler.distributed.frontier import node_name
    from crawler.distributed.workers import WorkerLoop

    loop = WorkerLoop(frontier, node or f"{role}@{node_name()}", role, idle_exit)
    stop = lambda *_: loop.stop.set()  # noqa: E731: finish the entries in hand, then stop
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return loop


@click.command("crawl-worker")
@frontier_option
@prefix_option
@config_option
@var_option
@node_option
@idle_option
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE", help="Override a Scrapy setting.")
@click.option("--log-level", default="WARNING", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False))
def crawl_worker(frontier_url: str, prefix: str, config: str, variables: tuple[str, ...], node: str | None,
                 idle_exit: float, settings: tuple[str, ...], log_level: str) -> None:
    """Fetch what the frontier's queue holds, on any machine (no database needed).

    Requests come from the shared queue (seeded by `policywatch crawl --frontier`); pages go to the
    processing workers; one host's requests are spaced over every worker (POLICYWATCH_DOMAIN_DELAY, default
    DOWNLOAD_DELAY). Stops on SIGTERM, or after --idle-exit seconds without work.

    Example: policywatch crawl-worker --frontier redis://10.0.0.5:6379/0 --config config/sources.yaml
    """
    from crawler.runner import run_crawl_worker

    _frontier(frontier_url, prefix)
    overrides = scrapy_overrides(settings, log_level)
    overrides["POLICYWATCH_IDLE_EXIT"] = idle_exit
    if node:
        overrides["POLICYWATCH_NODE"] = node
    stats = run_crawl_worker(config, frontier_url, parse_pairs(variables, "--var"), overrides, prefix)
    click.echo(f"crawl worker stopped: {stats.get('policywatch/list_pages', 0)} list pages, "
               f"{stats.get('policywatch/detail_pages', 0)} detail pages, {stats.get('policywatch/errors', 0)} errors")


@click.command("process-worker")
@frontier_option
@prefix_option
@node_option
@idle_option
@claim_option
def process_worker(frontier_url: str, prefix: str, node: str | None, idle_exit: float, claim_after: float) -> None:
    """Clean, extract and classify fetched pages, on any machine (run one per spare core).

    Example: policywatch process-worker --frontier redis://10.0.0.5:6379/0
    """
    from crawler.distributed.workers import describe, run_process_worker

    loop = _loop(_frontier(frontier_url, prefix, claim_after), "process", node, idle_exit)
    click.echo(f"process worker stopped: {describe(run_process_worker(loop))}")


@click.command("store-worker")
@frontier_option
@prefix_option
@config_option
@var_option
@db_option
@node_option
@idle_option
@claim_option
@click.option("--run-quiet", default=10.0, show_default=True, type=click.FloatRange(0), metavar="S",
              help="Finish a run once the frontier has been empty and every worker idle for S seconds.")
def store_worker(frontier_url: str, prefix: str, config: str, variables: tuple[str, ...], db: str,
                 node: str | None, idle_exit: float, claim_after: float, run_quiet: float) -> None:
    """Store processed pages in the database: the one writer of a distributed crawl, beside the SQLite file.

    Example: policywatch store-worker --frontier redis://10.0.0.5:6379/0 --db var/policywatch.db
    """
    from crawler.distributed.workers import StoreWorker, describe
    from crawler.sources import SourceConfigError, load_sources
    from pipelines.dedup.config import dedup_config_from_mapping

    try:
        sources = load_sources(config, variables=parse_pairs(variables, "--var"))
    except SourceConfigError as exc:
        fail(str(exc))
    open_database(db, write=True).conn.close()
    dedup = dedup_config_from_mapping({}, [{"id": s.id, "dedup": s.dedup} for s in sources])
    loop = _loop(_frontier(frontier_url, prefix, claim_after), "store", node, idle_exit)
    loop.batch = 64
    worker = StoreWorker(loop, db, dedup, run_quiet=run_quiet)
    click.echo(f"store worker stopped: {describe(worker.run())}")


def seed(frontier_url: str, prefix: str, config: str, db: str, sources: list[str] | None,
         variables: dict[str, str]) -> None:
    """`policywatch crawl --frontier`: queue a run of the sources for the workers, print what was queued."""
    from crawler.distributed.seed import seed_frontier
    from storage.db import DatabaseUnusable
    from crawler.cli.common import fail_database

    frontier = _frontier(frontier_url, prefix)
    try:
        seeded = seed_frontier(frontier, config, db, sources, variables)
    except DatabaseUnusable as exc:
        fail_database(exc)
    click.echo(f"frontier run {seeded.run_id}: {seeded.requests} requests queued for {len(seeded.sources)} "
               f"sources ({frontier.queue_length()} in the queue)")


def frontier_report(frontier_url: str, prefix: str) -> dict[str, Any]:
    """The frontier's part of `policywatch status`: the queue, the streams, the workers seen, the open runs."""
    from crawler.distributed.workers import frontier_status

    return frontier_status(_frontier(frontier_url, prefix))


def print_frontier(report: dict[str, Any]) -> None:
    """The frontier's part of `policywatch status`, as lines."""
    click.echo(f"\nfrontier: {report['queue']} requests queued, {report['fetched']} fetched pages waiting for "
               f"processing, {report['processed']} waiting to be stored; open runs: "
               f"{', '.join(map(str, report['runs'])) or 'none'}")
    for name, beat in report["nodes"].items():
        counts = " ".join(f"{k}:{v}" for k, v in sorted(beat["counters"].items()))
        click.echo(f"  {beat['role']:<8} {name:<40} seen {beat['age']:>6.1f}s ago  {counts}")
    if not report["nodes"]:
        click.echo("  (no worker seen)")
