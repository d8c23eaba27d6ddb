"""Reclustering: every stored document assigned again under the current rules, the differences applied with
stable policy ids.

When the fingerprint recipe (``config.SCHEME``) or the rules that judge two pages change, a stored database
keeps the policies the old rules made: pages the new rules would merge stay apart, and pages they would keep
apart stay merged. ``recluster`` recomputes every stored fingerprint, re-runs assignment over the documents in
first-seen order (``ReplayIndex``: the stored pages, fingerprints and candidate search, with the policies held
in memory and only the documents replayed so far visible, as they were to the crawl that stored them), then
compares the policies the re-run makes with the stored ones:

- pages of several stored policies that now form one policy: the oldest of those policies absorbs the others,
  which stay as aliases (``merged_into``), so their links, feeds and subscriptions still resolve;
- a page that no longer goes with its policy's canonical page: it leaves for the policy of the pages it goes
  with now, or for a new policy of its own (whose id comes from the page's URL, as any new policy's).

A stored policy stays with its canonical page (what feeds and digests showed of it), so a policy is never
emptied: it keeps that page or is absorbed. Each difference carries the verdict's reason. The re-run writes
only fingerprints; the changes are applied afterwards, one transaction per batch, each set of connected
changes only when its pages are still where the re-run found them (a crawl running meanwhile may have moved
them: those are reported as skipped, and a second run picks them up). Run twice, the second run changes
nothing: the re-run depends only on the stored documents and their fingerprints, and the first run made the
stored policies equal to it.
"""
from __future__ import annotations

import logging
import time
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from core.clock import now_iso
from pipelines.dedup.canonical import policy_id_for
from pipelines.dedup.cluster import (
    POLICY_ID_LENGTHS, assign_pending, fingerprint_is_current, join_or_create, refresh_canonical,
    single_page_canonical, stored_bands,
)
from pipelines.dedup.config import DedupConfig
from pipelines.dedup.index import PolicyIndex
from pipelines.dedup.pages import Fingerprint, Page, PageView, fingerprint, page_view
from pipelines.dedup.verdict import compare_pages

logger = logging.getLogger(__name__)

# The re-run asks the stored index for this many times a candidate query's limit, then keeps the documents
# replayed so far: documents first seen later are not yet "stored" for it, and must not take their places.
OVERFETCH = 4


# ---------------------------------------------------------------------------------------------
# the re-run: assignment in first-seen order, policies in memory
# ---------------------------------------------------------------------------------------------

# What the re-run keeps of each page for choosing a policy's canonical page (the text is read again when needed).
CANONICAL_FIELDS = ("id", "url", "source_kind", "source_id", "title", "issuer", "doc_number", "publish_date",
                    "page_date", "first_seen", "original_url")


class ReplayMember:
    """A page's membership in the re-run: its policy, the page it matched and why."""

    __slots__ = ("policy_id", "matched_document_id", "merge_reason", "jaccard", "containment", "evidence",
                 "through_merge")

    def __init__(self, policy_id: str, matched_document_id: int | None, merge_reason: str | None,
                 jaccard: float | None, containment: float | None, evidence: list[str] | None) -> None:
        self.policy_id, self.matched_document_id, self.merge_reason = policy_id, matched_document_id, merge_reason
        self.jaccard, self.containment, self.evidence = jaccard, containment, evidence
        self.through_merge = False  # joined when its first policy was absorbed: the reason names the joining page


class ReplayPolicy:
    """A policy of the re-run: its canonical page and its pages in joining order (the other canonical fields
    only matter to what is stored, so they are not kept)."""

    __slots__ = ("id", "order", "canonical_document_id", "members", "merged_into")

    def __init__(self, policy_id: str, order: int) -> None:
        self.id, self.order, self.canonical_document_id, self.members, self.merged_into = \
            policy_id, order, None, [], None


