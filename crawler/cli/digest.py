"""`policywatch subscribe / unsubscribe / subscriptions / digest`: email digest subscriptions and sending."""
from __future__ import annotations

import json
import logging
import os
import sqlite3
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from crawler.cli.common import db_path_option, display_width, fail, open_database, pad


# `policywatch subscriptions`: the columns, and the narrowest each is (wider when a cell needs it; the filter is last).
SUBSCRIPTION_COLUMNS = ("email", "state", "schedule", "last period", "filter")
SUBSCRIPTION_WIDTHS = (32, 12, 18, 10)


def scratch_copy(db: Any, directory: str) -> Any:
    """A copy of the database in `directory` (SQLite backup API), for a dry run that must not write the real one."""
    from sqlite_utils import Database

    target = sqlite3.connect(str(Path(directory) / "dry-run.db"))
    db.conn.backup(target)
    return Database(target)


def schedule_text(sub: dict[str, Any]) -> str:
    """daily 08:00 / weekly mon 08:00."""
    return f"{sub['frequency']} {sub['weekday'] + ' ' if sub['weekday'] else ''}{sub['at_time']}"


def describe(sub: dict[str, Any]) -> str:
    """A subscription's filter in words (its stored JSON if it no longer parses)."""
    from feeds.filters import FilterError, PolicyFilter

    try:
        return PolicyFilter.from_mapping(sub["filter"]).describe()
    except FilterError:
        return json.dumps(sub["filter"], ensure_ascii=False)


@click.command()
@click.argument("email")
@click.option("--name", default=None, help="The recipient's name (shown in the greeting and the To header).")
@click.option("--province", "provinces", multiple=True, help="Province (湖南, 湖南省, 全国 for national); repeatable.")
@click.option("--city", "cities", multiple=True, help="City (长沙, 湛江市); repeatable.")
@click.option("--topic", "topics", multiple=True, help="Topic slug or label (hitech-enterprise); repeatable.")
@click.option("--type", "doc_types", multiple=True, help="Document type (申报指南, 若干措施…); repeatable.")
@click.option("--keyword", "keywords", multiple=True, help="Title/issuer/text must contain one; repeatable.")
@click.option("--exclude", "exclude", multiple=True, help="Title/issuer/text must contain none; repeatable.")
@click.option("--min-amount", default=None, metavar="N", help="Largest offer at least N 万元.")
@click.option("--all-policies", is_flag=True,
              help="Also policies without money on offer (default: only policies with incentives).")
@click.option("--open", "open_only", is_flag=True,
              help="Only calls still open: a deadline on or after the digest's day (no deadline: left out).")
@click.option("--daily", is_flag=True, help="One digest a day.")
@click.option("--weekly", is_flag=True, help="One digest a week.")
@click.option("--at", "at", default="08:00", show_default=True, metavar="HH:MM", help="Send time, Asia/Shanghai.")
@click.option("--weekday", default=None, metavar="DAY", help="Weekly: mon … sun (default mon).")
@click.option("--backfill", default=0, show_default=True, type=click.IntRange(0),
              metavar="DAYS", help="Also policies first seen up to DAYS before subscribing.")
@db_path_option
def subscribe(email: str, name: str | None, provinces: tuple[str, ...], cities: tuple[str, ...],
              topics: tuple[str, ...], doc_types: tuple[str, ...], keywords: tuple[str, ...],
              exclude: tuple[str, ...], min_amount: str | None, all_policies: bool, open_only: bool, daily: bool,
              weekly: bool, at: str, weekday: str | None, backfill: int, db_path: str) -> None:
    """Subscribe an address to a daily or weekly digest of new policies (re-subscribing updates it).

    Example: policywatch subscribe li@example.org --province 湖南 --topic hitech-enterprise --daily --at 08:30
    """
    from feeds.filters import FilterError, PolicyFilter
    from storage.subscriptions import SubscriptionError, save_subscription

    if daily and weekly:
        fail("--daily and --weekly exclude each other")
    if not daily and not weekly:
        fail("choose --daily or --weekly")
    frequency = "daily" if daily else "weekly"
    try:
        wanted = PolicyFilter.build(provinces=provinces, cities=cities, topics=topics, doc_types=doc_types,
                                    keywords=keywords, exclude=exclude, min_amount=min_amount,
                                    incentives_only=not all_policies, open_only=open_only)
        sub = save_subscription(open_database(db_path, write=True), email=email, name=name,
                                filter_data=wanted.to_mapping(), frequency=frequency, at=at, weekday=weekday,
                                backfill_days=backfill)
    except (FilterError, SubscriptionError) as exc:
        fail(str(exc))
    verb = "subscribed" if sub["created"] else "updated"
    click.echo(f"{verb} {sub['email']}: {schedule_text(sub)} (Asia/Shanghai) · {wanted.describe()}")
    click.echo(f"unsubscribe token: {sub['token']}")


