"""The health pass of a cycle: judge every enabled source, raise one alert per change, mail ops, write the ops feed.

An alert whose email cannot be sent stays pending and is retried by the next pass.
Without an ops address (POLICYWATCH_OPS_EMAIL or --ops-email) alerts go to the ops feed only.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any, Mapping

from sqlite_utils import Database

from crawler.sources import Source
from feeds.ops_feed import alert_text, alert_title, write_ops_feed
from storage.health import (UNHEALTHY, HealthRules, SourceHealth, assess_source, mark_alert, pending_alerts,
                            recent_alerts, record_health)

logger = logging.getLogger(__name__)

OPS_EMAIL_ENV = "POLICYWATCH_OPS_EMAIL"


@dataclass
class HealthPass:
    """What one health pass found and did."""

    unhealthy: list[str]
    new_alerts: int
    sent: int
    pending: int

    def describe(self) -> str:
        """One line for the cycle step."""
        bad = ", ".join(self.unhealthy) or "none"
        return f"unhealthy: {bad}; alerts raised {self.new_alerts}, mailed {self.sent}, pending {self.pending}"


def assess_sources(db: Database, sources: list[Source], rules: HealthRules) -> list[SourceHealth]:
    """The health of each enabled source, in config order."""
    return [assess_source(db, s.id, rules, s.expected_every) for s in sources if s.enabled]


def alert_message(alert: dict[str, Any], sender: str, recipient: str) -> EmailMessage:
    """The ops email for one alert (plain text)."""
    message = EmailMessage()
    message["Subject"] = f"[policywatch] {alert_title(alert)}"
    message["From"] = sender
    message["To"] = recipient
    message["Message-ID"] = make_msgid(domain="policywatch")
    message.set_content(alert_text(alert))
    return message


def deliver_alerts(db: Database, ops_email: str | None, environ: Mapping[str, str] = os.environ) -> tuple[int, int]:
    """Mail every pending alert to ops; returns (sent, still pending)."""
    alerts = pending_alerts(db)
    if not alerts:
        return 0, 0
    if not ops_email:
        for alert in alerts:
            mark_alert(db, alert["id"], "skipped", "no ops address (set POLICYWATCH_OPS_EMAIL)")
        return 0, 0
    from feeds.mailer import SendError, SmtpSettings, send_message

    try:
        settings = SmtpSettings.from_env(environ=environ)
    except ValueError as exc:
        logger.error("ops alerts not sent: SMTP settings: %s", exc, extra={"event": "alert_failed"})
        return 0, len(alerts)
    sent = 0
    for alert in alerts:
        try:
            send_message(settings, alert_message(alert, settings.from_addr, ops_email))
        except SendError as exc:
            mark_alert(db, alert["id"], "pending", str(exc))
            logger.warning("[%s] ops alert not sent (retried next cycle): %s", alert["source_id"], exc,
                           extra={"event": "alert_failed", "source": alert["source_id"]})
            continue
        mark_alert(db, alert["id"], "sent")
        sent += 1
        logger.info("[%s] ops alert sent to %s: %s", alert["source_id"], ops_email, alert_title(alert),
                    extra={"event": "alert_sent", "source": alert["source_id"]})
    return sent, len(alerts) - sent


def health_pass(db: Database, sources: list[Source], rules: HealthRules, ops_email: str | None,
                ops_feed: Path) -> HealthPass:
    """Judge the sources, record changes as alerts, mail the pending ones and rewrite the ops feed."""
    healths = assess_sources(db, sources, rules)
    raised = 0
    for health in healths:
        alert = record_health(db, health)
        if alert is not None:
            raised += 1
            logger.warning("[%s] source %s: %s", health.source_id, alert["state"], "; ".join(health.reasons) or "ok",
                           extra={"event": f"source_{alert['state']}", "source": health.source_id})
    sent, pending = deliver_alerts(db, ops_email)
    write_ops_feed(ops_feed, recent_alerts(db))
    return HealthPass([h.source_id for h in healths if h.state == UNHEALTHY], raised, sent, pending)
