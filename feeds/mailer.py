"""Sending email over SMTP with the standard library: settings from the environment, clear failures.

Used by email digests and by ops alerts. `send_message(settings, message)` sends one message on its
own connection; `Mailer` keeps one connection open for many messages (a digest run). Every failure
is a `SendError` that says whether trying again later can help (`temporary`), the SMTP reply code
when there was one, and which recipients were refused. The password never appears in a message,
a repr or a log line.
"""
from __future__ import annotations

import logging
import os
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from types import TracebackType
from typing import Any, Mapping

logger = logging.getLogger(__name__)

SECURITIES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
ENV_PREFIX = "POLICYWATCH_SMTP_"
ENV_FIELDS = {"host": "HOST", "port": "PORT", "security": "SECURITY", "user": "USER",
              "password": "PASSWORD", "from_addr": "FROM", "timeout": "TIMEOUT"}
CONFIG_ALIASES = {"from_addr": ("from_addr", "from")}


class SendError(Exception):
    """A message that was not (fully) sent.

    temporary: a later attempt may succeed (connection refused, timeout, 4xx);
    code: the SMTP reply code, None when the connection itself failed;
    refused: per-recipient refusals, address -> (code, reply);
    stage: where it failed: settings, connect, auth, sender, recipients, data;
    partial: some recipients accepted the message although others were refused.
    """

    def __init__(self, message: str, *, temporary: bool, code: int | None = None,
                 refused: dict[str, tuple[int, str]] | None = None, stage: str = "data",
                 partial: bool = False) -> None:
        super().__init__(message)
        self.temporary = temporary
        self.code = code
        self.refused = refused or {}
        self.stage = stage
        self.partial = partial


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send mail. `repr` never shows the password."""

    host: str = "localhost"
    port: int = 587
    security: str = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    from_addr: str = "policywatch@localhost"
    timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.security not in SECURITIES:
            raise ValueError(f"SMTP security: expected one of {', '.join(SECURITIES)}, got {self.security!r}")
        if not self.host or any(c in self.host for c in "\r\n /"):
            raise ValueError(f"SMTP host: not a host name: {self.host!r}")
        if not 0 < self.port < 65536:
            raise ValueError(f"SMTP port: expected 1-65535, got {self.port}")
        if self.timeout <= 0:
            raise ValueError(f"SMTP timeout: must be positive, got {self.timeout}")
        if self.password and not self.user:
            raise ValueError("SMTP password given without a user")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ,
                 config: Mapping[str, Any] | None = None) -> "SmtpSettings":
        """Settings from POLICYWATCH_SMTP_* variables, with `config` values (an `smtp:` mapping) as fallback."""
        config = config or {}
        values: dict[str, Any] = {}
        for name, suffix in ENV_FIELDS.items():
            value = environ.get(ENV_PREFIX + suffix)
            if value in (None, ""):
                value = next((config[k] for k in CONFIG_ALIASES.get(name, (name,)) if config.get(k) not in (None, "")),
                             None)
            if value not in (None, ""):
                values[name] = value
        security = str(values.get("security", "starttls")).strip().lower()
        values["security"] = security
        values["port"] = _number(values.get("port", DEFAULT_PORTS.get(security, 587)), "port", int)
        if "timeout" in values:
            values["timeout"] = _number(values["timeout"], "timeout", float)
        return cls(**{k: (v.strip() if isinstance(v, str) and k != "password" else v) for k, v in values.items()})


def _number(value: Any, name: str, kind: type) -> Any:
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise ValueError(f"SMTP {name}: expected a number, got {value!r}") from None


def _reply_text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())[:300]


def _scrub(text: str, settings: SmtpSettings) -> str:
    """`text` with the password cut out (servers sometimes echo what they were sent)."""
    if settings.password:
        text = text.replace(settings.password, "***")
    return text


class Mailer:
    """One SMTP connection reused for many messages; reconnects after a failure. Use as a context manager."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Say QUIT (or just drop a broken connection)."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def _fail(self, text: str, *, temporary: bool, code: int | None = None, stage: str,
              refused: dict[str, tuple[int, str]] | None = None, partial: bool = False) -> SendError:
        where = f"{self.settings.host}:{self.settings.port}"
        return SendError(_scrub(f"SMTP {where}: {text}", self.settings), temporary=temporary, code=code,
                         refused=refused, stage=stage, partial=partial)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        try:
            if s.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout,
                                                      context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        except smtplib.SMTPResponseException as exc:
            raise self._fail(f"connection refused by server: {exc.smtp_code} {_reply_text(exc.smtp_error)}",
                             temporary=exc.smtp_code < 500, code=exc.smtp_code, stage="connect") from None
        except smtplib.SMTPNotSupportedError:
            raise self._fail("server does not offer STARTTLS (set POLICYWATCH_SMTP_SECURITY)",
                             temporary=False, stage="connect") from None
        except (OSError, smtplib.SMTPException) as exc:
            reason = "timed out" if isinstance(exc, socket.timeout) else (getattr(exc, "strerror", None) or exc)
            raise self._fail(f"cannot connect: {reason}", temporary=True, stage="connect") from None
        if s.user:
            self._login(smtp)
        return smtp

    def _login(self, smtp: smtplib.SMTP) -> None:
        try:
            smtp.login(self.settings.user or "", self.settings.password or "")
        except smtplib.SMTPResponseException as exc:
            smtp.close()
            raise self._fail(f"login as {self.settings.user} failed: {exc.smtp_code}",
                             temporary=exc.smtp_code < 500, code=exc.smtp_code, stage="auth") from None
        except UnicodeError:
            smtp.close()
            raise self._fail(f"login as {self.settings.user} failed: SMTP login needs an ASCII user and password",
                             temporary=False, stage="auth") from None
        except (smtplib.SMTPException, OSError) as exc:
            smtp.close()
            raise self._fail(f"login as {self.settings.user} failed: {type(exc).__name__}",
                             temporary=True, stage="auth") from None

    def send(self, message: EmailMessage) -> None:
        """Send one message (envelope from From/To/Cc/Bcc); raises SendError when any recipient did not get it."""
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._transmit(self._smtp, message)
        finally:
            if self._smtp is not None and self._smtp.sock is None:  # the server hung up (421 and the like)
                self._smtp = None

    def _transmit(self, smtp: smtplib.SMTP, message: EmailMessage) -> None:
        try:
            refused = smtp.send_message(message, from_addr=self.settings.from_addr)
        except smtplib.SMTPRecipientsRefused as exc:
            found = {addr: (code, _reply_text(reply)) for addr, (code, reply) in exc.recipients.items()}
            codes = [code for code, _ in found.values()]
            raise self._fail(f"recipients refused: {_describe(found)}", temporary=all(c < 500 for c in codes),
                             code=max(codes) if codes else None, stage="recipients", refused=found) from None
        except smtplib.SMTPSenderRefused as exc:
            raise self._fail(f"sender {exc.sender} refused: {exc.smtp_code} {_reply_text(exc.smtp_error)}",
                             temporary=exc.smtp_code < 500, code=exc.smtp_code, stage="sender") from None
        except smtplib.SMTPResponseException as exc:
            raise self._fail(f"message refused: {exc.smtp_code} {_reply_text(exc.smtp_error)}",
                             temporary=exc.smtp_code < 500, code=exc.smtp_code, stage="data") from None
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            reason = "timed out" if isinstance(exc, socket.timeout) else type(exc).__name__
            raise self._fail(f"connection lost while sending: {reason}", temporary=True, stage="data") from None
        if refused:
            found = {addr: (code, _reply_text(reply)) for addr, (code, reply) in refused.items()}
            raise self._fail(f"some recipients refused: {_describe(found)}",
                             temporary=all(c < 500 for c, _ in found.values()),
                             code=max(c for c, _ in found.values()), stage="recipients", refused=found, partial=True)

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()


def _describe(refused: dict[str, tuple[int, str]]) -> str:
    return "; ".join(f"{addr} {code} {reply}" for addr, (code, reply) in refused.items())


def send_message(settings: SmtpSettings, message: EmailMessage) -> None:
    """Send one message on a connection of its own; raises SendError on any failure."""
    with Mailer(settings) as mailer:
        mailer.send(message)