@click.command()
@click.argument("email_or_token", metavar="EMAIL|TOKEN")
@db_path_option
def unsubscribe(email_or_token: str, db_path: str) -> None:
    """Stop a subscription, named by its address or by the token from its emails.

    Example: policywatch unsubscribe li@example.org
    A token that begins with "-" goes after "--": policywatch unsubscribe -- -Xy…
    """
    from storage.subscriptions import SubscriptionError, unsubscribe as stop

    try:
        sub = stop(open_database(db_path, write=True), email_or_token)
    except SubscriptionError as exc:
        fail(str(exc))
    if sub is None:
        fail("no subscription with that address or token")
    click.echo(f"unsubscribed {sub['email']}")


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the subscriptions as JSON.")
@db_path_option
@click.pass_context
def subscriptions(ctx: click.Context, as_json: bool, db_path: str) -> None:
    """List digest subscriptions (or `subscriptions sync --file F` to load them from YAML).

    Columns: address, state (active, unsubscribed, disabled), schedule (Asia/Shanghai), the last period
    sent or closed, and the filter in words; a last line counts the active ones.

    Example: policywatch subscriptions --json
    """
    if ctx.invoked_subcommand is not None:
        return
    from storage.subscriptions import list_subscriptions

    rows = list_subscriptions(open_database(db_path))
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = [SUBSCRIPTION_COLUMNS] + [
        (sub["email"], "active" if sub["active"] else ("disabled" if sub["disabled_at"] else "unsubscribed"),
         schedule_text(sub), sub["last_period"] or "-", describe(sub)) for sub in rows]
    widths = [max([minimum] + [display_width(line[column]) for line in table])
              for column, minimum in enumerate(SUBSCRIPTION_WIDTHS)]
    for line in table:
        click.echo(" ".join(pad(cell, width) for cell, width in zip(line, widths)) + f"  {line[-1]}")
    click.echo(f"{sum(1 for s in rows if s['active'])} active of {len(rows)} subscriptions")


@subscriptions.command("sync")
@click.option("--file", "path", required=True, type=click.Path(dir_okay=False),
              help="Subscriptions file (see config/subscriptions.example.yaml).")
@db_path_option
def subscriptions_sync(path: str, db_path: str) -> None:
    """Make the database's config subscriptions match a YAML file (entries missing from it are unsubscribed).

    Example: policywatch subscriptions sync --file config/subscriptions.yaml
    """
    from feeds.digest import load_digest_config, sync_subscriptions

    try:
        config = load_digest_config(path)
        added, updated, removed = sync_subscriptions(open_database(db_path, write=True), config)
    except ValueError as exc:
        fail(str(exc))
    click.echo(f"{path}: {added} added, {updated} updated, {removed} unsubscribed")


def parse_now(value: str | None) -> datetime | None:
    """--now as an aware datetime (naive values are Asia/Shanghai time)."""
    from feeds.digest import LOCAL_TZ

    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--now: expected an ISO date-time such as 2026-03-05T08:00, got {value!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)


def size_limits(max_items: int | None, max_listed: int | None, config: dict[str, Any]) -> tuple[int, int]:
    """(max_items, max_listed) from the options, else the config file, else the defaults; listed >= items."""
    from feeds.digest import DEFAULT_MAX_ITEMS, DEFAULT_MAX_LISTED

    items = max_items if max_items is not None else config.get("max_items", DEFAULT_MAX_ITEMS)
    listed = max_listed if max_listed is not None else config.get("max_listed")
    if listed is None:
        return items, max(items, DEFAULT_MAX_LISTED)
    if listed < items:
        fail(f"--max-listed ({listed}) must be at least --max-items ({items})")
    return items, listed


@click.command()
@db_path_option
@click.option("--config", "config_path", default=None, type=click.Path(dir_okay=False),
              help="Subscriptions file: synced first, and its smtp: and base_url: used as defaults.")
@click.option("--dry-run", is_flag=True, help="Write .eml files instead of sending; record nothing.")
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False), help="Directory for --dry-run.")
@click.option("--only", default=None, metavar="EMAIL", help="Only this subscription, now, whatever its schedule.")
@click.option("--all", "force_all", is_flag=True, help="Every active subscription now, whatever its schedule.")
@click.option("--now", "now_text", default=None, metavar="ISO",
              help="Act as if it were this time (Asia/Shanghai unless an offset is given).")
@click.option("--base-url", default=None, envvar="POLICYWATCH_BASE_URL", metavar="URL",
              help="https site whose /unsubscribe?token=… handles one-click unsubscribes.")
@click.option("--max-failures", default=3, show_default=True, type=click.IntRange(1),
              help="Permanent refusals in a row before a subscription is disabled.")
