"""Stored documents as public records (ARCHITECTURE.md's JSON names), streamed as JSON Lines or CSV.

An exported record carries every field of the record schema: the record's own fields in their export
order, then the extra extracted fields, then the classification's reasons. Per policy, each row is the
canonical document's record plus the policy's page count.

Rows are read from one cursor and written one at a time, so exporting a large database
needs no more memory than one record.
"""
from __future__ import annotations

import csv
import json
from typing import Any, Iterator, TextIO

from sqlite_utils import Database

from core.record import CLASSIFICATION_FIELDS, EXTRA_FIELDS, JSON_FIELDS, LIST_FIELDS, RECORD_FIELDS
from storage.search import since_instant

BOOLEAN_FIELDS = ("is_relevant", "has_incentive", "is_canonical")
EXPORT_FORMATS = ("jsonl", "csv")
FORMULA_STARTS = ("=", "+", "-", "@")
# Every field of a record, in export order: the record's, then the extra ones, then what only classification adds.
EXPORT_FIELDS = RECORD_FIELDS + EXTRA_FIELDS + tuple(
    name for name in CLASSIFICATION_FIELDS if name not in RECORD_FIELDS + EXTRA_FIELDS)
PAGE_COUNT = "page_count"  # per policy: how many stored pages carry the policy
POLICY_FIELDS = EXPORT_FIELDS + (PAGE_COUNT,)
BOM = "\ufeff"


def export_fields(per_policy: bool = False) -> tuple[str, ...]:
    """The names of an exported record, in order (per policy: with the page count last)."""
    return POLICY_FIELDS if per_policy else EXPORT_FIELDS


def export_records(db: Database, since: str | None = None, *, relevant_only: bool = False,
                   per_policy: bool = False) -> Iterator[dict[str, Any]]:
    """Every stored document as a record with exactly EXPORT_FIELDS, in id order.

    since: only documents first seen or re-fetched at or after this instant: an ISO date (from 00:00
    Beijing time that day) or timestamp (Beijing time without an offset); see search.since_instant.
    relevant_only: only documents classified relevant.
    per_policy: one record per policy (merged ones excluded): its canonical document's, with `page_count`;
    `since` then keeps policies whose canonical document was first seen or re-fetched, or that gained a
    page, at or after that instant. Documents not yet assigned to a policy are left out.
    """
    columns = ", ".join(f"d.[{name}]" for name in EXPORT_FIELDS)
    where: list[str] = []
    params: list[str] = []
    if per_policy:
        sql = (f"select {columns}, (select count(*) from policy_members m where m.policy_id = p.id) "
               "from policies p join documents d on d.id = p.canonical_document_id")
        where.append("p.merged_into is null")
    else:
        sql = f"select {columns} from documents d"
    if relevant_only:
        where.append("d.is_relevant = 1")
    if since:
        changed = ["datetime(d.first_seen) >= ?", "datetime(d.updated_at) >= ?"]
        if per_policy:
            changed.append("exists (select 1 from policy_members m where m.policy_id = p.id "
                           "and datetime(m.joined_at) >= ?)")
        where.append("(" + " or ".join(changed) + ")")
        params += [since_instant(since)] * len(changed)
    if where:
        sql += " where " + " and ".join(where)
    names = export_fields(per_policy)
    for row in db.conn.execute(sql + " order by d.id", params):
        yield _record(names, row)


def _record(names: tuple[str, ...], row: tuple) -> dict[str, Any]:
    record = dict(zip(names, row))
    for name in (name for name in JSON_FIELDS if name in record):
        value = record[name]
        if isinstance(value, str) and value:
            record[name] = json.loads(value)
        else:
            record[name] = [] if name in LIST_FIELDS else None
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


def write_csv(records: Iterator[dict[str, Any]], out: TextIO, safe: bool = False,
              fields: tuple[str, ...] = EXPORT_FIELDS, bom: bool = False) -> int:
    """A header of `fields`, then one row per record; returns how many.

    safe: prefix formula-like text cells with ' (spreadsheet-safe, but no longer an exact round trip).
    bom: start with a UTF-8 byte-order mark, which Excel needs to read the file as UTF-8 (without it,
    Excel on Chinese Windows reads GBK); parsers that do not expect one see it in the first header name.
    """
    if bom:
        out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(fields)
    count = 0
    for record in records:
        cells = [csv_value(record[name]) for name in fields]
        writer.writerow([spreadsheet_safe(cell) for cell in cells] if safe else cells)
        count += 1
    return count
