"""A raw HTTP request to a `policywatch serve` server started in the test (the path sent exactly as given, no
Accept-Encoding unless asked)."""
from __future__ import annotations

import http.client
import threading
from contextlib import contextmanager
from typing import Iterator

from feeds.server import FolderServer


def request(server: FolderServer, path: str, method: str = "GET", **headers: str) -> tuple[int, dict, bytes]:
    """One request; headers as keyword arguments, `_` for `-` (If_None_Match=…)."""
    conn = http.client.HTTPConnection(*server.server_address[:2], timeout=30)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name.replace("_", "-"), value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@contextmanager
def serving(server: FolderServer) -> Iterator[FolderServer]:
    """`server` answering on a thread of its own for the block; shut down and closed after it."""
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
