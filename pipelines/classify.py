"""Region, level, document type, topics, relevance and money for one record.

`classify_record(record, source_hint)` reads what extraction found (title, issuer,
doc_number, text, incentives…) and returns the classification fields of the
record (ARCHITECTURE.md): province, city, county, division_code, level, doc_type,
topics, relevance, relevance_reasons, is_relevant, has_incentive,
max_amount_wan, plus `classification_reasons`, one short explanation per field.

Every vocabulary, weight and threshold lives in YAML under
pipelines/data/vocab/ (see the comments there for each rule family). The
administrative divisions and the Traditional→Simplified table come from the
data files that jionlp ships; they are read directly, without importing jionlp
(which is slow to import and prints a banner on stdout).

Input fields may be missing or None: every rule works from whatever is there
and leaves a field None, with a reason, when it cannot tell.
"""
from __future__ import annotations

import bisect
import functools
import importlib.util
import logging
import math
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import yaml

from core.record import CLASSIFICATION_FIELDS, DOC_TYPES, LEVELS

logger = logging.getLogger(__name__)

VOCAB_DIR = Path(__file__).resolve().parent / "data" / "vocab"
OUTPUT_FIELDS = CLASSIFICATION_FIELDS
MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")
HAN = re.compile(r"[\u4e00-\u9fff]")
SENTENCE_END = re.compile(r"[。;!?\n]")
DOC_NUMBER_LINE = re.compile(r"^([\u4e00-\u9fff]{1,12})\s*[〔\[(【]\s*(?:19|20)\d{2}\s*[〕\])】]\s*第?\d{1,5}\s*[号號]$")
DOC_NUMBER_HEAD = re.compile(r"^\s*([\u4e00-\u9fff]{1,12})")
AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(万亿元|亿元|万元|元)")
CLAUSE_SPLIT = re.compile(r"[,、:]")


# ---------------------------------------------------------------------------
# Vocabulary: YAML files, validated once per process
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Topic:
    """One entry of the topic taxonomy."""

    slug: str
    label: str
    terms: tuple[str, ...]
    min_score: float
    title_weight: float
    heading_bonus: float
    distinct_term_bonus: float
    max_distinct_bonus: float
    heading_terms: tuple[str, ...] = ()


@dataclass
class Vocabulary:
    """Every rule's data, loaded from one vocabulary directory."""

    path: Path
    regions: dict[str, Any]
    text: dict[str, Any]
    doc_types: dict[str, Any]
    topics: tuple[Topic, ...]
    relevance: dict[str, Any]
    incentives: dict[str, Any]
    compiled: dict[str, Any] = field(default_factory=dict)


