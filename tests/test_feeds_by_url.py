"""Feeds by URL (`policywatch serve --db`): the filter language in the query string, RSS, Atom, JSON Feed and
iCalendar read from the database at each request, with gzip and conditional GET — over a real server, read
by feedparser and icalendar."""
from __future__ import annotations

import gzip
import json
from typing import Iterator
from urllib.parse import quote

import feedparser
import pytest
from icalendar import Calendar

from feeds.calendar import calendar_events
from feeds.deadlines import today_in_beijing
from feeds.filters import PolicyFilter
from feeds.publish import feed_order
from feeds.server import FolderServer, make_server
from storage.db import open_db
from storage.published import policy_entries
from tests.publish_data import build_database
from tests.support.http import request, serving


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("byurl") / "pw.db"
    return {**build_database(path), "path": path}


@pytest.fixture()
def server(data, tmp_path) -> Iterator[FolderServer]:
    (tmp_path / "site").mkdir()
    with serving(make_server(tmp_path / "site", "127.0.0.1", 0, db_path=data["path"])) as server:
        yield server


def expected(data: dict, text: str, limit: int = 100) -> list[str]:
    """Policy ids the filter passes today, in feed order (what every format must list)."""
    wanted = PolicyFilter.parse(text)
    today = today_in_beijing()
    entries = feed_order(policy_entries(open_db(data["path"])))
    return [e.policy_id for e in entries if wanted.matches(e, today)][:limit]


def ids(parsed) -> list[str]:
    return [entry.id.rsplit(":", 1)[1] for entry in parsed.entries]


@pytest.mark.parametrize("path,text", [
    ("/feeds?province=" + quote("广东"), "province=广东"),
    ("/feeds?province=" + quote("广东,湖南") + "&incentives", "province=广东,湖南 incentives"),
    ("/feeds?topic=hitech-enterprise&limit=3", "topic=hitech-enterprise"),
    ("/feeds?open=1", "open=1"),
])
def test_rss_and_atom_by_url_list_what_the_filter_passes(server, data, path, text):
    limit = 3 if "limit=3" in path else 100
    want = expected(data, text, limit)
    status, headers, body = request(server, path)
    assert status == 200 and headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    rss = feedparser.parse(body)
    assert not rss.bozo and ids(rss) == want
    separator = "&" if "?" in path else "?"
    status, headers, body = request(server, path.replace("/feeds", "/feeds.atom") + separator + "format=rss")
    atom = feedparser.parse(body)
    assert headers["Content-Type"].startswith("application/atom+xml") and ids(atom) == want  # the suffix wins


def test_json_feed_and_calendar_by_url(server, data):
    status, headers, body = request(server, "/feeds.json?province=" + quote("广东"))
    assert status == 200 and headers["Content-Type"] == "application/feed+json; charset=utf-8"
    document = json.loads(body)
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert [item["id"].rsplit(":", 1)[1] for item in document["items"]] == expected(data, "province=广东")
    assert all(item["title"] and item["content_html"] and item["date_published"] for item in document["items"])
    assert document["feed_url"].endswith("/feeds.json?province=" + quote("广东"))
    status, headers, body = request(server, "/feeds?format=ics")
    assert status == 200 and headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(body)
    today = today_in_beijing()
    wanted = calendar_events([e for e in policy_entries(open_db(data["path"])) if e.deadlines], today)
    assert wanted and len(calendar.walk("VEVENT")) == len(wanted)


def test_a_new_policy_shows_at_once_without_a_rebuild(server, data, tmp_path):
    from tests.support.policies import add_policy

    before = ids(feedparser.parse(request(server, "/feeds?keyword=" + quote("测绘地理信息"))[2]))
    policy_id = add_policy(open_db(data["path"]), "关于测绘地理信息企业奖励的通知", province="湖南省", amount=40)
    after = ids(feedparser.parse(request(server, "/feeds?keyword=" + quote("测绘地理信息"))[2]))
    assert policy_id not in before and after[0] == policy_id


def test_gzip_and_conditional_get(server):
    status, plain_headers, plain = request(server, "/feeds?limit=20")
    status, headers, body = request(server, "/feeds?limit=20", Accept_Encoding="gzip, deflate")
    assert status == 200 and headers["Content-Encoding"] == "gzip" and headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(body) == plain and len(body) < len(plain)
    assert headers["ETag"] != plain_headers["ETag"]
    assert request(server, "/feeds?limit=20", If_None_Match=plain_headers["ETag"])[0] == 304
    assert request(server, "/feeds?limit=20", Accept_Encoding="gzip", If_None_Match=headers["ETag"])[0] == 304
    assert request(server, "/feeds?limit=20", If_Modified_Since=plain_headers["Last-Modified"])[0] == 304


@pytest.mark.parametrize("path,message", [
    ("/feeds?planet=mars", "unknown filter key"),
    ("/feeds?province=" + quote("火星"), "province"),
    ("/feeds?format=pdf", "format"),
    ("/feeds?limit=0", "limit"),
    ("/feeds?min_amount=nan", "min_amount"),
])
def test_a_bad_feed_url_is_a_400_with_one_line(server, path, message):
    status, headers, body = request(server, path)
    assert status == 400 and message in body.decode("utf-8") and len(body.decode("utf-8").splitlines()) == 1


def test_without_a_database_feeds_by_url_are_not_a_route(tmp_path):
    (tmp_path / "site").mkdir()
    with serving(make_server(tmp_path / "site", "127.0.0.1", 0)) as server:
        assert request(server, "/feeds?province=" + quote("广东"))[0] == 404
