"""Attachment text: real PDF (CID font, as government PDFs use) and DOCX files, and broken ones."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from demo.generate.docmaker import make_docx, make_pdf
from pipelines.attachments import attachment_text, attachment_type

PARAGRAPHS = ["一、对首次认定的高新技术企业给予最高50万元奖励。", "二、申报截止时间为2026年3月31日。"]


def test_pdf_text_round_trips() -> None:
    result = attachment_text(make_pdf("湖南省高新技术企业奖励办法", PARAGRAPHS), "pdf")
    assert result.error is None and result.type == "pdf"
    compact = result.text.replace("\n", "").replace(" ", "")
    assert "湖南省高新技术企业奖励办法" in compact
    assert "对首次认定的高新技术企业给予最高50万元奖励" in compact


def test_docx_text_round_trips() -> None:
    result = attachment_text(make_docx("申报指南", PARAGRAPHS), "docx")
    assert result.error is None
    assert result.text.splitlines() == ["申报指南", *PARAGRAPHS]


def test_content_sniffing_beats_a_wrong_extension() -> None:
    assert attachment_text(make_pdf("标题", PARAGRAPHS), "doc").type == "pdf"
    assert attachment_text(make_docx("标题", PARAGRAPHS), "wps").type == "docx"


def test_legacy_and_broken_files_give_reasons() -> None:
    assert attachment_text(b"\xd0\xcf\x11\xe0 legacy word", "doc").error == "no text extractor for .doc files"
    broken = attachment_text(b"%PDF-1.4\n garbage", "pdf")
    assert broken.text is None and broken.error.startswith("unreadable pdf")


def test_attachment_type_from_url_name_and_content_type() -> None:
    assert attachment_type("http://a.gov.cn/files/P020251216.pdf") == "pdf"
    assert attachment_type("http://a.gov.cn/download.jsp?filename=%E9%99%84%E4%BB%B6.docx") == "docx"
    assert attachment_type("http://a.gov.cn/down?id=3", "application/msword") == "doc"
    assert attachment_type("http://a.gov.cn/down?id=3", None, "附件1.xlsx") == "xlsx"
    assert attachment_type("http://a.gov.cn/down?id=3") == "unknown"


@settings(max_examples=60, deadline=None)   # the first pdf example pays for importing pypdf
@given(st.binary(max_size=3000), st.sampled_from(["pdf", "docx", "doc", "xls"]))
def test_never_raises(body: bytes, kind: str) -> None:
    result = attachment_text(b"%PDF" + body if kind == "pdf" else body, kind)
    assert result.text is None or isinstance(result.text, str)
