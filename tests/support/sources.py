"""Sources files for tests: the demo sources with second-level schedules, and one source for parsing tests."""
from __future__ import annotations

from pathlib import Path

import yaml

from tests.support.mirror import DEMO_SOURCES


def write_sources(path: Path, schedules: dict[str, str]) -> Path:
    """The demo sources named in `schedules` ({id: interval}), each with `schedule: {interval: …}`."""
    data = yaml.safe_load(DEMO_SOURCES.read_text(encoding="utf-8"))
    data["sources"] = [{**s, "schedule": {"interval": schedules[s["id"]]}}
                       for s in data["sources"] if s["id"] in schedules]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


# One source for parsing tests: `schedule` is a YAML value, `extra` more indented keys (or "").
ONE_SOURCE = """
sources:
  - id: a
    name: A
    kind: aggregator
    start_urls: ["https://example.org/list/"]
    schedule: {schedule}
{extra}
"""


def one_source_yaml(schedule: str, extra: str = "") -> str:
    """The sources file of ONE_SOURCE with this schedule and extra keys."""
    return ONE_SOURCE.format(schedule=schedule, extra=extra)
