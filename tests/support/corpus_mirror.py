"""A loopback mirror of the real-web corpus: its development pages served as real sites serve them.

Each development page of tests/fixtures/realweb with a labelled title becomes a detail page in one of
three site templates, and is linked from list pages in several list styles:

- ``trs-kjt``: a TRS page of a provincial 科学技术厅 (government): ``<title>`` with the site's name after
  an underscore, gov meta tags, a breadcrumb (当前位置：首页 > 通知公告), a 信息公开 metadata table
  (索引号 / 发文机关 / 成文日期 / 文号), the title in ``div.article-title`` with the 文号 under it, the
  text in ``div.TRS_Editor``;
- ``zwgk``: a Hanweb 政务公开 page of a city government (government): ArticleTitle/PubDate meta, a table of
  ``[ 发文机关 ]`` cells (with ``[ 标题 ]`` and ``[ 发布日期 ]`` rows), the title in ``div.sp_title``,
  the text in ``div#zoom``;
- ``zcfw``: a policy aggregator (aggregator): a keyword-stuffed ``<title>`` (now and then an
  ``og:title`` of the title and the site's name), an advertising bar, a breadcrumb ending in the (cut)
  title, the title in ``<h1>``, advertising lines around the text, a sidebar of other policies.

List styles: a ``ul``/``li`` list with dates, paged eight links a page, its long titles cut with ``…``
(every other one keeping the full title in the anchor's ``title`` attribute); a ``table`` of full titles
without dates; a column holding one notice (共1页).

What a template states is what the page's labels say (title, issuer, date, document number: an empty cell
where the label is null) plus furniture that states no field (索引号, column names, advertising, other
policies' titles), so the labels stay the labels of the served page. The one value from elsewhere is
the list page's date: the date the site lists the page under, a few days after the labelled date (or
a date of the site's own where the page has none). The page's own title line (as it shows it:
Traditional characters, injected pinyin) becomes the template's heading; the lines above it go into
the page's top bar and the lines below into the article. A page whose title is no line of its own keeps
its whole text in the article and shows no heading.

Only pages of the development part (split.json) are ever read: the blind part stays unseen.
"""
from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from pipelines.text.normalise import to_simplified
from pipelines.text.repair import remove_injected_pinyin
from tests.realweb import CORPUS, corpus_entries, read_split

LIST_PAGE_SIZE = 8
CUT_AT = 22            # a ul/li list shows this many characters of a longer title, then "…"
HEADING_SEARCH = 40    # lines at the head of a page searched for its own title line
SITE_DATE = dt.date(2024, 3, 18)  # the date a site lists a page under when the page states none

SOURCES = {
    "trs-kjt": {"name": "省科学技术厅 通知公告", "kind": "government", "level": "provincial", "column": "tzgg"},
    "zwgk": {"name": "市人民政府 政府信息公开", "kind": "government", "level": "municipal", "column": "zwgk"},
    "zcfw": {"name": "政策服务网 政策资讯", "kind": "aggregator", "level": None, "column": "news"},
}


@dataclass(frozen=True)
class MirroredPage:
    """One corpus page as the mirror serves it."""

    id: str
    site: str
    path: str                # the detail page's URL path
    labels: dict[str, Any]
    heading: str | None      # the page's own title line, as the page shows it (None: no heading)
    list_title: str          # the link text the list page shows
    list_date: str | None    # the date the list page shows next to the link (None: an undated list)
    list_style: str          # "dated", "table" or "single"
    title_attribute: bool    # the link carries the full title in its title attribute

    @property
    def link_title(self) -> str:
        """The link's title as a reader of the list takes it: the title attribute, else the text shown."""
        return self.labels["title"] if self.title_attribute else self.list_title


@dataclass(frozen=True)
class CorpusMirror:
    """A mirror written to disk: its root (served by demo.server.MirrorServer), sources file and pages."""

    root: Path
    sources: Path
    pages: list[MirroredPage]


# ---------------------------------------------------------------------------------------------
# the corpus side
# ---------------------------------------------------------------------------------------------

