"""Tests for crawler.families: Hanweb, gkmlpt and JSON-API lists, and the dispatch between them.

The pages are in tests/fixtures/lists/ (see the README there); requests are
compared whole, context included, because the spider replays them as they are.
"""

from __future__ import annotations

import json
from html import escape

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from crawler.discovery import ArticleLink, ListHints, discover_article_links, discover_next_page
from crawler.families import (
    ListPage,
    PageRequest,
    detect_family,
    family_name,
    first_list_request,
    parse_list_page,
)
from tests.support.lists import load_fixture, summary

JIANGSU = "http://www.jiangsu.gov.cn"
JIANGSU_COLUMN = JIANGSU + "/col/col84242/index.html"
JIANGSU_PROXY = JIANGSU + "/module/web/jpage/dataproxy.jsp"
JIANGSU_FORM = {"col": "1", "appid": "1", "path": "/", "permissiontype": "0", "webid": "1", "columnid": "84242",
                "unitid": "402788", "webname": "江苏省人民政府", "sourceContentType": "1"}
MAOMING = "http://kjj.maoming.gov.cn"
MIIT_URL = ("https://www.miit.gov.cn/search-front-server/api/search/info?websiteid=110000000000000&scope=basic&q=&pg=10"
            "&cateid=196&pos=title_text%2Cinfocontent%2Ctitlepy&dateField=deploytime"
            "&selectFields=title,content,deploytime,url,columnname,publishgroupname&group=distinct&p=1")


def _hanweb_request(start: int, end: int, total: int | None = 3217) -> PageRequest:
    return PageRequest(
        f"{JIANGSU_PROXY}?startrecord={start}&endrecord={end}&perpage=15", "POST", JIANGSU_FORM,
        {"family": "hanweb", "proxy": JIANGSU_PROXY, "form": JIANGSU_FORM, "end": end, "group": 15, "perpage": 15,
         "total": total})


# ---------------------------------------------------------------------------
# Hanweb
# ---------------------------------------------------------------------------

def test_hanweb_column_page_is_recognised_and_asks_for_the_next_group_by_post() -> None:
    """江苏 政策文件: 15 records in CDATA, furniture around them, then POST dataproxy.jsp for 16-30."""
    page = parse_list_page(load_fixture("jiangsu_col84242.html"), JIANGSU_COLUMN)
    assert summary(page.links, None) == {
        "count": 15, "with_date": 15,
        "first": ArticleLink(JIANGSU + "/art/2025/12/16/art_84242_31234567.html",
                             "省政府关于印发江苏省加快建设具有全球影响力的产业科技创新中心行动方案的通知", "2025-12-16"),
        "last": ArticleLink(JIANGSU + "/art/2025/11/17/art_84242_31234525.html",
                            "省政府关于印发江苏省“十五五”科技创新规划的通知", "2025-11-17"),
        "next": None,
    }
    assert page.next_request == _hanweb_request(16, 30)


def test_hanweb_dataproxy_answer_continues_from_the_context() -> None:
    first = parse_list_page(load_fixture("jiangsu_col84242.html"), JIANGSU_COLUMN)
    assert first.next_request is not None
    page = parse_list_page(load_fixture("jiangsu_dataproxy_16_30.xml"), first.next_request.url,
                           context=first.next_request.context)
    assert summary(page.links, None) == {
        "count": 15, "with_date": 15,
        "first": ArticleLink(JIANGSU + "/art/2025/11/13/art_84242_31234500.html",
                             "省政府办公厅关于印发江苏省数字经济促进条例实施细则的通知", "2025-11-13"),
        "last": ArticleLink(JIANGSU + "/art/2025/10/16/art_84242_31234458.html",
                            "省政府办公厅关于开展2026年度省级高新区评价工作的通知", "2025-10-16"),
        "next": None,
    }
    assert page.next_request == _hanweb_request(31, 45)
    assert json.loads(json.dumps(page.next_request.context)) == page.next_request.context


