"""Tell a blocked site from a quiet one.

Chinese government sites behind anti-bot gateways (Jiasule, Yunsuo, WZWS, Aliyun WAF)
answer 412/521 with a JavaScript cookie challenge, or 200 with a tiny script-only page.
Either must be reported as *blocked*, never as "no new documents".
"""
from __future__ import annotations

import re

CHALLENGE_MARKERS = re.compile(
    r"__jsl_clearance|acw_sc__v2|acw_tc|wzws_cid|wzwschallenge|yunsuo_session|_guard/|"
    r"jschallenge|cf-challenge|challenge-platform|document\.cookie\s*=|"
    r"location\.(?:reload|replace)\s*\(|window\.location(?:\.href)?\s*=",
    re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")
SCRIPT = re.compile(r"<script\b.*?</script>|<style\b.*?</style>", re.IGNORECASE | re.DOTALL)
MAX_CHALLENGE_TEXT = 200
MAX_CHALLENGE_BYTES = 40_000


def visible_text_length(html: str) -> int:
    """Characters of visible text (scripts, styles and tags removed, whitespace ignored)."""
    text = TAG.sub(" ", SCRIPT.sub(" ", html))
    return len(re.sub(r"\s+", "", text))


JUNK_SAMPLE = 8_000
JUNK_SHARE = 0.02  # control characters, NULs and undecodable bytes in a real page: none, or a stray few
JUNK_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


def is_junk(html: str) -> bool:
    """True for a body that is no page at all: nothing visible, or binary noise (random bytes, NULs)
    served as text. Such a fetch is an error to retry, never a document."""
    sample = html[:JUNK_SAMPLE]
    if not sample.strip() or len(JUNK_CHARS.findall(sample)) > len(sample) * JUNK_SHARE:
        return True
    return visible_text_length(html) == 0


def is_js_challenge(html: str) -> bool:
    """True for a script-only cookie-challenge page: a challenge marker and almost no visible text."""
    if len(html) > MAX_CHALLENGE_BYTES or "<script" not in html.lower():
        return False
    return bool(CHALLENGE_MARKERS.search(html)) and visible_text_length(html) < MAX_CHALLENGE_TEXT


def block_reason(status: int, html: str, block_statuses: tuple[int, ...] | list[int]) -> str | None:
    """Why a response means the site is blocking us ('http_412', 'js_challenge'), or None."""
    if status in block_statuses:
        return f"http_{status}"
    if status == 200 and is_js_challenge(html):
        return "js_challenge"
    return None