class _Check:
    """Raises ValueError naming the vocabulary file and the field at fault."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, field_name: str, problem: str) -> ValueError:
        return ValueError(f"{self.path}: {field_name}: {problem}")

    def mapping(self, data: Any, field_name: str) -> dict:
        if not isinstance(data, dict):
            raise self.fail(field_name, "must be a mapping")
        return data

    def strings(self, data: Any, field_name: str, allow_empty: bool = False) -> list[str]:
        if not isinstance(data, list) or (not data and not allow_empty):
            raise self.fail(field_name, "must be a non-empty list of strings")
        for i, item in enumerate(data):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"{field_name}[{i}]", "must be a non-empty string")
        return [item.strip() for item in data]

    def number(self, data: Any, field_name: str, low: float = 0.0, high: float | None = None) -> float:
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            raise self.fail(field_name, "must be a number")
        if data < low or (high is not None and data > high):
            raise self.fail(field_name, f"must be between {low} and {high if high is not None else 'any'}")
        return float(data)

    def patterns(self, data: Any, field_name: str) -> list[re.Pattern]:
        compiled = []
        for i, text in enumerate(self.strings(data, field_name)):
            try:
                compiled.append(re.compile(text))
            except re.error as exc:
                raise self.fail(f"{field_name}[{i}]", f"invalid regular expression {text!r}: {exc}") from None
        return compiled

    def pattern(self, data: Any, field_name: str) -> re.Pattern:
        if not isinstance(data, str) or not data:
            raise self.fail(field_name, "must be a regular expression string")
        try:
            return re.compile(data)
        except re.error as exc:
            raise self.fail(field_name, f"invalid regular expression {data!r}: {exc}") from None


def _read_yaml(path: Path) -> dict:
    if not path.is_file():
        raise ValueError(f"{path}: file: missing vocabulary file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: file: not valid YAML: {exc}") from None
    return _Check(path).mapping(data, "top level")


def _validate_regions(data: dict, check: _Check) -> dict[str, Any]:
    prefixes = check.mapping(data.get("doc_number_prefixes"), "doc_number_prefixes")
    for key, value in prefixes.items():
        if not isinstance(key, str) or not isinstance(value, str) or not value:
            raise check.fail(f"doc_number_prefixes.{key}", "must map a prefix to a place name or 'national'")
    aliases = check.mapping(data.get("zone_aliases"), "zone_aliases")
    for key, value in aliases.items():
        if not isinstance(key, str) or len(key) < 2 or not isinstance(value, str):
            raise check.fail(f"zone_aliases.{key}", "must map a zone name (2+ characters) to a place name")
    relative = check.mapping(data.get("relative_issuer_prefixes"), "relative_issuer_prefixes")
    for key, value in relative.items():
        if value not in ("provincial", "municipal", "county"):
            raise check.fail(f"relative_issuer_prefixes.{key}", "must be provincial, municipal or county")
    weights = check.mapping(data.get("weights"), "weights")
    for name in ("title", "doc_number", "signature", "hint", "body", "body_alias", "min_body_only"):
        check.number(weights.get(name), f"weights.{name}")
    return {
        "doc_number_prefixes": dict(prefixes),
        "zone_aliases": dict(aliases),
        "zone_words": check.strings(data.get("zone_words"), "zone_words"),
        "national_bodies": check.strings(data.get("national_bodies"), "national_bodies"),
        "national_pattern": check.pattern(data.get("national_pattern"), "national_pattern"),
        "relative_issuer_prefixes": dict(relative),
        "org_suffixes": check.strings(data.get("org_suffixes"), "org_suffixes"),
        "weights": {k: float(v) for k, v in weights.items()},
        "body_head_chars": int(check.number(data.get("body_head_chars"), "body_head_chars", 0)),
        "body_tail_chars": int(check.number(data.get("body_tail_chars"), "body_tail_chars", 0)),
    }


def _validate_text(data: dict, check: _Check) -> dict[str, Any]:
    trad = check.mapping(data.get("traditional"), "traditional")
    noise = check.mapping(data.get("noise"), "noise")
    return {
        "trad_min_chars": int(check.number(trad.get("min_chars"), "traditional.min_chars")),
        "trad_min_ratio": check.number(trad.get("min_ratio"), "traditional.min_ratio", 0, 1),
        "trad_keep": set(check.strings(trad.get("keep", []), "traditional.keep", allow_empty=True)),
        "noise_lines": check.patterns(noise.get("line_patterns"), "noise.line_patterns"),
        "cut_from": check.strings(noise.get("cut_from"), "noise.cut_from"),
    }


def _validate_doc_types(data: dict, check: _Check) -> dict[str, Any]:
    types = check.strings(data.get("types"), "types")
    if tuple(types) != DOC_TYPES:
        raise check.fail("types", f"must list exactly {', '.join(DOC_TYPES)} (the record's public values)")
    name_types = check.mapping(data.get("name_types"), "name_types")
    words: list[tuple[str, str]] = []
    for doc_type, terms in name_types.items():
        if doc_type not in DOC_TYPES:
            raise check.fail(f"name_types.{doc_type}", "unknown document type")
        words += [(term, doc_type) for term in check.strings(terms, f"name_types.{doc_type}")]
    markers = check.mapping(data.get("body_markers"), "body_markers")
    for doc_type, terms in markers.items():
        if doc_type not in DOC_TYPES:
            raise check.fail(f"body_markers.{doc_type}", "unknown document type")
        check.strings(terms, f"body_markers.{doc_type}")
    embedded = check.patterns(data.get("embedded_title"), "embedded_title")
    for i, pattern in enumerate(embedded):
        if "name" not in pattern.groupindex:
            raise check.fail(f"embedded_title[{i}]", "must have a (?P<name>…) group")
    return {
        "interpretation": check.strings(data.get("interpretation_title"), "interpretation_title"),
        "publicity": check.patterns(data.get("publicity_title"), "publicity_title"),
        # longest word first so 三年行动计划 wins over 计划
        "name_words": sorted(words, key=lambda item: -len(item[0])),
        "embedded": embedded,
        "direct_trailing": check.strings(data.get("direct_trailing"), "direct_trailing"),
        "notice_form": check.patterns(data.get("notice_form"), "notice_form"),
        "notice_words": check.strings(data.get("notice_words"), "notice_words"),
        "news_title": check.patterns(data.get("news_title"), "news_title"),
        "news_lede": check.patterns(data.get("news_lede"), "news_lede"),
        "news_lede_chars": int(check.number(data.get("news_lede_chars"), "news_lede_chars", 1)),
        "addressee_line": check.pattern(data.get("addressee_line"), "addressee_line"),
        "body_markers": {k: list(v) for k, v in markers.items()},
    }


def _validate_topics(data: dict, check: _Check) -> tuple[Topic, ...]:
    defaults = check.mapping(data.get("defaults", {}), "defaults")
    title_weight = check.number(defaults.get("title_weight", 2), "defaults.title_weight")
    min_score = check.number(defaults.get("min_score", 2), "defaults.min_score")
    bonuses = {name: check.number(defaults.get(name, 0), f"defaults.{name}")
               for name in ("heading_bonus", "distinct_term_bonus", "max_distinct_bonus")}
    entries = data.get("topics")
    if not isinstance(entries, list) or not entries:
        raise check.fail("topics", "must be a non-empty list")
    topics, seen = [], set()
    for i, entry in enumerate(entries):
        entry = check.mapping(entry, f"topics[{i}]")
        slug = entry.get("slug")
        if not isinstance(slug, str) or not re.fullmatch(r"[a-z][a-z0-9-]*", slug):
            raise check.fail(f"topics[{i}].slug", "must be lower-case letters, digits and dashes")
        if slug in seen:
            raise check.fail(f"topics[{i}].slug", f"duplicate slug {slug!r}")
        seen.add(slug)
        label = entry.get("label")
        if not isinstance(label, str) or not label.strip():
            raise check.fail(f"topics[{i}].label", "must be a non-empty string")
        topics.append(Topic(
            slug=slug, label=label.strip(),
            terms=tuple(check.strings(entry.get("terms"), f"topics[{i}].terms")),
            min_score=check.number(entry.get("min_score", min_score), f"topics[{i}].min_score"),
            title_weight=check.number(entry.get("title_weight", title_weight), f"topics[{i}].title_weight"),
            heading_terms=tuple(check.strings(entry.get("heading_terms", []), f"topics[{i}].heading_terms",
                                              allow_empty=True)),
            **bonuses,
        ))
    return tuple(topics)


def _validate_relevance(data: dict, check: _Check) -> dict[str, Any]:
    core = check.mapping(data.get("core_terms"), "core_terms")
    for term, weight in core.items():
        check.number(weight, f"core_terms.{term}", 0, 1)
    weights = check.mapping(data.get("weights"), "weights")
    for name in ("title_extra", "title_cap", "secondary_title", "body_cap", "body_scale", "incentive_for_subject",
                 "actor_zone_title"):
        check.number(weights.get(name), f"weights.{name}")
    if weights["body_scale"] <= 0:
        raise check.fail("weights.body_scale", "must be above 0")
    negative = check.mapping(data.get("negative_title"), "negative_title")
    listing = check.mapping(data.get("listing"), "listing")
    return {
        "threshold": check.number(data.get("threshold"), "threshold", 0, 1),
        "core": {str(k): float(v) for k, v in core.items()},
        "secondary": check.strings(data.get("secondary_terms"), "secondary_terms"),
        "blocked": check.strings(data.get("blocked_phrases", []), "blocked_phrases", allow_empty=True),
        "weights": {k: float(v) for k, v in weights.items()},
        "negative_factor": check.number(negative.get("factor"), "negative_title.factor", 0, 1),
        "negative_terms": check.strings(negative.get("terms"), "negative_title.terms"),
        "listing_factor": check.number(listing.get("factor"), "listing.factor", 0, 1),
        "listing_titles": check.patterns(listing.get("title_patterns"), "listing.title_patterns"),
        "listing_min_lines": int(check.number(listing.get("min_lines"), "listing.min_lines", 1)),
        "listing_min_share": check.number(listing.get("min_share"), "listing.min_share", 0, 1),
        "listing_max_line": int(check.number(listing.get("max_line_chars"), "listing.max_line_chars", 1)),
    }


def _validate_incentives(data: dict, check: _Check) -> dict[str, Any]:
    ignore = check.strings(data.get("ignore_doc_types", []), "ignore_doc_types", allow_empty=True)
    for i, doc_type in enumerate(ignore):
        if doc_type not in DOC_TYPES:
            raise check.fail(f"ignore_doc_types[{i}]", f"unknown document type {doc_type!r}")
    return {
        "ignore_doc_types": set(ignore),
        "offer_words": check.strings(data.get("offer_words"), "offer_words"),
        "exclude": check.patterns(data.get("exclude_patterns"), "exclude_patterns"),
    }


def _any_of(patterns: Iterable[str]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def _compile(vocab: Vocabulary) -> None:
    """Regular expressions built from several vocabulary entries."""
    text, regions, relevance = vocab.text, vocab.regions, vocab.relevance
    suffixes = "|".join(sorted(map(re.escape, regions["org_suffixes"]), key=len, reverse=True))
    org = rf"[\u4e00-\u9fff()]{{1,30}}?(?:{suffixes})"
    vocab.compiled.update({
        "noise_line": _any_of(p.pattern for p in text["noise_lines"]),
        "org_at_start": re.compile(rf"^(?:{org})(?:[ 、和与及]+(?:{org}))*"),
        "org_line": re.compile(rf"^(?:{org})(?:[ 、]+(?:{org}))*$"),
        "zone_after_place": re.compile(
            r"^(?:国家)?[\u4e00-\u9fff]{0,6}?(?:"
            + "|".join(sorted(map(re.escape, regions["zone_words"]), key=len, reverse=True)) + ")"),
        "zone_word": re.compile("|".join(sorted(map(re.escape, regions["zone_words"]), key=len, reverse=True))),
        "negative_title": re.compile("|".join(map(re.escape, relevance["negative_terms"]))),
        "offer": re.compile("|".join(map(re.escape, vocab.incentives["offer_words"]))),
        "exclude": _any_of(p.pattern for p in vocab.incentives["exclude"]),
    })
    topics_of: dict[str, list[str]] = {}
    for topic in vocab.topics:
        for term in topic.terms:
            topics_of.setdefault(term, []).append(topic.slug)
    vocab.compiled["topics_of"] = topics_of
    # one leftmost-longest pass: 科技型企业孵化器 is an incubator, not a 科技型企业
    vocab.compiled["topic_matcher"] = NameMatcher(topics_of)
    vocab.compiled["core_matcher"] = NameMatcher(list(relevance["core"]) + relevance["blocked"])


@functools.lru_cache(maxsize=8)
def _load_vocabulary(path: Path) -> Vocabulary:
    files = {name: path / f"{name}.yaml" for name in ("regions", "text", "doc_types", "topics", "relevance", "incentives")}
    raw = {name: _read_yaml(file) for name, file in files.items()}
    vocab = Vocabulary(
        path=path,
        regions=_validate_regions(raw["regions"], _Check(files["regions"])),
        text=_validate_text(raw["text"], _Check(files["text"])),
        doc_types=_validate_doc_types(raw["doc_types"], _Check(files["doc_types"])),
        topics=_validate_topics(raw["topics"], _Check(files["topics"])),
        relevance=_validate_relevance(raw["relevance"], _Check(files["relevance"])),
        incentives=_validate_incentives(raw["incentives"], _Check(files["incentives"])),
    )
    _compile(vocab)
    divisions = division_index()
    if divisions is not None:
        _check_places(vocab, divisions, _Check(files["regions"]))
    return vocab


def load_vocabulary(path: str | Path | None = None) -> Vocabulary:
    """The vocabulary in `path` (default $POLICYWATCH_VOCAB, else pipelines/data/vocab/), loaded once per process."""
    path = path or os.environ.get("POLICYWATCH_VOCAB")
    return _load_vocabulary(Path(path).resolve() if path else VOCAB_DIR)


# ---------------------------------------------------------------------------
# Data shipped by jionlp: administrative divisions, Traditional→Simplified table
# ---------------------------------------------------------------------------

def _jionlp_file(name: str) -> str | None:
    """Text of one of jionlp's dictionary files (plain or zipped), without importing jionlp."""
    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "dictionary"
    plain = folder / name
    if plain.is_file():
        return plain.read_text(encoding="utf-8")
    packed = plain.with_suffix(".zip")
    return read_zipped_text(packed, name) if packed.is_file() else None