def test_hanweb_last_group_ends_paging_and_reads_month_day_dates() -> None:
    """中国科协: records 31-37 of 37, dates shown as [12-16] with the year in /art/2025/12/16/."""
    proxy = "https://www.cast.org.cn/module/web/jpage/dataproxy.jsp"
    context = {"family": "hanweb", "proxy": proxy, "form": {"col": "1", "columnid": "91", "unitid": "1001"},
               "end": 45, "group": 15, "perpage": 15, "total": 37}
    page = parse_list_page(load_fixture("cast_dataproxy_31_45.xml"), proxy + "?startrecord=31&endrecord=45&perpage=15",
                           context=context)
    assert summary(page.links, None) == {
        "count": 7, "with_date": 7,
        "first": ArticleLink("https://www.cast.org.cn/art/2025/12/16/art_91_4321000.html",
                             "中国科协关于公布2025年度中国科协青年人才托举工程入选名单的通知", "2025-12-16"),
        "last": ArticleLink("https://www.cast.org.cn/art/2025/12/4/art_91_4320982.html",
                            "中国科协办公厅关于开展2026年全国科普日活动的通知", "2025-12-04"),
        "next": None,
    }
    assert page.next_request is None


def test_hanweb_datastore_escaped_as_entities() -> None:
    html = load_fixture("jiangsu_col84242.html")
    start, end = html.index("<datastore>"), html.index("</datastore>") + len("</datastore>")
    escaped = html[:start] + escape(html[start:end], quote=False) + html[end:]
    assert parse_list_page(escaped, JIANGSU_COLUMN) == parse_list_page(html, JIANGSU_COLUMN)


def test_hanweb_column_filled_by_dataproxy_alone() -> None:
    html = """<html><body><div id="402788"><script type="text/xml"><datastore>
    <nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=1&path=/&columnid=84242&unitid=402788&webname=%E6%B1%9F%E8%8B%8F%E7%9C%81%E4%BA%BA%E6%B0%91%E6%94%BF%E5%BA%9C&permissiontype=0"></a>]]></nextgroup>
    <recordset></recordset></datastore></script></div>
    <script>var param_402788 = {col:1,appid:1,webid:1,path:'/',columnid:84242,sourceContentType:1,unitid:'402788',webname:'江苏省人民政府',permissiontype:0};</script>
    </body></html>"""
    page = parse_list_page(html, JIANGSU_COLUMN, family="hanweb")
    assert page == ListPage([], _hanweb_request(1, 15, total=None))


def test_hanweb_answer_without_records_ends_paging() -> None:
    context = _hanweb_request(3211, 3225).context
    page = parse_list_page("<datastore><totalrecord>3217</totalrecord><recordset></recordset></datastore>",
                           JIANGSU_PROXY + "?startrecord=3211&endrecord=3225&perpage=15", context=context)
    assert page == ListPage([], None)


def test_beijing_script_arrays() -> None:
    """北京市科委: urls[i]/headers[i]/year[i]… rows; a header may be an anchor whose title is the full title."""
    url = "http://kw.beijing.gov.cn/col/col736/index.html"
    page = parse_list_page(load_fixture("beijing_kw_col736.html"), url, family="Hanweb (list in script arrays)")
    assert summary(page.links, None) == {
        "count": 15, "with_date": 15,
        "first": ArticleLink("http://kw.beijing.gov.cn/art/2025/12/16/art_736_654321.html",
                             "北京市科学技术委员会、中关村科技园区管理委员会关于发布2026年度北京市高新技术企业培育支持指南的通知",
                             "2025-12-16"),
        "last": ArticleLink("http://kw.beijing.gov.cn/art/2025/11/15/art_736_654293.html",
                            "关于开展2026年度北京市外国人来华工作许可年审工作的通知", "2025-11-15"),
        "next": None,
    }
    assert page.links[1].title == "北京市科委、中关村管委会关于公布2025年度北京市新型研发机构名单的通知"
    assert page.next_request == PageRequest("http://kw.beijing.gov.cn/col/col736/index.html?uid=2453&pageNum=2",
                                            context={"family": "hanweb"})
    assert parse_list_page(load_fixture("beijing_kw_col736.html"), url) == page


def test_hanweb_records_take_list_hints() -> None:
    page = parse_list_page(load_fixture("jiangsu_col84242.html"), JIANGSU_COLUMN,
                           hints=ListHints(link="a", date="span.bt-data-time"))
    assert len(page.links) == 15 and page.links[0].date == "2025-12-16"


