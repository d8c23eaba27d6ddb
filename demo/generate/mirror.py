"""Generate the offline demo mirror (``python -m demo.generate``).

Rewrites ``demo/mirror/`` from the documents in ``demo.generate.corpus`` and
``demo.generate.corpus_news`` and the templates in ``demo.generate.sites``. The output is
deterministic (fixed random seed, no timestamps), so rebuilding an unchanged
tree changes no file. Files are written as the bytes a server sends: GBK
sites are GBK-encoded. URLs with a query string are stored under the file
name given by ``demo.server.static_file_name``.

What gets written:

* each site's detail pages, list pages, furniture pages and attachments;
* ``<site>/_site.json``: the charset the server declares (see demo.server);
* ``jiangsu-kjt/_hanweb/col1001.json``: the records the dataproxy serves;
* ``robots.txt`` (disallows each site's private path) and a root index;
* ``manifest.json``: one entry per detail document (site, path, title, kind,
  policy group, copy variant, attachments), each site's list pages, and the
  pairs a deduplicator must keep apart.

Placement: every government document is published on its issuer's site
(variant ``original`` when it is a policy or has copies); ``COPIES`` lists
the aggregator reposts and how each was altered.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from demo.generate import corpus, corpus_news
from demo.generate.corpus import Block, Document, map_blocks, to_half_width
from demo.generate.docmaker import make_docx, make_pdf
from demo.server import static_file_name
from demo.generate.sites import (
    HFWOTAO_INTRO_ADS,
    HFWOTAO_OUTRO_ADS,
    HUAXIATAIKE_LOGIN_TO_READ,
    SITES,
    SITES_BY_ID,
    Page,
    Site,
)
from demo.generate.tradchinese import to_traditional

MIRROR_DIR = Path(__file__).resolve().parent.parent / "mirror"
SEED = 20251216

ISSUER_SITES = {
    "湖南省科学技术厅": "hunan-kjt",
    "湛江市科学技术局": "zhanjiang-kjj",
    "江苏省科学技术厅": "jiangsu-kjt",
    "茂名市科学技术局": "gd-maoming-kjj",
}

# First detail-page number per site; numbers then grow with the page date.
NUMBER_BASES = {
    "hunan-kjt": (33118000, 9000),
    "zhanjiang-kjj": (1786000, 700),
    "jiangsu-kjt": (40100, 900),
    "gd-maoming-kjj": (4301000, 2500),
    "huaxiataike": (37805, 600),
    "hfwotao": (1100, 14),
}
PINNED_NUMBERS = {("huaxiataike", "zj-plan-2023"): 37805, ("hfwotao", "hn-plan-2026"): 1234}


@dataclass(frozen=True)
class Copy:
    """One aggregator repost of a document."""

    key: str
    site: str
    variant: str | None
    delay: timedelta
    title: str | None = None
    seed: str | None = None  # seed file the page reproduces
    declared_charset: str | None = ""  # "" = the site's default


COPIES: list[Copy] = [
    # huaxiataike (UTF-8 aggregator)
    Copy("zj-plan-2023", "huaxiataike", "ads", timedelta(0), seed=corpus.ZHANJIANG_SEED),
    Copy("hn-plan-2026", "huaxiataike", "dropped_preamble", timedelta(days=2, hours=5, minutes=12)),
    Copy("hn-measures-2025", "huaxiataike", "traditional", timedelta(days=3, hours=1, minutes=40)),
    Copy("hn-measures-2025-jd", "huaxiataike", "ads", timedelta(days=1, hours=2, minutes=5)),
    Copy("js-guide-2025", "huaxiataike", "ads", timedelta(days=2, hours=3, minutes=18)),
    Copy("mm-plan-2024", "huaxiataike", "ads", timedelta(days=1, hours=4, minutes=51)),
    Copy("mm-reward-2024-gs", "huaxiataike", "ads", timedelta(days=1, hours=1, minutes=9)),
    Copy("js-measures-2025", "huaxiataike", "ads", timedelta(days=2, hours=15, minutes=27)),
    # UTF-8 bytes declared as GBK in the Content-Type header
    Copy("zj-rd-2024", "huaxiataike", "ads", timedelta(days=4, hours=2, minutes=33), declared_charset="gbk"),
    Copy("zj-pool-2024", "huaxiataike", "truncated", timedelta(days=1, hours=6, minutes=2)),
    Copy("agg-zhongkao-2024", "huaxiataike", None, timedelta(0)),
    Copy("agg-garbage-rules", "huaxiataike", None, timedelta(0)),
    # hfwotao (ASP, GBK bytes declared as UTF-8)
    Copy("hn-plan-2026", "hfwotao", "ads", timedelta(0), seed=corpus.HUNAN_SEED),
    Copy("zj-plan-2023", "hfwotao", "truncated", timedelta(days=5, hours=2),
         title="湛江市高新技术产业培育计划(2023—2025年)发布,认定高企补助20万元"),
    Copy("hn-measures-2025", "hfwotao", "ads", timedelta(days=6, hours=1, minutes=15),
         title="湖南省支持高新技术企业高质量发展若干措施,首次认定最高奖励50万元!"),
    Copy("js-guide-2025", "hfwotao", "ads", timedelta(days=3, hours=4)),
    Copy("mm-reward-2024", "hfwotao", "ads", timedelta(days=2, hours=1, minutes=44),
         title="茂名市2024年度高新技术企业认定奖励资金申报通知(最高奖励30万元)"),
    Copy("hn-zone-fund-2026", "hfwotao", "dropped_preamble", timedelta(days=4, hours=3),
         title="2026年度湖南省高新区创新发展专项申报指南"),
    Copy("js-measures-2025", "hfwotao", "ads", timedelta(days=5, hours=2, minutes=30)),
    Copy("zj-pool-2024", "hfwotao", "ads", timedelta(days=3, hours=5, minutes=20)),
    Copy("js-recognition-2025", "hfwotao", "ads", timedelta(days=2, hours=6),
         title="2025年度江苏省高新技术企业认定工作开始了!申报时间及条件"),
    Copy("agg-food-hefei", "hfwotao", None, timedelta(0)),
    Copy("agg-zhongkao-hefei", "hfwotao", None, timedelta(0)),
]

SEED_PAGE_DATES = {
    corpus.ZHANJIANG_SEED: (datetime(2023, 12, 13, 13, 33, 23), 0),
    corpus.HUNAN_SEED: (datetime(2025, 12, 16, 9, 26), 7),
}

OFFSITE_ORIGINALS = {
    "agg-zhongkao-2024": "http://jyj.zhanjiang.gov.cn/zwgk/tzgg/content/post_1893310.html",
    "agg-garbage-rules": "http://www.zhanjiang.gov.cn/zwgk/zcwj/content/post_1901422.html",
}

# Pairs that look alike but are different documents (keys of originals).
HARD_NEGATIVES: list[tuple[str, str, str]] = [
    ("js-guide-2024", "js-guide-2025", "same programme's 申报指南 in two years: only dates and amounts differ"),
    ("zj-plan-2023", "mm-plan-2024", "two cities' plans written from one template"),
    ("hn-plan-2026", "hn-plan-2026-jd", "a policy and its 政策解读"),
    ("hn-measures-2025", "hn-measures-2025-jd", "a policy and its 政策解读"),
    ("js-measures-2025", "js-measures-2025-jd", "a policy and its 解读"),
    ("zj-plan-2023", "zj-plan-2023-jd", "a policy and its 政策解读"),
    ("mm-plan-2024", "mm-plan-2024-jd", "a policy and its 一图读懂"),
    ("hn-zone-fund-2026", "hn-zone-fund-2026-gs", "a 申报 notice and the 公示 list that follows it"),
    ("js-recognition-2025", "js-recognition-2025-gs", "a 认定 notice and the 公示 list that follows it"),
    ("mm-reward-2024", "mm-reward-2024-gs", "a 奖励 notice and the 公示 list that follows it"),
    ("zj-pool-2024", "zj-pool-2024-gs", "an 入库 notice and the 公示 list that follows it"),
]

# A Zhanjiang page whose <meta> declares no charset (the header declares none either).
PAGES_WITHOUT_META_CHARSET = {("zhanjiang-kjj", "zj-plan-2023-jd")}


# ---------------------------------------------------------------------------
def all_documents() -> dict[str, Document]:
    """Every document by key."""
    docs = corpus.all_policy_documents()
    docs += corpus_news.hunan_items() + corpus_news.zhanjiang_items()
    docs += corpus_news.jiangsu_items() + corpus_news.maoming_items()
    huaxiataike, hfwotao = corpus_news.aggregator_items()
    docs += huaxiataike + hfwotao
    by_key: dict[str, Document] = {}
    for doc in docs:
        if doc.key in by_key:
            raise ValueError(f"duplicate document key {doc.key}")
        if doc.kind not in corpus.KINDS:
            raise ValueError(f"document {doc.key}: unknown kind {doc.kind}")
        by_key[doc.key] = doc
    return by_key


def truncate_blocks(blocks: list[Block], fraction: float = 0.55) -> list[Block]:
    """Keep roughly the first ``fraction`` of the text, cutting mid-paragraph at a comma."""
    total = sum(len(corpus.block_text(b)) for b in blocks)
    budget = int(total * fraction)
    kept: list[Block] = []
    for block in blocks:
        size = len(corpus.block_text(block))
        if size <= budget:
            kept.append(block)
            budget -= size
            continue
        if isinstance(block, str):
            cut = max(block.rfind(",", 0, max(budget, 1)), block.rfind("，", 0, max(budget, 1)))
            if cut > 0:
                kept.append(block[: cut + 1])
        break
    return kept


def summary_line(doc: Document, title: str) -> str:
    """The aggregator's lead paragraph: title run into a one-line abstract."""
    abstract = doc.summary or to_half_width(doc.text().replace("\n", ""))[:60]
    return f"{title}{abstract}"


