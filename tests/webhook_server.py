"""A real HTTP receiver on loopback that records every webhook POSTed to it.

`with WebhookReceiver() as receiver: ...`, or the `webhook_receiver` fixture (import it into
a test module). It answers each request with the next status of `statuses` (then 200),
can wait before answering (a read timeout), and `black_hole()` gives an address whose
connections never complete (a connect timeout).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from licensing_core.notify.webhook import WebhookSettings, webhook_settings

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Posted:
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes
    status: int  # what the receiver answered

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def delivery(self) -> str:
        return self.headers["x-licensing-delivery"]


@dataclass
class Script:
    statuses: list[int] = field(default_factory=list)
    delay_s: float = 0.0
    received: list[Posted] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_status(self) -> int:
        with self.lock:
            return self.statuses.pop(0) if self.statuses else 200


class _Handler(BaseHTTPRequestHandler):
    script: Script

    def do_POST(self) -> None:  # noqa: N802 (the name http.server asks for)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.script.delay_s:
            time.sleep(self.script.delay_s)
        status = self.script.next_status()
        with self.script.lock:
            self.script.received.append(Posted(
                self.path, {k.lower(): v for k, v in self.headers.items()}, body, status))
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


class WebhookReceiver:
    def __init__(self, *statuses: int, delay_s: float = 0.0) -> None:
        self.script = Script(list(statuses), delay_s)
        handler = type("Handler", (_Handler,), {"script": self.script})
        self._server = ThreadingHTTPServer((LOOPBACK, 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self._server.server_address[1]}/hooks/licensing?token=t0k"

    @property
    def received(self) -> list[Posted]:
        with self.script.lock:
            return list(self.script.received)

    def answer(self, *statuses: int) -> None:
        with self.script.lock:
            self.script.statuses[:] = list(statuses)

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def settings(self, **extra: str) -> WebhookSettings:
        found = webhook_settings(self.environ(**extra))
        assert found is not None
        return found

    def environ(self, **extra: str) -> dict[str, str]:
        env = {"LICENSING_WEBHOOK_URL": self.url, "LICENSING_WEBHOOK_SECRET": "s3cret key",
               "LICENSING_WEBHOOK_TIMEOUT": "5",
               "LICENSING_DASHBOARD_URL": "https://licensing.example.com/"}
        env.update(extra)
        return env


class BlackHole:
    """A listening socket whose queue is full: a connection to it never completes."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind((LOOPBACK, 0))
        self._socket.listen(0)
        self._fillers: list[socket.socket] = []
        for _ in range(3):
            filler = socket.socket()
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):  # it stays pending: that is the point
                filler.connect(self._socket.getsockname())
            self._fillers.append(filler)
        time.sleep(0.1)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self._socket.getsockname()[1]}/hooks"

    def close(self) -> None:
        for sock in (*self._fillers, self._socket):
            sock.close()


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """A receiver answering 200, for one test."""
    with WebhookReceiver() as receiver:
        yield receiver


def closed_url() -> str:
    """An address nothing listens on: the connection is refused at once."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port = probe.getsockname()[1]
    return f"http://{LOOPBACK}:{port}/hooks"
