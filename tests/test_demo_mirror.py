"""The offline demo mirror and its HTTP server (demo/server.py, demo/generate/).

Checks the server's behaviour over real loopback HTTP (200/304 with validators,
query-string files, the Hanweb dataproxy POST, declared charsets, robots.txt,
every Fault kind, the request log) and the committed mirror itself (manifest
counts, copies and look-alikes, seed pages, attachments that round-trip their
Chinese text, GBK bytes, links that work on any port, a reproducible build).
"""
from __future__ import annotations

import http.client
import io
import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from email.utils import formatdate
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import docx
import pypdf
import pytest
from lxml import etree
from lxml import html as lxml_html

from demo.generate import corpus, mirror as build_mirror
from demo.generate.docmaker import make_docx, make_pdf
from demo.server import Fault, MirrorServer, RequestRecord, static_file_name

ROOT = Path(__file__).resolve().parent.parent
MIRROR = ROOT / "demo" / "mirror"
MANIFEST = json.loads((MIRROR / "manifest.json").read_text(encoding="utf-8"))
DOCS = MANIFEST["documents"]
SITES = MANIFEST["sites"]
GBK_SITES = ("zhanjiang-kjj", "hfwotao")
CJK = re.compile(r"[\u4e00-\u9fff]")
JS_CHALLENGE = b"<html><script>document.cookie='__jsl_clearance=1700000000.1|0|abc';location.href=location.pathname</script></html>"


@pytest.fixture()
def server():
    with MirrorServer(MIRROR) as running:
        yield running


