"""Stored documents as public records (ARCHITECTURE.md's JSON names), streamed as JSON Lines or CSV.

Rows are read from one cursor and written one at a time, so exporting a large database
needs no more memory than one record.
"""
from __future__ import annotations

import csv
import json
from typing import Any, Iterator, TextIO

from sqlite_utils import Database

from core.record import JSON_FIELDS, RECORD_FIELDS
from storage.search import since_instant

BOOLEAN_FIELDS = ("is_relevant", "has_incentive", "is_canonical")
EXPORT_FORMATS = ("jsonl", "csv")
FORMULA_STARTS = ("=", "+", "-", "@")


def export_records(db: Database, since: str | None = None) -> Iterator[dict[str, Any]]:
    """Every stored document as a record with exactly RECORD_FIELDS, in id order.

    since: only documents first seen or re-fetched at or after this instant: an ISO date (from 00:00
    Beijing time that day) or timestamp (Beijing time without an offset); see search.since_instant.
    """
    columns = ", ".join(f"[{name}]" for name in RECORD_FIELDS)
    sql = f"select {columns} from documents"
    params: list[str] = []
    if since:
        sql += " where datetime(first_seen) >= ? or datetime(updated_at) >= ?"
        params = [since_instant(since)] * 2
    cursor = db.conn.execute(sql + " order by id", params)
    for row in cursor:
        yield _record(row)


def _record(row: tuple) -> dict[str, Any]:
    record = dict(zip(RECORD_FIELDS, row))
    for name in (name for name in JSON_FIELDS if name in record):
        value = record[name]
        record[name] = json.loads(value) if isinstance(value, str) and value else []
    for name in BOOLEAN_FIELDS:
        if record[name] is not None:
            record[name] = bool(record[name])
    return record


def write_jsonl(records: Iterator[dict[str, Any]], out: TextIO) -> int:
    """One JSON object per line (UTF-8 text, not \\u escapes); returns how many."""
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def csv_value(value: Any) -> Any:
    """A CSV cell: lists and objects as JSON text, booleans as true/false, unknown as empty."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def spreadsheet_safe(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula (=, +, -, @ first) with ' in front; others unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(records: Iterator[dict[str, Any]], out: TextIO, safe: bool = False) -> int:
    """A header of RECORD_FIELDS, then one row per record; returns how many.

    safe: prefix formula-like text cells with ' (spreadsheet-safe, but no longer an exact round trip).
    """
    writer = csv.writer(out)
    writer.writerow(RECORD_FIELDS)
    count = 0
    for record in records:
        cells = [csv_value(record[name]) for name in RECORD_FIELDS]
        writer.writerow([spreadsheet_safe(cell) for cell in cells] if safe else cells)
        count += 1
    return count
