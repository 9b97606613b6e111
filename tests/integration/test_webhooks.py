"""Webhooks POSTed to a real HTTP receiver on loopback, on SQLite and PostgreSQL: signed,
retried on anything but 2xx, never twice once delivered, apart from the emails."""

from __future__ import annotations

import hashlib
import hmac
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from licensing_core.auth.permissions import Principal
from licensing_core.clock import utcnow
from licensing_core.db.engine import Database
from licensing_core.db.models import Alert
from licensing_core.domain.kinds import Role
from licensing_core.errors import NotFound, Refused
from licensing_core.notify.webhook import WebhookSettings, webhook_settings
from licensing_core.queries.alerts import alerts_list
from licensing_core.services.outbox import deliver_due
from licensing_core.services.requests import approve_request, create_request
from licensing_core.services.run_out import queue_run_out_warnings
from licensing_core.services.webhooks import (
    deliver_webhooks,
    mark_not_configured,
    retry_webhook_now,
    webhook_state,
)
from tests.command_line import Cli
from tests.integration.test_alert_delivery import alerts, reminders_for
from tests.integration.test_run_out import busy_tenant
from tests.smtp_server import SmtpTestServer, smtp_server
from tests.webhook_server import BlackHole, WebhookReceiver, closed_url, webhook_receiver

__all__ = ["smtp_server", "webhook_receiver"]  # the fixtures

HOST = "licensing.example.com"
OPERATOR = Principal("sam", Role.SUPER_ADMIN, None, "sam@operator.example")


def settings_for(url: str, **extra: str) -> WebhookSettings:
    found = webhook_settings({"LICENSING_WEBHOOK_URL": url,
                              "LICENSING_DASHBOARD_URL": f"https://{HOST}/", **extra})
    assert found is not None
    return found


def test_a_webhook_is_signed_and_carries_the_numbers_of_the_email(
        db: Database, now: datetime, webhook_receiver: WebhookReceiver) -> None:
    (alert_id,) = reminders_for(db, now, "acme")
    report = deliver_webhooks(db, webhook_receiver.settings(), now=now)
    assert (report.sent, report.failed, report.queued) == (1, 0, 0)
    (posted,) = webhook_receiver.received
    assert posted.path == "/hooks/licensing?token=t0k"
    assert posted.headers["content-type"] == "application/json"
    assert posted.headers["x-licensing-event"] == "contract_end"
    assert posted.delivery == f"alert-{alert_id}.contract_end@licensing.{HOST}"
    expected = hmac.new(b"s3cret key", posted.body, hashlib.sha256).hexdigest()
    assert posted.headers["x-licensing-signature"] == f"sha256={expected}"
    body = posted.json
    assert {k: body[k] for k in ("event", "delivery_id", "tenant_id", "tenant_name",
                                 "occurred_at", "consumed", "total_purchased", "available",
                                 "days_left", "term_start", "term_end")} == {
        "event": "contract_end", "delivery_id": posted.delivery, "tenant_id": "acme",
        "tenant_name": "Acme Corp", "occurred_at": "2026-06-15T12:00:00Z", "consumed": 0,
        "total_purchased": 10, "available": 10, "days_left": 30, "term_start": "2026-01-01",
        "term_end": (now.date() + timedelta(days=30)).isoformat()}
    assert "recipients" not in body
    (alert,) = alerts(db)
    assert (alert.webhook_status, alert.webhook_attempts, alert.webhook_sent_at) == (
        "sent", 1, now)
    assert (alert.status, alert.attempts) == ("queued", 0)  # the email is apart


def test_without_a_secret_there_is_no_signature(db: Database, now: datetime,
                                                webhook_receiver: WebhookReceiver) -> None:
    reminders_for(db, now, "acme")
    deliver_webhooks(db, settings_for(webhook_receiver.url), now=now)
    assert "x-licensing-signature" not in webhook_receiver.received[0].headers


def test_a_500_then_a_200_delivers_once(db: Database, now: datetime) -> None:
    (alert_id,) = reminders_for(db, now, "acme")
    with WebhookReceiver(500) as receiver:
        settings = receiver.settings()
        first = deliver_webhooks(db, settings, now=now)
        assert (first.sent, first.failed, first.queued) == (0, 1, 1)
        assert f"webhook of alert {alert_id} (acme): the webhook receiver " \
               f"http://127.0.0.1:" in first.errors[0]
        assert "answered 500 Internal Server Error" in first.errors[0]
        assert "t0k" not in first.errors[0]  # the URL's token is never shown
        (alert,) = alerts(db)
        assert (alert.webhook_status, alert.webhook_attempts) == ("queued", 1)
        assert alert.webhook_next_attempt_at == now + timedelta(minutes=1)
        assert webhook_state(alert.webhook_status, alert.webhook_attempts) == "failing"

        waiting = deliver_webhooks(db, settings, now=now + timedelta(seconds=30))
        assert (waiting.sent, waiting.failed, waiting.queued) == (0, 0, 1)  # backing off
        assert deliver_webhooks(db, settings, now=now + timedelta(minutes=1)).sent == 1
        assert deliver_webhooks(db, settings, now=now + timedelta(hours=2),
                                backoff=False).sent == 0
        assert [p.status for p in receiver.received] == [500, 200]
        assert len({p.delivery for p in receiver.received}) == 1
    (alert,) = alerts(db)
    assert (alert.webhook_status, alert.webhook_attempts, alert.webhook_last_error) == (
        "sent", 2, None)


