"""SMTP faults during a digest run, against a real SMTP server on 127.0.0.1 (aiosmtpd) that misbehaves on request.

Twelve subscribers want the same two policies, one digest each. A server that is too slow to answer DATA,
that hangs up during DATA, that answers 421, or that never greets stops the run at the first failure: at
most one batch is left unconfirmed (the server may hold it) and every later subscriber is left for the next
run. The next run against a healthy server sends each of them exactly one message; an unconfirmed batch is
sent again only when released, with its Message-ID and Date.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from crawler.cli import main
from feeds.digest import DigestOptions, DigestReport, run_digest
from storage.db import open_db
from storage.subscriptions import SubscriptionError, delivery_problems, save_subscription
from tests.support.policies import add_policy
from tests.support.smtp import Recorder, SmtpServer, silent_port

SUBSCRIBERS = [f"a{n:02d}@example.org" for n in range(1, 13)]  # a digest run takes them in this order
TIMEOUT = 2.0  # the client's SMTP timeout: ample for a loopback server that is not made slow
SLOW = 5.0  # seconds the slow server takes to answer DATA: longer than TIMEOUT


@pytest.fixture()
def db_path(tmp_path: Path) -> Path:
    """Twelve daily subscriptions to 湖南 policies, and two such policies new for all of them."""
    path = tmp_path / "policywatch.db"
    db = open_db(path)
    for email in SUBSCRIBERS:
        save_subscription(db, email=email, filter_data={"provinces": ["湖南省"]}, frequency="daily", backfill_days=1)
    add_policy(db, "关于高新技术企业认定奖励的通知", province="湖南省", amount=300)
    add_policy(db, "关于研发费用补助的通知", province="湖南省", amount=100)
    return path


def run(db_path: Path, server: SmtpServer, progress: list[str] | None = None, **options: Any) -> DigestReport:
    """One digest run sending to every active subscription now; its progress lines go to `progress`."""
    lines = progress if progress is not None else []
    return run_digest(open_db(db_path), server.settings(timeout=TIMEOUT), DigestOptions(force_all=True, **options),
                      progress=lines.append)


def batch_states(db_path: Path) -> dict[str, list[str]]:
    """Address -> statuses of its digest batches, oldest first."""
    rows = open_db(db_path).query(
        "select s.email, b.status from digest_batches b join subscriptions s on s.id = b.subscription_id "
        "order by b.created_at, b.rowid")
    states: dict[str, list[str]] = {}
    for row in rows:
        states.setdefault(row["email"], []).append(row["status"])
    return states


def kept(recorder: Recorder) -> Counter:
    """Recipient -> how many messages the server kept for it."""
    return Counter(rcpt for item in recorder.messages for rcpt in item["rcpt"])


def message_id_of(db_path: Path, email: str, status: str) -> str:
    [row] = open_db(db_path).query(
        "select b.message_id from digest_batches b join subscriptions s on s.id = b.subscription_id "
        "where s.email = ? and b.status = ?", [email, status])
    return row["message_id"]


def test_a_slow_server_costs_one_unconfirmed_batch_and_the_run_stops(db_path: Path) -> None:
    """The fault as reported: DATA answered after longer than the timeout. The server keeps the first message,
    the client times out, records it unconfirmed and stops; the other eleven go out on the next run, and no one
    gets a message twice."""
    recorder = Recorder(data_delay=SLOW, commit_first=True)
    with SmtpServer(recorder) as server:
        env = {**server.env(), "POLICYWATCH_SMTP_TIMEOUT": str(TIMEOUT)}
        first = CliRunner().invoke(main, ["digest", "--db", str(db_path), "--all"], env=env)
        unconfirmed_id = message_id_of(db_path, SUBSCRIBERS[0], "unconfirmed")
        reason = (f"SMTP 127.0.0.1:{server.port}: no reply after the whole message was sent (none within "
                  f"{TIMEOUT:g} s): the server may or may not have kept it")
        assert first.exit_code == 1
        assert first.stderr.splitlines() == [
            f"unconfirmed {SUBSCRIBERS[0]} {unconfirmed_id} (not re-sent; check the mail log): {reason}",
            f"policywatch: digest stopped: {reason}"]
        assert first.stdout.splitlines() == [
            f"digest: 12 due, 0 sent (0 policies), 0 with nothing new, 1 unconfirmed, not re-sent (see policywatch "
            f"status): {SUBSCRIBERS[0]}, stopped at the first server failure, 11 not tried (left for the next run)"]
        assert batch_states(db_path) == {SUBSCRIBERS[0]: ["unconfirmed"]}
        [problem] = delivery_problems(open_db(db_path))
        assert (problem["email"], problem["message_id"], problem["unconfirmed"]) == \
            (SUBSCRIBERS[0], unconfirmed_id, True)

        recorder.data_delay = 0  # the server is fast again
        second = run(db_path, server)
        third = run(db_path, server)
        assert kept(recorder) == {email: 1 for email in SUBSCRIBERS}
        assert [m["Message-ID"] for m in recorder.emails].count(unconfirmed_id) == 1
    assert (second.sent, second.resent, second.released, second.unconfirmed, second.not_tried, second.aborted) == \
        (11, 0, 0, [], 0, None)
    assert (third.sent, third.empty) == (0, 12)
    assert batch_states(db_path) == {SUBSCRIBERS[0]: ["unconfirmed"], **{e: ["sent"] for e in SUBSCRIBERS[1:]}}


def test_a_digest_the_slow_server_lost_is_re_sent_only_when_released(db_path: Path) -> None:
    """The documented loss: the server gave up on the message when the client did. It is not re-sent by the next
    run; released, it goes out once, with the Message-ID and Date it was recorded with."""
    recorder = Recorder(data_delay=SLOW, commit_first=False)
    with SmtpServer(recorder) as server:
        first = run(db_path, server)
        lost = message_id_of(db_path, SUBSCRIBERS[0], "unconfirmed")
        recorder.data_delay = 0
        second = run(db_path, server)
        assert kept(recorder) == {email: 1 for email in SUBSCRIBERS[1:]}  # SUBSCRIBERS[0] got nothing
        assert [p["message_id"] for p in delivery_problems(open_db(db_path))] == [lost]

        with pytest.raises(SubscriptionError, match="is not an unconfirmed digest"):
            run(db_path, server, release=(message_id_of(db_path, SUBSCRIBERS[1], "sent"),))
        date = open_db(db_path)["digest_batches"].get(lost)["date"]
        lines: list[str] = []
        released = run(db_path, server, lines, release=[lost.strip("<>")])
        again = run(db_path, server)
        [resent] = [m for m in recorder.emails if m["To"] == SUBSCRIBERS[0]]
    assert (first.sent, first.unconfirmed, first.not_tried) == (0, [SUBSCRIBERS[0]], 11)
    assert (second.sent, second.resent, second.unconfirmed) == (11, 0, [])
    assert (released.released, released.sent, released.unconfirmed, released.aborted) == (1, 1, [], None)
    assert lines == [f"released {SUBSCRIBERS[0]} {lost}: sent again with its Message-ID and Date",
                     f"sent 2 policies to {SUBSCRIBERS[0]}"]
    assert released.summary() == "digest: 12 due, 1 sent (2 policies), 12 with nothing new, 1 released and re-sent"
    assert (again.sent, again.released, again.resent) == (0, 0, 0)
    assert (resent["Message-ID"], resent["Date"]) == (lost, date)
    assert delivery_problems(open_db(db_path)) == []
    db = open_db(db_path)
    logged = [row["unconfirmed"] for row in db["deliveries"].rows_where("message_id = ?", [lost])]
    assert logged == [0, 0]


def test_a_hang_up_during_data_stops_the_run(db_path: Path) -> None:
    """The server drops the connection on the second message, keeping nothing and answering nothing (once the
    message's bytes have left, the client cannot tell a drop before the final dot from one after it): that batch
    is unconfirmed, the first stays sent, the ten after it go out on the next run; the lost one is not re-sent."""
    recorder = Recorder(hang_up_at=2)
    with SmtpServer(recorder) as server:
        first = run(db_path, server)
        second = run(db_path, server)
        assert kept(recorder) == {email: 1 for email in SUBSCRIBERS if email != SUBSCRIBERS[1]}
    assert (first.sent, first.unconfirmed, first.failed, first.not_tried) == (1, [SUBSCRIBERS[1]], 0, 10)
    assert first.aborted and "no reply after the whole message was sent (the connection closed)" in first.aborted
    assert (second.sent, second.resent, second.unconfirmed, second.aborted) == (10, 0, [], None)
    assert batch_states(db_path) == {SUBSCRIBERS[0]: ["sent"], SUBSCRIBERS[1]: ["unconfirmed"],
                                     **{e: ["sent"] for e in SUBSCRIBERS[2:]}}


@pytest.mark.parametrize("fault", ["rcpt", "data"])
def test_a_421_mid_run_stops_the_run_and_its_batch_goes_out_next_run(db_path: Path, fault: str) -> None:
    """421 (the server is closing the channel) for the third subscriber, to RCPT or as the reply to DATA: a
    definite failure, so that batch is failed, not unconfirmed; the run stops instead of reconnecting, and the
    next run sends the third subscriber and the nine after it once each."""
    closing = "421 4.3.2 service shutting down"
    recorder = (Recorder(refuse={SUBSCRIBERS[2]: closing}) if fault == "rcpt"
                else Recorder(data_reply_at={3: closing}))
    with SmtpServer(recorder) as server:
        first = run(db_path, server)
        recorder.refuse = {}
        second = run(db_path, server)
        assert kept(recorder) == {email: 1 for email in SUBSCRIBERS}
    assert first.summary() == ("digest: 12 due, 2 sent (4 policies), 0 with nothing new, 1 failed (will retry), "
                               "stopped at the first server failure, 9 not tried (left for the next run)")
    assert first.aborted and "421 4.3.2 service shutting down" in first.aborted
    assert (second.sent, second.failed, second.aborted) == (10, 0, None)
    assert batch_states(db_path)[SUBSCRIBERS[2]] == ["failed", "sent"]
    assert delivery_problems(open_db(db_path)) == []


def test_a_server_that_never_greets_stops_the_run_before_anything_is_sent(db_path: Path) -> None:
    """The connection is taken but no 220 ever comes: the first batch fails (definite: no DATA), nothing else is
    tried; a healthy server then gets all twelve, once each."""
    with silent_port() as port:
        with SmtpServer(Recorder()) as server:
            mute = server.settings(port=port, timeout=TIMEOUT)
            first = run_digest(open_db(db_path), mute, DigestOptions(force_all=True))
            second = run(db_path, server)
            assert kept(server.recorder) == {email: 1 for email in SUBSCRIBERS}
    assert first.summary() == ("digest: 12 due, 0 sent (0 policies), 0 with nothing new, 1 failed (will retry), "
                               "stopped at the first server failure, 11 not tried (left for the next run)")
    assert first.aborted == f"SMTP 127.0.0.1:{port}: connected, but no greeting within {TIMEOUT:g} s"
    assert (second.sent, second.aborted) == (12, None)
    assert batch_states(db_path)[SUBSCRIBERS[0]] == ["failed", "sent"]


def test_the_digest_command_releases_a_lost_digest(db_path: Path, tmp_path: Path) -> None:
    """`policywatch digest --release MESSAGE-ID`: the operator's way to send a digest the server lost."""
    recorder = Recorder(data_delay=SLOW, commit_first=False)
    with SmtpServer(recorder) as server:
        env = {**server.env(), "POLICYWATCH_SMTP_TIMEOUT": str(TIMEOUT)}
        assert CliRunner().invoke(main, ["digest", "--db", str(db_path), "--all"], env=env).exit_code == 1
        lost = message_id_of(db_path, SUBSCRIBERS[0], "unconfirmed")
        recorder.data_delay = 0
        assert CliRunner().invoke(main, ["digest", "--db", str(db_path), "--all"], env=env).exit_code == 0
        sent = message_id_of(db_path, SUBSCRIBERS[1], "sent")
        wrong = CliRunner().invoke(main, ["digest", "--db", str(db_path), "--release", sent], env=env)
        dry = CliRunner().invoke(main, ["digest", "--db", str(db_path), "--release", lost, "--dry-run", "--out",
                                        str(tmp_path / "eml")], env=env)
        released = CliRunner().invoke(main, ["digest", "--db", str(db_path), "--release", lost], env=env)
    assert (wrong.exit_code, wrong.stderr.strip()) == (
        2, f"policywatch: release: {sent} is not an unconfirmed digest (it is sent)")
    assert (dry.exit_code, dry.stderr.strip()) == (2, "policywatch: --release sends a digest: it cannot go with --dry-run")
    assert released.exit_code == 0, released.output
    assert "1 released and re-sent" in released.stdout
    assert kept(recorder) == {email: 1 for email in SUBSCRIBERS}