@click.option("--max-items", default=None, type=click.IntRange(0), metavar="N",
              help="Policies shown in full per digest, richest first [default: config max_items, else 30].")
@click.option("--max-listed", default=None, type=click.IntRange(1), metavar="N",
              help="Policies listed per digest, the ones after --max-items one line each; more wait for the "
                   "next digest [default: config max_listed, else 200 or --max-items if larger].")
@click.option("--release", "release", multiple=True, metavar="MESSAGE-ID",
              help="Send this unconfirmed digest again, first, with its Message-ID and Date (after finding it "
                   "missing from the mail server's log; repeatable).")
def digest(db_path: str, config_path: str | None, dry_run: bool, out_dir: str | None, only: str | None,
           force_all: bool, now_text: str | None, base_url: str | None, max_failures: int, max_items: int | None,
           max_listed: int | None, release: tuple[str, ...]) -> None:
    """Send each due subscription the new policies its filter wants (nothing when nothing is new).

    SMTP comes from POLICYWATCH_SMTP_HOST, _PORT, _SECURITY (starttls|ssl|none), _USER, _PASSWORD, _FROM.
    Batches a killed run left before DATA are sent first, with their original Message-ID; one whose DATA
    reply never came (a timeout, a killed run) is logged as unconfirmed (policywatch status lists it) and
    held: it goes out again only with --release, once the mail log shows the server lost it. A run stops at
    the first server failure (exit 1); the subscribers after it are sent next run. A digest shows the
    richest --max-items policies in full and the next ones, up to --max-listed, one line each; the subject
    counts them all, and policies beyond --max-listed stay pending for the next digest. Only one digest run
    at a time per database: a second one exits 2 at once (lock file <db>.digest.lock). --dry-run --config
    syncs the file into a scratch copy of the database, so nothing is recorded.

    Example: policywatch digest --dry-run --out var/digests --all
    """
    from feeds.digest import load_digest_config, sync_subscriptions
    from feeds.mailer import SmtpSettings

    if dry_run != bool(out_dir):
        fail("--dry-run and --out DIR go together")
    if only and force_all:
        fail("--only and --all exclude each other")
    if release and dry_run:
        fail("--release sends a digest: it cannot go with --dry-run")
    db = open_database(db_path, write=not dry_run)
    config: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="policywatch-dry-") as scratch:
        try:
            if config_path:
                config = load_digest_config(config_path)
                if dry_run:
                    db = scratch_copy(db, scratch)
                sync_subscriptions(db, config)
            settings = SmtpSettings.from_env(os.environ, config.get("smtp"))
        except ValueError as exc:
            fail(str(exc))
        _run_digest(db, settings, config, base_url=base_url, only=only, force_all=force_all, now_text=now_text,
                    out_dir=out_dir, max_failures=max_failures, max_items=max_items, max_listed=max_listed,
                    release=release)


def _run_digest(db: Any, settings: Any, config: dict[str, Any], *, base_url: str | None, only: str | None,
                force_all: bool, now_text: str | None, out_dir: str | None, max_failures: int,
                max_items: int | None, max_listed: int | None, release: tuple[str, ...] = ()) -> None:
    """Run one digest with the command's options; prints the summary, exits 1 when the server failed or a
    due digest stayed unsent."""
    from feeds.digest import DigestBusy, DigestOptions, run_digest
    from pipelines.sanitize import safe_href
    from storage.subscriptions import SubscriptionError

    base_url = base_url or config.get("base_url")
    if base_url and safe_href(base_url, None) is None:
        fail(f"--base-url: expected an http(s) URL, got {base_url!r}")
    items, listed = size_limits(max_items, max_listed, config)
    options = DigestOptions(now=parse_now(now_text), only=only, force_all=force_all,
                            out_dir=Path(out_dir) if out_dir else None, base_url=base_url,
                            max_failures=max_failures, max_items=items, max_listed=listed, release=release)
    # Each send outcome is printed once, as a progress line. The run also logs it, for processes that set up
    # logging (a log file, the scheduler's JSON); with none set up, Python would print it to stderr again.
    digest_log = logging.getLogger("feeds.digest")
    if not digest_log.handlers:
        digest_log.addHandler(logging.NullHandler())
    try:
        report = run_digest(db, settings, options, progress=lambda line: click.echo(line, err=True))
    except (SubscriptionError, DigestBusy) as exc:
        fail(str(exc))
    click.echo(report.summary())
    if report.aborted:
        click.echo(f"policywatch: digest stopped: {report.aborted}", err=True)
        sys.exit(1)
    if report.failed:
        click.echo(f"policywatch: {report.failed} digest(s) not sent this run (the next run retries them)", err=True)
        sys.exit(1)
