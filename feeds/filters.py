"""The filter language shared by feeds, the index page and email digests.

A filter says which policies someone wants. Written in YAML (config/feeds.yaml, subscriptions)
or as one line of `key=value` words (command line), for example:

    provinces: [湖南, 全国]          province=湖南,全国
    topics: [hitech-enterprise]      topic=hitech-enterprise
    doc_types: [申报指南, 若干措施]   type=申报指南,若干措施
    min_amount: 50                   min_amount=50        (万元, the largest offer)
    keywords: [认定]                 keyword=认定
    exclude: [公示, 名单]            exclude=公示,名单
    incentives_only: true            incentives
    open: true                       open=1  (or just: open)

Rules: values of one key are alternatives (any of them); different keys must all hold.
`open` keeps calls one can still apply to: policies with at least one deadline (申报截止) on or after the day
the filter is judged on (the run's Beijing date, see feeds/deadlines.py). A policy that states no deadline is
not an open call, so it does not pass; `open: false` (the default) does not restrict.
Region names may be short (湖南, 长沙, 广西) and are resolved to the official names the records
carry (湖南省, 长沙市, 广西壮族自治区); 全国 means national policies (level national).
Keywords and exclusions look at the title, the issuer, the document number and the start of the text.
Topics are the taxonomy's slugs or labels (hitech-enterprise or 高新技术企业).
Unknown keys, regions, topics and types are errors that name the value, never silently ignored.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, fields
from datetime import date
from typing import Any, Mapping

from core.record import DOC_TYPES, LEVELS, NATIONAL
from feeds.deadlines import is_open, judging_day
from pipelines.classify.divisions import division_index
from pipelines.classify.vocabulary import load_vocabulary
from storage.published import PolicyEntry

LIST_KEYS = {
    "provinces": ("province", "provinces"),
    "cities": ("city", "cities"),
    "levels": ("level", "levels"),
    "topics": ("topic", "topics"),
    "doc_types": ("type", "types", "doc_type", "doc_types"),
    "keywords": ("keyword", "keywords"),
    "exclude": ("exclude", "excludes", "exclude_keywords"),
}
ALIASES = {alias: key for key, names in LIST_KEYS.items() for alias in names}
ALIASES.update({"min_amount": "min_amount", "min": "min_amount", "min_amount_wan": "min_amount",
                "incentives_only": "incentives_only", "incentives": "incentives_only",
                "open": "open_only", "open_only": "open_only", "open_calls": "open_only"})
TRUE_WORDS = {"true", "yes", "1", "on", "是"}
FALSE_WORDS = {"false", "no", "0", "off", "否"}


class FilterError(ValueError):
    """A filter that cannot be understood; the message names the key and the value."""


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _as_list(value: Any, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (str, int, float)):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise FilterError(f"{key}: expected a list of names, got {type(value).__name__}")
    items = []
    for item in value:
        if not isinstance(item, (str, int, float)) or not str(item).strip():
            raise FilterError(f"{key}: empty or non-text value {item!r}")
        items.extend(part for part in re.split(r"[,，、]", _normal(str(item))) if part)
    return tuple(dict.fromkeys(items))


def _as_bool(value: Any, key: str) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise FilterError(f"{key}: expected true or false, got {value!r}")


def _as_amount(value: Any, key: str) -> float | None:
    if value is None or value == "":
        return None
    text = str(value).strip().removesuffix("万元").removesuffix("万")
    try:
        amount = float(text)
    except ValueError:
        raise FilterError(f"{key}: expected an amount in 万元 (50 or 50万元), got {value!r}") from None
    if not math.isfinite(amount):
        raise FilterError(f"{key}: expected a finite amount in 万元, got {value!r}")
    if amount < 0:
        raise FilterError(f"{key}: must not be negative, got {value!r}")
    return amount


def resolve_province(name: str) -> str:
    """The official province name for 湖南 / 湖南省 / 广西; 全国 stays 全国."""
    if name == NATIONAL:
        return name
    divisions = division_index()
    if divisions is None:
        return name
    found = {d.province for d in divisions.lookup(name) if d.tier == "province"}
    if len(found) != 1:
        raise FilterError(f"provinces: unknown province {name!r}")
    return found.pop()


def resolve_city(name: str) -> str:
    """The official city name for 长沙 / 长沙市 (a city that is also a province, 北京, counts as a city too)."""
    divisions = division_index()
    if divisions is None:
        return name
    candidates = divisions.lookup(name)
    found = {d.city or d.name for d in candidates if d.tier == "city" and not d.is_zone}
    found |= {d.name for d in candidates if d.tier == "province" and d.name.endswith("市")}
    if len(found) != 1:
        problem = "ambiguous" if found else "unknown"
        raise FilterError(f"cities: {problem} city {name!r}" + (f" ({', '.join(sorted(found))})" if found else ""))
    return found.pop()


def resolve_topic(name: str) -> str:
    """A topic slug for a slug or a label."""
    topics = load_vocabulary().topics
    for topic in topics:
        if name in (topic.slug, topic.label):
            return topic.slug
    raise FilterError(f"topics: unknown topic {name!r} (known: {', '.join(t.slug for t in topics)})")


def _checked(values: tuple[str, ...], allowed: tuple[str, ...], key: str) -> tuple[str, ...]:
    for value in values:
        if value not in allowed:
            raise FilterError(f"{key}: unknown value {value!r} (one of {', '.join(allowed)})")
    return values


def city_of(entry: PolicyEntry) -> str | None:
    """The city a `city` filter value matches: the policy's city (the prefecture a county-level city lies in: a
    温州 feed carries 乐清市's notices), or its province when that is a city (北京市)."""
    if entry.city and entry.city == entry.county:
        return prefecture_of(entry.city, entry.province)
    return entry.city or (entry.province if entry.province and entry.province.endswith("市") else None)


