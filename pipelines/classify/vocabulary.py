"""The classification vocabularies: YAML files under pipelines/data/vocab/, validated once per process."""
from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from core.yamlfile import load_yaml
from core.record import DOC_TYPES
from pipelines.classify.divisions import Division, DivisionIndex, NameMatcher, division_index

VOCAB_DIR = Path(__file__).resolve().parent.parent / "data" / "vocab"


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
        data = load_yaml(path.read_text(encoding="utf-8"))
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
    for name in ("title", "doc_number", "signature", "hint", "body", "body_alias", "body_org", "body_cited_number",
                 "min_body_only", "body_self"):
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
    return {
        "trad_min_chars": int(check.number(trad.get("min_chars"), "traditional.min_chars")),
        "trad_min_ratio": check.number(trad.get("min_ratio"), "traditional.min_ratio", 0, 1),
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
                 "actor_zone_title", "lead", "lead_min_weight", "density_full"):
        check.number(weights.get(name), f"weights.{name}")
    check.number(weights.get("lead_chars"), "weights.lead_chars", 1)
    for name in ("body_scale", "density_full"):
        if weights[name] <= 0:
            raise check.fail(f"weights.{name}", "must be above 0")
    negative = check.mapping(data.get("negative_title"), "negative_title")
    listing = check.mapping(data.get("listing"), "listing")
    zone_subject = check.mapping(data.get("zone_as_subject"), "zone_as_subject")
    return {
        "threshold": check.number(data.get("threshold"), "threshold", 0, 1),
        "core": {str(k): float(v) for k, v in core.items()},
        "secondary": check.strings(data.get("secondary_terms"), "secondary_terms"),
        "place_terms": set(check.strings(data.get("place_terms", []), "place_terms", allow_empty=True)),
        "blocked": check.strings(data.get("blocked_phrases", []), "blocked_phrases", allow_empty=True),
        "weights": {k: float(v) for k, v in weights.items()},
        "negative_factor": check.number(negative.get("factor"), "negative_title.factor", 0, 1),
        "negative_terms": check.strings(negative.get("terms"), "negative_title.terms"),
        "opening_min_chars": int(check.number(negative.get("opening_min_chars"),
                                              "negative_title.opening_min_chars", 1)),
        "opening_max_chars": int(check.number(negative.get("opening_max_chars"),
                                              "negative_title.opening_max_chars", 1)),
        "zone_before": check.pattern(zone_subject.get("before"), "zone_as_subject.before"),
        "zone_after": check.pattern(zone_subject.get("after"), "zone_as_subject.after"),
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
    }


def _compile(vocab: Vocabulary) -> None:
    """Regular expressions built from several vocabulary entries."""
    regions, relevance = vocab.regions, vocab.relevance
    suffixes = "|".join(sorted(map(re.escape, regions["org_suffixes"]), key=len, reverse=True))
    org = rf"[\u4e00-\u9fff()]{{1,30}}?(?:{suffixes})"
    vocab.compiled.update({
        "org_at_start": re.compile(rf"^(?:{org})(?:[ 、和与及]+(?:{org}))*"),
        "org_line": re.compile(rf"^(?:{org})(?:[ 、]+(?:{org}))*$"),
        # what follows a place that names one of its bodies: 济南市|委办公厅, 北京市|科委, 福建省|科学技术厅
        "org_after_place": re.compile(rf"[\u4e00-\u9fff]{{0,6}}?(?:{suffixes})"),
        "zone_after_place": re.compile(
            r"^(?:国家)?[\u4e00-\u9fff]{0,6}?(?:"
            + "|".join(sorted(map(re.escape, regions["zone_words"]), key=len, reverse=True)) + ")"),
        "zone_word": re.compile("|".join(sorted(map(re.escape, regions["zone_words"]), key=len, reverse=True))),
        "negative_title": re.compile("|".join(map(re.escape, relevance["negative_terms"]))),
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
        check_places(vocab, divisions, _Check(files["regions"]))
    return vocab


def load_vocabulary(path: str | Path | None = None) -> Vocabulary:
    """The vocabulary in `path` (default $POLICYWATCH_VOCAB, else pipelines/data/vocab/), loaded once per process."""
    path = path or os.environ.get("POLICYWATCH_VOCAB")
    return _load_vocabulary(Path(path).resolve() if path else VOCAB_DIR)


def check_places(vocab: Vocabulary, divisions: DivisionIndex, check: _Check) -> None:
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