def title_key(text: str) -> str:
    """A line or title as compared with a labelled title: NFKC, Simplified, no injected pinyin, no
    white space, quotes or 《》."""
    folded = unicodedata.normalize("NFKC", remove_injected_pinyin(text))
    return re.sub(r"[\s《》〈〉\"'“”‘’「」『』]+", "", to_simplified(folded))


def dev_pages_with_titles(corpus: Path = CORPUS) -> list[dict[str, Any]]:
    """The development part's pages whose labels give a title (never a page of the blind part)."""
    split = read_split(corpus)
    if split is None:
        raise ValueError(f"{corpus}: no split.json, so no development part to mirror")
    return [entry for entry in corpus_entries(corpus)
            if split.get(entry["id"]) == "dev" and entry["labels"].get("title")]


def page_lines(path: str) -> list[str]:
    """A corpus page's text as its non-empty lines, white space runs collapsed."""
    text = Path(path).read_text(encoding="utf-8")
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def find_heading(lines: list[str], labels: dict[str, Any]) -> tuple[int, int] | None:
    """Where the page's own title line is, as (first line, line count): the first line, or pair of
    lines a page broke the title over, that reads as the labelled title or one of its alternatives."""
    wanted = {title_key(t) for t in [labels["title"], *labels.get("title_alternatives", [])] if t}
    head = lines[:HEADING_SEARCH]
    for index, line in enumerate(head):
        if title_key(line) in wanted:
            return index, 1
        if index + 1 < len(head) and title_key(line + head[index + 1]) in wanted:
            return index, 2
    return None


def shifted(date: str | None, days: int) -> str:
    """The date a site lists a page under: `days` after the page's own date, else the site's own date."""
    base = dt.date.fromisoformat(date) if date else SITE_DATE
    return (base + dt.timedelta(days=days)).isoformat()


def cut_title(title: str) -> str:
    """A long title as a narrow list column shows it."""
    return title if len(title) <= CUT_AT + 2 else title[:CUT_AT] + "…"


# ---------------------------------------------------------------------------------------------
# detail page templates
# ---------------------------------------------------------------------------------------------

def _e(text: str | None) -> str:
    return html.escape(text or "", quote=True)


def _paragraphs(lines: list[str]) -> str:
    return "\n".join(f"<p>{_e(line)}</p>" for line in lines)


def _region(labels: dict[str, Any]) -> str:
    return labels.get("province") or labels.get("province_inferred") or ""


def _index_number(page: MirroredPage) -> str:
    """A 信息公开 index number (unit code/year-serial), which is no document number."""
    year = (page.labels.get("publish_date") or page.list_date or SITE_DATE.isoformat())[:4]
    return f"114300000061{sum(map(ord, page.id)) % 90 + 10:02d}4K/{year}-{sum(map(ord, page.id)):05d}"


def _split_text(lines: list[str], heading: tuple[int, int] | None) -> tuple[list[str], list[str]]:
    """The lines above the page's title line (top bar) and the article's lines."""
    if heading is None:
        return [], lines
    start, count = heading
    return lines[:start], lines[start + count:]