def test_script_arrays_that_are_not_a_list_leave_the_page_to_generic_discovery() -> None:
    """A slideshow script also fills urls[i]; with no headers[i] it is not Beijing's list."""
    url = "https://kjt.ah.gov.cn/kjzx/tzgg/index.html"
    html = load_fixture("ah_kjt_tzgg.html").replace(
        "</body>", "<script>var urls=[];var i=0;urls[i]='/images/banner1.jpg';i++;urls[i]='/images/banner2.jpg';</script></body>")
    assert detect_family(html, url) == "hanweb"
    page = parse_list_page(html, url)
    assert page.links == discover_article_links(html, url) and len(page.links) == 20


def test_unclosed_hanweb_tags_are_read_in_one_pass() -> None:
    """A hostile page of 20 000 unclosed <record> tags (a backtracking regex would never finish it)."""
    text = "<datastore>" + "<record><![CDATA[<li><a href='/a.html'>x" * 20_000
    assert parse_list_page(text, JIANGSU_COLUMN, family="hanweb").links == []


# ---------------------------------------------------------------------------
# gkmlpt
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(("start_url", "expected"), [
    (MAOMING + "/", MAOMING + "/gkmlpt/index"),
    (MAOMING, MAOMING + "/gkmlpt/index"),
    ("http://www.szlh.gov.cn/lhqkjhgyxxhj/", "http://www.szlh.gov.cn/lhqkjhgyxxhj/gkmlpt/index"),
    (MAOMING + "/gkmlpt/index", MAOMING + "/gkmlpt/index"),
    (MAOMING + "/gkmlpt/api/all/0?page=1&sid=668016", MAOMING + "/gkmlpt/api/all/0?page=1&sid=668016"),
])
def test_gkmlpt_first_request(start_url: str, expected: str) -> None:
    assert first_list_request(start_url, "Guangdong gkmlpt") == PageRequest(expected, context={"family": "gkmlpt"})


def test_gkmlpt_shell_names_the_api() -> None:
    page = parse_list_page(load_fixture("maoming_kjj_gkmlpt_index.html"), MAOMING + "/gkmlpt/index", family="gkmlpt")
    assert page == ListPage([], PageRequest(MAOMING + "/gkmlpt/api/all/0?page=1&sid=668016", context={"family": "gkmlpt"}))


def test_gkmlpt_api_pages() -> None:
    """Absolute and root-relative URLs; first_publish_time 00:30 Beijing on 12-16 is 12-15 in UTC, read as 12-16."""
    shell = parse_list_page(load_fixture("maoming_kjj_gkmlpt_index.html"), MAOMING + "/gkmlpt/index")
    assert shell.next_request is not None
    page1 = parse_list_page(load_fixture("maoming_kjj_gkmlpt_page1.json"), shell.next_request.url,
                            context=shell.next_request.context)
    assert summary(page1.links, None) == {
        "count": 10, "with_date": 10,
        "first": ArticleLink(MAOMING + "/gkmlpt/content/1/1234/post_1234567.html",
                             "茂名市科学技术局关于组织申报2026年度茂名市科技计划项目的通知", "2025-12-16"),
        "last": ArticleLink(MAOMING + "/gkmlpt/content/1/1234/post_1234468.html",
                            "茂名市科学技术局关于茂名高新区创新发展专项资金使用情况的公示", "2025-11-18"),
        "next": None,
    }
    assert page1.links[1].url == MAOMING + "/gkmlpt/content/1/1234/post_1234556.html"
    assert page1.next_request == PageRequest(MAOMING + "/gkmlpt/api/all/0?page=2&sid=668016",
                                             context={"family": "gkmlpt", "page_size": 10})
    page3 = parse_list_page(load_fixture("maoming_kjj_gkmlpt_page3.json"), MAOMING + "/gkmlpt/api/all/0?page=3&sid=668016",
                            context=page1.next_request.context)
    assert summary(page3.links, None) == {
        "count": 3, "with_date": 3,
        "first": ArticleLink(MAOMING + "/gkmlpt/content/1/1234/post_1234347.html",
                             "茂名市科学技术局关于2024年度市级科技计划项目结题验收的通知", "2024-06-03"),
        "last": ArticleLink(MAOMING + "/gkmlpt/content/1/1234/post_1234325.html",
                            "茂名市科学技术局2024年政府信息公开工作年度报告", "2024-04-24"),
        "next": None,
    }
    assert page3.next_request is None


