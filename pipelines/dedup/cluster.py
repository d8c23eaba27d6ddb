"""Clustering: which policy a stored document joins, its canonical page, and its revisions.

Decisions only; every read and write goes through a ``PolicyIndex`` (``storage.policies`` implements
it). ``assign_policy`` is the store step's entry point (right after a document is upserted);
``record_revision`` keeps the history of a page whose content changed. An assignment is one
transaction of the index.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from core.clock import now_iso
from pipelines.dedup.canonical import choose_canonical, policy_id_for
from pipelines.dedup.config import DedupConfig
from pipelines.dedup.minhash import band_hashes, estimated_containment, estimated_jaccard, signature_from_bytes
from pipelines.dedup.normalise import content_hash_of, normalise_text, text_hash
from pipelines.dedup.pages import Fingerprint, Page, PageView, fingerprint, page_view
from pipelines.dedup.revisions import describe_revision, revision_summary
from pipelines.dedup.urls import canonical_url
from pipelines.dedup.verdict import Verdict, compare_pages, conflicts_between
from pipelines.dedup.index import PolicyIndex

logger = logging.getLogger(__name__)

BAND_CANDIDATE_LIMIT = 200
KEY_CANDIDATE_LIMIT = 20
POLICY_ID_LENGTHS = range(12, 41, 4)


@dataclass
class Assignment:
    """Where a document went: its policy, the page it matched and why, what this call changed."""

    policy_id: str
    merged_with: str | None
    merge_reason: str | None
    is_new_policy: bool
    canonical_changed: bool
    updated: bool
    absorbed: list[str] = field(default_factory=list)  # policies proved the same, now aliases (merged_into)


@dataclass
class Match:
    """A verified match of a new page to a page of an existing policy."""

    policy_id: str
    document_id: int
    url: str
    verdict: Verdict
    also_matched: list[str]


# ---------------------------------------------------------------------------------------------
# fingerprints
# ---------------------------------------------------------------------------------------------

def stored_bands(stored: dict[str, Any]) -> list[int]:
    """The band hashes a stored fingerprint put in the index (recomputed from its MinHash, not stored twice)."""
    if not stored["band_count"]:
        return []
    return band_hashes(signature_from_bytes(stored["minhash"]), stored["band_count"])


def fingerprint_is_current(stored: dict[str, Any] | None, fp: Fingerprint) -> bool:
    """Whether a stored fingerprint row already holds `fp` (same recipe, text and keys)."""
    if stored is None:
        return False
    return (stored["scheme"], stored["norm_hash"], stored["url_key"], stored["original_key"],
            stored["doc_number"], stored["title_key"]) == (fp.scheme, fp.norm_hash, fp.url_key,
                                                           fp.original_key, fp.doc_number, fp.title_key)


# ---------------------------------------------------------------------------------------------
# the canonical page
# ---------------------------------------------------------------------------------------------

def refresh_canonical(index: PolicyIndex, policy_id: str, config: DedupConfig, at: str) -> bool:
    """Choose the policy's canonical page and write it to the policy and its documents; True if it changed."""
    members = [(Page.from_record(row), size) for row, size in index.member_rows(policy_id)]
    policy = index.policy_row(policy_id)
    if not members or policy is None:
        return False
    chosen = choose_canonical(members)
    target = canonical_url(chosen.url, config.url_rules.get(chosen.source_id or ""))
    changed = policy["canonical_document_id"] is not None and policy["canonical_document_id"] != chosen.document_id
    fields = {"canonical_document_id": chosen.document_id, "canonical_url": target, "title": chosen.title,
              "issuer": chosen.issuer, "doc_number": chosen.doc_number,
              "publish_date": chosen.publish_date or chosen.page_date, "page_count": len(members)}
    if changed:
        fields["canonical_changed_at"] = at
    if not any(policy[k] != v for k, v in fields.items()):
        fields = {}
    index.write_canonical(policy_id, fields, chosen.document_id, target, [page.document_id for page, _ in members])
    return changed


def single_page_canonical(index: PolicyIndex, policy_id: str, page: Page, config: DedupConfig) -> bool:
    """Make a new policy's only page its canonical page (no member query needed); False: nothing switched."""
    target = canonical_url(page.url, config.url_rules.get(page.source_id or ""))
    fields = {"canonical_document_id": page.document_id, "canonical_url": target, "title": page.title,
              "issuer": page.issuer, "doc_number": page.doc_number,
              "publish_date": page.publish_date or page.page_date, "page_count": 1}
    index.write_canonical(policy_id, fields, page.document_id, target, [page.document_id])
    return False


# ---------------------------------------------------------------------------------------------
# finding the policy a new page belongs to
# ---------------------------------------------------------------------------------------------

