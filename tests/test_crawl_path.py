"""The crawl path gives the same fields as `policywatch extract` on the same page, or better ones.

A loopback mirror of the real-web corpus's development pages (tests/support/corpus_mirror.py: TRS,
Hanweb 政务公开 and aggregator templates; dated, undated and one-notice lists, long titles cut with …)
is crawled by the real crawler in a child process. Each stored record is compared, field by field, with
`policywatch extract` of the same served page (no list page behind it) and with the page's labels,
scored the way bench/realweb.py scores the corpus: a crawl-path value that differs from extract's must
be the labelled one, and the crawl path's titles are right at least as often as extract's.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bench.realweb import field_matches
from crawler.cli import main
from demo.server import MirrorServer
from pipelines.extract import PageInput
from pipelines.process import process_page
from pipelines.text.decode import decode_html
from tests.realweb import read_split
from tests.support.corpus_mirror import CorpusMirror, MirroredPage, build_corpus_mirror
from tests.support.mirror import crawl_mirror

FIELDS = ("title", "issuer", "publish_date", "doc_number")


@dataclass
class Compared:
    """One mirrored page: the crawl's stored record, `policywatch extract`'s record, the page."""

    page: MirroredPage
    crawl: dict[str, Any]
    extract: dict[str, Any]
    url: str


def agrees(field: str, record: dict[str, Any], labels: dict[str, Any]) -> bool:
    """The record's value is the labelled one (a null label wants a null value)."""
    if labels.get(field) is None:
        return record.get(field) is None
    return field_matches(field, record, labels, field)


def extract_command(path: Path, url: str) -> dict[str, Any]:
    """`policywatch extract PATH --url URL` as JSON."""
    done = CliRunner().invoke(main, ["extract", str(path), "--url", url, "--format", "json"])
    assert done.exit_code == 0, done.output
    return json.loads(done.output)


@pytest.fixture(scope="module")
def mirrored(tmp_path_factory) -> CorpusMirror:
    folder = tmp_path_factory.mktemp("corpus-mirror")
    return build_corpus_mirror(folder / "root", folder / "sources.yaml")


@pytest.fixture(scope="module")
def compared(mirrored, tmp_path_factory) -> list[Compared]:
    db = tmp_path_factory.mktemp("crawl-path") / "pw.db"
    with MirrorServer(mirrored.root) as server:
        done = crawl_mirror(server, db, config=mirrored.sources)
        base = server.base_url
    assert done.returncode == 0, done.stderr
    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    stored = {row["url"]: dict(row) for row in connection.execute("select * from documents")}
    connection.close()
    out = []
    for page in mirrored.pages:
        url = base + page.path
        assert url in stored, f"{page.id}: {url} was not stored by the crawl"
        out.append(Compared(page, stored[url], extract_command(mirrored.root / page.path.lstrip("/"), url), url))
    return out


def figures(rows: list[Compared]) -> dict[str, dict[str, int]]:
    """Per field: labelled pages, how many the crawl and extract get right, and the same for null labels."""
    out = {}
    for field in FIELDS:
        labelled = [r for r in rows if r.page.labels.get(field) is not None]
        null = [r for r in rows if r.page.labels.get(field) is None]
        out[field] = {
            "labelled": len(labelled),
            "crawl_found": sum(agrees(field, r.crawl, r.page.labels) for r in labelled),
            "extract_found": sum(agrees(field, r.extract, r.page.labels) for r in labelled),
            "null": len(null),
            "crawl_kept_null": sum(agrees(field, r.crawl, r.page.labels) for r in null),
            "extract_kept_null": sum(agrees(field, r.extract, r.page.labels) for r in null),
        }
    return out


def test_the_mirror_holds_development_pages_in_every_template_and_list_style(mirrored):
    split = read_split()
    assert {split[page.id] for page in mirrored.pages} == {"dev"}
    assert len(mirrored.pages) == len({page.id for page in mirrored.pages}) >= 60
    assert {page.site for page in mirrored.pages} == {"trs-kjt", "zwgk", "zcfw"}
    assert {page.list_style for page in mirrored.pages} == {"dated", "table", "single"}
    cut = [page for page in mirrored.pages if page.list_title.endswith("…")]
    assert any(page.title_attribute for page in cut) and any(not page.title_attribute for page in cut)
    assert any(page.heading is None for page in mirrored.pages)  # pages whose title is no line of their own


def test_the_spider_hands_processing_the_list_links_title_and_date(mirrored, compared):
    """The crawl's record is the page processed with its list link's title and date: nothing is lost on
    the way from the list page through the spider to the store step."""
    for row in compared:
        html = (mirrored.root / row.page.path.lstrip("/")).read_bytes()
        kind = row.crawl["source_kind"]
        expected = process_page(PageInput(url=row.url, html=decode_html(html, "utf-8")[0], source_kind=kind,
                                          list_title=row.page.link_title, list_date=row.page.list_date))
        assert row.crawl["list_title"] == row.page.link_title, row.page.id
        got = {field: row.crawl[field] for field in (*FIELDS, "page_date")}
        assert got == {field: expected[field] for field in (*FIELDS, "page_date")}, row.page.id


def test_the_crawl_path_is_never_worse_than_extract_field_by_field(compared):
    worse = []
    for row in compared:
        for field in FIELDS:
            if row.crawl.get(field) != row.extract.get(field) and not agrees(field, row.crawl, row.page.labels):
                worse.append(f"{row.page.id} ({row.page.site}, {row.page.list_style}) {field}: "
                             f"crawl {row.crawl.get(field)!r}, extract {row.extract.get(field)!r}, "
                             f"label {row.page.labels.get(field)!r}, list {row.page.link_title!r}/"
                             f"{row.page.list_date}")
    assert worse == []


def test_the_crawl_paths_titles_are_right_at_least_as_often_as_extracts(compared):
    scored = figures(compared)
    print("\ncrawl path vs extract on the corpus mirror:", json.dumps(scored, ensure_ascii=False))
    for field, counts in scored.items():
        assert counts["crawl_found"] + counts["crawl_kept_null"] >= \
            counts["extract_found"] + counts["extract_kept_null"], field
    assert scored["title"]["crawl_found"] >= scored["title"]["extract_found"]
