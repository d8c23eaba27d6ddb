"""index.html in a real browser (headless Chromium via Playwright): the table, deadlines and their state, the
filters and their shareable address, JS off, a phone, and a screenshot of what a reader sees."""
from __future__ import annotations

import base64
import math
import struct
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
from tests.publish_data import build_database, name_sources, require_program

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
    """The shared database, with the demo's source names, published and served on a free port."""
    folder = tmp_path_factory.mktemp("page")
    built = build_database(folder / "pw.db")
    built["source_names"] = name_sources(built["db"])
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


# ---------------------------------------------------------------------------------------------
# what a reader sees: a screenshot
# ---------------------------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WHITE = (255, 255, 255)
# the colour of each deadline state's label (index.html.j2's style): open, open and closing in 7 days, closed
STATE_COLOURS = {"open": (0x1a, 0x7f, 0x37), "closing": (0xb0, 0x00, 0x20), "closed": (0x77, 0x77, 0x77)}
MISSING = "\u0378"  # unassigned: no font has it, so it is drawn as the missing-glyph box (tests/test_browser_fonts.py)
# Reads pixels of a PNG in a blank page (no policywatch page, so no Content-Security-Policy involved): each box
# [x, y, width, height] as RGBA values, and the whole image scaled to `thumb` pixels wide.
READ_PIXELS = """async ({png, boxes, thumb}) => {
  const image = new Image();
  image.src = "data:image/png;base64," + png;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.naturalWidth;
  canvas.height = image.naturalHeight;
  const context = canvas.getContext("2d", {willReadFrequently: true});
  context.drawImage(image, 0, 0);
  const crops = boxes.map(([x, y, w, h]) => Array.from(context.getImageData(x, y, w, h).data));
  const small = document.createElement("canvas");
  small.width = thumb;
  small.height = Math.max(1, Math.round(image.naturalHeight * thumb / image.naturalWidth));
  const smallContext = small.getContext("2d", {willReadFrequently: true});
  smallContext.drawImage(image, 0, 0, small.width, small.height);
  return {crops, thumb: Array.from(smallContext.getImageData(0, 0, small.width, small.height).data)};
}"""
REFERENCE_PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>
body {{ margin: 0; background: #fff; }} div {{ position: absolute; left: 0; top: 0; white-space: nowrap; }}
</style></head><body><div><b id="label" style="{style}">{text}</b></div></body></html>"""


def rgb(values: list[int]) -> list[tuple[int, int, int]]:
    """RGBA values as (r, g, b) pixels."""
    return [tuple(values[i:i + 3]) for i in range(0, len(values), 4)]


def read_pixels(browser, png: bytes, boxes: list[list[int]], thumb: int = 128) -> tuple[list[list[tuple]], list]:
    """The pixels of each box of a PNG, and of the whole image scaled to `thumb` pixels wide."""
    page = browser.new_page()
    try:
        found = page.evaluate(READ_PIXELS, {"png": base64.b64encode(png).decode("ascii"), "boxes": boxes,
                                            "thumb": thumb})
    finally:
        page.close()
    return [rgb(crop) for crop in found["crops"]], rgb(found["thumb"])


def near(pixel: tuple, colour: tuple, tolerance: int = 24) -> bool:
    return sum(abs(a - b) for a, b in zip(pixel, colour)) <= tolerance


def pixel_box(box: dict) -> list[int]:
    """The whole pixels a layout box covers: [x, y, width, height]."""
    left, top = math.floor(box["x"]), math.floor(box["y"])
    return [left, top, math.ceil(box["x"] + box["width"]) - left, math.ceil(box["y"] + box["height"]) - top]


def distance(one: list[tuple], other: list[tuple]) -> int:
    return sum(abs(a - b) for p, q in zip(one, other) for a, b in zip(p, q))


def drawn_alone(browser, label, text: str, box: dict) -> list[tuple]:
    """`text` drawn in a blank page in the label's own computed font, size, weight and colour, at the same
    sub-pixel offset as the label's box, and the pixels of the box it covers."""
    style = label.evaluate("el => { const s = getComputedStyle(el); return `font-family: ${s.fontFamily}; "
                           "font-size: ${s.fontSize}; font-weight: ${s.fontWeight}; color: ${s.color}`; }")
    page = browser.new_page()
    try:
        page.set_content(REFERENCE_PAGE.format(style=style.replace('"', "'"), text=text))
        page.evaluate("document.fonts.ready")
        start = page.locator("#label").bounding_box()
        left = 20 + box["x"] - math.floor(box["x"]) - start["x"]
        top = 20 + box["y"] - math.floor(box["y"]) - start["y"]
        page.evaluate(f"document.querySelector('div').style.cssText = 'left: {left}px; top: {top}px'")
        placed = page.locator("#label").bounding_box()
        assert (placed["x"] - math.floor(placed["x"]), placed["y"] - math.floor(placed["y"])) == \
            (box["x"] - math.floor(box["x"]), box["y"] - math.floor(box["y"]))
        png = page.screenshot()
    finally:
        page.close()
    [pixels], _ = read_pixels(browser, png, [[20, 20] + pixel_box(box)[2:]])
    return pixels


@pytest.fixture()
def screenshot(site, browser, tmp_path) -> Iterator[dict]:
    """The page as a reader sees it on the publish day, saved as a full-page PNG under tmp_path; the open page
    stays available for the boxes of what the screenshot shows."""
    context, page, events = open_page(browser, site["url"])
    try:
        page.evaluate("document.fonts.ready")
        path = tmp_path / "index.png"
        page.screenshot(path=str(path), full_page=True)
        yield {"page": page, "path": path, "png": path.read_bytes(), "events": events}
    finally:
        context.close()


def deadline_labels(site, page) -> dict:
    """The label of one deadline in each state: the 湖南 call closing in 2 days, the call open until 2026-03-31,
    the revised 茂名 call closed since 2024-06-30."""
    hunan = next(e for e in site["entries"] if e.deadlines == ["2025-11-20", "2025-11-25"])
    far = next(e for e in site["entries"] if e.deadlines == ["2026-03-31"])
    return {"closing": page.locator(f'tr[data-policy="{hunan.policy_id}"] .dl.closing b').first,
            "open": page.locator(f'tr[data-policy="{far.policy_id}"] .dl.open b').first,
            "closed": page.locator(f'tr[data-policy="{site["revised_policy"]}"] .dl.closed b').first}


def test_the_screenshot_is_the_whole_page_and_not_blank(screenshot, browser):
    png, page = screenshot["png"], screenshot["page"]
    assert screenshot["path"].is_file() and png[:8] == PNG_SIGNATURE
    size = struct.unpack(">II", png[16:24])                      # the IHDR chunk: width, height
    assert size == tuple(page.evaluate("[document.documentElement.scrollWidth, "
                                       "document.documentElement.scrollHeight]"))
    assert size[1] > 720                                         # the whole page, not one screen of it
    _, thumb = read_pixels(browser, png, [])
    inked = [pixel for pixel in thumb if not near(pixel, WHITE, 12)]
    assert len(inked) > len(thumb) // 20, "the screenshot is (almost) blank"
    assert len(set(thumb)) > 100
    assert screenshot["events"]["errors"] == []


def test_the_screenshot_shows_each_deadline_state_in_its_colour(site, screenshot, browser):
    page = screenshot["page"]
    labels = deadline_labels(site, page)
    assert [labels[state].inner_text() for state in ("closing", "open", "closed")] == \
        ["还剩 2 天", "还剩 133 天", "已截止"]
    assert page.evaluate("scrollY") == 0                         # layout boxes are page coordinates
    boxes = {state: label.bounding_box() for state, label in labels.items()}
    for state, label in labels.items():
        assert label.is_visible() and boxes[state]["width"] > 0
        assert state in label.evaluate("el => el.parentElement.className").split()
        assert label.evaluate("el => getComputedStyle(el).color") == "rgb({}, {}, {})".format(*STATE_COLOURS[state])
    crops, _ = read_pixels(browser, screenshot["png"], [pixel_box(boxes[state]) for state in labels])
    for state, pixels in zip(labels, crops):
        own = sum(1 for pixel in pixels if near(pixel, STATE_COLOURS[state]))
        assert own >= 20, f"{state}: {own} pixels of its colour in the screenshot"
        others = [other for other in STATE_COLOURS if other != state]
        assert [other for other in others if any(near(pixel, STATE_COLOURS[other]) for pixel in pixels)] == [], state


def test_the_screenshot_shows_chinese_glyphs_not_missing_glyph_boxes(site, screenshot, browser):
    """Each state's label, cut from the screenshot, matches the label drawn alone in the page's own font far better
    than the same label with every Chinese character replaced by the missing-glyph box; and the two drawings
    differ, which they do not when no font has the characters (tests/test_browser_fonts.py's principle)."""
    labels = deadline_labels(site, screenshot["page"])
    boxes = {state: label.bounding_box() for state, label in labels.items()}
    crops, _ = read_pixels(browser, screenshot["png"], [pixel_box(boxes[state]) for state in labels])
    for (state, label), shown in zip(labels.items(), crops):
        text = label.inner_text()
        glyphs = drawn_alone(browser, label, text, boxes[state])
        assert glyphs == shown or distance(shown, glyphs) < distance(shown, [WHITE] * len(shown)) // 10, text
        boxes_only = drawn_alone(browser, label, "".join(MISSING if "\u4e00" <= c <= "\u9fff" else c for c in text),
                                 boxes[state])
        assert glyphs != boxes_only, f"{text}: drawn as missing-glyph boxes (no CJK font)"
        assert distance(shown, glyphs) * 4 < distance(shown, boxes_only), text
