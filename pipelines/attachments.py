"""Text of downloaded attachments: PDF (pypdf) and DOCX (the WordprocessingML read as a stream).

Legacy binary formats (.doc, .wps, .xls, .et) are stored without text and say why;
a broken file yields an error message, never an exception.

Attachments come from sites we do not control, so a small file must not be able to make the crawl
inflate gigabytes. Each limit stops the inflating itself, not just what is kept afterwards:

* Zip-based files (DOCX): the archive's central directory is inspected before any member is read —
  member count, each member's declared size, their total, the compression ratio of big members, the
  compression method, and whether the declared sizes are possible at all. A member is then read in
  small pieces and counted, so even a directory that lies cannot make one read inflate more than a piece.
* PDF: pypdf runs with tighter per-stream limits than its defaults, and every stream pypdf decodes for
  one document is metered against a total, because pypdf keeps decoded streams for the life of the reader.
* Both: at most MAX_TEXT_CHARS characters of text are kept; extraction stops once past it.

A file over a limit gives ``AttachmentText(kind, None, "refused: <reason>")``; its text is not read.
Gzip and other encoded HTTP bodies are bounded before they get here: Scrapy stops decompressing past
``download_maxsize`` (see crawler/settings.py).
"""
from __future__ import annotations

import io
import logging
import re
import zipfile
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import IO, Any, Callable, Iterator
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
MB = 1024 * 1024
MAX_TEXT_CHARS = 1_000_000          # text kept from one attachment (a 200-page policy has ~300k characters)
MAX_PDF_PAGES = 200
MAX_PDF_STREAM_BYTES = 16 * MB      # one decoded PDF stream (pypdf's default is 75 MB)
MAX_PDF_DECODED_BYTES = 128 * MB    # all streams decoded while reading one PDF
MAX_PDF_CONTENT_TOKENS = 1_000_000  # operands and operators parsed from one content stream (pypdf: 2 million)
MAX_ZIP_MEMBERS = 2_000             # a Word file has tens of parts; hundreds with many images
MAX_ZIP_MEMBER_BYTES = 50 * MB      # declared uncompressed size of any one member
MAX_ZIP_TOTAL_BYTES = 200 * MB      # declared uncompressed size of all members
MAX_ZIP_RATIO = 100                 # Word XML deflates 5-30:1; a bomb of repeated bytes ~1000:1
ZIP_RATIO_FLOOR = 1 * MB            # smaller members are harmless whatever their ratio
MAX_ZIP_RELS_BYTES = 1 * MB         # the package relationships part
ZIP_READ_PIECE = 64 * 1024          # a member is inflated at most this much per read

