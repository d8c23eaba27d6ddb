"""RSS and Atom feeds end to end: a real database, `policywatch feeds`, feedparser, and newsboat over HTTP."""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import pytest
from lxml import etree
from lxml import html as lxml_html

from core.clock import BEIJING
from feeds.excerpt import excerpt, skip_lead
from feeds.filters import PolicyFilter
from feeds.publish import CITY_FEED_MIN, POLICY_URN, load_feed_config, publish, standard_feeds
from storage.published import policy_entries
from tests.support.mirror import ROOT, run_cli
from tests.publish_data import REVISED_URL, XSS_TITLE, build_database, name_sources, require_program

DEMO_FEEDS = ROOT / "demo" / "feeds.yaml"
NEWSBOAT = shutil.which("newsboat") or "/usr/bin/newsboat"


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> dict:
    """The shared database with the demo's source names, published once with the demo feeds file."""
    folder = tmp_path_factory.mktemp("feeds")
    built = build_database(folder / "pw.db")
    built.update(path=folder / "pw.db", out=folder / "site", source_names=name_sources(built["db"]))
    publish(built["db"], built["out"], base_url="https://feeds.example/pw/", config_path=DEMO_FEEDS)
    built["entries"] = policy_entries(built["db"])
    return built


def parsed(data: dict, slug: str, kind: str) -> feedparser.FeedParserDict:
    feed = feedparser.parse((data["out"] / "feeds" / f"{slug}.{kind}").read_bytes())
    assert feed.bozo is False, feed.get("bozo_exception")
    return feed


def published_time(value: str, kind: str) -> datetime:
    """A feed date as written (RSS: RFC 822, Atom: RFC 3339), offset kept."""
    return parsedate_to_datetime(value) if kind == "rss" else datetime.fromisoformat(value)


def ids(feed: feedparser.FeedParserDict) -> list[str]:
    return [entry.id for entry in feed.entries]


def feed_time(entry) -> datetime | None:
    """When a policy last became news: the later of its publish day (00:00 Beijing) and its revision."""
    times = [datetime.fromisoformat(entry.publish_date + "T00:00:00+08:00")] if entry.publish_date else []
    if entry.updated_at:
        revised = datetime.fromisoformat(entry.updated_at)
        times.append(revised if revised.tzinfo else revised.replace(tzinfo=BEIJING))
    return max(times) if times else None


def in_feed_order(entries) -> list:
    """The README's feed order: newest by feed_time; ties and undated policies keep policy_entries' order."""
    dated = [e for e in entries if feed_time(e)]
    return sorted(dated, key=feed_time, reverse=True) + [e for e in entries if not feed_time(e)]