def copy_blocks(doc: Document, copy: Copy, title: str) -> list[Block]:
    """The body an aggregator shows for one repost variant."""
    if copy.seed is not None:
        return seed_body_blocks(copy.seed)
    if copy.variant == "traditional":
        blocks = map_blocks(doc.full_blocks(), to_traditional)
    elif copy.variant == "dropped_preamble":
        blocks = map_blocks(doc.body, to_half_width)
    elif copy.variant == "truncated":
        blocks = truncate_blocks(map_blocks(doc.full_blocks(), to_half_width))
    else:
        blocks = map_blocks(doc.full_blocks(), to_half_width)
    if copy.site == "hfwotao":
        return [summary_line(doc, title), *HFWOTAO_INTRO_ADS, *blocks, *HFWOTAO_OUTRO_ADS]
    if copy.variant == "truncated":
        return [*blocks, HUAXIATAIKE_LOGIN_TO_READ]
    return blocks


def seed_body_blocks(seed: str) -> list[Block]:
    """The article body of a seed page, line for line."""
    lines = corpus.seed_page(seed)
    if seed == corpus.HUNAN_SEED:
        start = next(i for i, line in enumerate(lines) if line.startswith("文字:")) + 1
        end = lines.index("返回上一步")
    else:
        start = next(i for i, line in enumerate(lines) if line.startswith("发布时间:")) + 1
        end = lines.index("附件下载")
    return [line.strip(" ") or line for line in lines[start:end]]


