"""Page templates of the six demo sites, one class per CMS family.

Every site renders three things: its detail pages, its list pages (HTML,
Hanweb datastore records or gkmlpt JSON) and its furniture (home page,
about/contact/sitemap pages, a robots-disallowed private page). The markup
copies what each family really serves, because that is what generic link,
date, pagination and body discovery must cope with:

* ``hunan-kjt``      TRS WCM: ``index.html``/``index_1.html`` paged by a
  ``createPageHTML(N, i, "index", "html")`` script call only; gov meta tags;
  body in ``div.TRS_Editor``; attachments as ``<a href oldsrc>``.
* ``zhanjiang-kjj``  an old table CMS in GBK: list rows ``<tr><td><a>`` +
  ``<td>[2023-12-13]</td>``, 下一页/末页 anchors, ``发布时间：… 来源：…`` lines.
* ``jiangsu-kjt``    Hanweb: records only inside ``<script type="text/xml">``
  datastore CDATA; later pages from the dataproxy POST endpoint.
* ``gd-maoming-kjj`` Guangdong gkmlpt: an HTML shell with ``window._CONFIG``
  and a JSON list API; body in ``div.article-content``.
* ``huaxiataike``    aggregator: login prompt, breadcrumb, ``发布时间:… 发布部门:…``,
  附件下载, ``原文链接:``, disclaimer.
* ``hfwotao``        ASP aggregator in GB2312/GBK: ``文字:[大][中][小]`` header,
  hotline/WeChat ads inside the body, 返回上一步/打印此页, statistics scripts.

All links are root-relative or relative, except deliberate off-site links
(中国政府网, ICP 备案) that a crawler must not follow.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from datetime import datetime

from core.clock import BEIJING
from demo.generate.corpus import Block, Document, Table, cn_date

OFFSITE_LINKS = [("中国政府网", "http://www.gov.cn/"), ("科学技术部", "https://www.most.gov.cn/")]


@dataclass
class Page:
    """One detail page to render: a document as carried by one site."""

    site: str
    url: str
    number: int
    title: str
    published: datetime
    doc: Document
    variant: str | None
    blocks: list[Block]
    attachments: list[tuple[str, str]] = field(default_factory=list)
    original_url: str | None = None
    views: int = 0
    summary: str = ""
    seed_lines: list[str] | None = None


def esc(text: str) -> str:
    """HTML-escape text; non-breaking spaces become &nbsp; so GBK can carry them."""
    return html.escape(text, quote=True).replace("\u00a0", "&nbsp;")


def ymd(moment: datetime) -> str:
    """2025-12-16"""
    return moment.strftime("%Y-%m-%d")


def clip(title: str, limit: int) -> str:
    """Shorten a list title the way CMS templates do (…)."""
    return title if len(title) <= limit else title[: limit - 1] + "…"


def table_html(table: Table) -> str:
    """A bordered HTML table."""
    head = "".join(f"<th>{esc(c)}</th>" for c in table.header)
    rows = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in table.rows)
    return f'<table border="1" cellspacing="0" cellpadding="4" style="border-collapse:collapse"><tr>{head}</tr>{rows}</table>'


def blocks_html(blocks: list[Block], style: str = "") -> str:
    """Paragraphs and tables as HTML."""
    attr = f' style="{style}"' if style else ""
    out = []
    for block in blocks:
        if isinstance(block, Table):
            out.append(table_html(block))
        else:
            out.append(f"<p{attr}>{esc(block)}</p>")
    return "\n".join(out)


def gov_body_html(doc: Document, indent: str = "text-indent:2em") -> str:
    """A government document: 文号, addressee/preamble, body and right-aligned 落款."""
    parts = []
    if doc.doc_number:
        parts.append(f'<p style="text-align:center">{esc(doc.doc_number)}</p>')
    preamble = blocks_html(doc.preamble, indent)
    signature = "\n".join(f'<p style="text-align:right">{esc(line)}</p>' for line in doc.signature)
    body = blocks_html(doc.body, indent)
    ordered = [preamble, signature, body] if doc.signature_first else [preamble, body, signature]
    parts.extend(p for p in ordered if p)
    return "\n".join(parts)


def links_html(links: list[tuple[str, str]], sep: str = "\n") -> str:
    """Anchors for a list of (text, href)."""
    return sep.join(f'<a href="{esc(href)}">{esc(text)}</a>' for text, href in links)


def list_items_html(links: list[tuple[str, str]]) -> str:
    """<li> anchors for a menu."""
    return "".join(f'<li><a href="{esc(href)}">{esc(text)}</a></li>' for text, href in links)


@dataclass
class Furniture:
    """Navigation, menus and footer shared by a site's pages."""

    home: str
    nav: list[tuple[str, str]]
    sidebar: list[tuple[str, str]]
    more: tuple[str, str]
    footer: list[tuple[str, str]]
    icp: str
    address: str
    private: tuple[str, str]
    pages: dict[str, tuple[str, list[str]]]  # url -> (title, paragraphs)