class ReplayIndex:
    """A ``PolicyIndex`` over a stored one: its pages, fingerprints and candidate search (limited to the
    documents replayed so far), with policies and members kept in memory. Nothing is written through it."""

    def __init__(self, stored: PolicyIndex) -> None:
        self.stored = stored
        self.members: dict[int, ReplayMember] = {}  # the documents replayed so far
        self.policies: dict[str, ReplayPolicy] = {}
        self.pages: dict[int, tuple] = {}  # document id -> (CANONICAL_FIELDS values, shingle count)

    def replay(self, row: dict[str, Any], view: PageView, fp: Fingerprint, config: DedupConfig, at: str) -> str:
        """Assign one document as the crawl would have on storing it now; the policy it joins or starts."""
        self.pages[row["id"]] = (tuple(row[name] for name in CANONICAL_FIELDS), fp.shingle_count)
        policy_id, is_new, _ = join_or_create(self, view, fp, config, at)
        if is_new:
            single_page_canonical(self, policy_id, view.page, config)
        else:
            refresh_canonical(self, policy_id, config, at)
        return policy_id

    # -- the PolicyIndex interface --------------------------------------------------------

    def transaction(self) -> Any:
        return nullcontext()

    def trial(self) -> Any:
        return nullcontext()

    def page_row(self, url: str) -> dict[str, Any] | None:
        return self.stored.page_row(url)

    def page_rows(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        return self.stored.page_rows(ids)

    def pending_rows(self, limit: int) -> list[dict[str, Any]]:
        return []

    def ordered_document_ids(self) -> list[int]:
        return self.stored.ordered_document_ids()

    def document_url(self, document_id: int) -> str | None:
        return self.url(document_id) if document_id in self.pages else self.stored.document_url(document_id)

    def stored_fingerprint(self, document_id: int) -> dict[str, Any] | None:
        return self.stored.stored_fingerprint(document_id)

    def save_fingerprint(self, document_id: int, fp: Any, content_hash: str | None, old_bands: list[int]) -> None:
        raise NotImplementedError("the re-run writes no fingerprint: recluster stores them before replaying")

    def _visible(self, ids: Iterable[int], limit: int) -> list[int]:
        return [doc_id for doc_id in ids if doc_id in self.members][:limit]

    def band_candidates(self, bands: list[int], exclude_id: int, limit: int) -> list[tuple[int, bytes, int]]:
        found = self.stored.band_candidates(bands, exclude_id, limit * OVERFETCH)
        return [item for item in found if item[0] in self.members][:limit]

    def sentence_candidates(self, keys: list[int], exclude_id: int, min_shared: int, limit: int,
                            max_documents: int = 50) -> list[int]:
        return self._visible(self.stored.sentence_candidates(keys, exclude_id, min_shared, limit * OVERFETCH,
                                                             max_documents), limit)

    def key_candidates(self, fp: Any, exclude_id: int, min_shingles: int, limit: int) -> list[int]:
        return self._visible(self.stored.key_candidates(fp, exclude_id, min_shingles, limit * OVERFETCH), limit)

    def membership(self, document_id: int) -> dict[str, Any] | None:
        member = self.members.get(document_id)
        if member is None:
            return None
        return {"document_id": document_id, "url": self.url(document_id),
                **{name: getattr(member, name) for name in ReplayMember.__slots__}}

    def policies_of(self, ids: list[int]) -> dict[int, str]:
        return {doc_id: self.members[doc_id].policy_id for doc_id in ids if doc_id in self.members}

    def create_policy(self, candidate_ids: Iterable[str], first_url: str, at: str) -> str:
        for policy_id in candidate_ids:
            if policy_id not in self.policies:
                self.policies[policy_id] = ReplayPolicy(policy_id, len(self.policies))
                return policy_id
        raise RuntimeError(f"no free policy id for {first_url}")

    def add_member(self, document_id: int, url: str, policy_id: str, at: str, matched_document_id: int | None,
                   reason: str | None, jaccard: float | None, containment: float | None,
                   evidence: list[str] | None, also_matched: list[str] | None) -> None:
        self.members[document_id] = ReplayMember(policy_id, matched_document_id, reason, jaccard, containment,
                                                 evidence)
        self.policies[policy_id].members.append(document_id)

    def reassign_member(self, document_id: int, policy_id: str, at: str, matched_document_id: int | None,
                        reason: str | None, jaccard: float | None, containment: float | None,
                        evidence: list[str] | None) -> None:
        raise NotImplementedError("the re-run assigns each document once")

    def policy_row(self, policy_id: str) -> dict[str, Any] | None:
        policy = self.policies.get(policy_id)
        if policy is None:
            return None
        row = dict.fromkeys(("canonical_url", "title", "issuer", "doc_number", "publish_date", "page_count",
                             "canonical_changed_at"))
        return {**row, "id": policy.id, "canonical_document_id": policy.canonical_document_id,
                "merged_into": policy.merged_into}

    def member_rows(self, policy_id: str) -> list[tuple[dict[str, Any], int]]:
        return [(dict(zip(CANONICAL_FIELDS, self.pages[doc_id][0])), self.pages[doc_id][1])
                for doc_id in self.policies[policy_id].members]

    def write_canonical(self, policy_id: str, fields: dict[str, Any], canonical_id: int, canonical_url: str,
                        member_ids: list[int]) -> None:
        self.policies[policy_id].canonical_document_id = canonical_id

    def oldest_policy(self, policy_ids: list[str]) -> str:
        return min(policy_ids, key=lambda policy_id: self.policies[policy_id].order)

    def absorb_policy(self, survivor: str, absorbed: str, document_id: int, reason: str, at: str) -> None:
        moved = self.policies[absorbed].members
        for doc_id in moved:
            member = self.members[doc_id]
            if member.matched_document_id is None:
                member.matched_document_id, member.merge_reason, member.through_merge = document_id, reason, True
            member.policy_id = survivor
        self.policies[survivor].members.extend(moved)
        self.policies[absorbed].members = []
        self.policies[absorbed].merged_into = survivor

    def revisions(self, document_id: int) -> list[dict[str, Any]]:
        return []

    def insert_revision(self, revision: dict[str, Any]) -> None:
        raise NotImplementedError("the re-run keeps no revision")

    def latest_revision_marked(self, document_id: int, norm_hash: str) -> bool:
        return False

    def mark_policy_updated(self, policy_id: str, at: str, summary: str) -> None:
        raise NotImplementedError("the re-run marks no policy updated")

    # -- what the re-run found ---------------------------------------------------------------

    def url(self, document_id: int) -> str:
        """The URL of a replayed document."""
        return self.pages[document_id][0][1]

    def link(self, document_id: int) -> str | None:
        """Why a replayed document joined its policy, as one line naming the pages (None: it started it)."""
        member = self.members[document_id]
        if member.matched_document_id is None:
            return None
        if member.through_merge:  # "<page> matches both (<reason>)"
            return member.merge_reason
        return f"{self.url(document_id)} matches {self.url(member.matched_document_id)} ({member.merge_reason})"


# ---------------------------------------------------------------------------------------------
# the differences between the stored policies and the re-run's
# ---------------------------------------------------------------------------------------------

@dataclass
class Merge:
    """A stored policy absorbed by an older one (it stays as an alias of it)."""

    survivor: str
    absorbed: str
    reason: str
    through: int  # the page on the survivor's side that the absorbed policy's pages matched


@dataclass
class Split:
    """A page that leaves its stored policy, for another one or for a new policy of its own."""

    document_id: int
    url: str
    from_policy: str
    to_policy: str
    new_policy: bool
    reason: str


@dataclass
class Move:
    """How a page that changes policy is stored in its new one (the re-run's membership)."""

    document_id: int
    to_policy: str
    matched_document_id: int | None
    reason: str | None
    jaccard: float | None
    containment: float | None
    evidence: list[str] | None


@dataclass
class Change:
    """One connected set of differences: its pages, stored policies and re-run policies change together."""

    documents: dict[int, str]  # every page involved -> its stored policy when planned
    stored_policies: list[str]
    new_policies: dict[str, str]  # planned id -> the URL of the new policy's first page
    moves: list[Move]
    merges: list[Merge]
    splits: list[Split]
    refresh: list[str]  # policies whose canonical page and page count are chosen again


@dataclass
class ReclusterReport:
    """What a recluster found (and, unless it was a dry run, changed)."""

    documents: int = 0
    fingerprints: int = 0  # stored fingerprints recomputed: another recipe, text or keys
    assigned: int = 0      # documents that were in no policy, assigned before the re-run
    merges: list[Merge] = field(default_factory=list)
    splits: list[Split] = field(default_factory=list)
    skipped: int = 0       # sets of changes left alone: their pages moved while the re-run ran
    seconds: float = 0.0
    dry_run: bool = False

    @property
    def rate(self) -> float:
        """Documents re-run per second."""
        return self.documents / self.seconds if self.seconds else 0.0


def _components(live: dict[int, str], final: dict[int, str]) -> Iterator[tuple[set[str], set[str]]]:
    """Sets of stored and re-run policies linked by shared pages, where the two disagree."""
    by_live: dict[str, set[str]] = defaultdict(set)
    by_final: dict[str, set[str]] = defaultdict(set)
    for doc_id, policy_id in final.items():
        if doc_id in live:
            by_live[live[doc_id]].add(policy_id)
            by_final[policy_id].add(live[doc_id])
    done: set[str] = set()
    for start, finals in by_live.items():
        if start in done or (len(finals) == 1 and len(by_final[next(iter(finals))]) == 1):
            continue
        stored_ids, final_ids, queue = {start}, set(), [("live", start)]
        while queue:
            kind, node = queue.pop()
            for other in (by_live[node] if kind == "live" else by_final[node]):
                seen = final_ids if kind == "live" else stored_ids
                if other not in seen:
                    seen.add(other)
                    queue.append(("final" if kind == "live" else "live", other))
        done |= stored_ids
        yield stored_ids, final_ids


def _free_policy_id(index: PolicyIndex, url: str, taken: set[str]) -> str:
    """The id a new policy starting at `url` would take now (the first of its candidate ids that is free)."""
    for policy_id in (policy_id_for(url, n) for n in POLICY_ID_LENGTHS):
        if policy_id not in taken and index.policy_row(policy_id) is None:
            return policy_id
    raise RuntimeError(f"no free policy id for {url}")


class Planner:
    """Turns the re-run's policies into changes of the stored ones (reads only)."""

    def __init__(self, stored: PolicyIndex, replay: ReplayIndex, live: dict[int, str], order: dict[int, int],
                 config: DedupConfig) -> None:
        self.stored, self.replay, self.live, self.order, self.config = stored, replay, live, order, config
        self.final = {doc_id: member.policy_id for doc_id, member in replay.members.items()}
        self.taken: set[str] = set()

    def changes(self, scope: set[int] | None) -> Iterator[Change]:
        """Every set of connected differences (with `scope`, those involving one of these documents)."""
        members: dict[str, list[int]] = defaultdict(list)
        for doc_id in sorted(self.final, key=self.order.__getitem__):
            members[self.final[doc_id]].append(doc_id)
        for stored_ids, final_ids in _components(self.live, self.final):
            documents = {doc_id: self.live[doc_id] for final_id in final_ids for doc_id in members[final_id]
                         if doc_id in self.live}
            if scope is None or scope & documents.keys():
                yield self.change(documents, sorted(stored_ids),
                                  sorted(final_ids, key=lambda final_id: self.order[members[final_id][0]]), members)

    def _anchor(self, policy_id: str, documents: dict[int, str]) -> int:
        """The page a stored policy stays with: its canonical page, else its first page the re-run saw."""
        canonical = (self.stored.policy_row(policy_id) or {}).get("canonical_document_id")
        if documents.get(canonical) == policy_id:
            return canonical
        return min((doc_id for doc_id, owner in documents.items() if owner == policy_id), key=self.order.__getitem__)

    def change(self, documents: dict[int, str], stored_ids: list[str], final_ids: list[str],
               members: dict[str, list[int]]) -> Change:
        """The changes that make the stored policies of one connected set equal to the re-run's."""
        anchors = {policy_id: self._anchor(policy_id, documents) for policy_id in stored_ids}
        home = {policy_id: self.final[anchor] for policy_id, anchor in anchors.items()}
        change = Change(documents, stored_ids, {}, [], [], [], [])
        target: dict[str, str] = {}
        for final_id in final_ids:
            owners = [policy_id for policy_id in stored_ids if home[policy_id] == final_id]
            if owners:
                survivor = self.stored.oldest_policy(owners)
                target[final_id] = survivor
                change.refresh.append(survivor)
                for absorbed in sorted(set(owners) - {survivor}):
                    change.merges.append(self._merge(survivor, absorbed, members[final_id], documents))
            else:
                first = members[final_id][0]
                planned = _free_policy_id(self.stored, self.replay.url(first), self.taken)
                self.taken.add(planned)
                target[final_id] = planned
                change.new_policies[planned] = self.replay.url(first)
                change.refresh.append(planned)
        for doc_id in sorted(documents, key=self.order.__getitem__):
            owner, final_id = documents[doc_id], self.final[doc_id]
            if home[owner] == final_id:
                continue
            new = target[final_id] in change.new_policies
            change.moves.append(self._move(doc_id, target[final_id], members[final_id], new))
            change.splits.append(Split(doc_id, self.replay.url(doc_id), owner, target[final_id], new,
                                       self._split_reason(doc_id, anchors[owner])))
        return change

    def _merge(self, survivor: str, absorbed: str, pages: list[int], documents: dict[int, str]) -> Merge:
        """The absorption of `absorbed`, with the re-run's link between its pages and the others'."""
        own = {doc_id for doc_id in pages if documents.get(doc_id) == absorbed}
        for doc_id in pages:
            matched = self.replay.members[doc_id].matched_document_id
            if matched is not None and (doc_id in own) != (matched in own):
                through = matched if doc_id in own else doc_id
                return Merge(survivor, absorbed, self.replay.link(doc_id) or "", through)
        raise AssertionError(f"the re-run joined {absorbed} to {survivor} through no page")

    def _move(self, doc_id: int, to_policy: str, pages: list[int], new: bool) -> Move:
        """How a page is stored in its new policy: as the re-run joined it, or (the page the re-run started
        that policy with, moving into a stored policy) as the first page that matched it joined it."""
        member, matched = self.replay.members[doc_id], self.replay.members[doc_id].matched_document_id
        if matched is None and not new:
            matched = next(other for other in pages if self.replay.members[other].matched_document_id == doc_id)
            member = self.replay.members[matched]
        return Move(doc_id, to_policy, matched, member.merge_reason, member.jaccard, member.containment,
                    member.evidence)

    def _split_reason(self, doc_id: int, anchor: int) -> str:
        """Why a page leaves its policy: the verdict against the canonical page it leaves, else the re-run's link."""
        rows = self.stored.page_rows([doc_id, anchor])
        verdict = compare_pages(page_view(Page.from_record(rows[doc_id]), self.config),
                                page_view(Page.from_record(rows[anchor]), self.config), self.config)
        if not verdict.same:
            return verdict.refusal or "not the same policy"
        link = self.replay.link(doc_id)
        return f"goes with other pages now: {link}" if link else \
            "kept apart by the re-run in first-seen order (no verified match it can join)"


# ---------------------------------------------------------------------------------------------
# the command: fingerprints, re-run, plan, apply
# ---------------------------------------------------------------------------------------------

def _replay_all(stored: PolicyIndex, config: DedupConfig, batch: int, report: ReclusterReport,
                scope_source: str | None) -> tuple[ReplayIndex, dict[int, str], dict[int, int], set[int]]:
    """Store every current fingerprint (one transaction per batch) and re-run assignment in first-seen order."""
    ids = stored.ordered_document_ids()
    order = {doc_id: position for position, doc_id in enumerate(ids)}
    replay = ReplayIndex(stored)
    live: dict[int, str] = {}
    scope: set[int] = set()
    at = now_iso()
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        rows = stored.page_rows(chunk)
        prepared = []
        with stored.transaction():
            for doc_id in chunk:
                row = rows.get(doc_id)
                if row is None:
                    continue
                view = page_view(Page.from_record(row), config)
                fp = fingerprint(view, config)
                known = stored.stored_fingerprint(doc_id)
                if not fingerprint_is_current(known, fp):
                    stored.save_fingerprint(doc_id, fp, row.get("content_hash"),
                                            stored_bands(known) if known is not None else [])
                    report.fingerprints += 1
                prepared.append((row, view, fp))
                if scope_source is not None and row["source_id"] == scope_source:
                    scope.add(doc_id)
        for row, view, fp in prepared:
            replay.replay(row, view, fp, config, at)
        live.update(stored.policies_of(chunk))
        report.documents += len(prepared)
    return replay, live, order, scope


def apply_change(stored: PolicyIndex, change: Change, config: DedupConfig, at: str) -> bool:
    """Apply one set of connected changes if its pages are still where they were planned; False: left alone."""
    if stored.policies_of(list(change.documents)) != change.documents:
        return False
    if any((stored.policy_row(policy_id) or {}).get("merged_into", True) for policy_id in change.stored_policies):
        return False
    created = {planned: stored.create_policy([planned, *(policy_id_for(url, n) for n in POLICY_ID_LENGTHS)], url, at)
               for planned, url in change.new_policies.items()}
    for move in change.moves:
        stored.reassign_member(move.document_id, created.get(move.to_policy, move.to_policy), at,
                               move.matched_document_id, move.reason, move.jaccard, move.containment, move.evidence)
    for merge in change.merges:
        stored.absorb_policy(merge.survivor, merge.absorbed, merge.through, f"recluster: {merge.reason}", at)
    for policy_id in change.refresh:
        refresh_canonical(stored, created.get(policy_id, policy_id), config, at)
    for split in change.splits:
        split.to_policy = created.get(split.to_policy, split.to_policy)
    return True


def recluster(stored: PolicyIndex, config: DedupConfig | None = None, *, source_id: str | None = None,
              dry_run: bool = False, batch: int = 500) -> ReclusterReport:
    """Recompute every stored fingerprint, re-run assignment in first-seen order and make the stored policies
    what it makes (merges keep the older id, the other as its alias; a page that no longer belongs leaves).

    `source_id`: only the changes that involve one of this source's pages (the re-run still reads every
    document: a policy's pages come from many sources). `dry_run`: everything inside one transaction that is
    rolled back, so nothing is written; the report says what would change."""
    config = config or DedupConfig()
    started = time.monotonic()
    report = ReclusterReport(dry_run=dry_run)
    with stored.trial() if dry_run else nullcontext():
        report.assigned = assign_pending(stored, config, batch)
        replay, live, order, scope = _replay_all(stored, config, batch, report, source_id)
        planner = Planner(stored, replay, live, order, config)
        changes = list(planner.changes(scope if source_id is not None else None))
        at = now_iso()
        for start in range(0, len(changes), batch):
            with nullcontext() if dry_run else stored.transaction():
                for change in changes[start:start + batch]:
                    if dry_run or apply_change(stored, change, config, at):
                        report.merges += change.merges
                        report.splits += change.splits
                    else:
                        report.skipped += 1
    report.seconds = time.monotonic() - started
    for merge in report.merges:
        logger.info("dedup: recluster: policy %s merged into %s: %s", merge.absorbed, merge.survivor, merge.reason)
    for split in report.splits:
        logger.info("dedup: recluster: %s left %s for %s: %s", split.url, split.from_policy, split.to_policy,
                    split.reason)
    return report