def read_zipped_text(archive_path: Path, name: str) -> str:
    """One member of a zip as text, newlines read the way read_text reads them (the zipped copies use CRLF)."""
    with zipfile.ZipFile(archive_path) as archive:
        return archive.read(name).decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True)
class Division:
    """One province, city or county of the division dataset (or a development zone in it)."""

    name: str
    code: str
    tier: str                 # "province" | "city" | "county"
    province: str
    city: str | None = None   # None for a province and for counties under no city (仙桃市)
    is_zone: bool = False


class NameMatcher:
    """Leftmost-longest search for many literal names.

    A few hundred names compile to one regular expression (fastest in CPython);
    thousands (the division names, all of two or more characters) are looked up
    by their first two characters instead.
    """

    REGEX_LIMIT = 600

    def __init__(self, names: Iterable[str]) -> None:
        unique = sorted({n for n in names if n}, key=len, reverse=True)
        self.regex = None
        self.index: dict[str, list[str]] = {}
        if len(unique) <= self.REGEX_LIMIT or any(len(n) < 2 for n in unique):
            self.regex = re.compile("|".join(map(re.escape, unique))) if unique else None
            return
        for name in unique:
            self.index.setdefault(name[:2], []).append(name)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, name) of each match, scanning left to right without overlaps."""
        if self.regex is not None:
            return [(m.start(), m.end(), m.group()) for m in self.regex.finditer(text)]
        found, i, end = [], 0, len(text) - 1
        index = self.index
        while i < end:
            group = index.get(text[i:i + 2])
            if group:
                for name in group:
                    if text.startswith(name, i):
                        found.append((i, i + len(name), name))
                        i += len(name)
                        break
                else:
                    i += 1
            else:
                i += 1
        return found


@dataclass
class DivisionIndex:
    """Divisions by full name and alias, plus a matcher over all of them."""

    provinces: dict[str, Division]
    cities: dict[str, Division]
    by_name: dict[str, list[Division]]
    by_alias: dict[str, list[Division]]
    county_alias: dict[str, list[Division]] = field(default_factory=dict)

    def lookup(self, name: str) -> list[Division]:
        return self.by_name.get(name) or self.by_alias.get(name) or []

    def place(self, value: str) -> Division | None:
        """A unique division for a vocabulary value: "湛江市" or "吉林省/吉林市"."""
        if "/" in value:
            parent, child = value.split("/", 1)
            found = [d for d in self.by_name.get(child, []) if parent in (d.province, d.city)]
        else:
            found = [d for d in self.by_name.get(value, []) if not d.is_zone]
            if len({d.code for d in found}) > 1:
                return None
        return found[0] if found else None


ZONE_NAME = re.compile(r"开发区|高新区|园区")
PLACEHOLDER = re.compile(r"直辖|^市辖区$|^县$")


@functools.lru_cache(maxsize=1)
def division_index() -> DivisionIndex | None:
    """The division dataset shipped with jionlp (≈3,400 provinces, cities and counties), read once."""
    text = _jionlp_file("china_location.txt")
    if text is None:
        logger.warning("jionlp's division dataset is not installed; regions will stay unknown")
        return None
    rows = re.findall(r"\n(\t{0,2})([^\t\n]+)\t(\d{6})\t([^\n]*)", "\n" + text)
    provinces: dict[str, Division] = {}
    cities: dict[str, Division] = {}
    by_name: dict[str, list[Division]] = {}
    by_alias: dict[str, list[Division]] = {}
    county_alias: dict[str, list[Division]] = {}
    province = city = None
    for tabs, name, code, alias in rows:
        depth = len(tabs)
        if depth == 0:
            province, city = name, None
            division = Division(name, code, "province", name)
            provinces[name] = division
        elif depth == 1:
            city = None if PLACEHOLDER.search(name) else name
            if city is None:
                continue
            division = Division(name, code, "city", province, name)
            cities[name] = division
        else:
            if PLACEHOLDER.search(name) or len(name) < 3:
                continue  # 2-character county names (郊区, 高县) occur inside ordinary words
            division = Division(name, code, "county", province, city, is_zone=bool(ZONE_NAME.search(name)))
        by_name.setdefault(name, []).append(division)
        for short in alias.split("/"):
            if len(short) < 2 or short == name:
                continue
            if depth < 2:
                by_alias.setdefault(short, []).append(division)
            elif not division.is_zone and not ZONE_NAME.search(short):
                county_alias.setdefault(short, []).append(division)
    return DivisionIndex(provinces, cities, by_name, by_alias, county_alias)


def _check_places(vocab: Vocabulary, divisions: DivisionIndex, check: _Check) -> None:
    """Every place named in regions.yaml must exist in the division dataset."""
    resolved: dict[str, Division | None] = {}
    for key, value in vocab.regions["doc_number_prefixes"].items():
        if value == "national":
            resolved[f"prefix:{key}"] = None
            continue
        place = divisions.place(value)
        if place is None:
            raise check.fail(f"doc_number_prefixes.{key}", f"unknown or ambiguous place {value!r}")
        resolved[f"prefix:{key}"] = place
    zones: dict[str, Division] = {}
    for key, value in vocab.regions["zone_aliases"].items():
        place = divisions.place(value)
        if place is None:
            raise check.fail(f"zone_aliases.{key}", f"unknown or ambiguous place {value!r}")
        zones[key] = place
    names = list(divisions.by_name) + list(divisions.by_alias) + list(zones)
    vocab.compiled["places"] = resolved
    vocab.compiled["zone_aliases"] = zones
    vocab.compiled["matcher"] = NameMatcher(names)


@functools.lru_cache(maxsize=8)
def _tra2sim(keep: frozenset[str]) -> tuple[dict[int, str], re.Pattern | None]:
    """jionlp's Traditional→Simplified character table without `keep`, and a pattern finding its characters."""
    text = _jionlp_file("tra2sim_char.txt") or ""
    table: dict[int, str] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and len(parts[0]) == 1 and parts[1] and parts[0] != parts[1] and parts[0] not in keep:
            table[ord(parts[0])] = parts[1][0]
    chars = "".join(sorted(chr(k) for k in table))
    return table, (re.compile("[" + re.escape(chars) + "]") if chars else None)