def test_gkmlpt_is_recognised_from_the_page() -> None:
    url = MAOMING + "/gkmlpt/api/all/0?page=1&sid=668016"
    text = load_fixture("maoming_kjj_gkmlpt_page1.json")
    assert detect_family(text, url) == "gkmlpt"
    assert detect_family(load_fixture("maoming_kjj_gkmlpt_index.html"), MAOMING + "/gkmlpt/index") == "gkmlpt"
    assert parse_list_page(text, url).links == parse_list_page(text, url, family="gkmlpt").links


# ---------------------------------------------------------------------------
# JSON API (MIIT)
# ---------------------------------------------------------------------------

MIIT_EXPECTED = {
    "count": 10, "with_date": 10,
    "first": ArticleLink("https://www.miit.gov.cn/zwgk/zcwj/wjfb/tz/art/2025/art_8d5c0000ffffffffffffffffffffffff.html",
                         "工业和信息化部关于印发《推动工业领域高新技术企业高质量发展实施方案》的通知", "2025-12-16"),
    "last": ArticleLink("https://www.miit.gov.cn/zwgk/zcwj/wjfb/tz/art/2025/art_8d5c9999ffffffffffffffffffffffff.html",
                        "工业和信息化部关于印发《制造业单项冠军企业认定管理办法（修订）》的通知", "2025-11-28"),
    "next": MIIT_URL.replace("&p=1", "&p=2"),
}


@pytest.mark.parametrize(("family", "hints"), [
    (None, None),
    ("JSON API", ListHints(list_item="data.searchResult.dataResults[].groupData[0].data", link="url", date="deploytime")),
    ("json", ListHints(list_item="data.result.items[]", link="href")),
], ids=["by-shape", "declared-paths", "stale-paths"])
def test_miit_search_api(family: str | None, hints: ListHints | None) -> None:
    """Highlight ``<em>`` removed, epoch milliseconds as Beijing dates, next page while p * pg < total."""
    page = parse_list_page(load_fixture("miit_zcwjk_api.json"), MIIT_URL, family=family, hints=hints)
    assert page.next_request is not None
    assert summary(page.links, page.next_request.url) == MIIT_EXPECTED
    assert page.next_request == PageRequest(MIIT_EXPECTED["next"], context={"family": "json"})


def test_json_api_last_page() -> None:
    body = json.dumps({"data": {"total": 12, "list": [
        {"title": "关于开展高新技术企业认定的通知", "link": "/a/1.html", "pubDate": "2025-12-16"},
        {"title": "关于公布专精特新企业名单的通知", "link": "/a/2.html", "pubDate": "2025-12-15"}]}})
    page = parse_list_page(body, "https://api.example.gov.cn/list?pageNo=2&pageSize=10")
    assert page == ListPage([
        ArticleLink("https://api.example.gov.cn/a/1.html", "关于开展高新技术企业认定的通知", "2025-12-16"),
        ArticleLink("https://api.example.gov.cn/a/2.html", "关于公布专精特新企业名单的通知", "2025-12-15"),
    ], None)


# ---------------------------------------------------------------------------
# Dispatch
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(("declared", "expected"), [
    ("hanweb", "hanweb"), ("Hanweb (list in script arrays)", "hanweb"), ("大汉", "hanweb"),
    ("Hanweb (`<record><![CDATA[<li>…]]></record>`)", "hanweb"), ("Guangdong gkmlpt", "gkmlpt"),
    ("JSON API", "json"), ("json", "json"), ("json-api", "json"),
    ("TRS", None), ("UCAP/TRS", None), ("ucap", None), ("gov.cn", None), ("iList.jsp", None), ("ilist", None),
    ("meta-tags", None), ("aggregator (ASP)", None), ("old table CMS", None), ("—", None), (None, None),
])
def test_family_name(declared: str | None, expected: str | None) -> None:
    assert family_name(declared) == expected


