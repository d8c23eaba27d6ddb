"""Dedup settings: thresholds, per-source URL rules, read from the sources file."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping


SCHEME = "v4 nfkc+t2s+dates+latin-prose+alnum; poly64 shingles; mulshift minhash; sampled 8-gram passage keys"

TRACKING_PARAMS = (
    "utm_*", "jsessionid", "phpsessid", "aspsessionid*", "sessionid", "session_id", "sid_token",
    "spm", "from", "from_source", "fromsource", "share", "share_from", "sharer", "share_token",
    "isappinstalled", "scene", "clicktime", "enterid", "wfr", "fbclid", "gclid", "msclkid", "yclid",
    "bd_vid", "_hsenc", "_hsmi", "mc_cid", "mc_eid", "vd_source", "wxfrom", "timestamp", "_t",
)
INDEX_FILES = ("index.html", "index.htm", "index.shtml", "index.jsp", "index.php", "index.asp",
               "index.aspx", "default.htm", "default.html", "default.shtml", "default.asp", "default.aspx")
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class UrlRules:
    """How one source's URLs are canonicalised beyond the defaults (from its `dedup.url` config)."""

    drop_params: tuple[str, ...] = ()
    keep_params: tuple[str, ...] | None = None
    index_files: tuple[str, ...] = ()
    lowercase_path: bool = False
    https: bool = False


@dataclass(frozen=True)
class DedupConfig:
    """Fingerprint parameters and merge thresholds (defaults measured on bench/dedup.py's labelled set)."""

    shingle_size: int = 5
    num_perm: int = 128
    bands: int = 32
    containment: float = 0.80          # share of the smaller page found in the larger one
    linked_containment: float = 0.50   # the same when a 原文链接, the doc_number or the title links the pages
    candidate_containment: float = 0.40  # MinHash estimate below which a band candidate is not verified
    min_shingles: int = 30             # a shorter text (详见附件) merges only with a 原文链接 or doc_number link
    max_verified: int = 12             # candidates verified per page, best estimates first
    passage_gram: int = 8              # passage keys (pages.passage_keys): grams of this many characters
    passage_sample: int = 6            # one gram in this many (by hash) is a key
    passage_keys: int = 64             # passage keys kept per page (its first ones)
    # pages sharing this many passage keys are candidates (verified like any other: sharing passages links
    # nothing, since a 解读 or a city's notice quotes most of a provincial one and is another document)
    shared_passage_keys: int = 3
    # a shared passage merges below the containment floor (see passage.py): this many characters of the smaller
    # page found in the larger, a span of at least this share of the smaller page, and inside that span at most
    # this share of text the larger lacks (uncovered runs of at most damage_chars characters not counted)
    passage_chars: int = 200
    passage_span: float = 0.60
    passage_interior: float = 0.15
    damage_chars: int = 6
    # a passage is weak evidence: it merges only with a tie (verdict.passage_ties), or when it carries at least
    # this share of each page (the same text cut or damaged differently, nothing of its own on either side)
    passage_whole: float = 0.90
    # a 转发 notice joins the document it forwards whole when its own wrapper is at most this many characters
    # (a city's notice adding its own clauses to the text it forwards is another document)
    forward_wrapper_chars: int = 150
    max_number_changes: int = 0        # replaced numbers (years, dates, amounts) tolerated
    max_word_changes: int = 0          # replaced short words (城市名, 单位名) tolerated
    url_rules: Mapping[str, UrlRules] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """MinHash values per band."""
        return self.num_perm // self.bands


def url_rules_from_mapping(data: Mapping[str, Any] | None, where: str = "dedup.url") -> UrlRules:
    """UrlRules from a config mapping; ValueError naming the field on bad input."""
    if not data:
        return UrlRules()
    if not isinstance(data, Mapping):
        raise ValueError(f"{where}: expected a mapping, got {type(data).__name__}")
    known = {"drop_params", "keep_params", "index_files", "lowercase_path", "https"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"{where}: unknown field {unknown[0]!r} (known: {', '.join(sorted(known))})")

    def names(key: str) -> tuple[str, ...] | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, str) or not all(isinstance(v, str) and v for v in value):
            raise ValueError(f"{where}.{key}: expected a list of names")
        return tuple(v.lower() for v in value)

    for key in ("lowercase_path", "https"):
        if key in data and not isinstance(data[key], bool):
            raise ValueError(f"{where}.{key}: expected true or false")
    return UrlRules(drop_params=names("drop_params") or (), keep_params=names("keep_params"),
                    index_files=names("index_files") or (), lowercase_path=bool(data.get("lowercase_path")),
                    https=bool(data.get("https")))


def dedup_config_from_mapping(data: Mapping[str, Any] | None,
                              sources: Iterable[Mapping[str, Any]] = ()) -> DedupConfig:
    """DedupConfig from a `dedup:` settings mapping plus each source's `dedup.url` rules."""
    data = dict(data or {})
    allowed = {f for f in DedupConfig.__dataclass_fields__ if f != "url_rules"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValueError(f"dedup: unknown setting {unknown[0]!r}")
    rules = {}
    for source in sources:
        url = (source.get("dedup") or {}).get("url")
        if url:
            rules[str(source["id"])] = url_rules_from_mapping(url, f"sources[{source['id']}].dedup.url")
    config = replace(DedupConfig(), **data, url_rules=rules)
    if config.num_perm % config.bands:
        raise ValueError("dedup: num_perm must be a multiple of bands")
    return config
