"""`policywatch feeds`, `serve`, `search` and `export`: publishing what the crawler stored."""
from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, TextIO

import click

from crawler.cli.common import db_path_option, fail, iso_day, open_existing

DEFAULT_OUT = "var/site"
DEFAULT_FEEDS_CONFIG = "config/feeds.yaml"
DEFAULT_PORT = 8000
OTHER_PAGES_SHOWN = 3


@click.command()
@db_path_option
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Output folder.")
@click.option("--base-url", default=None, metavar="URL",
              help="Public address of the output folder, for the feeds' own links "
                   "[default: http://127.0.0.1:8000/, what `policywatch serve` uses].")
@click.option("--config", "config_path", default=None, type=click.Path(dir_okay=False),
              help=f"Feeds file with extra filtered feeds [default: {DEFAULT_FEEDS_CONFIG} if present].")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1), help="Entries per feed.")
@click.option("--page-rows", default=500, show_default=True, type=click.IntRange(1),
              help="Policies shown on index.html.")
def feeds(db_path: str, out_dir: str, base_url: str | None, config_path: str | None, limit: int,
          page_rows: int) -> None:
    """Write RSS, Atom and iCalendar feeds (all, incentives, per province, per topic, per feeds-file entry) and
    index.html.

    Files are replaced atomically; unchanged files are left as they are.

    Example: policywatch feeds --db var/policywatch.db --out var/site --base-url https://example.org/policies/
    """
    from urllib.parse import urlsplit

    from feeds.publish import DEFAULT_BASE_URL, FeedConfigError, load_feed_config, publish

    if base_url is not None and (urlsplit(base_url).scheme not in ("http", "https") or not urlsplit(base_url).netloc):
        fail(f"--base-url must be an absolute http(s) URL, got {base_url!r}")
    if config_path is None and Path(DEFAULT_FEEDS_CONFIG).is_file():
        config_path = DEFAULT_FEEDS_CONFIG
    if config_path is not None:
        if not Path(config_path).is_file():
            fail(f"no feeds file at {config_path}")
        try:
            load_feed_config(config_path)
        except FeedConfigError as exc:
            fail(str(exc))
    db = open_existing(db_path)
    try:
        summary = publish(db, out_dir, base_url=base_url or DEFAULT_BASE_URL, config_path=config_path,
                          limit=limit, page_rows=page_rows)
    except OSError as exc:
        fail(f"cannot write to {out_dir}: {exc.strerror or exc}")
    click.echo(f"{summary.feeds} feeds ({summary.feeds * 3} files, RSS, Atom and iCalendar) with {summary.entries} "
               f"entries and {summary.events} deadline events from {summary.policies} relevant policies; "
               f"index.html with {min(page_rows, summary.policies)} rows")
    removed = f", {len(summary.files_removed)} stale feed files removed" if summary.files_removed else ""
    if summary.temporaries_removed:
        removed += f", {len(summary.temporaries_removed)} leftover temporary files removed"
    click.echo(f"{Path(out_dir)}: {summary.files_written} files written, {summary.files_unchanged} unchanged{removed}")


@click.command()
@click.option("--dir", "directory", default=DEFAULT_OUT, show_default=True, type=click.Path(file_okay=False),
              help="Folder written by `policywatch feeds`.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0 picks a free one).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--db", "db_path", default=None, type=click.Path(dir_okay=False),
              help="Database whose digest subscriptions /unsubscribe?token=… stops (the one-click links of "
                   "`policywatch digest --base-url`); without it /unsubscribe is 404.")