def ranked_candidates(index: PolicyIndex, document_id: int, fp: Fingerprint, config: DedupConfig) -> list[int]:
    """Candidate documents to verify: exact-key matches first, then pages sharing whole sentences, then band
    matches by estimated containment."""
    keyed = index.key_candidates(fp, document_id, config.min_shingles, KEY_CANDIDATE_LIMIT)
    keyed += [doc_id for doc_id in index.sentence_candidates(fp.sentences, document_id, config.shared_passage_keys,
                                                              KEY_CANDIDATE_LIMIT) if doc_id not in keyed]
    signature = signature_from_bytes(fp.signature)
    estimated = []
    for doc_id, blob, count in index.band_candidates(fp.bands, document_id, BAND_CANDIDATE_LIMIT):
        if doc_id in keyed:
            continue
        containment = estimated_containment(estimated_jaccard(signature, signature_from_bytes(blob)),
                                            fp.shingle_count, count)
        if containment >= config.candidate_containment:
            estimated.append((containment, -doc_id))
    ordered = keyed + [-negative for _, negative in sorted(estimated, reverse=True)]
    return ordered[:config.max_verified]


def _strength(verdict: Verdict) -> tuple:
    return (verdict.reason == "same content hash", verdict.linked, verdict.containment, verdict.jaccard)


def _pages(index: PolicyIndex, ids: list[int]) -> dict[int, Page]:
    return {doc_id: Page.from_record(row) for doc_id, row in index.page_rows(ids).items()} if ids else {}


def verified_matches(index: PolicyIndex, view: PageView, fp: Fingerprint, config: DedupConfig) -> list[Match]:
    """Candidates that verify as the same policy, strongest first (each with its policy)."""
    ids = ranked_candidates(index, view.page.document_id, fp, config)
    owners = index.policies_of(ids) if ids else {}
    pages = _pages(index, [i for i in ids if i in owners])
    matches = []
    for doc_id in ids:
        if doc_id in pages:
            verdict = compare_pages(view, page_view(pages[doc_id], config), config)
            if verdict.same:
                matches.append(Match(owners[doc_id], doc_id, pages[doc_id].url, verdict, []))
    return sorted(matches, key=lambda m: _strength(m.verdict), reverse=True)


def canonical_view(index: PolicyIndex, policy_id: str, config: DedupConfig) -> PageView | None:
    """The view of a policy's canonical page."""
    canonical_id = (index.policy_row(policy_id) or {}).get("canonical_document_id")
    page = _pages(index, [canonical_id]).get(canonical_id) if canonical_id is not None else None
    return page_view(page, config) if page else None


def compatible_policies(index: PolicyIndex, view: PageView, matches: list[Match],
                        config: DedupConfig) -> list[Match]:
    """Matches whose policy's canonical page does not conflict with the page (no look-alike via a partial copy)."""
    verdicts: dict[str, bool] = {}
    kept = []
    for match in matches:
        if match.policy_id not in verdicts:
            canonical = canonical_view(index, match.policy_id, config)
            conflicts = [] if canonical is None or canonical.page.document_id == match.document_id \
                else conflicts_between(view, canonical, config)
            if conflicts:
                logger.info("dedup: %s matches %s but conflicts with the canonical page of %s: %s",
                            view.page.url, match.url, match.policy_id, "; ".join(conflicts))
            verdicts[match.policy_id] = not conflicts
        if verdicts[match.policy_id]:
            kept.append(match)
    return kept


def mergeable(index: PolicyIndex, survivor: str, other: str, config: DedupConfig) -> bool:
    """Whether two policies that one page matched are one policy (their canonical pages do not conflict)."""
    first, second = canonical_view(index, survivor, config), canonical_view(index, other, config)
    return bool(first and second and not conflicts_between(second, first, config))


def _add_member(index: PolicyIndex, page: Page, policy_id: str, at: str, match: Match | None) -> None:
    verdict = match.verdict if match else None
    index.add_member(page.document_id, page.url, policy_id, at, match.document_id if match else None,
                     verdict.reason if verdict else None, verdict.jaccard if verdict else None,
                     verdict.containment if verdict else None, verdict.evidence if verdict else None,
                     match.also_matched if match and match.also_matched else None)


def join_or_create(index: PolicyIndex, view: PageView, fp: Fingerprint, config: DedupConfig,
                   at: str) -> tuple[str, bool, list[str]]:
    """Join the oldest policy the page verifies into (absorbing others it proves equal) or start one."""
    page = view.page
    matches = compatible_policies(index, view, verified_matches(index, view, fp, config), config)
    if not matches:
        policy_id = index.create_policy((policy_id_for(page.url, n) for n in POLICY_ID_LENGTHS), page.url, at)
        _add_member(index, page, policy_id, at, None)
        return policy_id, True, []
    matched = list(dict.fromkeys(m.policy_id for m in matches))
    survivor = index.oldest_policy(matched)
    absorbed = []
    for other in matched:
        if other != survivor and mergeable(index, survivor, other, config):
            reason = next(m.verdict.reason for m in matches if m.policy_id == other)
            index.absorb_policy(survivor, other, page.document_id, f"{page.url} matches both ({reason})", at)
            absorbed.append(other)
    best = next(m for m in matches if m.policy_id in (survivor, *absorbed))
    best.policy_id = survivor
    best.also_matched = [p for p in matched if p != survivor and p not in absorbed]
    _add_member(index, page, survivor, at, best)
    return survivor, False, absorbed