def seed_title(seed: str) -> str:
    """The title line of a seed page."""
    lines = corpus.seed_page(seed)
    if seed == corpus.HUNAN_SEED:
        return lines[lines.index("外省资讯") + 1]
    return lines[next(i for i, line in enumerate(lines) if line.startswith("当前位置")) + 1]


def seed_attachment_names(seed: str) -> list[str]:
    """Link texts listed under 附件下载 on a seed page."""
    lines = corpus.seed_page(seed)
    return [lines[i + 1] for i, line in enumerate(lines) if line == "附件下载"]


# ---------------------------------------------------------------------------
@dataclass
class Placed:
    """A document placed on a site, before URLs and numbers are assigned."""

    doc: Document
    site: Site
    variant: str | None
    published: datetime
    title: str
    copy: Copy | None = None
    page: Page | None = None
    group: str | None = None


def place_documents(docs: dict[str, Document]) -> list[Placed]:
    """Originals on their issuers' sites, then the aggregator copies.

    A document keeps its policy group when it is a policy or has copies; a
    single-copy notice, list or news item gets none (and no variant).
    """
    copied = {copy.key for copy in COPIES}
    placed: list[Placed] = []
    for doc in docs.values():
        site_id = ISSUER_SITES.get(doc.issuer)
        if site_id is None:
            continue
        group = doc.group if doc.group and (doc.kind == "policy" or doc.key in copied) else None
        variant = "original" if group else None
        placed.append(Placed(doc, SITES_BY_ID[site_id], variant, doc.published, doc.title, group=group))
    for copy in COPIES:
        doc = docs[copy.key]
        site = SITES_BY_ID[copy.site]
        if copy.seed is not None:
            published, _ = SEED_PAGE_DATES[copy.seed]
            title = seed_title(copy.seed)
        else:
            published = doc.published + copy.delay
            title = copy.title or to_half_width(doc.title)
            if copy.variant == "traditional":
                title = to_traditional(doc.title)
        group = doc.group if copy.variant else None
        placed.append(Placed(doc, site, copy.variant, published, title, copy, group=group))
    return placed