def expected_ids(entries, policy_filter: PolicyFilter = PolicyFilter(), limit: int = 100) -> list[str]:
    return [POLICY_URN + e.policy_id for e in in_feed_order(entries) if policy_filter.matches(e)][:limit]


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_all_feed_has_one_entry_per_relevant_policy_newest_first(data, kind):
    feed = parsed(data, "all", kind)
    rows = data["db"].execute(
        "select p.id, d.is_relevant from policies p join documents d on d.id = p.canonical_document_id "
        "where p.merged_into is null").fetchall()
    relevant = {POLICY_URN + pid for pid, flag in rows if flag}
    assert set(ids(feed)) == relevant and len(ids(feed)) == len(relevant)
    assert ids(feed) == expected_ids(data["entries"])
    keys = [(e.publish_date or "", e.first_seen) for e in data["entries"]]
    assert keys == sorted(keys, reverse=True)
    unrevised = [e for e in data["entries"] if not e.updated_at]   # these keep publish date, then first seen
    assert [i for i in ids(feed) if i in {POLICY_URN + e.policy_id for e in unrevised}] == \
        [POLICY_URN + e.policy_id for e in unrevised]


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_revised_older_policy_comes_back_to_the_top_inside_the_cap(data, tmp_path, kind):
    revised = next(e for e in data["entries"] if e.policy_id == data["revised_policy"])
    by_publish_date = [e.policy_id for e in data["entries"]]
    assert by_publish_date.index(revised.policy_id) >= 3        # an older policy: outside a cap of 3 by date
    assert revised.updated_at and revised.updated_at[:10] > max(e.publish_date or "" for e in data["entries"])
    publish(data["db"], tmp_path / "site", limit=3)
    feed = parsed({"out": tmp_path / "site"}, "all", kind)
    newest_others = [POLICY_URN + pid for pid in by_publish_date if pid != revised.policy_id][:2]
    assert ids(feed) == [POLICY_URN + revised.policy_id] + newest_others
    assert feed.entries[0].title.startswith("【更新】")


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_entries_carry_title_canonical_link_beijing_dates_and_categories(data, kind):
    feed = parsed(data, "all", kind)
    by_id = {entry.id: entry for entry in feed.entries}
    for policy in data["entries"]:
        entry = by_id[POLICY_URN + policy.policy_id]
        if policy.policy_id == data["hostile_policy"]:
            continue
        assert entry.title == (("【更新】" if policy.updated_at else "") + policy.title)
        assert entry.link == policy.canonical_url
        if policy.publish_date:
            published = published_time(entry.published, kind)
            assert (published.date().isoformat(), published.utcoffset()) == (policy.publish_date, timedelta(hours=8))
        terms = {tag.term for tag in entry.get("tags", [])}
        assert (policy.province or "全国") in " ".join(terms)
    raw = (data["out"] / "feeds" / f"all.{kind}").read_text(encoding="utf-8")
    if kind == "atom":
        assert re.search(r"<published>2025-03-18T00:00:00\+08:00</published>", raw)
        assert "<category term=\"高新技术企业\" scheme=\"urn:policywatch:topic\"/>" in raw
    else:
        assert "<pubDate>Tue, 18 Mar 2025 00:00:00 +0800</pubDate>" in raw
        assert '<guid isPermaLink="false">urn:policywatch:policy:' in raw


def test_feed_links_self_first_then_the_page(data):
    atom = etree.fromstring((data["out"] / "feeds" / "all.atom").read_bytes())
    links = [(link.get("rel"), link.get("href")) for link in atom.findall("{http://www.w3.org/2005/Atom}link")]
    assert links == [("self", "https://feeds.example/pw/feeds/all.atom"),
                     ("alternate", "https://feeds.example/pw/index.html")]
    rss = parsed(data, "all", "rss")
    assert rss.feed.link == "https://feeds.example/pw/index.html"


def test_revised_policy_is_marked_updated_with_its_revision_time(data):
    feed = parsed(data, "all", "atom")
    entry = next(e for e in feed.entries if e.id == POLICY_URN + data["revised_policy"])
    assert entry.title.startswith("【更新】")
    assert entry.updated_parsed > entry.published_parsed
    assert "25万元" in entry.content[0].value or "20万元→25万元" in entry.content[0].value
    others = [e for e in feed.entries if e.id != entry.id]
    assert not any(e.title.startswith("【更新】") for e in others)
    assert REVISED_URL == entry.link


def test_summary_and_also_at_pages(data):
    entries = {e.policy_id: e for e in data["entries"]}
    reposted = next(e for e in data["entries"] if len(e.pages) > 1 and e.policy_id != data["hostile_policy"])
    feed = parsed(data, "all", "atom")
    entry = next(e for e in feed.entries if e.id == POLICY_URN + reposted.policy_id)
    content = lxml_html.fragment_fromstring(entry.content[0].value, create_parent="div")
    hrefs = content.xpath("//a/@href")
    assert hrefs[0] == reposted.canonical_url
    assert [p["url"] for p in reposted.pages if not p["is_canonical"]] == hrefs[1:]
    assert "另见（also at）" in content.text_content()
    assert reposted.issuer in entry.summary and entries[reposted.policy_id].publish_date in entry.summary
    with_money = next(e for e in data["entries"] if e.max_amount_wan and e.policy_id != data["hostile_policy"])
    money_entry = next(e for e in feed.entries if e.id == POLICY_URN + with_money.policy_id)
    assert f"最高{with_money.max_amount_wan:g}万元" in money_entry.summary


