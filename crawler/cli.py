"""The `policywatch` command: thin click wrappers that parse arguments and call functions."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from crawler.cli_common import config_option, db_option, fail
from crawler.sources import SourceConfigError, load_sources

DEMO_DB = "var/demo.db"
DEMO_PORT = 8765

def parse_pairs(pairs: tuple[str, ...], what: str) -> dict[str, str]:
    """NAME=VALUE pairs from repeated options."""
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            fail(f"{what} takes NAME=VALUE, got {pair!r}")
        out[name.strip()] = value
    return out


def scrapy_overrides(settings: tuple[str, ...], log_level: str) -> dict[str, Any]:
    """Scrapy settings from --set pairs, the log level, and a progress line on terminals."""
    overrides: dict[str, Any] = dict(parse_pairs(settings, "--set"))
    overrides.setdefault("LOG_LEVEL", log_level.upper())
    overrides.setdefault("POLICYWATCH_PROGRESS", sys.stderr.isatty())
    return overrides


def print_summary(result: Any) -> None:
    """One line per source: status, list pages, new documents, errors, why it stopped."""
    click.echo(f"crawl run {result.run_id}:")
    header = f"  {'source':<22} {'status':<9} {'lists':>5} {'304':>4} {'links':>5} {'fetched':>7} " \
             f"{'new':>4} {'upd':>4} {'att':>4} {'errors':>6}  why it stopped"
    click.echo(header)
    for row in result.sources:
        status = row["status"] + (f" {row['blocked_status']}" if row.get("blocked_status") else "")
        kinds = ",".join(f"{k}:{v}" for k, v in sorted(row["error_kinds"].items()))
        click.echo(
            f"  {row['source_id']:<22} {status:<9} {row['list_pages']:>5} {row['list_not_modified']:>4} "
            f"{row['links_found']:>5} {row['detail_pages']:>7} {row['new_documents']:>4} "
            f"{row['updated_documents']:>4} {row['attachments']:>4} {row['errors']:>6}  "
            f"{row['exit_reason'] or ''}{(' [' + kinds + ']') if kinds else ''}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policywatch")
def main() -> None:
    """policywatch: watch Chinese government and aggregator sites for high-tech policies."""


@main.command()
@click.option("--source", "sources", multiple=True, metavar="ID", help="Crawl only this source (repeatable).")
@config_option
@db_option
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
              help="Fill ${NAME} in the sources file (repeatable).")
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE", help="Override a Scrapy setting.")
@click.option("--recheck", is_flag=True,
              help="Also re-fetch known detail pages on the list pages read (conditional GET) to catch edits.")
@click.option("--log-level", default="WARNING", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False))
def crawl(sources: tuple[str, ...], config: str, db: str, variables: tuple[str, ...],
          settings: tuple[str, ...], recheck: bool, log_level: str) -> None:
    """Crawl sources into the database and print a per-source summary.

    Exits non-zero only when every source failed or was blocked.

    Example: policywatch crawl --source hunan-kjt --db var/policywatch.db
    """
    from crawler.runner import run_crawl

    substitutions = parse_pairs(variables, "--var")
    try:
        load_sources(config, variables=substitutions, only=list(sources) or None)
    except SourceConfigError as exc:
        fail(str(exc))
    overrides = scrapy_overrides(settings, log_level)
    if recheck:
        overrides["POLICYWATCH_RECHECK"] = True
    result = run_crawl(config, db, list(sources) or None, substitutions, overrides, trigger="cli")
    print_summary(result)
    if result.all_failed:
        fail("every source failed or was blocked")


@main.group()
def sources() -> None:
    """Inspect the configured sources."""


@sources.command("list")
@config_option
def sources_list(config: str) -> None:
    """List the sources of a sources file (validating it).

    Example: policywatch sources list --config config/sources.yaml
    """
    try:
        loaded = load_sources(config)
    except SourceConfigError as exc:
        fail(str(exc))
    for source in loaded:
        region = "/".join(filter(None, (source.province, source.city))) or "-"
        state = "" if source.enabled else "  (disabled)"
        click.echo(f"{source.id:<22} {source.kind:<10} {source.level or '-':<10} {source.family or '-':<9} "
                   f"{region:<14} {source.name}{state}")


@sources.command("validate")
@config_option
def sources_validate(config: str) -> None:
    """Validate a sources file; prints one line and exits non-zero on the first problem.

    Example: policywatch sources validate --config config/sources.yaml
    """
    try:
        loaded = load_sources(config)
    except SourceConfigError as exc:
        fail(str(exc))
    click.echo(f"{config}: {len(loaded)} sources OK")


@main.command()
@db_option
@click.option("--source", "source", default=None, metavar="ID", help="Only this source's documents.")
def reclassify(db: str, source: str | None) -> None:
    """Re-run classification over stored documents (after editing pipelines/data/vocab/*.yaml).

    Example: policywatch reclassify --db var/policywatch.db
    """
    from pipelines.process import reclassify_documents
    from storage.db import open_db

    if not Path(db).exists():
        fail(f"{db}: no such database")
    counts = reclassify_documents(open_db(db), source)
    fields = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k not in ("seen", "documents"))
    click.echo(f"reclassified {counts['seen']} documents: {counts['documents']} changed"
               + (f" ({fields})" if fields else ""))


@main.command()
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
    from crawler.runner import DEMO_SETTINGS, run_crawl
    from demo.server import MirrorServer

    import demo as demo_package

    demo_dir = Path(demo_package.__file__).resolve().parent
    database = _open_demo_db(db)
    _load_demo_subscriptions(database, demo_dir / "subscriptions.yaml")
    try:
        server = MirrorServer(demo_dir / "mirror", port=port).start()
    except OSError as exc:
        fail(f"cannot serve the demo mirror on 127.0.0.1:{port}: {exc.strerror or exc} (try --port)")
    try:
        click.echo(f"demo mirror serving at {server.base_url}/")
        overrides = {**DEMO_SETTINGS, **scrapy_overrides((), log_level)}
        result = run_crawl(demo_dir / "sources.yaml", db, None, {"mirror": server.base_url},
                           overrides, trigger="demo")
    finally:
        server.stop()
    print_summary(result)
    if result.all_failed:
        fail("every demo source failed")
    _demo_outputs(database, Path(db), demo_dir)


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
    click.echo(f"feeds:    {site_dir.resolve()}/index.html and {published.feeds * 2} feed files "
               f"({published.entries} entries from {published.policies} relevant policies)")
    click.echo(f"          policywatch serve --dir {site_dir}   # then open http://127.0.0.1:8000/")
    click.echo(f"digests:  {report.sent} sent with {report.policies} new policies, {report.empty} subscriptions "
               f"with nothing new -> {mail_dir.resolve()}/ ({sink.received} received this run)")
    click.echo(f"policies: policywatch policies list --db {db_path}")
    if report.aborted:
        fail(f"digests could not be sent: {report.aborted}")


@main.command("extract")
@click.argument("source", metavar="PATH|URL")
@click.option("--url", "page_url", default=None, metavar="U",
              help="The address the page was fetched from (resolves relative links).")
@click.option("--text", "text_only", is_flag=True, help="The input is plain text copied from a browser, not HTML.")
@click.option("--format", "output_format", type=click.Choice(["json", "table"]), default="json", show_default=True)
def extract(source: str, page_url: str | None, text_only: bool, output_format: str) -> None:
    """Print the record extracted from a saved page (or a page fetched from a URL).

    A URL argument (http/https only) is fetched once with the standard library, with
    timeouts and a size limit: the one network use outside the crawler. Processing is
    the crawler's own (pipelines.process.process_page).

    Example: policywatch extract demo/mirror/huaxiataike/news/37805.html --url https://huaxiataike.com/news/37805.html
    """
    import json
    from urllib.error import URLError
    from urllib.parse import urlsplit
    from urllib.request import Request, urlopen

    from crawler.encoding import decode_html
    from pipelines.extract import PageInput
    from pipelines.process import process_page

    limit = 20 * 1024 * 1024
    header_charset = None
    if urlsplit(source).scheme in ("http", "https"):
        try:
            request = Request(source, headers={"User-Agent": "policywatch/0.1 (+https://github.com/policywatch)"})
            with urlopen(request, timeout=20) as response:  # noqa: S310 (scheme checked above)
                body = response.read(limit + 1)
                header_charset = response.headers.get_content_charset()
        except (URLError, OSError, ValueError) as exc:
            fail(f"cannot fetch {source}: {getattr(exc, 'reason', exc)}")
        page_url = page_url or source
    elif "://" in source:
        fail(f"only http and https URLs can be fetched, not {source}")
    else:
        path = Path(source)
        if not path.is_file():
            fail(f"no such file: {source}")
        try:
            body = path.read_bytes()[:limit + 1]
        except OSError as exc:
            fail(f"cannot read {source}: {exc.strerror or exc}")
        page_url = page_url or path.resolve().as_uri()
    if len(body) > limit:
        fail(f"{source} is larger than {limit // (1024 * 1024)} MB")
    if b"\x00" in body[:4096] and not body.startswith((b"\xff\xfe", b"\xfe\xff")):
        fail(f"{source} is not a text or HTML page (binary data)")
    if text_only:
        for encoding in ("utf-8-sig", "gb18030", "big5"):
            try:
                content = body.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            fail(f"cannot decode {source} as text (tried UTF-8, GB18030, Big5)")
    else:
        content = decode_html(body, header_charset)[0]
    record = process_page(PageInput(url=page_url, html=content, text_only=text_only, find_attachments=True))
    if output_format == "json":
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    for name, value in record.items():
        if name == "text":
            continue
        shown = json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value
        click.echo(f"{name:<20} {'-' if shown is None else shown}")
    click.echo(f"{'text':<20} {len(record['text'] or '')} characters\n\n{record['text'] or ''}")


def _register_commands() -> None:
    from crawler.digest_cli import digest, subscribe, subscriptions, unsubscribe
    from crawler.ops_cli import schedule, sources_check, status
    from crawler.policies_cli import policies
    from crawler.publish_cli import export, feeds, search, serve

    main.add_command(policies)
    main.add_command(schedule)
    main.add_command(status)
    sources.add_command(sources_check)
    for command in (subscribe, unsubscribe, subscriptions, digest):
        main.add_command(command)
    for command in (feeds, serve, search, export):
        main.add_command(command)


_register_commands()
