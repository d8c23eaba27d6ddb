"""Load and validate ``sources.yaml``: every watched site is a data entry, not code.

A bad file fails loading with one ``SourceConfigError`` line naming the file, the
source id and the field, e.g.::

    config/sources.yaml: source 'hunan-kjt': field 'kind': must be one of government, aggregator (got 'gov')

A key written twice in one mapping is refused (``core.yamlfile``), and ``region`` names
real divisions: the province one of China's (湖南 or 湖南省, 广西, 北京市), the city, when the
division dataset knows it, one of that province; both are stored by their official names.

Strings may contain ``${name}`` placeholders filled from ``variables`` (the demo
uses ``${mirror}`` for the mirror server's base URL).
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from core.record import LEVELS, SOURCE_KINDS
from core.yamlfile import load_yaml, yaml_error_message
from crawler.discovery import ListHints
from pipelines.classify.divisions import Division, DivisionIndex, division_index

KINDS = SOURCE_KINDS
FAMILIES = ("trs", "hanweb", "ucap", "gkmlpt", "ilist", "meta-tags", "aggregator", "json-api", "gov.cn")
ENCODINGS = ("utf-8", "gbk", "gb2312", "gb18030", "big5")
HINT_FIELDS = ("list_item", "link", "date", "next_page", "content", "attachments")
SOURCE_FIELDS = {
    "id", "name", "kind", "region", "level", "start_urls", "allowed_domains", "schedule",
    "max_list_pages", "family", "encoding", "hints", "api", "enabled", "expected_cadence_days",
    "expected_every", "notes", "requires", "dedup",
}
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
DURATION_PATTERN = re.compile(r"^(\d+)\s*([smhd])$")
DURATION_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
DEFAULT_MAX_LIST_PAGES = 5
DEFAULT_SCHEDULE = {"interval": "6h", "jitter": "10m"}
PROVINCE_EXAMPLES = ("湖南省", "广东省", "广西壮族自治区", "北京市")  # named when a province is unknown


class SourceConfigError(ValueError):
    """A sources file that cannot be used; the message is one line naming file, source and field."""


@dataclass(frozen=True)
class Schedule:
    """When a source is crawled: a cron expression or a fixed interval, with jitter."""

    cron: str | None = None
    interval: timedelta | None = None
    jitter: timedelta = timedelta(0)


@dataclass(frozen=True)
class ApiSpec:
    """A list reached through a JSON API instead of HTML (e.g. MIIT's search API)."""

    url: str
    items_path: str
    title: str
    link: str
    date: str | None = None
    date_format: str | None = None  # "epoch_ms", "epoch_s" or None for text dates


@dataclass(frozen=True)
class Source:
    """One watched list (a column of a site), validated."""

    id: str
    name: str
    kind: str
    start_urls: tuple[str, ...]
    allowed_domains: tuple[str, ...]
    province: str | None = None
    city: str | None = None
    level: str | None = None
    schedule: Schedule = field(default_factory=Schedule)
    max_list_pages: int = DEFAULT_MAX_LIST_PAGES
    family: str | None = None
    encoding: str | None = None
    hints: ListHints = field(default_factory=ListHints)
    content_selector: str | None = None
    attachments_selector: str | None = None
    api: ApiSpec | None = None
    enabled: bool = True
    expected_cadence_days: int | None = None
    expected_every: timedelta | None = None  # a new document is expected at least this often (health)
    requires: tuple[str, ...] = ()
    notes: str | None = None
    dedup: dict[str, Any] | None = None  # per-source dedup rules, e.g. {"url": {"keep_params": ["id"]}}

    def to_config(self) -> dict[str, Any]:
        """The source as plain data (for storage and the `sources` table)."""
        return {
            "id": self.id, "name": self.name, "kind": self.kind, "province": self.province,
            "city": self.city, "level": self.level, "start_urls": list(self.start_urls),
            "allowed_domains": list(self.allowed_domains), "max_list_pages": self.max_list_pages,
            "family": self.family, "encoding": self.encoding, "enabled": self.enabled,
        }


class _Checker:
    """Builds one-line errors that name the file, the source and the field."""

    def __init__(self, path: str, source_id: str | None) -> None:
        self.path = path
        self.source_id = source_id

    def fail(self, fieldname: str, problem: str) -> SourceConfigError:
        where = f"source {self.source_id!r}" if self.source_id else "source"
        return SourceConfigError(f"{self.path}: {where}: field {fieldname!r}: {problem}")


def load_sources(path: str | Path, variables: dict[str, str] | None = None,
                 only: list[str] | tuple[str, ...] | None = None) -> list[Source]:
    """Read, substitute and validate a sources file; `only` keeps the named ids (unknown ids fail)."""
    path = Path(path)
    label = str(path)
    try:
        raw_text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceConfigError(f"{label}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceConfigError(f"{label}: cannot read: {exc}") from None
    return parse_sources(raw_text, label, variables=variables, only=only)


def parse_sources(raw_text: str, label: str, variables: dict[str, str] | None = None,
                  only: list[str] | tuple[str, ...] | None = None) -> list[Source]:
    """Validate the text of a sources file (see `load_sources`)."""
    try:
        data = load_yaml(raw_text)
    except yaml.YAMLError as exc:
        raise SourceConfigError(yaml_error_message(label, exc)) from None
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        raise SourceConfigError(f"{label}: expected a mapping with a 'sources' list")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise SourceConfigError(f"{label}: 'defaults' must be a mapping")
    sources: list[Source] = []
    seen: set[str] = set()
    for index, entry in enumerate(data["sources"]):
        if not isinstance(entry, dict):
            raise SourceConfigError(f"{label}: source #{index + 1}: expected a mapping")
        merged = {**defaults, **entry}
        if variables:
            merged = _substitute(merged, variables)
        source = _parse_source(merged, label, index)
        if source.id in seen:
            raise _Checker(label, source.id).fail("id", "duplicate id")
        seen.add(source.id)
        sources.append(source)
    if only:
        unknown = [sid for sid in only if sid not in seen]
        if unknown:
            raise SourceConfigError(f"{label}: unknown source id(s): {', '.join(unknown)}")
        sources = [s for s in sources if s.id in only]
    return sources


def _substitute(value: Any, variables: dict[str, str]) -> Any:
    if isinstance(value, str):
        return string.Template(value).safe_substitute(variables)
    if isinstance(value, list):
        return [_substitute(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, variables) for k, v in value.items()}
    return value


def _parse_source(entry: dict[str, Any], label: str, index: int) -> Source:
    raw_id = entry.get("id")
    check = _Checker(label, raw_id if isinstance(raw_id, str) else f"#{index + 1}")
    unknown = sorted(set(entry) - SOURCE_FIELDS)
    if unknown:
        raise check.fail(unknown[0], "unknown field (typo?)")
    if not isinstance(raw_id, str) or not ID_PATTERN.match(raw_id):
        raise check.fail("id", "required; lowercase letters, digits, '.', '_' or '-'")
    name = _required_text(entry, "name", check)
    kind = _choice(entry, "kind", KINDS, check, required=True)
    level = _choice(entry, "level", LEVELS, check, required=kind == "government")
    start_urls = _url_list(entry, "start_urls", check)
    allowed = _allowed_domains(entry, start_urls, check)
    province, city = _region(entry, check)
    hints_raw = _mapping(entry, "hints", check)
    for key in hints_raw:
        if key not in HINT_FIELDS:
            raise check.fail(f"hints.{key}", f"unknown hint; use {', '.join(HINT_FIELDS)}")
        if not isinstance(hints_raw[key], str) or not hints_raw[key].strip():
            raise check.fail(f"hints.{key}", "must be a CSS selector string")
    _check_selectors(hints_raw, check)
    api = _api(entry, check)
    if api is not None:
        _url_list({"api.url": [api.url]}, "api.url", check)
        _allowed_domains({"allowed_domains": list(allowed)}, (api.url,), check)
    dedup = _dedup(entry, check)
    encoding = entry.get("encoding")
    if encoding is not None and str(encoding).lower() not in ENCODINGS:
        raise check.fail("encoding", f"must be one of {', '.join(ENCODINGS)} (got {encoding!r})")
    return Source(
        id=raw_id,
        name=name,
        kind=kind,
        start_urls=start_urls,
        allowed_domains=allowed,
        province=province,
        city=city,
        level=level,
        schedule=_schedule(entry, check),
        max_list_pages=_positive_int(entry, "max_list_pages", check, DEFAULT_MAX_LIST_PAGES),
        family=_choice(entry, "family", FAMILIES, check, required=False),
        encoding=str(encoding).lower() if encoding else None,
        hints=ListHints(
            list_item=hints_raw.get("list_item"), link=hints_raw.get("link"),
            date=hints_raw.get("date"), next_page=hints_raw.get("next_page"),
        ),
        content_selector=hints_raw.get("content"),
        attachments_selector=hints_raw.get("attachments"),
        api=api,
        enabled=_bool(entry, "enabled", check, True),
        expected_cadence_days=_positive_int(entry, "expected_cadence_days", check, None),
        expected_every=_expected_every(entry, check),
        requires=tuple(_str_list(entry, "requires", check)),
        dedup=dedup,
        notes=entry.get("notes") if isinstance(entry.get("notes"), str) else None,
    )


def _required_text(entry: dict, name: str, check: _Checker) -> str:
    value = entry.get(name)
    if not isinstance(value, str) or not value.strip():
        raise check.fail(name, "required text")
    return value.strip()


def _choice(entry: dict, name: str, allowed: tuple[str, ...], check: _Checker, required: bool) -> str | None:
    value = entry.get(name)
    if value is None:
        if required:
            raise check.fail(name, f"required; one of {', '.join(allowed)}")
        return None
    if value not in allowed:
        raise check.fail(name, f"must be one of {', '.join(allowed)} (got {value!r})")
    return value


def _url_list(entry: dict, name: str, check: _Checker) -> tuple[str, ...]:
    urls = entry.get(name)
    if isinstance(urls, str):
        urls = [urls]
    if not isinstance(urls, list) or not urls:
        raise check.fail(name, "required; a list of http(s) URLs")
    for url in urls:
        parts = urlsplit(url) if isinstance(url, str) else None
        if not parts or parts.scheme not in ("http", "https") or not parts.hostname:
            raise check.fail(name, f"not an http(s) URL: {url!r}")
    return tuple(urls)


def _allowed_domains(entry: dict, start_urls: tuple[str, ...], check: _Checker) -> tuple[str, ...]:
    domains = entry.get("allowed_domains")
    if domains is None:
        return tuple(sorted({urlsplit(u).hostname for u in start_urls}))
    if not isinstance(domains, list) or not all(isinstance(d, str) and d for d in domains):
        raise check.fail("allowed_domains", "must be a list of host names")
    domains = [d.lower().strip() for d in domains]
    for url in start_urls:
        host = urlsplit(url).hostname or ""
        if not any(host == d or host.endswith("." + d) for d in domains):
            raise check.fail("allowed_domains", f"does not cover start URL host {host!r}")
    return tuple(domains)


def _region(entry: dict, check: _Checker) -> tuple[str | None, str | None]:
    """Province and city by their official names (湖南 -> 湖南省, 长沙 -> 长沙市), checked against the
    division dataset: a province must be one of China's, and a city the dataset knows must lie in it."""
    region = _mapping(entry, "region", check)
    for key, value in region.items():
        if key not in ("province", "city"):
            raise check.fail(f"region.{key}", "unknown; use province and city")
        if value is not None and not isinstance(value, str):
            raise check.fail(f"region.{key}", "must be text")
    province, city = region.get("province"), region.get("city")
    divisions = division_index() if province is not None or city is not None else None
    if divisions is None:  # no region, or the dataset is missing (logged by division_index): nothing to check
        return province, city
    if province is not None:
        province = _province_name(province, divisions, check)
    if city is not None:
        city = _city_name(city, province, divisions, check)
    return province, city


def _province_name(name: str, divisions: DivisionIndex, check: _Checker) -> str:
    """The official name of a province-level division written in full or short (广西, 北京市)."""
    named = _divisions_named(name, divisions)
    found = {d.province for d in named if d.tier == "province"}
    if len(found) == 1:
        return found.pop()
    problem = f"{name!r} is not a province of China (e.g. {', '.join(PROVINCE_EXAMPLES)})"
    cities = sorted({d.province for d in named if d.tier == "city"})
    if cities:
        problem += f"; {name!r} is a city of {', '.join(cities)}"
    raise check.fail("region.province", problem)


def _divisions_named(name: str, divisions: DivisionIndex) -> list[Division]:
    """Every division with this full name or short name (香港 is a city's name and a province's alias)."""
    name = name.strip()
    return divisions.by_name.get(name, []) + divisions.by_alias.get(name, [])


def _city_name(name: str, province: str | None, divisions: DivisionIndex, check: _Checker) -> str:
    """The official name of a city (or county-level city, or district) the dataset knows, which must lie in
    `province`; a name the dataset does not know is kept as written."""
    known = [d for d in _divisions_named(name, divisions) if d.tier in ("city", "county")]
    if not known:
        return name
    inside = [d for d in known if province is None or d.province == province]
    if not inside:
        elsewhere = ", ".join(sorted({d.province for d in known}))
        raise check.fail("region.city", f"{name!r} is not in {province} (it is in {elsewhere})")
    names = {d.name for d in inside if d.tier == "city"} or {d.name for d in inside}
    if len(names) != 1:
        raise check.fail("region.city", f"{name!r} may be any of {', '.join(sorted(names))}; give the full name")
    return names.pop()


def _mapping(entry: dict, name: str, check: _Checker) -> dict:
    value = entry.get(name) or {}
    if not isinstance(value, dict):
        raise check.fail(name, "must be a mapping")
    return value


def _str_list(entry: dict, name: str, check: _Checker) -> list[str]:
    value = entry.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise check.fail(name, "must be a list of text")
    return value


def _positive_int(entry: dict, name: str, check: _Checker, default: int | None) -> int | None:
    value = entry.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise check.fail(name, f"must be a whole number >= 1 (got {value!r})")
    return value


def _bool(entry: dict, name: str, check: _Checker, default: bool) -> bool:
    value = entry.get(name, default)
    if not isinstance(value, bool):
        raise check.fail(name, "must be true or false")
    return value


def parse_duration(text: Any) -> timedelta | None:
    """'90s', '10m', '6h', '1d' -> timedelta; None when the text is not a duration."""
    if isinstance(text, int) and not isinstance(text, bool) and text > 0:
        return timedelta(seconds=text)
    match = DURATION_PATTERN.match(str(text).strip()) if isinstance(text, str) else None
    if not match or int(match.group(1)) == 0:
        return None
    return timedelta(**{DURATION_UNITS[match.group(2)]: int(match.group(1))})


CRON_FIELDS = ("minute", "hour", "day", "month", "day_of_week")
# crontab numbers weekdays 0-7 from Sunday (0 and 7 are both Sunday); APScheduler numbers them 0-6
# from Monday. Numeric weekday fields are translated to names, which both read the same way.
CRONTAB_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
APS_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NUMERIC_WEEKDAY = re.compile(r"^(\*|\d+(?:-\d+)?)(?:/(\d+))?$")


def crontab_weekdays(field_text: str) -> str:
    """A crontab weekday field with its numbers as APScheduler names: '1-5' -> 'mon-fri', '0' and '7' ->
    'sun', '*/2' -> 'tue,thu,sat,sun'; names and '*' pass through. Raises ValueError on a bad number."""
    if not any(ch.isdigit() for ch in field_text):
        return field_text
    out: list[str] = []
    for item in field_text.split(","):
        match = NUMERIC_WEEKDAY.match(item)
        if not match:
            if any(ch.isdigit() for ch in item):
                raise ValueError(f"weekday {item!r}: use 0-7 (0 and 7 are Sunday), a range, a list or a step, "
                                 "or names (mon-fri)")
            out.append(item)
            continue
        span, step = match.group(1), int(match.group(2) or 1)
        first, _, last = ("0-7" if span == "*" else span).partition("-")
        low, high = int(first), int(last or first)
        if high > 7 or low > high or step < 1:
            raise ValueError(f"weekday {item!r}: values run 0-7 (0 and 7 are Sunday), low to high")
        days = {day % 7 for day in range(low, high + 1, step)}
        if span != "*" and not last and match.group(2):  # '1/2' in crontab means 1-7/2
            days = {day % 7 for day in range(low, 8, step)}
        out.append(_weekday_names(days))
    return ",".join(out)


def _weekday_names(days: set[int]) -> str:
    """Crontab weekday numbers (0 = Sunday) as APScheduler names, consecutive days joined as ranges."""
    order = sorted((day - 1) % 7 for day in days)  # APScheduler order: Monday first
    runs: list[list[int]] = []
    for day in order:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ",".join(APS_WEEKDAYS[r[0]] if len(r) == 1 else f"{APS_WEEKDAYS[r[0]]}-{APS_WEEKDAYS[r[-1]]}"
                    for r in runs)


def cron_trigger_fields(expression: str) -> dict[str, str]:
    """The CronTrigger keyword arguments of a 5-field crontab expression (weekdays read as crontab does)."""
    fields = dict(zip(CRON_FIELDS, expression.split()))
    if "day_of_week" in fields:
        fields["day_of_week"] = crontab_weekdays(fields["day_of_week"])
    return fields


def cron_problem(expression: str) -> str | None:
    """Why a 5-field cron expression cannot be scheduled, or None when it can."""
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger(**cron_trigger_fields(expression), timezone="Asia/Shanghai")
    except ValueError as exc:
        return str(exc)
    return None


def _expected_every(entry: dict, check: _Checker) -> timedelta | None:
    """The expected cadence: `expected_every: 30d` (any duration) or `expected_cadence_days: 30`."""
    days = _positive_int(entry, "expected_cadence_days", check, None)
    raw = entry.get("expected_every")
    if raw is None:
        return timedelta(days=days) if days else None
    if days is not None:
        raise check.fail("expected_every", "give expected_every or expected_cadence_days, not both")
    every = parse_duration(raw)
    if every is None:
        raise check.fail("expected_every", f"must look like 30d, 12h or 90m (got {raw!r})")
    return every


def _schedule(entry: dict, check: _Checker) -> Schedule:
    raw = entry.get("schedule", DEFAULT_SCHEDULE)
    if not isinstance(raw, dict):
        raise check.fail("schedule", "must be a mapping with cron or interval")
    unknown = set(raw) - {"cron", "interval", "jitter"}
    if unknown:
        raise check.fail(f"schedule.{sorted(unknown)[0]}", "unknown; use cron, interval, jitter")
    cron, interval = raw.get("cron"), raw.get("interval")
    if (cron is None) == (interval is None):
        raise check.fail("schedule", "give exactly one of cron or interval")
    if cron is not None:
        fields = str(cron).split()
        if len(fields) != 5:
            raise check.fail("schedule.cron", f"needs 5 fields (minute hour day month weekday), got {cron!r}")
        problem = cron_problem(str(cron))
        if problem:
            raise check.fail("schedule.cron", f"{problem} (in {cron!r})")
    parsed_interval = None
    if interval is not None:
        parsed_interval = parse_duration(interval)
        if parsed_interval is None:
            raise check.fail("schedule.interval", f"must look like 90s, 30m, 6h or 1d (got {interval!r})")
    jitter = parse_duration(raw["jitter"]) if raw.get("jitter") is not None else timedelta(0)
    if jitter is None:
        raise check.fail("schedule.jitter", f"must look like 30s or 10m (got {raw['jitter']!r})")
    return Schedule(cron=str(cron) if cron else None, interval=parsed_interval, jitter=jitter)


def _check_selectors(hints: dict[str, str], check: _Checker) -> None:
    from cssselect import GenericTranslator, SelectorError

    for key, selector in hints.items():
        try:
            GenericTranslator().css_to_xpath(selector)
        except SelectorError as exc:
            raise check.fail(f"hints.{key}", f"invalid CSS selector {selector!r}: {exc}") from None


def _api(entry: dict, check: _Checker) -> ApiSpec | None:
    raw = entry.get("api")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise check.fail("api", "must be a mapping")
    for key in ("url", "items_path", "title", "link"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise check.fail(f"api.{key}", "required text")
    date_format = raw.get("date_format")
    if date_format not in (None, "epoch_ms", "epoch_s"):
        raise check.fail("api.date_format", "must be epoch_ms, epoch_s or omitted")
    return ApiSpec(url=raw["url"], items_path=raw["items_path"], title=raw["title"], link=raw["link"],
                   date=raw.get("date"), date_format=date_format)


def _dedup(entry: dict, check: _Checker) -> dict[str, Any] | None:
    from pipelines.dedup.config import url_rules_from_mapping

    raw = _mapping(entry, "dedup", check)
    unknown = sorted(set(raw) - {"url"})
    if unknown:
        raise check.fail(f"dedup.{unknown[0]}", "unknown; use url")
    try:
        url_rules_from_mapping(raw.get("url"), "url")
    except ValueError as exc:
        raise check.fail("dedup." + str(exc).split(":")[0], str(exc).split(": ", 1)[-1]) from None
    return raw or None