# ---------------------------------------------------------------------------
# Text preparation
# ---------------------------------------------------------------------------

def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def to_simplified(text: str, vocab: Vocabulary) -> tuple[str, bool]:
    """NFKC-normalised text, converted to Simplified when it is plainly Traditional."""
    text = unicodedata.normalize("NFKC", text)
    table, traditional = _tra2sim(frozenset(vocab.text["trad_keep"]))
    if traditional is None:
        return text, False
    count = len(traditional.findall(text))
    if count < vocab.text["trad_min_chars"]:
        return text, False
    han = len(HAN.findall(text)) or 1
    if count / han < vocab.text["trad_min_ratio"]:
        return text, False
    return text.translate(table), True


def strip_noise(text: str, vocab: Vocabulary) -> str:
    """The text without reposting sites' sales lines and trailing sales blocks."""
    lines = []
    noise = vocab.compiled["noise_line"]
    for line in text.split("\n"):
        if any(marker in line for marker in vocab.text["cut_from"]):
            break
        line = line.strip()
        if line and not noise.search(line):
            lines.append(line)
    return "\n".join(lines)


@dataclass
class Doc:
    """The record's text fields, normalised once for every rule."""

    title: str
    policy_title: str
    issuer: str
    doc_number: str
    body: str
    traditional: bool
    _sentences: list[str] | None = None

    @property
    def sentences(self) -> list[str]:
        if self._sentences is None:
            self._sentences = [s.strip() for s in SENTENCE_END.split(self.body) if s.strip()]
        return self._sentences


def prepare(record: Mapping[str, Any], vocab: Vocabulary) -> Doc:
    """Normalise the record's title, issuer, doc number and text."""
    fields = {}
    converted = False
    for name in ("title", "policy_title", "issuer", "doc_number", "text"):
        value, was_traditional = to_simplified(_text(record.get(name)), vocab)
        fields[name] = value.strip()
        converted = converted or was_traditional
    title = fields["title"]
    body = strip_noise(fields["text"], vocab)
    # Reposts glue the title in front of the first line; it must not count twice.
    if title and body.startswith(title):
        body = body[len(title):].lstrip()
    return Doc(title=re.sub(r"\s+", " ", title), policy_title=fields["policy_title"], issuer=fields["issuer"],
               doc_number=fields["doc_number"], body=body, traditional=converted)


# ---------------------------------------------------------------------------
# Region and level
# ---------------------------------------------------------------------------

@dataclass
class Mention:
    """A place named somewhere in the record, with the divisions it may mean."""

    text: str
    start: int
    end: int
    candidates: tuple[Division, ...]
    zone: bool = False


@dataclass
class Region:
    """The resolved region and level, with the reason for each."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    division_code: str | None = None
    level: str | None = None
    reasons: dict[str, str] = field(default_factory=dict)


def find_places(text: str, vocab: Vocabulary, divisions: DivisionIndex) -> list[Mention]:
    """Every division (and zone alias) named in `text`."""
    mentions = []
    zone_aliases = vocab.compiled["zone_aliases"]
    zone_after = vocab.compiled["zone_after_place"]
    for start, end, name in vocab.compiled["matcher"].find(text):
        if name in zone_aliases:
            mentions.append(Mention(name, start, end, (zone_aliases[name],), zone=True))
            continue
        candidates = tuple(divisions.lookup(name))
        if not candidates:
            continue
        zone = any(d.is_zone for d in candidates) or bool(zone_after.match(text[end:end + 14]))
        if zone and any(d.tier != "province" for d in candidates):
            candidates = tuple(d for d in candidates if d.tier != "province")
        elif zone:
            zone = False  # 湖南省高新区 are the province's zones, not one zone
        if any(d.is_zone for d in candidates):
            # a zone listed in the dataset (长春高新技术产业开发区) lies in its city
            candidates = tuple(divisions.cities.get(d.city) or divisions.provinces[d.province] for d in candidates)
        mentions.append(Mention(name, start, end, candidates, zone=zone))
    return _zone_county_mentions(text, mentions, vocab, divisions)


ZONE_PHRASE_START = re.compile(r"[^\u4e00-\u9fff]")


def _zone_county_mentions(text: str, mentions: list[Mention], vocab: Vocabulary,
                          divisions: DivisionIndex) -> list[Mention]:
    """Add counties named by their short form right before a zone word (浏阳高新区 → 浏阳市)."""
    extra = []
    for match in vocab.compiled["zone_word"].finditer(text):
        zone_start = match.start()
        if any(m.zone and 0 <= zone_start - m.end <= 8 for m in mentions):
            continue
        phrase_start = max(0, zone_start - 8)
        for found in ZONE_PHRASE_START.finditer(text, phrase_start, zone_start):
            phrase_start = found.end()
        phrase = text[phrase_start:zone_start]
        for i in range(len(phrase) - 1):
            # the county's name must sit close to the zone word: 浏阳高新区, 醴陵陶瓷产业开发区
            name = next((phrase[i:i + n] for n in (4, 3, 2)
                         if phrase[i:i + n] in divisions.county_alias and len(phrase) - i - n <= 4), None)
            if name:
                start = phrase_start + i
                if not any(m.start <= start < m.end for m in mentions):
                    extra.append(Mention(name, start, start + len(name), tuple(divisions.county_alias[name]),
                                         zone=True))
                break
    return sorted(mentions + extra, key=lambda m: m.start) if extra else mentions


def _is_national(text: str, vocab: Vocabulary) -> str | None:
    """The national body `text` starts with, if any."""
    stripped = text.lstrip()
    for body in sorted(vocab.regions["national_bodies"], key=len, reverse=True):
        if stripped.startswith(body):
            return body
    match = vocab.regions["national_pattern"].match(stripped)
    return match.group(0) if match else None


def _relative_tier(text: str, vocab: Vocabulary) -> str | None:
    for prefix, tier in sorted(vocab.regions["relative_issuer_prefixes"].items(), key=lambda kv: -len(kv[0])):
        if text.startswith(prefix):
            return tier
    return None


def _is_zone_org(text: str, vocab: Vocabulary) -> bool:
    return any(word in text for word in vocab.regions["zone_words"])


def title_org(title: str, vocab: Vocabulary) -> str | None:
    """The organisation a title starts with (湖南省科学技术厅关于…, 市科技局召开…), if any."""
    match = vocab.compiled["org_at_start"].match(title)
    return match.group(0) if match else None


def signature_org(body: str, vocab: Vocabulary) -> str | None:
    """The first line of the body that is only an organisation's name (落款 or issuing line)."""
    org_line = vocab.compiled["org_line"]
    for line in body.split("\n")[:40]:
        line = line.strip()
        if 4 <= len(line) <= 60 and org_line.match(line):
            return line
    return None


def doc_number_place(doc_number: str, vocab: Vocabulary) -> tuple[str, Division | None] | None:
    """(prefix, place) named by a 发文字号's 机关代字; place None for a national number."""
    match = DOC_NUMBER_HEAD.match(doc_number)
    if not match:
        return None
    head = match.group(1)
    places = vocab.compiled["places"]
    for prefix in sorted(vocab.regions["doc_number_prefixes"], key=len, reverse=True):
        if head.startswith(prefix):
            return prefix, places[f"prefix:{prefix}"]
    return None


def body_doc_number(body: str) -> str:
    """A 发文字号 standing alone on one of the first lines of the body ('' if none)."""
    for line in body.split("\n")[:4]:
        if DOC_NUMBER_LINE.match(line.strip()):
            return line.strip()
    return ""


