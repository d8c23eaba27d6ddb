"""What every `policywatch` command shares: default paths, the --config/--db/--var options, NAME=VALUE
pairs, date options, one-line failures, opening the database (and the one line when it cannot be used),
columns aligned by terminal width, and the crawl summary."""
from __future__ import annotations

import sqlite3
import sys
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import click

from crawler.sources import Source, SourceConfigError, load_sources

DEFAULT_CONFIG = "config/sources.yaml"
DEFAULT_DB = "var/policywatch.db"
# Exit status of a command whose database cannot be used (2 is a bad argument or file, 1 what a command finds).
EXIT_DATABASE_UNUSABLE = 3
DB_PATH_KEY = "policywatch.db_path"  # in click's context meta: the database the running command opened

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


def iso_day(value: str | None, option: str) -> str | None:
    """A YYYY-MM-DD option value checked (exit 2 with one line otherwise), or None."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        fail(f"{option} takes a date as YYYY-MM-DD, got {value!r}")
    return None


def display_width(text: str) -> int:
    """The columns `text` takes on a terminal: wide and full-width (CJK) characters 2, combining marks and
    invisible format characters 0, others 1."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) == "Cf":
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def pad(text: str, width: int) -> str:
    """`text` followed by spaces up to `width` terminal columns (as str.ljust does for one-column characters)."""
    return text + " " * max(0, width - display_width(text))


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


def fail_database(problem: Exception) -> NoReturn:
    """Print why the database cannot be used (a storage.db.DatabaseUnusable) as one line to stderr and exit 3."""
    click.echo(f"policywatch: {problem}", err=True)
    sys.exit(EXIT_DATABASE_UNUSABLE)


def open_database(db_path: str, write: bool = False) -> Any:
    """The database at `db_path`, created with every migration if missing, after making sure it is a sound
    database (and, with `write`, that it can be written now); when it is not, one line and exit 3."""
    from storage.db import DatabaseUnusable, open_db

    context = click.get_current_context(silent=True)
    if context is not None:
        context.meta[DB_PATH_KEY] = db_path
    try:
        return open_db(db_path, check=True, write=write)
    except DatabaseUnusable as exc:
        fail_database(exc)
    except ValueError as exc:  # $POLICYWATCH_BUSY_TIMEOUT is not a number of seconds
        fail(str(exc))


def open_existing(db_path: str, write: bool = False) -> Any:
    """The database at `db_path` (never created by a read-only command), checked as by open_database."""
    if not Path(db_path).is_file():
        fail(f"no database at {db_path} (run `policywatch crawl` first, or pass --db)")
    return open_database(db_path, write=write)


def database_problem(ctx: click.Context, exc: Exception) -> Exception | None:
    """The DatabaseUnusable a command's exception stands for: itself, or an SQLite error about the file of the
    database the command opened (a damaged page read mid-command, a lock held past the busy timeout, a full
    disk); None for any other exception."""
    from storage.db import DatabaseUnusable, unusable

    if isinstance(exc, DatabaseUnusable):
        return exc
    db_path = ctx.meta.get(DB_PATH_KEY)
    if isinstance(exc, sqlite3.Error) and db_path is not None:
        return unusable(db_path, exc)
    return None


class CommandGroup(click.Group):
    """The `policywatch` group: a database that turns out unusable while a command runs (past the check on
    open) ends the command with the same one line and exit 3, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            problem = database_problem(ctx, exc)
            if problem is None:
                raise
            fail_database(problem)


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