def serve(directory: str, port: int, host: str, db_path: str | None) -> None:
    """Serve the feeds and index.html over HTTP (correct content types, ETag/Last-Modified, 304).

    With --db, also answer digests' unsubscribe links: GET shows a confirmation button, POST
    (RFC 8058 one-click) unsubscribes.

    Example: policywatch serve --dir var/site --port 8000 --db var/policywatch.db
    """
    from feeds.server import make_server

    if not Path(directory).is_dir():
        fail(f"no such folder: {directory} (run `policywatch feeds --out {directory}` first)")
    if db_path is not None:
        # One line when missing or unusable (unsubscribes write to it); applies pending migrations.
        open_existing(db_path, write=True).conn.close()
    try:
        server = make_server(directory, host, port, db_path)
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    bound_host, bound_port = server.server_address[:2]
    unsubscribe = f"; /unsubscribe stops subscriptions in {db_path}" if db_path else ""
    click.echo(f"serving {Path(directory).resolve()} at http://{bound_host}:{bound_port}/{unsubscribe} "
               "(Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def resolved_filter(provinces: tuple[str, ...], topics: tuple[str, ...]) -> Any:
    """Province and topic options resolved to official names and slugs (湖南 -> 湖南省)."""
    from feeds.filters import FilterError, PolicyFilter

    try:
        return PolicyFilter.build(provinces=list(provinces), topics=list(topics))
    except FilterError as exc:
        fail(str(exc))


# What the date in front of a search hit is (`date_kind` in --json), padded to one width.
DATE_LABELS = {"published": "published ", "page": "page date ", "first_seen": "first seen", None: "no date   "}


def hit_lines(hit: Any) -> list[str]:
    """A search hit for a terminal: date and which date it is, title, region/type/policy, URL, snippet with 【】
    around hits."""
    from storage.search import one_line

    where = " · ".join(filter(None, (hit.province, hit.city, hit.doc_type, hit.source_id,
                                     f"policy {hit.policy_id}" if hit.policy_id else None)))
    lines = [f"{hit.date or '----------'} {DATE_LABELS[hit.date_kind]}  {hit.title}", f"    {where}",
             f"    {one_line(hit.url)}"]
    if hit.other_pages:
        shown = ", ".join(one_line(url) for url in hit.other_pages[:OTHER_PAGES_SHOWN])
        more = len(hit.other_pages) - OTHER_PAGES_SHOWN
        lines.append(f"    also at {len(hit.other_pages)} other page{'s' if len(hit.other_pages) > 1 else ''}: "
                     f"{shown}" + (f" and {more} more" if more > 0 else ""))
    return lines + [f"    {hit.snippet.plain()}"]


@click.command()
@click.argument("query")
@db_path_option
@click.option("--province", "provinces", multiple=True, metavar="NAME", help="Only this province (repeatable).")
@click.option("--topic", "topics", multiple=True, metavar="SLUG", help="Only this topic, slug or label (repeatable).")
@click.option("--since", default=None, metavar="YYYY-MM-DD",
              help="Only documents published on or after this day (undated: first seen from 00:00 Beijing time).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1), help="How many results.")
@click.option("--every-page", is_flag=True,
              help="One result per matching page, reposts included [default: one per policy, "
                   "its other matching pages listed].")
@click.option("--open", "open_only", is_flag=True,
              help="Only calls still open: a deadline today or later (Beijing time).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def search(query: str, db_path: str, provinces: tuple[str, ...], topics: tuple[str, ...], since: str | None,
           limit: int, every_page: bool, open_only: bool, as_json: bool) -> None:
    """Full-text search of stored documents (Chinese words of any length; several words must all occur).

    One result per policy: reposts of one policy are listed under it, not repeated. Newest first by the
    document's publish date, else its page date, else the day (Beijing time) it was first seen; each
    result shows that date and which one it is (published, page date, first seen). On one date, the
    document first seen later comes first.

    Example: policywatch search "研发费用 补助" --province 湖南 --since 2025-01-01
    """
    from feeds.deadlines import today_in_beijing
    from storage.search import query_terms, search_documents, search_policies

    if not query_terms(query):
        fail("the search query is empty")
    wanted = resolved_filter(provinces, topics)
    since = iso_day(since, "--since")
    db = open_existing(db_path)
    find = search_documents if every_page else search_policies
    open_on = today_in_beijing().isoformat() if open_only else None
    hits = find(db, query, provinces=wanted.provinces, topics=wanted.topics, since=since, limit=limit,
                open_on=open_on)
    if as_json:
        click.echo(json.dumps([hit.to_dict() for hit in hits], ensure_ascii=False, indent=2))
        return
    for hit in hits:
        click.echo("\n".join(hit_lines(hit)))
    noun = (("document", "documents") if every_page else ("policy", "policies"))[len(hits) != 1]
    click.echo(f"{len(hits)} {noun}" + (f" (the newest {limit}; use --limit for more)" if len(hits) == limit else ""))


@contextmanager
def output_stream(out_file: str | None) -> Iterator[TextIO]:
    """The export destination: a file written whole then renamed into place, or stdout."""
    if out_file is None:
        yield sys.stdout
        return
    target = Path(out_file)
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8", newline="") as out:
            yield out
        temporary.replace(target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        fail(f"cannot write {out_file}: {exc.strerror or exc}")
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@click.command()
@db_path_option
@click.option("--format", "output_format", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--since", default=None, metavar="YYYY-MM-DD",
              help="Only documents first seen or re-fetched on or after this day (from 00:00 Beijing time); "
                   "with --per-policy, also policies that gained a page since.")
@click.option("--relevant-only", is_flag=True, help="Only documents classified relevant (is_relevant true).")
@click.option("--per-policy", is_flag=True,
              help="One record per policy (reposts folded): its canonical document's, plus page_count.")
@click.option("--out", "out_file", default=None, type=click.Path(dir_okay=False), help="Output file [default: stdout].")
@click.option("--safe-csv", is_flag=True,
              help="CSV: put ' before cells starting with = + - @ so spreadsheets do not run them as formulas "
                   "(the file then no longer round-trips exactly).")
@click.option("--bom", is_flag=True,
              help="CSV: start with a UTF-8 byte-order mark, so Excel reads the file as UTF-8 (on Chinese Windows "
                   "it reads GBK otherwise); a parser that does not expect one sees it in the first header name.")
def export(db_path: str, output_format: str, since: str | None, relevant_only: bool, per_policy: bool,
           out_file: str | None, safe_csv: bool, bom: bool) -> None:
    """Export every stored document as one record with every record field (ARCHITECTURE.md's JSON names).

    CSV cells holding lists or objects are JSON text. Records are streamed one at a time. For Excel:
    --format csv --bom --safe-csv.

    Example: policywatch export --format csv --since 2026-01-01 --safe-csv --out documents.csv
    """
    from storage.export import export_fields, export_records, write_csv, write_jsonl

    since = iso_day(since, "--since")
    for flag, given in (("--safe-csv", safe_csv), ("--bom", bom)):
        if given and output_format != "csv":
            fail(f"{flag} applies to --format csv only")
    db = open_existing(db_path)
    with output_stream(out_file) as out:
        records = export_records(db, since, relevant_only=relevant_only, per_policy=per_policy)
        if output_format == "csv":
            count = write_csv(records, out, safe=safe_csv, fields=export_fields(per_policy), bom=bom)
        else:
            count = write_jsonl(records, out)
    if out_file is not None:
        click.echo(f"{count} {'policies' if per_policy else 'documents'} written to {out_file}")
