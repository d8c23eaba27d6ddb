"""Crawls of small hand-built sites: a JSON list API, the attachment size limit, offsite links, max_list_pages."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from demo.generate.docmaker import make_pdf
from demo.server import MirrorServer, static_file_name
from tests.support.mirror import run_cli, FAST

API_QUERY = "cateid=196&p=1&pg=2"


def article(title: str, body: str = "对首次认定的高新技术企业给予最高50万元奖励。") -> str:
    return (f'<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{title}"></head><body>'
            f'<div class="TRS_Editor"><p>{body * 5}</p>{{extra}}</div></body></html>')


def write(root: Path, path: str, content: str | bytes) -> None:
    target = root / static_file_name(*path.split("?", 1)) if "?" in path else root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


def build_site(root: Path) -> None:
    """An API-listed ministry, and a TRS-like list with an offsite link, a huge PDF and three list pages."""
    data = {"data": {"searchResult": {"total": 3, "dataResults": [
        {"groupData": [{"data": {"title": f"<em>工业</em>和信息化部关于政策{i}的通知", "url": f"/miit/art/{i}.html",
                                 "deploytime": str(1734307200000 + i * 86400000)}}]} for i in (1, 2)]}}}
    write(root, f"/miit/api/search?{API_QUERY}", json.dumps(data, ensure_ascii=False))
    last = {"data": {"searchResult": {"total": 3, "dataResults": [
        {"groupData": [{"data": {"title": "工业和信息化部关于政策3的通知", "url": "/miit/art/3.html",
                                 "deploytime": "1734566400000"}}]}]}}}
    write(root, "/miit/api/search?cateid=196&p=2&pg=2", json.dumps(last, ensure_ascii=False))
    for i in (1, 2, 3):
        write(root, f"/miit/art/{i}.html", article(f"工业和信息化部关于政策{i}的通知").replace("{extra}", ""))
    for page in range(1, 4):
        name = "index.html" if page == 1 else f"index_{page - 1}.html"
        items = "".join(f'<li><a href="./t{page}_{i}.html" title="关于第{page}页第{i}项高新技术企业政策的通知">关于第{page}页'
                        f'第{i}项高新技术企业政策的通知</a><span>2025-12-{10 + i}</span></li>' for i in range(1, 4))
        items += '<li><a href="http://localhost:1/elsewhere.html">关于外站转载高新技术企业政策的通知全文</a><span>2025-12-01</span></li>'
        script = f'<script>createPageHTML(3, {page - 1}, "index", "html");</script>'
        write(root, f"/trs/{name}", f'<html><body><ul class="list">{items}</ul>{script}</body></html>')
        for i in range(1, 4):
            extra = '<a href="./big.pdf">附件：大文件.pdf</a>' if (page, i) == (1, 1) else ""
            write(root, f"/trs/t{page}_{i}.html", article(f"第{page}页第{i}项").replace("{extra}", extra))
    write(root, "/trs/big.pdf", make_pdf("大文件", ["高新技术企业" * 40] * 400))
    write(root, "robots.txt", "User-agent: *\nDisallow:\n")


SOURCES = """
sources:
  - id: miit
    name: 工业和信息化部 政策文件
    kind: government
    level: national
    start_urls: ["${mirror}/miit/list.html"]
    allowed_domains: [127.0.0.1]
    family: json-api
    api: {url: "${mirror}/miit/api/search?%s", items_path: "data.searchResult.dataResults[].groupData[0].data",
          title: title, link: url, date: deploytime, date_format: epoch_ms}
  - id: trs
    name: 某厅 通知公告
    kind: government
    level: provincial
    start_urls: ["${mirror}/trs/index.html"]
    allowed_domains: [127.0.0.1]
    max_list_pages: 2
""" % API_QUERY


def test_api_source_size_limit_offsite_and_max_pages(tmp_path: Path) -> None:
    build_site(tmp_path / "site")
    (tmp_path / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    db = tmp_path / "pw.db"
    with MirrorServer(tmp_path / "site") as server:
        done = run_cli("crawl", "--config", str(tmp_path / "sources.yaml"), "--db", str(db),
                       "--var", f"mirror={server.base_url}", *FAST,
                       "--set", "POLICYWATCH_ATTACHMENT_MAXSIZE=50000")
        paths = [r.path for r in server.requests]
    assert done.returncode == 0, done.stderr[-3000:]
    with sqlite3.connect(db) as conn:
        urls = {row[0].replace(server.base_url, "") for row in conn.execute("select url from documents")}
        dates = dict(conn.execute("select url, page_date from documents where source_id = 'miit'"))
        attachment = conn.execute("select url, error, text_chars from attachments").fetchall()
        runs = dict(conn.execute("select source_id, exit_reason from run_sources"))
    assert urls == {"/miit/art/1.html", "/miit/art/2.html", "/miit/art/3.html",
                    *(f"/trs/t{p}_{i}.html" for p in (1, 2) for i in (1, 2, 3))}
    assert dates[server.base_url + "/miit/art/2.html"] == "2024-12-18"
    assert "/trs/index_2.html" not in paths and runs["trs"] == "max_list_pages reached (2)"
    assert not any("elsewhere" in p for p in paths)
    assert attachment == [(server.base_url + "/trs/big.pdf", "too_large", 0)]
