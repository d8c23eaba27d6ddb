"""Email digests end to end: the demo mirror crawled into SQLite, subscriptions, a real SMTP server (aiosmtpd).

What the server received is parsed with the standard `email` parser; failures (nothing listening,
451 then recovery, 550 for one address, a digest process killed mid-batch) must leave every matching
policy delivered to every subscriber exactly once.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from crawler.cli import main
from demo.server import MirrorServer
from feeds.digest import DigestOptions, LOCAL_TZ, run_digest
from feeds.digest.select import new_policies
from feeds.mailer import SmtpSettings
from pipelines.store import assign_policy
from storage.db import open_db
from storage.documents import upsert_document
from storage.policies import SqlitePolicyIndex
from storage.published import policy_entries
from storage.subscriptions import (delivered_policy_ids, delivery_problems, list_subscriptions,
                                   subscription_by_email)
from tests.support.mirror import MIRROR, ROOT, crawl_mirror, refusing_port
from tests.support.policies import add_policy
from tests.support.smtp import Recorder, SmtpServer

SUBSCRIBERS = {
    "hunan@example.org": ["--name", "李明", "--province", "湖南"],
    "jiangsu@example.org": ["--province", "江苏", "--min-amount", "100"],
    "guangdong@example.org": ["--province", "广东", "--all-policies"],
    "zones@example.org": ["--topic", "hitech-zone", "--all-policies"],
    "研究员@例子.中国": ["--keyword", "高新技术企业"],
}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo mirror crawled once into a database file (copied by each test)."""
    path = tmp_path_factory.mktemp("digest") / "crawled.db"
    with MirrorServer(MIRROR) as server:
        result = crawl_mirror(server, path)
    assert result.returncode == 0, result.stderr[-2000:]
    open_db(path).execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture()
def db_path(crawled: Path, tmp_path: Path) -> Path:
    """A copy of the crawled database with the SUBSCRIBERS subscribed (backfill: the crawl was just now)."""
    path = tmp_path / "policywatch.db"
    shutil.copy(crawled, path)
    for email, options in SUBSCRIBERS.items():
        cli("subscribe", email, *options, "--daily", "--backfill", "1", "--db", str(path))
    return path


def cli(*args: str) -> str:
    """Run `policywatch ARGS` in-process; returns its output, fails the test on a non-zero exit."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def expected(db_path: Path) -> dict[str, set[str]]:
    """Policy ids each active subscriber should get, by the same selection digests make."""
    db = open_db(db_path)
    entries = policy_entries(db, with_pages=False)
    return {sub["email"]: {e.policy_id for e in new_policies(entries, sub, set())}
            for sub in list_subscriptions(db, active_only=True)}


def urls_to_ids(db_path: Path) -> dict[str, str]:
    return {e.canonical_url: e.policy_id for e in policy_entries(open_db(db_path), relevant_only=False,
                                                                 with_pages=False)}


FULL_LINK = re.compile(r'<a href="([^"]+)" style="font-weight:bold;color:#0645ad;">')
COMPACT_LINK = re.compile(r'<a href="([^"]+)" style="color:#0645ad;">')
CLOSED_LINK = re.compile(r'<a href="([^"]+)" style="color:#666;">')     # a closed call, under 已截止
# tests/support/policies.add_policy gives every synthetic policy the deadline 2026-02-01: a run on this day
# sees them as open calls, as the tests of sizes and failures want them
BEFORE_SYNTHETIC_DEADLINE = datetime(2026, 1, 20, 9, 0, tzinfo=LOCAL_TZ)


def linked_urls(html: str) -> list[str]:
    """Every policy link of a digest's HTML part: in full, in one line, and under 已截止."""
    return FULL_LINK.findall(html) + COMPACT_LINK.findall(html) + CLOSED_LINK.findall(html)


def received(server: SmtpServer, db_path: Path) -> dict[str, list[tuple[str, set[str]]]]:
    """Per recipient: (Message-ID, policy ids linked from the HTML part, in full or in one line) of every message
    the server kept."""
    ids = urls_to_ids(db_path)
    out: dict[str, list[tuple[str, set[str]]]] = defaultdict(list)
    for item in server.recorder.messages:
        html = item["message"].get_body(("html",)).get_content()
        linked = {ids[url] for url in linked_urls(html)}
        for rcpt in item["rcpt"]:
            out[rcpt].append((item["message"]["Message-ID"], linked))
    return out


def assert_exactly_once(server: SmtpServer, db_path: Path, want: dict[str, set[str]]) -> None:
    """Every wanted policy reached its subscriber under exactly one Message-ID; copies share that Message-ID."""
    got = received(server, db_path)
    for email, policies in want.items():
        by_id: dict[str, set[str]] = {}
        for message_id, linked in got.get(email, []):
            assert by_id.setdefault(message_id, linked) == linked, "a re-sent copy differs from the first"
        counts = Counter(p for linked in by_id.values() for p in linked)
        assert set(counts) == policies, email
        assert all(n == 1 for n in counts.values()), (email, counts)


# ---------------------------------------------------------------------------------------------
# content
# ---------------------------------------------------------------------------------------------