def test_standard_and_configured_feeds_follow_their_filters(data):
    entries = in_feed_order(data["entries"])
    assert ids(parsed(data, "incentives", "rss")) == [POLICY_URN + e.policy_id for e in entries if e.has_incentive]
    for code, province in (("430000", "湖南省"), ("440000", "广东省"), ("320000", "江苏省")):
        assert ids(parsed(data, f"province-{code}", "atom")) == \
            [POLICY_URN + e.policy_id for e in entries if e.province == province]
    assert ids(parsed(data, "topic-talent", "atom")) == [POLICY_URN + e.policy_id for e in entries
                                                         if "talent" in e.topics]
    cities = ids(parsed(data, "zhanjiang-maoming", "rss"))
    assert cities and cities == [POLICY_URN + e.policy_id for e in entries if e.city in ("湛江市", "茂名市")]
    for spec in load_feed_config(DEMO_FEEDS):
        assert ids(parsed(data, spec.slug, "atom")) == expected_ids(entries, spec.filter)
    names = sorted(path.name for path in (data["out"] / "feeds").iterdir())
    assert all(re.fullmatch(r"[a-z0-9-]+\.(rss|atom|ics)", name) for name in names)
    stems = {name.rsplit(".", 1)[0] for name in names}
    assert names == sorted(f"{stem}.{kind}" for stem in stems for kind in ("rss", "atom", "ics"))


def test_every_atom_feed_has_an_author_for_each_entry(data):
    atom = "{http://www.w3.org/2005/Atom}"
    files = sorted((data["out"] / "feeds").glob("*.atom"))
    assert files
    for path in files:     # RFC 4287 4.1.1: the feed has an author unless every entry has one
        feed = etree.fromstring(path.read_bytes())
        names = [name.text for name in feed.findall(f"{atom}author/{atom}name")]
        assert names == ["policywatch"], path.name
    without_issuer = [e for e in data["entries"] if not (e.issuer or "").strip()]
    feed = parsed(data, "all", "atom")
    assert feed.feed.author == "policywatch"
    if without_issuer:
        entry = next(x for x in feed.entries if x.id == POLICY_URN + without_issuer[0].policy_id)
        assert entry.author == "policywatch"   # inherited from the feed, as RFC 4287 reads it


def test_feeds_command_removes_leftover_temporary_files_older_than_an_hour(data, tmp_path):
    out = tmp_path / "site"
    (out / "feeds").mkdir(parents=True)
    two_hours_ago = time.time() - 7200
    old = [out / "feeds" / ".all.rss.k3j_x9a2.tmp", out / ".index.html.zz81qq0w.tmp",
           out / "feeds" / ".all.atom.tmp-17"]
    fresh = out / "feeds" / ".all.atom.p0w3rfuq.tmp"            # may belong to a publish still running
    unrelated = out / ".htaccess"
    for path in old + [fresh, unrelated]:
        path.write_bytes(b"half a feed")
    for path in old + [unrelated]:
        os.utime(path, (two_hours_ago, two_hours_ago))
    result = run_cli("feeds", "--db", str(data["path"]), "--out", str(out), "--limit", "3")
    assert result.returncode == 0, result.stderr
    assert "3 leftover temporary files removed" in result.stdout
    assert [p.exists() for p in old] == [False, False, False]
    assert fresh.read_bytes() == b"half a feed" and unrelated.read_bytes() == b"half a feed"