def _assign(index: PolicyIndex, row: dict[str, Any], config: DedupConfig, at: str) -> Assignment:
    """Assign one stored document (a page row) inside the caller's transaction."""
    page = Page.from_record(row)
    view = page_view(page, config)
    fp = fingerprint(view, config)
    stored = index.stored_fingerprint(page.document_id)
    if not fingerprint_is_current(stored, fp):
        index.save_fingerprint(page.document_id, fp, row.get("content_hash"),
                               stored_bands(stored) if stored is not None else [])
    member = index.membership(page.document_id)
    is_new, absorbed, known = False, [], member is not None
    if member is None:
        _, is_new, absorbed = join_or_create(index, view, fp, config, at)
        member = index.membership(page.document_id)
    policy_id = member["policy_id"]
    merged_with = None
    if member["matched_document_id"] is not None:
        merged_with = index.document_url(member["matched_document_id"])
    changed = single_page_canonical(index, policy_id, page, config) if is_new \
        else refresh_canonical(index, policy_id, config, at)
    # a page joining a policy now cannot have updated it: revisions mark only their policy at the time
    updated = known and index.latest_revision_marked(page.document_id, fp.norm_hash)
    if is_new:
        logger.info("dedup: new policy %s for %s", policy_id, page.url)
    elif not known:
        logger.info("dedup: %s joined %s: %s", page.url, policy_id, member["merge_reason"])
    for other in absorbed:
        logger.info("dedup: policy %s merged into %s through %s", other, policy_id, page.url)
    return Assignment(policy_id, merged_with, member["merge_reason"], is_new, changed, updated, absorbed)


def assign_policy(index: PolicyIndex, document_url: str, config: DedupConfig | None = None) -> Assignment:
    """Fingerprint a stored document, join its verified duplicates' policy or start one, re-choose the canonical."""
    row = index.page_row(document_url)
    if row is None:
        raise LookupError(f"no stored document at {document_url}")
    with index.transaction():
        return _assign(index, row, config or DedupConfig(), now_iso())


def assign_pending(index: PolicyIndex, config: DedupConfig | None = None, batch: int = 500) -> int:
    """Assign every document in no policy yet (a backfill), oldest first, one transaction per batch; how many."""
    config = config or DedupConfig()
    done = 0
    while True:
        rows = index.pending_rows(batch)
        if not rows:
            return done
        with index.transaction():
            at = now_iso()
            for row in rows:
                _assign(index, row, config, at)
        done += len(rows)


# ---------------------------------------------------------------------------------------------
# revisions
# ---------------------------------------------------------------------------------------------

def _revision(document_id: int, url: str, version: int, at: str, text: str, summary: dict[str, Any] | None,
              policy_id: str | None, policy_updated: bool) -> dict[str, Any]:
    return {"document_id": document_id, "url": url, "version": version, "recorded_at": at,
            "content_hash": content_hash_of(text), "norm_hash": text_hash(normalise_text(text)),
            "chars": len(text), "text": text, "summary": summary,
            "material": bool(summary and summary.get("material")), "policy_id": policy_id,
            "policy_updated": policy_updated}


def record_revision(index: PolicyIndex, document_url: str, old_text: str | None, new_text: str) -> None:
    """Keep a new version of a changed page; a material change to a policy's canonical text marks it updated."""
    row = index.page_row(document_url)
    if row is None:
        raise LookupError(f"no stored document at {document_url}")
    document_id, first_seen = row["id"], row["first_seen"]
    at = now_iso()
    with index.transaction():
        history = index.revisions(document_id)
        if history and history[-1]["text"] == new_text:
            return
        if old_text is not None and old_text == new_text:
            return
        previous = old_text if old_text is not None else (history[-1]["text"] if history else None)
        if not history and old_text is not None:
            index.insert_revision(_revision(document_id, document_url, 1, first_seen or at, old_text, None, None,
                                            False))
        summary = revision_summary(previous, new_text)
        member = index.membership(document_id)
        policy = index.policy_row(member["policy_id"]) if member else None
        is_canonical = bool(policy and policy["canonical_document_id"] == document_id)
        marks_policy = bool(is_canonical and summary["material"])
        version = (history[-1]["version"] if history else (1 if old_text is not None else 0)) + 1
        index.insert_revision(_revision(document_id, document_url, version, at, new_text, summary,
                                        member["policy_id"] if member else None, marks_policy))
        if marks_policy:
            index.mark_policy_updated(policy["id"], at, describe_revision(summary))
    logger.info("dedup: %s changed (version %s%s): %s", document_url, version,
                ", policy updated" if marks_policy else "", describe_revision(summary))