LEADING_YEAR = re.compile(r"^\s*(?:(?:19|20)\d{2}\s*年?度?)?\s*")


def _issuer_chain(issuer: str, mentions: list[Mention]) -> list[Mention]:
    """The places an issuer's name starts with (北京市 + 朝阳区 in 北京市朝阳区科技局)."""
    chain, position = [], 0
    for mention in mentions:
        if mention.start != position:
            break
        chain.append(mention)
        position = mention.end
    return chain


def _chain_candidates(chain: list[Mention]) -> list[Division]:
    """Divisions consistent with every place of an issuer chain, most specific first."""
    candidates = list(chain[-1].candidates)
    for outer in chain[:-1]:
        outer_names = {d.name for d in outer.candidates}
        narrowed = [d for d in candidates if d.province in outer_names or d.city in outer_names]
        candidates = narrowed or candidates
    rank = {"county": 0, "city": 1, "province": 2}
    return sorted(set(candidates), key=lambda d: (rank[d.tier], d.code))


def certain_division(mention: Mention) -> Division | None:
    """The division a mention surely names, or None when its candidates lie in different places."""
    candidates = mention.candidates
    if len(candidates) == 1:
        return candidates[0]
    if len({d.province for d in candidates}) != 1:
        return None  # 朝阳区: an ambiguous name is what the evidence must decide, not evidence itself
    # 吉林 is both 吉林省 and 吉林市, 北京市 both a province and its own city: the province is sure
    province = next((d for d in candidates if d.tier == "province"), None)
    if province is not None:
        return province
    return candidates[0] if len({d.city for d in candidates}) == 1 else None


class Evidence:
    """Weighted votes for provinces and cities from the title, doc number, hint, signature and body."""

    def __init__(self) -> None:
        self.province: dict[str, float] = {}
        self.city: dict[str, float] = {}
        self.notes: dict[str, list[str]] = {}
        self.strong: set[str] = set()   # provinces and cities named by a source other than the body

    def add(self, division: Division, weight: float, note: str, strong: bool) -> None:
        names = [division.province]
        self.province[division.province] = self.province.get(division.province, 0.0) + weight
        if division.city and division.tier != "province":
            self.city[division.city] = self.city.get(division.city, 0.0) + weight
            names.append(division.city)
        for name in names:
            self.notes.setdefault(name, []).append(note)
            if strong:
                self.strong.add(name)

    def add_mentions(self, mentions: list[Mention], weight: float, alias_weight: float, source: str,
                     strong: bool) -> None:
        for mention in mentions:
            division = certain_division(mention)
            if division is not None:
                full = mention.text == division.name or mention.zone
                self.add(division, weight if full else alias_weight, f"{source} {mention.text}", strong)

    @staticmethod
    def best(scores: dict[str, float], allowed: Iterable[str] | None = None) -> tuple[str | None, float]:
        """The top-scoring name (None on a tie) and its score."""
        allowed = set(allowed) if allowed is not None else None
        items = sorted(((k, v) for k, v in scores.items() if allowed is None or k in allowed), key=lambda kv: -kv[1])
        if not items:
            return None, 0.0
        if len(items) > 1 and items[1][1] == items[0][1]:
            return None, items[0][1]
        return items[0]

    def why(self, name: str | None) -> str:
        return ", ".join(dict.fromkeys(self.notes.get(name or "", [])))


def _tier_level(division: Division) -> str:
    if division.tier == "province" or (division.tier == "city" and division.name in MUNICIPALITIES):
        return "provincial"
    return "municipal" if division.tier == "city" else "county"


def _fill(region: Region, division: Division) -> None:
    """Province, city, county and code from one division."""
    region.province = division.province
    region.city = division.city if division.tier != "province" else None
    region.county = division.name if division.tier == "county" else None
    if region.province in MUNICIPALITIES and region.city is None:
        region.city = region.province  # the dataset lists each municipality as its own city
    region.division_code = division.code


def _collect_evidence(doc: Doc, hint: Mapping[str, Any], vocab: Vocabulary, divisions: DivisionIndex,
                      signature: str | None) -> Evidence:
    weights = vocab.regions["weights"]
    evidence = Evidence()
    evidence.add_mentions(find_places(doc.title, vocab, divisions), weights["title"], weights["title"],
                          "title", strong=True)
    number = doc.doc_number or body_doc_number(doc.body)
    prefix = doc_number_place(number, vocab) if number else None
    if prefix and prefix[1] is not None:
        evidence.add(prefix[1], weights["doc_number"], f"doc number {prefix[0]}", strong=True)
    if signature:
        evidence.add_mentions(find_places(signature, vocab, divisions), weights["signature"],
                              weights["signature"], "signed", strong=True)
    for key in ("city", "province"):
        place = divisions.place(_text(hint.get(key))) if hint.get(key) else None
        if place is not None:
            evidence.add(place, weights["hint"], f"source region {place.name}", strong=True)
            break
    head_chars, tail_chars = vocab.regions["body_head_chars"], vocab.regions["body_tail_chars"]
    body = doc.body
    window = body if len(body) <= head_chars + tail_chars else body[:head_chars] + "\n" + body[-tail_chars:]
    evidence.add_mentions(find_places(window, vocab, divisions), weights["body"], weights["body_alias"],
                          "body", strong=False)
    return evidence


def resolve_region(doc: Doc, hint: Mapping[str, Any], vocab: Vocabulary) -> Region:
    """Province, city, county, division code and level of a document."""
    region = Region()
    divisions = division_index()
    if divisions is None or "matcher" not in vocab.compiled:
        region.reasons["province"] = "division dataset unavailable"
        region.level = hint.get("level") if hint.get("level") in LEVELS else None
        return region
    issuer, issuer_source = doc.issuer, "issuer"
    if not issuer:
        issuer, issuer_source = title_org(doc.title, vocab) or _is_national(doc.title, vocab) or "", "title"
    signature = signature_org(doc.body, vocab)
    if not issuer and signature:
        issuer, issuer_source = signature, "signature"
    if _national_document(doc, issuer, vocab, region):
        return region
    # the title, doc number, hint and body are read only when the issuer does not settle the place
    gather = functools.partial(_collect_evidence, doc, hint, vocab, divisions,
                               signature if issuer_source != "signature" else None)
    weights = vocab.regions["weights"]
    mentions = find_places(issuer, vocab, divisions) if issuer else []
    chain = _issuer_chain(issuer, mentions)
    if not issuer:
        # no issuer anywhere: a title that opens with a place (朝阳区开展…, 茂名市举办…) names its actor
        actor = LEADING_YEAR.sub("", doc.title)
        chain = _issuer_chain(actor, find_places(actor, vocab, divisions))
        if chain:
            issuer, issuer_source = actor[:chain[-1].end], "title"
    if chain:
        _resolve_from_chain(region, issuer, issuer_source, chain, gather, vocab)
    else:
        tier = _relative_tier(issuer, vocab) if issuer else None
        if tier is None and issuer and _is_zone_org(issuer, vocab):
            tier = "zone"
        if tier is None and hint.get("level") in LEVELS and hint.get("level") != "national":
            tier = hint["level"]
            region.reasons["level"] = f"source level {tier}"
        _resolve_from_evidence(region, tier, issuer if tier else "", gather(), weights["min_body_only"], divisions)
    if region.level is None and hint.get("level") in LEVELS:
        region.level = hint["level"]
        region.reasons["level"] = f"source level {hint['level']}"
    if region.level is None:
        region.reasons["level"] = "no issuer, source level or place tells the level"
    return region