def assign_numbers(placed: list[Placed], rng: random.Random) -> dict[int, int]:
    """Detail-page numbers per site, growing with the page date."""
    numbers: dict[int, int] = {}
    for site in SITES:
        mine = sorted((p for p in placed if p.site is site), key=lambda p: (p.published, p.doc.key))
        base, spread = NUMBER_BASES[site.id]
        values = []
        current = base
        for _ in mine:
            values.append(current)
            current += rng.randint(spread // 3 + 1, spread)
        pinned = [(i, PINNED_NUMBERS[(site.id, p.doc.key)]) for i, p in enumerate(mine) if (site.id, p.doc.key) in PINNED_NUMBERS]
        if pinned:
            index, value = pinned[0]
            shift = value - values[index]
            values = [v + shift for v in values]
        for p, value in zip(mine, values):
            numbers[id(p)] = value
    return numbers


def build_pages(placed: list[Placed], rng: random.Random) -> dict[str, bytes]:
    """Render every detail page; returns extra files (attachments) by URL."""
    numbers = assign_numbers(placed, rng)
    originals = {p.doc.key: p for p in placed if p.copy is None}
    attachment_files: dict[str, bytes] = {}
    attachment_bytes: dict[tuple[str, int], bytes] = {}
    for p in sorted(placed, key=lambda item: item.copy is not None):
        number = numbers[id(p)]
        url = p.site.detail_url(number, p.published)
        views = rng.randint(40, 3000)
        page = Page(site=p.site.id, url=url, number=number, title=p.title, published=p.published, doc=p.doc,
                    variant=p.variant, blocks=[], views=views)
        if p.copy is None:
            for index, spec in enumerate(p.doc.attachments, start=1):
                data = make_pdf(spec.title, spec.paragraphs) if spec.fmt == "pdf" else make_docx(spec.title, spec.paragraphs)
                att_url = p.site.attachment_url(number, p.published, index, spec.fmt)
                attachment_files[att_url] = data
                attachment_bytes[(p.doc.key, index)] = data
                page.attachments.append((spec.name, att_url))
        else:
            fill_copy(page, p, originals, attachment_files, attachment_bytes)
        p.page = page
    return attachment_files


def fill_copy(page: Page, p: Placed, originals: dict[str, Placed], attachment_files: dict[str, bytes],
              attachment_bytes: dict[tuple[str, int], bytes]) -> None:
    """Body, summary, 原文链接 and attachments of an aggregator copy."""
    copy = p.copy
    assert copy is not None
    page.blocks = copy_blocks(p.doc, copy, p.title)
    page.summary = p.doc.summary
    original = originals.get(p.doc.key)
    if copy.seed is not None:
        page.seed_lines = corpus.seed_page(copy.seed)
        page.views = SEED_PAGE_DATES[copy.seed][1] or page.views
    if copy.site == "huaxiataike":
        if original is not None and original.page is not None:
            page.original_url = original.page.url
        elif p.doc.key in OFFSITE_ORIGINALS:
            page.original_url = OFFSITE_ORIGINALS[p.doc.key]
        if copy.seed is not None:
            # the aggregator re-hosts the attachments under the names the seed page shows
            for index, name in enumerate(seed_attachment_names(copy.seed), start=1):
                source = attachment_bytes[(p.doc.key, 2 if name.endswith(".doc") else 1)]
                fmt = "docx" if name.endswith(".doc") else "pdf"
                att_url = p.site.attachment_url(page.number, p.published, index, fmt)
                attachment_files[att_url] = source
                page.attachments.append((name, att_url))
        elif original is not None and original.page is not None:
            # hot-links the government original's attachments
            page.attachments = list(original.page.attachments)
    if copy.declared_charset != "":
        p.site.overrides[page.url] = copy.declared_charset


# ---------------------------------------------------------------------------
def encode(site: Site, content: str | bytes) -> bytes:
    """Bytes as the site serves them (GBK sites are GBK)."""
    if isinstance(content, bytes):
        return content
    return content.encode(site.encoding)


def url_to_file(url: str) -> str:
    """Mirror-relative file name for a root-relative URL."""
    split = urlsplit(url)
    path = split.path
    if path.endswith("/"):
        path += "index.html"
    return static_file_name(path, split.query)


def render_site(site: Site, placed: list[Placed]) -> dict[str, bytes]:
    """All files of one site: details, lists, furniture, settings."""
    files: dict[str, bytes] = {}
    mine = sorted((p for p in placed if p.site is site), key=lambda p: (p.published, p.page.number), reverse=True)
    pages = [p.page for p in mine]
    for p in mine:
        html = site.render_detail(p.page)
        if (site.id, p.doc.key) in PAGES_WITHOUT_META_CHARSET:
            html = html.replace(f'<meta http-equiv="Content-Type" content="text/html; charset={site.meta_charset}">\n', "")
        files[url_to_file(p.page.url)] = encode(site, html)
    for url, content in site.list_files(pages):
        files[url_to_file(url)] = encode(site, content)
    for url, content in site.furniture_files():
        files[url_to_file(url)] = encode(site, content)
    if hasattr(site, "column_records"):
        records = site.column_records(pages)
        files[f"{site.id}/_hanweb/col{records['columnid']}.json"] = json_bytes(records)
    files[f"{site.id}/_site.json"] = json_bytes(site.settings())
    return files


def json_bytes(data: object) -> bytes:
    """Stable, readable JSON."""
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode("utf-8")


def robots_txt() -> bytes:
    """robots.txt disallowing each site's private area."""
    lines = ["# policywatch demo mirror", "User-agent: *"]
    for site in SITES:
        private = site.furniture.private[1]
        lines.append(f"Disallow: {private.rsplit('/', 1)[0]}/")
    return ("\n".join(lines) + "\n").encode("ascii")


def root_index() -> bytes:
    """A plain page linking to every site's start URL."""
    items = "".join(f'<li><a href="{s.start_url}">{s.name}</a> ({s.id}, {s.family})</li>' for s in SITES)
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>policywatch demo mirror</title></head>'
        f"<body><h1>policywatch demo mirror</h1><ul>{items}</ul></body></html>\n"
    ).encode("utf-8")


