"""Fault 16: a page nested hundreds or thousands of elements deep still gives its text.

The HTML parser stops reading at 256 nested elements; such a page is read again with the middle of its
nesting unwrapped, so its text, title and date come out as they would from the same page nested shallowly.
"""
from __future__ import annotations

import pytest

from pipelines.clean import clean_page, flatten_deep_nesting
from pipelines.extract import PageInput, extract_record

TITLE = "关于开展2025年高新技术企业认定工作的通知"
ARTICLE = (f'<h1>{TITLE}</h1><div class="info">发布日期：2025-04-10　来源：湖南省科学技术厅</div>'
           '<div class="content"><p>各市州科技局，各有关单位：</p>'
           '<p>根据《高新技术企业认定管理办法》，现将2025年高新技术企业认定工作有关事项通知如下。</p>'
           '<p>一、申报时间为2025年5月1日至6月30日。</p><p>湖南省科学技术厅</p><p>2025年4月10日</p></div>')
TEXT = ("各市州科技局，各有关单位：\n"
        "根据《高新技术企业认定管理办法》，现将2025年高新技术企业认定工作有关事项通知如下。\n"
        "一、申报时间为2025年5月1日至6月30日。\n"
        "湖南省科学技术厅\n"
        "2025年4月10日")
WRAPPERS = {
    "div": ("<div>", "</div>"),
    "table": ("<table><tr><td>", "</td></tr></table>"),
    "font": ('<font size="3">', "</font>"),
    "unclosed-font": ('<font face="宋体">', ""),
    "misnested": ("<font><div></font>", ""),  # the parser ignores each </font>: a <div> is open inside it
}
UNWRAPPED = "page nested too deep for the parser: the middle of its nesting unwrapped"


def nested_page(depth: int, wrapper: str, article: str = ARTICLE) -> str:
    opening, closing = WRAPPERS[wrapper]
    return (f"<html><head><meta charset=\"gbk\"><title>{TITLE}_湖南省科学技术厅</title></head><body>"
            f"{opening * depth}{article}{closing * depth}</body></html>")


def test_the_shallow_page_reads_as_expected() -> None:
    for wrapper in WRAPPERS:
        page = clean_page(nested_page(10, wrapper))
        assert (page.text, page.warnings) == (TEXT, [])
        assert page.title_candidates == [TITLE, f"{TITLE}_湖南省科学技术厅"]


@pytest.mark.parametrize("depth", [300, 1000, 5000])
@pytest.mark.parametrize("wrapper", list(WRAPPERS))
def test_text_nested_deep_comes_out_as_from_the_shallow_page(wrapper: str, depth: int) -> None:
    page = clean_page(nested_page(depth, wrapper))
    assert page.text == TEXT
    assert page.title_candidates == [TITLE, f"{TITLE}_湖南省科学技术厅"]
    assert page.warnings == [UNWRAPPED]
    assert "<p>各市州科技局，各有关单位：</p>" in page.html


def test_the_articles_own_blocks_keep_their_tags_for_a_content_selector() -> None:
    page = clean_page(nested_page(5000, "div"), content_selector="div.content")
    assert page.text == TEXT
    assert page.warnings == [UNWRAPPED]  # no "content selector matched no article"


def test_a_5000_deep_page_is_extracted_without_a_recursion_error() -> None:
    record = extract_record(PageInput(url="https://kjt.hunan.gov.cn/kjt/xxgk/tzgg/202504/t20250410_1.html",
                                      html=nested_page(5000, "div"), source_kind="government"))
    assert (record["text"], record["title"], record["publish_date"], record["issuer"]) == (
        TEXT, TITLE, "2025-04-10", "湖南省科学技术厅")
    assert not [w for w in record["warnings"] if "could not be cleaned" in w]


def test_the_bytes_of_a_deep_gbk_page_give_its_text() -> None:
    page = clean_page(nested_page(1000, "table").encode("gbk"))
    assert page.text == TEXT and page.warnings == [UNWRAPPED]


def test_a_50_mb_page_of_nesting_is_cut_and_its_text_read() -> None:
    body = nested_page(400, "div").replace("</body>", "<div>" * 10_000_000 + "</body>")
    page = clean_page(body.encode("utf-8"))
    assert page.text == TEXT
    assert page.warnings == ["page cut to its first 3000000 characters", UNWRAPPED,
                             "page looks truncated (no closing </body> or </html>)"]


def test_a_deep_page_with_no_text_gives_empty_text_and_says_so() -> None:
    page = clean_page(nested_page(5000, "div", article=""))
    assert page.text == ""
    assert page.warnings == [UNWRAPPED, "no main text found"]


def test_flattening_unwraps_the_middle_of_the_nesting_only() -> None:
    html = '<div id="a"><div id="b"><div id="c"><div id="d"><p>x</p></div></div></div></div>'
    assert flatten_deep_nesting(html, outer=1, inner=2) == '<div id="a"><div id="d"><p>x</p></div><br></div>'
    assert flatten_deep_nesting(html, outer=5, inner=0) == html  # <p> lies inside 4 elements
    assert flatten_deep_nesting(html, outer=0, inner=5) == html  # <div id="a"> has 4 levels below it


def test_flattening_everything_keeps_text_lines_scripts_and_comments() -> None:
    html = ('<table><tr><td>一<td>二<tr><td>三</table><font><font><b>四</b></font></font>'
            '<script>var s = "<div>";</script><!-- <div> -->')
    assert flatten_deep_nesting(html, outer=0, inner=0) == (
        '一<br>二<br>三<br>四<script>var s = "<div>";</script><!-- <div> -->')


@pytest.mark.parametrize("depth", [10, 3000, 20000])
def test_links_and_files_of_a_deep_list_page_are_found(depth):
    from crawler.discovery import discover_attachments
    from crawler.families import parse_list_page

    rows = "".join(f'<li><a href="/a/{i}.html">关于第{i}批高新技术企业认定申报工作的通知</a><span>2026-01-0{i}</span></li>'
                   for i in range(1, 6))
    page = ("<html><body>" + "<div>" * depth + "<ul>" + rows + '</ul><a href="/f/x.pdf">附件1.pdf</a>'
            + "</div>" * depth + "</body></html>")
    listing = parse_list_page(page, "http://kjt.example.gov.cn/list.html")
    assert [link.url for link in listing.links] == [f"http://kjt.example.gov.cn/a/{i}.html" for i in range(1, 6)]
    assert [a.url for a in discover_attachments(page, "http://kjt.example.gov.cn/a.html")] == \
        ["http://kjt.example.gov.cn/f/x.pdf"]
