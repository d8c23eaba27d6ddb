"""A local SMTP server for the demo: accepts mail on 127.0.0.1 and keeps each message as an .eml file.

The demo sends its digests over real SMTP to this sink, so the whole sending path (intent,
send, delivery log) runs, and a second demo run shows that nothing is delivered twice.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from demo.server import free_port

START_ATTEMPTS = 5


def start_smtp(handler: Any, **options: Any) -> Controller:
    """An aiosmtpd server for `handler`, started on a free 127.0.0.1 port (`.port`).

    aiosmtpd cannot listen on port 0, so a free port is picked first; another process may take it
    in between, so a start that finds the port taken is tried again on a new one.
    """
    failure = OSError("no free port")
    for _ in range(START_ATTEMPTS):
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
        try:
            controller.start()
            return controller
        except OSError as exc:
            failure = exc
    raise failure


class _Keeper:
    """aiosmtpd handler writing every accepted message to `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        recipient = re.sub(r"[^\w.@-]", "_", envelope.rcpt_tos[0] if envelope.rcpt_tos else "unknown")
        existing = len(list(self.folder.glob("*.eml")))
        (self.folder / f"{existing + 1:03d}-{recipient}.eml").write_bytes(envelope.content)
        return "250 OK"


class MailSink:
    """`with MailSink(folder) as sink:` an SMTP server on 127.0.0.1:sink.port until the block ends."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.keeper = _Keeper(self.folder)
        self.controller: Controller | None = None
        self.port = 0

    @property
    def received(self) -> int:
        return self.keeper.count

    def __enter__(self) -> "MailSink":
        self.controller = start_smtp(self.keeper, enable_SMTPUTF8=True)
        self.port = self.controller.port
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.controller is not None:
            self.controller.stop()