def fetch(url: str, headers: dict[str, str] | None = None, data: bytes | None = None, timeout: float = 10):
    """(status, headers, body) for one request; HTTP errors are answers too."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def post_dataproxy(server: MirrorServer, query: str, form: dict[str, str]):
    site = SITES["jiangsu-kjt"]
    return fetch(f"{server.base_url}{site['dataproxy']['url']}?{query}", data=urlencode(form).encode("utf-8"),
                 headers={"Content-Type": "application/x-www-form-urlencoded"})


def visible_text(raw: bytes, encoding: str) -> str:
    return lxml_html.fromstring(raw.decode(encoding)).text_content()


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def doc_by_key(key: str, site: str) -> dict:
    return next(d for d in DOCS if d["key"] == key and d["site"] == site)


# --------------------------------------------------------------------------- server
def test_static_page_has_validators_and_conditional_get_answers_304(server):
    url = server.base_url + "/hunan-kjt/tzgg/index.html"
    status, headers, body = fetch(url)
    assert status == 200
    assert body == (MIRROR / "hunan-kjt/tzgg/index.html").read_bytes()
    etag, last_modified = headers["ETag"], headers["Last-Modified"]
    assert re.fullmatch(r'"[0-9a-f]{40}"', etag)
    assert headers["Content-Type"] == "text/html; charset=utf-8"

    status, headers, body = fetch(url, {"If-None-Match": etag})
    assert (status, body, headers["ETag"]) == (304, b"", etag)
    status, _, body = fetch(url, {"If-None-Match": 'W/"other", ' + etag})
    assert (status, body) == (304, b"")
    status, _, body = fetch(url, {"If-Modified-Since": last_modified})
    assert (status, body) == (304, b"")
    assert fetch(url, {"If-None-Match": '"stale"'})[0] == 200
    assert fetch(url, {"If-Modified-Since": formatdate(0, usegmt=True)})[0] == 200


def test_directories_serve_index_and_hidden_or_unknown_paths_are_404(server):
    status, _, body = fetch(server.base_url + "/huaxiataike/news/")
    assert status == 200 and body == (MIRROR / "huaxiataike/news/index.html").read_bytes()
    for path in ("/nope.html", "/hunan-kjt/_site.json", "/jiangsu-kjt/_hanweb/col1001.json", "/manifest.json"):
        assert fetch(server.base_url + path)[0] == 404, path
    # demo/sources.yaml sits just outside the mirror root: no way up to it
    for raw_path in ("/../sources.yaml", "/hunan-kjt/../../sources.yaml", "/%2e%2e/sources.yaml"):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        connection.request("GET", raw_path)
        response = connection.getresponse()
        assert response.status == 404 and b"sources:" not in response.read(), raw_path
        connection.close()


def test_query_urls_map_to_files_whatever_the_parameter_order(server):
    assert static_file_name("/hfwotao/news.asp", "classid=3&page=2") == "hfwotao/news.asp@classid=3@page=2"
    assert static_file_name("/gd-maoming-kjj/gkmlpt/api/all/0", "sid=755001&page=2") == \
        "gd-maoming-kjj/gkmlpt/api/all/0@page=2@sid=755001"
    expected = (MIRROR / "hfwotao/news.asp@classid=3@page=2").read_bytes()
    for query in ("classid=3&page=2", "page=2&classid=3"):
        status, headers, body = fetch(f"{server.base_url}/hfwotao/news.asp?{query}")
        assert (status, body) == (200, expected)
        assert headers["Content-Type"].startswith("text/html")
    assert fetch(server.base_url + "/hfwotao/news.asp?classid=4")[0] == 404
    status, headers, body = fetch(server.base_url + "/gd-maoming-kjj/gkmlpt/api/all/0?page=1&sid=755001")
    assert status == 200 and headers["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(body)["page"] == 1


def test_content_types_follow_the_url_extension(server):
    pdf = next(p for d in DOCS for p in d["attachments"] if p.endswith(".pdf"))
    docx_path = next(p for d in DOCS for p in d["attachments"] if p.endswith(".docx"))
    assert fetch(server.base_url + pdf)[1]["Content-Type"] == "application/pdf"
    assert fetch(server.base_url + docx_path)[1]["Content-Type"] == \
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert fetch(server.base_url + "/gd-maoming-kjj/gkmlpt/index")[1]["Content-Type"] == "text/html; charset=utf-8"
    assert fetch(server.base_url + "/robots.txt")[1]["Content-Type"].startswith("text/plain")


def test_declared_charsets_can_lie_about_the_bytes(server):
    # GBK bytes declared as UTF-8 in the header
    status, headers, body = fetch(server.base_url + SITES["hfwotao"]["start_url"])
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert "外省资讯" in body.decode("gbk")
    # GBK bytes with no charset in the header
    headers = fetch(server.base_url + SITES["zhanjiang-kjj"]["start_url"])[1]
    assert headers["Content-Type"] == "text/html"
    # UTF-8 bytes declared as GBK on one aggregator page
    liar = next(d for d in DOCS if d["charset"] == "utf-8" and d["declared_charset"] == "gbk")
    status, headers, body = fetch(server.base_url + liar["path"])
    assert headers["Content-Type"] == "text/html; charset=gbk"
    assert liar["title"] in body.decode("utf-8")
    mismatched = [d for d in DOCS if d["declared_charset"] and d["declared_charset"].lower() != d["charset"]]
    assert len(mismatched) >= 2


def test_robots_txt_disallows_a_path_that_list_pages_link_to(server):
    status, _, body = fetch(server.base_url + "/robots.txt")
    assert status == 200
    robots = RobotFileParser()
    robots.parse(body.decode("ascii").splitlines())
    for site_id, site in SITES.items():
        start = server.base_url + site["start_url"]
        assert robots.can_fetch("policywatch", start), site_id
        page = fetch(start)[2].decode("gbk" if site_id in GBK_SITES else "utf-8")
        links = [urljoin(start, href) for href in lxml_html.fromstring(page).xpath("//a/@href")]
        blocked = [link for link in links if not robots.can_fetch("policywatch", link)]
        assert blocked and all(urlsplit(b).path.startswith(site["disallowed"]) for b in blocked), site_id
        assert fetch(blocked[0])[0] == 200  # the page exists: only robots.txt keeps a crawler out


def test_hanweb_dataproxy_post_serves_later_pages_of_the_column(server):
    site = SITES["jiangsu-kjt"]
    expected_paths = {d["path"] for d in DOCS if d["site"] == "jiangsu-kjt"}
    first = fetch(server.base_url + site["start_url"])[2].decode("utf-8")
    # articles exist only inside the <script type="text/xml"> datastore, never as page anchors
    assert not [h for h in lxml_html.fromstring(first).xpath("//a/@href") if "/art/" in h]
    store = re.search(r'<script type="text/xml">(.*?)</script>', first, re.S).group(1)
    datastore = etree.fromstring(store.encode("utf-8"))
    total = int(datastore.findtext("totalrecord"))
    assert total == len(expected_paths) and int(datastore.findtext("totalpage")) == 2
    first_links = [re.search(r'href="([^"]+)"', r.text).group(1) for r in datastore.iter("record")]
    assert len(first_links) == 15

    status, headers, body = post_dataproxy(server, "startrecord=16&endrecord=30&perpage=15", site["dataproxy"]["form"])
    assert status == 200 and headers["Content-Type"].startswith("text/xml")
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?><datastore><recordset>')
    later = [re.search(r'href="([^"]+)"', r.text).group(1) for r in etree.fromstring(body).iter("record")]
    assert len(later) == total - 15
    assert set(first_links) | set(later) == expected_paths and not set(first_links) & set(later)
    assert server.requests[-1].method == "POST"
    assert server.requests[-1].path.endswith("?startrecord=16&endrecord=30&perpage=15")

    form_without_column = {k: v for k, v in site["dataproxy"]["form"].items() if k != "columnid"}
    assert post_dataproxy(server, "startrecord=16&endrecord=30&perpage=15", form_without_column)[0] == 400
    assert post_dataproxy(server, "startrecord=1&endrecord=15&perpage=15", {"columnid": "9999"})[0] == 404
    past_end = post_dataproxy(server, "startrecord=46&endrecord=60&perpage=15", site["dataproxy"]["form"])
    assert past_end[0] == 200 and list(etree.fromstring(past_end[2]).iter("record")) == []


def test_fault_status_body_and_headers_replace_the_answer(server):
    path = SITES["zhanjiang-kjj"]["start_url"]
    server.set_fault(path, Fault(status=412, body=JS_CHALLENGE, headers={"Set-Cookie": "__jsluid_h=abc; path=/"}))
    status, headers, body = fetch(server.base_url + path)
    assert (status, body, headers["Set-Cookie"]) == (412, JS_CHALLENGE, "__jsluid_h=abc; path=/")
    server.set_fault("/hunan-kjt/tzgg/index.html", Fault(status=521))
    status, _, body = fetch(server.base_url + "/hunan-kjt/tzgg/index.html")
    assert status == 521 and b"521" in body
    # exact match: the query string is part of the faulted URL
    server.set_fault("/hfwotao/news.asp?classid=3&page=2", Fault(status=500))
    assert fetch(server.base_url + "/hfwotao/news.asp?classid=3&page=2")[0] == 500
    assert fetch(server.base_url + "/hfwotao/news.asp?classid=3")[0] == 200
    server.set_fault("/hunan-kjt/index.html", Fault(body=b"<html>maintenance</html>"))
    assert fetch(server.base_url + "/hunan-kjt/index.html")[:3:2] == (200, b"<html>maintenance</html>")
    server.set_fault("/nowhere.html", Fault(status=404))
    assert fetch(server.base_url + "/nowhere.html")[0] == 404
    server.clear_faults()
    assert fetch(server.base_url + path)[0] == 200
    assert fetch(server.base_url + "/hunan-kjt/tzgg/index.html")[0] == 200


def test_fault_delay_provokes_a_client_timeout(server):
    path = "/hunan-kjt/tzgg/index_1.html"
    server.set_fault(path, Fault(delay=10.0))
    started = time.monotonic()
    with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
        fetch(server.base_url + path, timeout=0.5)
    assert time.monotonic() - started < 6          # the client gave up: the page would take 10 s
    server.set_fault(path, Fault(delay=0.3))
    assert fetch(server.base_url + path, timeout=5)[0] == 200


def test_fault_truncate_sends_half_the_body_then_closes(server):
    path = "/hunan-kjt/tzgg/index.html"
    full = (MIRROR / "hunan-kjt/tzgg/index.html").read_bytes()
    server.set_fault(path, Fault(truncate=True))
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request("GET", path)
    response = connection.getresponse()
    assert response.status == 200 and int(response.headers["Content-Length"]) == len(full)
    with pytest.raises(http.client.IncompleteRead) as caught:
        response.read()
    assert caught.value.partial == full[: len(full) // 2]
    connection.close()


def test_request_log_records_each_request_in_order(server):
    server.reset_log()
    base = server.base_url
    fetch(base + "/robots.txt", {"User-Agent": "policywatch/0.1 (+http://example.org)"})
    etag = fetch(base + "/hfwotao/news.asp?classid=3")[1]["ETag"]
    fetch(base + "/hfwotao/news.asp?classid=3", {"If-None-Match": etag, "If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"})
    fetch(base + "/missing")
    log = server.requests
    assert [r.path for r in log] == ["/robots.txt", "/hfwotao/news.asp?classid=3", "/hfwotao/news.asp?classid=3", "/missing"]
    assert [r.status for r in log] == [200, 200, 304, 404]
    assert log[0] == RequestRecord("GET", "/robots.txt", 200, None, None, "policywatch/0.1 (+http://example.org)")
    assert (log[2].if_none_match, log[2].if_modified_since) == (etag, "Sat, 01 Jan 2000 00:00:00 GMT")
    server.reset_log()
    assert server.requests == []


def test_head_requests_get_headers_only(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request("HEAD", "/hunan-kjt/tzgg/index.html")
    response = connection.getresponse()
    assert response.status == 200 and response.read() == b""
    assert int(response.headers["Content-Length"]) == (MIRROR / "hunan-kjt/tzgg/index.html").stat().st_size
    connection.close()


def test_server_command_prints_its_base_url_and_serves():
    process = subprocess.Popen([sys.executable, "-m", "demo.server", "--port", "0", "--root", str(MIRROR)],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        base = process.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base)
        assert fetch(base + "/robots.txt")[0] == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


# --------------------------------------------------------------------------- the mirror
def test_manifest_counts_documents_copies_and_look_alikes():
    assert len(DOCS) >= 80
    assert len({d["path"] for d in DOCS}) == len(DOCS)
    assert {d["kind"] for d in DOCS} == set(corpus.KINDS)
    assert {d["variant"] for d in DOCS} == {"original", "ads", "dropped_preamble", "truncated", "traditional", None}
    groups: dict[str, set[str]] = {}
    for d in DOCS:
        if d["group"]:
            groups.setdefault(d["group"], set()).add(d["site"])
    assert sum(1 for sites in groups.values() if len(sites) >= 2) >= 10
    for group, sites in groups.items():
        originals = [d for d in DOCS if d["group"] == group and d["variant"] == "original"]
        assert len(originals) == 1, group
    copies = [d for d in DOCS if d["variant"] not in ("original", None)]
    assert all(d["original_path"] == next(o["path"] for o in DOCS if o["group"] == d["group"] and o["variant"] == "original")
               for d in copies)
    assert len(SITES) >= 6
    for site_id, site in SITES.items():
        assert len(site["list_pages"]) >= 2, site_id
        assert site["documents"] == sum(1 for d in DOCS if d["site"] == site_id)
    paths = {d["path"]: d for d in DOCS}
    assert len(MANIFEST["hard_negatives"]) >= 4
    for pair in MANIFEST["hard_negatives"]:
        a, b = paths[pair["a"]], paths[pair["b"]]
        assert a["group"] != b["group"] or a["group"] is None
    reasons = " ".join(p["reason"] for p in MANIFEST["hard_negatives"])
    for needed in ("two years", "template", "解读", "公示"):
        assert needed in reasons


def test_every_manifest_path_is_served(server):
    for d in DOCS:
        assert fetch(server.base_url + d["path"])[0] == 200, d["path"]
        for attachment in d["attachments"]:
            assert fetch(server.base_url + attachment)[0] == 200, attachment
    for site_id, site in SITES.items():
        for url in site["list_pages"]:
            if "dataproxy" in url:
                assert post_dataproxy(server, url.split("?", 1)[1], site["dataproxy"]["form"])[0] == 200
            else:
                assert fetch(server.base_url + url)[0] == 200, url


def test_seed_pages_reproduce_the_seed_text_in_order(server):
    for key, site, seed in (("hn-plan-2026", "hfwotao", corpus.HUNAN_SEED), ("zj-plan-2023", "huaxiataike", corpus.ZHANJIANG_SEED)):
        d = doc_by_key(key, site)
        text = squash(visible_text(fetch(server.base_url + d["path"])[2], d["charset"]))
        position = 0
        for line in corpus.seed_page(seed):
            needle = squash(line)
            if needle:
                found = text.find(needle, position)
                assert found >= 0, (site, line[:30])
                position = found + len(needle)
    assert doc_by_key("zj-plan-2023", "huaxiataike")["path"] == "/huaxiataike/news/37805.html"


def test_government_originals_of_the_seed_policies_are_complete_and_clean(server):
    hunan = doc_by_key("hn-plan-2026", "hunan-kjt")
    page = fetch(server.base_url + hunan["path"])[2].decode("utf-8")
    body = squash(lxml_html.fromstring(page).cssselect("div.TRS_Editor")[0].text_content())
    assert "湖南省高新技术产业开发区提质增效三年行动计划（2026—2028年）" in body
    assert all(f"{n}." in body for n in range(1, 18))
    assert "本行动计划自2026年1月1日起施行，有效期至2028年12月31日。" in body
    assert 'name="PubDate" content="2025-12-12 10:05"' in page and "湘科发〔2025〕86号" in body
    zhanjiang = doc_by_key("zj-plan-2023", "zhanjiang-kjj")
    raw = fetch(server.base_url + zhanjiang["path"])[2].decode("gbk")
    text = squash(lxml_html.fromstring(raw).get_element_by_id("content").text_content())
    assert all(f"{n}." in text for n in range(1, 16))
    assert "湛江市科学技术局2023年12月11日" in text and "发布时间：2023-12-13  来源：湛江市科学技术局" in raw
    for ad in ("19855109130", "400-086-8855", "勿抄", "免责声明", "登录/注册"):
        assert ad not in body and ad not in text


def test_attachments_round_trip_their_chinese_text():
    checked = 0
    for path in sorted({p for d in DOCS for p in d["attachments"]}):
        data = (MIRROR / static_file_name(path)).read_bytes()
        if path.endswith(".pdf"):
            text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
        else:
            assert path.endswith(".docx")
            text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
        assert len(CJK.findall(text)) >= 20, path
        checked += 1
    assert checked >= 8
    plan_pdf = next(p for p in doc_by_key("hn-plan-2026", "hunan-kjt")["attachments"] if p.endswith(".pdf"))
    pdf_text = squash("".join(pg.extract_text() for pg in pypdf.PdfReader(MIRROR / static_file_name(plan_pdf)).pages))
    assert "高新技术企业数量突破7800家" in pdf_text and "有效期至2028年12月31日" in pdf_text


def test_docmaker_output_is_exact_and_reproducible():
    paragraphs = ["对首次认定的高新技术企业给予最高50万元奖励。", "申报截止时间为2025年11月20日17:00（逾期不予受理）。" * 4]
    pdf = make_pdf("测试标题（2026—2028年）", paragraphs)
    assert pdf == make_pdf("测试标题（2026—2028年）", paragraphs) and pdf.startswith(b"%PDF-1.4")
    reader = pypdf.PdfReader(io.BytesIO(pdf), strict=True)
    assert reader.metadata.title == "测试标题（2026—2028年）"
    assert b"/STSong-Light" in pdf and b"/UniGB-UCS2-H" in pdf and b"/FontFile" not in pdf
    assert squash(reader.pages[0].extract_text()) == squash("测试标题（2026—2028年）" + "".join(paragraphs))
    document = make_docx("测试标题", paragraphs)
    assert document == make_docx("测试标题", paragraphs)
    assert [p.text for p in docx.Document(io.BytesIO(document)).paragraphs] == ["测试标题", *paragraphs]


def test_gbk_sites_are_really_gbk_bytes():
    for site_id in GBK_SITES:
        files = [p for p in (MIRROR / site_id).rglob("*") if p.is_file() and not p.name.startswith("_")
                 and p.suffix not in (".pdf", ".docx")]
        assert len(files) >= 10
        for path in files:
            raw = path.read_bytes()
            text = raw.decode("gbk")
            assert CJK.search(text), path
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
    no_meta = doc_by_key("zj-plan-2023-jd", "zhanjiang-kjj")
    assert b"charset" not in (MIRROR / no_meta["file"]).read_bytes()


def test_links_work_on_any_port_and_list_pages_carry_furniture():
    offsite_hosts = {"www.gov.cn", "www.most.gov.cn", "beian.miit.gov.cn", "s9.cnzz.com", "hm.baidu.com",
                     "jyj.zhanjiang.gov.cn", "www.zhanjiang.gov.cn"}
    for path in MIRROR.rglob("*"):
        if not path.is_file() or path.suffix in (".pdf", ".docx", ".json") or path.name == "robots.txt":
            continue
        text = path.read_bytes().decode("gbk" if path.relative_to(MIRROR).parts[0] in GBK_SITES else "utf-8")
        assert "127.0.0.1" not in text and "localhost" not in text, path
        for url in re.findall(r'(?:href|src)="(https?://[^"/]+)', text):
            assert urlsplit(url).hostname in offsite_hosts, (path, url)
    for site_id, site in SITES.items():
        html_lists = [u for u in site["list_pages"] if "/api/" not in u and "dataproxy" not in u]
        for url in html_lists:
            page = (MIRROR / build_mirror.url_to_file(url)).read_bytes().decode("gbk" if site_id in GBK_SITES else "utf-8")
            for furniture in ("网站地图", "联系我们", "ICP", "更多&gt;&gt;", 'href="http://www.gov.cn/"', f'href="{site["disallowed"]}'):
                assert furniture in page, (url, furniture)


def test_family_specific_list_markup():
    hunan = SITES["hunan-kjt"]["list_pages"]
    for index, url in enumerate(hunan):
        page = (MIRROR / build_mirror.url_to_file(url)).read_text(encoding="utf-8")
        assert f'createPageHTML({len(hunan)}, {index}, "index", "html")' in page and "下一页" not in page
    zhanjiang = (MIRROR / "zhanjiang-kjj/tzgg/index.htm").read_bytes().decode("gbk")
    assert '<a href="list_2.htm">下一页</a>' in zhanjiang and '<a href="list_2.htm">末页</a>' in zhanjiang
    assert re.search(r"<tr><td[^>]*>·<a href=\"content/\d{4}-\d{2}/\d{2}/content_\d+\.htm\"[^>]*>[^<]+</a></td><td[^>]*>\[\d{4}-\d{2}-\d{2}\]</td></tr>", zhanjiang)
    shell = (MIRROR / "gd-maoming-kjj/gkmlpt/index").read_text(encoding="utf-8")
    assert "window._CONFIG = {SID: '755001'" in shell and "/gkmlpt/content/" not in shell
    maoming = [d for d in DOCS if d["site"] == "gd-maoming-kjj"]
    listed = []
    for url in SITES["gd-maoming-kjj"]["list_pages"][1:]:
        payload = json.loads((MIRROR / build_mirror.url_to_file(url)).read_text(encoding="utf-8"))
        assert payload["total"] == len(maoming) and len(payload["articles"]) <= 10
        for article in payload["articles"]:
            assert set(article) == {"id", "title", "url", "publisher", "first_publish_time", "document_number", "identifier"}
            assert article["url"] == f"/gd-maoming-kjj/gkmlpt/content/0/{article['id']}/post_{article['id']}.html"
        listed += [a["url"] for a in payload["articles"]]
    assert sorted(listed) == sorted(d["path"] for d in maoming)
    hfwotao = (MIRROR / "hfwotao/news.asp@classid=3").read_bytes().decode("gbk")
    assert 'href="news.asp?classid=3&amp;page=2">下一页</a>' in hfwotao


def test_look_alikes_differ_only_where_they_should(server):
    def zoom_text(key: str) -> str:
        d = doc_by_key(key, "jiangsu-kjt")
        page = lxml_html.fromstring(fetch(server.base_url + d["path"])[2].decode("utf-8"))
        return squash(page.get_element_by_id("zoom").text_content())

    guide_2024, guide_2025 = zoom_text("js-guide-2024"), zoom_text("js-guide-2025")
    assert guide_2024 != guide_2025
    assert re.sub(r"\d", "", guide_2024) == re.sub(r"\d", "", guide_2025)
    traditional = doc_by_key("hn-measures-2025", "huaxiataike")
    assert traditional["variant"] == "traditional" and "高新技術企業" in traditional["title"]
    text = visible_text(fetch(server.base_url + traditional["path"])[2], "utf-8")
    assert "最高50萬元獎勵" in text


def comparable(path: Path) -> bytes | dict[str, bytes]:
    """File bytes; for .docx the unzipped members (deflate output may vary with the zlib build)."""
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as archive:
            return {name: archive.read(name) for name in archive.namelist()}
    return path.read_bytes()


def test_committed_mirror_matches_a_fresh_build(tmp_path):
    out = tmp_path / "mirror"
    build_mirror.build(out)
    built = {p.relative_to(out).as_posix(): comparable(p) for p in out.rglob("*") if p.is_file()}
    committed = {p.relative_to(MIRROR).as_posix(): comparable(p) for p in MIRROR.rglob("*") if p.is_file()}
    stale = "demo/mirror is out of date: run `python -m demo.generate`"
    assert sorted(built) == sorted(committed), stale
    assert [name for name in built if built[name] != committed[name]] == [], stale
    assert sum(p.stat().st_size for p in MIRROR.rglob("*") if p.is_file()) < 5_000_000