def trs_page(page: MirroredPage, top: list[str], article: list[str], others: list[str]) -> str:
    labels = page.labels
    site = f"{_region(labels)}科学技术厅" if _region(labels) else "科学技术部"
    shown = page.heading or labels["title"]
    heading = f'<div class="article-title">{_e(page.heading)}</div>' if page.heading else ""
    if page.heading and labels.get("doc_number"):  # the 文号 shown under the title, as TRS pages do
        heading += f'\n<div class="article-subtitle">{_e(labels["doc_number"])}</div>'
    top_bar = f'<div class="top-bar">{_paragraphs(top)}</div>' if top else ""
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8">
<title>{_e(shown)}_{_e(site)}</title>
<meta name="SiteName" content="{_e(site)}">
<meta name="SiteDomain" content="kjt.example.gov.cn">
<meta name="SiteIDCode" content="4300000047">
<meta name="ColumnName" content="通知公告">
</head><body>
<div class="header"><div class="logo">{_e(site)}</div>
<ul class="nav"><li><a href="/trs-kjt/">首页</a></li><li><a href="/trs-kjt/tzgg/">通知公告</a></li>
<li><a href="/trs-kjt/zcwj/">政策文件</a></li><li><a href="/trs-kjt/bsfw/">办事服务</a></li></ul></div>
{top_bar}
<div class="position">当前位置：<a href="/trs-kjt/">首页</a> &gt; <a href="/trs-kjt/tzgg/">通知公告</a></div>
<div class="main">
<table class="xxgk-table">
<tr><th>索引号：</th><td>{_e(_index_number(page))}</td><th>发文机关：</th><td>{_e(labels.get("issuer"))}</td></tr>
<tr><th>成文日期：</th><td>{_e(labels.get("publish_date"))}</td><th>文号：</th><td>{_e(labels.get("doc_number"))}</td></tr>
</table>
{heading}
<div class="TRS_Editor">
{_paragraphs(article)}
</div>
<div class="article-tools"><a href="javascript:window.print()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a></div>
</div>
<div class="footer">主办单位：{_e(site)} 网站标识码：4300000047 ICP备05004535号</div>
</body></html>
"""


def zwgk_page(page: MirroredPage, top: list[str], article: list[str], others: list[str]) -> str:
    labels = page.labels
    site = "市人民政府门户网站"
    shown = page.heading or labels["title"]
    heading = f'<div class="sp_title">{_e(page.heading)}</div>' if page.heading else ""
    top_bar = f'<div class="top-bar">{_paragraphs(top)}</div>' if top else ""
    listed = page.list_date or ""
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8">
<title>{_e(shown)}_{_e(site)}</title>
<meta name="SiteName" content="{_e(site)}">
<meta name="SiteIDCode" content="3301000001">
<meta name="ColumnName" content="政府信息公开">
<meta name="ArticleTitle" content="{_e(shown)}">
<meta name="PubDate" content="{_e(listed)}">
</head><body>
<div class="head"><a href="/zwgk/">首页</a> <a href="/zwgk/zwgk/">政务公开</a> <a href="/zwgk/hdjl/">互动交流</a></div>
{top_bar}
<div class="bt-position">您当前的位置：<a href="/zwgk/">首页</a> &gt; <a href="/zwgk/zwgk/">政府信息公开</a> &gt; 文件</div>
<table class="xxgk_table">
<tr><td class="xxgk_td1">[ 索引号 ]</td><td class="xxgk_td2">{_e(_index_number(page))}</td>
<td class="xxgk_td1">[ 发布日期 ]</td><td class="xxgk_td2">{_e(listed)}</td></tr>
<tr><td class="xxgk_td1">[ 发文机关 ]</td><td class="xxgk_td2">{_e(labels.get("issuer"))}</td>
<td class="xxgk_td1">[ 成文日期 ]</td><td class="xxgk_td2">{_e(labels.get("publish_date"))}</td></tr>
<tr><td class="xxgk_td1">[ 文号 ]</td><td class="xxgk_td2">{_e(labels.get("doc_number"))}</td>
<td class="xxgk_td1">[ 主题分类 ]</td><td class="xxgk_td2">科技</td></tr>
<tr><td class="xxgk_td1">[ 标题 ]</td><td class="xxgk_td2" colspan="3">{_e(shown)}</td></tr>
</table>
{heading}
<div id="zoom">
{_paragraphs(article)}
</div>
<div class="sp_print"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
<div class="foot">主办：市人民政府办公室 网站标识码：3301000001</div>
</body></html>
"""


SPAM_WORDS = ("高新技术企业认定", "高企申报条件", "科技型中小企业评价", "专精特新申报", "项目申报咨询", "研发费用加计扣除")


