"""`policywatch policies`: list policies (dedup clusters) and show one with its pages, merge reasons and revisions."""
from __future__ import annotations

import json
from typing import Any

import click

from crawler.cli.common import db_path_option, fail, iso_day, open_existing


def short(text: str | None, width: int) -> str:
    """`text` on one line (line breaks and control characters as spaces), cut to `width` characters with an
    ellipsis ('-' when unknown)."""
    from storage.search import one_line

    text = one_line(text)
    if not text:
        return "-"
    return text if len(text) <= width else text[: width - 1] + "…"


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
@click.option("--json", "as_json", is_flag=True, help="Print the policy as JSON.")
def policies_show(policy_id: str, db_path: str, as_json: bool) -> None:
    """Show a policy: its canonical page, every page carrying it and why it was merged, its revisions.

    Example: policywatch policies show p-43c98d1be9aa --db var/policywatch.db
    """
    from feeds.deadlines import call_status, deadline_states, today_in_beijing
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
    if as_json:
        click.echo(json.dumps({**detail, "alias_of": alias["id"] if alias else None, "deadlines": deadlines,
                               "deadline_states": [state.to_dict() for state in states],
                               "call": call_status(deadlines, today)}, ensure_ascii=False, indent=2))
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
    click.echo("\nrevisions:" if detail["revisions"] else "\nrevisions: none")
    for item in detail["revisions"]:
        click.echo(revision_line(item))