def _national_document(doc: Doc, issuer: str, vocab: Vocabulary, region: Region) -> bool:
    """Mark a central-government document (科技部, 国务院, 国家发展改革委…) and say why."""
    body = _is_national(issuer, vocab) if issuer else None
    why = f"issuer {issuer}" if body else ""
    if not body and not doc.issuer:
        number = doc.doc_number or body_doc_number(doc.body)
        prefix = doc_number_place(number, vocab) if number else None
        if prefix and prefix[1] is None:
            body, why = f"doc number prefix {prefix[0]}", f"doc number {number}"
    if not body:
        return False
    region.level = "national"
    for name in ("province", "city", "county", "division_code"):
        region.reasons[name] = f"national body ({why}): no region"
    region.reasons["level"] = f"national body {body}"
    return True


def _resolve_from_chain(region: Region, issuer: str, source: str, chain: list[Mention],
                        gather: Callable[[], Evidence], vocab: Vocabulary) -> None:
    """The issuer names its place: use it, and let the evidence settle an ambiguous name."""
    candidates = _chain_candidates(chain)
    zone = chain[-1].zone or _is_zone_org(issuer, vocab)
    chosen, note = candidates[0], f"{source} {issuer}"
    if len({d.code for d in candidates}) > 1 and all(d.tier == chosen.tier for d in candidates):
        evidence = gather()
        scored = sorted(((evidence.province.get(d.province, 0.0) + evidence.city.get(d.city or "", 0.0), d)
                         for d in candidates), key=lambda item: -item[0])
        if scored[0][0] == scored[1][0]:
            names = ", ".join(f"{d.province}{d.city or ''}{d.name}" for d in candidates)
            for name in ("province", "city", "county", "division_code"):
                region.reasons[name] = f"{note}: {chain[-1].text} may be {names}; nothing else tells"
            region.level = "zone" if zone else _tier_level(chosen)
            region.reasons["level"] = note
            return
        chosen = scored[0][1]
        context = evidence.why(chosen.city) or evidence.why(chosen.province)
        others = "; ".join(f"{d.province}{d.city or ''}" for _, d in scored[1:])
        note += f": {chain[-1].text} is ambiguous; context ({context}) points to " \
                f"{chosen.province}{chosen.city or ''}, not {others}"
    _fill(region, chosen)
    region.level = "zone" if zone else _tier_level(chosen)
    for name in ("province", "city", "division_code"):
        region.reasons[name] = note
    region.reasons["county"] = note if region.county else f"{note} (names no county)"
    region.reasons["level"] = f"{source} {issuer} is a {'development zone' if zone else region.level + ' body'}"


def _resolve_from_evidence(region: Region, tier: str | None, issuer: str, evidence: Evidence,
                           min_body_only: float, divisions: DivisionIndex) -> None:
    """No issuer names its place: vote with the title, doc number, source hint, signature and body."""
    province, score = evidence.best(evidence.province)
    weak = province is not None and province not in evidence.strong and score < min_body_only
    if province is None or weak:
        why = f"evidence too weak ({evidence.why(province)})" if weak else \
            "no place named in issuer, title, doc number, source or opening lines"
        for name in ("province", "city", "county", "division_code"):
            region.reasons[name] = why
    else:
        city = None
        if tier != "provincial":
            in_province = {c for c, d in divisions.cities.items() if d.province == province}
            named = in_province & evidence.strong
            # a province named by the title, doc number or hint is not narrowed by body mentions
            pool = named or (set() if province in evidence.strong else in_province)
            city, city_score = evidence.best(evidence.city, pool)
            if city and city not in evidence.strong and city_score < min_body_only:
                city = None
        division = divisions.cities[city] if city else divisions.provinces[province]
        _fill(region, division)
        region.reasons["province"] = evidence.why(province)
        region.reasons["city"] = evidence.why(city) if city else (
            "province-level document" if tier == "provincial" or province in MUNICIPALITIES else "no city named")
        region.reasons["county"] = "no county named by an issuer"
        region.reasons["division_code"] = f"code of {division.name}"
        if not tier:
            region.level = _tier_level(division)
            region.reasons["level"] = f"most specific place named: {division.name}"
    if tier:
        region.level = tier
        if issuer:
            region.reasons["level"] = f"issuer {issuer} ({tier})"


# ---------------------------------------------------------------------------
# Document type
# ---------------------------------------------------------------------------

YEARS_TAIL = re.compile(r"\s*[(\[【]?\s*(?:19|20)\d{2}\s*(?:年)?\s*(?:[-—–~至]\s*(?:19|20)?\d{2,4}\s*年?)?\s*[)\]】]?\s*$")
SEGMENT_SPLIT = re.compile(r"[,!?:;()\[\]《》【】\s·|]+")


def type_of_name(name: str, vocab: Vocabulary) -> tuple[str, str] | None:
    """(type, word) of a policy's own name by the type word it ends with: …三年行动计划 → 行动计划."""
    name = YEARS_TAIL.sub("", name.strip()).strip()
    for word, doc_type in vocab.doc_types["name_words"]:
        if name.endswith(word):
            return doc_type, word
    return None


def _title_type_words(title: str, vocab: Vocabulary) -> list[tuple[int, str, str]]:
    """(end position, word, type) of each type word that closes a title segment."""
    trailing = vocab.doc_types["direct_trailing"]
    words = vocab.doc_types["name_words"]
    found: list[tuple[int, str, str]] = []
    offset = 0
    for segment in SEGMENT_SPLIT.split(title):
        position = title.find(segment, offset) if segment else offset
        offset = position + len(segment)
        taken: list[tuple[int, int]] = []
        for word, doc_type in words:
            start = segment.find(word)
            while start >= 0:
                end = start + len(word)
                if not any(s <= start < e or s < end <= e for s, e in taken) and \
                        _only_types_follow(segment[end:], words, trailing):
                    taken.append((start, end))
                    found.append((position + end, word, doc_type))
                start = segment.find(word, start + 1)
    return sorted(found)


def _only_types_follow(rest: str, words: list[tuple[str, str]], trailing: list[str]) -> bool:
    """Whether `rest` is made only of type words and allowed trailing words (…行动计划|申报指南)."""
    allowed = [w for w, _ in words] + trailing
    while rest:
        for word in allowed:
            if rest.startswith(word):
                rest = rest[len(word):]
                break
        else:
            return False
    return True


def _body_support(body: str, doc_type: str, vocab: Vocabulary) -> int:
    return sum(min(body.count(marker), 3) for marker in vocab.doc_types["body_markers"].get(doc_type, ()))


def _news_body(body: str, vocab: Vocabulary) -> str | None:
    """The lede cue of a body that reads like a news report (no addressee line), if any."""
    rules = vocab.doc_types
    head = body[:600]
    if any(rules["addressee_line"].match(line.strip()) for line in head.split("\n")):
        return None
    if body_doc_number(body):
        return None
    lede = body[:rules["news_lede_chars"]]
    for pattern in rules["news_lede"]:
        match = pattern.search(lede)
        if match:
            return match.group(0)
    return None


def classify_doc_type(doc: Doc, vocab: Vocabulary) -> tuple[str, str]:
    """(doc_type, reason) by the ordered rules of doc_types.yaml."""
    rules = vocab.doc_types
    title = doc.title
    for word in rules["interpretation"]:
        if word in title:
            return "解读", f"title says {word}"
    for pattern in rules["publicity"]:
        match = pattern.search(title)
        if match:
            return "公示", f"title announces a list ({match.group(0)})"
    embedded = _embedded_type(doc, vocab)
    if embedded:
        return embedded
    notice_form = any(p.search(title) for p in rules["notice_form"])
    if not notice_form:
        for pattern in rules["news_title"]:
            match = pattern.search(title)
            if match:
                return "新闻", f"news title ({match.group(0)})"
        cue = _news_body(doc.body, vocab)
        if cue:
            return "新闻", f"body opens like a news report ({cue}) and has no addressee line"
    if notice_form:
        return "通知", "title is a notice (关于…的通知/公告)"
    direct = _direct_type(doc, vocab)
    if direct:
        return direct
    for word in rules["notice_words"]:
        if word in title:
            return "通知", f"title says {word}"
    return _body_type(doc, vocab)


