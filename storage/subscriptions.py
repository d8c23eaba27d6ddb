"""Digest subscriptions and their delivery log: who wants which policies, when, and what they got.

Tables (migration 6, columns added by migration 10):
- subscriptions: one per address (filter as JSON, schedule, unsubscribe token, failure state, and
  `stopped_by`: user, config or bounce, who made it inactive);
- digest_batches: one per digest message, written *before* it is sent (its Message-ID, Date and
  policy ids). Status `pending`: intent only, DATA never started, so the server cannot hold it and
  it is safe to send again with the same Message-ID. `sending`: committed just before DATA; a batch
  still `sending` on start-up may or may not have reached the server and is not sent again: it
  becomes `unconfirmed`, its policies are logged as delivered (flagged) and `delivery_problems` lists
  it. Final states: sent, failed, refused, unconfirmed, abandoned; only an operator's
  `release_unconfirmed` turns an unconfirmed batch back into a pending one;
- deliveries: one row per (subscription, policy) delivered, so a policy reaches an address once;
  `unconfirmed` = 1 when the server's acceptance was never seen.
"""
from __future__ import annotations

import json
import re
import secrets
import unicodedata
from datetime import datetime, timedelta
from email.headerregistry import Address
from typing import Any, Iterable

from sqlite_utils import Database

from core.clock import now_iso

FREQUENCIES = ("daily", "weekly")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ORIGINS = ("cli", "config")
DEFAULT_AT = "08:00"
DEFAULT_MAX_FAILURES = 3
OPEN_STATUSES = ("pending", "sending")  # batches whose policies no other batch may take
STOPPED_BY = ("user", "config", "bounce")
UNCONFIRMED_DAYS = 30  # how long delivery_problems keeps showing an unconfirmed batch
MAX_EMAIL_LENGTH = 254
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_LOCAL_SPECIALS = set('"(),:;<>@[\\] \t')


class SubscriptionError(ValueError):
    """A subscription that cannot be stored; the message names the field and the value."""


def create_subscription_tables(db: Database) -> None:
    """Migration 6: subscriptions, digest_batches (send intents) and deliveries."""
    db["subscriptions"].create({
        "id": int, "email": str, "name": str, "filter": str, "frequency": str, "at_time": str, "weekday": str,
        "token": str, "origin": str, "active": int, "created_at": str, "updated_at": str, "since": str,
        "unsubscribed_at": str, "last_period": str, "last_sent_at": str, "failures": int,
        "last_error": str, "last_error_code": int, "last_error_at": str, "disabled_at": str,
    }, pk="id", not_null={"email", "filter", "frequency", "at_time", "token", "origin", "created_at", "since"},
        defaults={"active": 1, "failures": 0, "origin": "cli"})
    db["subscriptions"].create_index(["email"], unique=True)
    db["subscriptions"].create_index(["token"], unique=True)
    db["digest_batches"].create({
        "message_id": str, "subscription_id": int, "period": str, "policy_ids": str, "date": str,
        "status": str, "created_at": str, "finished_at": str, "attempts": int, "error": str, "error_code": int,
    }, pk="message_id", not_null={"subscription_id", "period", "policy_ids", "date", "status", "created_at"},
        foreign_keys=[("subscription_id", "subscriptions", "id")], defaults={"attempts": 0})
    db["digest_batches"].create_index(["status"])
    db["digest_batches"].create_index(["subscription_id", "status"])
    db["deliveries"].create({
        "subscription_id": int, "policy_id": str, "message_id": str, "delivered_at": str,
    }, pk=("subscription_id", "policy_id"), not_null={"message_id", "delivered_at"},
        foreign_keys=[("subscription_id", "subscriptions", "id")])


