"""Chinese text in the browser the page tests drive (headless Chromium via Playwright) is drawn with real glyphs.

Without a CJK font Chromium draws every Chinese character as the same empty box ("tofu"), and a browser test
that reads text from the DOM still passes while a reader would see nothing. The check is visual: each
character of 湖南省高新技术企业 is rendered on its own and screenshotted; real glyphs give nine different
images, tofu gives one image nine times. Each must also differ from the rendering of U+0378, a code point
that Unicode leaves unassigned, so no font has a glyph for it and it is always drawn as the missing-glyph box.
`make system-test-deps` installs the font (Debian fonts-wqy-microhei).
"""
from __future__ import annotations

import pytest

from tests.publish_data import require_program
from tests.test_index_page import CHROMIUM, CHROMIUM_ARGS

CHINESE = "湖南省高新技术企业"
MISSING = "\u0378"  # unassigned: no font has it, so it shows the missing-glyph box
PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>
body {{ margin: 0; background: #fff; color: #000; font: 32px sans-serif; }}
span {{ float: left; width: 48px; height: 48px; line-height: 48px; overflow: hidden; }}
</style></head><body>{spans}</body></html>"""


@pytest.fixture(scope="module", autouse=True)
def chromium_installed() -> None:
    require_program(CHROMIUM, "chromium")


@pytest.fixture(scope="module")
def glyph_images() -> dict[str, bytes]:
    """A screenshot of each character of CHINESE and of MISSING, each drawn alone in a span."""
    from playwright.sync_api import sync_playwright

    characters = [*CHINESE, MISSING]
    spans = "".join(f'<span id="c{i}">{character}</span>' for i, character in enumerate(characters))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_content(PAGE.format(spans=spans))
            page.evaluate("document.fonts.ready")
            return {character: page.locator(f"#c{i}").screenshot() for i, character in enumerate(characters)}
        finally:
            browser.close()


def test_chinese_characters_are_drawn_as_distinct_glyphs(glyph_images):
    images = {glyph_images[character] for character in CHINESE}
    assert len(images) == len(CHINESE), (
        f"the {len(CHINESE)} characters of {CHINESE} are drawn as {len(images)} different image(s): Chromium draws "
        "Chinese as empty boxes (no CJK font; `make system-test-deps` installs fonts-wqy-microhei)")


def test_no_chinese_character_is_drawn_as_the_missing_glyph_box(glyph_images):
    tofu = glyph_images[MISSING]
    assert [character for character in CHINESE if glyph_images[character] == tofu] == []