def _embedded_type(doc: Doc, vocab: Vocabulary) -> tuple[str, str] | None:
    if doc.policy_title:
        found = type_of_name(doc.policy_title, vocab)
        if found:
            return found[0], f"policy title 《{doc.policy_title}》 is a {found[1]}"
    for pattern in vocab.doc_types["embedded"]:
        match = pattern.search(doc.title)
        if match:
            name = match.group("name")
            found = type_of_name(name, vocab)
            if found:
                return found[0], f"title issues 《{name}》, a {found[1]}"
            return "其他", f"title issues 《{name}》, whose type has no vocabulary entry"
    return None


def _direct_type(doc: Doc, vocab: Vocabulary) -> tuple[str, str] | None:
    words = _title_type_words(doc.title, vocab)
    types = list(dict.fromkeys(doc_type for _, _, doc_type in words))
    if not types:
        return None
    if len(types) == 1:
        return types[0], f"title ends in {words[-1][1]}"
    support = {doc_type: _body_support(doc.body, doc_type, vocab) for doc_type in types}
    best = max(support.values())
    if best == 0:
        return words[-1][2], f"title names {', '.join(types)}; the body supports none, last word wins"
    last = {doc_type: end for end, _, doc_type in words}
    chosen = max((t for t in types if support[t] == best), key=lambda t: last[t])
    detail = ", ".join(f"{t} {support[t]}" for t in types)
    return chosen, f"title names {', '.join(types)}; body markers decide ({detail})"


def _body_type(doc: Doc, vocab: Vocabulary) -> tuple[str, str]:
    for pattern in vocab.doc_types["embedded"]:
        match = pattern.search(doc.body[:800])
        if match:
            found = type_of_name(match.group("name"), vocab)
            if found:
                return found[0], f"body issues 《{match.group('name')}》, a {found[1]}"
    head = doc.body[:600].split("\n")
    if any(vocab.doc_types["addressee_line"].match(line.strip()) for line in head):
        return "通知", "body opens with an addressee line"
    return "其他", "no type word in the title and no document form in the body"


# ---------------------------------------------------------------------------
# Topics
# ---------------------------------------------------------------------------

class SentenceIndex:
    """Which sentence of a body a character offset falls in."""

    def __init__(self, body: str) -> None:
        self.body = body
        self.starts = [0] + [m.end() for m in SENTENCE_END.finditer(body)]

    def sentence_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1

    def texts(self) -> list[str]:
        starts = self.starts
        return [self.body[a:b] for a, b in zip(starts, starts[1:] + [len(self.body)])]


HEADING = re.compile(r"^[ \t]*(?:【([^】\n]{1,20})】|[一二三四五六七八九十]{1,3}、([^。,;:\n]{1,24})(?=。|\n|$)"
                     r"|\([一二三四五六七八九十]{1,3}\)([^。,;:\n]{1,24})(?=。|\n|$)"
                     r"|第[一二三四五六七八九十]{1,3}条[ \t]*([^。,;:\n]{1,24})。)", re.MULTILINE)


def headings(body: str) -> list[str]:
    """The short headings that open numbered items or 【】 blocks of a body."""
    return ["".join(part for part in match.groups() if part) for match in HEADING.finditer(body)]


def classify_topics(doc: Doc, index: SentenceIndex, vocab: Vocabulary,
                    heads: list[str] | None = None) -> tuple[list[str], str]:
    """Topic slugs whose score reaches their threshold, and the scores that decided."""
    matcher, topics_of = vocab.compiled["topic_matcher"], vocab.compiled["topics_of"]
    heads = headings(doc.body) if heads is None else heads
    title_terms: dict[str, set[str]] = {}
    for _, _, term in matcher.find(doc.title):
        for slug in topics_of[term]:
            title_terms.setdefault(slug, set()).add(term)
    sentences: dict[str, set[int]] = {}
    distinct: dict[str, set[str]] = {}
    for start, _, term in matcher.find(doc.body):
        for slug in topics_of[term]:
            sentences.setdefault(slug, set()).add(index.sentence_of(start))
            distinct.setdefault(slug, set()).add(term)
    head_hits: dict[str, int] = {}
    for head in heads:
        named = {slug for _, _, term in matcher.find(head) for slug in topics_of[term]}
        named |= {t.slug for t in vocab.topics if any(word in head for word in t.heading_terms)}
        for slug in named:
            head_hits[slug] = head_hits.get(slug, 0) + 1
    chosen, notes = [], []
    for topic in vocab.topics:
        slug = topic.slug
        in_title = sorted(title_terms.get(slug, ()))
        n_sentences, n_terms, n_heads = len(sentences.get(slug, ())), len(distinct.get(slug, ())), head_hits.get(slug, 0)
        bonus = min(topic.max_distinct_bonus, topic.distinct_term_bonus * max(0, n_terms - 1))
        score = topic.title_weight * len(in_title) + n_sentences + topic.heading_bonus * n_heads + bonus
        if score >= topic.min_score:
            chosen.append(slug)
            parts = [f"title {'/'.join(in_title)}"] if in_title else []
            parts.append(f"{n_sentences} sentences")
            if n_heads:
                parts.append(f"{n_heads} headings")
            if bonus:
                parts.append(f"{n_terms} distinct terms")
            notes.append(f"{slug} ({', '.join(parts)})")
    return chosen, "; ".join(notes) if notes else "no topic reaches its threshold"


# ---------------------------------------------------------------------------
# Money on offer
# ---------------------------------------------------------------------------

def amount_wan(number: str, unit: str) -> float | None:
    """An amount in 万元 (30万元 → 30, 1.5亿元 → 15000); None for 万亿元 figures (never an offer)."""
    value = float(number)
    if unit == "万元":
        return value
    if unit == "亿元":
        return value * 10000
    if unit == "元":
        return value / 10000
    return None


def offers_in_text(doc: Doc, vocab: Vocabulary) -> list[tuple[float, str]]:
    """(amount in 万元, sentence) for each amount the body plainly offers."""
    offer, exclude = vocab.compiled["offer"], vocab.compiled["exclude"]
    found = []
    for sentence in doc.sentences:
        if not AMOUNT.search(sentence) or not offer.search(sentence):
            continue
        for clause in CLAUSE_SPLIT.split(sentence):
            if exclude.search(clause):
                continue
            for number, unit in AMOUNT.findall(clause):
                value = amount_wan(number, unit)
                if value is not None and value > 0:
                    found.append((value, sentence))
    return found


def record_incentive_amounts(incentives: list[Any]) -> list[float]:
    """Every amount_wan / amount_max_wan of the record's incentives."""
    amounts = []
    for item in incentives:
        if not isinstance(item, Mapping):
            continue
        for key in ("amount_wan", "amount_max_wan"):
            value = item.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
                amounts.append(float(value))
    return amounts


