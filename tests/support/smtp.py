"""A real SMTP server on 127.0.0.1 (aiosmtpd) whose handler keeps what it accepts and misbehaves on request."""
from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Iterator

from demo.mailsink import start_smtp
from feeds.mailer import SmtpSettings


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps what it accepts and misbehaves on request.

    data_replies: replies given to the next DATA commands instead of accepting;
    data_reply_at: n -> reply given to the n-th DATA (1-based, counting every DATA) instead of accepting;
    data_delay: seconds every accepted DATA waits before its 250, like a server whose content filter is slow;
    the message is kept before the wait (commit_first) or after it (never kept if the client gave up);
    hang_up_at: the n-th DATA (1-based) is dropped: the connection is closed with no reply and nothing kept,
    like a server that crashed while taking the message;
    refuse: address -> reply for RCPT;
    block_at: the n-th accepted message (1-based) blocks until `release` is set, after being
    kept (commit_first) or before (never kept if the client is gone by then: aiosmtpd cancels the
    handler of a closed session, like a server that lost a message whose DATA it had received);
    block_rcpt_at: the n-th RCPT (1-based) blocks until `release` is set, before DATA.
    """

    data_replies: list[str] = field(default_factory=list)
    data_reply_at: dict[int, str] = field(default_factory=dict)
    data_delay: float = 0.0
    hang_up_at: int | None = None
    refuse: dict[str, str] = field(default_factory=dict)
    block_at: int | None = None
    commit_first: bool = True
    block_rcpt_at: int | None = None
    rcpts: int = 0
    datas: int = 0
    messages: list[dict[str, Any]] = field(default_factory=list)
    blocked: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    accepted: int = 0

    @property
    def emails(self) -> list[EmailMessage]:
        """The accepted messages alone, in the order they came."""
        return [kept["message"] for kept in self.messages]

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list) -> str:
        self.rcpts += 1
        if self.rcpts == self.block_rcpt_at:
            await self._block()
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.datas += 1
        if self.datas == self.hang_up_at:
            server.transport.close()  # aiosmtpd then cancels this handler: no reply ever goes out
            await asyncio.Event().wait()
        if self.datas in self.data_reply_at:
            return self.data_reply_at[self.datas]
        if self.data_replies:
            return self.data_replies.pop(0)
        self.accepted += 1
        blocking = self.block_at == self.accepted
        if blocking and not self.commit_first:
            await self._block()
        if self.data_delay and not self.commit_first:
            await asyncio.sleep(self.data_delay)
        self._keep(envelope)
        if blocking and self.commit_first:
            await self._block()
        if self.data_delay and self.commit_first:
            await asyncio.sleep(self.data_delay)
        return "250 OK"

    def _keep(self, envelope: Any) -> None:
        self.messages.append({"rcpt": list(envelope.rcpt_tos), "from": envelope.mail_from,
                              "message": email.message_from_bytes(envelope.content, policy=email.policy.default)})

    async def _block(self) -> None:
        self.blocked.set()
        while not self.release.is_set():
            await asyncio.sleep(0.02)


class SmtpServer:
    """aiosmtpd Controller on a free loopback port with a Recorder handler."""

    def __init__(self, recorder: Recorder, **smtp_options: Any) -> None:
        self.recorder = recorder
        self.options = {"enable_SMTPUTF8": True, **smtp_options}
        self.port = 0

    def __enter__(self) -> "SmtpServer":
        self.controller = start_smtp(self.recorder, **self.options)
        self.port = self.controller.port
        return self

    def __exit__(self, *exc: Any) -> None:
        self.recorder.release.set()
        self.controller.stop()

    def settings(self, **changes: Any) -> SmtpSettings:
        values = {"host": "127.0.0.1", "port": self.port, "security": "none", "from_addr": "digest@example.org",
                  "timeout": 10.0, **changes}
        return SmtpSettings(**values)

    def env(self) -> dict[str, str]:
        return {"POLICYWATCH_SMTP_HOST": "127.0.0.1", "POLICYWATCH_SMTP_PORT": str(self.port),
                "POLICYWATCH_SMTP_SECURITY": "none", "POLICYWATCH_SMTP_FROM": "digest@example.org"}


@contextmanager
def silent_port() -> Iterator[int]:
    """A 127.0.0.1 port that takes connections (the kernel completes them) but never says a word: no 220
    greeting ever comes, as from a server that hangs before greeting."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]
