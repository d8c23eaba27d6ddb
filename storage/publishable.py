"""A copy of the database that ops may publish (Datasette, a download): policies, their pages and the
search index; never the subscribers.

The copy is built from an allowlist: a table is in it only when PUBLISHED_TABLES names it. Every other
table stays behind, with the reason in WITHHELD_TABLES: subscriber addresses, names and unsubscribe
tokens (subscriptions), who was sent which policies (digest_batches, deliveries), the ops mail log and
scheduler output that can quote an address, raw page bodies and the dedup machinery. A table a later
migration adds is withheld until someone lists it here (tests/test_datasette.py asks that every table
be named in one of the two lists).

Nothing withheld is ever written into the copy's file: the copy is a new file filled table by table from
the database attached read-only, inside one read transaction (a consistent snapshot while crawls write),
not a whole copy pruned afterwards. It is written beside its destination and renamed over it when
complete, so a reader never sees half a copy. The schema is the original's (the same CREATE statements,
indexes, triggers and views); the trigram search index is rebuilt from the copied documents.
"""
from __future__ import annotations

import logging
import os
import re
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from storage.db import busy_timeout
from storage.search import FTS_TABLE, VOCAB_TABLE
from storage.subscriptions import database_file

logger = logging.getLogger(__name__)

PUBLISHED_TABLES = {
    "schema_migrations": "which schema the copy has",
    "sources": "the watched sites: name, kind, region, list pages",
    "documents": "one record per fetched page (docs/architecture.md, 'The record')",
    "attachments": "files linked from documents, with their text",
    "policies": "reposts of one policy folded into one, with the canonical page",
    "policy_members": "which page belongs to which policy, and why it was merged",
    "document_revisions": "earlier versions of changed pages",
    FTS_TABLE: "the trigram search index over documents (rebuilt in the copy)",
    VOCAB_TABLE: "the search index's vocabulary (2-character searches read it)",
}
PUBLISHED_VIEWS = {
    "policy_overview": "each live policy with its canonical document's region, topics, relevance, money, deadlines",
}
WITHHELD_TABLES = {
    "subscriptions": "subscriber addresses, names, filters and unsubscribe tokens",
    "digest_batches": "which subscriber was sent which policies, and when",
    "deliveries": "the per-subscriber delivery log",
    "ops_alerts": "the ops mail log (mail server errors can quote the ops address)",
    "cycles": "scheduler operation",
    "cycle_steps": "scheduler output (a digest step's error can quote a subscriber address)",
    "crawl_runs": "crawl operation (process ids)",
    "run_sources": "crawl operation, per source",
    "fetch_errors": "crawl errors",
    "source_health": "operations: source health states",
    "pages": "raw fetched pages (large; documents hold their text)",
    "dedup_signatures": "dedup machinery: fingerprints",
    "dedup_bands": "dedup machinery: the MinHash band index",
    "dedup_sentences": "dedup machinery: sentence keys",
    "dedup_sentence_counts": "dedup machinery: sentence key counts",
}
VIRTUAL_TABLE = re.compile(r"\s*create\s+virtual\s+table\b", re.IGNORECASE)
REBUILT_INDEXES = (FTS_TABLE,)  # external-content FTS5 tables: filled from their content table in the copy


def write_publishable_copy(db: Database, path: str | Path) -> dict[str, int]:
    """Write the publishable copy of `db`'s file to `path` (replacing it); rows copied per table.

    Raises ValueError when `db` is not a file or `path` is that file.
    """
    source = database_file(db)
    if not source:
        raise ValueError("the database has no file to copy (an in-memory database)")
    path = Path(path)
    if path.exists() and path.resolve() == Path(source).resolve():
        raise ValueError(f"{path}: the publishable copy cannot replace the database itself")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    _remove(partial)
    try:
        counts = _fill(source, partial)
        os.replace(partial, path)
    except BaseException:
        _remove(partial)
        raise
    logger.info("publishable copy %s written from %s: %s", path, source,
                ", ".join(f"{name} {rows}" for name, rows in counts.items()))
    return counts


def _remove(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-journal")):
        leftover.unlink(missing_ok=True)


def _fill(source: str, target: Path) -> dict[str, int]:
    """Create the published schema in `target` and fill it from `source` (attached read-only), in one transaction."""
    # opened as a URI so that ATTACH reads the source's URI (mode=ro) on every SQLite build
    conn = sqlite3.connect(target.resolve().as_uri(), uri=True, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout() * 1000)}")
        # a file that is renamed into place only when complete needs no rollback journal while it is built
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("ATTACH DATABASE ? AS src", [Path(source).resolve().as_uri() + "?mode=ro"])
        conn.execute("BEGIN")
        schema = conn.execute("select type, name, tbl_name, sql from src.sqlite_master "
                              "where sql is not null order by rowid").fetchall()
        tables = [(name, sql) for kind, name, _table, sql in schema if kind == "table" and name in PUBLISHED_TABLES]
        virtual = {name for name, sql in tables if VIRTUAL_TABLE.match(sql)}
        counts = {}
        for name, sql in tables:
            if name not in virtual:
                conn.execute(sql)
                counts[name] = conn.execute(f"insert into main.{_quoted(name)} "
                                            f"select * from src.{_quoted(name)}").rowcount
        for name, sql in tables:
            if name in virtual:
                conn.execute(sql)  # an FTS5 table creates its own shadow tables, which are never copied
                if name in REBUILT_INDEXES:
                    conn.execute(f"insert into {_quoted(name)} ({_quoted(name)}) values ('rebuild')")
        for kind, name, table, sql in schema:
            if kind in ("index", "trigger") and table in PUBLISHED_TABLES or kind == "view" and name in PUBLISHED_VIEWS:
                conn.execute(sql)
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE src")
        conn.execute("PRAGMA journal_mode = DELETE")
        return counts
    finally:
        conn.close()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