def test_a_redirect_is_not_followed_and_counts_as_a_failure(db: Database,
                                                            now: datetime) -> None:
    reminders_for(db, now, "acme")
    with WebhookReceiver(302) as receiver:
        report = deliver_webhooks(db, receiver.settings(), now=now)
    assert report.failed == 1 and "answered 302" in report.errors[0]


def test_a_read_timeout_is_a_failure_that_stays_queued(db: Database, now: datetime) -> None:
    reminders_for(db, now, "acme")
    with WebhookReceiver(delay_s=1.5) as receiver:
        report = deliver_webhooks(db, receiver.settings(LICENSING_WEBHOOK_TIMEOUT="0.3"),
                                  now=now)
    assert (report.sent, report.failed, report.queued) == (0, 1, 1)
    assert "did not answer within 0.3 s (ReadTimeout)" in report.errors[0]
    assert alerts(db)[0].webhook_attempts == 1


def test_a_connect_timeout_is_a_failure_that_stays_queued(db: Database, now: datetime) -> None:
    reminders_for(db, now, "acme")
    hole = BlackHole()
    try:
        report = deliver_webhooks(db, settings_for(hole.url, LICENSING_WEBHOOK_TIMEOUT="0.3"),
                                  now=now)
    finally:
        hole.close()
    assert (report.sent, report.failed, report.queued) == (0, 1, 1)
    assert "did not answer within 0.3 s (ConnectTimeout)" in report.errors[0]
    assert alerts(db)[0].webhook_attempts == 1


def test_an_unreachable_receiver_stops_the_run_after_a_few_tries(db: Database,
                                                                 now: datetime) -> None:
    reminders_for(db, now, "a1", "a2", "a3", "a4", "a5")
    report = deliver_webhooks(db, settings_for(closed_url()), now=now)
    assert (report.sent, report.failed, report.deferred, report.queued) == (0, 3, 2, 5)
    assert "cannot reach the webhook receiver" in report.errors[0]
    assert sorted(a.webhook_attempts for a in alerts(db)) == [0, 0, 1, 1, 1]


def test_every_kind_of_alert_is_posted_with_its_event(
        db: Database, now: datetime, tmp_path: Path,
        webhook_receiver: WebhookReceiver) -> None:
    busy_tenant(db, tmp_path, now)  # 80 %: the 75 % threshold alert
    queue_run_out_warnings(db, now=now)
    request = create_request(db, principal=OPERATOR, tenant_id="acme", quantity=50, now=now)
    approve_request(db, principal=OPERATOR, request_id=request.request_id, note="ok", now=now)
    reminders_for(db, now, "bolt")
    assert deliver_webhooks(db, webhook_receiver.settings(), now=now).sent == 5
    events = {p.headers["x-licensing-event"]: p.json for p in webhook_receiver.received}
    assert set(events) == {"threshold", "run_out", "license_request", "request_decision",
                           "contract_end"}
    assert events["threshold"]["threshold"] == 75
    run_out = events["run_out"]
    assert run_out["run_out_date"] and run_out["licenses_needed"] is not None
    decision = events["request_decision"]
    assert (decision["request"]["status"], decision["request"]["refill_quantity"],
            decision["total_purchased"]) == ("approved", 50, 150)


def test_without_a_url_webhooks_are_not_configured_and_never_posted_later(
        db: Database, now: datetime, webhook_receiver: WebhookReceiver) -> None:
    reminders_for(db, now, "acme")
    assert mark_not_configured(db) == 1
    (alert,) = alerts(db)
    assert webhook_state(alert.webhook_status, alert.webhook_attempts) == "not configured"
    assert deliver_webhooks(db, webhook_receiver.settings(), now=now).sent == 0
    assert webhook_receiver.received == []
    with pytest.raises(Refused, match="not configured"):
        retry_webhook_now(db, alert.id, now=now)


def test_retry_webhook_now_makes_a_failing_webhook_due_at_once(db: Database,
                                                               now: datetime) -> None:
    (alert_id,) = reminders_for(db, now, "acme")
    with WebhookReceiver(500) as receiver:
        deliver_webhooks(db, receiver.settings(), now=now)
        assert deliver_webhooks(db, receiver.settings(), now=now).sent == 0  # backing off
        with pytest.raises(NotFound):
            retry_webhook_now(db, alert_id, tenant_id="other", now=now)
        retry_webhook_now(db, alert_id, tenant_id="acme", now=now)
        assert deliver_webhooks(db, receiver.settings(), now=now).sent == 1


