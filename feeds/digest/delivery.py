"""Digest delivery: a run sends each due subscription its new policies, ordered so that no policy is ever sent
twice, whatever moment the run is killed at:

1. the batch (Message-ID, Date, policy ids) is committed as `pending` (intent);
2. MAIL FROM and RCPT TO; once the server accepted the recipient, the batch is committed as `sending`;
3. DATA; on the server's 250 the batch is marked `sent` and each policy logged in `deliveries`.

A failure before 3 started, or a 4xx/5xx answer to DATA, is definite: the policies are pending again
(4xx, lost connection) or the address is refused (5xx). A batch still `pending` when a run starts never
reached DATA and is sent again with the same Message-ID and Date. A batch still `sending`, or one whose
DATA reply never came (timeout, hang-up after the final dot), may or may not be held by the server: it
is not sent again unless an operator releases it (`DigestOptions.release`, after finding it missing from
the mail log); its policies are logged as delivered with `unconfirmed` = 1 and
`storage.subscriptions.delivery_problems` lists it (Message-ID, address, time). The price: a message the
server lost in that window of one reply waits for the operator.

The run stops at the first failure of the server itself: connection, login, sender, a 421 (the server is
closing the channel) or a DATA reply that never came. So a slow or failing server costs at most one
unconfirmed batch per run; every subscription after it is not tried and stays due for the next run.

Runs on one database never overlap: `run_digest` holds an exclusive lock on `<db>.digest.lock`.

A run has one day, the Beijing date of its clock (`DigestOptions.now`): deadlines are shown as they stand on it,
filters with `open` are judged on it, and closed calls are listed apart from the new policies
(feeds/digest/closed.py).
"""
from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from sqlite_utils import Database

from feeds.deadlines import judged_on, run_day
from feeds.digest.closed import Digest, plan_with_closed, split_with_closed
from feeds.digest.message import Renderer, build_message, message_bytes
from feeds.digest.schedule import due_period
from feeds.digest.select import DigestPlan, FilterMatches, new_policies, unclaimed_since
from feeds.mailer import Mailer, SendError, SmtpSettings
from storage import subscriptions as subs
from storage.files import try_exclusive_lock
from storage.published import PolicyEntry, policy_entries

# named as before feeds.digest became a package, so log lines (and filters on them) keep their logger name
logger = logging.getLogger("feeds.digest")

SERVER_STAGES = ("settings", "connect", "auth", "sender")
DEFAULT_MAX_ITEMS = 30
DEFAULT_MAX_LISTED = 200


@dataclass
class DigestOptions:
    """What a digest run does.

    now: the clock (tests and catch-up runs pass it); only: this address, forced now;
    force_all: every active subscription now, schedule ignored; out_dir: dry run, write .eml files and
    record nothing; base_url: the published site (its index page and /unsubscribe); max_failures: permanent
    refusals in a row before a subscription is disabled; max_items: policies shown in full per digest;
    max_listed: policies listed per digest (the rest, one line each; at least max_items); more wait;
    release: Message-IDs of unconfirmed batches to send again in this run, with their Message-ID and Date
    (the operator found them missing from the mail server's log).
    """

    now: datetime | None = None
    only: str | None = None
    force_all: bool = False
    out_dir: Path | None = None
    base_url: str | None = None
    max_failures: int = subs.DEFAULT_MAX_FAILURES
    max_items: int = DEFAULT_MAX_ITEMS
    max_listed: int = DEFAULT_MAX_LISTED
    release: Sequence[str] = ()

    def __post_init__(self) -> None:
        if self.max_items < 0 or self.max_listed < 1:
            raise ValueError(f"max_items must be 0 or more and max_listed 1 or more, got {self.max_items} "
                             f"and {self.max_listed}")
        if self.release and self.out_dir:
            raise ValueError("release: a dry run records nothing, so it cannot release an unconfirmed digest")


