"""Fault case 1, decompression bombs: small attachments and pages that inflate to gigabytes.

The hostile files are built here for real, without ever holding their inflated form: a deflate stream
of one repeated chunk is that chunk compressed once, ended with a full flush, and repeated. Zips are
written by hand so that their directory can state any size. Memory is measured in a child process (the
peak resident size it reaches while reading one file), which also runs under an address-space cap so
that a regression fails the test instead of exhausting the machine.
"""
from __future__ import annotations

import json
import os
import sqlite3
import struct
import subprocess
import sys
import threading
import zlib
from pathlib import Path

from demo.generate.docmaker import make_docx, make_pdf
from demo.server import Fault, MirrorServer
from pipelines.attachments import (MAX_PDF_DECODED_BYTES, MAX_PDF_STREAM_BYTES, MAX_TEXT_CHARS, MAX_ZIP_MEMBERS,
                                   attachment_text)
from tests.support.mirror import FAST, ROOT

MIB = 1024 * 1024
SPACES = b" " * MIB
COMMENT_LINE = b"%" + b"x" * (MIB - 2) + b"\n"
CHILD_MEMORY_CAP = 2560 * MIB      # address space of every child: a bomb that gets through fails fast
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCUMENT_HEAD = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 f'<w:document xmlns:w="{W}"><w:body>').encode()
DOCUMENT_TAIL = b"</w:body></w:document>"
CONTENT_TYPES_XML = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                     b'2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                     b'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                     b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                     b'officedocument.wordprocessingml.document.main+xml"/></Types>')
RELS_XML = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
PARAGRAPH = "<w:p><w:r><w:t>关于开展高新技术企业认定工作的通知</w:t></w:r></w:p>".encode()
PARAGRAPHS = PARAGRAPH * (MIB // len(PARAGRAPH))   # about one MiB of them


# --- building hostile files ------------------------------------------------------------------------------
def repeated_deflate(head: bytes, chunk: bytes, times: int, tail: bytes) -> tuple[bytes, int, int, int]:
    """Raw deflate of head + chunk * times + tail, its CRC-32, Adler-32 and length, built in O(chunk) memory."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.compress(tail) + compressor.flush()
    crc, adler = zlib.crc32(head), zlib.adler32(head)
    for _ in range(times):
        crc, adler = zlib.crc32(chunk, crc), zlib.adler32(chunk, adler)
    crc, adler = zlib.crc32(tail, crc), zlib.adler32(tail, adler)
    return start + block * times + end, crc, adler, len(head) + len(chunk) * times + len(tail)


def zip_member(name: str, data: bytes) -> tuple[str, bytes, int, int]:
    """A deflated member stating its true size: (name, deflated bytes, CRC-32, size)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return name, compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)