def manifest(placed: list[Placed]) -> dict:
    """Ground truth for tests and dedup benchmarks."""
    by_key_original = {p.doc.key: p for p in placed if p.copy is None}
    documents = []
    for p in sorted(placed, key=lambda item: (item.site.id, item.published, item.page.number)):
        original = by_key_original.get(p.doc.key)
        documents.append({
            "site": p.site.id,
            "path": p.page.url,
            "file": url_to_file(p.page.url),
            "title": p.title,
            "kind": p.doc.kind,
            "group": p.group,
            "variant": p.variant,
            "attachments": [url for _, url in p.page.attachments],
            "date": p.published.strftime("%Y-%m-%d"),
            "issuer": p.doc.issuer,
            "doc_number": p.doc.doc_number,
            "original_path": original.page.url if original is not None and p.copy is not None else None,
            "charset": p.site.encoding,
            "declared_charset": p.site.overrides.get(p.page.url, p.site.declared_charset),
            "key": p.doc.key,
        })
    sites = {}
    for site in SITES:
        count = sum(1 for p in placed if p.site is site)
        entry = {
            "name": site.name,
            "kind": site.kind,
            "family": site.family,
            "charset": site.encoding,
            "declared_charset": site.declared_charset,
            "start_url": site.start_url,
            "list_pages": site.list_urls(count),
            "documents": count,
            "disallowed": site.furniture.private[1].rsplit("/", 1)[0] + "/",
        }
        if hasattr(site, "dataproxy_form"):
            entry["dataproxy"] = {"url": site.dataproxy_url, "method": "POST", "form": site.dataproxy_form()}
        sites[site.id] = entry
    negatives = [
        {"a": by_key_original[a].page.url, "b": by_key_original[b].page.url, "reason": reason}
        for a, b, reason in HARD_NEGATIVES
    ]
    return {"seed": SEED, "sites": sites, "documents": documents, "hard_negatives": negatives}


