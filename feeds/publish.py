"""RSS 2.0 and Atom feeds of policies (feedgen), and `publish`: every feed, its deadline calendar and
index.html, written atomically.

One entry per policy, never per page: its id is the policy id as a URN, which stays put when
the canonical page changes. Standard feeds are derived from the data (all, incentives, one per
province, one per city with at least CITY_FEED_MIN policies, one per topic); more come from a feeds
file (config/feeds.yaml), each a PolicyFilter.

A publish run has one day: the Beijing date of its clock (`now`). Deadlines in entries and on the page are
shown with their state on that day (open, closing in N days, closed; feeds/deadlines.py) and the `open`
filter is judged on it, so the files say which day they speak of. Everything else comes from the data.

Output layout (OUT is the --out folder):

    OUT/index.html              the page: recent policies, filters, links to every feed
    OUT/feeds/<slug>.rss        RSS 2.0
    OUT/feeds/<slug>.atom       Atom 1.0
    OUT/feeds/<slug>.ics        iCalendar: the feed's application deadlines (feeds/calendar.py)

Standard slugs: all, incentives, national, province-<division code> (province-430000),
city-<division code> (city-440800), topic-<topic slug>.

A file is replaced with os.replace from a temporary file in the same folder, so a reader never
sees half a feed; files whose bytes did not change are left alone (their ETag and Last-Modified
stay the same), and feed files no longer produced are removed.
"""
from __future__ import annotations

import html
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urljoin

import yaml
from feedgen.feed import FeedGenerator
from sqlite_utils import Database

from feeds.calendar import CalendarRenderer, calendar_events
from feeds.deadlines import run_day, today_in_beijing
from feeds.filters import NATIONAL, FilterError, PolicyFilter, city_of
from feeds.page import FeedLink, display, environment, one_line, render_index, sanitised_fragment
from pipelines.classify.divisions import division_index
from pipelines.classify.vocabulary import load_vocabulary
from core.clock import BEIJING, parse_instant
from core.yamlfile import load_yaml, yaml_error_message
from storage.files import write_atomic
from storage.published import PolicyEntry, policy_entries

logger = logging.getLogger(__name__)

FEEDS_DIR = "feeds"
INDEX_FILE = "index.html"
FEED_SUFFIXES = (".rss", ".atom", ".ics")
CALENDAR_SUFFIX = ".ics"
DEFAULT_LIMIT = 100
DEFAULT_PAGE_ROWS = 500
DEFAULT_BASE_URL = "http://127.0.0.1:8000/"
POLICY_URN = "urn:policywatch:policy:"
FEED_URN = "urn:policywatch:feed:"
UPDATED_MARK = "【更新】"
TEMPORARY = re.compile(r"\..+\.tmp(?:-.*)?")   # write_atomic's .<name>.<random>.tmp (and .<name>.tmp-*)
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
RESERVED_SLUGS = ("all", "incentives", "national")
RESERVED_PREFIXES = ("province-", "city-", "topic-")
CITY_FEED_MIN = 3     # relevant policies a city needs for a feed of its own (fewer: its province's feed has them)
CONFIG_KEYS = ("id", "title", "description", "filter")
NO_DATE = datetime(2000, 1, 1, tzinfo=BEIJING)
FEED_AUTHOR = {"name": "policywatch"}
TEMP_MAX_AGE = 3600   # seconds: older temporary files are leftovers of a killed write


class FeedConfigError(ValueError):
    """A feeds file that cannot be used; the message names the file, the feed and the field."""


@dataclass(frozen=True)
class FeedSpec:
    """One feed to publish: its file name (slug), title, description and filter."""

    slug: str
    title: str
    description: str
    filter: PolicyFilter
    group: str = "standard"     # standard | province | city | topic | config


@dataclass
class PublishSummary:
    """What a publish run wrote."""

    feeds: int = 0
    entries: int = 0
    events: int = 0         # deadlines in the feeds' calendars
    policies: int = 0
    files_written: int = 0
    files_unchanged: int = 0
    files_removed: list[str] = field(default_factory=list)
    temporaries_removed: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# which feeds
# ---------------------------------------------------------------------------------------------

def province_slug(province: str) -> str | None:
    """`province-430000` for 湖南省 (its division code), `national` for 全国; None when unknown."""
    if province == NATIONAL:
        return "national"
    divisions = division_index()
    division = divisions.provinces.get(province) if divisions else None
    return f"province-{division.code}" if division else None


