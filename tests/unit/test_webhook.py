"""The webhook's settings, body, headers and signature, without a network."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date, datetime

import pytest

from licensing_core.errors import Refused
from licensing_core.notify.messages import AlertMail
from licensing_core.notify.webhook import (
    DEFAULT_TIMEOUT_S,
    body_of,
    headers_of,
    payload,
    signature,
    webhook_settings,
)

ENV = {"LICENSING_WEBHOOK_URL": "https://hooks.example.com/in?token=abc",
       "LICENSING_WEBHOOK_SECRET": "s3cret", "LICENSING_DASHBOARD_URL": "https://dash.example/"}
MAIL = AlertMail(alert_id=42, kind="threshold", subject="Acme Corp has used 95%",
                 recipients=["ops@acme.example"], tenant_name="Acme Corp",
                 license_type="session", consumed=96, total_purchased=100, percent_used=96.0,
                 threshold=95, term_start=date(2026, 1, 1), term_end=date(2026, 12, 31),
                 tenant_id="acme")


def test_no_url_means_webhooks_are_not_configured() -> None:
    assert webhook_settings({}) is None
    assert webhook_settings({"LICENSING_WEBHOOK_URL": "  "}) is None


def test_the_settings_default_to_a_few_seconds_and_hide_the_secret() -> None:
    settings = webhook_settings(ENV)
    assert settings is not None
    assert (settings.timeout, settings.secret, settings.receiver) == (
        DEFAULT_TIMEOUT_S, "s3cret", "https://hooks.example.com")
    assert "s3cret" not in repr(settings) and "token" not in repr(settings)


@pytest.mark.parametrize(("name", "value"), [
    ("LICENSING_WEBHOOK_URL", "ftp://hooks.example.com/"),
    ("LICENSING_WEBHOOK_URL", "hooks.example.com"),
    ("LICENSING_WEBHOOK_TIMEOUT", "0"),
    ("LICENSING_WEBHOOK_TIMEOUT", "61"),
    ("LICENSING_WEBHOOK_TIMEOUT", "soon"),
])
def test_a_bad_webhook_setting_is_refused_with_its_name(name: str, value: str) -> None:
    with pytest.raises(Refused, match=name):
        webhook_settings({**ENV, name: value})


def test_the_signature_is_the_hex_hmac_sha256_of_the_body() -> None:
    body = b'{"event":"threshold"}'
    assert signature(body, "s3cret") == "sha256=" + hmac.new(
        b"s3cret", body, hashlib.sha256).hexdigest()
    headers = headers_of(body, "threshold", "alert-42.threshold@licensing.x", "s3cret")
    assert headers["X-Licensing-Signature"] == signature(body, "s3cret")
    assert headers["X-Licensing-Event"] == "threshold"
    assert headers["X-Licensing-Delivery"] == "alert-42.threshold@licensing.x"
    assert "X-Licensing-Signature" not in headers_of(body, "threshold", "d", None)


def test_the_body_has_the_spec_keys_and_the_numbers_of_the_email() -> None:
    settings = webhook_settings(ENV)
    assert settings is not None
    document = payload(MAIL, occurred_at=datetime(2026, 6, 15, 12, 0), settings=settings)
    assert {k: document[k] for k in ("event", "delivery_id", "tenant_id", "tenant_name",
                                     "occurred_at")} == {
        "event": "threshold", "delivery_id": "alert-42.threshold@licensing.dash.example",
        "tenant_id": "acme", "tenant_name": "Acme Corp", "occurred_at": "2026-06-15T12:00:00Z"}
    assert (document["consumed"], document["total_purchased"], document["available"],
            document["percent_used"], document["threshold"], document["term_end"]) == (
        96, 100, 4, 96.0, 95, "2026-12-31")
    assert "recipients" not in document
    assert json.loads(body_of(document)) == document