def test_feeds_command_caps_entries_rewrites_only_changes_and_rejects_a_bad_config(data, tmp_path):
    out = tmp_path / "site"
    result = run_cli("feeds", "--db", str(data["path"]), "--out", str(out), "--limit", "3",
                     "--config", str(DEMO_FEEDS))
    assert result.returncode == 0, result.stderr
    relevant = sum(1 for entry in data["entries"] if entry.is_relevant)
    summary = re.match(rf"(\d+) feeds \((\d+) files, RSS, Atom and iCalendar\) with \d+ entries and \d+ deadline "
                       rf"events from {relevant} relevant policies", result.stdout)
    assert summary, result.stdout
    feeds = int(summary.group(1))  # the configured feeds plus one per region and topic the data holds
    assert feeds >= 15 and int(summary.group(2)) == 3 * feeds == len(list((out / "feeds").iterdir()))
    assert all(len(parsed({"out": out}, path.stem, path.suffix[1:]).entries) <= 3
               for path in (out / "feeds").iterdir() if path.suffix in (".rss", ".atom"))
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]
    again = run_cli("feeds", "--db", str(data["path"]), "--out", str(out), "--limit", "3", "--config", str(DEMO_FEEDS))
    assert f"0 files written, {3 * feeds + 1} unchanged" in again.stdout      # (RSS, Atom, calendar) × feeds + index.html
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    bad = tmp_path / "feeds.yaml"
    bad.write_text("feeds:\n  - id: hunan\n    title: 湖南\n    filter: {province: 火星}\n", encoding="utf-8")
    failed = run_cli("feeds", "--db", str(data["path"]), "--out", str(out), "--config", str(bad))
    assert failed.returncode == 2
    assert failed.stderr == f"policywatch: {bad}: feed 'hunan'.filter: provinces: unknown province '火星'\n"
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("text, message", [
    ("feeds:\n  - id: all\n    title: x\n    filter: {}\n", "feed 'all'.id: reserved for a standard feed"),
    ("feeds:\n  - id: city-440800\n    title: x\n    filter: {}\n", "feed 'city-440800'.id: reserved for a standard"),
    ("feeds:\n  - id: Bad Name\n    title: x\n    filter: {}\n", "feeds[0].id: expected lower-case letters"),
    ("feeds:\n  - id: a\n    title: x\n    filter: {}\n  - id: a\n    title: y\n    filter: {}\n", "defined twice"),
    ("feeds:\n  - id: a\n    title: x\n", "feed 'a'.filter: required"),
    ("feeds:\n  - id: a\n    title: x\n    filter: colour=red\n", "unknown filter key 'colour'"),
    ("feeds:\n  - id: a\n    title: x\n    filter: {}\n    limit: 5\n", "unknown key 'limit'"),
    ("feeds: [\n", "not valid YAML at line"),
])
def test_feed_config_errors_name_the_file_the_feed_and_the_field(tmp_path, text, message):
    path = tmp_path / "feeds.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        load_feed_config(path)
    assert str(caught.value).startswith(str(path)) and message in str(caught.value)


def test_example_config_is_valid():
    specs = load_feed_config(ROOT / "config" / "feeds.yaml")
    assert [s.slug for s in specs] == ["hunan-hitech-enterprise", "guangdong-funding-50", "application-guides"]


# ---------------------------------------------------------------------------------------------
# hostile input
# ---------------------------------------------------------------------------------------------

def assert_harmless_html(fragment: str) -> None:
    """No active element, no event handler attribute, only http(s) links."""
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    assert not root.xpath("//script|//style|//iframe|//object|//embed|//img")
    for element in root.iter():
        assert not [name for name in element.attrib if name.lower().startswith("on")]
    for href in root.xpath("//@href|//@src"):
        assert href.startswith(("http://", "https://")), href


HTML_TYPES = ("text/html", "application/xhtml+xml")


def assert_plain_text(value: str, where: str) -> None:
    """A value a reader renders as HTML holds no element at all: markup in the data stays visible text."""
    root = lxml_html.fragment_fromstring(value, create_parent="div") if value.strip() else None
    assert root is None or len(root) == 0, f"{where}: live markup in {value!r}"