def city_slug(province: str, city: str) -> str | None:
    """`city-440800` for 广东省 湛江市 (its division code); None when the dataset has no such city."""
    divisions = division_index()
    found = [division for division in (divisions.lookup(city) if divisions else [])
             if division.tier == "city" and division.province == province and not division.is_zone]
    return f"city-{found[0].code}" if len(found) == 1 else None


def city_feeds(entries: list[PolicyEntry], province: str) -> list[FeedSpec]:
    """One feed per city of `province` with at least CITY_FEED_MIN of `entries`, in division-code order."""
    counts: dict[str, int] = {}
    for entry in entries:
        city = city_of(entry) if entry.province == province and entry.city else None  # 乐清市's files under 温州市
        if city:
            counts[city] = counts.get(city, 0) + 1
    specs = []
    for city, count in counts.items():
        if count < CITY_FEED_MIN:
            continue
        slug = city_slug(province, city)
        if slug is None:
            logger.warning("feeds: no division code for city %s of %s, no feed for it", city, province)
            continue
        specs.append(FeedSpec(slug, f"{city}政策", f"{province}{city}的高新区与高新技术企业政策",
                              PolicyFilter(cities=(city,)), "city"))
    return sorted(specs, key=lambda spec: spec.slug)


def standard_feeds(entries: Iterable[PolicyEntry]) -> list[FeedSpec]:
    """All relevant policies, incentives only, one feed per province present, each followed by its cities with
    at least CITY_FEED_MIN policies, one per topic present."""
    entries = list(entries)
    specs = [
        FeedSpec("all", "全部相关政策", "高新区与高新技术企业相关的全部政策", PolicyFilter()),
        FeedSpec("incentives", "资金支持政策", "有补助、奖励、资助等资金支持的政策",
                 PolicyFilter(incentives_only=True)),
    ]
    provinces = {entry.province for entry in entries if entry.province}
    if any(entry.level == "national" and not entry.province for entry in entries):
        provinces.add(NATIONAL)
    for province in sorted(provinces, key=lambda p: (p == NATIONAL, province_slug(p) or p)):
        slug = province_slug(province)
        if slug is None:
            logger.warning("feeds: no division code for province %s, no feed for it", province)
            continue
        specs.append(FeedSpec(slug, f"{province}政策", f"{province}的高新区与高新技术企业政策",
                              PolicyFilter(provinces=(province,)), "province"))
        specs.extend(city_feeds(entries, province))
    used = {slug for entry in entries for slug in entry.topics}
    for topic in load_vocabulary().topics:
        if topic.slug in used:
            specs.append(FeedSpec(f"topic-{topic.slug}", f"{topic.label}政策", f"主题：{topic.label}",
                                  PolicyFilter(topics=(topic.slug,)), "topic"))
    return specs


def _config_error(path: Path, where: str, message: str) -> FeedConfigError:
    return FeedConfigError(f"{path}: {where}: {message}")


def _config_feed(path: Path, index: int, item: Any, seen: set[str]) -> FeedSpec:
    where = f"feeds[{index}]"
    if not isinstance(item, dict):
        raise _config_error(path, where, f"expected a mapping with id, title and filter, got {type(item).__name__}")
    unknown = sorted(set(map(str, item)) - set(CONFIG_KEYS))
    if unknown:
        raise _config_error(path, where, f"unknown key {unknown[0]!r} (known: {', '.join(CONFIG_KEYS)})")
    slug = item.get("id")
    if not isinstance(slug, str) or not SLUG.match(slug):
        raise _config_error(path, f"{where}.id", f"expected lower-case letters, digits and '-', got {slug!r}")
    where = f"feed {slug!r}"
    if slug in RESERVED_SLUGS or slug.startswith(RESERVED_PREFIXES):
        raise _config_error(path, f"{where}.id", "reserved for a standard feed (all, incentives, national, "
                                                 "province-*, city-*, topic-*)")
    if slug in seen:
        raise _config_error(path, f"{where}.id", "defined twice")
    title = item.get("title")
    if not isinstance(title, str) or not one_line(title):
        raise _config_error(path, f"{where}.title", "a non-empty title is required")
    description = item.get("description") or ""
    if not isinstance(description, str):
        raise _config_error(path, f"{where}.description", "expected text")
    if "filter" not in item:
        raise _config_error(path, f"{where}.filter", "required (use {} for every relevant policy)")
    try:
        policy_filter = PolicyFilter.from_config(item["filter"])
    except FilterError as exc:
        raise _config_error(path, f"{where}.filter", str(exc)) from None
    seen.add(slug)
    return FeedSpec(slug, one_line(title), one_line(description) or policy_filter.describe(), policy_filter, "config")


