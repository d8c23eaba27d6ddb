"""`policywatch crawl`, `extract` and `reclassify`: crawl sources into the database, extract one page,
classify stored documents again."""
from __future__ import annotations

from pathlib import Path

import click

from crawler.cli.common import (config_option, db_option, fail, fail_database, open_database, parse_pairs,
                                print_summary, scrapy_overrides)
from crawler.sources import SourceConfigError, load_sources


@click.command()
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
@click.option("--frontier", "frontier_url", envvar="POLICYWATCH_FRONTIER", default=None,
              metavar="redis://HOST:PORT/DB",
              help="Queue the run on this shared frontier for crawl workers instead of crawling here "
                   "(also $POLICYWATCH_FRONTIER; docs/deployment.md).")
@click.option("--prefix", default="policywatch", show_default=True, help="The frontier's key prefix.")
def crawl(sources: tuple[str, ...], config: str, db: str, variables: tuple[str, ...],
          settings: tuple[str, ...], recheck: bool, log_level: str, frontier_url: str | None, prefix: str) -> None:
    """Crawl sources into the database and print a per-source summary.

    Exits 2 when every source failed or was blocked, and 3 with one line, before crawling anything,
    when the database cannot be used (not a database, corrupt, locked by another process, read-only,
    disk full). With --frontier the run is queued for the crawl workers, and the store worker writes it.

    Example: policywatch crawl --source hunan-kjt --db var/policywatch.db
    """
    from crawler.runner import run_crawl
    from storage.db import DatabaseUnusable

    substitutions = parse_pairs(variables, "--var")
    try:
        load_sources(config, variables=substitutions, only=list(sources) or None)
    except SourceConfigError as exc:
        fail(str(exc))
    if frontier_url:
        from crawler.cli.distributed import seed

        open_database(db, write=True).conn.close()
        seed(frontier_url, prefix, config, db, list(sources) or None, substitutions)
        return
    overrides = scrapy_overrides(settings, log_level)
    if recheck:
        overrides["POLICYWATCH_RECHECK"] = True
    open_database(db, write=True).conn.close()
    try:
        result = run_crawl(config, db, list(sources) or None, substitutions, overrides, trigger="cli",
                           checked=True)
    except DatabaseUnusable as exc:
        fail_database(exc)
    print_summary(result)
    if result.all_failed:
        fail("every source failed or was blocked")


@click.command()
@db_option
@click.option("--source", "source", default=None, metavar="ID", help="Only this source's documents.")
def reclassify(db: str, source: str | None) -> None:
    """Re-run classification over stored documents (after editing pipelines/data/vocab/*.yaml).

    Example: policywatch reclassify --db var/policywatch.db
    """
    from pipelines.store import reclassify_documents

    from storage.sources import source_known

    if not Path(db).exists():
        fail(f"{db}: no such database")
    database = open_database(db, write=True)
    if source and not source_known(database, source):
        fail(f"unknown source {source!r}: none in the sources or the documents of {db}")
    counts = reclassify_documents(database, source)
    fields = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k not in ("seen", "documents"))
    click.echo(f"reclassified {counts['seen']} documents: {counts['documents']} changed"
               + (f" ({fields})" if fields else ""))


@click.command("extract")
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

    from crawler.discovery import listed_attachments
    from pipelines.text.decode import decode_html
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
    attachments = [] if text_only else listed_attachments(content, page_url)
    record = process_page(PageInput(url=page_url, html=content, text_only=text_only, attachments=attachments))
    if output_format == "json":
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    for name, value in record.items():
        if name == "text":
            continue
        shown = json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value
        click.echo(f"{name:<20} {'-' if shown is None else shown}")
    click.echo(f"{'text':<20} {len(record['text'] or '')} characters\n\n{record['text'] or ''}")
