"""Duplicate detection for policy pages: canonical URLs, fingerprints, verification, canonical choice.

Pure functions over plain data (no SQL, no Scrapy); ``storage.policies`` stores what they
compute and runs the assignment of a stored document to a policy.

How two pages are judged to carry one policy:

1. **Normalised text.** NFKC (full/half-width forms), Traditional→Simplified (OpenCC ``t2s``),
   dates written one way (2024-03-01 → 2024年3月1日), then everything but letters and digits
   dropped, so white space, punctuation and width never matter. Its SHA-1 is the exact key.
2. **Fingerprint.** The set of character 5-grams of that text, hashed with a stable 64-bit
   polynomial hash (never Python's salted ``hash()``), and its 128-value MinHash
   (multiply-shift hash family, parameters derived from BLAKE2b). The MinHash is cut into
   32 bands of 4 values; each band's hash goes into an indexed table, so candidates are
   found by SQL with nothing to rebuild at start-up (LSH: a pair with Jaccard 0.5 shares a
   band with probability 0.87, one with Jaccard 0.1 with probability 0.003).
3. **Verification** of every candidate on the exact 5-gram sets: Jaccard and containment
   (the share of the smaller page found in the larger, so a truncated or preamble-less
   repost still matches), then conflicts that mark look-alikes which are *not* one policy:
   different own document numbers, different page genres (政策 / 解读 / 公示), disjoint
   years in the titles, different issuers of two government pages, and — on the aligned
   texts — a number (year, date, amount) or a word (a city's name) replaced by another.

Every threshold is in ``DedupConfig``; the fingerprint recipe (``SCHEME`` plus the shingle,
permutation and band counts) is stored with each signature, so changing it recomputes
signatures instead of mixing two recipes in one index.

Per-source URL rules come from a source's ``dedup.url`` entry in the sources file::

    - id: hfwotao
      dedup:
        url:
          keep_params: [id]            # keep only these query parameters (else: drop tracking ones)
          drop_params: [uid, "t_*"]    # more parameters to drop (glob patterns), beside TRACKING_PARAMS
          index_files: [main.htm]      # more directory index names to strip
          lowercase_path: true         # case-insensitive (IIS) paths
          https: true                  # the site answers the same pages on http and https
"""
from __future__ import annotations

import difflib
import fnmatch
import hashlib
import posixpath
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Iterable, Mapping
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import numpy as np

SCHEME = "v1 nfkc+t2s+dates+alnum; poly64 shingles; mulshift minhash"

# ---------------------------------------------------------------------------------------------
# configuration
# ---------------------------------------------------------------------------------------------

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
    linked_containment: float = 0.50   # the same when a 原文链接 or the doc_number links the pages
    candidate_containment: float = 0.40  # MinHash estimate below which a band candidate is not verified
    min_shingles: int = 30             # a shorter text (详见附件) merges only with a 原文链接 or doc_number link
    max_verified: int = 12             # candidates verified per page, best estimates first
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


# ---------------------------------------------------------------------------------------------
# URLs
# ---------------------------------------------------------------------------------------------

def _param_dropped(name: str, rules: UrlRules) -> bool:
    """Whether a query parameter is tracking or session noise under `rules`."""
    lowered = name.lower()
    if rules.keep_params is not None:
        return lowered not in rules.keep_params
    return any(fnmatch.fnmatchcase(lowered, pattern) for pattern in TRACKING_PARAMS + rules.drop_params)


def _clean_path(path: str, rules: UrlRules) -> str:
    """Path with ;jsessionid, dot segments, repeated slashes and index files removed."""
    path = re.sub(r";(jsessionid|phpsessid|sid)=[^/?#]*", "", path, flags=re.I)
    path = quote(unquote(path), safe="/:@!$&'()*+,;=~-._%")
    trailing = path.endswith("/") or path.endswith("/.") or path.endswith("/..")
    path = posixpath.normpath("/" + path.lstrip("/")) if path else "/"
    path = re.sub(r"/{2,}", "/", path)
    if trailing and not path.endswith("/"):
        path += "/"
    head, _, last = path.rpartition("/")
    if last.lower() in INDEX_FILES + rules.index_files:
        path = head + "/"
    return path.lower() if rules.lowercase_path else path