def add_delivery_states(db: Database) -> None:
    """Migration 10: deliveries.unconfirmed, digest_batches.data_started_at, subscriptions.stopped_by."""
    db["deliveries"].add_column("unconfirmed", int, not_null_default=0)
    db["digest_batches"].add_column("data_started_at", str)
    db["subscriptions"].add_column("stopped_by", str)
    db.execute("update subscriptions set stopped_by = 'bounce' where active = 0 and disabled_at is not null")
    db.execute("update subscriptions set stopped_by = 'user' where active = 0 and stopped_by is null")


# ---------------------------------------------------------------------------------------------
# validation (pure)
# ---------------------------------------------------------------------------------------------

def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in text)


def _ascii_domain(domain: str, shown: str) -> str:
    if not domain or "." not in domain or domain.startswith((".", "[")) or domain.endswith("."):
        raise SubscriptionError(f"email: {shown!r} needs a domain name such as example.org")
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise SubscriptionError(f"email: {shown!r} has an invalid domain") from None


def _check_local(local: str, shown: str) -> None:
    if (not local or len(local.encode("utf-8")) > 64 or local.startswith(".") or local.endswith(".")
            or ".." in local or set(local) & _LOCAL_SPECIALS):
        raise SubscriptionError(f"email: {shown!r} is not a bare address local@domain (no names, quotes or <>)")


def validate_email(text: str) -> str:
    """A bare address (local@domain, UTF-8 and IDN allowed) with its domain lowercased; no names, no lists."""
    if not isinstance(text, str):
        raise SubscriptionError(f"email: expected text, got {type(text).__name__}")
    shown = text[:80]
    address = unicodedata.normalize("NFC", text.strip())
    if not address or _has_control(address) or len(address.encode("utf-8")) > MAX_EMAIL_LENGTH:
        raise SubscriptionError(f"email: {shown!r} is not a single address")
    local, at, domain = address.rpartition("@")
    if not at:
        raise SubscriptionError(f"email: {shown!r} has no @")
    _check_local(local, shown)
    domain = domain.lower()
    ascii_domain = _ascii_domain(domain, shown)
    probe = local if local.isascii() else "x"
    try:
        parsed = Address(addr_spec=f"{probe}@{ascii_domain}")
    except (ValueError, IndexError) as exc:
        raise SubscriptionError(f"email: {shown!r} is not a valid address ({exc})") from None
    if parsed.username != probe:
        raise SubscriptionError(f"email: {shown!r} is not a valid address")
    return f"{local}@{domain}"


def validate_name(name: str | None) -> str | None:
    """A display name without control characters (None when empty)."""
    if name is None or not name.strip():
        return None
    if _has_control(name) or len(name) > 100:
        raise SubscriptionError(f"name: {name[:40]!r} has control characters or is longer than 100")
    return " ".join(name.split())


def validate_schedule(frequency: str, at: str | None, weekday: str | None) -> tuple[str, str, str | None]:
    """(frequency, HH:MM, weekday or None) checked; weekly without a weekday means Monday."""
    if frequency not in FREQUENCIES:
        raise SubscriptionError(f"frequency: expected daily or weekly, got {frequency!r}")
    if at is not None and not isinstance(at, str):
        raise SubscriptionError(f"at: expected HH:MM (Asia/Shanghai) as text, got {at!r}")
    if weekday is not None and not isinstance(weekday, str):
        raise SubscriptionError(f"weekday: expected one of {', '.join(WEEKDAYS)}, got {weekday!r}")
    at = (at or DEFAULT_AT).strip()
    match = _TIME.match(at)
    if not match:
        raise SubscriptionError(f"at: expected HH:MM (Asia/Shanghai), got {at!r}")
    at = f"{int(match.group(1)):02d}:{match.group(2)}"
    if frequency == "daily":
        if weekday:
            raise SubscriptionError("weekday: only weekly subscriptions have a weekday")
        return frequency, at, None
    day = (weekday or "mon").strip().lower()[:3]
    if day not in WEEKDAYS:
        raise SubscriptionError(f"weekday: expected one of {', '.join(WEEKDAYS)}, got {weekday!r}")
    return frequency, at, day


