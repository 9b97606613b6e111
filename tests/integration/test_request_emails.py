"""The emails of license requests, delivered to a real SMTP server on loopback: a new
request to the operator, a decision to the requester and the tenant's contacts."""

from __future__ import annotations

from datetime import date, datetime

from licensing_core.auth.accounts import create_account, set_disabled
from licensing_core.auth.permissions import Principal
from licensing_core.db.engine import Database
from licensing_core.domain.kinds import Role
from licensing_core.services.outbox import deliver_due
from licensing_core.services.requests import approve_request, create_request, decline_request
from licensing_core.services.tenants import create_tenant
from tests.integration.test_alert_delivery import alerts
from tests.smtp_server import Received, SmtpTestServer, smtp_server

__all__ = ["smtp_server"]  # the fixture

OPERATOR = Principal("sam", Role.SUPER_ADMIN, None, "sam@operator.example")
ANN = Principal("ann", Role.TENANT_ADMIN, "acme", "ann@acme.example")


def setup(db: Database, now: datetime) -> None:
    create_tenant(db, tenant_id="acme", name="Acme & Sons", license_type="session",
                  licenses=100, start=date(2026, 1, 1), end=date(2026, 12, 31),
                  technical_emails=["Ops@Acme.example"], billing_emails=["bill@acme.example"],
                  actor="test", now=now)
    for username, role, tenant, email in [
            ("ann", "tenant_admin", "acme", "Ann@Acme.example"),
            ("root", "super_admin", None, "root@operator.example"),
            ("old", "super_admin", None, "old@operator.example")]:
        create_account(db, username=username, role=role, tenant_id=tenant, email=email,
                       password="long enough", actor="test", now=now)
    set_disabled(db, username="old", disabled=True, actor="test", now=now)


def text_of(received: Received) -> str:
    body = received.message.get_body(("plain",))
    assert body is not None
    return body.get_content()


def test_a_new_request_goes_to_the_operator_address(db: Database, now: datetime,
                                                    smtp_server: SmtpTestServer) -> None:
    setup(db, now)
    create_request(db, principal=ANN, tenant_id="acme", quantity=50, note="new team", now=now)
    settings = smtp_server.settings(LICENSING_OPERATOR_EMAIL="Licenses@Operator.example")
    assert deliver_due(db, settings, now=now).sent == 1
    (mail,) = smtp_server.messages
    assert mail.rcpt_tos == ["licenses@operator.example"]
    assert mail.message["Subject"] == "Acme & Sons asks for 50 more session licenses"
    text = text_of(mail)
    for fact in ("ann asked for 50 more session licenses for Acme & Sons (request #1)",
                 "Licenses asked for:", "new team", "as an operator"):
        assert fact in text
    assert alerts(db)[0].recipients == ["licenses@operator.example"]


def test_without_an_operator_address_a_request_goes_to_the_enabled_super_admins(
        db: Database, now: datetime, smtp_server: SmtpTestServer) -> None:
    setup(db, now)
    create_request(db, principal=ANN, tenant_id="acme", quantity=5, now=now)
    assert deliver_due(db, smtp_server.settings(), now=now).sent == 1
    assert smtp_server.messages[0].rcpt_tos == ["root@operator.example"]


def test_with_nobody_to_tell_a_request_stays_queued_with_the_reason(
        db: Database, now: datetime, smtp_server: SmtpTestServer) -> None:
    create_tenant(db, tenant_id="acme", name="Acme", license_type="session", licenses=10,
                  start=date(2026, 1, 1), end=date(2026, 12, 31), actor="test", now=now)
    create_request(db, principal=OPERATOR, tenant_id="acme", quantity=5, now=now)
    report = deliver_due(db, smtp_server.settings(), now=now)
    assert (report.sent, report.failed, report.queued) == (0, 1, 1)
    (alert,) = alerts(db)
    assert alert.status == "queued"
    assert "no operator address: set LICENSING_OPERATOR_EMAIL" in (alert.last_error or "")


def test_an_approval_goes_to_the_requester_and_the_contacts(
        db: Database, now: datetime, smtp_server: SmtpTestServer) -> None:
    setup(db, now)
    create_request(db, principal=ANN, tenant_id="acme", quantity=50, now=now)
    approve_request(db, principal=OPERATOR, request_id=1, quantity=30, note="half now",
                    now=now)
    settings = smtp_server.settings(LICENSING_OPERATOR_EMAIL="ops@operator.example")
    assert deliver_due(db, settings, now=now).sent == 2
    decision = smtp_server.messages[1]
    assert decision.rcpt_tos == ["ann@acme.example", "ops@acme.example", "bill@acme.example"]
    assert decision.message["Subject"] == \
        "Acme & Sons's request for 50 session licenses was approved"
    text = text_of(decision)
    for fact in ("approved by sam. 30 licenses were added; the total purchase is now 130",
                 "Licenses added:", "half now", "as the requester"):
        assert fact in text


def test_a_decline_names_its_reason_and_a_requester_without_account_is_skipped(
        db: Database, now: datetime, smtp_server: SmtpTestServer) -> None:
    setup(db, now)
    cli_person = Principal("Kim from sales", Role.SUPER_ADMIN, None, "")
    create_request(db, principal=cli_person, tenant_id="acme", quantity=5, now=now)
    decline_request(db, principal=OPERATOR, request_id=1, reason="renew <first>", now=now)
    assert deliver_due(db, smtp_server.settings(), now=now).sent == 2
    decision = smtp_server.messages[1]
    assert decision.rcpt_tos == ["ops@acme.example", "bill@acme.example"]
    assert "declined by sam. Reason: renew <first>" in text_of(decision)
    html = decision.message.get_body(("html",))
    assert html is not None and "renew &lt;first&gt;" in html.get_content()