@lru_cache(maxsize=8192)
def canonical_url(url: str, rules: UrlRules | None = None) -> str:
    """The URL in one canonical spelling: case, ports, dot segments, index files, tracking params, fragment."""
    rules = rules or UrlRules()
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return url.strip()
    if rules.https:
        scheme = "https"
    host = (parts.hostname or "").rstrip(".").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _param_dropped(k, rules)]
    # a fragment is a page address only in hash-routed sites (#/detail?id=1, #!/…)
    fragment = parts.fragment if parts.fragment.startswith(("/", "!")) else ""
    return urlunsplit((scheme, netloc, _clean_path(parts.path, rules), urlencode(sorted(query)), fragment))


@lru_cache(maxsize=8192)
def url_match_key(url: str | None, rules: UrlRules | None = None) -> str | None:
    """The canonical URL without scheme and `www.`, to match a 原文链接 written with http to a page fetched with https."""
    if not url or "://" not in url:
        return None
    canonical = canonical_url(url, rules)
    return re.sub(r"^[a-z]+://(www\.)?", "", canonical)


# ---------------------------------------------------------------------------------------------
# text normalisation
# ---------------------------------------------------------------------------------------------

NON_WORD = re.compile(r"[\W_]+")
NUMERIC_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?!\d)")
SENTENCE_BREAK = re.compile(r"[\n。；;！!？?]+")
CJK_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?")


@lru_cache(maxsize=1)
def _t2s() -> Any:
    # The fingerprint owns its conversion (rather than a shared helper) so that stored hashes
    # change only with SCHEME; OpenCC is a hard requirement here: without it Traditional
    # reposts would silently stop matching.
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """The text in Simplified characters (OpenCC t2s; about 5 MB/s)."""
    return _t2s().convert(text) if text else text


def _date_words(match: re.Match) -> str:
    year, month, day = match.group(1), int(match.group(2)), match.group(3)
    return f"{year}年{month}月" + (f"{int(day)}日" if day else "")


def prepare_text(text: str | None) -> str:
    """NFKC, Simplified characters and one date spelling; punctuation and line breaks kept (one OpenCC call)."""
    text = to_simplified(unicodedata.normalize("NFKC", text or ""))
    return CJK_DATE.sub(_date_words, NUMERIC_DATE.sub(_date_words, text))


def strip_to_words(prepared: str) -> str:
    """Prepared text reduced to letters and digits, lower case."""
    return NON_WORD.sub("", prepared).lower()


def normalise_line(text: str) -> str:
    """One line reduced to letters and digits: NFKC, Simplified, one date spelling, lower case."""
    return strip_to_words(prepare_text(text))


def normalise_text(text: str | None) -> str:
    """The whole text normalised (see `normalise_line`): what fingerprints and the exact hash read."""
    return strip_to_words(prepare_text(text))


def normalised_lines(text: str | None, prepared: bool = False) -> list[str]:
    """The text's non-empty lines (paragraphs), each normalised."""
    lines = (strip_to_words(line) for line in (text if prepared else prepare_text(text)).split("\n"))
    return [line for line in lines if line]


def sentence_units(prepared: str) -> list[str]:
    """The prepared text cut at line breaks and sentence ends, each normalised (units that survive re-flowing)."""
    units = (strip_to_words(piece) for piece in SENTENCE_BREAK.split(prepared))
    return [unit for unit in units if unit]


def content_hash_of(text: str) -> str:
    """SHA-1 of the text with white space removed (the record's `content_hash` recipe)."""
    return hashlib.sha1(re.sub(r"\s+", "", text or "").encode("utf-8")).hexdigest()


