"""The `sources` table mirrors the validated sources file, so runs and health can join on it."""
from __future__ import annotations

import json
from typing import Any, Iterable

from sqlite_utils import Database

from core.clock import now_iso


def sync_sources(db: Database, configs: Iterable[dict[str, Any]]) -> None:
    """Upsert each source's configuration (as produced by `Source.to_config()`)."""
    stamp = now_iso()
    for config in configs:
        db["sources"].upsert({
            "id": config["id"], "name": config["name"], "kind": config["kind"],
            "province": config.get("province"), "city": config.get("city"),
            "level": config.get("level"), "family": config.get("family"),
            "config": json.dumps(config, ensure_ascii=False, sort_keys=True), "updated_at": stamp,
        }, pk="id")


def source_hints(db: Database) -> dict[str, dict[str, Any]]:
    """Each stored source's region/level hint, as classification takes it."""
    return {row["id"]: {"province": row["province"], "city": row["city"], "level": row["level"]}
            for row in db["sources"].rows}


def source_known(db: Database, source_id: str) -> bool:
    """True when `source_id` is a configured source or some stored document's source."""
    return db.execute("select 1 from sources where id = ? union all select 1 from documents where source_id = ? "
                      "limit 1", [source_id, source_id]).fetchone() is not None