class Site:
    """Base class: identity, charset behaviour and shared furniture."""

    id = ""
    name = ""
    kind = "government"
    family = ""
    encoding = "utf-8"
    page_size = 10
    meta_charset = "utf-8"
    declared_charset: str | None = "utf-8"
    domain = ""
    site_code = ""
    furniture: Furniture

    def __init__(self) -> None:
        self.overrides: dict[str, str | None] = {}

    # -- URLs ---------------------------------------------------------------
    def detail_url(self, number: int, when: datetime) -> str:
        """Root-relative URL of detail page ``number`` published at ``when``."""
        raise NotImplementedError

    def attachment_url(self, number: int, when: datetime, index: int, fmt: str) -> str:
        """Root-relative URL of a detail page's ``index``-th attachment."""
        raise NotImplementedError

    @property
    def start_url(self) -> str:
        """The first list page (what sources.yaml starts from)."""
        raise NotImplementedError

    # -- rendering ------------------------------------------------------------
    def render_detail(self, page: Page) -> str:
        """The HTML of one detail page."""
        raise NotImplementedError

    def list_files(self, pages: list[Page]) -> list[tuple[str, str | bytes]]:
        """(url, content) of every list page, newest documents first."""
        raise NotImplementedError

    def list_urls(self, count: int) -> list[str]:
        """The list-page URLs for ``count`` documents."""
        raise NotImplementedError

    def page_count(self, count: int) -> int:
        """Number of list pages for ``count`` documents."""
        return max(1, -(-count // self.page_size))

    def chunks(self, pages: list[Page]) -> list[list[Page]]:
        """Documents split into list pages."""
        return [pages[i:i + self.page_size] for i in range(0, len(pages), self.page_size)] or [[]]

    def settings(self) -> dict:
        """The server's per-site settings (_site.json)."""
        return {
            "site": self.id,
            "charset": self.encoding,
            "declared_charset": self.declared_charset,
            "overrides": self.overrides,
        }

    def head(self, title: str, extra: str = "") -> str:
        """<head> with the site's meta charset."""
        if self.meta_charset:
            charset = f'<meta http-equiv="Content-Type" content="text/html; charset={self.meta_charset}">'
        else:
            charset = ""
        return (
            f"<head>\n{charset}\n<title>{esc(title)}</title>\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"{extra}</head>"
        )

    def header_html(self) -> str:
        """Top bar (off-site links, the private link) and the navigation."""
        f = self.furniture
        offsite = links_html(OFFSITE_LINKS, " | ")
        return (
            f'<div class="top-bar"><span>{esc(self.name)}</span> <span class="top-links">{offsite} | '
            f'<a href="{esc(f.private[1])}">{esc(f.private[0])}</a></span></div>\n'
            f'<div class="nav"><ul>{list_items_html(f.nav)}</ul></div>'
        )

    def sidebar_html(self) -> str:
        """Column menu with a 更多>> box."""
        f = self.furniture
        return (
            f'<div class="sidebar"><h3>栏目导航</h3><ul>{list_items_html(f.sidebar)}</ul>\n'
            f'<div class="box"><h4>{esc(f.more[0])}<a class="more" href="{esc(f.more[1])}">更多&gt;&gt;</a></h4></div></div>'
        )

    def footer_html(self) -> str:
        """Footer: 网站地图, 联系我们, address, ICP 备案号."""
        f = self.furniture
        return (
            f'<div class="footer"><p>{links_html(f.footer, " | ")}</p>'
            f"<p>主办单位：{esc(self.name)}  {esc(f.address)}</p>"
            f'<p><a href="https://beian.miit.gov.cn/" target="_blank">{esc(f.icp)}</a></p></div>'
        )

    def furniture_files(self) -> list[tuple[str, str | bytes]]:
        """Home page, about/contact/sitemap pages and the private page."""
        files: list[tuple[str, str | bytes]] = [(self.furniture.home, self.render_home())]
        for url, (title, paragraphs) in self.furniture.pages.items():
            files.append((url, self.render_static(title, paragraphs)))
        files.append((self.furniture.private[1], self.render_static("内部系统登录", ["本系统仅供内部工作人员使用，请输入用户名和密码。"])))
        return files

    def render_home(self) -> str:
        """The site's home page."""
        links = [(text, href) for text, href in self.furniture.nav]
        return self.render_static(
            self.name,
            ["欢迎访问" + self.name + "。"],
            extra=f'<div class="home-more"><a href="{esc(self.start_url)}">通知公告 更多&gt;&gt;</a></div>'
            f'<ul>{list_items_html(links)}</ul>',
        )

    def render_static(self, title: str, paragraphs: list[str], extra: str = "") -> str:
        """A plain furniture page (about, contact, sitemap, login)."""
        body = "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
        return (
            f"<!DOCTYPE html>\n<html>\n{self.head(title + '_' + self.name)}\n<body>\n{self.header_html()}\n"
            f'<div class="container">{self.sidebar_html()}<div class="main"><h2>{esc(title)}</h2>{body}{extra}</div></div>\n'
            f"{self.footer_html()}\n</body>\n</html>\n"
        )

    def gov_meta(self, page: Page, column: str) -> str:
        """The 政府网站 meta tags (ArticleTitle, PubDate, ContentSource, …)."""
        doc = page.doc
        description = doc.text().replace("\n", "")[:80]
        return (
            f'<meta name="SiteName" content="{esc(self.name)}">\n'
            f'<meta name="SiteDomain" content="{esc(self.domain)}">\n'
            f'<meta name="SiteIDCode" content="{esc(self.site_code)}">\n'
            f'<meta name="ColumnName" content="{esc(column)}">\n'
            f'<meta name="ColumnType" content="{esc(column)}">\n'
            f'<meta name="ArticleTitle" content="{esc(page.title)}">\n'
            f'<meta name="PubDate" content="{page.published:%Y-%m-%d %H:%M}">\n'
            f'<meta name="ContentSource" content="{esc(doc.issuer)}">\n'
            f'<meta name="Keywords" content="{esc(",".join(doc.keywords))}">\n'
            f'<meta name="Author" content="{esc(doc.issuer)}">\n'
            f'<meta name="Description" content="{esc(description)}">\n'
        )


def attachments_html(attachments: list[tuple[str, str]], oldsrc: bool = False) -> str:
    """附件 links; TRS style adds ``oldsrc`` with the protected path."""
    if not attachments:
        return ""
    items = []
    for index, (name, url) in enumerate(attachments, start=1):
        extra = ""
        href = url
        if oldsrc:
            # TRS publishes attachments next to the page and keeps the upload path in oldsrc
            file_name = url.rsplit("/", 1)[-1]
            href = "./" + file_name
            extra = f' oldsrc="/protect/{file_name[:8]}/{file_name}"'
        items.append(f'<p><a href="{esc(href)}"{extra}>{index}.{esc(name)}</a></p>')
    return '<div class="attachments"><p>附件：</p>' + "".join(items) + "</div>"


# ---------------------------------------------------------------------------
class HunanTRS(Site):
    """湖南省科学技术厅 on TRS WCM (UTF-8)."""

    id = "hunan-kjt"
    name = "湖南省科学技术厅"
    family = "trs"
    page_size = 6
    domain = "kjt.hunan.gov.cn"
    site_code = "4300000035"
    meta_charset = "utf-8"
    declared_charset = "utf-8"
    base = "/hunan-kjt"
    furniture = Furniture(
        home="/hunan-kjt/index.html",
        nav=[("首页", "/hunan-kjt/index.html"), ("机构职能", "/hunan-kjt/jgzn/index.html"),
             ("通知公告", "/hunan-kjt/tzgg/index.html"), ("专题专栏", "/hunan-kjt/ztzl/index.html"),
             ("联系我们", "/hunan-kjt/lxwm/index.html")],
        sidebar=[("通知公告", "/hunan-kjt/tzgg/index.html"), ("机构职能", "/hunan-kjt/jgzn/index.html"),
                 ("专题专栏", "/hunan-kjt/ztzl/index.html")],
        more=("专题专栏", "/hunan-kjt/ztzl/index.html"),
        footer=[("网站地图", "/hunan-kjt/wzdt/index.html"), ("联系我们", "/hunan-kjt/lxwm/index.html")],
        icp="湘ICP备05005125号",
        address="地址：长沙市岳麓区桐梓坡西路1号 邮编：410013",
        private=("内部办公", "/hunan-kjt/private/oa.html"),
        pages={
            "/hunan-kjt/jgzn/index.html": ("机构职能", ["贯彻落实国家科技发展方针政策，拟订全省科技发展规划和政策并组织实施。"]),
            "/hunan-kjt/lxwm/index.html": ("联系我们", ["办公地址：长沙市岳麓区桐梓坡西路1号", "值班电话：0731-88988000"]),
            "/hunan-kjt/wzdt/index.html": ("网站地图", ["首页 | 机构职能 | 通知公告 | 专题专栏 | 联系我们"]),
            "/hunan-kjt/ztzl/index.html": ("专题专栏", ["科技创新“十五五”规划编制", "高新技术企业认定专栏"]),
        },
    )

    @property
    def start_url(self) -> str:
        return "/hunan-kjt/tzgg/index.html"

    def detail_url(self, number: int, when: datetime) -> str:
        return f"/hunan-kjt/tzgg/{when:%Y%m}/t{when:%Y%m%d}_{number}.html"

    def attachment_url(self, number: int, when: datetime, index: int, fmt: str) -> str:
        return f"/hunan-kjt/tzgg/{when:%Y%m}/P0{when:%Y%m%d%H%M}{number % 100000:05d}{index}.{fmt}"

    def list_urls(self, count: int) -> list[str]:
        return ["/hunan-kjt/tzgg/index.html"] + [f"/hunan-kjt/tzgg/index_{i}.html" for i in range(1, self.page_count(count))]

    def list_files(self, pages: list[Page]) -> list[tuple[str, str | bytes]]:
        chunks = self.chunks(pages)
        urls = self.list_urls(len(pages))
        files: list[tuple[str, str | bytes]] = []
        for index, (url, chunk) in enumerate(zip(urls, chunks)):
            items = "\n".join(
                f'<li><a href="./{p.url.split("/tzgg/", 1)[1]}" target="_blank" title="{esc(p.title)}">{esc(clip(p.title, 34))}</a>'
                f"<span>{ymd(p.published)}</span></li>"
                for p in chunk
            )
            files.append((url, self._list_page(items, len(chunks), index)))
        return files

    def _list_page(self, items: str, total: int, current: int) -> str:
        meta = (
            f'<meta name="SiteName" content="{self.name}">\n<meta name="SiteDomain" content="{self.domain}">\n'
            f'<meta name="SiteIDCode" content="{self.site_code}">\n<meta name="ColumnName" content="通知公告">\n'
            '<meta name="ColumnType" content="通知公告">\n'
            "<script>\nfunction createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){\n"
            "  if(_nPageCount == null || _nPageCount <= 1){ return; }\n"
            "  for(var i = 0; i < _nPageCount; i++){\n"
            "    var name = i == 0 ? _sPageName + '.' + _sPageExt : _sPageName + '_' + i + '.' + _sPageExt;\n"
            "    document.write(i == _nCurrIndex ? '<span>' + (i + 1) + '</span>' : '<a href=\"' + name + '\">' + (i + 1) + '</a>');\n"
            "  }\n}\n</script>\n"
        )
        return (
            f"<!DOCTYPE html>\n<html lang=\"zh-CN\">\n{self.head('通知公告_' + self.name, meta)}\n<body>\n"
            f"{self.header_html()}\n<div class=\"container\">{self.sidebar_html()}\n<div class=\"main\">\n"
            '<div class="crumb">当前位置：<a href="../index.html">首页</a> &gt; <a href="./index.html">通知公告</a></div>\n'
            f'<ul class="list-ul">\n{items}\n</ul>\n'
            f'<div class="page"><script>createPageHTML({total}, {current}, "index", "html");</script></div>\n'
            f"</div></div>\n{self.footer_html()}\n</body>\n</html>\n"
        )

    def render_detail(self, page: Page) -> str:
        doc = page.doc
        meta = self.gov_meta(page, doc.column)
        return (
            f"<!DOCTYPE html>\n<html lang=\"zh-CN\">\n{self.head(page.title + '_' + self.name, meta)}\n<body>\n"
            f"{self.header_html()}\n<div class=\"container\">\n"
            '<div class="crumb">当前位置：<a href="../../index.html">首页</a> &gt; <a href="../index.html">通知公告</a></div>\n'
            f'<div class="article"><h1 class="title">{esc(page.title)}</h1>\n'
            f'<div class="info"><span>发布时间：{page.published:%Y-%m-%d %H:%M}</span><span>来源：{esc(doc.issuer)}</span>'
            '<span>【字体：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> '
            '<a href="javascript:doZoom(14)">小</a>】</span></div>\n'
            f'<div class="TRS_Editor">\n{gov_body_html(doc)}\n{attachments_html(page.attachments, oldsrc=True)}\n</div>\n'
            '<div class="share">分享到：<a href="javascript:void(0)">微信</a> <a href="javascript:void(0)">微博</a> '
            '<a href="javascript:window.print()">【打印】</a> <a href="javascript:window.close()">【关闭】</a></div>\n'
            f"</div></div>\n{self.footer_html()}\n</body>\n</html>\n"
        )


# ---------------------------------------------------------------------------
class ZhanjiangOldCMS(Site):
    """湛江市科学技术局 on an older table-layout CMS (GBK bytes, gb2312 meta)."""

    id = "zhanjiang-kjj"
    name = "湛江市科学技术局"
    family = "old-table-cms"
    encoding = "gbk"
    page_size = 8
    meta_charset = "gb2312"
    declared_charset = None
    furniture = Furniture(
        home="/zhanjiang-kjj/index.html",
        nav=[("首页", "/zhanjiang-kjj/index.html"), ("机构概况", "/zhanjiang-kjj/jggk.htm"),
             ("通知公告", "/zhanjiang-kjj/tzgg/index.htm"), ("专题专栏", "/zhanjiang-kjj/ztzl.htm"),
             ("联系我们", "/zhanjiang-kjj/lxwm.htm")],
        sidebar=[("通知公告", "/zhanjiang-kjj/tzgg/index.htm"), ("机构概况", "/zhanjiang-kjj/jggk.htm")],
        more=("专题专栏", "/zhanjiang-kjj/ztzl.htm"),
        footer=[("网站地图", "/zhanjiang-kjj/wzdt.htm"), ("联系我们", "/zhanjiang-kjj/lxwm.htm")],
        icp="粤ICP备05008736号",
        address="地址：湛江市赤坎区椹川大道中27号",
        private=("办公系统", "/zhanjiang-kjj/admin/login.htm"),
        pages={
            "/zhanjiang-kjj/jggk.htm": ("机构概况", ["湛江市科学技术局是市政府工作部门，负责全市科技创新工作。"]),
            "/zhanjiang-kjj/lxwm.htm": ("联系我们", ["地址：湛江市赤坎区椹川大道中27号", "电话：0759-3331200"]),
            "/zhanjiang-kjj/wzdt.htm": ("网站地图", ["首页 机构概况 通知公告 专题专栏 联系我们"]),
            "/zhanjiang-kjj/ztzl.htm": ("专题专栏", ["高新技术企业培育", "科技创新券"]),
        },
    )

    @property
    def start_url(self) -> str:
        return "/zhanjiang-kjj/tzgg/index.htm"

    def detail_url(self, number: int, when: datetime) -> str:
        return f"/zhanjiang-kjj/tzgg/content/{when:%Y-%m}/{when:%d}/content_{number}.htm"

    def attachment_url(self, number: int, when: datetime, index: int, fmt: str) -> str:
        return f"/zhanjiang-kjj/attachment/{when:%Y%m}/{number}_{index}.{fmt}"

    def list_urls(self, count: int) -> list[str]:
        return ["/zhanjiang-kjj/tzgg/index.htm"] + [f"/zhanjiang-kjj/tzgg/list_{i}.htm" for i in range(2, self.page_count(count) + 1)]

    def list_files(self, pages: list[Page]) -> list[tuple[str, str | bytes]]:
        chunks = self.chunks(pages)
        urls = self.list_urls(len(pages))
        names = [u.rsplit("/", 1)[1] for u in urls]
        files: list[tuple[str, str | bytes]] = []
        for index, (url, chunk) in enumerate(zip(urls, chunks)):
            rows = "\n".join(
                f'<tr><td class="list_title" align="left">·<a href="{p.url.split("/tzgg/", 1)[1]}" target="_blank">'
                f'{esc(p.title)}</a></td><td class="list_date" width="110" align="right">[{ymd(p.published)}]</td></tr>'
                for p in chunk
            )
            pager = self._pager(names, index, len(pages))
            files.append((url, self._list_page(rows, pager)))
        return files

    def _pager(self, names: list[str], index: int, total_items: int) -> str:
        last = len(names) - 1
        first = '首页' if index == 0 else f'<a href="{names[0]}">首页</a>'
        prev = '上一页' if index == 0 else f'<a href="{names[index - 1]}">上一页</a>'
        nxt = '下一页' if index == last else f'<a href="{names[index + 1]}">下一页</a>'
        end = '末页' if index == last else f'<a href="{names[last]}">末页</a>'
        return f'共{total_items}条记录 页次：{index + 1}/{last + 1} {first} {prev} {nxt} {end}'

    def _frame(self, title: str, inner: str) -> str:
        return (
            f"<html>\n{self.head(title)}\n<body topmargin=\"0\" leftmargin=\"0\">\n"
            f'<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0"><tr><td>{self.header_html()}</td></tr></table>\n'
            f'<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0"><tr>'
            f'<td width="220" valign="top">{self.sidebar_html()}</td><td width="780" valign="top">\n{inner}\n</td></tr></table>\n'
            f'<table width="1000" border="0" align="center"><tr><td>{self.footer_html()}</td></tr></table>\n</body>\n</html>\n'
        )

    def _list_page(self, rows: str, pager: str) -> str:
        inner = (
            '<div class="position">您现在的位置：<a href="/zhanjiang-kjj/index.html">首页</a> &gt;&gt; 通知公告</div>\n'
            f'<table class="list_table" width="100%" border="0" cellspacing="0" cellpadding="0">\n{rows}\n</table>\n'
            f'<div class="pager" align="center">{pager}</div>'
        )
        return self._frame("湛江市科学技术局--通知公告", inner)

    def render_detail(self, page: Page) -> str:
        doc = page.doc
        attachments = ""
        if page.attachments:
            attachments = "<p>附件：</p>" + "".join(
                f'<p><a href="{esc(url)}" target="_blank">{esc(name)}</a></p>' for name, url in page.attachments
            )
        inner = (
            '<div class="position">您现在的位置：<a href="/zhanjiang-kjj/index.html">首页</a> &gt;&gt; '
            '<a href="/zhanjiang-kjj/tzgg/index.htm">通知公告</a> &gt;&gt; 正文</div>\n'
            '<table width="100%" border="0" cellspacing="0" cellpadding="0">\n'
            f'<tr><td class="art_title" align="center"><b>{esc(page.title)}</b></td></tr>\n'
            f'<tr><td class="art_info" align="center">发布时间：{ymd(page.published)}  来源：{esc(doc.issuer)}  '
            f'浏览次数：<span id="hits">{page.views}</span>  【<a href="javascript:window.print()">打印</a>】'
            '【<a href="javascript:window.close()">关闭</a>】</td></tr>\n'
            f'<tr><td class="art_content" id="content">\n{gov_body_html(doc)}\n{attachments}\n</td></tr>\n</table>'
        )
        return self._frame(page.title, inner)


# ---------------------------------------------------------------------------
class JiangsuHanweb(Site):
    """江苏省科学技术厅 on 大汉 Hanweb (UTF-8, list in a script datastore)."""

    id = "jiangsu-kjt"
    name = "江苏省科学技术厅"
    family = "hanweb"
    page_size = 15
    domain = "kxjst.jiangsu.gov.cn"
    site_code = "3200000049"
    declared_charset = "UTF-8"
    column_id = 1001
    unit_id = 5001
    web_id = 1
    furniture = Furniture(
        home="/jiangsu-kjt/index.html",
        nav=[("首页", "/jiangsu-kjt/index.html"), ("机构职能", "/jiangsu-kjt/col/col1002/index.html"),
             ("通知公告", "/jiangsu-kjt/col/col1001/index.html"), ("专题专栏", "/jiangsu-kjt/col/col1005/index.html"),
             ("联系我们", "/jiangsu-kjt/col/col1003/index.html")],
        sidebar=[("通知公告", "/jiangsu-kjt/col/col1001/index.html"), ("机构职能", "/jiangsu-kjt/col/col1002/index.html"),
                 ("专题专栏", "/jiangsu-kjt/col/col1005/index.html")],
        more=("专题专栏", "/jiangsu-kjt/col/col1005/index.html"),
        footer=[("网站地图", "/jiangsu-kjt/col/col1004/index.html"), ("联系我们", "/jiangsu-kjt/col/col1003/index.html")],
        icp="苏ICP备05009038号",
        address="地址：南京市北京东路39号",
        private=("OA登录", "/jiangsu-kjt/private/oa.html"),
        pages={
            "/jiangsu-kjt/col/col1002/index.html": ("机构职能", ["负责拟订全省科技创新规划和政策并组织实施。"]),
            "/jiangsu-kjt/col/col1003/index.html": ("联系我们", ["地址：南京市北京东路39号", "电话：025-57712000"]),
            "/jiangsu-kjt/col/col1004/index.html": ("网站地图", ["首页 机构职能 通知公告 专题专栏 联系我们"]),
            "/jiangsu-kjt/col/col1005/index.html": ("专题专栏", ["高新区高质量发展", "苏科贷"]),
        },
    )

    @property
    def start_url(self) -> str:
        return f"/jiangsu-kjt/col/col{self.column_id}/index.html"

    @property
    def dataproxy_url(self) -> str:
        return "/jiangsu-kjt/module/web/jpage/dataproxy.jsp"

    def dataproxy_form(self) -> dict[str, str]:
        """The form fields a jpage script posts to the dataproxy."""
        return {
            "col": "1", "appid": "1", "webid": str(self.web_id), "path": "/", "columnid": str(self.column_id),
            "unitid": str(self.unit_id), "webname": self.name, "permissiontype": "0",
        }

    def detail_url(self, number: int, when: datetime) -> str:
        return f"/jiangsu-kjt/art/{when.year}/{when.month}/{when.day}/art_{self.column_id}_{number}.html"

    def attachment_url(self, number: int, when: datetime, index: int, fmt: str) -> str:
        return f"/jiangsu-kjt/attach/0/{when:%y%m%d%H%M}{number:06d}{index}.{fmt}"

    def list_urls(self, count: int) -> list[str]:
        urls = [self.start_url]
        for page in range(2, self.page_count(count) + 1):
            start = (page - 1) * self.page_size + 1
            urls.append(f"{self.dataproxy_url}?startrecord={start}&endrecord={start + self.page_size - 1}&perpage={self.page_size}")
        return urls

    def record(self, page: Page) -> str:
        """One datastore record: the <li> a jpage script would insert."""
        return (
            f'<li><a href="{esc(page.url)}" title="{esc(page.title)}" target="_blank">{esc(clip(page.title, 36))}</a>'
            f"<span>{ymd(page.published)}</span></li>"
        )

    def column_records(self, pages: list[Page]) -> dict:
        """The record list the dataproxy endpoint answers from (_hanweb/col<id>.json)."""
        return {"columnid": self.column_id, "unitid": self.unit_id, "webid": self.web_id, "perpage": self.page_size,
                "records": [self.record(p) for p in pages]}

    def list_files(self, pages: list[Page]) -> list[tuple[str, str | bytes]]:
        total = len(pages)
        first = pages[: self.page_size]
        nextgroup = (
            f'<a href="{self.dataproxy_url}?page=1&webid={self.web_id}&path=/&columnid={self.column_id}'
            f'&unitid={self.unit_id}&webname={self.name}&permissiontype=0"></a>'
        )
        records = "\n".join(f"<record><![CDATA[{self.record(p)}]]></record>" for p in first)
        datastore = (
            f'<div id="{self.unit_id}"><script type="text/xml"><datastore>\n'
            f"<nextgroup><![CDATA[{nextgroup}]]></nextgroup>\n<recordset>\n{records}\n</recordset>\n"
            f"<totalrecord>{total}</totalrecord><totalpage>{self.page_count(total)}</totalpage>\n"
            "</datastore></script></div>\n"
            "<script>\n$(document).ready(function(){\n"
            f"  $('#{self.unit_id}').jpage({{ dataStore: $('#{self.unit_id} script[type=\"text/xml\"]'), "
            f"proxyUrl: '{self.dataproxy_url}', perPage: {self.page_size}, totalRecord: {total}, "
            f"ajaxParam: {{col: 1, appid: 1, webid: {self.web_id}, path: '/', columnid: {self.column_id}, "
            f"unitid: {self.unit_id}, webname: '{self.name}', permissiontype: 0}} }});\n}});\n</script>"
        )
        inner = (
            '<div class="bt-position">当前位置：<a href="/jiangsu-kjt/index.html">首页</a> &gt; '
            '<a href="/jiangsu-kjt/col/col1001/index.html">通知公告</a></div>\n'
            f'<div class="bt-list">\n{datastore}\n</div>'
        )
        html_page = (
            f"<!DOCTYPE html>\n<html>\n{self.head('通知公告 ' + self.name)}\n<body>\n{self.header_html()}\n"
            f'<div class="container">{self.sidebar_html()}<div class="main">\n{inner}\n</div></div>\n'
            f"{self.footer_html()}\n</body>\n</html>\n"
        )
        return [(self.start_url, html_page)]

    def render_detail(self, page: Page) -> str:
        doc = page.doc
        attachments = ""
        if page.attachments:
            attachments = "<p>附件：</p>" + "".join(
                f'<p><a href="{esc(url)}" target="_blank">{esc(name)}</a></p>' for name, url in page.attachments
            )
        return (
            f"<!DOCTYPE html>\n<html>\n{self.head(page.title + ' ' + self.name, self.gov_meta(page, doc.column))}\n<body>\n"
            f"{self.header_html()}\n<div class=\"container\">\n"
            '<div class="bt-position">当前位置：<a href="/jiangsu-kjt/index.html">首页</a> &gt; '
            '<a href="/jiangsu-kjt/col/col1001/index.html">通知公告</a></div>\n'
            f'<div class="main-txt"><div class="sp_title">{esc(page.title)}</div>\n'
            f'<div class="sp_time"><font>发布日期：{ymd(page.published)}</font> <font>信息来源：{esc(doc.issuer)}</font> '
            f'<font>浏览次数：<span id="hits">{page.views}</span></font> '
            '<font>字号：〖<a href="javascript:doZoom(20)">大</a> <a href="javascript:doZoom(16)">中</a> '
            '<a href="javascript:doZoom(12)">小</a>〗</font></div>\n'
            f'<div id="zoom">\n{gov_body_html(doc)}\n{attachments}\n</div>\n'
            '<div class="sp_print"><a href="javascript:window.print()">[打印本页]</a> <a href="javascript:window.close()">[关闭窗口]</a></div>\n'
            f"</div></div>\n{self.footer_html()}\n</body>\n</html>\n"
        )


# ---------------------------------------------------------------------------
class MaomingGkmlpt(Site):
    """茂名市科学技术局 on the Guangdong gkmlpt platform (JSON list API)."""

    id = "gd-maoming-kjj"
    name = "茂名市科学技术局"
    family = "gkmlpt"
    page_size = 10
    sid = "755001"
    declared_charset = "utf-8"
    furniture = Furniture(
        home="/gd-maoming-kjj/index.html",
        nav=[("首页", "/gd-maoming-kjj/index.html"), ("机构概况", "/gd-maoming-kjj/jggk/index.html"),
             ("政府信息公开", "/gd-maoming-kjj/gkmlpt/index"), ("专题专栏", "/gd-maoming-kjj/ztzl/index.html"),
             ("联系我们", "/gd-maoming-kjj/lxwm/index.html")],
        sidebar=[("政府信息公开目录", "/gd-maoming-kjj/gkmlpt/index"), ("机构概况", "/gd-maoming-kjj/jggk/index.html")],
        more=("专题专栏", "/gd-maoming-kjj/ztzl/index.html"),
        footer=[("网站地图", "/gd-maoming-kjj/wzdt/index.html"), ("联系我们", "/gd-maoming-kjj/lxwm/index.html")],
        icp="粤ICP备05082306号",
        address="地址：茂名市油城五路1号",
        private=("内网入口", "/gd-maoming-kjj/private/index.html"),
        pages={
            "/gd-maoming-kjj/jggk/index.html": ("机构概况", ["茂名市科学技术局负责全市科技创新规划、政策制定和组织实施。"]),
            "/gd-maoming-kjj/lxwm/index.html": ("联系我们", ["地址：茂名市油城五路1号", "电话：0668-2288600"]),
            "/gd-maoming-kjj/wzdt/index.html": ("网站地图", ["首页 机构概况 政府信息公开 专题专栏 联系我们"]),
            "/gd-maoming-kjj/ztzl/index.html": ("专题专栏", ["高新技术企业培育", "科技企业孵化器"]),
        },
    )

    @property
    def start_url(self) -> str:
        return "/gd-maoming-kjj/gkmlpt/index"

    def api_url(self, page_number: int) -> str:
        return f"/gd-maoming-kjj/gkmlpt/api/all/0?page={page_number}&sid={self.sid}"

    def detail_url(self, number: int, when: datetime) -> str:
        return f"/gd-maoming-kjj/gkmlpt/content/0/{number}/post_{number}.html"

    def attachment_url(self, number: int, when: datetime, index: int, fmt: str) -> str:
        return f"/gd-maoming-kjj/attachment/0/{number % 1000}/{number}_{index}.{fmt}"

    def list_urls(self, count: int) -> list[str]:
        return [self.start_url] + [self.api_url(n) for n in range(1, self.page_count(count) + 1)]

    def identifier(self, page: Page) -> str:
        """索引号 (not a 文号)."""
        return f"11440900MB2C35578X/{page.published.year}-{page.number % 100000:05d}"

    def article_json(self, page: Page) -> dict:
        epoch = int(page.published.replace(tzinfo=BEIJING).timestamp())
        return {
            "id": page.number,
            "title": page.title,
            "url": page.url,
            "publisher": page.doc.issuer,
            "first_publish_time": epoch,
            "document_number": page.doc.doc_number or "",
            "identifier": self.identifier(page),
        }

    def list_files(self, pages: list[Page]) -> list[tuple[str, str | bytes]]:
        files: list[tuple[str, str | bytes]] = [(self.start_url, self._shell())]
        for number, chunk in enumerate(self.chunks(pages), start=1):
            payload = {"articles": [self.article_json(p) for p in chunk], "total": len(pages), "page": number}
            files.append((self.api_url(number), json.dumps(payload, ensure_ascii=False, indent=1) + "\n"))
        return files

    def _shell(self) -> str:
        config = (
            "<script>\nwindow._CONFIG = {SID: '" + self.sid + "', SITE_NAME: '" + self.name + "', "
            "API_BASE: '/gd-maoming-kjj/gkmlpt/api', PAGE_SIZE: " + str(self.page_size) + "};\n</script>\n"
        )
        return (
            f"<!DOCTYPE html>\n<html>\n{self.head('政府信息公开 ' + self.name, config)}\n<body>\n{self.header_html()}\n"
            f'<div class="container">{self.sidebar_html()}<div class="main">\n'
            '<div class="list-right-content" id="app"><div class="loading">正在加载……</div></div>\n'
            "<noscript>请开启浏览器JavaScript功能后浏览本页面。</noscript>\n"
            f"</div></div>\n{self.footer_html()}\n</body>\n</html>\n"
        )

    def render_detail(self, page: Page) -> str:
        doc = page.doc
        signed = doc.signature[-1] if doc.signature else cn_date(page.published)
        classify = (
            '<div class="classify"><table>'
            f"<tr><td>索引号：</td><td>{self.identifier(page)}</td><td>分类：</td><td>科技、工业</td></tr>"
            f"<tr><td>发布机构：</td><td>{esc(doc.issuer)}</td><td>成文日期：</td><td>{esc(signed)}</td></tr>"
            f'<tr><td>名称：</td><td colspan="3">{esc(page.title)}</td></tr>'
            f"<tr><td>文号：</td><td>{esc(doc.doc_number or '')}</td><td>发布日期：</td><td>{ymd(page.published)}</td></tr>"
            "</table></div>"
        )
        attachments = ""
        if page.attachments:
            attachments = '<div class="attachment">附件：' + "".join(
                f'<p><a href="{esc(url)}" target="_blank">{esc(name)}</a></p>' for name, url in page.attachments
            ) + "</div>"
        return (
            f"<!DOCTYPE html>\n<html>\n{self.head(page.title, self.gov_meta(page, doc.column))}\n<body>\n{self.header_html()}\n"
            f'<div class="container">\n{classify}\n<div class="article">\n<h1 class="title">{esc(page.title)}</h1>\n'
            f'<div class="date-row">发布时间：{page.published:%Y-%m-%d %H:%M:%S}  来源：本网</div>\n'
            f'<div class="article-content">\n{gov_body_html(doc)}\n</div>\n{attachments}\n'
            f"</div></div>\n{self.footer_html()}\n</body>\n</html>\n"
        )

    domain = "kjj.maoming.gov.cn"
    site_code = "4409000012"


# ---------------------------------------------------------------------------
HUAXIATAIKE_LOGIN = ["登录/注册后您将获得:", "政策推送", "个性化推送政策信息", "政策查询", "海量官方政策原文信息",
                     "企业查询", "快速查询企业", "数据导出", "支持政策信息数据导出", "400-086-8855"]
HUAXIATAIKE_DISCLAIMER = "本站(华夏泰科)部分信息来源于有关部门官方公示信息,本站进行整理发布,如果信息涉及侵权,请提供权属证明,我们将在第一时间删除。"
HUAXIATAIKE_LOGIN_TO_READ = "(剩余内容已隐藏,登录/注册后查看全文)"


class Huaxiataike(Site):
    """华夏泰科 policy aggregator (UTF-8)."""

    id = "huaxiataike"
    name = "华夏泰科"
    kind = "aggregator"
    family = "aggregator"
    page_size = 10
    declared_charset = "utf-8"
    furniture = Furniture(
        home="/huaxiataike/index.html",
        nav=[("首页", "/huaxiataike/index.html"), ("政策资讯", "/huaxiataike/news/"), ("关于我们", "/huaxiataike/about/"),
             ("联系我们", "/huaxiataike/contact/")],
        sidebar=[("政策资讯", "/huaxiataike/news/"), ("关于我们", "/huaxiataike/about/")],
        more=("热门政策", "/huaxiataike/news/"),
        footer=[("网站地图", "/huaxiataike/sitemap/"), ("联系我们", "/huaxiataike/contact/")],
        icp="京ICP备17052463号",
        address="服务热线：400-086-8855",
        private=("会员中心", "/huaxiataike/member/index.html"),
        pages={
            "/huaxiataike/about/index.html": ("关于我们", ["华夏泰科专注于政策信息服务与科技项目咨询。"]),
            "/huaxiataike/contact/index.html": ("联系我们", ["服务热线：400-086-8855"]),
            "/huaxiataike/sitemap/index.html": ("网站地图", ["首页 政策资讯 关于我们 联系我们"]),
        },
    )

    @property
    def start_url(self) -> str:
        return "/huaxiataike/news/"

    def detail_url(self, number: int, when: datetime) -> str:
        return f"/huaxiataike/news/{number}.html"

    def attachment_url(self, number: int, when: datetime, index: int, fmt: str) -> str:
        return f"/huaxiataike/uploads/file/{when:%Y%m%d}/{when:%Y%m%d%H%M%S}{number % 1000:03d}{index}.{fmt}"

    def list_urls(self, count: int) -> list[str]:
        return ["/huaxiataike/news/"] + [f"/huaxiataike/news/list_{i}.html" for i in range(2, self.page_count(count) + 1)]

    def list_files(self, pages: list[Page]) -> list[tuple[str, str | bytes]]:
        chunks = self.chunks(pages)
        urls = self.list_urls(len(pages))
        files: list[tuple[str, str | bytes]] = []
        for index, (url, chunk) in enumerate(zip(urls, chunks)):
            items = "\n".join(
                f'<li><div class="tit"><a href="{p.url}" target="_blank">{esc(p.title)}</a></div>'
                f'<div class="desc">{esc(clip(p.summary or p.doc.text().replace(chr(10), ""), 60))}</div>'
                f'<div class="info"><span class="dept">{esc(p.doc.issuer)}</span><span class="time">{ymd(p.published)}</span></div></li>'
                for p in chunk
            )
            pager = self._pager(urls, index)
            file_url = "/huaxiataike/news/index.html" if index == 0 else url
            files.append((file_url, self._frame("政策资讯-华夏泰科", f'<ul class="newslist">\n{items}\n</ul>\n<div class="pages">{pager}</div>')))
        return files

    def _pager(self, urls: list[str], index: int) -> str:
        numbers = "".join(
            f'<span class="current">{i + 1}</span>' if i == index else f'<a href="{u}">{i + 1}</a>' for i, u in enumerate(urls)
        )
        nxt = f'<a href="{urls[index + 1]}">下一页</a>' if index + 1 < len(urls) else ""
        prev = f'<a href="{urls[index - 1]}">上一页</a>' if index > 0 else ""
        return f'<a href="{urls[0]}">首页</a>{prev}{numbers}{nxt}<a href="{urls[-1]}">尾页</a>'

    def _frame(self, title: str, inner: str) -> str:
        login = "".join(f"<p>{esc(line)}</p>" for line in HUAXIATAIKE_LOGIN)
        return (
            f"<!DOCTYPE html>\n<html>\n{self.head(title)}\n<body>\n{self.header_html()}\n"
            f'<div class="container">\n<div class="login-tip">{login}</div>\n<div class="main">\n{inner}\n</div>\n{self.sidebar_html()}\n</div>\n'
            f"{self.footer_html()}\n</body>\n</html>\n"
        )

    def render_detail(self, page: Page) -> str:
        attachments = "".join(
            f'<div class="fujian"><p>附件下载</p><p><a href="{esc(url)}" target="_blank">{esc(name)}</a></p></div>'
            for name, url in page.attachments
        )
        original = ""
        if page.original_url is not None:
            # the seed page shows an empty link text after 原文链接:, others show the URL
            text = "" if page.seed_lines is not None else page.original_url
            original = f'<p class="yuanwen">原文链接:<a href="{esc(page.original_url)}" target="_blank">{esc(text)}</a></p>'
        posted = f"{page.published.year}年{page.published.month}月{page.published.day}日 {page.published:%H:%M:%S}"
        inner = (
            f'<div class="weizhi">当前位置:<a href="/huaxiataike/index.html">首页</a> &gt; <a href="/huaxiataike/news/">政策资讯</a> &gt; {esc(page.title)}</div>\n'
            f'<div class="article"><h1>{esc(page.title)}</h1>\n'
            f'<div class="art-info">发布时间:{posted} 发布部门:{esc(page.doc.issuer)} <a href="javascript:void(0)" class="shoucang">收藏</a></div>\n'
            f'<div class="art-content">\n{blocks_html(page.blocks)}\n</div>\n{attachments}\n'
            '<p class="editor">(责任编辑:Mind)</p>\n'
            f"{original}\n<p class=\"the-end\">THE END</p>\n"
            f'<div class="mianze"><p>免责声明:</p><p>{esc(HUAXIATAIKE_DISCLAIMER)}</p></div></div>'
        )
        return self._frame(page.title + "-华夏泰科", inner)


# ---------------------------------------------------------------------------
HFWOTAO_BANNER = "卧涛专注高企申报|新产品鉴定|专利申请 安徽合肥项目申报专利代理服务中心 网址: hfwotao.com"
HFWOTAO_INTRO_ADS = [
    "\u00a0",
    "免费指导热线:19855109130(可加v),选择全面可靠的一站式体系保障。",
    "\u00a0",
    "解锁千万政策红利,专注于项目申报行业13年,沉淀了精准的政策资源、优质的企业资源、成功的项目资源,形成了独具特色的实战方法论与成熟的服务成功案例体系。除了全力打造自身专业项目团队外,相较同行业最大的优势,在于我们有各个流程阶段的人员,分工明细,细致化;各环节均由专人深度把控。想要咨询各省市任何项目申报的都可以免费咨询渔渔为你做免费项目规划。(勿抄)",
    "\u00a0",
]
HFWOTAO_OUTRO_ADS = [
    "\u00a0",
    "关于以上政策讲解,大家还有不懂的问题吗?还有疑问吗?有疑问可以免费咨询。",
    "\u00a0",
    "我们能为您做什么?(勿抄)",
    "一、国家、省、市各类政府资助类项目申报;",
    "二、国家高新技术企业培育认定科技型中小企业专精特新、专利软著知识产权申报;",
    "三、国家、省、市各类企业荣誉资质申报;",
    "四、国家、省、市企业技术中心、工程研究中心科技成果评价、工业设计中心非遗、数字化车间和智能工厂、孵化器和众创空间、绿色工厂、大数据企业、首台套首批次首版次各类标准、实验室和工程研究中心、科学技术奖、规上、老字号、新产品等研发平台创建辅导、申报:",
    "五、资金申请报告、可行性研究报告、商业计划书、项目建议书、等各类报告编制;",
    "六、科技成果转化中介公司注册注销、工商办理、股权科技项目投融资。",
    "\u00a0",
    "一个电话,帮您理清思路,匹配最佳项目,让您轻松稳拿补贴政策资金与品牌荣誉提升!",
    "\u00a0",
    "专人在线指导,免费咨询:19855109130,微信同号,获取最新政策详情,欢迎前来交流。",
    "\u00a0",
    "\u00a0",
]
HFWOTAO_TOOLS = ["返回上一步", "打印此页", "[向上]"]
HFWOTAO_STATS = "sougou站长 cnzz统计 百度统计(总)"


class Hfwotao(Site):
    """卧涛 ASP aggregator (GB2312 declared in meta, GBK bytes, header says UTF-8)."""

    id = "hfwotao"
    name = "卧涛科技"
    kind = "aggregator"
    family = "aggregator"
    encoding = "gbk"
    page_size = 8
    meta_charset = "gb2312"
    declared_charset = "utf-8"  # wrong on purpose: the bytes are GBK
    class_id = 3
    furniture = Furniture(
        home="/hfwotao/index.html",
        nav=[("网站首页", "/hfwotao/index.html"), ("关于卧涛", "/hfwotao/about.asp"), ("外省资讯", "/hfwotao/news.asp?classid=3"),
             ("成功案例", "/hfwotao/case.asp"), ("联系我们", "/hfwotao/contact.asp")],
        sidebar=[("外省资讯", "/hfwotao/news.asp?classid=3"), ("成功案例", "/hfwotao/case.asp")],
        more=("外省资讯", "/hfwotao/news.asp?classid=3"),
        footer=[("网站地图", "/hfwotao/sitemap.asp"), ("联系我们", "/hfwotao/contact.asp")],
        icp="皖ICP备2021008862号-1",
        address="地址：合肥市高新区望江西路 电话：19855109130",
        private=("管理登录", "/hfwotao/admin/login.asp"),
        pages={
            "/hfwotao/about.asp": ("关于卧涛", ["卧涛专注高企申报、新产品鉴定、专利申请，服务合肥及周边企业。"]),
            "/hfwotao/case.asp": ("成功案例", ["累计服务企业3000余家，协助企业获得各类补贴资金。"]),
            "/hfwotao/contact.asp": ("联系我们", ["咨询热线：19855109130（微信同号）"]),
            "/hfwotao/sitemap.asp": ("网站地图", ["网站首页 关于卧涛 外省资讯 成功案例 联系我们"]),
        },
    )

    @property
    def start_url(self) -> str:
        return f"/hfwotao/news.asp?classid={self.class_id}"

    def detail_url(self, number: int, when: datetime) -> str:
        return f"/hfwotao/shownews.asp?id={number}"

    def attachment_url(self, number: int, when: datetime, index: int, fmt: str) -> str:
        return f"/hfwotao/uploadfile/{when:%Y%m}/{number}_{index}.{fmt}"

    def list_urls(self, count: int) -> list[str]:
        return [self.start_url] + [f"{self.start_url}&page={i}" for i in range(2, self.page_count(count) + 1)]

    def header_html(self) -> str:
        return f'<div class="banner">{esc(HFWOTAO_BANNER)}</div>\n' + super().header_html()

    def list_files(self, pages: list[Page]) -> list[tuple[str, str | bytes]]:
        chunks = self.chunks(pages)
        urls = self.list_urls(len(pages))
        files: list[tuple[str, str | bytes]] = []
        for index, (url, chunk) in enumerate(zip(urls, chunks)):
            rows = "\n".join(
                f'<tr><td class="t">·<a href="shownews.asp?id={p.number}" target="_blank" title="{esc(p.title)}">{esc(clip(p.title, 30))}</a></td>'
                f'<td class="d">{ymd(p.published)}</td></tr>'
                for p in chunk
            )
            last = len(urls) - 1
            rel = [u.split("/hfwotao/", 1)[1].replace("&", "&amp;") for u in urls]
            first = "首页" if index == 0 else f'<a href="{rel[0]}">首页</a>'
            prev = "上一页" if index == 0 else f'<a href="{rel[index - 1]}">上一页</a>'
            nxt = "下一页" if index == last else f'<a href="{rel[index + 1]}">下一页</a>'
            end = "尾页" if index == last else f'<a href="{rel[last]}">尾页</a>'
            pager = f"共{len(pages)}条 每页{self.page_size}条 页次:{index + 1}/{last + 1} {first} {prev} {nxt} {end}"
            inner = (
                '<div class="lm">外省资讯</div>\n'
                f'<table class="newslist" width="100%">\n{rows}\n</table>\n<div class="pagelist">{pager}</div>'
            )
            files.append((url, self._frame("外省资讯-卧涛科技", inner)))
        return files

    def _frame(self, title: str, inner: str) -> str:
        stats = (
            f'<div class="tongji">{esc(HFWOTAO_STATS)}\n'
            '<script type="text/javascript" src="https://s9.cnzz.com/z_stat.php?id=1280012345&web_id=1280012345"></script>\n'
            "<script>var _hmt = _hmt || [];(function(){var hm = document.createElement('script');"
            "hm.src = 'https://hm.baidu.com/hm.js?5a8f1c3e2b7d4e6f9a0b1c2d3e4f5a6b';"
            "var s = document.getElementsByTagName('script')[0];s.parentNode.insertBefore(hm, s);})();</script></div>"
        )
        return (
            f"<html>\n{self.head(title)}\n<body>\n<a name=\"top\"></a>{self.header_html()}\n"
            f'<table width="1000" align="center"><tr><td width="230" valign="top">{self.sidebar_html()}</td>'
            f'<td valign="top">\n{inner}\n</td></tr></table>\n{self.footer_html()}\n{stats}\n</body>\n</html>\n'
        )

    def render_detail(self, page: Page) -> str:
        info = (
            '文字:[<a href="javascript:fontZoom(16)">大</a>][<a href="javascript:fontZoom(14)">中</a>]'
            f'[<a href="javascript:fontZoom(12)">小</a>] {page.published.year}/{page.published.month}/{page.published.day}'
            f"&nbsp;&nbsp;&nbsp;&nbsp;浏览次数:{page.views}&nbsp;&nbsp;&nbsp;&nbsp;"
        )
        tools = (
            '<div class="tools"><a href="javascript:history.go(-1)">返回上一步</a><br>'
            '<a href="javascript:window.print()">打印此页</a><br><a href="#top">[向上]</a></div>'
        )
        inner = (
            f'<div class="lm">外省资讯</div>\n<div class="title"><h1>{esc(page.title)}</h1></div>\n'
            f'<div class="info">{info}</div>\n<div class="content" id="fontzoom">\n{blocks_html(page.blocks)}\n</div>\n{tools}'
        )
        return self._frame(page.title, inner)


SITES: list[Site] = [HunanTRS(), ZhanjiangOldCMS(), JiangsuHanweb(), MaomingGkmlpt(), Huaxiataike(), Hfwotao()]
SITES_BY_ID: dict[str, Site] = {site.id: site for site in SITES}
