"""Who an alert goes to: resolved when it is delivered, and stored as used. Real SMTP
server on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from licensing_core.auth.accounts import create_account, set_disabled
from licensing_core.db.engine import Database
from licensing_core.services.outbox import deliver_due
from licensing_core.services.tenants import create_tenant, set_contacts
from tests.integration.test_alert_delivery import alerts, import_sessions, reminders_for
from tests.smtp_server import SmtpTestServer, smtp_server

__all__ = ["smtp_server"]  # the fixture


def account(db: Database, now: datetime, username: str, role: str, tenant: str | None,
            email: str) -> None:
    create_account(db, username=username, role=role, tenant_id=tenant, email=email,
                   password="long enough", actor="test", now=now)


def test_a_threshold_alert_goes_to_the_contacts_and_admins_of_the_moment_it_is_sent(
        db: Database, now: datetime, smtp_server: SmtpTestServer, tmp_path: Path) -> None:
    create_tenant(db, tenant_id="acme", name="Acme Corp", license_type="session", licenses=4,
                  start=date(2026, 1, 1), end=date(2026, 12, 31),
                  technical_emails=["Ops@Acme.example"], billing_emails=["OPS@acme.example"],
                  actor="test", now=now)
    create_tenant(db, tenant_id="bolt", name="Bolt", license_type="session", licenses=4,
                  start=date(2026, 1, 1), end=date(2026, 12, 31), actor="test", now=now)
    import_sessions(db, tmp_path, now, 0, 3)  # 3 of 4: the 75 % alert is queued
    (queued,) = alerts(db)
    assert (queued.status, queued.recipients) == ("queued", [])  # nobody chosen yet

    # After it was queued: a contact and accounts of every kind.
    set_contacts(db, tenant_id="acme", billing_emails=["OPS@acme.example", "Pay@Acme.example"],
                 actor="test", now=now)
    for username, role, tenant, email in [
            ("ann", "tenant_admin", "acme", "Ann@ACME.example"),
            ("bob", "tenant_admin", "acme", "ops@acme.example"),  # a contact already
            ("dan", "tenant_admin", "acme", "dan@acme.example"),
            ("vic", "tenant_viewer", "acme", "vic@acme.example"),
            ("zed", "tenant_admin", "bolt", "zed@bolt.example"),
            ("root", "super_admin", None, "root@operator.example")]:
        account(db, now, username, role, tenant, email)
    set_disabled(db, username="dan", disabled=True, actor="test")

    assert deliver_due(db, smtp_server.settings(), now=now).sent == 1
    (received,) = smtp_server.messages
    expected = ["ops@acme.example", "pay@acme.example", "ann@acme.example"]
    assert received.rcpt_tos == expected
    assert received.message["To"] == ", ".join(expected)
    (sent,) = alerts(db)
    assert (sent.status, sent.recipients) == ("sent", received.rcpt_tos)


def test_a_failed_attempt_stores_whom_it_tried_and_the_next_one_asks_again(
        db: Database, now: datetime, smtp_server: SmtpTestServer) -> None:
    reminders_for(db, now, "acme")
    smtp_server.handler.refuse_recipients = {"ops@acme.example", "billing@acme.example"}
    assert deliver_due(db, smtp_server.settings(), now=now).failed == 1
    (failed,) = alerts(db)
    assert (failed.status, failed.recipients) == (
        "queued", ["billing@acme.example", "ops@acme.example"])

    set_contacts(db, tenant_id="acme", technical_emails=["it@acme.example"],
                 billing_emails=[], actor="test", now=now)
    assert deliver_due(db, smtp_server.settings(), now=now, backoff=False).sent == 1
    (received,) = smtp_server.messages
    assert received.rcpt_tos == ["it@acme.example"]
    assert alerts(db)[0].recipients == ["it@acme.example"]


def test_a_contract_reminder_goes_to_the_contacts_only_even_with_admins(
        db: Database, now: datetime, smtp_server: SmtpTestServer) -> None:
    reminders_for(db, now, "acme")
    account(db, now, "ann", "tenant_admin", "acme", "ann@acme.example")
    assert deliver_due(db, smtp_server.settings(), now=now).sent == 1
    assert smtp_server.messages[0].rcpt_tos == ["billing@acme.example", "ops@acme.example"]
    assert alerts(db)[0].recipients == ["billing@acme.example", "ops@acme.example"]