# ---------------------------------------------------------------------------
def check_seed_pages(placed: list[Placed], files: dict[str, bytes]) -> None:
    """The seed pages must show the seed text, in order (a self-check)."""
    from lxml import html as lxml_html

    for p in placed:
        if p.copy is None or p.copy.seed is None:
            continue
        raw = files[url_to_file(p.page.url)].decode(p.site.encoding)
        text = lxml_html.fromstring(raw).text_content()
        position = 0
        for line in corpus.seed_page(p.copy.seed):
            needle = " ".join(line.replace("\u00a0", " ").split())
            if not needle:
                continue
            haystack = " ".join(text.replace("\u00a0", " ").split())
            found = haystack.find(needle, position)
            if found < 0:
                raise ValueError(f"seed line missing from {p.page.url}: {line[:40]!r}")
            position = found + len(needle)


def build(out_dir: Path = MIRROR_DIR) -> dict:
    """Write the whole mirror into ``out_dir`` and return the manifest."""
    rng = random.Random(SEED)
    for site in SITES:
        site.overrides.clear()
    docs = all_documents()
    placed = place_documents(docs)
    attachment_files = build_pages(placed, rng)
    files: dict[str, bytes] = {}
    for url, data in attachment_files.items():
        files[url_to_file(url)] = data
    for site in SITES:
        files.update(render_site(site, placed))
    check_seed_pages(placed, files)
    data = manifest(placed)
    files["manifest.json"] = json_bytes(data)
    files["robots.txt"] = robots_txt()
    files["index.html"] = root_index()
    if out_dir.exists():
        shutil.rmtree(out_dir)
    for name, content in sorted(files.items()):
        target = out_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return data


def main(argv: list[str] | None = None) -> int:
    """Rebuild the mirror and print a summary."""
    parser = argparse.ArgumentParser(prog="python -m demo.generate", description="Rebuild demo/mirror/.")
    parser.add_argument("--out", type=Path, default=MIRROR_DIR, help="output directory (default: demo/mirror)")
    args = parser.parse_args(argv)
    data = build(args.out)
    groups: dict[str, set[str]] = {}
    for doc in data["documents"]:
        if doc["group"]:
            groups.setdefault(doc["group"], set()).add(doc["site"])
    shared = sum(1 for sites in groups.values() if len(sites) > 1)
    print(f"wrote {args.out}: {len(data['documents'])} documents on {len(data['sites'])} sites, "
          f"{shared} policies copied on 2+ sites, {len(data['hard_negatives'])} hard-negative pairs")
    for site_id, site in data["sites"].items():
        print(f"  {site_id:15} {site['documents']:3} documents, {len(site['list_pages'])} list pages, start {site['start_url']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
