"""What every `policywatch` command shares: default paths, the --config/--db/--var options, NAME=VALUE
pairs, one-line failures, opening the database, and the crawl summary."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from crawler.sources import Source, SourceConfigError, load_sources

DEFAULT_CONFIG = "config/sources.yaml"
DEFAULT_DB = "var/policywatch.db"

config_option = click.option("--config", "config", default=DEFAULT_CONFIG, show_default=True,
                             envvar="POLICYWATCH_CONFIG", type=click.Path(dir_okay=False),
                             help="Sources file.")


def _db(dest: str) -> Any:
    return click.option("--db", dest, default=DEFAULT_DB, show_default=True, envvar="POLICYWATCH_DB",
                        type=click.Path(dir_okay=False), help="SQLite database file.")


db_option = _db("db")            # the command's parameter is `db`
db_path_option = _db("db_path")  # the command's parameter is `db_path`

var_option = click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
                          help="Fill ${NAME} in the sources file (repeatable).")


def fail(message: str) -> None:
    """Print one line to stderr and exit 2."""
    click.echo(f"policywatch: {message}", err=True)
    sys.exit(2)


def parse_pairs(pairs: tuple[str, ...], what: str) -> dict[str, str]:
    """NAME=VALUE pairs from repeated options."""
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            fail(f"{what} takes NAME=VALUE, got {pair!r}")
        out[name.strip()] = value
    return out


def sources_or_fail(config: str, variables: dict[str, str], only: list[str] | None = None) -> list[Source]:
    """The sources of `config`; a file that does not validate exits 2 with its one-line error."""
    try:
        return load_sources(config, variables=variables, only=only)
    except SourceConfigError as exc:
        fail(str(exc))
    return []


def open_database(db_path: str) -> Any:
    """The database at `db_path`, created with every migration if missing."""
    from storage.db import open_db

    return open_db(db_path)


def open_existing(db_path: str) -> Any:
    """The database at `db_path` (never created by a read-only command)."""
    if not Path(db_path).is_file():
        fail(f"no database at {db_path} (run `policywatch crawl` first, or pass --db)")
    return open_database(db_path)


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