@dataclass
class DigestReport:
    """What a digest run did."""

    due: int = 0
    sent: int = 0
    resent: int = 0
    released: int = 0
    unconfirmed: list[str] = field(default_factory=list)
    empty: int = 0
    failed: int = 0
    refused: int = 0
    disabled: list[str] = field(default_factory=list)
    policies: int = 0
    waiting: int = 0
    written: list[Path] = field(default_factory=list)
    not_tried: int = 0
    aborted: str | None = None

    def summary(self) -> str:
        """One line for people."""
        what = "written" if self.written else "sent"
        count = len(self.written) if self.written else self.sent
        parts = [f"{self.due} due", f"{count} {what} ({self.policies} policies)", f"{self.empty} with nothing new"]
        if self.waiting:
            parts.append(f"{self.waiting} policies over the size limit left for the next digest")
        if self.resent:
            parts.append(f"{self.resent} unfinished re-sent")
        if self.released:
            parts.append(f"{self.released} released and re-sent")
        if self.unconfirmed:
            parts.append(f"{len(self.unconfirmed)} unconfirmed, not re-sent (see policywatch status): "
                         f"{', '.join(self.unconfirmed)}")
        if self.failed:
            parts.append(f"{self.failed} failed (will retry)")
        if self.refused:
            parts.append(f"{self.refused} refused")
        if self.disabled:
            parts.append(f"disabled: {', '.join(self.disabled)}")
        if self.aborted:
            parts.append(f"stopped at the first server failure, {self.not_tried} not tried (left for the next run)")
        return "digest: " + ", ".join(parts)


Progress = Callable[[str], None]


def due_subscriptions(db: Database, now: datetime, options: DigestOptions) -> list[tuple[dict[str, Any], str]]:
    """(subscription, period) for every subscription to send to now."""
    if options.only:
        sub = subs.subscription_by_email(db, options.only)
        if sub is None or not sub["active"]:
            raise subs.SubscriptionError(f"only: no active subscription for {options.only}")
        return [(sub, due_period(sub, now, force=True) or "")]
    due = []
    for sub in subs.list_subscriptions(db, active_only=True):
        period = due_period(sub, now, force=options.force_all)
        if period:
            due.append((sub, period))
    return due