def assert_every_text_field_is_harmless(feed: feedparser.FeedParserDict) -> None:
    """feedparser's parsed values, feed and entries: HTML-typed text fields have no tags, content no active parts."""
    for holder, where in [(feed.feed, "feed")] + [(entry, entry.id) for entry in feed.entries]:
        for name, value in holder.items():
            if name.endswith("_detail") and isinstance(value, dict) and value.get("type") in HTML_TYPES:
                assert_plain_text(value["value"], f"{where} {name}")
        for content in holder.get("content", []):
            assert_harmless_html(content.value)


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_xss_payloads_are_neutralised_in_feeds(data, kind):
    raw = (data["out"] / "feeds" / f"all.{kind}").read_bytes()
    tree = etree.fromstring(raw)   # well-formed despite "]]>", CR/LF and escape characters in the data
    assert b"\x1b" not in raw and b"\r" not in raw
    feed = parsed(data, "all", kind)
    entry = next(e for e in feed.entries if e.id == POLICY_URN + data["hostile_policy"])
    assert entry.title == re.sub(r"\s+", " ", XSS_TITLE)            # shown as text, never as markup
    assert "\n" not in entry.title and "\r" not in entry.title
    assert entry.link.startswith("https://evil.example/policy?")
    namespace = {"a": "http://www.w3.org/2005/Atom", "c": "http://purl.org/rss/1.0/modules/content/"}
    if kind == "atom":
        node = next(n for n in tree.iterfind("a:entry", namespace)
                    if n.findtext("a:id", namespaces=namespace) == entry.id)
        assert node.find("a:title", namespace).get("type") is None      # Atom text, not html
        content = node.findtext("a:content", namespaces=namespace)
    else:
        node = next(n for n in tree.iter("item") if n.findtext("guid") == entry.id)
        content = node.findtext("c:encoded", namespaces=namespace)
    assert_harmless_html(content)
    text = lxml_html.fragment_fromstring(content, create_parent="div").text_content()
    assert "<b onmouseover=alert(6)>湖南省科学技术厅</b>" in text   # the page's text, escaped, is still readable
    links = lxml_html.fragment_fromstring(content, create_parent="div").xpath("//a/@href")
    assert links == [entry.link]                                  # javascript: and data: copies dropped
    issuer = "<b onmouseover=alert(6)>湖南省科学技术厅</b>"
    if kind == "rss":
        # readers render RSS <description> as HTML: the plain summary must arrive escaped for HTML too
        assert entry.summary_detail.type == "text/html"
        description = node.findtext("description")
        assert_plain_text(description, "raw RSS description")
        assert issuer in lxml_html.fragment_fromstring(description, create_parent="div").text_content()
        assert_plain_text(entry.summary, "parsed RSS description")
    else:
        assert entry.summary_detail.type == "text/plain" and entry.summary.startswith(issuer)   # Atom text
    for slug in sorted(path.stem for path in (data["out"] / "feeds").glob(f"*.{kind}")):
        assert_every_text_field_is_harmless(parsed(data, slug, kind))


# ---------------------------------------------------------------------------------------------
# a real feed reader
# ---------------------------------------------------------------------------------------------