# ---------------------------------------------------------------------------------------------
# subscriptions
# ---------------------------------------------------------------------------------------------

def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "filter": json.loads(row["filter"] or "{}"), "active": bool(row["active"])}


def _one(db: Database, where: str, params: list[Any]) -> dict[str, Any] | None:
    rows = list(db["subscriptions"].rows_where(where, params, limit=1))
    return _decoded(rows[0]) if rows else None


def subscription_by_email(db: Database, email: str) -> dict[str, Any] | None:
    """The subscription of an address (any state), or None."""
    return _one(db, "email = ?", [validate_email(email)])


def subscription_by_token(db: Database, token: str) -> dict[str, Any] | None:
    """The subscription an unsubscribe token names (any state), or None."""
    return _one(db, "token = ?", [token]) if token else None


def subscription(db: Database, subscription_id: int) -> dict[str, Any] | None:
    """One subscription by id, or None."""
    return _one(db, "id = ?", [subscription_id])


def list_subscriptions(db: Database, active_only: bool = False) -> list[dict[str, Any]]:
    """Subscriptions in address order, filters decoded."""
    where = "active = 1" if active_only else None
    return [_decoded(row) for row in db["subscriptions"].rows_where(where, order_by="email")]


def save_subscription(db: Database, *, email: str, filter_data: dict[str, Any], frequency: str,
                      at: str | None = None, weekday: str | None = None, name: str | None = None,
                      origin: str = "cli", backfill_days: int = 0, now: str | None = None,
                      reactivate: bool = True) -> dict[str, Any]:
    """Create or update (same address) a subscription; returns it with `created` True when new.

    A new or re-activated subscription only gets policies first seen from now on, or from
    `backfill_days` before now. Updating an active one keeps its token and its start.
    With `reactivate` False (a config sync) an inactive subscription is left as it is, unless a sync
    itself stopped it (`stopped_by` config): a person's unsubscribe or a bounce disable is never undone.
    """
    email = validate_email(email)
    frequency, at, weekday = validate_schedule(frequency, at, weekday)
    if origin not in ORIGINS:
        raise SubscriptionError(f"origin: expected cli or config, got {origin!r}")
    if backfill_days < 0:
        raise SubscriptionError(f"backfill: must not be negative, got {backfill_days}")
    now = now or now_iso()
    since = (datetime.fromisoformat(now) - timedelta(days=backfill_days)).isoformat(timespec="seconds")
    fields = {"name": validate_name(name), "filter": json.dumps(filter_data, ensure_ascii=False, sort_keys=True),
              "frequency": frequency, "at_time": at, "weekday": weekday, "origin": origin, "updated_at": now}
    with db.conn:
        existing = _one(db, "email = ?", [email])
        if existing is None:
            db["subscriptions"].insert({**fields, "email": email, "token": new_token(), "active": 1,
                                        "created_at": now, "since": since, "failures": 0})
        elif not existing["active"] and not reactivate and existing["stopped_by"] != "config":
            return {**existing, "created": False}
        else:
            if not existing["active"]:
                fields.update({"active": 1, "created_at": now, "since": since, "unsubscribed_at": None,
                               "disabled_at": None, "failures": 0, "last_error": None, "last_error_code": None,
                               "last_error_at": None, "last_period": None, "stopped_by": None})
            elif backfill_days:
                fields["since"] = min(existing["since"], since)
            db["subscriptions"].update(existing["id"], fields)
    saved = _one(db, "email = ?", [email])
    return {**saved, "created": existing is None}


def new_token() -> str:
    """An unguessable unsubscribe token: 160 random bits as 40 hex digits.

    Hex, not base64url: a token can never begin with "-" (a command line would read it as an
    option) and survives being copied out of a wrapped email line.
    """
    return secrets.token_hex(20)


