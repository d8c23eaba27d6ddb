"""What every `policywatch` command shares: default paths, the --config/--db options, one-line failures."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

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


def fail(message: str) -> None:
    """Print one line to stderr and exit 2."""
    click.echo(f"policywatch: {message}", err=True)
    sys.exit(2)


def open_database(db_path: str) -> Any:
    """The database at `db_path`, created with every migration if missing."""
    from storage.db import open_db

    return open_db(db_path)


def open_existing(db_path: str) -> Any:
    """The database at `db_path` (never created by a read-only command)."""
    if not Path(db_path).is_file():
        fail(f"no database at {db_path} (run `policywatch crawl` first, or pass --db)")
    return open_database(db_path)
