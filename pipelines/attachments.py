"""Text of downloaded attachments: PDF (pypdf) and DOCX (python-docx).

Legacy binary formats (.doc, .wps, .xls, .et) are stored without text and say why;
a broken file yields an error message, never an exception.
"""
from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

logger = logging.getLogger(__name__)

ATTACHMENT_TYPES = ("pdf", "doc", "docx", "xls", "xlsx", "wps", "et", "ofd", "zip", "rar")
CONTENT_TYPES = {
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
MAX_PDF_PAGES = 200


@dataclass(frozen=True)
class AttachmentText:
    """What could be read from one attachment."""

    type: str
    text: str | None
    error: str | None = None


def attachment_type(url: str, content_type: str | None = None, name: str | None = None) -> str:
    """The attachment's type from its URL or name extension, else its Content-Type; 'unknown' if none."""
    for candidate in (urlsplit(url).path, name or "", unquote(urlsplit(url).query)):
        match = re.search(r"\.([a-z0-9]{2,4})\b(?!.*\.[a-z0-9]{2,4}\b)", candidate.lower())
        if match and match.group(1) in ATTACHMENT_TYPES:
            return match.group(1)
    if content_type:
        return CONTENT_TYPES.get(content_type.split(";")[0].strip().lower(), "unknown")
    return "unknown"


def attachment_text(body: bytes, kind: str) -> AttachmentText:
    """Extract text from an attachment's bytes; unsupported or broken files give an error, not an exception."""
    if body.startswith(b"%PDF"):
        kind = "pdf"
    elif body.startswith(b"PK") and kind not in ("xlsx", "zip", "ofd"):
        kind = "docx" if _is_docx(body) else kind
    reader = {"pdf": _pdf_text, "docx": _docx_text}.get(kind)
    if reader is None:
        return AttachmentText(kind, None, f"no text extractor for .{kind} files")
    try:
        return AttachmentText(kind, _tidy(reader(body)))
    except Exception as exc:  # third-party parsers raise many types on hostile files
        logger.info("attachment text failed (%s): %s", kind, exc)
        return AttachmentText(kind, None, f"unreadable {kind}: {type(exc).__name__}: {exc}"[:300])


def _is_docx(body: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _pdf_text(body: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(body))
    pages = reader.pages[:MAX_PDF_PAGES]
    return "\n".join((page.extract_text() or "") for page in pages)


def _docx_text(body: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(body))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _tidy(text: str) -> str:
    lines = (line.strip() for line in text.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)