def zip_archive(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of deflated members whose local headers and directory state the given CRC and size."""
    out, directory = bytearray(), bytearray()
    for name, data, crc, size in members:
        encoded, offset = name.encode(), len(out)
        out += struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0)
        out += encoded + data
        directory += struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(data), size,
                                 len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    count = min(len(members), 0xFFFF)
    out += directory + struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, count, count, len(directory),
                                   len(out), 0)
    return bytes(out)


def docx_bomb(mib: int, declared_size: int | None = None, chunk: bytes = PARAGRAPHS) -> bytes:
    """A Word file whose word/document.xml is `mib` MiB of `chunk` (by default short paragraphs, 290:1),
    its directory stating `declared_size` (default: the truth)."""
    data, crc, _, size = repeated_deflate(DOCUMENT_HEAD, chunk, mib, DOCUMENT_TAIL)
    return zip_archive([zip_member("[Content_Types].xml", CONTENT_TYPES_XML), zip_member("_rels/.rels", RELS_XML),
                        ("word/document.xml", data, crc, size if declared_size is None else declared_size)])


def docx_of(body_xml: str) -> bytes:
    """A minimal real Word file around a hand-written w:body."""
    document = DOCUMENT_HEAD.replace(b"<w:body>", b"") + f"<w:body>{body_xml}</w:body></w:document>".encode()
    document = document.replace(b'xmlns:w="', b'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/'
                                              b'2006" xmlns:w="')
    return zip_archive([zip_member("[Content_Types].xml", CONTENT_TYPES_XML), zip_member("_rels/.rels", RELS_XML),
                        zip_member("word/document.xml", document)])


def flate_stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (dictionary, len(data), data)


def repeated_zlib(head: bytes, chunk: bytes, times: int, tail: bytes = b"") -> bytes:
    """zlib (FlateDecode) data of head + chunk * times + tail."""
    data, _, adler, _ = repeated_deflate(head, chunk, times, tail)
    return b"\x78\xda" + data + adler.to_bytes(4, "big")


def write_pdf(objects: dict[int, bytes], compressed: dict[int, tuple[int, int]] | None = None) -> bytes:
    """A PDF of numbered objects, catalog 1 (unused numbers are free). `compressed` maps objects kept
    inside object streams to (object stream, index); such files get a cross-reference stream, the others
    a classic table."""
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    compressed = compressed or {}
    size = max([*objects, *compressed]) + 1
    start = len(out)
    if not compressed:
        out += b"xref\n0 %d\n0000000000 65535 f \n" % size
        out += b"".join(b"%010d 00000 n \n" % offsets[n] if n in offsets else b"0000000000 65535 f \n"
                        for n in range(1, size))
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, start)
        return bytes(out)
    size += 1  # the cross-reference stream itself
    offsets[size - 1] = start
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    for number in range(1, size):
        if number in compressed:
            rows.append(struct.pack(">BIH", 2, *compressed[number]))
        elif number in offsets:
            rows.append(struct.pack(">BIH", 1, offsets[number], 0))
        else:
            rows.append(struct.pack(">BIH", 0, 0, 65535))
    table = b"".join(rows)
    out += (b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n%s\nendstream\n"
            b"endobj\nstartxref\n%d\n%%%%EOF\n" % (size - 1, size, len(table), table, start))
    return bytes(out)


def pdf_page_tree(contents: list[int]) -> dict[int, bytes]:
    """Catalog (1), pages (2), a font (3) and one page per content stream number, numbered from 4."""
    pages = list(range(4, 4 + len(contents)))
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>",
               2: b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % p for p in pages), len(pages)),
               3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
    for page, content in zip(pages, contents):
        objects[page] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> "
                         b">> /Contents %d 0 R >>" % content)
    return objects


def text_operators(line: str) -> bytes:
    return b"BT /F1 12 Tf 72 720 Td (%s) Tj ET\n" % line.encode("ascii")


# --- measuring -------------------------------------------------------------------------------------------
READ_IN_CHILD = """
import json, resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[3]), int(sys.argv[3])))
from demo.generate.docmaker import make_docx, make_pdf
from pipelines.attachments import attachment_text
attachment_text(make_pdf("预热", ["预热"]), "pdf")    # every parser loaded before the measure
attachment_text(make_docx("预热", ["预热"]), "docx")
body = Path(sys.argv[1]).read_bytes()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = attachment_text(body, sys.argv[2])
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"type": result.type, "error": result.error, "chars": len(result.text or ""),
                  "growth_mib": (after - before) / 1024}))
