"""A real SMTP server on loopback (aiosmtpd) that collects what it receives.

Reusable by any test: `with SmtpTestServer() as server: ...` or the `smtp_server` fixture
(import it into a test module). It can refuse recipients, refuse every message, slow down
each message (to widen races), speak STARTTLS or implicit TLS, and demand a login.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from licensing_core.notify.settings import SmtpSettings, smtp_settings

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class Collector:
    """The aiosmtpd handler: keeps every accepted message, refuses on request."""

    messages: list[Received] = field(default_factory=list)
    refuse_recipients: set[str] = field(default_factory=set)
    refuse_all: str | None = None  # a reply such as "451 4.3.0 try later"
    delay_s: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address.lower() in self.refuse_recipients:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.refuse_all:
            return self.refuse_all
        parsed = message_from_bytes(envelope.content, policy=default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


def self_signed_certificate(directory: Path) -> tuple[Path, Path] | None:
    """A certificate for 127.0.0.1 and localhost made by the openssl tool, if present."""
    if shutil.which("openssl") is None:
        return None
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True)
    return cert, key


def _authenticator(users: Mapping[str, str]) -> Any:
    def check(server: Any, session: Any, envelope: Any, mechanism: str,
              auth_data: Any) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword)
              and users.get(auth_data.login.decode()) == auth_data.password.decode())
        return AuthResult(success=ok, handled=False)
    return check


class SmtpTestServer:
    """Start with `with`, or start()/stop() to take the server down and up on one port."""

    def __init__(self, *, port: int | None = None, security: str = "none",
                 certificate: tuple[Path, Path] | None = None,
                 users: Mapping[str, str] | None = None) -> None:
        self.port = port or free_port()
        self.security = security
        self.handler = Collector()
        self._certificate = certificate
        self._users = dict(users or {})
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.messages)

    def message_ids(self) -> list[str]:
        return [m.message_id for m in self.messages]

    def _tls_context(self) -> ssl.SSLContext:
        assert self._certificate is not None, "TLS needs a certificate"
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*self._certificate)
        return context

    def start(self) -> SmtpTestServer:
        kwargs: dict[str, Any] = {}
        if self.security == "ssl":
            kwargs["ssl_context"] = self._tls_context()
        elif self.security == "starttls":
            kwargs.update(tls_context=self._tls_context(), require_starttls=True)
        if self._users:
            # aiosmtpd counts only STARTTLS as TLS (and warns about AUTH without it), so an
            # implicit-TLS server offers AUTH without demanding it.
            starttls = self.security == "starttls"
            kwargs.update(authenticator=_authenticator(self._users), auth_required=starttls,
                          auth_require_tls=starttls)
        self._controller = Controller(self.handler, hostname=LOOPBACK, port=self.port,
                                      server_hostname="localhost", **kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpTestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def environ(self, **extra: str) -> dict[str, str]:
        """LICENSING_SMTP_* variables that point at this server."""
        env = {"LICENSING_SMTP_HOST": LOOPBACK, "LICENSING_SMTP_PORT": str(self.port),
               "LICENSING_SMTP_SECURITY": self.security,
               "LICENSING_SMTP_FROM": "Licensing <licensing@example.com>",
               "LICENSING_SMTP_TIMEOUT": "5",
               "LICENSING_DASHBOARD_URL": "https://licensing.example.com/"}
        env.update(extra)
        return env

    def settings(self, **extra: str) -> SmtpSettings:
        return smtp_settings(self.environ(**extra))


@pytest.fixture
def smtp_server() -> Iterator[SmtpTestServer]:
    """A plain SMTP server on a free loopback port, for one test."""
    with SmtpTestServer() as server:
        yield server
