"""What `policywatch schedule` was started with, and the files it keeps beside the database."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from storage.health import HealthRules


@dataclass
class ScheduleOptions:
    """Everything `policywatch schedule` was started with."""

    config: Path
    db: Path
    variables: dict[str, str] = field(default_factory=dict)
    crawl_settings: tuple[str, ...] = ()          # KEY=VALUE pairs handed to each crawl as --set
    jobs_db: Path | None = None
    feeds_out: Path | None = None
    feeds_base_url: str | None = None              # handed to `policywatch feeds --base-url`
    digest_config: Path | None = None              # handed to `policywatch digest --config`
    ops_feed: Path | None = None
    ops_email: str | None = None
    digest_every: timedelta | None = timedelta(minutes=15)
    batch_window: float = 10.0
    crawl_timeout: float = 7200.0
    step_timeout: float = 1800.0
    stop_grace: float = 20.0
    misfire_grace: int | None = None               # None: a missed run is caught up however late
    timezone: str = "Asia/Shanghai"
    crawl_log_level: str = "WARNING"
    frontier: str | None = None                    # a crawl seeds this shared frontier instead of crawling here
    rules: HealthRules = field(default_factory=HealthRules)

    def __post_init__(self) -> None:
        self.config, self.db = Path(self.config).resolve(), Path(self.db).resolve()
        self.jobs_db = Path(self.jobs_db).resolve() if self.jobs_db else default_jobs_db(self.db)
        if self.feeds_out:
            self.feeds_out = Path(self.feeds_out).resolve()
        if self.ops_feed is None:  # beside the database: source health is for ops, not the public feeds folder
            self.ops_feed = self.db.parent / "ops.atom"

    @property
    def config_snapshot(self) -> Path:
        """The last sources file that validated, which crawl children read (`<db>.sources.yaml`)."""
        return self.db.with_name(self.db.name + ".sources.yaml")


def default_jobs_db(db: Path) -> Path:
    """The APScheduler job store beside the database: var/policywatch.db -> var/policywatch.jobs.sqlite."""
    return db.with_name(db.stem + ".jobs.sqlite")