def classify_incentive(record: Mapping[str, Any], doc: Doc, doc_type: str,
                       vocab: Vocabulary) -> tuple[bool, float | None, str, list[str]]:
    """(has_incentive, max_amount_wan, reason, sentences that offer money)."""
    incentives = record.get("incentives")
    incentives = [i for i in incentives if isinstance(i, Mapping)] if isinstance(incentives, list) else []
    if doc_type in vocab.incentives["ignore_doc_types"]:
        return False, None, f"a {doc_type} reports money already awarded; it offers none", []
    if incentives:
        amounts = record_incentive_amounts(incentives)
        texts = [" ".join(_text(i.get(k)) for k in ("beneficiary", "condition", "text")) for i in incentives]
        maximum = max(amounts) if amounts else None
        reason = f"{len(incentives)} incentives extracted" + (f", largest {maximum:g} 万元" if amounts else
                                                             ", none with an amount")
        return True, maximum, reason, texts
    offers = offers_in_text(doc, vocab)
    if not offers:
        return False, None, "no incentives extracted and no amount offered in the text", []
    maximum = max(value for value, _ in offers)
    sentence = next(s for value, s in offers if value == maximum)
    return True, maximum, f"read from the text (no incentives extracted): {_short(sentence)}", \
        [s for _, s in offers]


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


# ---------------------------------------------------------------------------
# Relevance
# ---------------------------------------------------------------------------

def is_listing(doc: Doc, vocab: Vocabulary) -> str | None:
    """Why the page is a list of links rather than a document, if it is."""
    rules = vocab.relevance
    for pattern in rules["listing_titles"]:
        match = pattern.search(doc.title)
        if match:
            return f"title marks a list page ({match.group(0).strip(' -_|')})"
    lines = [line for line in doc.body.split("\n") if line.strip()]
    if len(lines) < rules["listing_min_lines"]:
        return None
    dated = sum(1 for line in lines if len(line) <= rules["listing_max_line"]
                and re.search(r"(?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s*$", line))
    if dated / len(lines) >= rules["listing_min_share"]:
        return f"{dated} of {len(lines)} lines are dated links"
    return None


def actor_zone(title: str, vocab: Vocabulary) -> str:
    """The zone a title opens with as its speaker (郑州高新区管委会关于…, 长沙高新区2025年…), or ''."""
    org = title_org(title, vocab)
    if org:
        return org if _is_zone_org(org, vocab) else ""
    divisions = division_index()
    start = len(LEADING_YEAR.match(title).group(0))
    zone = vocab.compiled["zone_word"].search(title, start, start + 16)
    if zone is None or divisions is None or "matcher" not in vocab.compiled:
        return ""
    head = title[start:zone.start()]
    if not head:
        return ""
    places = find_places(head, vocab, divisions)
    speaker = places[0] if places and places[0].start == 0 else None
    # 湖南省高新区 are the province's zones: a province is never a zone's speaker
    if speaker and any(d.tier != "province" for d in speaker.candidates) and len(head) <= 10:
        return title[:zone.end()]
    return ""


def score_relevance(doc: Doc, index: SentenceIndex, offers: list[str], vocab: Vocabulary,
                    listing: str | None) -> tuple[float, list[str]]:
    """The relevance score and the rules that fired, with counts."""
    rules, weights = vocab.relevance, vocab.relevance["weights"]
    core, matcher = rules["core"], vocab.compiled["core_matcher"]
    reasons: list[str] = []
    actor = actor_zone(doc.title, vocab)
    title_terms = list(dict.fromkeys(term for start, _, term in matcher.find(doc.title)
                                     if term in core and start >= len(actor)))
    title = 0.0
    if title_terms:
        title = min(weights["title_cap"],
                    max(core[t] for t in title_terms) + weights["title_extra"] * (len(title_terms) - 1))
        reasons.append(f"title names {'/'.join(title_terms)} (+{title:.2f})")
    elif actor:
        title = weights["actor_zone_title"]
        reasons.append(f"title names only its speaker {actor} (+{title:.2f})")
    secondary = [t for t in rules["secondary"] if t in doc.title]
    if secondary:
        title += weights["secondary_title"]
        reasons.append(f"title names {'/'.join(secondary)} (+{weights['secondary_title']:.2f})")
    addressee = vocab.doc_types["addressee_line"]
    addressed = {i for i, text in enumerate(index.texts()) if addressee.match(text.strip())}
    sentences: set[int] = set()
    counts: dict[str, set[int]] = {}
    for start, _, term in matcher.find(doc.body):
        sentence = index.sentence_of(start)
        if term in core and sentence not in addressed:
            sentences.add(sentence)
            counts.setdefault(term, set()).add(sentence)
    body = weights["body_cap"] * (1 - math.exp(-len(sentences) / weights["body_scale"]))
    if sentences:
        top = ", ".join(f"{t}×{len(n)}" for t, n in sorted(counts.items(), key=lambda kv: -len(kv[1]))[:4])
        reasons.append(f"{len(sentences)} body sentences name the subject ({top}) (+{body:.2f})")
    incentive = 0.0
    linked = next((s for s in offers if any(term in core for _, _, term in matcher.find(s))), None)
    if linked:
        incentive = weights["incentive_for_subject"]
        reasons.append(f"money offered to the subject: {_short(linked, 40)} (+{incentive:.2f})")
    score = min(1.0, title + body + incentive)
    negative = vocab.compiled["negative_title"].search(doc.title)
    if negative:
        score *= rules["negative_factor"]
        reasons.append(f"title is off-topic ({negative.group(0)}) (×{rules['negative_factor']:g})")
    if listing:
        score *= rules["listing_factor"]
        reasons.append(f"{listing} (×{rules['listing_factor']:g})")
    if not reasons:
        reasons.append("no subject term in title or body")
    return round(score, 3), reasons


# ---------------------------------------------------------------------------
# The record
# ---------------------------------------------------------------------------

def _no_region(why: str) -> Region:
    return Region(reasons={name: why for name in ("province", "city", "county", "division_code", "level")})


def classify_record(record: Mapping[str, Any], source_hint: Mapping[str, Any] | None = None,
                    vocab: Vocabulary | None = None) -> dict[str, Any]:
    """The classification fields of one record (see the module docstring); never raises on odd input."""
    vocab = vocab or load_vocabulary()
    record = record if isinstance(record, Mapping) else {}
    hint = source_hint if isinstance(source_hint, Mapping) else {}
    doc = prepare(record, vocab)
    listing = is_listing(doc, vocab)
    region = resolve_region(doc, hint, vocab) if not listing else _no_region(f"not a document: {listing}")
    doc_type, type_reason = classify_doc_type(doc, vocab)
    index = SentenceIndex(doc.body)
    off_topic = vocab.compiled["negative_title"].search(doc.title)
    if listing:
        topics, topic_reason = [], f"not a document: {listing}"
    elif off_topic:
        topics, topic_reason = [], f"title is off-topic by nature ({off_topic.group(0)})"
    else:
        topics, topic_reason = classify_topics(doc, index, vocab)
    has_incentive, max_amount, money_reason, offers = classify_incentive(record, doc, doc_type, vocab)
    relevance, relevance_reasons = score_relevance(doc, index, offers, vocab, listing)
    threshold = vocab.relevance["threshold"]
    reasons = {name: region.reasons.get(name, "") for name in ("province", "city", "county", "division_code",
                                                                 "level")}
    if doc.traditional:
        reasons["text"] = "Traditional characters converted to Simplified"
    reasons.update({
        "doc_type": type_reason,
        "topics": topic_reason,
        "relevance": f"{relevance:.3f} {'≥' if relevance >= threshold else '<'} threshold {threshold:g}",
        "has_incentive": money_reason,
        "max_amount_wan": money_reason if max_amount is not None else "no amount",
    })
    return {
        "province": region.province,
        "city": region.city,
        "county": region.county,
        "division_code": region.division_code,
        "level": region.level,
        "doc_type": doc_type,
        "topics": topics,
        "relevance": relevance,
        "relevance_reasons": relevance_reasons,
        "is_relevant": relevance >= threshold,
        "has_incentive": has_incentive,
        "max_amount_wan": max_amount,
        "classification_reasons": reasons,
    }