def test_digest_message_content(db_path: Path) -> None:
    # two days before the first deadline of the crawled 湖南 call (2025-11-20 and 2025-11-25): all of it is new
    two_days_before = datetime(2025, 11, 18, 9, 0, tzinfo=LOCAL_TZ)
    with SmtpServer(Recorder()) as server:
        report = run_digest(open_db(db_path), server.settings(),
                            DigestOptions(only="hunan@example.org", base_url="https://pw.example.org/",
                                          now=two_days_before))
        assert (report.sent, report.failed, report.refused) == (1, 0, 0)
        [item] = server.recorder.messages
    msg = item["message"]
    db = open_db(db_path)
    sub = subscription_by_email(db, "hunan@example.org")
    hunan = [e for e in policy_entries(db, with_pages=False) if e.province == "湖南省" and e.has_incentive]
    top = max(e.max_amount_wan for e in hunan)
    assert msg["Subject"] == f"【policywatch】湖南省 {len(hunan)} 条新政策 · 最高 {top:g} 万元"
    assert str(msg["To"]) == "李明 <hunan@example.org>" and item["rcpt"] == ["hunan@example.org"]
    assert msg["Date"] and msg["Message-ID"].endswith("@example.org>")
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert msg["List-Unsubscribe"] == (f"<https://pw.example.org/unsubscribe?token={sub['token']}>, "
                                       f"<mailto:digest@example.org?subject=unsubscribe%20{sub['token']}>")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()
    richest = max(hunan, key=lambda e: (e.max_amount_wan, e.publish_date))
    links = re.findall(r'<a href="([^"]+)" style="font-weight', html)
    assert sorted(links) == sorted(e.canonical_url for e in hunan)
    assert links[0] == richest.canonical_url  # highest amount first
    for entry in hunan:
        assert entry.canonical_url in text and f"最高 {entry.max_amount_wan:g} 万元" in text
    assert "李明，您好" in text and "申报截止：2025-11-20（还剩 2 天）、2025-11-25（还剩 7 天）" in text
    assert "已截止" not in text and CLOSED_LINK.findall(html) == []
    assert f"https://pw.example.org/unsubscribe?token={sub['token']}" in html
    assert text.splitlines()[-1] == f"退订：https://pw.example.org/unsubscribe?token={sub['token']}"
    assert COMPACT_LINK.findall(html) == [] and "另有" not in text
    assert {p.get("Content-Transfer-Encoding") for p in msg.iter_parts()} == {"base64"}


def add_call(db: Any, title: str, deadlines: list[str], *, amount: float = 80.0) -> str:
    """One new 湖南 application guide with these deadlines, stored through the real storage functions; its id."""
    url = f"https://kjt.example.gov.cn/call-{len(title)}-{deadlines[0]}.html"
    upsert_document(db, {
        "url": url, "source_id": "synthetic", "source_kind": "government", "title": title,
        "issuer": "湖南省科学技术厅", "publish_date": deadlines[0][:4] + "-01-05",
        "first_seen": datetime.now(timezone.utc).isoformat(), "province": "湖南省", "level": "provincial",
        "doc_type": "申报指南", "topics": ["hitech-enterprise"],
        "incentives": [{"amount_wan": amount, "amount_max_wan": None, "kind": "补助", "beneficiary": "企业",
                        "condition": None, "text": f"补助{amount:g}万元"}],
        "has_incentive": 1, "max_amount_wan": amount, "is_relevant": 1, "relevance": 0.9,
        "text": f"{title}。对符合条件的企业给予{amount:g}万元补助。", "content_hash": f"call-{title}",
        "deadlines": deadlines})
    return assign_policy(db, url).policy_id


def test_a_backfilled_digest_lists_closed_calls_apart_never_as_new(db_path: Path) -> None:
    """The crawl stored the 2024 and 2025 江苏 application guides just now, so a one-day backfill has them: on
    the digest's day their deadlines have passed, so they follow under 已截止 and the subject counts only the
    guide still open. A subscriber with closed calls only is told there is nothing new."""
    now = datetime.now(LOCAL_TZ)
    in_13_days = (now.date() + timedelta(days=13)).isoformat()
    open_call = add_call(open_db(db_path), "关于组织申报高新技术企业研发补助的申报指南", [in_13_days])
    cli("subscribe", "guides@example.org", "--type", "申报指南", "--all-policies", "--daily", "--backfill", "1",
        "--db", str(db_path))
    cli("subscribe", "js-guides@example.org", "--type", "申报指南", "--province", "江苏", "--all-policies",
        "--daily", "--backfill", "1", "--db", str(db_path))
    entries = {e.title: e for e in policy_entries(open_db(db_path), with_pages=False)}
    guide_2025, guide_2024 = entries["2025年度江苏省高新技术企业培育资金申报指南"], \
        entries["2024年度江苏省高新技术企业培育资金申报指南"]
    with SmtpServer(Recorder()) as server:
        for email in ("guides@example.org", "js-guides@example.org"):
            report = run_digest(open_db(db_path), server.settings(), DigestOptions(only=email, now=now))
            assert report.sent == 1
        mixed, closed_only = (m["message"] for m in server.recorder.messages)
        again = run_digest(open_db(db_path), server.settings(), DigestOptions(only="guides@example.org", now=now))
    assert mixed["Subject"] == "【policywatch】湖南省 1 条新政策 · 最高 80 万元"
    text, html = mixed.get_body(("plain",)).get_content(), mixed.get_body(("html",)).get_content()
    urls = {policy_id: url for url, policy_id in urls_to_ids(db_path).items()}
    assert FULL_LINK.findall(html) == [urls[open_call]] and COMPACT_LINK.findall(html) == []
    assert CLOSED_LINK.findall(html) == [guide_2025.canonical_url, guide_2024.canonical_url]  # latest closed first
    assert "1 条新政策，最高 80 万元；2 条申报已截止，列在最后，仅供参考。" in text
    assert f"申报截止：{in_13_days}（还剩 13 天）" in text
    closed_part = text[text.index("==== 已截止（2 条，截止日期已过，仅供参考）===="):]
    assert text.index("关于组织申报高新技术企业研发补助的申报指南") < text.index("==== 已截止")
    assert f"- 2024年度江苏省高新技术企业培育资金申报指南 · 江苏省 · 截止 2024-04-10（已截止）：" \
           f"{guide_2024.canonical_url}" in closed_part.splitlines()
    assert "2024年度江苏省高新技术企业培育资金申报指南" not in text[:text.index("==== 已截止")]
    assert closed_only["Subject"] == "【policywatch】江苏省 无新政策 · 2 条已截止"
    assert "没有新政策；2 条申报已截止" in closed_only.get_body(("plain",)).get_content()
    sub = subscription_by_email(open_db(db_path), "guides@example.org")   # each went out once, closed ones too
    assert delivered_policy_ids(open_db(db_path), sub["id"]) == {open_call, guide_2025.policy_id,
                                                                 guide_2024.policy_id}
    assert (again.sent, again.empty) == (0, 1)


