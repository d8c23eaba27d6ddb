"""The sources file as the scheduler reads it: validated once, and snapshotted where the crawl children read
it (`<db>.sources.yaml`), so that an edit that does not validate cannot break crawls."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crawler.schedule.options import ScheduleOptions
from crawler.sources import Source, SourceConfigError, parse_sources
from storage.files import write_atomic


@dataclass
class LoadedConfig:
    """A sources file that validated: its enabled sources and the exact text they came from."""

    sources: list[Source]
    text: str


def load_config(options: ScheduleOptions) -> LoadedConfig:
    """Read and validate the sources file once (raises SourceConfigError)."""
    try:
        text = options.config.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceConfigError(f"{options.config}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceConfigError(f"{options.config}: cannot read: {exc}") from None
    sources = parse_sources(text, str(options.config), variables=options.variables)
    return LoadedConfig([s for s in sources if s.enabled], text)


def write_config_snapshot(options: ScheduleOptions, config: LoadedConfig) -> Path:
    """Write the validated sources text where crawl children read it (atomically: a child never reads half)."""
    write_atomic(options.config_snapshot, config.text.encode("utf-8"))
    return options.config_snapshot