@pytest.fixture()
def served(data):
    """`policywatch serve --port 0` over the published folder, in its own process."""
    process = subprocess.Popen([sys.executable, "-m", "crawler", "serve", "--dir", str(data["out"]), "--port", "0"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        match = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        assert match, line + process.stderr.read()
        yield match.group(1)
    finally:
        process.terminate()
        process.wait(timeout=10)


def newsboat_titles(url: str, home: Path) -> list[str]:
    """Titles newsboat stored after reloading one feed into a fresh cache."""
    home.mkdir()
    (home / "urls").write_text(url + "\n", encoding="utf-8")
    env = {**os.environ, "HOME": str(home), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    result = subprocess.run([NEWSBOAT, "-u", str(home / "urls"), "-c", str(home / "cache.db"), "-x", "reload"],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(home / "cache.db") as conn:
        return [row[0] for row in conn.execute("select title from rss_item order by id")]


@pytest.fixture()
def newsboat() -> str:
    """newsboat's path; skipped when missing on a developer machine, a failure in CI (`CI` set)."""
    require_program(NEWSBOAT, "newsboat")
    return NEWSBOAT


def test_a_missing_test_program_fails_in_ci_and_skips_elsewhere(tmp_path, monkeypatch):
    missing = tmp_path / "no-such-program"
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"CI is set but .*no-such-program is not installed"):
        require_program(missing, "newsboat")
    for unset in ("", "0", "false"):
        monkeypatch.setenv("CI", unset)
        with pytest.raises(pytest.skip.Exception, match="make system-test-deps"):
            require_program(missing, "newsboat")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        require_program(missing, "newsboat")
    require_program(sys.executable, "python3")      # present: neither


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_newsboat_reads_served_feeds_with_chinese_titles(data, newsboat, served, tmp_path, kind):
    titles = newsboat_titles(f"{served}feeds/province-430000.{kind}", tmp_path / "home")
    expected = [e for e in data["entries"] if e.province == "湖南省"]
    assert len(titles) == len(expected)
    assert "湖南省科学技术厅 湖南省财政厅关于印发《湖南省支持高新技术企业高质量发展若干措施》的通知" in titles
    assert any(re.sub(r"\s+", " ", XSS_TITLE) in title for title in titles)


# ---------------------------------------------------------------------------------------------
# deadlines and titles
# ---------------------------------------------------------------------------------------------

def test_entries_show_every_deadline_with_its_state_on_the_publish_day(data, tmp_path):
    two_days_before = datetime(2025, 11, 18, 9, 0, tzinfo=BEIJING)   # the 湖南 call closes 2025-11-20 and -25
    publish(data["db"], tmp_path / "site", now=two_days_before)
    hunan = next(e for e in data["entries"] if e.deadlines == ["2025-11-20", "2025-11-25"])
    revised = next(e for e in data["entries"] if e.policy_id == data["revised_policy"])
    for kind in ("rss", "atom"):
        feed = parsed({"out": tmp_path / "site"}, "all", kind)
        by_id = {entry.id: entry for entry in feed.entries}
        call = by_id[POLICY_URN + hunan.policy_id]
        text = lxml_html.fragment_fromstring(call.content[0].value, create_parent="div").text_content()
        assert "申报截止：2025-11-20（还剩 2 天）、2025-11-25（还剩 7 天）（截止状态按 2025-11-18 计）" in text
        summary = lxml_html.fragment_fromstring(call.summary, create_parent="div").text_content()
        assert "截止 2025-11-20（还剩 2 天）、2025-11-25（还剩 7 天）" in summary
        closed = by_id[POLICY_URN + revised.policy_id]
        assert "截止 2024-06-30（已截止）" in closed.summary
        closed_text = lxml_html.fragment_fromstring(closed.content[0].value, create_parent="div").text_content()
        assert "申报截止：2024-06-30（已截止）" in closed_text and "截止状态按" not in closed_text
    on_the_day = datetime(2025, 11, 20, 23, 59, tzinfo=BEIJING)
    publish(data["db"], tmp_path / "later", now=on_the_day)
    summary = next(e.summary for e in parsed({"out": tmp_path / "later"}, "all", "atom").entries
                   if e.id == POLICY_URN + hunan.policy_id)
    assert "截止 2025-11-20（今天截止）、2025-11-25（还剩 5 天）" in summary


def test_a_feed_of_open_calls_keeps_only_what_one_can_still_apply_to(data, tmp_path):
    config = tmp_path / "feeds.yaml"
    config.write_text("feeds:\n  - id: open-calls\n    title: 仍可申报\n    filter: open=1\n", encoding="utf-8")
    day = datetime(2025, 4, 10, 9, 0, tzinfo=BEIJING)
    publish(data["db"], tmp_path / "site", config_path=config, now=day)
    wanted = [e for e in in_feed_order(data["entries"]) if any(d >= "2025-04-10" for d in e.deadlines)]
    assert len(wanted) >= 2 and any(len(e.deadlines) > 1 and min(e.deadlines) < "2025-04-10" for e in wanted)
    assert ids(parsed({"out": tmp_path / "site"}, "open-calls", "atom")) == \
        [POLICY_URN + e.policy_id for e in wanted]
    assert parsed({"out": tmp_path / "site"}, "open-calls", "atom").feed.subtitle == "仍可申报"


def test_feed_titles_are_readable_and_file_names_stay_as_they_were(data):
    titles = {path.stem: parsed(data, path.stem, "atom").feed.title
              for path in (data["out"] / "feeds").glob("*.atom")}
    assert titles["province-430000"] == "policywatch · 湖南省政策"
    assert titles["province-440000"] == "policywatch · 广东省政策"
    assert titles["topic-talent"] == "policywatch · 人才政策"
    assert titles["all"] == "policywatch · 全部相关政策"
    assert not [title for title in titles.values() if re.search(r"province-|topic-|\d{6}", title)]
    page = (data["out"] / "index.html").read_text(encoding="utf-8")
    assert '湖南省政策（' in page and '<a href="feeds/province-430000.ics">日历</a>' in page


def test_feeds_whose_calls_have_all_closed_do_not_change_from_day_to_day(data, tmp_path):
    """A closed call stays closed: only feeds with a call still open (a countdown) are rewritten the next day."""
    first, second = datetime(2026, 12, 7, 9, tzinfo=BEIJING), datetime(2026, 12, 8, 9, tzinfo=BEIJING)
    publish(data["db"], tmp_path / "a", now=first)
    publish(data["db"], tmp_path / "b", now=second)
    guangdong = [e for e in data["entries"] if e.province == "广东省"]
    assert any(e.deadlines for e in guangdong) and max(d for e in guangdong for d in e.deadlines) < "2026-12-07"
    for kind in ("rss", "atom", "ics"):
        assert (tmp_path / "a" / "feeds" / f"province-440000.{kind}").read_bytes() == \
            (tmp_path / "b" / "feeds" / f"province-440000.{kind}").read_bytes()


# ---------------------------------------------------------------------------------------------
# excerpts, source names, city feeds
# ---------------------------------------------------------------------------------------------

TITLE = "关于开展2024年湛江市高新技术企业培育库入库工作的通知"
SUBSTANCE = "为加快培育高新技术企业后备力量，现开展2024年高新技术企业培育库入库工作。一、入库条件。"


@pytest.mark.parametrize("lead", [
    "湛科〔2024〕15号 各县（市、区）科技管理部门：",                          # number and addressees on one line
    "湛科函〔2024〕52号\n各县（市、区）科技局，各高新区管委会：\n",
    "湛科[2024]15号\n各有关单位:\n",                                        # half-width brackets and colon
    "湛科【2024】15号\u3000各有关单位：",
    "湛科［２０２４］１５號\n各縣（市、區）科技局，各高新區管委會：\n",            # full-width digits, Traditional
    TITLE + "\n湛科〔2024〕15号\n各有关单位：\n",                            # the title repeated first
    TITLE + " 发布时间：2024-05-06 10:30 来源：湛江市科学技术局 字号：大 中 小\n各有关单位：",
    "發布時間：2024年5月6日\u3000來源：湛江市科學技術局\u3000字號：[大][中][小]\n",
    "发布日期：2024-05-06\n信息来源：湛江市科学技术局\n索引号：11440800007-2024-00052\n"
    "市直各有关单位，各县（市、区）人民政府：",
    "发布时间：2024-05-06 来源：湛江市科学技术局 各有关单位：",                 # metadata run into the text
    "财政部 税务总局公告2023年第12号\n",
    "尊敬的企业家朋友：\n",
])
def test_an_excerpt_starts_at_the_first_sentence_of_substance(lead):
    assert skip_lead(lead + SUBSTANCE, TITLE) == SUBSTANCE
    assert excerpt(lead + SUBSTANCE, TITLE) == SUBSTANCE


@pytest.mark.parametrize("text", [
    "根据湛科〔2024〕15号文件精神，现开展入库工作。请各单位认真组织。",     # a number cited by the first sentence
    "省科技厅湘科发〔2024〕1号文件要求各地加快培育。",
    "关于开展2024年湛江市高新技术企业培育库入库工作的通知已于近日印发。",   # begins with the title's words
    "问：《行动计划》出台的主要考虑是什么？答：高新区是主阵地。",
    "【三年目标】到2026年，全市高新技术企业达到620家。",
    "现将有关事项通知如下：一、申报条件。",
    "重点支持以下企业：高新技术企业、科技型中小企业。",
    "11月18日，省科技厅分管负责同志到常州科教城调研。调研指出，要发挥院所集聚优势。",
])
def test_an_excerpt_of_a_text_without_a_lead_keeps_its_start(text):
    assert skip_lead(text, TITLE) == text
    assert excerpt(text, TITLE) == text


def test_an_excerpt_keeps_whole_sentences_within_its_limit():
    first, second, third, fourth = ("对首次认定的企业给予30万元奖励。", "对重新认定的企业给予10万元奖励。",
                                    "申报截止2026年3月31日。", "联系电话。")
    text = "湘科发〔2026〕3号\n各市州科技局：\n" + first + "\n" + second + third + fourth
    assert excerpt(text) == first + second + third
    assert excerpt(text, limit=len(first + second)) == first + second
    assert excerpt(text, limit=10) == first[:9] + "…"
    assert excerpt("各有关单位：") == "各有关单位："                  # nothing but a lead: the text as it is


def test_feed_entries_open_with_substance_not_the_number_and_addressees(data):
    feed = parsed(data, "all", "atom")
    excerpts = {entry.id: entry.summary.split("\n")[1] for entry in feed.entries if "\n" in entry.summary}
    zhanjiang = next(e for e in data["entries"] if e.doc_number == "湛科〔2024〕15号")
    assert zhanjiang.text_head.startswith("湛科〔2024〕15号\n各县（市、区）科技管理部门、财政局，各有关单位：\n")
    assert excerpts[POLICY_URN + zhanjiang.policy_id].startswith(
        "现将《湛江市企业研究开发费用财政补助实施细则》印发给你们，请认真贯彻执行。")
    numbered = [e for e in data["entries"] if e.doc_number and e.text_head.startswith(e.doc_number)]
    assert len(numbered) >= 8
    for entry in numbered:
        shown = excerpts[POLICY_URN + entry.policy_id]
        first_line = entry.text_head.split("\n")[2]             # after the number and the addressees
        assert shown.startswith(first_line[:40]), (entry.doc_number, shown)
    content = next(e for e in feed.entries if e.id == POLICY_URN + zhanjiang.policy_id).content[0].value
    assert "<p>现将《湛江市企业研究开发费用财政补助实施细则》印发给你们" in content


def test_also_at_names_each_source_not_its_id(data):
    names = data["source_names"]
    feed = {entry.id: entry for entry in parsed(data, "all", "atom").entries}
    page = lxml_html.fromstring((data["out"] / "index.html").read_bytes())
    reposted = [e for e in data["entries"] if len(e.pages) > 1 and e.policy_id != data["hostile_policy"]]
    assert len(reposted) >= 5
    shown_names = set()
    for policy in reposted:
        wanted = [names[p["source_id"]] for p in policy.pages if not p["is_canonical"]]
        content = lxml_html.fragment_fromstring(feed[POLICY_URN + policy.policy_id].content[0].value,
                                                create_parent="div")
        assert [a.text_content() for a in content.xpath("//li/a")] == wanted
        row = page.xpath(f'//tr[@data-policy="{policy.policy_id}"]//small/a')
        assert [a.text_content() for a in row] == wanted
        shown_names.update(wanted)
    assert shown_names == {"华夏泰科 政策资讯", "卧涛 外省资讯"}


def test_also_at_shows_the_source_id_when_the_source_has_no_name(tmp_path):
    built = build_database(tmp_path / "pw.db")                  # pages stored with no sources table rows
    publish(built["db"], tmp_path / "site")
    page = lxml_html.fromstring((tmp_path / "site" / "index.html").read_bytes())
    shown = {a.text_content() for a in page.xpath("//td[@class='title']//small/a")}
    assert shown == {"huaxiataike", "hfwotao"}


def test_cities_with_enough_policies_have_feeds_listed_under_their_province(data):
    entries = in_feed_order(data["entries"])
    for code, city in (("440800", "湛江市"), ("440900", "茂名市")):
        wanted = [POLICY_URN + e.policy_id for e in entries if e.city == city]
        assert len(wanted) >= CITY_FEED_MIN
        for kind in ("rss", "atom"):
            feed = parsed(data, f"city-{code}", kind)
            assert ids(feed) == wanted and feed.feed.title == f"policywatch · {city}政策"
        assert (data["out"] / "feeds" / f"city-{code}.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
    page = lxml_html.fromstring((data["out"] / "index.html").read_bytes())
    regional = page.xpath("//section[@class='feeds']/h3[.='按地区']/following-sibling::ul[1]/li")
    assert [li.text.split("（")[0] for li in regional] == ["江苏省政策", "湖南省政策", "广东省政策", "湛江市政策",
                                                          "茂名市政策"]
    assert regional[3].xpath("a/@href") == ["feeds/city-440800.rss", "feeds/city-440800.atom",
                                           "feeds/city-440800.ics"]


def test_a_city_with_fewer_policies_than_the_minimum_has_no_feed(data):
    zhanjiang = [e for e in data["entries"] if e.city == "湛江市"]
    maoming = [e for e in data["entries"] if e.city == "茂名市"]
    specs = standard_feeds(zhanjiang[:CITY_FEED_MIN] + maoming[:CITY_FEED_MIN - 1])
    assert [(s.slug, s.title, s.group) for s in specs if s.group in ("province", "city")] == [
        ("province-440000", "广东省政策", "province"), ("city-440800", "湛江市政策", "city")]
