"""Attachment files for the demo mirror: small real PDF and DOCX documents.

Government pages attach their policies as PDF and Word files, and the
attachment reader must get the Chinese text back out of them. These two
functions write such files from a title and a list of paragraphs.

``make_pdf`` writes the PDF by hand, the way many government PDFs are built:
the text uses the standard, non-embedded CID font ``STSong-Light`` with the
predefined ``UniGB-UCS2-H`` CMap, so each character code is the character's
UCS-2 value and text extractors (pypdf) map it back to Unicode without a
``ToUnicode`` table. ``make_docx`` uses python-docx. Both outputs are
byte-for-byte deterministic (no timestamps), so the mirror can be rebuilt
without changing committed files.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from docx import Document
from docx.shared import Pt

PAGE_WIDTH = 595
PAGE_HEIGHT = 842
MARGIN_X = 64
MARGIN_TOP = 72
MARGIN_BOTTOM = 72
BODY_SIZE = 12
TITLE_SIZE = 16
LEADING = 20
FIXED_DOCX_TIME = datetime(2020, 1, 1, 0, 0, 0)


def _char_width_em(char: str) -> float:
    """Advance width of one character in ems (ASCII is half width)."""
    return 0.5 if ord(char) < 0x80 else 1.0


def wrap_line(text: str, size: int, width: float) -> list[str]:
    """Split one paragraph into lines that fit ``width`` points at ``size``."""
    lines: list[str] = []
    current = ""
    used = 0.0
    for char in text:
        advance = _char_width_em(char) * size
        if current and used + advance > width:
            lines.append(current)
            current, used = "", 0.0
        current += char
        used += advance
    if current:
        lines.append(current)
    return lines or [""]


def _ucs2_hex(text: str) -> str:
    """Encode text as a PDF hex string of UCS-2 (BMP only) code units."""
    clean = "".join(c if ord(c) <= 0xFFFF else "?" for c in text)
    return "<" + clean.encode("utf-16-be").hex().upper() + ">"


def _layout_pages(title: str, paragraphs: list[str]) -> list[list[tuple[int, str]]]:
    """Lay the title and paragraphs out as pages of (font size, line) pairs."""
    usable = PAGE_WIDTH - 2 * MARGIN_X
    lines: list[tuple[int, str]] = [(TITLE_SIZE, line) for line in wrap_line(title, TITLE_SIZE, usable)]
    lines.append((BODY_SIZE, ""))
    for paragraph in paragraphs:
        # two full-width spaces of first-line indent, as printed documents have
        for line in wrap_line("\u3000\u3000" + paragraph.strip(), BODY_SIZE, usable):
            lines.append((BODY_SIZE, line))
    per_page = int((PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM) // LEADING)
    return [lines[i:i + per_page] for i in range(0, len(lines), per_page)]


def _content_stream(page_lines: list[tuple[int, str]]) -> bytes:
    """Build one page's content stream drawing its lines top to bottom."""
    ops = ["BT", f"{LEADING} TL", f"{MARGIN_X} {PAGE_HEIGHT - MARGIN_TOP} Td"]
    current_size = 0
    for size, line in page_lines:
        if size != current_size:
            ops.append(f"/F1 {size} Tf")
            current_size = size
        if line:
            ops.append(f"{_ucs2_hex(line)} Tj")
        ops.append("T*")
    ops.append("ET")
    return ("\n".join(ops) + "\n").encode("ascii")


def _serialise(objects: list[bytes]) -> bytes:
    """Join numbered objects into a PDF file with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode("ascii") + body + b"\nendobj\n")
    xref_at = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii"))
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode("ascii"))
    info_number = len(objects)
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {info_number} 0 R >>\n"
        f"startxref\n{xref_at}\n%%EOF\n".encode("ascii")
    )
    return out.getvalue()


def make_pdf(title: str, paragraphs: list[str]) -> bytes:
    """Return a valid PDF showing ``title`` and ``paragraphs`` in STSong-Light."""
    pages = _layout_pages(title, paragraphs)
    font_objects = [
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [4 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> "
        b"/FontDescriptor 5 0 R /DW 1000 /W [1 95 500] >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
        b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
        b"/CapHeight 880 /StemV 93 >>",
    ]
    first_page = 6
    page_numbers = [first_page + 2 * i for i in range(len(pages))]
    kids = " ".join(f"{n} 0 R" for n in page_numbers)
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode("ascii"),
        *font_objects,
    ]
    for number, page_lines in zip(page_numbers, pages):
        stream = _content_stream(page_lines)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {number + 1} 0 R >>".encode("ascii")
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode("ascii") + stream + b"endstream")
    info_title = "<FEFF" + title.encode("utf-16-be").hex().upper() + ">"
    objects.append(f"<< /Title {info_title} /Producer (policywatch demo mirror) >>".encode("ascii"))
    return _serialise(objects)


def _normalise_zip(raw: bytes) -> bytes:
    """Rewrite a zip with fixed member timestamps so output is reproducible."""
    source = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(item.filename))
    return out.getvalue()


def make_docx(title: str, paragraphs: list[str]) -> bytes:
    """Return a .docx file with ``title`` as a heading and one paragraph per item."""
    document = Document()
    props = document.core_properties
    props.title = title
    props.author = ""
    props.last_modified_by = ""
    props.created = FIXED_DOCX_TIME
    props.modified = FIXED_DOCX_TIME
    props.revision = 1
    document.add_heading(title, level=1)
    for paragraph in paragraphs:
        run = document.add_paragraph().add_run(paragraph)
        run.font.size = Pt(12)
    buffer = io.BytesIO()
    document.save(buffer)
    return _normalise_zip(buffer.getvalue())
