"""Telling a blocked site (status or JS cookie challenge) from a quiet one."""
from __future__ import annotations

from crawler.blocking import block_reason, is_js_challenge

JSL_CHALLENGE = ("<html><body><script>document.cookie=('_')+('_')+('jsl_clearance_s=1700000000.123|0|'"
                 "+'abc');location.href=location.pathname+location.search</script></body></html>")
WZWS = ('<html><head><script type="text/javascript">var wzwschallenge="RANDOMSTR";'
        'function HtmlEncode(){}; window.location.href="/?wzwscspd=" + x;</script></head><body></body></html>')
LIST = ("<html><body><ul>" + "".join(f'<li><a href="/a/{i}.html">关于开展2025年度高新技术企业认定工作的通知{i}</a>'
                                     f"<span>2025-12-{i:02d}</span></li>" for i in range(1, 21))
        + "</ul><script>window.location.href='#top'</script></body></html>")


def test_statuses_mean_blocked() -> None:
    assert block_reason(412, "", (403, 412, 521)) == "http_412"
    assert block_reason(521, JSL_CHALLENGE, (403, 412, 521)) == "http_521"
    assert block_reason(404, "", (403, 412, 521)) is None


def test_challenge_pages_with_200() -> None:
    assert is_js_challenge(JSL_CHALLENGE)
    assert is_js_challenge(WZWS)
    assert block_reason(200, WZWS, ()) == "js_challenge"


def test_a_real_list_with_a_redirect_script_is_not_a_challenge() -> None:
    assert not is_js_challenge(LIST)
    assert block_reason(200, LIST, (412,)) is None