def text_hash(normalised: str) -> str:
    """SHA-1 of normalised text: equal for copies differing only in spacing, punctuation, width or script."""
    return hashlib.sha1(normalised.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------
# shingles and MinHash
# ---------------------------------------------------------------------------------------------

POLY = np.uint64(0x100000001B3)
MIX1 = np.uint64(0xBF58476D1CE4E5B9)
MIX2 = np.uint64(0x94D049BB133111EB)


def _mix64(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads every input bit over the 64 output bits (uint64 arithmetic wraps)."""
    values = values ^ (values >> np.uint64(30))
    values = values * MIX1
    values = values ^ (values >> np.uint64(27))
    values = values * MIX2
    return values ^ (values >> np.uint64(31))


def shingle_hashes(normalised: str, size: int = 5) -> np.ndarray:
    """Sorted unique 32-bit hashes of the text's character `size`-grams (one gram for a shorter text)."""
    if not normalised:
        return np.empty(0, dtype=np.uint32)
    codes = np.frombuffer(normalised.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    width = min(size, len(codes))
    count = len(codes) - width + 1
    acc = np.zeros(count, dtype=np.uint64)
    for offset in range(width):
        acc = acc * POLY + codes[offset:offset + count]
    return np.unique((_mix64(acc) >> np.uint64(32)).astype(np.uint32))


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """Multiply-shift parameters (odd a, any b) derived from BLAKE2b: identical on every machine and run."""
    a = np.empty(num_perm, dtype=np.uint64)
    b = np.empty(num_perm, dtype=np.uint64)
    for i in range(num_perm):
        digest = hashlib.blake2b(f"policywatch-minhash-{i}".encode(), digest_size=16).digest()
        a[i] = int.from_bytes(digest[:8], "little") | 1
        b[i] = int.from_bytes(digest[8:], "little")
    return a, b


def minhash(hashes: np.ndarray, num_perm: int = 128) -> np.ndarray:
    """The MinHash signature (uint32 × num_perm) of a shingle-hash set, computed in chunks."""
    a, b = _permutations(num_perm)
    low = np.full(num_perm, np.iinfo(np.uint64).max, dtype=np.uint64)
    for start in range(0, len(hashes), 4096):
        values = np.multiply.outer(hashes[start:start + 4096].astype(np.uint64), a)
        values += b
        np.minimum(low, values.min(axis=0), out=low)
    # h(x) = (a·x + b mod 2^64) >> 32; the shift is monotone, so it is applied to the minimum only
    return (low >> np.uint64(32)).astype(np.uint32)


def band_hashes(signature: np.ndarray, bands: int) -> list[int]:
    """One signed 64-bit hash per band of the signature (the LSH keys stored in SQLite)."""
    rows = signature.reshape(bands, -1).astype(np.uint64)
    acc = np.zeros(bands, dtype=np.uint64)
    for column in range(rows.shape[1]):
        acc = acc * POLY + rows[:, column]
    return _mix64(acc).view(np.int64).tolist()


def signature_from_bytes(blob: bytes) -> np.ndarray:
    """A stored signature back as an array."""
    return np.frombuffer(blob, dtype=np.uint32)


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity estimated from two MinHash signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


def estimated_containment(jaccard: float, size_a: int, size_b: int) -> float:
    """Share of the smaller set inside the larger, from an estimated Jaccard and the two set sizes."""
    if not size_a or not size_b:
        return 0.0
    common = jaccard * (size_a + size_b) / (1 + jaccard)
    return min(1.0, common / min(size_a, size_b))


def exact_similarity(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(Jaccard, containment of the smaller in the larger) of two shingle-hash sets."""
    if not len(a) or not len(b):
        return 0.0, 0.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common), common / min(len(a), len(b))


# ---------------------------------------------------------------------------------------------
# pages: the fields dedup reads, their view and their fingerprint
# ---------------------------------------------------------------------------------------------

DOC_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,16}(?:19|20)\d{2}\d{1,4}号")
GENRES = (
    ("interpretation", re.compile(r"解读|一图读懂|一图看懂|图解|答记者问|问答|图文")),
    ("list", re.compile(r"公示|名单|结果公告|评审结果")),
)
TITLE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
ORG_SPLIT = re.compile(r"[、,，\s]+")


@dataclass
class Page:
    """A stored document as dedup sees it (the record's fields that matter)."""

    url: str
    text: str
    source_kind: str | None = None
    source_id: str | None = None
    title: str | None = None
    policy_title: str | None = None
    issuer: str | None = None
    doc_number: str | None = None
    publish_date: str | None = None
    page_date: str | None = None
    first_seen: str | None = None
    original_url: str | None = None
    document_id: int | None = None

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> "Page":
        """A Page from a record or a documents row (unknown keys ignored)."""
        names = cls.__dataclass_fields__
        values = {k: record.get(k) for k in names if k in record and k != "document_id"}
        values["text"] = values.get("text") or ""
        values["document_id"] = record.get("document_id", record.get("id"))
        return cls(**values)

    @property
    def government(self) -> bool:
        """Whether the page is on a government source."""
        return self.source_kind == "government"


@dataclass
class PageView:
    """A page prepared for comparison: prepared text, shingle set and keys computed once."""

    page: Page
    prepared: str
    shingles: np.ndarray
    norm_hash: str
    doc_number: str | None
    url_key: str | None
    original_key: str | None
    _units: list[str] | None = None

    @property
    def units(self) -> list[str]:
        """Sentence units (computed on first use: only verification of a close candidate needs them)."""
        if self._units is None:
            self._units = sentence_units(self.prepared)
        return self._units


@dataclass
class Fingerprint:
    """What is stored per document to find its duplicates again without recomputing."""

    scheme: str
    norm_hash: str
    shingle_count: int
    signature: bytes
    bands: list[int]
    url_key: str | None
    original_key: str | None
    doc_number: str | None
    title_key: str | None


def own_doc_number(page: Page, prepared: str | None = None) -> str | None:
    """The page's own 发文字号, normalised: the record's, else one heading the text's first lines."""
    if page.doc_number:
        return normalise_line(page.doc_number) or None
    head = (prepared if prepared is not None else prepare_text(page.text[:400])).split("\n", 4)[:4]
    for line in head:
        found = DOC_NUMBER.match(strip_to_words(line))
        if found:
            return found.group(0)
    return None


def title_key(page: Page) -> str | None:
    """The normalised policy title (the 《X》 a 通知 印发s), else the page title."""
    title = page.policy_title or page.title
    return (normalise_line(title)[:120] or None) if title else None


def page_view(page: Page, config: DedupConfig | None = None) -> PageView:
    """A PageView of `page`."""
    config = config or DedupConfig()
    prepared = prepare_text(page.text)
    normalised = strip_to_words(prepared)
    rules = config.url_rules.get(page.source_id or "")
    return PageView(page=page, prepared=prepared, shingles=shingle_hashes(normalised, config.shingle_size),
                    norm_hash=text_hash(normalised), doc_number=own_doc_number(page, prepared),
                    url_key=url_match_key(page.url, rules), original_key=url_match_key(page.original_url))


def fingerprint_scheme(config: DedupConfig) -> str:
    """The recipe a fingerprint was made with (stored beside it)."""
    return f"{SCHEME}; k{config.shingle_size} p{config.num_perm} b{config.bands}"


def fingerprint(view: PageView | Page, config: DedupConfig | None = None) -> Fingerprint:
    """The page's stored keys: exact hash, MinHash and band hashes, URL keys, doc_number, title key."""
    config = config or DedupConfig()
    if isinstance(view, Page):
        view = page_view(view, config)
    signature = minhash(view.shingles, config.num_perm)
    # an empty text has no bands: its all-maximum signature would collide with every other empty page
    bands = band_hashes(signature, config.bands) if len(view.shingles) else []
    return Fingerprint(
        scheme=fingerprint_scheme(config), norm_hash=view.norm_hash, shingle_count=int(len(view.shingles)),
        signature=signature.tobytes(), bands=bands, url_key=view.url_key,
        original_key=view.original_key, doc_number=view.doc_number, title_key=title_key(view.page))


def genre(title: str | None) -> str:
    """'interpretation' (解读, 一图读懂…), 'list' (公示, 名单) or 'document', from a title."""
    work = normalise_line(title or "")
    for name, pattern in GENRES:
        if pattern.search(work):
            return name
    return "document"


def title_years(title: str | None) -> set[str]:
    """Years written in a title (2024年度, 2023—2025年)."""
    return set(TITLE_YEAR.findall(unicodedata.normalize("NFKC", title or "")))


def issuers(value: str | None) -> set[str]:
    """The issuing bodies of an `issuer` field, normalised."""
    return {normalise_line(part) for part in ORG_SPLIT.split(value or "") if normalise_line(part)}


# ---------------------------------------------------------------------------------------------
# aligned differences (shared by verification and revision summaries)
# ---------------------------------------------------------------------------------------------

DIGITS = re.compile(r"\d")
NUMBER_UNIT = "年月日万亿元%个家项件号人次天"
DATE_SPAN = re.compile(r"(?:(?:19|20)\d{2}年)?\d{1,2}月\d{1,2}日|(?:19|20)\d{2}年\d{1,2}月")
MIN_ANCHOR = 3  # shortest common run trusted to align two blocks
BLOCK_COVERAGE = 0.5  # share of a block's shorter side that must be common before substitutions count
MAX_SUBSTITUTION = 12  # a longer replaced span is text removed plus text added, not one value changed


@dataclass
class Change:
    """One replaced span of aligned text: `kind` is 'date', 'amount', 'number' or 'word'."""

    kind: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.old}→{self.new}"


@dataclass
class Differences:
    """How text B differs from text A once aligned (text normalised)."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)

    @property
    def number_changes(self) -> list[Change]:
        """Replaced dates, amounts and other numbers."""
        return [c for c in self.changed if c.kind != "word"]

    @property
    def word_changes(self) -> list[Change]:
        """Replaced short words (place and body names)."""
        return [c for c in self.changed if c.kind == "word"]


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """A replaced span widened to the whole value (3→4 inside 30万元: 30万元→40万元; a day: the whole date)."""
    while start > 0 and text[start - 1].isdigit():
        start -= 1
    while end < len(text) and text[end].isdigit():
        end += 1
    while end < len(text) and text[end - 1].isdigit() and text[end] in NUMBER_UNIT:
        end += 1
    while end < len(text) and text[end - 1] in "万亿" and text[end] == "元":
        end += 1
    for match in DATE_SPAN.finditer(text, max(0, start - 12), min(len(text), end + 12)):
        if match.start() < end and start < match.end():
            start, end = min(start, match.start()), max(end, match.end())
    return start, end


def _change_kind(old: str, new: str) -> str:
    both = old + new
    if "万" in both or "亿" in both or "元" in both:
        return "amount"
    if any(mark in both for mark in "年月日"):
        return "date"
    return "number"


def anchored_opcodes(old: str, new: str, anchor: int = MIN_ANCHOR) -> list[tuple[str, int, int, int, int]]:
    """difflib opcodes built only from common runs of at least `anchor` characters."""
    # Aligning unrelated strings character by character pairs chance single characters (的, 市, 2)
    # and reports them as tiny "replacements"; without those short matches, unrelated text is one
    # long replacement, and a real substitution (茂名→湛江, 30万→40万) sits between long anchors.
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    kept = [m for m in matcher.get_matching_blocks() if m.size >= anchor]
    ops: list[tuple[str, int, int, int, int]] = []
    i = j = 0
    for block in kept + [difflib.Match(len(old), len(new), 0)]:
        if block.a < i or block.b < j:
            continue
        if block.a > i or block.b > j:
            tag = "replace" if block.a > i and block.b > j else ("delete" if block.a > i else "insert")
            ops.append((tag, i, block.a, j, block.b))
        if block.size:
            ops.append(("equal", block.a, block.a + block.size, block.b, block.b + block.size))
        i, j = block.a + block.size, block.b + block.size
    return ops


def _block_changes(old: str, new: str, result: Differences) -> None:
    """Character-level differences of two aligned blocks, added to `result`."""
    # A block whose shorter side is mostly not found in the other (an aggregator's paraphrased lead
    # where the original has its preamble) is text removed plus text added: substitutions are only
    # read between texts that are mostly the same.
    if len(old) <= MAX_SUBSTITUTION + 4 and len(new) <= MAX_SUBSTITUTION + 4 \
            and DIGITS.search(old) and DIGITS.search(new):
        # a short unit that is a value in both texts (a date line, a 发文字号): the value changed
        result.changed.append(Change(_change_kind(old, new), old, new))
        return
    ops = anchored_opcodes(old, new)
    common = sum(i2 - i1 for tag, i1, i2, _, _ in ops if tag == "equal")
    if common < BLOCK_COVERAGE * min(len(old), len(new)):
        result.removed.append(old)
        result.added.append(new)
        return
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            continue
        a, b = old[i1:i2], new[j1:j2]
        if tag == "replace" and len(a) <= MAX_SUBSTITUTION and len(b) <= MAX_SUBSTITUTION:
            if DIGITS.search(a) and DIGITS.search(b):
                i1, i2 = _widen(old, i1, i2)
                j1, j2 = _widen(new, j1, j2)
                result.changed.append(Change(_change_kind(old[i1:i2], new[j1:j2]), old[i1:i2], new[j1:j2]))
                continue
            if not DIGITS.search(a + b):
                # one character for one is a variant form (OpenCC's 着/著), not another name
                if len(a) != len(b) or sum(x != y for x, y in zip(a, b)) > 1:
                    result.changed.append(Change("word", a, b))
                continue
        if len(a) >= 4:
            result.removed.append(a)
        if len(b) >= 4:
            result.added.append(b)


def text_differences(old_units: list[str], new_units: list[str]) -> Differences:
    """Added, removed and changed content between two texts' units (sentences or lines, normalised)."""
    # Identical units anchor the alignment; each run of differing units is compared character by
    # character as one block, so a repost that joins or splits paragraphs differs by nothing.
    result = Differences()
    matcher = difflib.SequenceMatcher(None, old_units, new_units, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        old, new = "".join(old_units[i1:i2]), "".join(new_units[j1:j2])
        if old and new:
            _block_changes(old, new, result)
        elif old:
            result.removed.extend(old_units[i1:i2])
        else:
            result.added.extend(new_units[j1:j2])
    return result


# ---------------------------------------------------------------------------------------------
# verification: is page B the same policy as page A?
# ---------------------------------------------------------------------------------------------

@dataclass
class Verdict:
    """The outcome of comparing two pages, with the evidence as data."""

    same: bool
    reason: str | None
    jaccard: float = 0.0
    containment: float = 0.0
    conflicts: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    linked: bool = False


def metadata_conflicts(a: Page, b: Page, doc_a: str | None, doc_b: str | None) -> list[str]:
    """Why two pages cannot be one policy, judged from their fields alone."""
    conflicts = []
    if doc_a and doc_b and doc_a != doc_b:
        conflicts.append(f"different doc_number {a.doc_number or doc_a} / {b.doc_number or doc_b}")
    genre_a, genre_b = genre(a.title), genre(b.title)
    if genre_a != genre_b:
        conflicts.append(f"different genre {genre_a} / {genre_b}")
    years_a, years_b = title_years(a.title), title_years(b.title)
    if years_a and years_b and not years_a & years_b:
        conflicts.append(f"titles name different years {'/'.join(sorted(years_a))} / {'/'.join(sorted(years_b))}")
    if a.government and b.government:
        orgs_a, orgs_b = issuers(a.issuer), issuers(b.issuer)
        if orgs_a and orgs_b and not orgs_a & orgs_b:
            conflicts.append(f"different issuers {a.issuer} / {b.issuer}")
    return conflicts


def text_conflicts(diff: Differences, config: DedupConfig) -> list[str]:
    """Why two similar texts are different documents: numbers or words replaced in aligned text."""
    conflicts = []
    numbers, words = diff.number_changes, diff.word_changes
    if len(numbers) > config.max_number_changes:
        shown = ", ".join(str(c) for c in numbers[:3])
        conflicts.append(f"{len(numbers)} changed numbers ({shown})")
    if len(words) > config.max_word_changes:
        shown = ", ".join(str(c) for c in words[:3])
        conflicts.append(f"{len(words)} changed words ({shown})")
    return conflicts


def conflicts_between(new: PageView, known: PageView, config: DedupConfig | None = None) -> list[str]:
    """Every conflict between two pages: fields first, then the aligned texts."""
    config = config or DedupConfig()
    conflicts = metadata_conflicts(new.page, known.page, new.doc_number, known.doc_number)
    return conflicts or text_conflicts(text_differences(known.units, new.units), config)


def _link(a: PageView, b: PageView) -> str | None:
    """Evidence that one page's 原文链接 names the other."""
    if a.original_key and a.original_key == b.url_key:
        return f"原文链接 points to {'a known government page' if b.page.government else 'a known page'}"
    if b.original_key and b.original_key == a.url_key:
        return "a repost's 原文链接 points to this page"
    return None


def _kind(view: PageView) -> str:
    return "gov original" if view.page.government else "aggregator copy"


def compare_pages(new: PageView, known: PageView, config: DedupConfig | None = None) -> Verdict:
    """Whether `new` carries the same policy as `known`, with the reason (or the conflicts) as data."""
    config = config or DedupConfig()
    smaller = min(len(new.shingles), len(known.shingles))
    if new.norm_hash == known.norm_hash and smaller >= config.min_shingles:
        return Verdict(True, "same content hash", 1.0, 1.0, evidence=["same content hash"])
    jaccard, containment = exact_similarity(new.shingles, known.shingles)
    evidence = []
    link = _link(new, known)
    if link:
        evidence.append(link)
    if new.doc_number and new.doc_number == known.doc_number:
        evidence.append(f"same doc_number {known.page.doc_number or new.page.doc_number or new.doc_number}")
    linked = bool(evidence)
    floor = config.linked_containment if linked else config.containment
    verdict = Verdict(False, None, round(jaccard, 3), round(containment, 3), [], evidence, linked)
    if containment < floor or (smaller < config.min_shingles and not linked):
        return verdict
    verdict.conflicts = conflicts_between(new, known, config)
    if verdict.conflicts:
        return verdict
    similarity = f"containment {containment:.2f} of {_kind(known)}"
    if jaccard < containment - 0.05:
        similarity += f" (jaccard {jaccard:.2f})"
    verdict.same = True
    verdict.reason = "; ".join(([link] if link else []) + [similarity] + [e for e in evidence if e != link])
    return verdict


# ---------------------------------------------------------------------------------------------
# the canonical page of a policy, and its id
# ---------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------
# revisions of one URL
# ---------------------------------------------------------------------------------------------

def revision_summary(old_text: str | None, new_text: str) -> dict[str, Any]:
    """A short diff of two versions of one page: paragraphs added/removed, changed dates/amounts, material or not."""
    new_prepared = prepare_text(new_text)
    new_lines = normalised_lines(new_prepared, prepared=True)
    if old_text is None:
        return {"previous_known": False, "paragraphs_added": len(new_lines), "paragraphs_removed": 0,
                "changed": [], "material": True}
    old_prepared = prepare_text(old_text)
    old_lines = normalised_lines(old_prepared, prepared=True)
    old_set, new_set = set(old_lines), set(new_lines)
    added = [line for line in new_lines if line not in old_set]
    removed = [line for line in old_lines if line not in new_set]
    diff = text_differences(sentence_units(old_prepared), sentence_units(new_prepared))
    substantive = [piece for piece in diff.added + diff.removed if len(piece) >= 10]
    return {
        "previous_known": True,
        "paragraphs_added": len(added), "paragraphs_removed": len(removed),
        "added_text": [piece[:60] for piece in diff.added[:3]],
        "removed_text": [piece[:60] for piece in diff.removed[:3]],
        "changed": [{"kind": c.kind, "old": c.old, "new": c.new} for c in diff.changed[:10]],
        "material": bool(diff.changed or substantive),
    }


def describe_revision(summary: Mapping[str, Any]) -> str:
    """One line for a revision summary: paragraphs +N -M; changed dates/amounts."""
    if not summary.get("previous_known", True):
        return "previous text not kept"
    parts = [f"paragraphs +{summary.get('paragraphs_added', 0)} -{summary.get('paragraphs_removed', 0)}"]
    changed = summary.get("changed") or []
    if changed:
        parts.append("changed " + ", ".join(f"{c['kind']} {c['old']}→{c['new']}" for c in changed[:4]))
    if not summary.get("material"):
        parts.append("not material")
    return "; ".join(parts)