class _Run:
    """One digest run over an open database and (unless dry) one SMTP connection."""

    def __init__(self, db: Database, settings: SmtpSettings, options: DigestOptions, progress: Progress) -> None:
        self.db, self.settings, self.options, self.progress = db, settings, options, progress
        self.now = options.now or datetime.now(timezone.utc)
        self.today = run_day(self.now)
        self.report = DigestReport()
        self.mailer = Mailer(settings)
        self.renderer = Renderer(self.today)
        self.released: set[str] = set()

    def message_for(self, sub: dict[str, Any], plan: Digest, message_id: str, date: str) -> EmailMessage:
        return build_message(sub, plan, self.renderer, from_addr=self.settings.from_addr, message_id=message_id,
                             date=date, base_url=self.options.base_url)

    def new_message_id(self, sub: dict[str, Any]) -> str:
        domain = self.settings.from_addr.rpartition("@")[2] or "localhost"
        return make_msgid(idstring=f"digest.{sub['id']}", domain=domain.encode("idna").decode("ascii"))

    def deliver(self, message: EmailMessage, message_id: str, sub: dict[str, Any], plan: DigestPlan) -> bool:
        """Send one recorded batch and log the outcome; False to stop the run (the server itself is unusable, or
        its reply to DATA went missing)."""

        def data_starts() -> None:
            if not subs.mark_sending(self.db, message_id):
                raise _Abandoned(message_id)

        try:
            self.mailer.send(message, before_data=data_starts)
        except _Abandoned:
            self.progress(f"skipped {sub['email']}: unsubscribed while sending")
            return True
        except SendError as exc:
            if exc.uncertain:
                # a server that let one reply go missing (too slow, or it hung up) would do it to every
                # following message too, each then unconfirmed: stop, the rest goes out on the next run
                self.unconfirmed(message_id, sub, str(exc))
                self.report.aborted = str(exc)
                return False
            return self.failed(exc, message_id, sub)
        subs.mark_sent(self.db, message_id)
        self.report.sent += 1
        self.report.policies += len(plan.listed)
        self.report.waiting += len(plan.waiting)
        self.progress(f"sent {len(plan.listed)} policies to {sub['email']}{_waiting_note(plan)}")
        return True

    def unconfirmed(self, message_id: str, sub: dict[str, Any] | None, reason: str) -> None:
        """A batch whose DATA started but whose acceptance was never seen: logged, listed, not re-sent unless
        released."""
        subs.mark_unconfirmed(self.db, message_id, reason)
        email = sub["email"] if sub else "?"
        self.report.unconfirmed.append(email)
        logger.warning("digest: %s: %s unconfirmed, not re-sent: %s", email, message_id, reason)
        self.progress(f"unconfirmed {email} {message_id} (not re-sent; check the mail log): {reason}")

    def failed(self, exc: SendError, message_id: str, sub: dict[str, Any]) -> bool:
        # 421 at any step: the server is closing the channel (shutting down, or "too many messages"): a
        # reconnect for the next subscriber would only hammer it
        server_problem = exc.stage in SERVER_STAGES or exc.code == 421
        permanent = not exc.temporary and not server_problem
        disabled = subs.mark_failed(self.db, message_id, str(exc), exc.code, permanent, self.options.max_failures)
        logger.warning("digest: %s: %s", sub["email"], exc)
        if permanent:
            self.report.refused += 1
            self.progress(f"refused {sub['email']}: {exc}")
        else:
            self.report.failed += 1
            self.progress(f"failed {sub['email']} (kept for the next run): {exc}")
        if disabled:
            self.report.disabled.append(sub["email"])
        if server_problem:
            self.report.aborted = str(exc)
        return not server_problem

    def release(self, message_ids: Sequence[str]) -> None:
        """Make unconfirmed batches pending again, so that `settle_unfinished` sends them in this run."""
        for message_id in message_ids:
            batch = subs.release_unconfirmed(self.db, message_id)
            self.released.add(batch["message_id"])
            sub = subs.subscription(self.db, batch["subscription_id"])
            email = sub["email"] if sub else "?"
            logger.info("digest: %s: %s released by the operator, sent again", email, batch["message_id"])
            self.progress(f"released {email} {batch['message_id']}: sent again with its Message-ID and Date")

    def settle_unfinished(self) -> bool:
        """Close what a killed run left: `sending` batches become unconfirmed (not re-sent unless released);
        `pending` ones (DATA never started, or released) are sent with their Message-ID and Date. False to stop
        the run."""
        for batch in subs.sending_batches(self.db):
            self.unconfirmed(batch["message_id"], subs.subscription(self.db, batch["subscription_id"]),
                             "the digest process died after DATA started")
        batches = subs.pending_batches(self.db)
        for number, batch in enumerate(batches):
            sub = subs.subscription(self.db, batch["subscription_id"])
            listed = self.batch_policies(batch)
            entries = policy_entries(self.db, relevant_only=False, policy_ids=listed, with_pages=False)
            if sub is None or not sub["active"] or not entries:
                with self.db.conn:
                    subs.abandon_pending(self.db, batch["subscription_id"], "nothing left to send")
                continue
            shown = [e.policy_id for e in entries]
            if set(shown) != set(batch["policy_ids"]):  # log what the message lists, not what was planned
                subs.set_batch_policies(self.db, batch["message_id"], shown)
            # nothing is announced as waiting: whatever waits may go out in this very run
            plan = split_with_closed(entries, self.today, self.options.max_items)
            message = self.message_for(sub, plan, batch["message_id"], batch["date"])
            if batch["message_id"] in self.released:
                self.report.released += 1
            else:
                self.report.resent += 1
            if not self.deliver(message, batch["message_id"], sub, plan):
                self.report.not_tried += len(batches) - number - 1
                return False
        return True

    def batch_policies(self, batch: dict[str, Any]) -> list[str]:
        """A pending batch's policies as they stand now: merged ones replaced by their survivors, minus survivors
        the subscription already got or another open batch holds."""
        mapped = subs.survivors(self.db, batch["policy_ids"])
        taken = subs.delivered_policy_ids(self.db, batch["subscription_id"]) | {
            p for other in subs.pending_batches(self.db) + subs.sending_batches(self.db)
            if other["subscription_id"] == batch["subscription_id"] and other["message_id"] != batch["message_id"]
            for p in subs.survivors(self.db, other["policy_ids"]).values()}
        return [p for p in dict.fromkeys(mapped[i] for i in batch["policy_ids"]) if p not in taken]

    def waiting_for(self, sub: dict[str, Any]) -> list[PolicyEntry]:
        """New policies of a subscription that no batch holds (a capped digest left them for later)."""
        entries = policy_entries(self.db, since=sub["since"], with_pages=False)
        return new_policies(entries, sub, subs.claimed_policy_ids(self.db, sub["id"]))

    def send_new(self, targets: list[tuple[dict[str, Any], str]]) -> None:
        matches = FilterMatches(self.entries(targets))
        for number, (sub, period) in enumerate(targets):
            chosen = unclaimed_since(matches.wanted_by(sub), sub, subs.claimed_policy_ids(self.db, sub["id"]))
            if not chosen:
                self.report.empty += 1
                if not self.options.out_dir:
                    subs.close_period(self.db, sub["id"], period)
                continue
            plan = plan_with_closed(chosen, self.today, self.options.max_items, self.options.max_listed)
            message_id, date = self.new_message_id(sub), format_datetime(self.now.astimezone(timezone.utc))
            message = self.message_for(sub, plan, message_id, date)
            if self.options.out_dir:
                self.write(message, sub, plan)
                continue
            subs.record_intent(self.db, message_id=message_id, subscription_id=sub["id"], period=period,
                               policy_ids=[e.policy_id for e in plan.listed], date=date)
            if not self.deliver(message, message_id, sub, plan):
                self.report.not_tried += len(targets) - number - 1
                return

    def entries(self, targets: list[tuple[dict[str, Any], str]]) -> list[PolicyEntry]:
        if not targets:
            return []
        since = min(sub["since"] for sub, _ in targets)
        return policy_entries(self.db, since=since, with_pages=False)

    def write(self, message: EmailMessage, sub: dict[str, Any], plan: DigestPlan) -> None:
        out = self.options.out_dir
        assert out is not None
        out.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^\w.@-]", "_", sub["email"])
        path = out / f"{len(self.report.written) + 1:04d}-{safe}.eml"
        path.write_bytes(message_bytes(message))
        self.report.written.append(path)
        self.report.policies += len(plan.listed)
        self.report.waiting += len(plan.waiting)
        self.progress(f"wrote {len(plan.listed)} policies for {sub['email']} to {path}{_waiting_note(plan)}")