def test_a_subscription_with_open_wants_only_calls_still_open_on_the_digest_day(db_path: Path) -> None:
    """`open: true` in a subscriptions file: judged on the run's day (--now), not on the wall clock."""
    later = add_call(open_db(db_path), "关于组织申报2026年度科技创新专项的申报指南", ["2026-03-31"], amount=40)
    config = db_path.parent / "subscriptions.yaml"
    config.write_text("subscriptions:\n  - {email: open@example.org, frequency: daily, backfill: 1,\n"
                      "     filter: {province: 湖南, open: true, incentives: false}}\n", encoding="utf-8")
    out = db_path.parent / "eml"
    for day in ("2025-11-18T09:00", "2026-03-01T09:00", "2026-04-01T09:00"):
        cli("digest", "--db", str(db_path), "--config", str(config), "--only", "open@example.org",
            "--now", day, "--dry-run", "--out", str(out / day[:10]))
    urls = {url: policy_id for url, policy_id in urls_to_ids(db_path).items()}
    listed = {}
    for day in ("2025-11-18", "2026-03-01", "2026-04-01"):
        files = sorted((out / day).glob("*.eml"))
        html = message_from_bytes(files[0].read_bytes(), policy=default_policy) \
            .get_body(("html",)).get_content() if files else ""
        listed[day] = {urls[url] for url in linked_urls(html)}
    hunan_call = next(e.policy_id for e in policy_entries(open_db(db_path), with_pages=False)
                      if e.deadlines == ["2025-11-20", "2025-11-25"])
    assert listed == {"2025-11-18": {hunan_call, later}, "2026-03-01": {later}, "2026-04-01": set()}


def test_unsubscribe_token_stops_mail(db_path: Path) -> None:
    token = subscription_by_email(open_db(db_path), "hunan@example.org")["token"]
    assert cli("unsubscribe", token, "--db", str(db_path)).strip() == "unsubscribed hunan@example.org"
    with SmtpServer(Recorder()) as server:
        report = run_digest(open_db(db_path), server.settings(), DigestOptions(force_all=True))
        recipients = {r for m in server.recorder.messages for r in m["rcpt"]}
    assert "hunan@example.org" not in recipients and report.sent == len(SUBSCRIBERS) - 1


def test_a_token_that_looks_like_an_option_goes_after_double_dash(db_path: Path) -> None:
    db = open_db(db_path)
    legacy = "-gFiDlIMJBD0lk0twE7AUPqEc-FM0jHq"                    # a base64url token of an earlier release
    db["subscriptions"].update(subscription_by_email(db, "hunan@example.org")["id"], {"token": legacy})
    result = CliRunner().invoke(main, ["unsubscribe", legacy, "--db", str(db_path)])
    assert result.exit_code == 2 and "No such option" in result.output
    assert cli("unsubscribe", "--db", str(db_path), "--", legacy).strip() == "unsubscribed hunan@example.org"


def test_each_policy_once_and_nothing_when_nothing_new(db_path: Path) -> None:
    want = expected(db_path)
    with SmtpServer(Recorder()) as server:
        first = run_digest(open_db(db_path), server.settings(), DigestOptions(force_all=True))
        second = run_digest(open_db(db_path), server.settings(), DigestOptions(force_all=True))
        assert (first.sent, second.sent, second.empty) == (len(SUBSCRIBERS), 0, len(SUBSCRIBERS))
        assert_exactly_once(server, db_path, want)
        new_id = add_policy(open_db(db_path), "新增", province="湖南省", amount=800)
        third = run_digest(open_db(db_path), server.settings(),
                           DigestOptions(force_all=True, now=BEFORE_SYNTHETIC_DEADLINE))
        last = server.recorder.messages[-1]
    assert third.sent == 1 and last["rcpt"] == ["hunan@example.org"]
    assert last["message"]["Subject"] == "【policywatch】湖南省 1 条新政策 · 最高 800 万元"
    assert received(server, db_path)["hunan@example.org"][-1][1] == {new_id}