def zcfw_page(page: MirroredPage, top: list[str], article: list[str], others: list[str]) -> str:
    labels = page.labels
    n = sum(map(ord, page.id))
    words = [SPAM_WORDS[(n + k) % len(SPAM_WORDS)] for k in range(4)]
    if n % 2:  # some stuff the page's own title in among the keywords
        words.insert(1, labels["title"])
    spam = "_".join(words) + "-政策服务网"
    # some carry an Open Graph title: the page's title with the site's name after it
    shared = (f'<meta property="og:title" content="{_e(page.heading or labels["title"])} - 政策服务网">'
              if n % 3 == 0 else "")
    heading = f"<h1>{_e(page.heading)}</h1>" if page.heading else ""
    top_bar = f'<div class="top-bar">{_paragraphs(top)}</div>' if top else ""
    sidebar = "".join(f'<li><a href="/zcfw/news/{k}.html">{_e(title)}</a></li>' for k, title in others)
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8">
<title>{_e(spam)}</title>
<meta name="keywords" content="{_e(",".join(SPAM_WORDS))}">
<meta name="description" content="政策服务网提供高新技术企业认定、科技项目申报一站式服务">
{shared}
</head><body>
<div class="ad-top"><a href="/zcfw/zixun.html">高企认定一站式服务 免费评估 通过率高 点击咨询</a></div>
<div class="menu"><a href="/zcfw/">首页</a> <a href="/zcfw/news/">政策资讯</a> <a href="/zcfw/sb/">项目申报</a></div>
{top_bar}
<div class="crumb">首页 &gt; 政策资讯 &gt; {_e(cut_title(labels["title"]))}</div>
<div class="news-detail">
{heading}
<div class="info">来源：政策服务网 浏览次数：{n * 7 % 5000}</div>
<div class="article-content">
<p>【政策服务网】专业代理高新技术企业认定，免费咨询热线：400-888-6666</p>
{_paragraphs(article)}
<p>以上内容由政策服务网整理发布，如需申报辅导请拨打400-888-6666。</p>
</div>
</div>
<div class="sidebar"><div class="side-title">热门政策</div><ul>{sidebar}</ul></div>
<div class="footer">Copyright 政策服务网 版权所有</div>
</body></html>
"""


TEMPLATES: dict[str, Callable[[MirroredPage, list[str], list[str], list[tuple[int, str]]], str]] = {
    "trs-kjt": trs_page, "zwgk": zwgk_page, "zcfw": zcfw_page,
}


# ---------------------------------------------------------------------------------------------
# list pages
# ---------------------------------------------------------------------------------------------

def _list_shell(site: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{_e(SOURCES[site]["name"])}</title></head><body>
<div class="nav"><a href="/{site}/">首页</a> <a href="/{site}/{SOURCES[site]["column"]}/">{_e(SOURCES[site]["name"])}</a></div>
<div class="position">当前位置：<a href="/{site}/">首页</a> &gt; 列表</div>
{body}
<div class="footer">网站地图 | 联系我们</div>
</body></html>
"""


def dated_list(site: str, pages: list[MirroredPage], next_path: str | None) -> str:
    """A ul/li list with dates; long titles cut with …, every other one keeping its title attribute."""
    rows = []
    for page in pages:
        attribute = f' title="{_e(page.labels["title"])}"' if page.title_attribute else ""
        rows.append(f'<li><a href="{page.path}" target="_blank"{attribute}>{_e(page.list_title)}</a>'
                    f'<span class="date">{page.list_date}</span></li>')
    pager = f'<div class="page"><a href="{next_path}">下一页</a></div>' if next_path else ""
    return _list_shell(site, f'<ul class="list">{"".join(rows)}</ul>{pager}')


def table_list(site: str, pages: list[MirroredPage]) -> str:
    """An old table layout: one row per title, no dates."""
    rows = "".join(f'<tr><td width="12">·</td><td><a href="{page.path}">{_e(page.list_title)}</a></td></tr>'
                   for page in pages)
    return _list_shell(site, f'<table class="tb-list" width="100%">{rows}</table>')


def single_list(site: str, page: MirroredPage) -> str:
    """A column holding one notice."""
    row = (f'<li><a href="{page.path}">{_e(page.list_title)}</a><span>{page.list_date}</span></li>')
    return _list_shell(site, f'<ul class="list">{row}</ul><div class="page">共1页 第1页</div>')


# ---------------------------------------------------------------------------------------------
# the mirror
# ---------------------------------------------------------------------------------------------

