"""index.html in a real browser (headless Chromium via Playwright): the table, deadlines and their state, the
filters and their shareable address, JS off, a phone."""
from __future__ import annotations

import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote

import pytest

from core.clock import BEIJING
from feeds.page import region_of
from feeds.publish import publish
from feeds.server import make_server
from storage.published import policy_entries
from tests.publish_data import build_database, require_program

CHROMIUM = Path("/usr/bin/chromium")
PAGE_DAY = datetime(2025, 11, 18, 9, 0, tzinfo=BEIJING)   # the 湖南 call (2025-11-20, -25) is still open
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module", autouse=True)
def chromium_installed() -> None:
    """Skip without Chromium on a developer machine; fail in CI (`CI` set), where it must be installed."""
    require_program(CHROMIUM, "chromium")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[dict]:
    """The shared database published and served on a free port."""
    folder = tmp_path_factory.mktemp("page")
    built = build_database(folder / "pw.db")
    publish(built["db"], folder / "site", now=PAGE_DAY)
    server = make_server(folder / "site", "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    built.update(url=f"http://127.0.0.1:{server.server_address[1]}/", entries=policy_entries(built["db"]))
    try:
        yield built
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser, url: str, **context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    events = {"dialogs": [], "errors": [], "console": []}
    page.on("dialog", lambda dialog: (events["dialogs"].append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: events["errors"].append(str(error)))
    page.on("console", lambda message: events["console"].append(message.text))
    page.goto(url)
    return context, page, events


def visible_policies(page) -> list[str]:
    return page.eval_on_selector_all("#policies tbody tr", "rows => rows.filter(r => !r.hidden && "
                                     "r.offsetParent !== null).map(r => r.dataset.policy)")


def test_page_lists_every_policy_newest_first_with_links_and_feeds(site, browser):
    context, page, events = open_page(browser, site["url"])
    try:
        assert visible_policies(page) == [e.policy_id for e in site["entries"]]
        assert page.inner_text("#shown") == str(len(site["entries"]))
        first = site["entries"][0]
        row = page.locator(f'tr[data-policy="{first.policy_id}"]')
        assert row.locator("td.date").inner_text() == first.publish_date
        assert row.locator("td.title a").first.get_attribute("href") == first.canonical_url
        alternates = page.eval_on_selector_all('link[rel="alternate"]', "links => links.map(l => l.type)")
        assert alternates.count("application/rss+xml") == alternates.count("application/atom+xml") > 3
        assert page.locator('.feeds a[href="feeds/all.rss"]').count() == 1
        assert events["errors"] == [] and not [m for m in events["console"] if "Content Security Policy" in m]
    finally:
        context.close()


def expect_text(page, selector: str, text: str, seconds: float = 30.0) -> None:
    """Wait until the element shows `text` (bounded), checking from the test, never by script in the page."""
    deadline = time.monotonic() + seconds
    while page.inner_text(selector) != text:
        assert time.monotonic() < deadline, f"{selector} shows {page.inner_text(selector)!r}, not {text!r}"
        page.wait_for_timeout(50)


def test_filters_show_only_the_chosen_region_topic_and_type(site, browser):
    entries = site["entries"]
    context, page, _ = open_page(browser, site["url"])
    try:
        assert page.is_visible("#filters")
        page.select_option("select[name=region]", "湖南省")
        hunan = [e.policy_id for e in entries if region_of(e) == "湖南省"]
        assert visible_policies(page) == hunan and page.inner_text("#shown") == str(len(hunan))
        page.select_option("select[name=topic]", "hitech-enterprise")
        assert visible_policies(page) == [e.policy_id for e in entries
                                          if region_of(e) == "湖南省" and "hitech-enterprise" in e.topics]
        page.click("button[type=reset]")
        # polled from here, not with wait_for_function: its polling evaluates a string in the page, which the
        # page's Content-Security-Policy (no unsafe-eval) refuses whenever the reset is not done at once
        expect_text(page, "#shown", str(len(entries)))
        page.select_option("select[name=type]", "申报指南")
        guides = [e.policy_id for e in entries if e.doc_type == "申报指南"]
        assert guides and visible_policies(page) == guides
    finally:
        context.close()


def test_table_works_without_javascript(site, browser):
    context, page, _ = open_page(browser, site["url"], java_script_enabled=False)
    try:
        assert visible_policies(page) == [e.policy_id for e in site["entries"]]
        assert not page.is_visible("#filters")
    finally:
        context.close()


def test_page_fits_a_phone_screen(site, browser):
    context, page, _ = open_page(browser, site["url"], viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert page.is_visible("select[name=region]")
        assert page.locator("#policies thead").is_hidden()
    finally:
        context.close()


def test_xss_payloads_stay_text(site, browser):
    context, page, events = open_page(browser, site["url"])
    try:
        row = page.locator(f'tr[data-policy="{site["hostile_policy"]}"]')
        assert "<script>alert('title')</script>" in row.locator("td.title").inner_text()
        assert "<b onmouseover=alert(6)>" in row.locator("td.issuer").inner_text()
        page.mouse.move(0, 0)
        row.locator("td.issuer").hover()
        assert events["dialogs"] == []
        assert page.locator("script").count() == 1 and page.locator("img, iframe, object, embed").count() == 0
        handlers = page.evaluate("Array.from(document.querySelectorAll('*')).flatMap(e => "
                                 "Array.from(e.attributes).map(a => a.name)).filter(n => n.startsWith('on'))")
        assert handlers == []
        hrefs = page.eval_on_selector_all("main a", "links => links.map(a => a.getAttribute('href'))")
        assert hrefs and all(h.startswith(("http://", "https://")) for h in hrefs)
    finally:
        context.close()


def still_open(entry) -> bool:
    return any(deadline >= "2025-11-18" for deadline in entry.deadlines)


def test_deadlines_show_their_state_on_the_publish_day(site, browser):
    context, page, _ = open_page(browser, site["url"])
    try:
        hunan = next(e for e in site["entries"] if e.deadlines == ["2025-11-20", "2025-11-25"])
        cell = page.locator(f'tr[data-policy="{hunan.policy_id}"] td.deadline')
        assert cell.inner_text().split("\n") == ["2025-11-20还剩 2 天", "2025-11-25还剩 7 天"]
        assert cell.locator(".dl.closing").count() == 2
        revised = page.locator(f'tr[data-policy="{site["revised_policy"]}"] td.deadline')
        assert revised.inner_text() == "2024-06-30已截止" and revised.locator(".dl.closed").count() == 1
        assert "2 条仍可申报（截止状态按 2025-11-18 北京时间计算）" in page.inner_text("header .meta")
    finally:
        context.close()


def test_open_calls_city_amount_and_words_filter_the_table(site, browser):
    entries = site["entries"]
    context, page, events = open_page(browser, site["url"])
    try:
        page.check("input[name=open]")
        wanted = [e.policy_id for e in entries if still_open(e)]
        assert len(wanted) == 2 and visible_policies(page) == wanted
        page.uncheck("input[name=open]")
        page.select_option("select[name=city]", "湛江市")
        assert visible_policies(page) == [e.policy_id for e in entries if e.city == "湛江市"]
        page.select_option("select[name=city]", "")
        page.select_option("select[name=min_amount]", "100")
        rich = [e.policy_id for e in entries if (e.max_amount_wan or 0) >= 100]
        assert rich and visible_policies(page) == rich
        page.select_option("select[name=min_amount]", "")
        page.fill("input[name=q]", "培育资金 江苏")
        assert visible_policies(page) == [e.policy_id for e in entries
                                          if "培育资金" in e.title and e.province == "江苏省"]
        page.press("input[name=q]", "Enter")                 # nothing is submitted (the page allows no form action)
        assert visible_policies(page) and events["errors"] == []
        assert not [m for m in events["console"] if "Content Security Policy" in m]
    finally:
        context.close()


def test_a_filtered_view_has_an_address_to_share(site, browser):
    entries = site["entries"]
    context, page, _ = open_page(browser, site["url"])
    try:
        page.select_option("select[name=region]", "湖南省")
        page.check("input[name=open]")
        page.fill("input[name=q]", "专项")
        wanted = [e.policy_id for e in entries if region_of(e) == "湖南省" and still_open(e) and "专项" in e.title]
        assert len(wanted) == 1 and visible_policies(page) == wanted
        shared = page.url
        assert unquote(shared.split("#", 1)[1]) == "q=专项&region=湖南省&open=1"
        assert page.get_attribute("#share", "href") == "#" + shared.split("#", 1)[1]
    finally:
        context.close()
    context, page, _ = open_page(browser, shared)         # the address alone restores the view
    try:
        assert visible_policies(page) == wanted and page.inner_text("#shown") == "1"
        assert page.input_value("select[name=region]") == "湖南省" and page.is_checked("input[name=open]")
        assert page.input_value("input[name=q]") == "专项"
        page.click("button[type=reset]")
        expect_text(page, "#shown", str(len(entries)))
        assert "#" not in page.url
    finally:
        context.close()
    context, page, _ = open_page(browser, site["url"] + "?city=茂名市&open=0&region=火星")   # the query form too
    try:
        assert visible_policies(page) == [e.policy_id for e in entries if e.city == "茂名市"]
        assert page.input_value("select[name=region]") == "" and not page.is_checked("input[name=open]")
    finally:
        context.close()