def unsubscribe(db: Database, email_or_token: str, now: str | None = None,
                by: str = "user") -> dict[str, Any] | None:
    """Stop a subscription named by its address or its token; None when there is no such subscription.

    `by`: user (the person, by link or command) or config (a sync no longer lists it).
    """
    key = (email_or_token or "").strip()
    found = _one(db, "token = ?", [key]) if key and "@" not in key else None
    if found is None and "@" in key:
        found = _one(db, "email = ?", [validate_email(key)])
    if found is None:
        return None
    if found["active"]:
        with db.conn:
            db["subscriptions"].update(found["id"], {"active": 0, "unsubscribed_at": now or now_iso(),
                                                     "stopped_by": by})
            abandon_pending(db, found["id"], "unsubscribed")
    return _one(db, "id = ?", [found["id"]])


def deactivate_missing(db: Database, origin: str, keep: Iterable[str], now: str | None = None) -> list[str]:
    """Unsubscribe active subscriptions of `origin` whose address is not in `keep`; their addresses."""
    keep_set = {validate_email(e) for e in keep}
    gone = [row["email"] for row in list_subscriptions(db, active_only=True)
            if row["origin"] == origin and row["email"] not in keep_set]
    for email in gone:
        unsubscribe(db, email, now, by="config")
    return gone


# ---------------------------------------------------------------------------------------------
# delivery log
# ---------------------------------------------------------------------------------------------

def claimed_policy_ids(db: Database, subscription_id: int) -> set[str]:
    """Policies this subscription has got or has in an open batch, plus the policies those were merged into."""
    rows = db.execute(
        "select policy_id from deliveries where subscription_id = :s "
        "union select p.merged_into from deliveries d join policies p on p.id = d.policy_id "
        "where d.subscription_id = :s and p.merged_into is not null "
        "union select j.value from digest_batches b, json_each(b.policy_ids) j "
        "where b.subscription_id = :s and b.status in ('pending', 'sending') "
        "union select p.merged_into from digest_batches b, json_each(b.policy_ids) j "
        "join policies p on p.id = j.value "
        "where b.subscription_id = :s and b.status in ('pending', 'sending') and p.merged_into is not null",
        {"s": subscription_id}).fetchall()
    return {row[0] for row in rows}


def survivors(db: Database, policy_ids: Iterable[str]) -> dict[str, str]:
    """Each policy id -> the live policy it stands for now (itself, or the end of its merged_into chain)."""
    result = {}
    for policy_id in policy_ids:
        current, seen = policy_id, {policy_id}
        while True:
            row = db.execute("select merged_into from policies where id = ?", [current]).fetchone()
            if row is None or not row[0] or row[0] in seen:
                break
            current = row[0]
            seen.add(current)
        result[policy_id] = current
    return result


def record_intent(db: Database, *, message_id: str, subscription_id: int, period: str,
                  policy_ids: list[str], date: str) -> None:
    """Write a digest's Message-ID, Date and policies before it is sent (committed at once)."""
    with db.conn:
        db["digest_batches"].insert({
            "message_id": message_id, "subscription_id": subscription_id, "period": period,
            "policy_ids": json.dumps(policy_ids), "date": date, "status": "pending", "created_at": now_iso(),
            "attempts": 0})


def _batches(db: Database, status: str) -> list[dict[str, Any]]:
    rows = db.query("select * from digest_batches where status = ? order by created_at, message_id", [status])
    return [{**row, "policy_ids": json.loads(row["policy_ids"])} for row in rows]


def pending_batches(db: Database) -> list[dict[str, Any]]:
    """Batches recorded but never handed to the server (DATA not started): safe to send, oldest first."""
    return _batches(db, "pending")


def sending_batches(db: Database) -> list[dict[str, Any]]:
    """Batches whose DATA had started when their process died: outcome unknown, never sent again."""
    return _batches(db, "sending")


def set_batch_policies(db: Database, message_id: str, policy_ids: list[str]) -> None:
    """Replace what a pending batch lists (merged policies mapped to their survivors) before it is sent."""
    with db.conn:
        db.execute("update digest_batches set policy_ids = ? where message_id = ? and status = 'pending'",
                   [json.dumps(policy_ids), message_id])


