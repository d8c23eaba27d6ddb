"""The document's title, and the title of the policy an 印发 notice carries.

Title evidence, strongest first: a candidate that two sources agree on (the ArticleTitle
meta tag or a heading that the page's <title> or the list page also shows), then
ArticleTitle, then the <title> without its site suffix, then a heading, then the list
page's link text. Meta tags are evidence, not truth: some sites copy a template's tags.
"""
from __future__ import annotations

import re
from collections import Counter

from pipelines.text.normalise import collapse_spaces, fold_width

# A <title> suffix naming the site: "标题_湖南省科学技术厅", "标题 - 政策通平台", "标题|某某网",
# "标题-华夏泰科". Dashes inside titles ("(2023—2025年)") are not separators unless spaced.
TITLE_SUFFIX = re.compile(
    r"\s*(?:_|\||｜|--|\s[-–—]\s|-(?=[^-—–]{2,16}$))\s*[^_|｜]{0,24}?(?:网|局|厅|委|办|政府|平台|中心|门户|首页|官网|资讯|泰科|科技|服务)[^_|｜]{0,8}$")
SPACED_SITE = re.compile(r"\s+[\u4e00-\u9fff]{2,20}(?:局|厅|委员会|委|办公室|人民政府|政府|网)$")
CARRIED = re.compile(r"(?:印发|转发|发布|公布|颁布|印发实施)\s*《")
TEXT_CARRIED = re.compile(
    r"(?:制定|研究制定|修订|编制|起草|联合制定)(?:了)?《(?P<a>[^《》]{4,120})》[^《》\n]{0,16}?(?:现(?:予以)?印发|印发给你们|予以印发|现印发)"
    r"|现将《(?P<b>[^《》]{4,120})》(?:予以)?印发")


# A document number heading a title line (张政办函〔2023〕180号《…的通知》): the number is a field of its own.
LEADING_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,14}\s*[〔\[(（【]\s*(?:19|20)\d{2}\s*[〕\])）】]\s*第?\s*\d{1,5}\s*[号號]\s*")


# No title is longer (cleaning keeps heading candidates up to the same length): longer evidence is a page's
# text or garbage in a title's place, and every title and classification rule would pay for its length.
MAX_TITLE = 300
SITE_SUFFIX = 40  # room a <title> needs for the site name it ends with (TITLE_SUFFIX)


def clean_title(title: str | None) -> str | None:
    """A title without a document number heading it and without the 《》 that then enclose all of it."""
    if not title:
        return title
    stripped = LEADING_NUMBER.sub("", title).strip()
    if stripped.startswith("《") and stripped.endswith("》") and stripped.count("《") == 1:
        stripped = stripped[1:-1].strip()
    return stripped if len(stripped) >= 6 else title


def _key(text: str) -> str:
    return re.sub(r"\s+", "", fold_width(text))


def strip_site_suffix(title: str | None) -> str | None:
    """A <title> without the site name it ends with."""
    if not title:
        return None
    stripped = TITLE_SUFFIX.sub("", title).strip()
    stripped = SPACED_SITE.sub("", stripped).strip() if len(stripped) > 12 else stripped
    return stripped if len(stripped) >= 4 else title.strip()


def _short(value: str | None, limit: int = MAX_TITLE) -> str | None:
    return value if value and len(value) <= limit else None


def choose_title(candidates: list[str], page_title: str | None, meta_title: str | None,
                 list_title: str | None) -> str | None:
    """The document's own title from the page's evidence (none of it longer than a title can be)."""
    candidates = [c for c in candidates if len(c) <= MAX_TITLE]
    meta_title, list_title = _short(meta_title), _short(list_title)
    page_title = _short(page_title, MAX_TITLE + SITE_SUFFIX)
    others = [c for c in candidates if c not in (meta_title, page_title)]
    page_key = _key(page_title or "")
    list_key = _key(list_title or "")
    shown = Counter(_key(c) for c in candidates)

    def agreed(candidate: str) -> bool:
        key = _key(candidate)
        return bool(key) and (key in page_key or (list_key and (key == list_key or list_key in key))
                              or shown[key] > 1)

    for candidate in ([meta_title] if meta_title else []) + others:
        if len(candidate) >= 6 and agreed(candidate):
            return candidate
    if meta_title:
        return meta_title
    stripped = strip_site_suffix(page_title)
    if stripped and len(stripped) >= 6:
        return stripped
    for candidate in others:
        if 6 <= len(candidate) <= 200:
            return candidate
    return collapse_spaces(list_title) if list_title else (stripped or None)


def _balanced(text: str, start: int) -> str | None:
    """The text inside 《…》 opening at `start`, nested 《》〈〉 respected."""
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "《":
            depth += 1
        elif text[index] == "》":
            depth -= 1
            if depth == 0:
                inner = text[start + 1:index].strip()
                return inner or None
    return None


def policy_title(title: str | None, text: str) -> str | None:
    """The title of the policy an 印发/转发 notice carries (without 《》), if the page is one."""
    if title:
        carried = CARRIED.search(title)
        if carried:
            return _balanced(title, carried.end() - 1)
    found = TEXT_CARRIED.search(text[:3000])
    if found:
        return (found.group("a") or found.group("b")).strip()
    return None