def prefecture_of(name: str, province: str | None) -> str:
    """The prefecture-level city a county-level city lies in (乐清市 → 温州市), else the name itself."""
    divisions = division_index()
    if divisions is None:
        return name
    found = {d.city for d in divisions.lookup(name)
             if d.tier == "county" and d.city and (province is None or d.province == province)}
    return found.pop() if len(found) == 1 else name


@dataclass(frozen=True)
class PolicyFilter:
    """Which policies a feed or a subscription wants. Empty fields do not restrict."""

    provinces: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    min_amount: float | None = None
    incentives_only: bool = False
    open_only: bool = False

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None,
                     defaults: Mapping[str, Any] | None = None) -> "PolicyFilter":
        """A filter from YAML/JSON data; names are resolved and checked. `defaults` hold the values
        of keys the data does not give (digests default to incentives_only: true)."""
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise FilterError(f"a filter must be a mapping of keys to values, got {type(data).__name__}")
        values: dict[str, Any] = dict(defaults or {})
        given: set[str] = set()
        for raw_key, value in data.items():
            key = ALIASES.get(str(raw_key).strip().lower())
            if key is None:
                raise FilterError(f"unknown filter key {raw_key!r} (known: {', '.join(sorted(set(ALIASES.values())))})")
            if key in LIST_KEYS:
                values[key] = (values.get(key, ()) if key in given else ()) + _as_list(value, key)
            elif key == "min_amount":
                values[key] = _as_amount(value, key)
            else:
                values[key] = _as_bool(value, key)
            given.add(key)
        return cls.build(**values)

    @classmethod
    def parse(cls, text: str, defaults: Mapping[str, Any] | None = None) -> "PolicyFilter":
        """A filter from one line: `province=湖南,全国 topic=talent min_amount=50 incentives open=1`.

        A key without `=` is a switch set to true (`incentives`, `open`)."""
        data: dict[str, Any] = {}
        for word in _normal(text).replace("；", " ").replace(";", " ").split():
            key, sep, value = word.partition("=")
            if not sep:
                key, value = key, "true"
            if not value:
                raise FilterError(f"{key}: no value after '='")
            canonical = ALIASES.get(key.lower())
            if canonical is None:
                raise FilterError(f"unknown filter key {key!r} in {text!r}")
            if canonical in LIST_KEYS:
                data[canonical] = list(data.get(canonical, [])) + [value]
            else:
                data[canonical] = value
        return cls.from_mapping(data, defaults)

    @classmethod
    def from_config(cls, value: Any, defaults: Mapping[str, Any] | None = None) -> "PolicyFilter":
        """A filter as config files write it: a mapping, or one line of key=value words."""
        if isinstance(value, str):
            return cls.parse(value, defaults)
        if value is None or isinstance(value, Mapping):
            return cls.from_mapping(value, defaults)
        raise FilterError(f"expected a mapping or one line of key=value words, got {type(value).__name__}")

    @classmethod
    def build(cls, **values: Any) -> "PolicyFilter":
        """A filter from keyword values (lists of names), resolving and checking each name."""
        def names(key: str) -> tuple[str, ...]:
            return _as_list(values.get(key), key)

        return cls(
            provinces=tuple(dict.fromkeys(resolve_province(n) for n in names("provinces"))),
            cities=tuple(dict.fromkeys(resolve_city(n) for n in names("cities"))),
            levels=_checked(names("levels"), LEVELS, "levels"),
            topics=tuple(dict.fromkeys(resolve_topic(n) for n in names("topics"))),
            doc_types=_checked(names("doc_types"), DOC_TYPES, "doc_types"),
            keywords=names("keywords"),
            exclude=names("exclude"),
            min_amount=_as_amount(values.get("min_amount"), "min_amount"),
            incentives_only=_as_bool(values.get("incentives_only", False), "incentives_only"),
            open_only=_as_bool(values.get("open_only", False), "open_only"),
        )

    def is_empty(self) -> bool:
        return self == PolicyFilter()

    def _region_matches(self, entry: PolicyEntry) -> bool:
        if not self.provinces and not self.cities:
            return True
        if entry.level == "national" and NATIONAL in self.provinces:
            return True
        if entry.province and entry.province in self.provinces:
            return True
        city = city_of(entry)
        return bool(city and city in self.cities)

    def matches(self, entry: PolicyEntry, today: date | None = None) -> bool:
        """Whether the policy passes every key of this filter; `open` is judged on `today` (the run's Beijing date;
        when not given, the day the enclosing run set with `feeds.deadlines.judged_on`, else today in Beijing)."""
        if self.incentives_only and not entry.has_incentive:
            return False
        if self.open_only and not is_open(entry.deadlines, today or judging_day()):
            return False
        if self.min_amount is not None and (entry.max_amount_wan or 0) < self.min_amount:
            return False
        if not self._region_matches(entry):
            return False
        if self.levels and entry.level not in self.levels:
            return False
        if self.topics and not set(self.topics) & set(entry.topics):
            return False
        if self.doc_types and entry.doc_type not in self.doc_types:
            return False
        if self.keywords or self.exclude:
            haystack = _normal(" ".join(filter(None, (entry.title, entry.issuer, entry.doc_number,
                                                         entry.text_head)))).lower()
            if self.keywords and not any(k.lower() in haystack for k in self.keywords):
                return False
            if any(k.lower() in haystack for k in self.exclude):
                return False
        return True

    def to_mapping(self) -> dict[str, Any]:
        """The filter as YAML/JSON data (only the keys that restrict); from_mapping reads it back."""
        data: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value not in ((), None, False):
                data[item.name] = list(value) if isinstance(value, tuple) else value
        return data

    def describe(self) -> str:
        """One line for people: 湖南省, 全国 · 高新技术企业 · ≥50万元 · 含 认定."""
        labels = {t.slug: t.label for t in load_vocabulary().topics}
        parts = []
        if self.provinces or self.cities:
            parts.append("、".join(self.provinces + self.cities))
        if self.levels:
            parts.append("、".join(self.levels))
        if self.topics:
            parts.append("、".join(labels.get(t, t) for t in self.topics))
        if self.doc_types:
            parts.append("、".join(self.doc_types))
        if self.incentives_only:
            parts.append("有资金支持")
        if self.open_only:
            parts.append("仍可申报")
        if self.min_amount is not None:
            parts.append(f"≥{self.min_amount:g}万元")
        if self.keywords:
            parts.append("含 " + "/".join(self.keywords))
        if self.exclude:
            parts.append("不含 " + "/".join(self.exclude))
        return " · ".join(parts) or "全部相关政策"
