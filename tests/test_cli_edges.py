"""Command-line edges: `policies list` order, filters and JSON; digest failures reported once; terminal widths."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import main
from crawler.cli.common import display_width, pad
from pipelines.dedup.normalise import content_hash_of
from pipelines.store import assign_policy
from storage.db import open_db
from storage.documents import upsert_document
from storage.subscriptions import save_subscription
from tests.support.mirror import refusing_port
from tests.support.policies import add_policy

ROOT = Path(__file__).resolve().parent.parent

# (key, publish date, page date, when the policy was first seen, province, relevant, text); each its own policy.
POLICIES = [
    ("published-may", "2025-05-01", "2025-05-03", "2025-05-04T02:00:00+00:00", "湖南省", True, "高新技术企业认定奖励"),
    ("page-june", None, "2025-06-01", "2025-06-02T01:00:00+00:00", "广东省", True, "研发费用补助申报"),
    # first seen 17:30 UTC on 2025-05-31: 2025-06-01 in Beijing (after page-june was seen, before published-june)
    ("seen-june", None, None, "2025-05-31T17:30:00+00:00", "湖南省", False, "科技型中小企业评价工作"),
    ("published-june", "2025-06-01", None, "2025-05-30T00:00:00+00:00", "湖南省", True, "孵化器绩效评价结果"),
    ("published-2024", "2024-12-31", None, "2025-01-02T00:00:00+00:00", "江苏省", True, "专精特新企业培育"),
    ("national", "2025-03-15", None, "2025-03-16T00:00:00+00:00", None, True, "全国技术转移体系建设方案"),
]
NEWEST_FIRST = ["page-june", "seen-june", "published-june", "published-may", "national", "published-2024"]


def policy_database(path: Path) -> dict[str, str]:
    """A database of POLICIES stored as the store step does (one document each, folded into its policy),
    with each policy's first-seen time set; key -> policy id."""
    db = open_db(path)
    ids = {}
    for key, published, page, seen, province, relevant, subject in POLICIES:
        text = f"各有关单位：现将{subject}有关事项通知如下。{key}。" * 3
        url = f"https://gov.example/{key}.html"
        upsert_document(db, {
            "url": url, "source_id": "gov-example", "source_kind": "government", "title": f"关于{subject}的通知",
            "publish_date": published, "page_date": page, "first_seen": seen, "fetched_at": seen, "text": text,
            "content_hash": content_hash_of(text), "province": province,
            "level": "national" if province is None else "provincial", "doc_type": "通知",
            "topics": ["hitech-enterprise"] if key.startswith("published") else ["tech-transfer"],
            "is_relevant": int(relevant), "relevance": 0.9 if relevant else 0.1})
        ids[key] = assign_policy(db, url).policy_id
        db.execute("update policies set created_at = ? where id = ?", [seen, ids[key]])
    db.conn.commit()
    return ids