def plan_pages(entries: list[dict[str, Any]]) -> list[MirroredPage]:
    """Each page's site, URL, heading and list entry: sites in turn, and per site one page in a
    one-notice column, half of the rest in a dated list, the others in a table."""
    by_site: dict[str, list[dict[str, Any]]] = {site: [] for site in SOURCES}
    for index, entry in enumerate(entries):
        by_site[list(SOURCES)[index % len(SOURCES)]].append(entry)
    planned = []
    for site, members in by_site.items():
        half = 1 + (len(members) - 1) // 2
        for index, entry in enumerate(members):
            style = "single" if index == 0 else "dated" if index < half else "table"
            labels = entry["labels"]
            lines = page_lines(entry["path"])
            at = find_heading(lines, labels)
            heading = "".join(lines[at[0]:at[0] + at[1]]) if at else None  # a broken title joined again
            planned.append(MirroredPage(
                id=entry["id"], site=site, path=f"/{site}/{SOURCES[site]['column']}/content_{entry['id']}.html",
                labels=labels, heading=heading,
                list_title=cut_title(labels["title"]) if style == "dated" else labels["title"],
                list_date=None if style == "table" else shifted(labels.get("publish_date"), index % 7),
                list_style=style, title_attribute=style == "dated" and index % 2 == 1))
    return planned


def sources_yaml(pages: list[MirroredPage]) -> str:
    """The sources file of the mirror: one source per site, its list pages as start URLs."""
    out = ["sources:"]
    for site, spec in SOURCES.items():
        starts = [f"${{mirror}}/{site}/{name}" for name in list_files(site, pages)]
        level = f"\n    level: {spec['level']}" if spec["level"] else ""
        out.append(f"""  - id: {site}
    name: {spec["name"]}
    kind: {spec["kind"]}{level}
    start_urls: [{", ".join(f'"{url}"' for url in starts)}]
    allowed_domains: [127.0.0.1]
    max_list_pages: 20""")
    return "\n".join(out) + "\n"


def list_files(site: str, pages: list[MirroredPage]) -> list[str]:
    """The first list page of each list style a site has (the start URLs of its source)."""
    styles = {page.list_style for page in pages if page.site == site}
    return [name for style, name in (("single", "single.html"), ("dated", "list_1.html"), ("table", "table.html"))
            if style in styles]


def build_corpus_mirror(root: Path, sources_path: Path, corpus: Path = CORPUS) -> CorpusMirror:
    """Write the mirror's detail and list pages under `root` and its sources file at `sources_path`."""
    pages = plan_pages(dev_pages_with_titles(corpus))
    entries = {entry["id"]: entry for entry in dev_pages_with_titles(corpus)}
    for number, page in enumerate(pages):
        lines = page_lines(entries[page.id]["path"])
        top, article = _split_text(lines, find_heading(lines, page.labels))
        others = [(number * 31 + k, other.labels["title"]) for k, other in enumerate(pages[number + 1:number + 4])]
        target = root / page.path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(TEMPLATES[page.site](page, top, article, others), encoding="utf-8")
    for site in SOURCES:
        mine = [page for page in pages if page.site == site]
        folder = root / site
        folder.mkdir(parents=True, exist_ok=True)
        single = [page for page in mine if page.list_style == "single"]
        if single:
            (folder / "single.html").write_text(single_list(site, single[0]), encoding="utf-8")
        dated = [page for page in mine if page.list_style == "dated"]
        chunks = [dated[i:i + LIST_PAGE_SIZE] for i in range(0, len(dated), LIST_PAGE_SIZE)]
        for number, chunk in enumerate(chunks, start=1):
            next_path = f"/{site}/list_{number + 1}.html" if number < len(chunks) else None
            (folder / f"list_{number}.html").write_text(dated_list(site, chunk, next_path), encoding="utf-8")
        table = [page for page in mine if page.list_style == "table"]
        if table:
            (folder / "table.html").write_text(table_list(site, table), encoding="utf-8")
    sources_path.write_text(sources_yaml(pages), encoding="utf-8")
    return CorpusMirror(root=root, sources=sources_path, pages=pages)