def mark_sending(db: Database, message_id: str, at: str | None = None) -> bool:
    """Commit that DATA starts for a pending batch (and count the attempt); False when it is no longer pending
    (an unsubscribe abandoned it meanwhile)."""
    with db.conn:
        return bool(db.execute("update digest_batches set status = 'sending', attempts = attempts + 1, "
                               "data_started_at = ? where message_id = ? and status = 'pending'",
                               [at or now_iso(), message_id]).rowcount)


def _log_deliveries(db: Database, batch: dict[str, Any], at: str, unconfirmed: bool) -> None:
    db.execute(
        "insert or ignore into deliveries (subscription_id, policy_id, message_id, delivered_at, unconfirmed) "
        "select ?, value, ?, ?, ? from json_each(?)",
        [batch["subscription_id"], batch["message_id"], at, int(unconfirmed), batch["policy_ids"]])


def mark_sent(db: Database, message_id: str, at: str | None = None) -> None:
    """The server accepted the batch: log each policy as delivered and close the subscription's period."""
    at = at or now_iso()
    with db.conn:
        batch = db["digest_batches"].get(message_id)
        db["digest_batches"].update(message_id, {"status": "sent", "finished_at": at, "error": None,
                                                 "error_code": None})
        _log_deliveries(db, batch, at, unconfirmed=False)
        db.execute("update subscriptions set last_sent_at = ?, failures = 0, last_error = null, "
                   "last_error_code = null, last_error_at = null, "
                   "last_period = max(coalesce(last_period, ''), ?) where id = ?",
                   [at, batch["period"], batch["subscription_id"]])


def mark_unconfirmed(db: Database, message_id: str, reason: str, at: str | None = None) -> None:
    """The batch's DATA started but its outcome is unknown: never send it again; log its policies as delivered
    (flagged unconfirmed) and close the period. `delivery_problems` lists it for a look at the mail log."""
    at = at or now_iso()
    with db.conn:
        batch = db["digest_batches"].get(message_id)
        db["digest_batches"].update(message_id, {"status": "unconfirmed", "finished_at": at, "error": reason[:500],
                                                 "error_code": None})
        _log_deliveries(db, batch, at, unconfirmed=True)
        db.execute("update subscriptions set last_period = max(coalesce(last_period, ''), ?) where id = ?",
                   [batch["period"], batch["subscription_id"]])


def release_unconfirmed(db: Database, message_id: str, at: str | None = None) -> dict[str, Any]:
    """Make an unconfirmed batch `pending` again, so the next digest run sends it with its Message-ID and Date
    (for a digest the mail server's log shows it never kept); its policies stop counting as delivered.
    Returns the batch; SubscriptionError when no unconfirmed batch has that Message-ID (with or without <>)."""
    message_id = message_id.strip()
    if not message_id.startswith("<"):
        message_id = f"<{message_id}>"
    at = at or now_iso()
    with db.conn:
        row = db.execute("select status, error from digest_batches where message_id = ?", [message_id]).fetchone()
        if row is None or row[0] != "unconfirmed":
            state = f"it is {row[0]}" if row else "there is no such digest"
            raise SubscriptionError(f"release: {message_id} is not an unconfirmed digest ({state})")
        db.execute("delete from deliveries where message_id = ? and unconfirmed = 1", [message_id])
        db.execute("update digest_batches set status = 'pending', finished_at = null, error = ?, error_code = null "
                   "where message_id = ?", [f"released {at}; was unconfirmed: {row[1]}"[:500], message_id])
    batch = db["digest_batches"].get(message_id)
    return {**batch, "policy_ids": json.loads(batch["policy_ids"])}