def test_schedule_decides_who_is_due(db_path: Path) -> None:
    cli("subscribe", "weekly@example.org", "--province", "湖南", "--weekly", "--weekday", "wed", "--at", "09:00",
        "--backfill", "1", "--db", str(db_path))
    db = open_db(db_path)
    created = datetime.fromisoformat(subscription_by_email(db, "weekly@example.org")["created_at"])
    # the first Wednesday 09:00 (Asia/Shanghai) after the subscriptions were made
    local = created.astimezone(LOCAL_TZ)
    wednesday = local.replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=(2 - local.weekday()) % 7)
    wednesday += timedelta(days=7) if wednesday <= local else timedelta(0)
    with SmtpServer(Recorder()) as server:
        before = run_digest(db, server.settings(), DigestOptions(now=wednesday.replace(hour=8, minute=59)))
        at_nine = run_digest(db, server.settings(), DigestOptions(now=wednesday))
        again = run_digest(db, server.settings(), DigestOptions(now=wednesday.replace(hour=20)))
        weekly_mail = [m for m in server.recorder.messages if m["rcpt"] == ["weekly@example.org"]]
    # each daily one (08:00) is due at 08:59 when it was made before that Wednesday's 08:00
    daily_made = [datetime.fromisoformat(subscription_by_email(db, email)["created_at"]) for email in SUBSCRIBERS]
    assert before.due == sum(wednesday - made >= timedelta(hours=1) for made in daily_made)
    assert at_nine.due == 1 and at_nine.sent == 1  # the weekly one at its hour
    assert again.due == 0
    assert len(weekly_mail) == 1


