"""Policies as readers see them: one entry per policy, read from its canonical document.

Feeds, the index page and email digests all speak of policies, never of single pages;
this module is the one query they share. A policy's classification (region, type, topics,
money, relevance) is its canonical document's; its pages are every member, canonical first.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable

from sqlite_utils import Database

EXCERPT_SOURCE_CHARS = 1200

_ENTRY_SQL = f"""
select p.id, p.title as policy_title, p.canonical_url, p.issuer as policy_issuer, p.doc_number as policy_doc_number,
       p.publish_date as policy_publish_date, p.created_at, p.updated_at, p.revision, p.update_summary,
       d.id as document_id, d.title, d.issuer, d.doc_number, d.publish_date, d.page_date, d.first_seen,
       d.province, d.city, d.county, d.level, d.doc_type, d.topics, d.incentives, d.deadlines,
       d.has_incentive, d.max_amount_wan, d.is_relevant, d.relevance, d.period, d.expiry_date,
       d.source_id, d.source_kind, substr(d.text, 1, {EXCERPT_SOURCE_CHARS}) as text_head
from policies p join documents d on d.id = p.canonical_document_id
where p.merged_into is null
"""


@dataclass
class PolicyEntry:
    """One policy with the fields feeds and digests show."""

    policy_id: str
    title: str
    canonical_url: str
    issuer: str | None
    doc_number: str | None
    publish_date: str | None      # the issuing body's date, else the canonical page's date
    first_seen: str               # when the policy was first stored (UTC ISO)
    updated_at: str | None        # set when a material revision changed the policy
    revision: int
    update_summary: Any
    province: str | None
    city: str | None
    county: str | None
    level: str | None
    doc_type: str | None
    topics: list[str]
    incentives: list[dict[str, Any]]
    deadlines: list[str]
    has_incentive: bool
    max_amount_wan: float | None
    is_relevant: bool
    relevance: float | None
    period: str | None
    expiry_date: str | None
    source_id: str | None
    source_kind: str | None
    text_head: str                # the start of the canonical text (for excerpts and keyword filters)
    # every page of the policy, canonical first: url, source_id, source_name (the configured source's name,
    # None for a source not in the sources table), source_kind, title, is_canonical
    pages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def sort_key(self) -> tuple[str, str, str]:
        """Newest first: publish date, then first seen, then id (stable)."""
        return (self.publish_date or "", self.first_seen or "", self.policy_id)

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def _json_list(value: str | None) -> list:
    if not value:
        return []
    try:
        loaded = json.loads(value)
    except ValueError:
        return []
    return loaded if isinstance(loaded, list) else []


def _entry(row: dict[str, Any]) -> PolicyEntry:
    summary = row["update_summary"]
    if summary:
        try:
            summary = json.loads(summary)
        except ValueError:
            pass
    return PolicyEntry(
        policy_id=row["id"],
        title=row["policy_title"] or row["title"] or "",
        canonical_url=row["canonical_url"],
        issuer=row["issuer"] or row["policy_issuer"],
        doc_number=row["doc_number"] or row["policy_doc_number"],
        publish_date=row["publish_date"] or row["policy_publish_date"] or row["page_date"],
        first_seen=row["created_at"] or row["first_seen"],
        updated_at=row["updated_at"],
        revision=row["revision"] or 0,
        update_summary=summary,
        province=row["province"], city=row["city"], county=row["county"], level=row["level"],
        doc_type=row["doc_type"],
        topics=_json_list(row["topics"]),
        incentives=_json_list(row["incentives"]),
        deadlines=_json_list(row["deadlines"]),
        has_incentive=bool(row["has_incentive"]),
        max_amount_wan=row["max_amount_wan"],
        is_relevant=bool(row["is_relevant"]),
        relevance=row["relevance"],
        period=row["period"], expiry_date=row["expiry_date"],
        source_id=row["source_id"], source_kind=row["source_kind"],
        text_head=row["text_head"] or "",
    )


def _attach_pages(db: Database, entries: dict[str, PolicyEntry]) -> None:
    ids = list(entries)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        cursor = db.execute(
            "select m.policy_id, d.url, d.source_id, d.source_kind, d.title, d.is_canonical, s.name "
            "from policy_members m join documents d on d.id = m.document_id "
            "left join sources s on s.id = d.source_id "
            f"where m.policy_id in ({marks}) "
            "order by m.policy_id, d.is_canonical desc, m.joined_at, d.id", chunk)
        for policy_id, url, source_id, kind, title, canonical, source_name in cursor.fetchall():
            entries[policy_id].pages.append({"url": url, "source_id": source_id, "source_kind": kind,
                                             "title": title, "is_canonical": bool(canonical),
                                             "source_name": source_name})


def policy_entries(db: Database, *, relevant_only: bool = True, since: str | None = None,
                   policy_ids: Iterable[str] | None = None, with_pages: bool = True) -> list[PolicyEntry]:
    """Every live policy (merged ones excluded), newest first.

    relevant_only: only policies whose canonical document is relevant (the default everywhere readers look);
    since: only policies first seen or updated at or after this ISO timestamp/date;
    policy_ids: only these policies.
    """
    sql, params = _ENTRY_SQL, []
    if relevant_only:
        sql += " and d.is_relevant = 1"
    if since:
        sql += " and (p.created_at >= ? or p.updated_at >= ?)"
        params += [since, since]
    if policy_ids is not None:
        wanted = list(policy_ids)
        if not wanted:
            return []
        sql += f" and p.id in ({','.join('?' * len(wanted))})"
        params += wanted
    cursor = db.execute(sql, params)
    names = [c[0] for c in cursor.description]
    entries = {row[0]: _entry(dict(zip(names, row))) for row in cursor.fetchall()}
    if with_pages and entries:
        _attach_pages(db, entries)
    return sorted(entries.values(), key=lambda e: e.sort_key, reverse=True)

