"""Email digests: for each due subscription, the new policies its filter wants, as one HTML + text email.

    config.py     the subscriptions file read and checked, and synced into the database
    schedule.py   when a daily or weekly digest is due (Beijing time)
    select.py     which new policies go to whom; the size limits and the order they are listed in
    message.py    the EmailMessage: subject, headers, HTML and text parts rendered from feeds/templates
    delivery.py   a digest run: batches recorded before sending so that no policy goes out twice; the run lock

This package exposes what the CLI, the unsubscribe page and the benchmark use; anything else is imported
from its module.
"""
from feeds.digest.config import load_digest_config, sync_subscriptions
from feeds.digest.delivery import (DEFAULT_MAX_ITEMS, DEFAULT_MAX_LISTED, DigestBusy, DigestOptions, DigestReport,
                                   run_digest)
from feeds.digest.message import templates
from feeds.digest.schedule import LOCAL_TZ

__all__ = ["DEFAULT_MAX_ITEMS", "DEFAULT_MAX_LISTED", "DigestBusy", "DigestOptions", "DigestReport", "LOCAL_TZ",
           "load_digest_config", "run_digest", "sync_subscriptions", "templates"]