def test_dry_run_writes_eml_and_records_nothing(db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "eml"
    with refusing_port() as port:            # a dry run never connects
        settings = SmtpSettings(host="127.0.0.1", port=port, security="none", from_addr="digest@example.org")
        report = run_digest(open_db(db_path), settings, DigestOptions(force_all=True, out_dir=out))
    files = sorted(out.glob("*.eml"))
    assert len(files) == len(report.written) == len(SUBSCRIBERS)
    assert open_db(db_path).execute("select count(*) from deliveries").fetchone()[0] == 0
    assert open_db(db_path).execute("select count(*) from digest_batches").fetchone()[0] == 0


@dataclass
class SessionRecorder(Recorder):
    """A Recorder that also notes the client connection (peer address) each message came on."""

    peers: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.peers.append(session.peer)
        return await super().handle_DATA(server, session, envelope)


def test_one_smtp_connection_for_a_whole_run(db_path: Path) -> None:
    with SmtpServer(SessionRecorder()) as server:
        report = run_digest(open_db(db_path), server.settings(), DigestOptions(force_all=True))
        peers = server.recorder.peers
    assert report.sent == len(peers) == len(SUBSCRIBERS) and len(set(peers)) == 1


# ---------------------------------------------------------------------------------------------
# size limit
# ---------------------------------------------------------------------------------------------

def capped_setup(tmp_path: Path, count: int) -> tuple[Path, dict[int, str]]:
    """A fresh database with cap@example.org subscribed (CLI) and `count` matching policies worth 10, 20, … 万元."""
    path = tmp_path / "capped.db"
    cli("subscribe", "cap@example.org", "--keyword", "容量测试", "--daily", "--backfill", "1", "--db", str(path))
    db = open_db(path)
    ids = {10 * n: add_policy(db, f"容量测试第{n}号", province="湖南省", amount=10 * n) for n in range(1, count + 1)}
    return path, ids


def test_size_limit_lists_the_richest_and_keeps_the_rest_for_the_next_digest(tmp_path: Path) -> None:
    path, ids = capped_setup(tmp_path, 7)
    options = DigestOptions(only="cap@example.org", max_items=2, max_listed=5, base_url="https://pw.example.org/",
                            now=BEFORE_SYNTHETIC_DEADLINE)
    with SmtpServer(Recorder()) as server:
        first = run_digest(open_db(path), server.settings(), options)
        second = run_digest(open_db(path), server.settings(), options)
        third = run_digest(open_db(path), server.settings(), options)
        one, two = (m["message"] for m in server.recorder.messages)
    urls = {policy_id: url for url, policy_id in urls_to_ids(path).items()}
    html, text = one.get_body(("html",)).get_content(), one.get_body(("plain",)).get_content()
    assert one["Subject"] == "【policywatch】湖南省 7 条新政策 · 最高 70 万元"  # the true count, not the listed one
    assert FULL_LINK.findall(html) == [urls[ids[70]], urls[ids[60]]]
    assert COMPACT_LINK.findall(html) == [urls[ids[50]], urls[ids[40]], urls[ids[30]]]
    assert f"- 容量测试第5号 · 湖南省 · 最高 50 万元 · 截止 2026-02-01（还剩 12 天）：{urls[ids[50]]}" in text.splitlines()
    assert "金额最高的 2 条详列，其后 3 条每条一行，另有 2 条留待下次摘要。" in text
    assert "另有 2 条，见 https://pw.example.org/；它们会在下一封摘要中列出。" in text
    assert '另有 2 条，见 <a href="https://pw.example.org/"' in html
    assert (first.sent, first.policies, first.waiting) == (1, 5, 2)
    assert "2 policies over the size limit left for the next digest" in first.summary()
    assert two["Subject"] == "【policywatch】湖南省 2 条新政策 · 最高 20 万元"
    assert FULL_LINK.findall(two.get_body(("html",)).get_content()) == [urls[ids[20]], urls[ids[10]]]
    assert (second.sent, second.policies, second.waiting, third.sent, third.empty) == (1, 2, 0, 0, 1)
    sub = subscription_by_email(open_db(path), "cap@example.org")
    assert delivered_policy_ids(open_db(path), sub["id"]) == set(ids.values())


def test_digest_command_size_options(tmp_path: Path) -> None:
    path, _ = capped_setup(tmp_path, 4)
    out = tmp_path / "eml"
    result = CliRunner().invoke(main, ["digest", "--db", str(path), "--all", "--dry-run", "--out", str(out),
                                       "--max-items", "1", "--max-listed", "3"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == ("digest: 1 due, 1 written (3 policies), 0 with nothing new, "
                                              "1 policies over the size limit left for the next digest")
    result = CliRunner().invoke(main, ["digest", "--db", str(path), "--all", "--max-items", "5", "--max-listed", "3"])
    assert result.exit_code == 2 and result.output.strip().splitlines() == [
        "policywatch: --max-listed (3) must be at least --max-items (5)"]


# ---------------------------------------------------------------------------------------------
# failures
# ---------------------------------------------------------------------------------------------

def test_nothing_listening_keeps_everything_pending(db_path: Path) -> None:
    want = expected(db_path)
    with refusing_port() as port:
        down = SmtpSettings(host="127.0.0.1", port=port, security="none", from_addr="digest@example.org", timeout=5)
        report = run_digest(open_db(db_path), down, DigestOptions(force_all=True))
    assert report.sent == 0 and report.aborted and "cannot connect" in report.aborted
    assert delivery_problems(open_db(db_path))[0]["permanent"] is False
    with SmtpServer(Recorder()) as server:
        later = run_digest(open_db(db_path), server.settings(), DigestOptions(force_all=True))
        assert later.sent == len(SUBSCRIBERS)
        assert_exactly_once(server, db_path, want)
    assert delivery_problems(open_db(db_path)) == []


def test_451_then_recovery(db_path: Path) -> None:
    want = expected(db_path)
    with SmtpServer(Recorder(data_replies=["451 4.3.0 mailbox busy"])) as server:
        first = run_digest(open_db(db_path), server.settings(), DigestOptions(force_all=True))
        assert (first.sent, first.failed) == (len(SUBSCRIBERS) - 1, 1)
        [problem] = delivery_problems(open_db(db_path))
        assert (problem["code"], problem["permanent"], problem["disabled"]) == (451, False, False)
        second = run_digest(open_db(db_path), server.settings(), DigestOptions(force_all=True))
        assert second.sent == 1
        assert_exactly_once(server, db_path, want)


def test_550_for_one_address_does_not_block_others(db_path: Path) -> None:
    want = expected(db_path)
    gone = "jiangsu@example.org"
    with SmtpServer(Recorder(refuse={gone: "550 5.1.1 mailbox unavailable"})) as server:
        reports = [run_digest(open_db(db_path), server.settings(), DigestOptions(force_all=True, max_failures=2))
                   for _ in range(2)]
        recipients = {r for m in server.recorder.messages for r in m["rcpt"]}
    assert (reports[0].sent, reports[0].refused) == (len(SUBSCRIBERS) - 1, 1)
    assert reports[1].refused == 1 and reports[1].disabled == [gone]
    assert recipients == set(want) - {gone}
    [problem] = delivery_problems(open_db(db_path))
    assert (problem["email"], problem["code"], problem["permanent"], problem["failures"], problem["disabled"]) == \
        (gone, 550, True, 2, True)
    assert not subscription_by_email(open_db(db_path), gone)["active"]
    assert cli("digest", "--db", str(db_path), "--all", "--dry-run", "--out", str(db_path.parent / "x")) \
        .startswith(f"digest: {len(SUBSCRIBERS) - 1} due")


def digest_command(db_path: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "crawler", "digest", "--db", str(db_path), *options]


def kill_when_blocked(recorder: Recorder, command: list[str], env: dict[str, str]) -> None:
    """Start `policywatch digest`, SIGKILL it once the server blocks, then let the server go on."""
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert recorder.blocked.wait(60), process.communicate(timeout=5)
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    recorder.release.set()


def run_ok(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run `policywatch digest` to its end; fails the test unless it exits 0."""
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


def server_copies(recorder: Recorder) -> Counter:
    """(recipient, policy URL) -> how many copies the server kept, whatever their Message-ID."""
    counts: Counter = Counter()
    for item in recorder.messages:
        html = item["message"].get_body(("html",)).get_content()
        for url in linked_urls(html):
            for rcpt in item["rcpt"]:
                counts[(rcpt, url)] += 1
    return counts


def assert_no_copy_twice(recorder: Recorder) -> None:
    copies = server_copies(recorder)
    assert copies and all(n == 1 for n in copies.values()), [k for k, n in copies.items() if n > 1]
    ids = Counter(m["message"]["Message-ID"] for m in recorder.messages)
    assert all(n == 1 for n in ids.values())


def batches(db_path: Path, status: str) -> list[dict[str, Any]]:
    return list(open_db(db_path)["digest_batches"].rows_where("status = ?", [status]))


def test_killed_mid_batch_with_a_size_limit_delivers_each_policy_once(db_path: Path) -> None:
    """Kill while the server holds a capped digest; runs until nothing is left send each policy once, no copies."""
    want = expected(db_path)
    recorder = Recorder(block_at=3, commit_first=True)
    with SmtpServer(recorder) as server:
        env = {**os.environ, **server.env()}
        command = digest_command(db_path, "--all", "--max-items", "1", "--max-listed", "2")
        kill_when_blocked(recorder, command, env)
        outputs = []
        for _ in range(max(len(p) for p in want.values()) + 1):
            again = run_ok(command, env)
            outputs.append(again.stdout)
            if " 0 sent " in again.stdout:
                break
        assert "1 unconfirmed, not re-sent" in outputs[0] and " 0 sent " in outputs[-1]
        assert_exactly_once(server, db_path, want)
        assert_no_copy_twice(recorder)
    assert all(len(linked) <= 2 for got in received(server, db_path).values() for _, linked in got)


@pytest.mark.parametrize("recorder_options, summary", [
    ({"block_at": 3, "commit_first": True}, "1 unconfirmed, not re-sent"),
    ({"block_rcpt_at": 3}, "1 unfinished re-sent"),
], ids=["killed-after-server-kept-it", "killed-before-data"])
def test_killed_mid_batch_delivers_each_policy_exactly_once(db_path: Path, recorder_options: dict[str, Any],
                                                            summary: str) -> None:
    """The server counts the copies: every wanted policy reached every subscriber once, never twice."""
    want = expected(db_path)
    recorder = Recorder(**recorder_options)
    with SmtpServer(recorder) as server:
        env = {**os.environ, **server.env()}
        command = digest_command(db_path, "--all")
        kill_when_blocked(recorder, command, env)
        again = run_ok(command, env)
        assert summary in again.stdout
        assert_exactly_once(server, db_path, want)
        assert_no_copy_twice(recorder)
        assert len(recorder.messages) == len(SUBSCRIBERS)
        third = run_ok(command, env)
        assert " 0 sent " in third.stdout and len(recorder.messages) == len(SUBSCRIBERS)
    unconfirmed = [p for p in delivery_problems(open_db(db_path)) if p["unconfirmed"]]
    assert len(unconfirmed) == (0 if "block_rcpt_at" in recorder_options else 1)


def test_a_message_lost_during_data_is_logged_unconfirmed_and_listed(db_path: Path) -> None:
    """The documented exception: the server never kept the message whose DATA was in flight at the kill (it
    blocks before keeping; the client's death cancels it). It is not re-sent (when the server did keep such a
    message, a re-send would duplicate it); its policies are logged unconfirmed and listed for ops."""
    want = expected(db_path)
    recorder = Recorder(block_at=3, commit_first=False)
    with SmtpServer(recorder) as server:
        env = {**os.environ, **server.env()}
        command = digest_command(db_path, "--all")
        kill_when_blocked(recorder, command, env)
        again = run_ok(command, env)
        assert_no_copy_twice(recorder)
    [batch] = batches(db_path, "unconfirmed")
    db = open_db(db_path)
    lost = db["subscriptions"].get(batch["subscription_id"])["email"]
    got = received(server, db_path)
    assert lost not in got and len(got) == len(SUBSCRIBERS) - 1
    assert_exactly_once(server, db_path, {email: ids for email, ids in want.items() if email != lost})
    logged = {row["policy_id"]: row["unconfirmed"] for row in db["deliveries"].rows_where(
        "subscription_id = ?", [batch["subscription_id"]])}
    assert set(logged) == want[lost] and set(logged.values()) == {1}
    [problem] = delivery_problems(db)
    assert (problem["email"], problem["message_id"], problem["unconfirmed"], problem["at"]) == \
        (lost, batch["message_id"], True, batch["finished_at"])
    assert batch["message_id"] in problem["error"] and "check the mail log" in problem["error"]
    status = CliRunner().invoke(main, ["status", "--db", str(db_path)])
    assert f"digest delivery problem: {lost}: - unconfirmed: Message-ID {batch['message_id']}" in status.output


def test_a_lost_data_reply_is_not_re_sent(db_path: Path) -> None:
    """Server keeps the 2nd message, then never answers: the client times out, logs it unconfirmed, stops; the
    next run sends the rest."""
    want = expected(db_path)
    recorder = Recorder(block_at=2, commit_first=True)
    with SmtpServer(recorder) as server:
        first = run_digest(open_db(db_path), server.settings(timeout=1.0), DigestOptions(force_all=True))
        second = run_digest(open_db(db_path), server.settings(), DigestOptions(force_all=True))
        assert_exactly_once(server, db_path, want)
        assert_no_copy_twice(recorder)
    assert (first.sent, len(first.unconfirmed), second.sent, second.resent) == (1, 1, len(SUBSCRIBERS) - 2, 0)
    assert "1 unconfirmed, not re-sent" in first.summary()
    [problem] = delivery_problems(open_db(db_path))
    assert problem["email"] == first.unconfirmed[0] and "no reply after the whole message" in problem["error"]


def test_a_policy_merged_while_its_batch_was_pending_goes_out_as_its_survivor(tmp_path: Path) -> None:
    """Batch {A, C} recorded, killed before DATA; A is merged into B; the next run sends B and C, once."""
    path = tmp_path / "merge.db"
    cli("subscribe", "m@example.org", "--keyword", "合并测试", "--daily", "--backfill", "1", "--db", str(path))
    db = open_db(path)
    a = add_policy(db, "合并测试甲", province="湖南省", amount=30)
    c = add_policy(db, "合并测试丙", province="湖南省", amount=10)
    recorder = Recorder(block_rcpt_at=1)
    with SmtpServer(recorder) as server:
        env = {**os.environ, **server.env()}
        command = digest_command(path, "--all")
        kill_when_blocked(recorder, command, env)
        [batch] = batches(path, "pending")
        assert set(json.loads(batch["policy_ids"])) == {a, c}
        b = add_policy(db, "合并测试乙", province="湖南省", amount=20)
        document_id = db.execute("select id from documents where policy_id = ?", [a]).fetchone()[0]
        with db.conn:
            SqlitePolicyIndex(db).absorb_policy(b, a, document_id, "test", datetime.now(timezone.utc).isoformat())
        again = run_ok(command, env)
        assert "1 unfinished re-sent" in again.stdout and "with nothing new" in again.stdout
        assert_exactly_once(server, path, {"m@example.org": {b, c}})
        assert_no_copy_twice(recorder)
        [message] = recorder.messages
    assert message["message"]["Message-ID"] == batch["message_id"]
    sub = subscription_by_email(open_db(path), "m@example.org")
    assert delivered_policy_ids(open_db(path), sub["id"]) == {b, c}
    assert "另有" not in message["message"].get_body(("plain",)).get_content()


def test_a_re_sent_batch_does_not_announce_policies_sent_in_the_same_run(tmp_path: Path) -> None:
    """A capped batch killed before DATA: the re-sent copy must not say 另有 K 条留待下次 when the next batch of
    the same run sends them seconds later; the summary counts nothing as left over."""
    path, ids = capped_setup(tmp_path, 4)
    recorder = Recorder(block_rcpt_at=1)
    with SmtpServer(recorder) as server:
        env = {**os.environ, **server.env()}
        command = digest_command(path, "--all", "--max-items", "1", "--max-listed", "2",
                                 "--now", BEFORE_SYNTHETIC_DEADLINE.isoformat())
        kill_when_blocked(recorder, command, env)
        again = run_ok(command, env)
        first, second = (m["message"] for m in recorder.messages)
    assert again.stdout.splitlines()[-1] == "digest: 1 due, 2 sent (4 policies), 0 with nothing new, " \
                                            "1 unfinished re-sent"
    assert "另有" not in first.get_body(("plain",)).get_content()
    assert first["Subject"] == "【policywatch】湖南省 2 条新政策 · 最高 40 万元"
    assert "另有" not in second.get_body(("plain",)).get_content()


def test_two_digest_runs_never_overlap(db_path: Path) -> None:
    recorder = Recorder(block_at=1, commit_first=True)
    with SmtpServer(recorder) as server:
        env = {**os.environ, **server.env()}
        command = digest_command(db_path, "--all")
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert recorder.blocked.wait(60)
        second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        recorder.release.set()
        out, err = process.communicate(timeout=120)
    assert second.returncode == 2 and second.stdout == ""
    assert second.stderr.splitlines() == [f"policywatch: another digest run is using {db_path} "
                                          f"(lock {db_path}.digest.lock); try again when it ends"]
    assert process.returncode == 0, err
    assert out.decode().startswith(f"digest: {len(SUBSCRIBERS)} due, {len(SUBSCRIBERS)} sent")
    assert_no_copy_twice(recorder)


def test_idn_recipients_without_smtputf8(tmp_path: Path) -> None:
    """ASCII mailbox at an IDN domain: sent with the IDNA domain. UTF-8 mailbox, server without SMTPUTF8:
    a permanent refusal for that address (counted towards disabling); the others still get theirs."""
    path = tmp_path / "idn.db"
    for address in ("li@例子.中国", "研究员@例子.中国", "plain@example.org"):
        cli("subscribe", address, "--keyword", "域名测试", "--daily", "--backfill", "1", "--db", str(path))
    add_policy(open_db(path), "域名测试", province="湖南省", amount=10)
    with SmtpServer(Recorder(), enable_SMTPUTF8=False) as server:
        reports = [run_digest(open_db(path), server.settings(), DigestOptions(force_all=True, max_failures=2))
                   for _ in range(2)]
        got = {rcpt: m["message"]["To"] for m in server.recorder.messages for rcpt in m["rcpt"]}
    assert got == {"li@xn--fsqu00a.xn--fiqs8s": "li@xn--fsqu00a.xn--fiqs8s", "plain@example.org": "plain@example.org"}
    assert (reports[0].sent, reports[0].refused, reports[1].refused, reports[1].disabled) == \
        (2, 1, 1, ["研究员@例子.中国"])
    [problem] = delivery_problems(open_db(path))
    assert (problem["email"], problem["code"], problem["permanent"], problem["disabled"]) == \
        ("研究员@例子.中国", 553, True, True)
    assert "SMTPUTF8" in problem["error"]


# ---------------------------------------------------------------------------------------------
# safety
# ---------------------------------------------------------------------------------------------

def test_hostile_titles_cannot_inject_headers_or_markup(db_path: Path) -> None:
    db = open_db(db_path)
    cli("subscribe", "safe@example.org", "--keyword", "注入测试", "--daily", "--backfill", "1", "--db", str(db_path))
    title = "注入测试\r\nBcc: victim@example.org\r\n<script>alert(1)</script><b>粗</b>" + "长" * 2000
    add_policy(db, title, province="湖南省", amount=60, url="javascript:alert(1)//x.html",
               text="注入测试\x00\x1b[31m<img src=x onerror=alert(1)>")
    add_policy(db, "注入测试 第二条", province="湖南省", amount=10)
    with SmtpServer(Recorder()) as server:
        run_digest(db, server.settings(), DigestOptions(only="safe@example.org", now=BEFORE_SYNTHETIC_DEADLINE))
        [item] = server.recorder.messages
    msg = item["message"]
    assert item["rcpt"] == ["safe@example.org"] and msg["Bcc"] is None
    assert msg["Subject"] == "【policywatch】湖南省 2 条新政策 · 最高 60 万元"
    html, text = msg.get_body(("html",)).get_content(), msg.get_body(("plain",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html and "<img" not in html
    assert "javascript:" not in html and "\x1b" not in text and "\x00" not in text
    assert "注入测试 Bcc: victim@example.org" in text and "长" * 2000 not in text
    assert all(len(line) <= 998 for line in msg.as_string().splitlines())


def test_offer_lines_state_amounts_or_the_rate_offered():
    from feeds.digest.message import offer_line

    assert offer_line({"amount_wan": None, "amount_max_wan": 50, "kind": "奖励", "beneficiary": "高新技术企业"}) == \
        "奖励 50 万元（高新技术企业）"
    rate = {"amount_wan": None, "amount_max_wan": None, "kind": "减免", "beneficiary": "高新技术企业",
            "rate": "减按15%的税率征收企业所得税"}
    assert offer_line(rate) == "减免 减按15%的税率征收企业所得税（高新技术企业）"
    assert offer_line({"amount_wan": None, "amount_max_wan": None, "kind": "奖励"}) == ""


# ---------------------------------------------------------------------------------------------
# subjects and excerpts
# ---------------------------------------------------------------------------------------------

def digest_subjects(path: Path, keyword: str, policies: list[tuple[str | None, float]]) -> str:
    """The subject of the one digest a subscriber to `keyword` gets for these (province, amount) policies."""
    cli("subscribe", f"{len(policies)}@example.org", "--keyword", keyword, "--daily", "--backfill", "1",
        "--db", str(path))
    db = open_db(path)
    for n, (province, amount) in enumerate(policies):
        add_policy(db, f"{keyword}第{n}条", province=province, amount=amount)
    with SmtpServer(Recorder()) as server:
        run_digest(open_db(path), server.settings(),
                   DigestOptions(only=f"{len(policies)}@example.org", now=BEFORE_SYNTHETIC_DEADLINE))
        [item] = server.recorder.messages
    return item["message"]["Subject"]


def test_a_subject_names_real_regions_only(tmp_path: Path) -> None:
    """Pages without a region are no place: never named as 其他地区, never counted as one of the 「等 N 地」."""
    path = tmp_path / "places.db"
    assert digest_subjects(path, "甲地区测试", [(None, 10), (None, 20), ("湖南省", 30)]) == \
        "【policywatch】湖南省等 3 条新政策 · 最高 30 万元"
    assert digest_subjects(path, "乙地区测试", [(None, 10), (None, 40)]) == "【policywatch】2 条新政策 · 最高 40 万元"
    assert digest_subjects(path, "丙地区测试", [("湖南省", 10), ("湖南省", 20), ("广东省", 90), ("江苏省", 30),
                                               ("浙江省", 5), (None, 60), (None, 70)]) == \
        "【policywatch】湖南省、广东省等 4 地 7 条新政策 · 最高 90 万元"
    assert digest_subjects(path, "丁地区测试", [("湖南省", 10), ("广东省", 20), ("广东省", 5)]) == \
        "【policywatch】广东省、湖南省 3 条新政策 · 最高 20 万元"


def test_digest_excerpts_open_with_substance(tmp_path: Path) -> None:
    path = tmp_path / "excerpts.db"
    cli("subscribe", "excerpt@example.org", "--keyword", "摘录测试", "--daily", "--backfill", "1", "--db", str(path))
    db = open_db(path)
    substance = "为支持高新技术企业发展，对首次认定的企业给予30万元奖励。"
    add_policy(db, "摘录测试：认定奖励的通知", province="湖南省", amount=30,
               text="湘科发〔2026〕3号\n各市州科技局，各国家级、省级高新区管委会：\n" + substance + "请认真贯彻执行。")
    add_policy(db, "摘录测试：培育资金", province="湖南省", amount=20)  # its text opens with its title repeated
    with SmtpServer(Recorder()) as server:
        run_digest(db, server.settings(), DigestOptions(only="excerpt@example.org", now=BEFORE_SYNTHETIC_DEADLINE))
        [item] = server.recorder.messages
    text = item["message"].get_body(("plain",)).get_content()
    html = item["message"].get_body(("html",)).get_content()
    lines = text.splitlines()
    assert f"  {substance}请认真贯彻执行。" in lines
    assert f'<span style="color:#555;font-size:13px;">{substance}请认真贯彻执行。</span>' in html
    assert "  对首次认定的企业给予20万元奖励。摘录测试：培育资金。对首次认定的企业给予20万元奖励。" in lines
    assert "湘科发〔2026〕3号" not in text and "管委会：" not in text and "  摘录测试：培育资金。" not in text