def test_the_alerts_list_gives_each_webhooks_state(db: Database, now: datetime,
                                                   webhook_receiver: WebhookReceiver) -> None:
    reminders_for(db, now, "acme")
    rows = alerts_list(db, "acme")
    assert (rows.iloc[0]["webhook_status"], rows.iloc[0]["webhook_attempts"]) == ("queued", 0)
    deliver_webhooks(db, webhook_receiver.settings(), now=now)
    row = alerts_list(db, "acme").iloc[0]
    assert (row["webhook_status"], row["webhook_attempts"], row["webhook_last_error"]) == (
        "sent", 1, "")
    assert row["webhook_sent_at"].strftime("%Y-%m-%dT%H:%M:%S") == "2026-06-15T12:00:00"


# -- several workers at once ------------------------------------------------------------

@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_concurrent_workers_on_postgres_post_each_webhook_once(
        db: Database, now: datetime) -> None:
    queued = reminders_for(db, now, *[f"t{i:02}" for i in range(16)])
    with WebhookReceiver(delay_s=0.02) as receiver:  # slow: rows stay locked while others look
        barrier = threading.Barrier(4)
        sent: list[int] = []
        failures: list[BaseException] = []

        def worker() -> None:
            database = Database(db.url)
            try:
                barrier.wait()
                sent.append(deliver_webhooks(database, receiver.settings(), now=now).sent)
            except BaseException as exc:  # reported by the main thread
                failures.append(exc)
            finally:
                database.dispose()

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        deliveries = [p.delivery for p in receiver.received]
    assert failures == []
    assert sum(sent) == len(queued) == 16
    assert len(deliveries) == len(set(deliveries)) == 16
    assert all(a.webhook_status == "sent" and a.webhook_attempts == 1 for a in alerts(db))


# -- the command ------------------------------------------------------------------------

@pytest.fixture
def configured(cli: Cli, smtp_server: SmtpTestServer,
               monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name, value in smtp_server.environ().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("LICENSING_WEBHOOK_URL", raising=False)
    return monkeypatch


def test_alerts_run_without_a_url_says_webhooks_are_not_configured(
        cli: Cli, db: Database, configured: pytest.MonkeyPatch) -> None:
    reminders_for(db, utcnow(), "acme")
    status, out, _ = cli("alerts", "run")
    assert status == 0
    assert "alerts: 1 sent, 0 failed, 0 still queued" in out
    assert "webhooks: not configured (LICENSING_WEBHOOK_URL is unset)" in out
    assert alerts(db)[0].webhook_status == "not_configured"


def test_alerts_run_posts_every_webhook_and_exits_1_while_one_is_queued(
        cli: Cli, db: Database, configured: pytest.MonkeyPatch,
        smtp_server: SmtpTestServer) -> None:
    reminders_for(db, utcnow(), "acme", "bolt")
    with WebhookReceiver(500) as receiver:
        for name, value in receiver.environ().items():
            configured.setenv(name, value)
        status, out, err = cli("alerts", "run")
        assert status == 1
        assert "alerts: 2 sent, 0 failed, 0 still queued" in out
        assert "webhooks: 1 delivered, 1 failed, 1 still queued" in out
        assert "1 webhook still queued; the next run tries again" in err
        status, out, _ = cli("alerts", "run")  # one-shot: no back-off, tried at once
        assert status == 0 and "webhooks: 1 delivered, 0 failed, 0 still queued" in out
        status, out, _ = cli("alerts", "run")
        assert status == 0 and "webhooks: 0 delivered, 0 failed, 0 still queued" in out
        assert [p.status for p in receiver.received] == [500, 200, 200]
    assert len(smtp_server.messages) == 2


@pytest.mark.parametrize(("name", "value"), [("LICENSING_WEBHOOK_URL", "ftp://x.example/"),
                                             ("LICENSING_WEBHOOK_TIMEOUT", "0"),
                                             ("LICENSING_WEBHOOK_TIMEOUT", "fast")])
def test_alerts_run_refuses_bad_webhook_settings_and_touches_nothing(
        cli: Cli, db: Database, configured: pytest.MonkeyPatch, name: str, value: str) -> None:
    reminders_for(db, utcnow(), "acme")
    configured.setenv("LICENSING_WEBHOOK_URL", "https://hooks.example/x")
    configured.setenv(name, value)
    status, _, err = cli("alerts", "run")
    assert status == 2 and name in err
    assert [(a.status, a.webhook_status) for a in alerts(db)] == [("queued", "queued")]


def test_an_email_failure_does_not_hold_the_webhook_back(
        db: Database, now: datetime, webhook_receiver: WebhookReceiver) -> None:
    reminders_for(db, now, "acme")
    assert deliver_due(db, SmtpTestServer().settings(), now=now).failed == 1  # SMTP down
    assert deliver_webhooks(db, webhook_receiver.settings(), now=now).sent == 1
    with db.transaction() as session:
        alert = session.scalars(select(Alert)).one()
        assert (alert.status, alert.attempts, alert.webhook_status) == ("queued", 1, "sent")