def load_feed_config(path: str | Path) -> list[FeedSpec]:
    """The feeds of a feeds file (`feeds:` list of id, title, optional description, filter), validated."""
    path = Path(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FeedConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise FeedConfigError(f"{path}: not UTF-8 text") from None
    except yaml.YAMLError as exc:
        raise FeedConfigError(yaml_error_message(str(path), exc)) from None
    if data is None:
        return []
    if not isinstance(data, dict) or set(data) - {"feeds"}:
        raise FeedConfigError(f"{path}: expected one top-level key 'feeds' (a list)")
    items = data.get("feeds") or []
    if not isinstance(items, list):
        raise _config_error(path, "feeds", f"expected a list, got {type(items).__name__}")
    seen: set[str] = set()
    return [_config_feed(path, index, item, seen) for index, item in enumerate(items)]


def feed_order(entries: Iterable[PolicyEntry]) -> list[PolicyEntry]:
    """Entries as feeds list them: by the later of publish date and last material revision, newest first.

    A revised older policy comes back to the top (so the feed cap never hides its update); otherwise
    the order is `policy_entries`' (publish date, then first seen), undated policies last.
    """
    def key(entry: PolicyEntry) -> tuple[bool, datetime, tuple[str, str, str]]:
        dated = bool(entry.publish_date) or bool(_parse_time(entry.updated_at))
        return (dated, updated_at(entry) if dated else NO_DATE, entry.sort_key)
    return sorted(entries, key=key, reverse=True)


def select_entries(spec: FeedSpec, entries: list[PolicyEntry], limit: int, today: date) -> list[PolicyEntry]:
    """The first `limit` entries the feed's filter passes on `today` (`entries` in feed order, see `feed_order`)."""
    chosen = []
    for entry in entries:
        if spec.filter.matches(entry, today):
            chosen.append(entry)
            if len(chosen) >= limit:
                break
    return chosen


# ---------------------------------------------------------------------------------------------
# entries and feeds
# ---------------------------------------------------------------------------------------------

def _parse_time(value: str | None) -> datetime | None:
    parsed = parse_instant(value)
    return parsed.astimezone(BEIJING) if parsed else None


def published_at(entry: PolicyEntry) -> datetime:
    """The publish date at midnight Beijing time (+08:00); first seen when there is no date."""
    if entry.publish_date:
        try:
            day = date.fromisoformat(entry.publish_date)
            return datetime(day.year, day.month, day.day, tzinfo=BEIJING)
        except ValueError:
            pass
    return _parse_time(entry.first_seen) or NO_DATE


def updated_at(entry: PolicyEntry) -> datetime:
    """When the policy was last materially revised, else its publish time (from data, never "now")."""
    revised = _parse_time(entry.updated_at)
    return max(revised, published_at(entry)) if revised else published_at(entry)


def entry_title(entry: PolicyEntry) -> str:
    """The entry title: the policy title on one line, 【更新】 first when it was revised."""
    title = one_line(entry.title) or entry.policy_id
    return f"{UPDATED_MARK}{title}" if entry.updated_at else title


def entry_summary(shown: dict[str, Any]) -> str:
    """One plain-text paragraph: issuer · date · region · type · amount · deadlines with their state, then the
    excerpt."""
    deadlines = "、".join(state.text for state in shown["deadline_states"])
    facts = [shown["issuer"], shown["date"], shown["region_text"], shown["doc_type"],
             f"最高{shown['amount']}" if shown["amount"] else "",
             f"截止 {deadlines}" if deadlines else ""]
    line = " · ".join(fact for fact in facts if fact)
    return "\n".join(part for part in (line, shown["excerpt"]) if part)


class EntryRenderer:
    """Entry content rendered once per policy and reused by every feed that carries it; deadlines are shown
    with their state on `today` (the run's Beijing date)."""

    def __init__(self, today: date) -> None:
        self.today = today
        self._template = environment().get_template("feed_entry.html.j2")
        self._cache: dict[str, tuple[dict[str, Any], str, str]] = {}

    def render(self, entry: PolicyEntry) -> tuple[dict[str, Any], str, str]:
        """(display fields, plain summary, HTML content) of a policy."""
        if entry.policy_id not in self._cache:
            shown = display(entry, self.today)
            content = sanitised_fragment(self._template.render(e=shown))
            self._cache[entry.policy_id] = (shown, entry_summary(shown), content)
        return self._cache[entry.policy_id]


def entry_categories(shown: dict[str, Any]) -> list[dict[str, str]]:
    topics = [{"term": label, "scheme": "urn:policywatch:topic"} for label in shown["topic_labels"]]
    region = [{"term": shown["region_text"], "scheme": "urn:policywatch:region"}] if shown["region_text"] else []
    return topics + region


def feed_urls(base_url: str, slug: str) -> tuple[str, str, str]:
    """(RSS URL, Atom URL, index page URL) of a feed under `base_url`."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    return (urljoin(base, f"{FEEDS_DIR}/{slug}.rss"), urljoin(base, f"{FEEDS_DIR}/{slug}.atom"),
            urljoin(base, INDEX_FILE))


def calendar_url(base_url: str, slug: str) -> str:
    """The URL of a feed's deadline calendar under `base_url`."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    return urljoin(base, f"{FEEDS_DIR}/{slug}{CALENDAR_SUFFIX}")


def calendar_name(spec: FeedSpec) -> str:
    """The name calendar apps show for a feed's calendar: policywatch · 湖南省政策 · 申报截止."""
    return f"policywatch · {spec.title} · 申报截止"


def _feed_generator(spec: FeedSpec, entries: list[PolicyEntry], base_url: str, self_url: str,
                    fallback: datetime, rss: bool) -> FeedGenerator:
    page_url = feed_urls(base_url, spec.slug)[2]
    fg = FeedGenerator()
    fg.id(FEED_URN + spec.slug)
    fg.title(f"policywatch · {spec.title}")
    subtitle = spec.description or spec.filter.describe()
    fg.subtitle(html.escape(subtitle, quote=False) if rss else subtitle)   # RSS <description> is HTML
    fg.link(href=self_url, rel="self")       # self first: RSS <link> is the last link set
    fg.link(href=page_url, rel="alternate")
    fg.language("zh-CN")
    fg.generator("policywatch")
    fg.author(FEED_AUTHOR)     # RFC 4287: a feed needs an author unless every entry has one
    fg.updated(max((updated_at(entry) for entry in entries), default=fallback))
    return fg


def _add_entry(fg: FeedGenerator, entry: PolicyEntry, renderer: EntryRenderer, rss: bool) -> None:
    shown, summary, content = renderer.render(entry)
    if rss:
        # readers treat RSS <description> as HTML: escape the plain text once more, so markup in
        # crawled text (an issuer like <b onmouseover=…>) is shown, never run (Atom <summary> is type text)
        summary = html.escape(summary, quote=False)
    fe = fg.add_entry(order="append")
    fe.id(POLICY_URN + entry.policy_id)
    fe.guid(POLICY_URN + entry.policy_id, permalink=False)
    fe.title(entry_title(entry))
    if shown["link"]:
        fe.link(href=shown["link"], rel="alternate")
    fe.published(published_at(entry))
    fe.updated(updated_at(entry))
    if shown["issuer"]:
        fe.author({"name": shown["issuer"]})
    for category in entry_categories(shown):
        fe.category(**category)
    fe.summary(summary)
    fe.content(content, type="html")


def render_feed(spec: FeedSpec, entries: list[PolicyEntry], base_url: str = DEFAULT_BASE_URL,
                renderer: EntryRenderer | None = None, fallback: datetime = NO_DATE, *,
                today: date | None = None, self_url: str | None = None) -> tuple[bytes, bytes]:
    """(RSS 2.0 bytes, Atom bytes) of one feed over `entries` (already selected, in feed order).

    Deadlines are shown as of the renderer's day, or `today` when no renderer is given (one of them is needed).
    `self_url`: the address both documents are fetched from, when not the published files' (a feed by URL).
    """
    if renderer is None:
        if today is None:
            raise ValueError("render_feed: give the run's day (today) or an EntryRenderer made for it")
        renderer = EntryRenderer(today)
    rss_url, atom_url, _ = feed_urls(base_url, spec.slug)
    if self_url is not None:
        rss_url = atom_url = self_url
    rss = _feed_generator(spec, entries, base_url, rss_url, fallback, rss=True)
    atom = _feed_generator(spec, entries, base_url, atom_url, fallback, rss=False)
    for entry in entries:
        _add_entry(rss, entry, renderer, rss=True)
        _add_entry(atom, entry, renderer, rss=False)
    return rss.rss_str(pretty=True), atom.atom_str(pretty=True)


# ---------------------------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------------------------

def _write(path: Path, data: bytes, summary: PublishSummary) -> None:
    if write_atomic(path, data):
        summary.files_written += 1
    else:
        summary.files_unchanged += 1


def remove_stale_feeds(feeds_dir: Path, keep: set[str]) -> list[str]:
    """Delete feed files (.rss/.atom/.ics) in `feeds_dir` that this run did not produce; their names."""
    removed = []
    if feeds_dir.is_dir():
        for path in sorted(feeds_dir.iterdir()):
            if path.is_file() and path.suffix in FEED_SUFFIXES and path.name not in keep:
                path.unlink()
                removed.append(path.name)
    return removed


def remove_leftover_temporaries(folder: Path, max_age: float = TEMP_MAX_AGE) -> list[str]:
    """Delete temporary files of atomic writes (`.<name>.<random>.tmp`) in `folder` older than `max_age` seconds.

    A write killed between mkstemp and os.replace leaves one behind; a younger one may belong to a
    publish still running, so it is left alone. Returns the names removed.
    """
    removed = []
    if folder.is_dir():
        cutoff = time.time() - max_age
        for path in sorted(folder.iterdir()):
            if TEMPORARY.fullmatch(path.name) and path.is_file() and not path.is_symlink():
                try:
                    if path.stat().st_mtime < cutoff:
                        path.unlink()
                        removed.append(path.name)
                except FileNotFoundError:   # finished or removed meanwhile
                    continue
    return removed


def feed_specs(entries: list[PolicyEntry], config_path: str | Path | None) -> list[FeedSpec]:
    """Standard feeds for `entries` followed by those of the feeds file (if any)."""
    return standard_feeds(entries) + (load_feed_config(config_path) if config_path else [])


def publish(db: Database, out_dir: str | Path, *, base_url: str = DEFAULT_BASE_URL,
            config_path: str | Path | None = None, limit: int = DEFAULT_LIMIT,
            page_rows: int = DEFAULT_PAGE_ROWS, now: datetime | None = None) -> PublishSummary:
    """Write every feed (RSS + Atom + deadline calendar) and index.html into `out_dir`; only relevant policies.

    `now` is the run's clock (default: the time of the call); deadlines are judged on its Beijing date.
    The feeds file is read before anything is written, so a bad file changes nothing.
    """
    out = Path(out_dir)
    today = run_day(now) if now is not None else today_in_beijing()
    entries = policy_entries(db)
    specs = feed_specs(entries, config_path)
    in_feed_order = feed_order(entries)
    with_deadlines = [entry for entry in in_feed_order if entry.deadlines]
    fallback = max((updated_at(entry) for entry in entries), default=NO_DATE)
    renderer, calendars = EntryRenderer(today), CalendarRenderer()
    summary = PublishSummary(policies=len(entries))
    links, produced = [], set()
    for spec in specs:
        chosen = select_entries(spec, in_feed_order, limit, today)
        rss, atom = render_feed(spec, chosen, base_url, renderer, fallback)
        # the calendar is not capped by `limit`: an older policy's deadline still matters (see feeds/calendar.py)
        events = calendar_events((e for e in with_deadlines if spec.filter.matches(e, today)), today)
        ics = calendars.render(calendar_name(spec), spec.description or spec.filter.describe(), events,
                               page_url=feed_urls(base_url, spec.slug)[2], self_url=calendar_url(base_url, spec.slug))
        for suffix, data in ((".rss", rss), (".atom", atom), (CALENDAR_SUFFIX, ics)):
            _write(out / FEEDS_DIR / f"{spec.slug}{suffix}", data, summary)
            produced.add(f"{spec.slug}{suffix}")
        links.append(FeedLink(spec.slug, spec.title, spec.description, spec.group,
                              f"{FEEDS_DIR}/{spec.slug}.rss", f"{FEEDS_DIR}/{spec.slug}.atom", len(chosen),
                              f"{FEEDS_DIR}/{spec.slug}{CALENDAR_SUFFIX}", len(events)))
        summary.feeds += 1
        summary.entries += len(chosen)
        summary.events += len(events)
    _write(out / INDEX_FILE, render_index(entries[:page_rows], links, today=today).encode("utf-8"), summary)
    summary.files_removed = remove_stale_feeds(out / FEEDS_DIR, produced)
    summary.temporaries_removed = (remove_leftover_temporaries(out / FEEDS_DIR)
                                   + remove_leftover_temporaries(out))
    return summary
