"""Alert emails as rendered, and the SMTP settings that they are sent with."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from licensing_core.errors import Refused
from licensing_core.notify.messages import AlertMail, RequestFacts, message_id, render_alert
from licensing_core.notify.settings import (
    Security,
    SmtpNotConfigured,
    SmtpSettings,
    dashboard_url,
    smtp_settings,
)
from licensing_core.services.outbox import reminder_mark, retry_delay

SETTINGS = SmtpSettings(host="smtp.example.com", port=587, security=Security.STARTTLS,
                        sender="Licensing <licensing@example.com>",
                        dashboard_url="https://licensing.example.com/")
NOW = datetime(2026, 6, 15, 12, 0)


def threshold_mail(**changes: object) -> AlertMail:
    values: dict[str, object] = dict(
        alert_id=42, kind="threshold", subject="Acme Corp has used 95% of its session licenses",
        recipients=["ops@acme.example", "billing@acme.example"], tenant_name="Acme Corp",
        license_type="session", consumed=96, total_purchased=100, percent_used=96.0,
        threshold=95, term_start=date(2026, 1, 1), term_end=date(2026, 12, 31))
    values.update(changes)
    return AlertMail(**values)  # type: ignore[arg-type]


def parts(mail: AlertMail) -> tuple[str, str]:
    message = render_alert(mail, SETTINGS, NOW)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def test_a_threshold_mail_has_a_text_and_an_html_part_with_every_number() -> None:
    text, html = parts(threshold_mail())
    for body in (text, html):
        for fact in ("Acme Corp", "95%", "96", "100", "4", "2026-01-01", "2026-12-31",
                     "https://licensing.example.com/"):
            assert fact in body
    assert 'href="https://licensing.example.com/"' in html


def test_headers_name_sender_recipients_subject_and_automatic_origin() -> None:
    message = render_alert(threshold_mail(), SETTINGS, NOW)
    assert message["Subject"] == "Acme Corp has used 95% of its session licenses"
    assert message["From"] == "Licensing <licensing@example.com>"
    assert message["To"] == "ops@acme.example, billing@acme.example"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"] == "Mon, 15 Jun 2026 12:00:00 +0000"


def test_the_message_id_is_derived_from_the_alert_and_stable_across_attempts() -> None:
    first = render_alert(threshold_mail(), SETTINGS, NOW)["Message-ID"]
    again = render_alert(threshold_mail(), SETTINGS, NOW + timedelta(hours=3))["Message-ID"]
    assert first == again == "<alert-42.threshold@licensing.licensing.example.com>"
    assert message_id(7, "contract_end", "") == "<alert-7.contract_end@licensing.local>"


def test_a_tenant_name_is_escaped_in_html_and_kept_as_text_in_plain_text() -> None:
    name = '<script>alert("x")</script> & Co'
    text, html = parts(threshold_mail(tenant_name=name))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in html
    assert name in text


def test_a_line_break_in_a_subject_cannot_inject_a_header() -> None:
    message = render_alert(threshold_mail(subject="Acme\r\nBcc: evil@example.com"), SETTINGS)
    assert message["Subject"] == "Acme Bcc: evil@example.com"
    assert message["Bcc"] is None


def test_overage_is_shown_as_a_negative_available_with_its_size() -> None:
    text, _ = parts(threshold_mail(consumed=103, percent_used=103.0, threshold=100))
    assert "-3 (overage of 3)" in text


def test_a_contract_end_mail_names_the_end_date_and_the_days_left() -> None:
    mail = threshold_mail(kind="contract_end", threshold=None, days_left=30,
                          subject="Acme Corp's contract ends on 2026-12-31")
    text, html = parts(mail)
    assert "ends on 2026-12-31, in 30 days" in text
    assert "ends on 2026-12-31, in 30 days" in html
    assert render_alert(mail, SETTINGS)["Message-ID"] == (
        "<alert-42.contract_end@licensing.licensing.example.com>")


# -- settings ---------------------------------------------------------------------------

def test_no_host_means_smtp_is_not_configured() -> None:
    with pytest.raises(SmtpNotConfigured, match="LICENSING_SMTP_HOST"):
        smtp_settings({})


def test_defaults_follow_the_security_mode() -> None:
    assert smtp_settings({"LICENSING_SMTP_HOST": "mx"}).port == 25
    assert smtp_settings({"LICENSING_SMTP_HOST": "mx",
                          "LICENSING_SMTP_SECURITY": "STARTTLS"}).port == 587
    settings = smtp_settings({"LICENSING_SMTP_HOST": "mx", "LICENSING_SMTP_SECURITY": "ssl"})
    assert (settings.port, settings.security) == (465, Security.SSL)
    assert settings.dashboard_url == "http://localhost:8501"
    assert settings.dashboard_host == "localhost"


def test_the_sender_defaults_to_a_username_that_is_an_address() -> None:
    settings = smtp_settings({"LICENSING_SMTP_HOST": "mx", "LICENSING_SMTP_USERNAME":
                              "alerts@example.com", "LICENSING_SMTP_PASSWORD": "s3cret"})
    assert settings.sender == "alerts@example.com"
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize(("name", "value", "reason"), [
    ("LICENSING_SMTP_PORT", "smtp", "port number"),
    ("LICENSING_SMTP_PORT", "70000", "port number"),
    ("LICENSING_SMTP_SECURITY", "tls", "none, starttls or ssl"),
    ("LICENSING_SMTP_FROM", "not an address", "email address"),
    ("LICENSING_SMTP_TIMEOUT", "0", "seconds"),
    ("LICENSING_DASHBOARD_URL", "ftp://example.com", "http"),
    ("LICENSING_SMTP_USERNAME", "alerts", "PASSWORD"),
    ("LICENSING_SMTP_PASSWORD", "secret", "USERNAME"),
    ("LICENSING_OPERATOR_EMAIL", "ops@example.com, nobody", "'nobody' is not a valid email"),
])
def test_a_bad_setting_is_refused_with_its_name(name: str, value: str, reason: str) -> None:
    with pytest.raises(Refused, match=reason):
        smtp_settings({"LICENSING_SMTP_HOST": "mx", name: value})


def test_the_dashboard_link_is_checked_without_smtp_too() -> None:
    assert dashboard_url({"LICENSING_DASHBOARD_URL": "https://x.example/app"}) == (
        "https://x.example/app")
    with pytest.raises(Refused):
        dashboard_url({"LICENSING_DASHBOARD_URL": "javascript:alert(1)"})


def test_the_operator_addresses_are_a_list_and_optional() -> None:
    env = {"LICENSING_SMTP_HOST": "mx"}
    assert smtp_settings(env).operator_emails == ()
    assert smtp_settings({**env, "LICENSING_OPERATOR_EMAIL": "A@x.example, b@x.example"}
                         ).operator_emails == ("a@x.example", "b@x.example")


def request_mail(kind: str, **changes: object) -> AlertMail:
    request = RequestFacts(request_id=12, quantity=50, requested_by="ann", note="new team",
                           status="open")
    return threshold_mail(kind=kind, threshold=None, subject="Acme asks",
                          request=replace(request, **changes))


def test_a_request_mail_says_who_asked_for_how_many_and_why() -> None:
    text, html = parts(request_mail("license_request"))
    assert "ann asked for 50 more session licenses for Acme Corp (request #12)" in text
    for fact in ("#12", "new team", "Approve or decline it", "as an operator"):
        assert fact in text and fact in html


def test_a_decision_mail_gives_the_licenses_added_or_the_reason() -> None:
    approved, _ = parts(request_mail("request_decision", status="approved", decided_by="sam",
                                     refill_quantity=30, reason="half now"))
    assert "approved by sam. 30 licenses were added" in approved
    assert "Decision note:" in approved and "half now" in approved
    declined, html = parts(request_mail("request_decision", status="declined",
                                        decided_by="sam", reason="<b>no</b> budget"))
    assert "declined by sam. Reason: <b>no</b> budget" in declined
    assert "&lt;b&gt;no&lt;/b&gt; budget" in html and "<b>no</b>" not in html


# -- pure outbox rules ------------------------------------------------------------------

def test_retries_wait_longer_each_time_up_to_an_hour() -> None:
    waits = [retry_delay(n) for n in (1, 2, 3, 4, 7, 8, 50)]
    assert [w.total_seconds() / 60 for w in waits] == [1, 2, 4, 8, 60, 60, 60]


@pytest.mark.parametrize(("days_left", "mark"), [
    (45, None), (31, None), (30, 30), (8, 30), (7, 7), (1, 7), (0, 7), (-1, None)])
def test_the_reminder_due_is_the_closest_mark_still_ahead(days_left: int,
                                                           mark: int | None) -> None:
    assert reminder_mark(days_left) == mark
