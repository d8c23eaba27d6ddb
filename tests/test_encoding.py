"""Decoding pages whose declared charset is right, missing or wrong."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from pipelines.text.decode import decode_html

TEXT = "湖南省科学技术厅关于印发《高新技术产业开发区提质增效三年行动计划》的通知，对首次认定的高新技术企业给予最高50万元奖励。"
PAGE = "<html><head>{meta}<title>通知</title></head><body><p>" + TEXT + "</p></body></html>"


def test_utf8_declared_utf8() -> None:
    assert decode_html(PAGE.format(meta='<meta charset="utf-8">').encode("utf-8"), "utf-8") == (
        PAGE.format(meta='<meta charset="utf-8">'), "utf-8")


def test_gbk_declared_in_meta_only() -> None:
    page = PAGE.format(meta='<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    assert decode_html(page.encode("gbk"), None) == (page, "gb18030")


def test_gbk_bytes_served_as_utf8() -> None:
    page = PAGE.format(meta='<meta charset="utf-8">')
    assert decode_html(page.encode("gbk"), "utf-8") == (page, "gb18030")


def test_utf8_bytes_declared_gb2312() -> None:
    page = PAGE.format(meta='<meta charset="gb2312">')
    assert decode_html(page.encode("utf-8"), "gb2312") == (page, "utf-8")


def test_gb18030_only_characters_survive_a_gb2312_declaration() -> None:
    page = PAGE.format(meta='<meta charset="gb2312">').replace("通知", "通知（䶮𠀀）")
    assert decode_html(page.encode("gb18030"), "gb2312") == (page, "gb18030")


def test_undeclared_big5_traditional_page() -> None:
    page = "<p>關於印發《高新技術產業開發區提質增效三年行動計劃》的通知，對首次認定的高新技術企業給予獎勵。</p>"
    assert decode_html(page.encode("big5"), None) == (page, "big5")


def test_override_wins_even_over_valid_utf8() -> None:
    text, encoding = decode_html("abc".encode("utf-8"), "utf-8", override="gbk")
    assert (text, encoding) == ("abc", "gb18030")


def test_override_yields_to_a_page_that_is_utf8_now() -> None:
    """A source set to GBK whose site has moved to UTF-8: the page's own bytes decide, no mojibake."""
    assert decode_html(TEXT.encode("utf-8"), None, override="gbk") == (TEXT, "utf-8")
    assert decode_html(TEXT.encode("gbk"), "utf-8", override="gbk") == (TEXT, "gb18030")


def test_bom() -> None:
    assert decode_html(b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "gbk") == (TEXT, "utf-8-sig")


@settings(deadline=None)   # the first non-UTF-8 example pays for loading its codec
@given(st.binary(max_size=2000), st.sampled_from([None, "utf-8", "gbk", "nonsense", "big5"]))
def test_never_raises(body: bytes, charset: str | None) -> None:
    text, encoding = decode_html(body, charset)
    assert isinstance(text, str) and encoding
