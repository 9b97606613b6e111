"""SMTP delivery with the standard library: plain, STARTTLS or SSL, login, timeouts."""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import parseaddr
from types import TracebackType

from licensing_core.notify.settings import Security, SmtpSettings

# Longest server reply kept in an alert's last_error: enough to diagnose, short to show.
MAX_ERROR_LENGTH = 500


class DeliveryFailed(Exception):
    """One message was not accepted; `unreachable` when the server itself could not be used."""

    def __init__(self, message: str, *, unreachable: bool) -> None:
        super().__init__(message[:MAX_ERROR_LENGTH])
        self.unreachable = unreachable


def _reply(code: int, text: bytes | str) -> str:
    body = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(body.split())}"


def describe(exc: BaseException) -> str:
    """A one-line reason fit for last_error and the dashboard."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(f"{addr} ({_reply(*reply)})" for addr, reply in exc.recipients.items())
        return f"every recipient was refused: {refused}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"the server answered {_reply(exc.smtp_code, exc.smtp_error)}"
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class SmtpConnection:
    """One connection for a whole run, opened on first use and reopened after a failure."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._client: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpConnection:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        where = f"{s.host}:{s.port}"
        client: smtplib.SMTP | None = None
        try:
            if s.security == Security.SSL:
                client = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout,
                                          context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            client.ehlo()
            if s.security == Security.STARTTLS:
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if s.username and s.password:
                client.login(s.username, s.password)
            return client
        except (OSError, smtplib.SMTPException) as exc:
            if client is not None:
                _close_quietly(client)
            raise DeliveryFailed(f"cannot use the SMTP server {where}: {describe(exc)}",
                                 unreachable=True) from exc

    def _connected(self) -> smtplib.SMTP:
        """The open connection if the server still answers, else a new one."""
        if self._client is not None:
            try:
                code, _ = self._client.noop()
                if code == 250:
                    return self._client
            except (OSError, smtplib.SMTPException):
                pass
            _close_quietly(self._client)
            self._client = None
        self._client = self._open()
        return self._client

    def send(self, message: EmailMessage, recipients: list[str]) -> list[str]:
        """Send to every recipient; returns the refused ones (when the server took others)."""
        client = self._connected()
        sender = parseaddr(self.settings.sender)[1]
        try:
            refused = client.send_message(message, from_addr=sender, to_addrs=recipients)
        except (OSError, smtplib.SMTPException) as exc:
            _close_quietly(client)
            self._client = None
            raise DeliveryFailed(describe(exc), unreachable=False) from exc
        return [f"{addr} ({_reply(*reply)})" for addr, reply in refused.items()]

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.quit()
            except (OSError, smtplib.SMTPException):
                _close_quietly(self._client)
            self._client = None


def _close_quietly(client: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError):
        client.close()


__all__ = ["DeliveryFailed", "SmtpConnection", "describe"]
