"""Sending email over SMTP with the standard library: settings from the environment, clear failures.

Used by email digests and by ops alerts. `send_message(settings, message)` sends one message on its
own connection; `Mailer` keeps one connection open for many messages (a digest run). Every failure
is a `SendError` that says whether trying again later can help (`temporary`), the SMTP reply code
when there was one, and which recipients were refused. The password never appears in a message,
a repr or a log line.

`Mailer.send` drives SMTP step by step (MAIL, RCPT, then DATA) so that a caller can record, through
`before_data`, that the message is about to be handed over: before that moment a failure is definite
(the server cannot hold the message); after the whole message went out, a lost reply leaves the
outcome unknown, reported as `SendError.uncertain`. Domains of ASCII mailboxes go out as IDNA
(punycode); a non-ASCII mailbox on a server without SMTPUTF8 is refused for that recipient only.
"""
from __future__ import annotations

import copy
import ipaddress
import logging
import os
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from types import TracebackType
from email.utils import getaddresses
from typing import Any, Callable, Mapping

logger = logging.getLogger(__name__)

SECURITIES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
ENV_PREFIX = "POLICYWATCH_SMTP_"
ENV_FIELDS = {"host": "HOST", "port": "PORT", "security": "SECURITY", "user": "USER",
              "password": "PASSWORD", "from_addr": "FROM", "timeout": "TIMEOUT"}
CONFIG_ALIASES = {"from_addr": ("from_addr", "from")}
NO_SMTPUTF8 = (553, "5.6.7 non-ASCII mailbox and the server does not offer SMTPUTF8")
_LEADING_DOT = re.compile(rb"(?m)^\.")


