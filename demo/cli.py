"""`policywatch demo`: the whole pipeline on the bundled offline mirror, all on 127.0.0.1.

A plugin command: pyproject.toml declares it as the entry point `demo` of the group
`policywatch.commands`, which `crawler.cli` adds at start-up, so the product never imports demo/.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from crawler.cli.common import fail, print_summary, scrapy_overrides

DEMO_DIR = Path(__file__).resolve().parent
DEMO_DB = "var/demo.db"
DEMO_PORT = 8765
DEMO_SETTINGS = {
    # The demo mirror is one loopback server standing in for six sites: politeness
    # delays would only slow it down. Real sources keep the defaults in crawler/settings.py.
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_START_DELAY": 0.05,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
}


@click.command()
@click.option("--db", "db", default=DEMO_DB, show_default=True, type=click.Path(dir_okay=False),
              help="SQLite database for the demo.")
@click.option("--port", default=DEMO_PORT, show_default=True, type=int,
              help="Port of the mirror server (fixed, so a second run is incremental).")
@click.option("--log-level", default="WARNING", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False))
def demo(db: str, port: int, log_level: str) -> None:
    """The whole pipeline on the bundled offline mirror: crawl, feeds and digests, all on 127.0.0.1.

    Serves the mirror, loads the demo subscriptions, crawls every demo source, writes the feeds
    and index page next to the database (<db>-site/) and sends the digests over SMTP to a local
    sink that keeps each message (<db>-mail/). Run it twice: the second run fetches no detail
    page it already has and sends no policy twice.

    Example: policywatch demo --db var/demo.db
    """
    from crawler.runner import run_crawl
    from demo.server import MirrorServer

    database = _open_demo_db(db)
    _load_demo_subscriptions(database, DEMO_DIR / "subscriptions.yaml")
    try:
        server = MirrorServer(DEMO_DIR / "mirror", port=port).start()
    except OSError as exc:
        fail(f"cannot serve the demo mirror on 127.0.0.1:{port}: {exc.strerror or exc} (try --port)")
    try:
        click.echo(f"demo mirror serving at {server.base_url}/")
        overrides = {**DEMO_SETTINGS, **scrapy_overrides((), log_level)}
        result = run_crawl(DEMO_DIR / "sources.yaml", db, None, {"mirror": server.base_url},
                           overrides, trigger="demo")
    finally:
        server.stop()
    print_summary(result)
    if result.all_failed:
        fail("every demo source failed")
    _demo_outputs(database, Path(db), DEMO_DIR)


def _open_demo_db(db: str) -> Any:
    from storage.db import open_db

    Path(db).parent.mkdir(parents=True, exist_ok=True)
    return open_db(db)


def _load_demo_subscriptions(database: Any, path: Path) -> None:
    from feeds.digest import load_digest_config, sync_subscriptions

    added, updated, _ = sync_subscriptions(database, load_digest_config(path))
    click.echo(f"demo subscriptions: {added} added, {updated} already there ({path.name})")


def _demo_outputs(database: Any, db_path: Path, demo_dir: Path) -> None:
    """Feeds and index page, then digests sent to a local SMTP sink; prints where everything is."""
    from demo.mailsink import MailSink
    from feeds.digest import DigestBusy, DigestOptions, run_digest
    from feeds.mailer import SmtpSettings
    from feeds.publish import publish
    from storage.documents import count_documents
    from storage.policies import count_policies

    site_dir = db_path.with_name(db_path.stem + "-site")
    mail_dir = db_path.with_name(db_path.stem + "-mail")
    published = publish(database, site_dir, config_path=demo_dir / "feeds.yaml")
    with MailSink(mail_dir) as sink:
        settings = SmtpSettings(host="127.0.0.1", port=sink.port, security="none",
                                from_addr="policywatch-demo@example.org", timeout=10)
        try:
            report = run_digest(database, settings, DigestOptions(force_all=True))
        except DigestBusy as exc:
            fail(str(exc))
    click.echo(f"\ndatabase: {db_path.resolve()} ({count_documents(database)} documents, "
               f"{count_policies(database)} policies after folding reposts)")
    click.echo(f"feeds:    {site_dir.resolve()}/index.html and {published.feeds * 3} feed files "
               f"(RSS, Atom, iCalendar; {published.entries} entries from {published.policies} relevant policies)")
    click.echo(f"          policywatch serve --dir {site_dir}   # then open http://127.0.0.1:8000/")
    click.echo(f"digests:  {report.sent} sent with {report.policies} new policies, {report.empty} subscriptions "
               f"with nothing new -> {mail_dir.resolve()}/ ({sink.received} received this run)")
    click.echo(f"policies: policywatch policies list --db {db_path}")
    if report.aborted:
        fail(f"digests could not be sent: {report.aborted}")
