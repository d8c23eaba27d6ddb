"""The canonical page of a policy, and the policy id."""
from __future__ import annotations

import hashlib

from pipelines.dedup.pages import Page
from pipelines.dedup.urls import canonical_url, url_match_key


def canonical_rank(page: Page, link_targets: set[str], text_size: int) -> tuple:
    """Sort key of a member page: government first, then a 原文链接 target, earliest date, most complete text."""
    date = page.page_date or page.publish_date or (page.first_seen or "")[:10] or "9999-99-99"
    targeted = bool(link_targets) and url_match_key(page.url) in link_targets
    return (not page.government, not targeted, date, -text_size, page.first_seen or "", page.url)


def choose_canonical(members: list[tuple[Page, int]]) -> Page:
    """The canonical page among (page, normalised text size) members."""
    if len(members) == 1:
        return members[0][0]
    targets = {k for k in (url_match_key(p.original_url) for p, _ in members) if k}
    return min(members, key=lambda item: canonical_rank(item[0], targets, item[1]))[0]


def policy_id_for(url: str, length: int = 12) -> str:
    """A stable policy id from its first page's canonical URL ("p-" + hex digest prefix)."""
    return "p-" + hashlib.sha1(canonical_url(url).encode("utf-8")).hexdigest()[:length]
