"""Digest config: a subscriptions file (config/subscriptions.example.yaml) read and checked, and synced into the
database."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlite_utils import Database

from core.yamlfile import load_yaml, yaml_error_message
from feeds.filters import PolicyFilter
from storage import subscriptions as subs

CONFIG_KEYS = {"smtp", "base_url", "max_items", "max_listed", "subscriptions"}
LIMIT_KEYS = {"max_items": 0, "max_listed": 1}  # smallest allowed value of each digest size limit
ENTRY_KEYS = {"email", "name", "frequency", "at", "weekday", "backfill", "filter"}


def _entry_from_config(raw: Any, where: str) -> dict[str, Any]:
    """One checked subscription entry; digests default to policies with incentives (incentives_only: true)."""
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a mapping with email, frequency and filter")
    unknown = set(raw) - ENTRY_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown field {sorted(unknown)[0]!r} (known: {', '.join(sorted(ENTRY_KEYS))})")
    where = f"{where} ({raw.get('email')})" if raw.get("email") else where
    if isinstance(raw.get("at"), (int, float)) and not isinstance(raw.get("at"), bool):
        raise ValueError(f"{where}: at: YAML read {raw['at']!r}, a number, not a time: quote it, "
                         f"for example at: \"12:30\"")
    try:
        email = subs.validate_email(raw.get("email") or "")
        frequency, at, weekday = subs.validate_schedule(str(raw.get("frequency") or ""),
                                                        raw.get("at") or subs.DEFAULT_AT, raw.get("weekday"))
        filter_data = PolicyFilter.from_config(raw.get("filter"), {"incentives_only": True}).to_mapping()
        backfill = int(raw.get("backfill") or 0)
    except (TypeError, ValueError) as exc:  # SubscriptionError and FilterError are ValueErrors
        raise ValueError(f"{where}: {exc}") from None
    return {"email": email, "name": subs.validate_name(raw.get("name")), "frequency": frequency, "at": at,
            "weekday": weekday, "backfill_days": backfill, "filter_data": filter_data}


def _limits(data: dict[str, Any], path: str | Path) -> dict[str, int]:
    """The digest size limits a config file sets (max_items, max_listed), checked."""
    limits = {}
    for key, smallest in LIMIT_KEYS.items():
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < smallest:
            raise ValueError(f"{path}: {key}: expected a whole number of at least {smallest}, got {value!r}")
        limits[key] = value
    listed, items = limits.get("max_listed"), limits.get("max_items", 0)
    if listed is not None and listed < items:
        raise ValueError(f"{path}: max_listed ({listed}) is below max_items ({items})")
    return limits


def load_digest_config(path: str | Path) -> dict[str, Any]:
    """A subscriptions file (config/subscriptions.example.yaml) read and checked; errors name file, entry, field."""
    try:
        data = load_yaml(Path(path).read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ValueError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ValueError(yaml_error_message(str(path), exc)) from None
    if not isinstance(data, dict) or set(data) - CONFIG_KEYS:
        raise ValueError(f"{path}: expected a mapping with keys {', '.join(sorted(CONFIG_KEYS))}")
    if not isinstance(data.get("smtp") or {}, dict):
        raise ValueError(f"{path}: smtp: expected a mapping")
    if "password" in (data.get("smtp") or {}):
        raise ValueError(f"{path}: smtp: keep the password out of files (set POLICYWATCH_SMTP_PASSWORD)")
    entries = data.get("subscriptions") or []
    if not isinstance(entries, list):
        raise ValueError(f"{path}: subscriptions: expected a list")
    checked = [_entry_from_config(raw, f"{path}: subscriptions[{n}]") for n, raw in enumerate(entries)]
    seen: set[str] = set()
    for n, entry in enumerate(checked):
        if entry["email"] in seen:
            raise ValueError(f"{path}: subscriptions[{n}] ({entry['email']}): address listed twice")
        seen.add(entry["email"])
    return {"smtp": data.get("smtp") or {}, "base_url": data.get("base_url"), **_limits(data, path),
            "subscriptions": checked}


def sync_subscriptions(db: Database, config: dict[str, Any]) -> tuple[int, int, int]:
    """Save every subscription of a loaded config file and unsubscribe config ones it no longer lists;
    returns (added, updated, unsubscribed).

    A sync never re-activates an address its owner unsubscribed or that bounced until disabled: only
    `policywatch subscribe` does. Such entries are left as they are and counted nowhere.
    """
    added = updated = 0
    for entry in config["subscriptions"]:
        saved = subs.save_subscription(db, origin="config", reactivate=False, **entry)
        if saved["created"]:
            added += 1
        elif saved["active"]:
            updated += 1
    removed = subs.deactivate_missing(db, "config", [e["email"] for e in config["subscriptions"]])
    return added, updated, len(removed)