@pytest.fixture(scope="module")
def listed(tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("policies") / "pw.db"
    return {"path": path, "ids": policy_database(path)}


def listing(listed: dict, *options: str) -> list[str]:
    """The keys of the policies `policies list --json` prints, in its order."""
    result = CliRunner().invoke(main, ["policies", "list", "--db", str(listed["path"]), "--json", *options])
    assert result.exit_code == 0, result.output
    keys = {policy_id: key for key, policy_id in listed["ids"].items()}
    return [keys[row["id"]] for row in json.loads(result.output)]


def test_policies_list_is_newest_first_by_publish_date_else_page_date_else_first_seen_day(listed):
    assert listing(listed) == NEWEST_FIRST
    result = CliRunner().invoke(main, ["policies", "list", "--db", str(listed["path"]), "--json"])
    rows = {row["id"]: row for row in json.loads(result.output)}
    ids = listed["ids"]
    assert {key: (rows[ids[key]]["date"], rows[ids[key]]["date_kind"]) for key in NEWEST_FIRST} == {
        "seen-june": ("2025-06-01", "first_seen"), "published-june": ("2025-06-01", "published"),
        "page-june": ("2025-06-01", "page"), "published-may": ("2025-05-01", "published"),
        "national": ("2025-03-15", "published"), "published-2024": ("2024-12-31", "published")}
    first = rows[ids["published-may"]]
    assert (first["publish_date"], first["page_count"], first["canonical_kind"], first["is_relevant"],
            first["province"], first["topics"]) == ("2025-05-01", 1, "government", True, "湖南省", ["hitech-enterprise"])


def test_policies_list_table_and_paging(listed):
    runner = CliRunner()
    result = runner.invoke(main, ["policies", "list", "--db", str(listed["path"]), "--limit", "2", "--offset", "1"])
    assert result.exit_code == 0, result.output
    ids = listed["ids"]
    assert result.output.splitlines() == [
        "policy           pages  canonical   date        rev  title",
        f"{ids['seen-june']}       1  government  -             0  关于科技型中小企业评价工作的通知",
        f"{ids['published-june']}       1  government  2025-06-01    0  关于孵化器绩效评价结果的通知",
        "2 of 6 policies (from 2)"]
    first = runner.invoke(main, ["policies", "list", "--db", str(listed["path"]), "--limit", "1"])
    assert first.output.splitlines()[1:] == [f"{ids['page-june']}       1  government  2025-06-01    0  "
                                             "关于研发费用补助申报的通知", "1 of 6 policies"]


def test_policies_list_filters(listed):
    assert listing(listed, "--province", "湖南") == ["seen-june", "published-june", "published-may"]
    assert listing(listed, "--province", "湖南", "--relevant-only") == ["published-june", "published-may"]
    assert listing(listed, "--province", "全国") == ["national"]
    assert listing(listed, "--topic", "高新技术企业", "--province", "江苏省") == ["published-2024"]
    assert listing(listed, "--filter", "province=湖南,广东 keyword=补助") == ["page-june"]
    assert listing(listed, "--since", "2025-06-01") == ["page-june", "seen-june", "published-june"]
    assert listing(listed, "--since", "2025-06-02") == []
    assert listing(listed, "--relevant-only", "--limit", "2") == ["page-june", "published-june"]
    result = CliRunner().invoke(main, ["policies", "list", "--db", str(listed["path"]), "--province", "湖南"])
    assert result.output.splitlines()[-1] == "3 of 3 policies"
    for options, message in ((["--province", "火星"], "unknown province '火星'"),
                             (["--filter", "colour=red"], "unknown filter key 'colour'"),
                             (["--since", "2025/06/01"], "--since takes a date as YYYY-MM-DD")):
        failed = CliRunner().invoke(main, ["policies", "list", "--db", str(listed["path"]), *options])
        assert failed.exit_code == 2 and message in failed.output and len(failed.output.splitlines()) == 1


def test_a_title_with_line_breaks_stays_on_its_row(tmp_path):
    db = open_db(tmp_path / "pw.db")
    policy = add_policy(db, "关于高新技术企业\r\n认定奖励的通知", province="湖南省", amount=10)
    result = CliRunner().invoke(main, ["policies", "list", "--db", str(tmp_path / "pw.db")])
    assert result.output.splitlines()[1:] == [
        f"{policy}       1  government  2026-01-05    0  关于高新技术企业 认定奖励的通知", "1 of 1 policies"]


def test_display_width_counts_wide_characters_twice():
    assert [display_width(text) for text in ("li@example.org", "研究员@例子.中国", "ＡＢ", "é", "e\u0301")] == \
        [14, 16, 4, 1, 1]
    assert pad("湖南", 6) == "湖南  " and pad("toolong", 3) == "toolong"


def test_a_digest_stopped_by_the_mail_server_says_so_once(tmp_path):
    """A server that refuses the connection: one progress line naming the address and the reason, and the
    command's one-line verdict; no third copy from the log when the process has set up no logging."""
    path = tmp_path / "pw.db"
    db = open_db(path)
    save_subscription(db, email="li@example.org", filter_data={"provinces": ["湖南省"]}, frequency="daily",
                      backfill_days=3650)
    add_policy(db, "关于高新技术企业认定奖励的通知", province="湖南省", amount=30)
    db.conn.commit()
    with refusing_port() as port:
        env = {**os.environ, "POLICYWATCH_SMTP_HOST": "127.0.0.1", "POLICYWATCH_SMTP_PORT": str(port),
               "POLICYWATCH_SMTP_SECURITY": "none", "POLICYWATCH_SMTP_FROM": "digest@example.org"}
        done = subprocess.run([sys.executable, "-m", "crawler", "digest", "--db", str(path), "--all"], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.splitlines()
    reason = lines[0].removeprefix("failed li@example.org (kept for the next run): ")
    assert reason.startswith(f"SMTP 127.0.0.1:{port}: ") and reason != lines[0]
    assert lines == [f"failed li@example.org (kept for the next run): {reason}",
                     f"policywatch: digest stopped: {reason}"]


def test_reclassify_refuses_an_unknown_source(tmp_path):
    from storage.db import open_db
    from tests.support.mirror import run_cli

    db = tmp_path / "pw.db"
    open_db(db).conn.close()
    done = run_cli("reclassify", "--db", str(db), "--source", "nosuch")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"policywatch: unknown source 'nosuch': none in the sources or the documents of {db}"]


def test_policies_show_gives_each_deadline_its_state(tmp_path):
    from feeds.deadlines import deadline_states, today_in_beijing
    from storage.db import open_db
    from tests.support.mirror import run_cli
    from tests.support.policies import add_policy

    path = tmp_path / "pw.db"
    policy_id = add_policy(open_db(path), "关于高新技术企业认定奖励的通知", province="湖南省", amount=30)
    [state] = deadline_states(["2026-02-01"], today_in_beijing())
    shown = run_cli("policies", "show", policy_id, "--db", str(path))
    assert shown.returncode == 0, shown.stderr
    assert f"  deadlines:  {state.text}" in shown.stdout.splitlines()
    as_json = json.loads(run_cli("policies", "show", policy_id, "--db", str(path), "--json").stdout)
    assert as_json["deadlines"] == ["2026-02-01"]
    assert as_json["deadline_states"] == [state.to_dict()]
    assert as_json["call"] == ("closed" if state.status == "closed" else "open")