class _Abandoned(Exception):
    """A batch stopped being pending just before DATA (its subscription was unsubscribed)."""


class DigestBusy(RuntimeError):
    """Another digest run holds the database's digest lock."""


@contextmanager
def digest_lock(db: Database) -> Iterator[None]:
    """Hold `<db>.digest.lock` (flock, exclusive, not waiting) for a run; DigestBusy when another run has it."""
    path = subs.database_file(db)
    if not path:
        yield
        return
    lock = Path(f"{path}.digest.lock")
    handle = try_exclusive_lock(lock)
    if handle is None:
        raise DigestBusy(f"another digest run is using {path} (lock {lock}); try again when it ends")
    try:
        yield
    finally:
        handle.close()  # closing releases the lock


def _waiting_note(plan: DigestPlan) -> str:
    return f" ({len(plan.waiting)} over the limit wait for the next digest)" if plan.waiting else ""


def run_digest(db: Database, settings: SmtpSettings, options: DigestOptions | None = None,
               progress: Progress = lambda line: None) -> DigestReport:
    """Settle batches a killed run left (see the module docstring), then send each due subscription its new
    policies. Raises DigestBusy when another run holds the database's digest lock (dry runs take no lock).

    A failure of the server itself (connection, login, sender, a 421, a DATA reply that never came) stops the
    run: the report's `aborted` says why and `not_tried` counts what was left for the next run. A refusal or
    another temporary error for one address is recorded and the run goes on with the next subscription.
    `options.release` first makes those unconfirmed batches pending again (SubscriptionError for a Message-ID
    that names no unconfirmed batch).
    """
    options = options or DigestOptions()
    run = _Run(db, settings, options, progress)
    with judged_on(run.today):
        return _run(db, run, options)


def _run(db: Database, run: _Run, options: DigestOptions) -> DigestReport:
    if options.out_dir:
        targets = due_subscriptions(db, run.now, options)
        run.report.due = len(targets)
        run.send_new(targets)
        return run.report
    with digest_lock(db), run.mailer:
        run.release(options.release)
        settled = run.settle_unfinished()
        targets = due_subscriptions(db, run.now, options)
        run.report.due = len(targets)
        if settled:
            run.send_new(targets)
        else:
            run.report.not_tried += len(targets)
    return run.report