@pytest.mark.parametrize("family", [None, "TRS", "hanweb", "gkmlpt", "json"])
def test_plain_list_page_goes_to_generic_discovery(family: str | None) -> None:
    """A declared family that does not fit the page degrades to the generic discovery, never to nothing."""
    url = "https://www.ndrc.gov.cn/xxgk/wjk/"
    html = load_fixture("ndrc_wjk.html")
    page = parse_list_page(html, url, family=family)
    assert page.links == discover_article_links(html, url) and len(page.links) == 20
    assert page.next_request is not None and page.next_request.url == discover_next_page(html, url)
    assert page.next_request.method == "GET" and page.next_request.formdata is None


def test_first_list_request_defaults() -> None:
    assert first_list_request("https://kjt.ah.gov.cn/kjzx/tzgg/", None) == PageRequest("https://kjt.ah.gov.cn/kjzx/tzgg/")
    assert first_list_request(JIANGSU_COLUMN, "Hanweb") == PageRequest(JIANGSU_COLUMN, context={"family": "hanweb"})
    assert first_list_request("https://gzw.cq.gov.cn/tzgg_191/", "TRS") == PageRequest("https://gzw.cq.gov.cn/tzgg_191/")


def test_generic_next_request_keeps_the_declared_family() -> None:
    page = parse_list_page(load_fixture("ndrc_wjk.html"), "https://www.ndrc.gov.cn/xxgk/wjk/", family="hanweb")
    assert page.next_request == PageRequest("https://www.ndrc.gov.cn/xxgk/wjk/index_1.html", context={"family": "hanweb"})


# ---------------------------------------------------------------------------
# Hostile input never raises
# ---------------------------------------------------------------------------

_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["title", "url", "link", "articles", "total", "page", "data", "first_publish_time",
                         "deploytime", "groupData", "list", "x"]), children, max_size=5),
    max_leaves=25,
)
_CONTEXTS = st.sampled_from([
    None, {}, {"family": "gkmlpt", "page_size": "x"}, {"proxy": 3, "form": [], "end": "a"},
    {"family": "hanweb", "proxy": JIANGSU_PROXY, "form": {"col": 1}, "end": 30, "group": 15, "perpage": 15, "total": None},
])
_URLS = st.sampled_from([JIANGSU_COLUMN, MAOMING + "/gkmlpt/api/all/0?page=1&sid=1", MIIT_URL, "", "x"])
_FAMILIES = st.sampled_from([None, "hanweb", "gkmlpt", "json", "TRS", "garbage"])
_MARKUP = st.sampled_from(["<datastore>", "<record><![CDATA[<li><a href='/a.html'>关于开展认定工作的通知</a>2025-12-16</li>]]></record>",
                           "<nextgroup><![CDATA[<a href='/dp.jsp?columnid=1&unitid=2'></a>]]></nextgroup>",
                           "<totalrecord>x</totalrecord>", "urls[i]='/a.html';headers[i]=\"<a title='t'>\";year[i]='2025';",
                           "window._CONFIG={SID:'1'}", "&lt;record&gt;", "{", "[", "</record>", "perPage:0"])


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(), _JSON.map(json.dumps), st.lists(_MARKUP, max_size=6).map("".join)),
       url=_URLS, family=_FAMILIES, context=_CONTEXTS)
@example(text='{"articles":[{"url":true,"title":"t"}]}', url="http://www.maoming.gov.cn/gkmlpt/api/all/0?page=1&sid=1",
         family=None, context=None)      # a JSON API's link that is not a string
@example(text='{"articles":[{"url":["/a.html"],"title":"t"}]}', url="http://www.maoming.gov.cn/gkmlpt/api/all/0?page=1&sid=1",
         family="gkmlpt", context=None)
def test_parse_list_page_never_raises(text: str, url: str, family: str | None, context: dict | None) -> None:
    page = parse_list_page(text, url, family=family, context=context)
    assert all(link.url.startswith(("http://", "https://")) for link in page.links)
    if page.next_request is not None:
        assert page.next_request.url.startswith(("http://", "https://"))
        json.dumps(page.next_request.context)