WORD_NAMESPACES = ("http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                   "http://purl.oclc.org/ooxml/wordprocessingml/main")   # transitional, strict
MARKUP_COMPATIBILITY = "http://schemas.openxmlformats.org/markup-compatibility/2006"
SAFE_XML = {"resolve_entities": False, "load_dtd": False, "no_network": True, "huge_tree": False}


@dataclass(frozen=True)
class AttachmentText:
    """What could be read from one attachment."""

    type: str
    text: str | None
    error: str | None = None


class Refused(ValueError):
    """An attachment over a safety limit; the message is the one-line reason."""


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
    """Extract text from an attachment's bytes; unsupported, broken or hostile files give an error, not an
    exception. Text cut at MAX_TEXT_CHARS keeps what was read and says so in `error`."""
    if body.startswith(b"%PDF"):
        kind = "pdf"
    elif body.startswith(b"PK") and kind not in ("xlsx", "zip", "ofd"):
        kind = "docx" if _is_docx(body) else kind
    reader: Callable[[bytes], tuple[str, bool]] | None = {"pdf": _pdf_text, "docx": _docx_text}.get(kind)
    if reader is None:
        return AttachmentText(kind, None, f"no text extractor for .{kind} files")
    try:
        raw, complete = reader(body)
    except Refused as exc:
        logger.warning("attachment refused (%s): %s", kind, exc)
        return AttachmentText(kind, None, f"refused: {exc}"[:300])
    except Exception as exc:  # third-party parsers raise many types on hostile files
        logger.info("attachment text failed (%s): %s", kind, exc)
        return AttachmentText(kind, None, f"unreadable {kind}: {type(exc).__name__}: {exc}"[:300])
    text = _tidy(raw)
    if not complete or len(text) > MAX_TEXT_CHARS:
        return AttachmentText(kind, text[:MAX_TEXT_CHARS], f"truncated: text cut at {MAX_TEXT_CHARS} characters")
    return AttachmentText(kind, text)


def _is_docx(body: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError):  # damaged directories raise all four
        return False


# --- zip archives ----------------------------------------------------------------------------------------
def check_archive(archive: zipfile.ZipFile) -> None:
    """Raise Refused when the archive's central directory describes a zip bomb or sizes no file could have.

    Only the directory is read. Declared sizes can lie; `read_member` counts the real bytes as well."""
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise Refused(f"zip has {len(members)} members (limit {MAX_ZIP_MEMBERS})")
    total = 0
    for member in members:
        name, size, packed = member.filename, member.file_size, member.compress_size
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Refused(f"{name}: compression method {member.compress_type} is not used by office files")
        if size > MAX_ZIP_MEMBER_BYTES:
            raise Refused(f"{name} inflates to {_mb(size)} (limit {_mb(MAX_ZIP_MEMBER_BYTES)})")
        if size > ZIP_RATIO_FLOOR and size > packed * MAX_ZIP_RATIO:
            raise Refused(f"{name} inflates {size // max(packed, 1)}:1 (limit {MAX_ZIP_RATIO}:1)")
        # deflate never grows data by more than its block headers; stored data keeps its size
        if packed > size + size // 8 + 1024:
            raise Refused(f"{name}: {_mb(packed)} compressed cannot hold the {_mb(size)} its header declares")
        total += size
    if total > MAX_ZIP_TOTAL_BYTES:
        raise Refused(f"zip members inflate to {_mb(total)} in all (limit {_mb(MAX_ZIP_TOTAL_BYTES)})")


class _BoundedMember:
    """A zip member as a stream that inflates at most ZIP_READ_PIECE per read and refuses past `limit`."""

    def __init__(self, stream: IO[bytes], name: str, limit: int) -> None:
        self._stream, self._name, self._limit, self._read = stream, name, limit, 0

    def read(self, size: int = -1) -> bytes:
        """At most `size` (and at most ZIP_READ_PIECE) inflated bytes; b"" at the end."""
        piece = self._stream.read(ZIP_READ_PIECE if size < 0 else min(size, ZIP_READ_PIECE))
        self._read += len(piece)
        if self._read > self._limit:
            raise Refused(f"{self._name} inflates past {_mb(self._limit)}")
        return piece


@contextmanager
def read_member(archive: zipfile.ZipFile, name: str, limit: int = MAX_ZIP_MEMBER_BYTES) -> Iterator[_BoundedMember]:
    """Open one member of a checked archive as a stream bounded to `limit` inflated bytes.

    zipfile's own `read()` inflates up to 1 GiB in one call before it trims to the declared size,
    so members are only ever read through this, a piece at a time."""
    with archive.open(name) as stream:
        yield _BoundedMember(stream, name, limit)


# --- DOCX ------------------------------------------------------------------------------------------------
def _docx_text(body: bytes) -> tuple[str, bool]:
    """The body text of a Word file, read from its main part as a stream, and whether it is complete.

    python-docx is not used to read: it inflates every part whole (`ZipFile.read`) and builds a
    proxy-laden tree of the whole document, so a 50 MB part of tiny paragraphs costs a gigabyte. Here the
    main part is fed a piece at a time to an lxml parser that builds no tree at all (a parser target;
    no entities, no DTD, no network), so memory follows the text kept, not the file. Each paragraph
    becomes one line and each table row one tab-separated line. As with python-docx, text boxes,
    headers, footers, notes and deleted revisions are left out; unlike it, tables stay where they stand
    in the document, a merged cell is read once, and text inside inserted revisions, content controls
    and smart tags is kept."""
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        check_archive(archive)
        target = _WordText()
        parser = etree.XMLParser(target=target, **SAFE_XML)
        with read_member(archive, _docx_main_part(archive)) as stream:
            while not target.full and (piece := stream.read(ZIP_READ_PIECE)):
                parser.feed(piece)
        if not target.full:
            parser.close()
        return "\n".join(target.lines), not target.full


def _docx_main_part(archive: zipfile.ZipFile) -> str:
    """The main document part named by the package relationships, else word/document.xml."""
    from lxml import etree

    names = set(archive.namelist())
    if "_rels/.rels" in names:
        with read_member(archive, "_rels/.rels", MAX_ZIP_RELS_BYTES) as stream:
            rels = etree.fromstring(b"".join(iter(lambda: stream.read(ZIP_READ_PIECE), b"")),
                                    etree.XMLParser(**SAFE_XML))
        targets = [rel.get("Target", "").lstrip("/") for rel in rels
                   if rel.get("Type", "").endswith("/officeDocument")]
        if targets and targets[0] in names:
            return targets[0]
    if "word/document.xml" in names:
        return "word/document.xml"
    raise ValueError("no main document part (word/document.xml)")


class _WordText:
    """lxml parser target: paragraph and table-row lines of WordprocessingML, up to MAX_TEXT_CHARS."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.full = False                    # MAX_TEXT_CHARS reached; the rest is not read
        self._size = 0
        self._paragraphs: list[list[str]] = []   # text pieces of the open paragraphs (nested in cells)
        self._cells: list[list[str]] = []        # lines of the open table cells
        self._rows: list[list[str]] = []         # cell texts of the open table rows
        self._hidden = 0                         # inside a text box or a compatibility fallback copy
        self._in_text = False

    def start(self, tag: str, attrib: dict, nsmap: dict | None = None) -> None:
        namespace, _, name = tag[1:].partition("}")
        if (namespace, name) == (MARKUP_COMPATIBILITY, "Fallback") or (
                namespace in WORD_NAMESPACES and name == "txbxContent"):
            self._hidden += 1
        elif namespace not in WORD_NAMESPACES:
            return
        elif name == "p":
            self._paragraphs.append([])
        elif name == "tc":
            self._cells.append([])
        elif name == "tr":
            self._rows.append([])
        elif name == "t":
            self._in_text = True
        elif name in ("tab", "ptab"):
            self._add("\t")
        elif name == "cr" or (name == "br" and attrib.get(f"{{{namespace}}}type", "textWrapping") == "textWrapping"):
            self._add("\n")
        elif name == "noBreakHyphen":
            self._add("-")

    def data(self, text: str) -> None:
        if self._in_text:
            self._add(text)

    def end(self, tag: str) -> None:
        namespace, _, name = tag[1:].partition("}")
        if (namespace, name) == (MARKUP_COMPATIBILITY, "Fallback") or (
                namespace in WORD_NAMESPACES and name == "txbxContent"):
            self._hidden -= 1
        elif namespace not in WORD_NAMESPACES:
            return
        elif name == "t":
            self._in_text = False
        elif name == "p" and self._paragraphs:
            self._line("".join(self._paragraphs.pop()))
        elif name == "tc" and self._cells:
            cell = "\n".join(self._cells.pop())
            if self._rows:
                self._rows[-1].append(cell)
        elif name == "tr" and self._rows:
            self._line("\t".join(self._rows.pop()))

    def close(self) -> None:
        return None

    def _add(self, piece: str) -> None:
        if self._paragraphs and not self._hidden and not self.full:
            self._paragraphs[-1].append(piece)
            self._count(len(piece))

    def _line(self, line: str) -> None:
        if not self._hidden and not self.full:
            (self._cells[-1] if self._cells else self.lines).append(line)
            self._count(1)

    def _count(self, size: int) -> None:
        self._size += size
        self.full = self._size > MAX_TEXT_CHARS


# --- PDF -------------------------------------------------------------------------------------------------
class _DecodedBytes:
    """Bytes of PDF streams decoded so far for one document, against a limit."""

    def __init__(self, limit: int) -> None:
        self.limit, self.used = limit, 0

    @property
    def exceeded(self) -> bool:
        return self.used > self.limit


_pdf_decoding: ContextVar[_DecodedBytes | None] = ContextVar("policywatch_pdf_decoding", default=None)


def _meter_pdf_decoding() -> None:
    """Count every stream pypdf decodes against the current document's `_DecodedBytes` (once per process).

    pypdf bounds each stream but keeps every decoded stream for the life of its reader, so 200 pages of
    70 MB streams (70 KB each on disk) would hold 14 GB. pypdf decodes all stream data through
    `pypdf.filters.decode_stream_data`; wrapping it is the one place a document-wide total can be kept.
    The error raised is pypdf's own LimitReachedError, which pypdf's recovery paths re-raise."""
    import pypdf.filters as filters
    from pypdf.errors import LimitReachedError

    decode = filters.decode_stream_data
    if getattr(decode, "metered", False):
        return

    def metered_decode(stream: Any) -> bytes:
        budget = _pdf_decoding.get()
        if budget is not None and budget.exceeded:
            raise LimitReachedError(f"PDF streams decoded past {_mb(budget.limit)}")
        data = decode(stream)
        if budget is not None:
            budget.used += len(data)
            if budget.exceeded:
                raise LimitReachedError(f"PDF streams decoded past {_mb(budget.limit)}")
        return data

    metered_decode.metered = True  # type: ignore[attr-defined]
    filters.decode_stream_data = metered_decode


def _pdf_text(body: bytes) -> tuple[str, bool]:
    """Text of the first MAX_PDF_PAGES pages under pypdf limits and a document-wide decoding total, and
    whether it is complete (MAX_TEXT_CHARS not reached)."""
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError

    _meter_pdf_decoding()
    limits = dict.fromkeys(("zlib_maximum_output_length", "lzw_maximum_output_length",
                            "run_length_maximum_output_length", "brotli_maximum_output_length",
                            "jbig2_maximum_output_length", "array_based_stream_maximum_output_length",
                            "image_maximum_buffer_size", "xmp_maximum_input_length"), MAX_PDF_STREAM_BYTES)
    budget = _DecodedBytes(MAX_PDF_DECODED_BYTES)
    token = _pdf_decoding.set(budget)
    parts: list[str] = []
    size = 0
    complete = True
    try:
        with apply_configuration(**limits, stream_decoding_work_maximum_length=4 * MAX_PDF_STREAM_BYTES,
                                 stream_parsing_work_maximum_count=MAX_PDF_CONTENT_TOKENS):
            reader = PdfReader(io.BytesIO(body))
            for page in reader.pages[:MAX_PDF_PAGES]:
                text = page.extract_text() or ""
                if budget.exceeded:  # pypdf logs and goes on after some errors; the total still stands
                    break
                parts.append(text)
                size += len(text) + 1
                if size > MAX_TEXT_CHARS:
                    complete = False
                    break
    except LimitReachedError as exc:
        raise Refused(f"pdf over a reading limit (streams: {_mb(MAX_PDF_STREAM_BYTES)} each, "
                      f"{_mb(MAX_PDF_DECODED_BYTES)} in all): {exc}") from exc
    finally:
        _pdf_decoding.reset(token)
    if budget.exceeded:
        raise Refused(f"pdf streams decode to more than {_mb(MAX_PDF_DECODED_BYTES)} in all")
    return "\n".join(parts), complete


def _mb(size: int) -> str:
    """A size for a reason line: '50 MB', '1,500.2 MB', '2,048 bytes'."""
    if size < MB:
        return f"{size:,} bytes"
    return f"{size // MB:,} MB" if size % MB == 0 else f"{size / MB:,.1f} MB"


def _tidy(text: str) -> str:
    lines = (line.strip() for line in text.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)
