"""The health pass of a cycle: judge every enabled source (and the scheduler's own crawl steps), raise one alert
per change, mail ops, write the ops feed.

All the alerts pending at a pass go out as ONE summary email over one SMTP connection (an outage
that breaks 1,000 sources sends one email, not 1,000). Alerts are marked sent only after the server
accepted the message; when it cannot be sent they stay pending and the next pass tries again (a
down or slow server costs one connection attempt per pass, with at most ALERT_SMTP_TIMEOUT seconds
per SMTP operation, since the pass runs inside the scheduler's dispatcher).
Without an ops address (POLICYWATCH_OPS_EMAIL or --ops-email) alerts go to the ops feed only.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, replace
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any, Mapping

from sqlite_utils import Database

from crawler.sources import Source
from feeds.ops_feed import alert_text, alert_title, write_ops_feed
from storage.health import (UNHEALTHY, HealthRules, SourceHealth, assess_source, judge_scheduler, mark_alert,
                            pending_alerts, recent_alerts, record_health)

logger = logging.getLogger(__name__)

OPS_EMAIL_ENV = "POLICYWATCH_OPS_EMAIL"
ALERT_SMTP_TIMEOUT = 10.0  # seconds per SMTP operation; POLICYWATCH_SMTP_TIMEOUT may lower it, never raise it


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


def alert_message(alerts: list[dict[str, Any]], sender: str, recipient: str) -> EmailMessage:
    """The ops email for the alerts of one pass (plain text): one alert keeps its own subject; several get
    a summary subject and one section each, oldest first."""
    message = EmailMessage()
    message["Subject"] = f"[policywatch] {summary_title(alerts)}"
    message["From"] = sender
    message["To"] = recipient
    message["Message-ID"] = make_msgid(domain="policywatch")
    if len(alerts) == 1:
        message.set_content(alert_text(alerts[0]))
    else:
        overview = [f"{len(alerts)} source health changes:", ""] + [f"- {alert_title(a)}" for a in alerts]
        message.set_content("\n".join(overview) + "\n\n" + "\n".join(alert_text(a) for a in alerts))
    return message


def summary_title(alerts: list[dict[str, Any]]) -> str:
    """'source a is unhealthy: …' for one alert; '3 sources unhealthy, 1 recovered' for several."""
    if len(alerts) == 1:
        return alert_title(alerts[0])
    down = sum(1 for a in alerts if a["state"] != "recovered")
    up = len(alerts) - down
    parts = [f"{down} source{'s' if down != 1 else ''} unhealthy" if down else "",
             f"{up} recovered" if up else ""]
    return ", ".join(filter(None, parts))


def deliver_alerts(db: Database, ops_email: str | None, environ: Mapping[str, str] = os.environ) -> tuple[int, int]:
    """Mail every pending alert to ops in one summary email; returns (alerts sent, alerts still pending)."""
    alerts = pending_alerts(db)
    if not alerts:
        return 0, 0
    if not ops_email:
        for alert in alerts:
            mark_alert(db, alert["id"], "skipped", "no ops address (set POLICYWATCH_OPS_EMAIL)")
        return 0, 0
    from feeds.mailer import Mailer, SendError, SmtpSettings

    try:
        settings = SmtpSettings.from_env(environ=environ)
    except ValueError as exc:
        logger.error("ops alerts not sent: SMTP settings: %s", exc, extra={"event": "alert_failed"})
        return 0, len(alerts)
    settings = replace(settings, timeout=min(settings.timeout, ALERT_SMTP_TIMEOUT))
    ids = ", ".join(sorted({a["source_id"] for a in alerts}))
    try:
        with Mailer(settings) as mailer:
            mailer.send(alert_message(alerts, settings.from_addr, ops_email))
    except SendError as exc:
        for alert in alerts:
            mark_alert(db, alert["id"], "pending", str(exc))
        log = logger.warning if exc.temporary else logger.error
        log("%d ops alert(s) not sent (%s; retried next pass): %s", len(alerts), ids, exc,
            extra={"event": "alert_failed"})
        return 0, len(alerts)
    for alert in alerts:  # marked only once the server accepted the message
        mark_alert(db, alert["id"], "sent")
    logger.info("ops alert email sent to %s: %s (%s)", ops_email, summary_title(alerts), ids,
                extra={"event": "alert_sent", "sources": sorted({a["source_id"] for a in alerts})})
    return len(alerts), 0


def health_pass(db: Database, sources: list[Source], rules: HealthRules, ops_email: str | None,
                ops_feed: Path) -> HealthPass:
    """Judge the sources, record changes as alerts, mail the pending ones and rewrite the ops feed."""
    healths = assess_sources(db, sources, rules) + [judge_scheduler(db, rules)]
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
