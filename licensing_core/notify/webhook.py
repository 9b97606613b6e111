"""Webhooks: every outbox alert POSTed as JSON to LICENSING_WEBHOOK_URL, signed.

httpx gives separate connect and read timeouts and a kept-alive connection for a whole
run. A 2xx answer is delivered; anything else (another status, a redirect, a timeout, a
refused connection) is a failure that the outbox retries.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx

from licensing_core.errors import Refused
from licensing_core.notify.messages import AlertMail, delivery_id
from licensing_core.notify.settings import dashboard_url, seconds_setting

URL = "LICENSING_WEBHOOK_URL"
SECRET = "LICENSING_WEBHOOK_SECRET"
TIMEOUT = "LICENSING_WEBHOOK_TIMEOUT"
# Seconds to connect, and again to get an answer: a hung receiver holds one alert's row
# (and on SQLite the write lock) for at most that long.
DEFAULT_TIMEOUT_S = 5.0
MAX_TIMEOUT_S = 60.0
# The longest error kept in webhook_last_error.
MAX_ERROR_LENGTH = 500
USER_AGENT = "licensing-dashboard-webhook/1"


@dataclass(frozen=True)
class WebhookSettings:
    url: str
    dashboard_url: str
    secret: str | None = None
    timeout: float = DEFAULT_TIMEOUT_S

    @property
    def receiver(self) -> str:
        """The receiver without path or query, which may hold a token: fit for errors."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")

    @property
    def dashboard_host(self) -> str:
        return urlsplit(self.dashboard_url).hostname or "local"

    def __repr__(self) -> str:  # never print the secret in a log or traceback
        return f"WebhookSettings(receiver={self.receiver!r}, timeout={self.timeout:g})"


def webhook_settings(environ: Mapping[str, str] | None = None) -> WebhookSettings | None:
    """The webhook of the environment; None when LICENSING_WEBHOOK_URL is unset (webhooks
    are then not attempted). Refused names a bad value."""
    env = os.environ if environ is None else environ
    url = env.get(URL, "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or \
            any(c.isspace() for c in url):
        raise Refused(f"{URL} must be an http:// or https:// address")  # it may hold a token
    secret = env.get(SECRET) or None  # spaces may be part of a secret
    return WebhookSettings(url=url, dashboard_url=dashboard_url(env), secret=secret,
                           timeout=seconds_setting(TIMEOUT, env.get(TIMEOUT, "").strip() or None,
                                                   default=DEFAULT_TIMEOUT_S,
                                                   maximum=MAX_TIMEOUT_S))


def _value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def payload(mail: AlertMail, *, occurred_at: datetime, settings: WebhookSettings) -> dict[str, Any]:
    """The body: event, a stable delivery id, the tenant, when, and the email's numbers
    (never its recipients)."""
    request = asdict(mail.request) if mail.request is not None else None
    return {
        "event": mail.kind,
        "delivery_id": delivery_id(mail.alert_id, mail.kind, settings.dashboard_host),
        "tenant_id": mail.tenant_id,
        "tenant_name": mail.tenant_name,
        "occurred_at": occurred_at.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z"),
        "subject": mail.subject,
        "license_type": mail.license_type,
        "consumed": mail.consumed,
        "total_purchased": mail.total_purchased,
        "available": mail.available,
        "percent_used": round(mail.percent_used, 2),
        "threshold": mail.threshold,
        "term_start": _value(mail.term_start),
        "term_end": _value(mail.term_end),
        "days_left": mail.days_left,
        "run_out_date": _value(mail.run_out_date),
        "run_out_low": _value(mail.run_out_low),
        "run_out_high": _value(mail.run_out_high),
        "licenses_needed": mail.licenses_needed,
        "request": request,
        "dashboard_url": settings.dashboard_url,
    }


def body_of(document: Mapping[str, Any]) -> bytes:
    """UTF-8 JSON, the bytes that are signed and sent."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signature(body: bytes, secret: str) -> str:
    """`sha256=` and the hex HMAC-SHA256 of the body with the secret."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def headers_of(body: bytes, event: str, delivery: str, secret: str | None) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
               "X-Licensing-Event": event, "X-Licensing-Delivery": delivery}
    if secret:
        headers["X-Licensing-Signature"] = signature(body, secret)
    return headers


class WebhookFailed(Exception):
    """Not delivered; `unreachable` when the receiver could not be reached or did not
    answer in time (a run stops trying after a few of those in a row)."""

    def __init__(self, message: str, *, unreachable: bool) -> None:
        super().__init__(message[:MAX_ERROR_LENGTH])
        self.unreachable = unreachable


class WebhookClient:
    """One httpx client for a whole run: connections kept alive, redirects not followed."""

    def __init__(self, settings: WebhookSettings) -> None:
        self.settings = settings
        self._client = httpx.Client(timeout=httpx.Timeout(settings.timeout),
                                    follow_redirects=False, trust_env=False)

    def __enter__(self) -> WebhookClient:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._client.close()

    def post(self, mail: AlertMail, occurred_at: datetime) -> int:
        """POST the alert; returns the 2xx status, or raises WebhookFailed."""
        document = payload(mail, occurred_at=occurred_at, settings=self.settings)
        body = body_of(document)
        headers = headers_of(body, mail.kind, document["delivery_id"], self.settings.secret)
        where = self.settings.receiver
        try:
            response = self._client.post(self.settings.url, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise WebhookFailed(f"the webhook receiver {where} did not answer within "
                                f"{self.settings.timeout:g} s ({type(exc).__name__})",
                                unreachable=True) from exc
        except httpx.HTTPError as exc:
            raise WebhookFailed(f"cannot reach the webhook receiver {where}: "
                                f"{type(exc).__name__}: {' '.join(str(exc).split())}",
                                unreachable=True) from exc
        if not 200 <= response.status_code < 300:
            raise WebhookFailed(f"the webhook receiver {where} answered "
                                f"{response.status_code} {response.reason_phrase}".rstrip(),
                                unreachable=False)
        return response.status_code


__all__ = ["DEFAULT_TIMEOUT_S", "WebhookClient", "WebhookFailed", "WebhookSettings",
           "body_of", "headers_of", "payload", "signature", "webhook_settings"]
