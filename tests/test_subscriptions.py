"""storage/subscriptions.py and the subscription commands: addresses, schedules, tokens, config sync."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import main
from feeds.digest.config import load_digest_config, sync_subscriptions
from feeds.digest.schedule import LOCAL_TZ, due_period
from storage.db import open_db
from storage.subscriptions import (SubscriptionError, list_subscriptions, save_subscription, unsubscribe,
                                   validate_email, validate_schedule)

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("address, normal", [
    ("li@example.org", "li@example.org"), ("Li.Ming+pw@Example.ORG", "Li.Ming+pw@example.org"),
    ("用户@例子.中国", "用户@例子.中国"), (" a_b@sub.example.co ", "a_b@sub.example.co"),
])
def test_valid_addresses(address: str, normal: str) -> None:
    assert validate_email(address) == normal


@pytest.mark.parametrize("address", [
    "", "li", "li@", "@example.org", "li@localhost", "Li <li@example.org>", "a@example.org, b@example.org",
    "li@example.org\r\nBcc: x@example.org", '"li ming"@example.org', "a..b@example.org", "li@[127.0.0.1]",
    "li@exa mple.org", "x" * 250 + "@example.org", "li@-bad-.org\x00",
])
def test_invalid_addresses(address: str) -> None:
    with pytest.raises(SubscriptionError, match="email"):
        validate_email(address)


def test_schedules() -> None:
    assert validate_schedule("daily", "8:05", None) == ("daily", "08:05", None)
    assert validate_schedule("weekly", None, "Friday") == ("weekly", "08:00", "fri")
    for bad in (("hourly", None, None), ("daily", "24:00", None), ("daily", "08:00", "mon"), ("weekly", "8", None)):
        with pytest.raises(SubscriptionError):
            validate_schedule(*bad)


def sub(frequency: str = "daily", at: str = "08:00", weekday: str | None = None, last: str | None = None) -> dict:
    return {"frequency": frequency, "at_time": at, "weekday": weekday, "last_period": last,
            "created_at": "2026-03-01T00:00:00+00:00"}


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)


def test_due_periods_follow_shanghai_time() -> None:
    assert due_period(sub(), local("2026-03-05T07:59")) == "2026-03-04"       # yesterday's slot still open
    assert due_period(sub(last="2026-03-04"), local("2026-03-05T07:59")) is None
    assert due_period(sub(last="2026-03-04"), local("2026-03-05T08:00")) == "2026-03-05"
    # 2026-03-05 00:30 UTC is 08:30 in Shanghai
    assert due_period(sub(last="2026-03-04"), datetime.fromisoformat("2026-03-05T00:30+00:00")) == "2026-03-05"
    weekly = sub("weekly", "09:00", "wed", last="2026-03-04")
    assert due_period(weekly, local("2026-03-10T23:00")) is None              # Tuesday
    assert due_period(weekly, local("2026-03-11T09:00")) == "2026-03-11"
    assert due_period(sub(), local("2026-03-01T07:00")) is None               # slot before it was created
    assert due_period(sub(last="2026-03-05"), local("2026-03-05T09:00"), force=True) == "2026-03-05"


def test_save_update_unsubscribe(tmp_path: Path) -> None:
    db = open_db(tmp_path / "s.db")
    first = save_subscription(db, email="li@example.org", filter_data={"provinces": ["湖南省"]}, frequency="daily",
                              now="2026-03-01T00:00:00+00:00", backfill_days=2)
    assert first["created"] and first["since"] == "2026-02-27T00:00:00+00:00" and len(first["token"]) >= 32
    assert re.fullmatch(r"[0-9a-f]{40}", first["token"])                  # never a leading "-" on a command line
    again = save_subscription(db, email="li@EXAMPLE.org", filter_data={}, frequency="weekly", weekday="fri")
    assert not again["created"] and again["token"] == first["token"] and again["filter"] == {}
    assert again["since"] == first["since"]
    assert unsubscribe(db, first["token"])["active"] is False
    assert unsubscribe(db, "nobody@example.org") is None and unsubscribe(db, "not-a-token") is None
    back = save_subscription(db, email="li@example.org", filter_data={}, frequency="daily")
    assert back["active"] and back["since"] > first["since"]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_cli_subscribe_list_and_errors(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    code, out = run("subscribe", "li@example.org", "--province", "湖南", "--topic", "高新技术企业",
                    "--min-amount", "50", "--weekly", "--weekday", "fri", "--at", "9:30", "--db", db)
    assert code == 0 and out.startswith("subscribed li@example.org: weekly fri 09:30 (Asia/Shanghai) · 湖南省")
    for args, message in [
        (("bad@",), "email"), (("a@example.org", "--province", "火星"), "unknown province"),
        (("a@example.org", "--min-amount", "lots"), "min_amount"), (("a@example.org", "--at", "25:00"), "at:")]:
        code, out = run("subscribe", *args, "--daily", "--db", db)
        assert code == 2 and message in out and len(out.strip().splitlines()) == 1
    code, out = run("subscribe", "a@example.org", "--db", db)
    assert code == 2 and "--daily or --weekly" in out
    code, out = run("subscribe", "a@example.org", "--daily", "--weekly", "--db", db)
    assert (code, out) == (2, "policywatch: --daily and --weekly exclude each other\n")
    assert [s["email"] for s in list_subscriptions(open_db(db))] == ["li@example.org"]   # nothing saved
    code, out = run("subscriptions", "--json", "--db", db)
    assert code == 0 and '"email": "li@example.org"' in out and '"min_amount": 50.0' in out
    code, out = run("unsubscribe", "nobody@example.org", "--db", db)
    assert code == 2
    code, out = run("subscribe", "open@example.org", "--province", "湖南", "--open", "--daily", "--db", db)
    assert code == 0 and "仍可申报" in out
    [wanted] = [s["filter"] for s in list_subscriptions(open_db(db)) if s["email"] == "open@example.org"]
    assert wanted.get("open_only") is True


def test_subscriptions_table_has_a_header_and_aligns_wide_characters(tmp_path: Path) -> None:
    db = open_db(tmp_path / "t.db")
    save_subscription(db, email="li@example.org", filter_data={"provinces": ["湖南省"]}, frequency="daily", at="08:30")
    save_subscription(db, email="研究员@例子.中国", filter_data={}, frequency="weekly", weekday="fri", at="09:00")
    save_subscription(db, email="a-very-long-address-for-the-office@example.org", filter_data={}, frequency="daily")
    unsubscribe(db, "li@example.org")
    code, out = run("subscriptions", "--db", str(tmp_path / "t.db"))
    assert code == 0
    assert out.splitlines() == [
        "email                                          state        schedule           last period  filter",
        "a-very-long-address-for-the-office@example.org active       daily 08:00        -            全部相关政策",
        "li@example.org                                 unsubscribed daily 08:30        -            湖南省",
        "研究员@例子.中国                               active       weekly fri 09:00   -            全部相关政策",
        "2 active of 3 subscriptions"]


def test_config_file_sync(tmp_path: Path) -> None:
    db = open_db(tmp_path / "cfg.db")
    config = load_digest_config(ROOT / "config" / "subscriptions.example.yaml")
    assert config["smtp"]["host"] == "smtp.example.org"
    assert sync_subscriptions(db, config) == (3, 0, 0)
    rows = {row["email"]: row for row in list_subscriptions(db)}
    assert rows["li.ming@example.org"]["filter"]["incentives_only"] is True
    assert "incentives_only" not in rows["研究员@例子.中国"]["filter"]
    config["subscriptions"] = config["subscriptions"][:1]
    assert sync_subscriptions(db, config) == (0, 1, 2)
    bad = tmp_path / "bad.yaml"
    bad.write_text("subscriptions:\n  - email: a@example.org\n    frequency: daily\n    filter: {province: 火星}\n",
                   encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.yaml: subscriptions\[0\] \(a@example.org\): provinces"):
        load_digest_config(bad)


def test_config_file_digest_size_limits(tmp_path: Path) -> None:
    good = tmp_path / "limits.yaml"
    good.write_text("max_items: 10\nmax_listed: 50\nsubscriptions: []\n", encoding="utf-8")
    config = load_digest_config(good)
    assert (config["max_items"], config["max_listed"]) == (10, 50)
    assert "max_items" not in load_digest_config(ROOT / "config" / "subscriptions.example.yaml")
    for text, message in [("max_items: -1\n", "max_items: expected a whole number of at least 0, got -1"),
                          ("max_listed: many\n", "max_listed: expected a whole number of at least 1, got 'many'"),
                          ("max_items: 20\nmax_listed: 5\n", "max_listed (5) is below max_items (20)")]:
        bad = tmp_path / "bad-limits.yaml"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(ValueError) as caught:
            load_digest_config(bad)
        assert str(caught.value) == f"{bad}: {message}"


def two_entries(tmp_path: Path) -> Path:
    path = tmp_path / "subs.yaml"
    path.write_text("subscriptions:\n"
                    "  - {email: stays@example.org, frequency: daily, filter: {province: 湖南}}\n"
                    "  - {email: left@example.org, frequency: daily, filter: {province: 湖南}}\n", encoding="utf-8")
    return path


def test_sync_never_undoes_an_unsubscribe_or_a_disable(tmp_path: Path) -> None:
    db = open_db(tmp_path / "sync.db")
    config = load_digest_config(two_entries(tmp_path))
    assert sync_subscriptions(db, config) == (2, 0, 0)
    unsubscribe(db, "left@example.org")  # the person clicked the link
    with db.conn:  # the address bounced until disabled, as mark_failed leaves it
        db.execute("update subscriptions set active = 0, disabled_at = '2026-03-01', stopped_by = 'bounce' "
                   "where email = 'stays@example.org'")
    assert sync_subscriptions(db, config) == (0, 0, 0)
    assert sync_subscriptions(db, config) == (0, 0, 0)
    rows = {row["email"]: row for row in list_subscriptions(db)}
    assert (rows["left@example.org"]["active"], rows["left@example.org"]["stopped_by"]) == (False, "user")
    assert (rows["stays@example.org"]["active"], rows["stays@example.org"]["disabled_at"]) == (False, "2026-03-01")
    code, _ = run("digest", "--config", str(two_entries(tmp_path)), "--all", "--dry-run", "--out",
                  str(tmp_path / "eml"), "--db", str(tmp_path / "sync.db"))
    assert code == 0 and not any(row["active"] for row in list_subscriptions(open_db(tmp_path / "sync.db")))
    # only an explicit subscribe brings an address back
    back = save_subscription(db, email="left@example.org", filter_data={}, frequency="daily")
    assert back["active"] and back["stopped_by"] is None


def test_sync_brings_back_what_a_sync_removed(tmp_path: Path) -> None:
    db = open_db(tmp_path / "sync.db")
    config = load_digest_config(two_entries(tmp_path))
    sync_subscriptions(db, config)
    assert sync_subscriptions(db, {**config, "subscriptions": config["subscriptions"][:1]}) == (0, 1, 1)
    assert [row["stopped_by"] for row in list_subscriptions(db) if not row["active"]] == ["config"]
    assert sync_subscriptions(db, config) == (0, 2, 0)
    assert all(row["active"] for row in list_subscriptions(db))


@pytest.mark.parametrize("entry, message", [
    ("weekday: 1", "weekday: expected one of mon, tue, wed, thu, fri, sat, sun, got 1"),
    ("at: 12:30", 'at: YAML read 750, a number, not a time: quote it, for example at: "12:30"'),
    ("at: 8", 'at: YAML read 8, a number, not a time: quote it, for example at: "12:30"'),
])
def test_config_schedule_errors_are_one_line(tmp_path: Path, entry: str, message: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"subscriptions:\n  - email: a@example.org\n    frequency: weekly\n    {entry}\n",
                   encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        load_digest_config(bad)
    assert str(caught.value) == f"{bad}: subscriptions[0] (a@example.org): {message}"
    code, out = run("digest", "--config", str(bad), "--all", "--db", str(tmp_path / "x.db"))
    assert code == 2 and out.strip().splitlines() == [f"policywatch: {bad}: subscriptions[0] (a@example.org): "
                                                      f"{message}"]


def test_dry_run_with_a_config_file_records_nothing(tmp_path: Path) -> None:
    db_path = tmp_path / "dry.db"
    run("subscribe", "old@example.org", "--province", "湖南", "--daily", "--db", str(db_path))
    before = [dict(row) for row in open_db(db_path)["subscriptions"].rows]
    code, out = run("digest", "--config", str(two_entries(tmp_path)), "--all", "--dry-run", "--out",
                    str(tmp_path / "eml"), "--db", str(db_path))
    assert code == 0, out
    assert "digest: 3 due" in out  # the file's entries were previewed, from a scratch copy
    db = open_db(db_path)
    assert [dict(row) for row in db["subscriptions"].rows] == before
    assert db.execute("select count(*) from digest_batches").fetchone()[0] == 0


def test_migration_10_keeps_who_stopped_each_subscription(tmp_path: Path) -> None:
    """A database from before migration 10: disabled rows become stopped_by bounce, other inactive ones user."""
    from sqlite_utils import Database

    from storage.subscriptions import add_delivery_states, create_subscription_tables

    db = Database(tmp_path / "old.db")
    create_subscription_tables(db)
    for n, (active, disabled) in enumerate([(1, None), (0, None), (0, "2026-03-01")]):
        db["subscriptions"].insert({"email": f"s{n}@example.org", "filter": "{}", "frequency": "daily",
                                    "at_time": "08:00", "token": f"t{n}", "origin": "config", "active": active,
                                    "created_at": "2026-03-01", "since": "2026-03-01", "disabled_at": disabled})
    add_delivery_states(db)
    assert [row["stopped_by"] for row in db["subscriptions"].rows] == [None, "user", "bounce"]
    assert {"unconfirmed", "data_started_at"} <= set(db["deliveries"].columns_dict) | set(
        db["digest_batches"].columns_dict)
