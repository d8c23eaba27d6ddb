"""`policywatch policies`: list policies (dedup clusters), show one with its pages, merge reasons, the look-alikes
it was not merged with and its revisions, and recluster the stored documents under the current dedup rules."""
from __future__ import annotations

import json
from typing import Any

import click

from crawler.cli.common import (config_option, db_path_option, fail, iso_day, open_existing, parse_pairs,
                                sources_or_fail, var_option)

REFUSALS_SHOWN = 5  # other policies `policies show` prints under "not merged with:" (--json: every candidate page)


def short(text: str | None, width: int) -> str:
    """`text` on one line (line breaks and control characters as spaces), cut to `width` characters with an
    ellipsis ('-' when unknown)."""
    from storage.search import one_line

    text = one_line(text)
    if not text:
        return "-"
    return text if len(text) <= width else text[: width - 1] + "…"


def counted(count: int, noun: str) -> str:
    """`count` and the noun, plural unless one ("1 merge", "0 splits")."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


@click.group()
def policies() -> None:
    """Policies: reposts of one policy across sites folded into one."""


def policy_filter(provinces: tuple[str, ...], topics: tuple[str, ...], expression: str | None) -> Any:
    """--province, --topic and --filter as one filter of the filter language (feeds/filters.py); bad names exit 2."""
    from feeds.filters import FilterError, PolicyFilter

    try:
        data = PolicyFilter.parse(expression).to_mapping() if expression else {}
        data["provinces"] = [*data.get("provinces", []), *provinces]
        data["topics"] = [*data.get("topics", []), *topics]
        return PolicyFilter.from_mapping(data)
    except FilterError as exc:
        fail(str(exc))


def dedup_config(config_path: str, variables: tuple[str, ...], required: bool) -> Any:
    """The dedup settings the crawl uses: crawler.settings' POLICYWATCH_DEDUP thresholds and each source's
    `dedup.url` rules from the sources file. A file that does not load exits 2 when `required`, else the rules
    are left out (the defaults)."""
    from crawler import settings
    from crawler.sources import SourceConfigError, load_sources
    from pipelines.dedup.config import dedup_config_from_mapping

    substitutions = parse_pairs(variables, "--var")
    if required:
        sources = sources_or_fail(config_path, substitutions)
    else:
        try:
            sources = load_sources(config_path, variables=substitutions)
        except SourceConfigError:
            sources = []
    try:
        return dedup_config_from_mapping(settings.POLICYWATCH_DEDUP, [{"id": s.id, "dedup": s.dedup} for s in sources])
    except ValueError as exc:
        fail(str(exc))


@policies.command("list")
@db_path_option
@click.option("--province", "provinces", multiple=True, metavar="NAME",
              help="Only this province (湖南, 湖南省; 全国 for national policies; repeatable).")
@click.option("--topic", "topics", multiple=True, metavar="SLUG", help="Only this topic, slug or label (repeatable).")
@click.option("--filter", "expression", default=None, metavar="EXPR",
              help="Only policies this filter wants, in the feeds' filter language: "
                   "'city=长沙 type=申报指南 keyword=认定 min_amount=50 incentives'.")
@click.option("--since", default=None, metavar="YYYY-MM-DD",
              help="Only policies dated on or after this day (undated: first seen from 00:00 Beijing time).")
@click.option("--relevant-only", is_flag=True, help="Only relevant policies (the ones feeds and digests show).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1), help="How many policies.")
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0), help="Skip this many first.")
@click.option("--json", "as_json", is_flag=True, help="Print the policies as JSON (a list).")
def policies_list(db_path: str, provinces: tuple[str, ...], topics: tuple[str, ...], expression: str | None,
                  since: str | None, relevant_only: bool, limit: int, offset: int, as_json: bool) -> None:
    """List policies, newest first, with their page counts.

    Newest first: by the policy's date, which is its canonical page's publish date, else that page's
    own date, else the day (Beijing time) policywatch first stored a page of it; on one date, the
    policy first seen later comes first. The date column shows the publish or page date ('-' when
    the policy has neither); --json gives `date` and `date_kind` (published, page, first_seen).

    Example: policywatch policies list --db var/policywatch.db --province 湖南 --relevant-only --limit 20
    """
    from storage.policies import list_policies

    wanted = policy_filter(provinces, topics, expression)
    since = iso_day(since, "--since")
    db = open_existing(db_path)
    rows, total = list_policies(db, relevant_only=relevant_only, since=since,
                                matches=None if wanted.is_empty() else wanted.matches, limit=limit, offset=offset)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    click.echo(f"{'policy':<16} {'pages':>5}  {'canonical':<10}  {'date':<10}  {'rev':>3}  title")
    for row in rows:
        click.echo(f"{row['id']:<16} {row['page_count'] or 0:>5}  {row['canonical_kind'] or '-':<10}  "
                   f"{row['publish_date'] or '-':<10}  {row['revision'] or 0:>3}  {short(row['title'], 60)}")
    click.echo(f"{len(rows)} of {total} policies" + (f" (from {offset + 1})" if offset else ""))


def revision_line(item: dict[str, Any]) -> str:
    """One line for a recorded version of a page."""
    from pipelines.dedup.revisions import describe_revision

    summary = item["summary"]
    what = "first version kept" if summary is None else describe_revision(summary)
    marks = " (policy updated)" if item["policy_updated"] else ""
    return f"  {item['recorded_at']}  v{item['version']}  {item['url']}\n      {what}{marks}"


@policies.command("show")
@click.argument("policy_id", metavar="ID")
@db_path_option
@config_option
@var_option
@click.option("--json", "as_json", is_flag=True, help="Print the policy as JSON.")
def policies_show(policy_id: str, db_path: str, config: str, variables: tuple[str, ...], as_json: bool) -> None:
    """Show a policy: its canonical page, every page carrying it and why it was merged, the look-alikes it was
    not merged with and why, its revisions.

    The look-alikes are judged again now, as assignment judges a page: the candidates of the canonical page
    (same text, link, doc number or title, shared sentences, MinHash bands) that are in other policies, each
    with the reason it is another policy. Text output shows, under "not merged with:", the first 5 such
    policies, each with its canonical page if that is a candidate, else its first candidate page; --json
    lists every candidate page as `refused` ({policy_id, url, reason}). The sources file (--config) gives
    the per-source URL rules dedup reads; when it does not load, the defaults are used.

    Example: policywatch policies show p-43c98d1be9aa --db var/policywatch.db
    """
    from feeds.deadlines import call_status, deadline_states, today_in_beijing
    from pipelines.dedup.refusals import refusals_by_policy
    from pipelines.store import refused_candidates
    from storage.policies import policy_detail
    from storage.published import policy_entries

    db = open_existing(db_path)
    detail = policy_detail(db, policy_id)
    if detail is None:
        fail(f"no policy {policy_id} in {db_path}")
    alias = None
    if detail["merged_into"]:
        alias, detail = detail, policy_detail(db, detail["merged_into"])
    found = policy_entries(db, relevant_only=False, policy_ids=[detail["id"]], with_pages=False)
    deadlines = list(found[0].deadlines) if found else []
    today = today_in_beijing()
    states = deadline_states(deadlines, today)
    refused = refused_candidates(db, detail["id"], dedup_config(config, variables, required=False))
    if as_json:
        click.echo(json.dumps({**detail, "alias_of": alias["id"] if alias else None, "deadlines": deadlines,
                               "deadline_states": [state.to_dict() for state in states],
                               "call": call_status(deadlines, today),
                               "refused": [item.to_dict() for item in refused]}, ensure_ascii=False, indent=2))
        return
    if alias:
        click.echo(f"policy {alias['id']} was merged into {detail['id']} on {alias['merged_at']}\n")
    updated = f", updated {detail['updated_at']}" if detail["updated_at"] else ""
    click.echo(f"policy {detail['id']}  ({detail['page_count']} pages; revision {detail['revision'] or 0}{updated})")
    for label, key in (("title", "title"), ("issuer", "issuer"), ("doc_number", "doc_number"),
                       ("date", "publish_date"), ("canonical", "canonical_url"), ("first seen", "created_at")):
        click.echo(f"  {label + ':':<12}{detail[key] or '-'}")
    click.echo(f"  {'deadlines:':<12}{'、'.join(state.text for state in states) or '-'}")
    if detail["update_summary"]:
        click.echo(f"  {'last change:':<12}{detail['update_summary']}")
    click.echo("\npages (* canonical):")
    for page in detail["pages"]:
        mark = "*" if page["is_canonical"] else " "
        click.echo(f"  {mark} {page['source_kind'] or '-':<10}  {page['source_id'] or '-':<16}  "
                   f"{page['page_date'] or '-':<10}  {page['url']}")
        if page["merge_reason"]:
            matched = f" [matched {page['matched_url']}]" if page["matched_url"] else ""
            click.echo(f"      merged: {page['merge_reason']}{matched}")
        else:
            click.echo("      first page of this policy")
    others = refusals_by_policy(refused)
    click.echo("\nnot merged with:" if others else "\nnot merged with: none")
    for item in others[:REFUSALS_SHOWN]:
        click.echo(f"  {item.policy_id:<16} {item.url}\n      {item.reason}")
    if len(others) > REFUSALS_SHOWN:
        click.echo(f"  … and {len(others) - REFUSALS_SHOWN} more policies (--json lists every page)")
    click.echo("\nrevisions:" if detail["revisions"] else "\nrevisions: none")
    for item in detail["revisions"]:
        click.echo(revision_line(item))


@policies.command("recluster")
@db_path_option
@config_option
@var_option
@click.option("--source", "source", default=None, metavar="ID",
              help="Only the changes that involve this source's documents.")
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
def policies_recluster(db_path: str, config: str, variables: tuple[str, ...], source: str | None,
                       dry_run: bool) -> None:
    """Fold the stored documents into policies again under the current dedup rules, keeping policy ids.

    After a change of the dedup rules or of the fingerprint recipe (pipelines/dedup/config.py SCHEME), a
    database keeps the policies the old rules made. This recomputes every stored fingerprint, re-runs
    assignment over the documents in first-seen order, and applies the differences, one transaction per
    batch: policies whose pages now form one policy are merged into the oldest of them (the others stay as
    its aliases, so their links, feeds and subscriptions still resolve: `policies show` of an alias shows the
    policy it was merged into); a page that no longer goes with its policy's canonical page leaves it for
    the policy of the pages it goes with now, or a new policy of its own. Each line gives the reason. A
    second run changes nothing. The sources file (--config) gives the per-source URL rules the crawl reads.

    --source ID applies only the changes that involve one of that source's documents (the re-run still reads
    every document: a policy's pages come from many sources). --dry-run prints the same lines and writes
    nothing (after a recipe change it recomputes the fingerprints in a transaction it rolls back, so it holds
    the write lock while it runs).

    Example: policywatch policies recluster --db var/policywatch.db --dry-run
    """
    from pipelines.store import recluster_policies
    from storage.sources import source_known

    settings = dedup_config(config, variables, required=True)
    db = open_existing(db_path, write=not dry_run)
    if source and not source_known(db, source):
        fail(f"unknown source {source!r}: none in the sources or the documents of {db_path}")
    report = recluster_policies(db, settings, source_id=source, dry_run=dry_run)
    would = "would be " if dry_run else ""
    click.echo(f"re-ran assignment over {report.documents} documents in {report.seconds:.1f} s "
               f"({report.rate:.0f} documents/s); {report.fingerprints} fingerprints {would}recomputed"
               + (f", {report.assigned} documents in no policy {would}assigned" if report.assigned else ""))
    for merge in report.merges:
        click.echo(f"{'would merge' if dry_run else 'merged'} {merge.absorbed} into {merge.survivor}: {merge.reason}")
    for split in report.splits:
        where = f"new policy {split.to_policy}" if split.new_policy else split.to_policy
        click.echo(f"{'would split' if dry_run else 'split'} {split.url} from {split.from_policy} into {where}: "
                   f"{split.reason}")
    counts = f"{counted(len(report.merges), 'merge')}, {counted(len(report.splits), 'split')}"
    if report.skipped:
        counts += f"; {counted(report.skipped, 'set')} of changes skipped: their pages moved meanwhile (run again)"
    click.echo(f"{counts} (dry run: nothing written)" if dry_run else counts)