"""


def read_in_child(tmp_path: Path, body: bytes, kind: str) -> dict:
    """attachment_text in a fresh process: its result and how far the process's peak memory grew."""
    path = tmp_path / f"hostile.{kind}"
    path.write_bytes(body)
    done = subprocess.run([sys.executable, "-c", READ_IN_CHILD, str(path), kind, str(CHILD_MEMORY_CAP)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- DOCX ------------------------------------------------------------------------------------------------
def test_docx_bomb_is_refused_from_its_directory_without_inflating(tmp_path: Path) -> None:
    bomb = docx_bomb(1500)   # 1.5 GB of paragraphs in a ~5 MB file, under the 20 MB attachment limit
    assert len(bomb) < 20 * MIB
    result = read_in_child(tmp_path, bomb, "docx")
    assert result["type"] == "docx" and result["chars"] == 0
    assert result["error"] == "refused: word/document.xml inflates to 1,500.0 MB (limit 50 MB)"
    assert result["growth_mib"] < 50, result


def test_docx_whose_directory_understates_sizes_is_refused(tmp_path: Path) -> None:
    bomb = docx_bomb(1500, declared_size=2048)   # the directory says 2 KB; the data says 1.5 GB
    result = read_in_child(tmp_path, bomb, "docx")
    assert result["error"] == ("refused: word/document.xml: 5.2 MB compressed cannot hold the 2,048 bytes "
                               "its header declares")
    assert result["growth_mib"] < 50, result


def test_docx_whose_directory_lies_plausibly_is_read_a_piece_at_a_time(tmp_path: Path) -> None:
    # 10 MB declared for 1.5 GB of data: a believable ratio, so only the reading itself can stop it.
    # zipfile's read() would inflate 1 GiB in one call; read in pieces it yields the declared 10 MB, then
    # the checksum of the whole fails.
    bomb = docx_bomb(1500, declared_size=10 * MIB, chunk=SPACES)
    result = read_in_child(tmp_path, bomb, "docx")
    assert result["error"] == "unreadable docx: BadZipFile: Bad CRC-32 for file 'word/document.xml'"
    assert result["growth_mib"] < 100, result


def test_docx_with_too_many_members_or_a_foreign_method_is_refused() -> None:
    crowd = zip_archive([zip_member("word/document.xml", DOCUMENT_HEAD + DOCUMENT_TAIL)]
                        + [zip_member(f"word/media/{i}.xml", b"<a/>") for i in range(MAX_ZIP_MEMBERS)])
    assert attachment_text(crowd, "docx").error == f"refused: zip has {MAX_ZIP_MEMBERS + 1} members (limit 2000)"

    honest = docx_of("<w:p><w:r><w:t>正文</w:t></w:r></w:p>")
    deflated, bzip2ed = b"PK\x01\x02\x14\x00\x14\x00\x00\x00\x08\x00", b"PK\x01\x02\x14\x00\x14\x00\x00\x00\x0c\x00"
    bzip2 = honest.replace(deflated, bzip2ed)   # the directory names method 12 (bzip2) for every member
    assert attachment_text(bzip2, "docx").error == (
        "refused: [Content_Types].xml: compression method 12 is not used by office files")


def test_damaged_zip_directory_gives_a_reason_not_an_exception() -> None:
    honest = docx_of("<w:p><w:r><w:t>正文</w:t></w:r></w:p>")
    damaged = honest.replace(b"PK\x01\x02\x14\x00\x14\x00", b"PK\x01\x02\x14\x00\x84\x00")   # needs zip 13.2
    assert attachment_text(damaged, "doc").error == "no text extractor for .doc files"
    assert attachment_text(damaged, "docx").error == "unreadable docx: NotImplementedError: zip file version 13.2"


def test_docx_text_is_read_in_document_order_with_tables_and_without_text_boxes() -> None:
    body = (
        "<w:p><w:r><w:t>关于开展</w:t></w:r><w:ins><w:r><w:t>2026年度</w:t></w:r></w:ins>"
        "<w:del><w:r><w:delText>2025年度</w:delText></w:r></w:del>"
        "<w:hyperlink><w:r><w:t>高新技术企业</w:t></w:r></w:hyperlink><w:r><w:t>认定的通知</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>一、申报条件</w:t><w:tab/><w:t>见附件</w:t><w:br/><w:t>第二行</w:t>"
        '<w:br w:type="page"/><w:t>A</w:t><w:noBreakHyphen/><w:t>1</w:t></w:r>'
        "<w:r><mc:AlternateContent><mc:Choice><w:drawing><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p>"
        "</w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:p><w:r><w:t>旧版文本框</w:t></w:r></w:p>"
        "</w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>序号</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>奖励</w:t></w:r></w:p>"
        "</w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>50万元</w:t></w:r>"
        "</w:p><w:p><w:r><w:t>一次性</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
        "<w:sdt><w:sdtContent><w:p><w:r><w:t>二、申报时间</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        "<w:sectPr/>")
    result = attachment_text(docx_of(body), "docx")
    assert result.error is None
    assert result.text.splitlines() == [
        "关于开展2026年度高新技术企业认定的通知",
        "一、申报条件\t见附件", "第二行A-1",
        "序号\t奖励", "1\t50万元", "一次性",
        "二、申报时间",
    ]


def test_docx_text_stops_at_the_text_limit() -> None:
    lines = [f"第{i}条 对首次认定的高新技术企业给予最高{i % 97}万元奖励。" for i in range(MAX_TEXT_CHARS // 20)]
    body = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in lines)
    result = attachment_text(docx_of(body), "docx")
    assert result.error == f"truncated: text cut at {MAX_TEXT_CHARS} characters"
    kept = result.text.splitlines()
    assert result.text == "\n".join(lines[:len(kept)])          # whole paragraphs, in order
    assert MAX_TEXT_CHARS - len(lines[-1]) < len(result.text) <= MAX_TEXT_CHARS


def test_small_docx_and_pdf_still_give_their_text(tmp_path: Path) -> None:
    paragraphs = ["一、对首次认定的高新技术企业给予最高50万元奖励。", "二、申报截止时间为2026年3月31日。"]
    docx = read_in_child(tmp_path, make_docx("申报指南", paragraphs), "docx")
    pdf = read_in_child(tmp_path, make_pdf("申报指南", paragraphs), "pdf")
    assert docx["error"] is None and docx["chars"] == len("\n".join(["申报指南", *paragraphs]))
    assert pdf["error"] is None and pdf["chars"] > 40


# --- PDF -------------------------------------------------------------------------------------------------
def test_pdf_stream_that_inflates_to_gigabytes_is_refused(tmp_path: Path) -> None:
    stream = repeated_zlib(text_operators("Hello policy"), SPACES, 1500)   # 1.5 GB in ~1.5 MB
    objects = pdf_page_tree([100]) | {100: flate_stream(b"", stream)}
    result = read_in_child(tmp_path, write_pdf(objects), "pdf")
    assert result["error"].startswith("refused: pdf over a reading limit (streams: 16 MB each, 128 MB in all): "
                                      "Limit reached while decompressing.")
    assert result["growth_mib"] < MAX_PDF_STREAM_BYTES / MIB + 50, result


def test_pdf_of_many_streams_under_the_stream_limit_is_refused_at_the_document_total(tmp_path: Path) -> None:
    # Every page sits in its own object stream padded to just under the stream limit; pypdf keeps each
    # decoded object stream, so without a document total the whole file stays in memory (24 x 15 MB here).
    pages = 24
    objects = pdf_page_tree([100 + i for i in range(pages)])
    compressed = {}
    for i in range(pages):
        page_number, stream_number = 4 + i, 200 + i
        padding = MAX_PDF_STREAM_BYTES // MIB - 1     # MiB of comment lines between the header and the page
        header = b"%d %d " % (page_number, padding * MIB)
        data = repeated_zlib(header, COMMENT_LINE, padding, objects.pop(page_number))
        objects[stream_number] = flate_stream(b"/Type /ObjStm /N 1 /First %d" % len(header), data)
        objects[100 + i] = flate_stream(b"", zlib.compress(text_operators(f"Page {i}")))
        compressed[page_number] = (stream_number, 0)
    body = write_pdf(objects, compressed)
    assert len(body) < MIB
    result = read_in_child(tmp_path, body, "pdf")
    assert result["error"] == ("refused: pdf over a reading limit (streams: 16 MB each, 128 MB in all): "
                               "PDF streams decoded past 128 MB")
    assert result["growth_mib"] < (MAX_PDF_DECODED_BYTES + MAX_PDF_STREAM_BYTES) / MIB + 50, result


def test_pdf_built_with_object_streams_reads_normally() -> None:
    # the same construction within limits: the document total refuses hostile files, not this layout
    objects = pdf_page_tree([100, 101])
    page = objects.pop(5)
    header = b"5 0 "
    objects[200] = flate_stream(b"/Type /ObjStm /N 1 /First %d" % len(header), zlib.compress(header + page))
    objects[100] = flate_stream(b"", zlib.compress(text_operators("Notice one")))
    objects[101] = flate_stream(b"", zlib.compress(text_operators("Notice two")))
    result = attachment_text(write_pdf(objects, {5: (200, 0)}), "pdf")
    assert (result.error, result.text) == (None, "Notice one\nNotice two")


# --- pages and attachments over HTTP ---------------------------------------------------------------------
def gzip_of_spaces(head: bytes, mib: int) -> bytes:
    """A gzip body of head + `mib` MiB of spaces (1000:1)."""
    data, crc, _, size = repeated_deflate(head, SPACES, mib, b"")
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + data + struct.pack("<II", crc, size & 0xFFFFFFFF)


def article(title: str, extra: str = "") -> str:
    body = "对首次认定的高新技术企业给予最高50万元奖励。" * 5
    return (f'<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{title}"></head><body>'
            f'<div class="TRS_Editor"><p>{body}</p>{extra}</div></body></html>')


SOURCES = """
sources:
  - id: hostile
    name: 某厅 通知公告
    kind: government
    level: provincial
    start_urls: ["${mirror}/tz/index.html"]
    allowed_domains: [127.0.0.1]
"""


def test_crawl_records_bombs_as_errors_and_stays_small(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "tz").mkdir(parents=True)
    titles = {"t1": "关于高新技术企业认定奖励的通知", "t2": "关于科技型中小企业评价工作的通知"}
    items = "".join(f'<li><a href="./{name}.html" title="{title}">{title}</a><span>2025-12-1{i}</span></li>'
                    for i, (name, title) in enumerate(titles.items()))
    (site / "tz" / "index.html").write_text(f'<html><body><ul class="list">{items}</ul></body></html>', "utf-8")
    links = ('<a href="./bomb.docx">附件1：申报指南.docx</a><a href="./notice.pdf">附件2：通知.pdf</a>'
             '<a href="./packed.docx">附件3：汇总表.docx</a>')
    (site / "tz" / "t1.html").write_text(article(titles["t1"], links), "utf-8")
    (site / "tz" / "t2.html").write_text(article(titles["t2"]), "utf-8")
    (site / "tz" / "bomb.docx").write_bytes(docx_bomb(1500))
    (site / "tz" / "notice.pdf").write_bytes(make_pdf("通知", ["对首次认定的高新技术企业给予奖励。"]))
    (site / "robots.txt").write_text("User-agent: *\nDisallow:\n", "utf-8")
    (tmp_path / "sources.yaml").write_text(SOURCES, "utf-8")
    db = tmp_path / "pw.db"
    page_bomb = gzip_of_spaces(b"<html><body>", 1024)   # 1 GB of page in ~1 MB, past DOWNLOAD_MAXSIZE (16 MB)
    attachment_bomb = gzip_of_spaces(b"PK", 100)        # 100 MB of attachment, past the 20 MB attachment limit
    with MirrorServer(site) as server:
        server.set_fault("/tz/t2.html", Fault(body=page_bomb, headers={"Content-Encoding": "gzip"}))
        server.set_fault("/tz/packed.docx", Fault(body=attachment_bomb, headers={
            "Content-Encoding": "gzip", "Content-Type": "application/octet-stream"}))
        peak_mib, returncode, log = crawl_with_peak_memory(tmp_path, db, server.base_url)
    assert returncode == 0, log[-3000:]
    with sqlite3.connect(db) as conn:
        documents = [url for (url,) in conn.execute("select url from documents")]
        errors = conn.execute("select url, kind, error from fetch_errors order by url").fetchall()
        attachments = dict(conn.execute("select url, error from attachments"))
        text_chars = dict(conn.execute("select url, text_chars from attachments"))
    base = server.base_url + "/tz/"
    assert documents == [base + "t1.html"]
    assert errors == [(base + "packed.docx", "attachment", "too_large"), (base + "t2.html", "detail", "too_large")]
    assert attachments == {
        base + "bomb.docx": "refused: word/document.xml inflates to 1,500.0 MB (limit 50 MB)",
        base + "notice.pdf": None,
        base + "packed.docx": "too_large",
    }
    assert text_chars[base + "notice.pdf"] > 10
    assert "exceeded DOWNLOAD_MAXSIZE (16777216 B) during decompression" in log
    # the bounds at work (page 16 MB and file 20 MB as decoded, an archive member read in 64 KiB pieces, 50 MB of
    # inflated DOCX, 16 MB per PDF stream) may overlap when the downloads arrive together: about 120 MB of
    # crawl process plus them stays under 400 MB (183 MB measured alone, 306 MB once on a loaded machine);
    # without the bounds the bombs inflate to gigabytes
    assert peak_mib < 400, peak_mib


def crawl_with_peak_memory(tmp_path: Path, db: Path, base_url: str) -> tuple[float, int, str]:
    """`policywatch crawl` in a child under the address-space cap; its peak resident MiB, exit code and log."""
    log_path = tmp_path / "crawl.log"
    capped = ("import os, resource, sys; resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]),) * 2); "
              "os.execv(sys.executable, [sys.executable, '-m', 'crawler', *sys.argv[2:]])")
    args = ["crawl", "--config", str(tmp_path / "sources.yaml"), "--db", str(db), "--var", f"mirror={base_url}",
            *FAST]
    with open(log_path, "wb") as log:
        child = subprocess.Popen([sys.executable, "-c", capped, str(CHILD_MEMORY_CAP), *args], cwd=ROOT,
                                 stdout=log, stderr=subprocess.STDOUT)
        watchdog = threading.Timer(240, child.kill)   # a hung crawl fails the test instead of hanging it
        watchdog.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            watchdog.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024, child.returncode, log_path.read_text("utf-8", "replace")