def mark_failed(db: Database, message_id: str, error: str, code: int | None, permanent: bool,
                max_failures: int = DEFAULT_MAX_FAILURES, at: str | None = None) -> bool:
    """The batch was not delivered; its policies are pending again. A permanent refusal closes the period and
    counts against the subscription, which is disabled after `max_failures` in a row; returns True if disabled."""
    at = at or now_iso()
    with db.conn:
        batch = db["digest_batches"].get(message_id)
        db["digest_batches"].update(message_id, {"status": "refused" if permanent else "failed", "finished_at": at,
                                                 "error": error[:500], "error_code": code})
        sub_id = batch["subscription_id"]
        db.execute("update subscriptions set last_error = ?, last_error_code = ?, last_error_at = ? where id = ?",
                   [error[:500], code, at, sub_id])
        if not permanent:
            return False
        db.execute("update subscriptions set failures = failures + 1, "
                   "last_period = max(coalesce(last_period, ''), ?) where id = ?", [batch["period"], sub_id])
        disabled = db.execute("update subscriptions set active = 0, disabled_at = ?, stopped_by = 'bounce' "
                              "where id = ? and failures >= ? and active = 1", [at, sub_id, max_failures]).rowcount
        return bool(disabled)


def abandon_pending(db: Database, subscription_id: int, reason: str) -> None:
    """Drop a subscription's pending batches (it was unsubscribed); their policies are not delivered."""
    db.execute("update digest_batches set status = 'abandoned', error = ?, finished_at = ? "
               "where subscription_id = ? and status = 'pending'", [reason, now_iso(), subscription_id])


def close_period(db: Database, subscription_id: int, period: str) -> None:
    """Record that a subscription's period is done although nothing was sent (nothing was new)."""
    with db.conn:
        db.execute("update subscriptions set last_period = max(coalesce(last_period, ''), ?) where id = ?",
                   [period, subscription_id])


def delivered_policy_ids(db: Database, subscription_id: int) -> set[str]:
    """The policies logged as delivered to a subscription."""
    return {row[0] for row in db.execute("select policy_id from deliveries where subscription_id = ?",
                                         [subscription_id]).fetchall()}


def delivery_problems(db: Database, now: str | None = None) -> list[dict[str, Any]]:
    """Subscriptions whose last digest failed, newest failure first: address, code, error, when, how many
    permanent refusals in a row, and whether the subscription was disabled for them; then each digest of the
    last UNCONFIRMED_DAYS whose acceptance was never seen (`unconfirmed`, with its Message-ID): check the
    mail server's log for that Message-ID."""
    cutoff = (datetime.fromisoformat(now or now_iso()) - timedelta(days=UNCONFIRMED_DAYS)).isoformat()
    return _failed_subscriptions(db) + [
        {"subscription_id": row["subscription_id"], "email": row["email"], "code": None,
         "error": f"unconfirmed: Message-ID {row['message_id']} (DATA started {row['data_started_at']}): "
                  f"{row['error']}; its policies are logged as delivered, not re-sent: check the mail log",
         "at": row["finished_at"], "message_id": row["message_id"], "policies": len(json.loads(row["policy_ids"])),
         "unconfirmed": True, "permanent": False, "disabled": False}
        for row in db.query(
            "select b.*, s.email from digest_batches b join subscriptions s on s.id = b.subscription_id "
            "where b.status = 'unconfirmed' and b.finished_at >= ? order by b.finished_at desc, b.message_id",
            [cutoff])]


def _failed_subscriptions(db: Database) -> list[dict[str, Any]]:
    rows = db.query(
        "select id as subscription_id, email, last_error_code as code, last_error as error, last_error_at as at, "
        "failures, disabled_at, active from subscriptions where last_error is not null "
        "order by last_error_at desc, email")
    return [{**{k: v for k, v in row.items() if k != "active"},
             "permanent": bool(row["code"] and row["code"] >= 500),
             "disabled": bool(row["disabled_at"]) and not row["active"], "unconfirmed": False} for row in rows]


def database_file(db: Database) -> str | None:
    """The file of the main database ('' or None for an in-memory one)."""
    row = db.execute("select file from pragma_database_list where name = 'main'").fetchone()
    return row[0] if row else None