class SendError(Exception):
    """A message that was not (fully) sent.

    temporary: a later attempt may succeed (connection refused, timeout, 4xx);
    code: the SMTP reply code, None when the connection itself failed;
    refused: per-recipient refusals, address -> (code, reply);
    stage: where it failed: settings, connect, auth, sender, recipients, data;
    partial: some recipients accepted the message although others were refused;
    uncertain: the whole message was transmitted but its reply never came (timeout, hang-up): the
    server may hold it, so sending it again may deliver it twice.
    """

    def __init__(self, message: str, *, temporary: bool, code: int | None = None,
                 refused: dict[str, tuple[int, str]] | None = None, stage: str = "data",
                 partial: bool = False, uncertain: bool = False) -> None:
        super().__init__(message)
        self.temporary = temporary
        self.code = code
        self.refused = refused or {}
        self.stage = stage
        self.partial = partial
        self.uncertain = uncertain


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
        if self.security == "none" and self.user and not is_loopback(self.host):
            raise ValueError(f"SMTP security none with a user to {self.host}: the password would cross the network "
                             "in clear text; use starttls or ssl (POLICYWATCH_SMTP_SECURITY)")

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


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1): nothing leaves the machine."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def envelope_address(address: str) -> str:
    """An address for MAIL/RCPT: an ASCII mailbox at an IDN domain gets the IDNA (punycode) domain."""
    local, at, domain = address.rpartition("@")
    if not at or domain.isascii() or not local.isascii():
        return address
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return address


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
              refused: dict[str, tuple[int, str]] | None = None, partial: bool = False,
              uncertain: bool = False) -> SendError:
        where = f"{self.settings.host}:{self.settings.port}"
        return SendError(_scrub(f"SMTP {where}: {text}", self.settings), temporary=temporary, code=code,
                         refused=refused, stage=stage, partial=partial, uncertain=uncertain)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        greeted = False
        try:
            if s.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout,
                                                      context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            greeted = True
            if s.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        except smtplib.SMTPResponseException as exc:
            raise self._fail(f"connection refused by server: {exc.smtp_code} {_reply_text(exc.smtp_error)}",
                             temporary=exc.smtp_code < 500, code=exc.smtp_code, stage="connect") from None
        except smtplib.SMTPNotSupportedError:
            raise self._fail("server does not offer STARTTLS (set POLICYWATCH_SMTP_SECURITY)",
                             temporary=False, stage="connect") from None
        except (OSError, smtplib.SMTPException) as exc:
            if isinstance(exc, smtplib.SMTPServerDisconnected) and not greeted:
                # smtplib reports a greeting that never came, or a hang-up instead of one, as a disconnection
                reason = (f"no greeting within {s.timeout:g} s" if "timed out" in str(exc)
                          else "the server hung up before greeting")
                raise self._fail(f"connected, but {reason}", temporary=True, stage="connect") from None
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

    def send(self, message: EmailMessage, before_data: Callable[[], None] | None = None) -> None:
        """Send one message (envelope from From/To/Cc/Bcc); raises SendError when any recipient did not get it.

        `before_data` is called once the server accepted the envelope, just before DATA; whatever it raises
        aborts the message (RSET) and propagates. A failure before it was called is always definite.
        """
        if self._smtp is not None and not self._alive(self._smtp):
            self._drop()
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._transmit(self._smtp, message, before_data)
        finally:
            if self._smtp is not None and self._smtp.sock is None:  # the server hung up (421 and the like)
                self._smtp = None

    @staticmethod
    def _alive(smtp: smtplib.SMTP) -> bool:
        """A reused connection still answers (servers drop idle ones): NOOP."""
        try:
            return smtp.noop()[0] == 250
        except (smtplib.SMTPException, OSError):
            return False

    def _lost(self, exc: BaseException, when: str) -> SendError:
        self._drop()
        reason = "timed out" if isinstance(exc, socket.timeout) else type(exc).__name__
        return self._fail(f"connection lost {when}: {reason}", temporary=True, stage="connect")

    def _transmit(self, smtp: smtplib.SMTP, message: EmailMessage, before_data: Callable[[], None] | None) -> None:
        sender = self.settings.from_addr
        try:
            smtp.ehlo_or_helo_if_needed()
        except (smtplib.SMTPException, OSError) as exc:
            raise self._lost(exc, "before the envelope") from None
        utf8 = smtp.has_extn("smtputf8")
        refused: dict[str, tuple[int, str]] = {}
        wanted = []
        for address in envelope_recipients(message):
            if address.isascii() or utf8:
                wanted.append(address)
            else:
                refused[address] = NO_SMTPUTF8
        if not sender.isascii() and not utf8:
            raise self._fail(f"sender {sender} is not ASCII and the server does not offer SMTPUTF8",
                             temporary=False, stage="sender")
        if not wanted:
            raise self._refused_all(refused)
        international = not sender.isascii() or not all(a.isascii() for a in wanted)
        data = flatten(message, international)
        options = ["SMTPUTF8", "BODY=8BITMIME"] if international else []
        if smtp.has_extn("size"):
            options.append(f"SIZE={len(data)}")
        try:
            code, reply = smtp.mail(sender, options)
            if code != 250:
                self._reset(smtp, code)
                raise self._fail(f"sender {sender} refused: {code} {_reply_text(reply)}", temporary=code < 500,
                                 code=code, stage="sender")
            accepted = []
            for address in wanted:
                code, reply = smtp.rcpt(address)
                if code in (250, 251):
                    accepted.append(address)
                else:
                    refused[address] = (code, _reply_text(reply))
                if code == 421:
                    self._drop()
                    raise self._fail(f"server closing while taking recipients: 421 {_reply_text(reply)}",
                                     temporary=True, code=421, stage="connect")
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise self._lost(exc, "during the envelope") from None
        if not accepted:
            self._reset(smtp, 0)
            raise self._refused_all(refused)
        if before_data is not None:
            try:
                before_data()
            except BaseException:
                self._reset(smtp, 0)
                raise
        self._data(smtp, data)
        if refused:
            raise self._fail(f"some recipients refused: {_describe(refused)}",
                             temporary=all(c < 500 for c, _ in refused.values()),
                             code=max(c for c, _ in refused.values()), stage="recipients", refused=refused,
                             partial=True)

    def _data(self, smtp: smtplib.SMTP, data: bytes) -> None:
        """DATA, the message, the final dot; only a reply lost after the final dot leaves the outcome unknown."""
        try:
            code, reply = smtp.docmd("data")
            if code != 354:
                self._reset(smtp, code)
                raise self._fail(f"message refused: {code} {_reply_text(reply)}", temporary=code < 500, code=code,
                                 stage="data")
            body = _LEADING_DOT.sub(b"..", data)
            if not body.endswith(b"\r\n"):
                body += b"\r\n"
            smtp.send(body + b".\r\n")  # sendall: when it fails the final dot did not go out
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise self._lost(exc, "before the whole message was sent") from None
        try:
            code, reply = smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._drop()
            reason = (f"none within {self.settings.timeout:g} s" if "timed out" in str(exc)
                      else "the connection closed")
            raise self._fail(f"no reply after the whole message was sent ({reason}): the server may or may not "
                             "have kept it", temporary=True, stage="data", uncertain=True) from None
        if code != 250:
            self._reset(smtp, code)
            raise self._fail(f"message refused: {code} {_reply_text(reply)}", temporary=code < 500, code=code,
                             stage="data")

    def _reset(self, smtp: smtplib.SMTP, code: int) -> None:
        """Make the connection usable for the next message after a refusal (421: the server is closing it)."""
        if code == 421:
            self._drop()
            return
        try:
            smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _refused_all(self, refused: dict[str, tuple[int, str]]) -> SendError:
        codes = [code for code, _ in refused.values()]
        return self._fail(f"recipients refused: {_describe(refused)}", temporary=all(c < 500 for c in codes),
                          code=max(codes) if codes else None, stage="recipients", refused=refused)

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()


def _describe(refused: dict[str, tuple[int, str]]) -> str:
    return "; ".join(f"{addr} {code} {reply}" for addr, (code, reply) in refused.items())


def envelope_recipients(message: EmailMessage) -> list[str]:
    """To, Cc and Bcc addresses (Resent-* when present, as smtplib does), IDN domains as IDNA, each once."""
    resent = message.get_all("Resent-Date")
    fields = ("Resent-To", "Resent-Cc", "Resent-Bcc") if resent else ("To", "Cc", "Bcc")
    values = [str(v) for f in fields for v in (message.get_all(f) or [])]
    return list(dict.fromkeys(envelope_address(a) for _, a in getaddresses(values) if a))


def flatten(message: EmailMessage, international: bool) -> bytes:
    """The message as DATA carries it: CRLF line ends, no Bcc, UTF-8 headers only for an SMTPUTF8 transaction."""
    sent = copy.copy(message)
    del sent["Bcc"]
    del sent["Resent-Bcc"]
    policy = sent.policy.clone(utf8=True) if international else sent.policy
    return sent.as_bytes(policy=policy.clone(linesep="\r\n"))


def send_message(settings: SmtpSettings, message: EmailMessage) -> None:
    """Send one message on a connection of its own; raises SendError on any failure."""
    with Mailer(settings) as mailer:
        mailer.send(message)
