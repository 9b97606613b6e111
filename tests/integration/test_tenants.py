"""Tenants, terms, contacts and refills on both databases."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from licensing_core.db.models import AuditEntry
from licensing_core.errors import NotFound, Refused
from licensing_core.queries.summary import subscription_summary
from licensing_core.services.refills import preview_refill, record_refill
from licensing_core.services.tenants import create_tenant, renew, set_contacts


def make_acme(db, now, **overrides):
    options = dict(tenant_id="acme", name="Acme Corp", license_type="session", licenses=100,
                   start=date(2026, 1, 1), end=date(2026, 12, 31), session_minutes=30,
                   technical_emails=["ops@acme.com"], billing_emails=["bill@acme.com"],
                   actor="root", now=now)
    options.update(overrides)
    return create_tenant(db, **options)


def audit_actions(db, tenant_id="acme"):
    with db.transaction() as session:
        return [e.action for e in session.scalars(
            select(AuditEntry).where(AuditEntry.tenant_id == tenant_id).order_by(AuditEntry.id))]


def test_a_new_tenant_shows_its_first_term_with_everything_available(db, now):
    make_acme(db, now)
    summary = subscription_summary(db, "acme", now=now)
    assert summary.as_json() == {
        "tenant_id": "acme", "name": "Acme Corp", "license_type": "session",
        "start_date": "2026-01-01", "end_date": "2026-12-31",
        "technical_emails": ["ops@acme.com"], "billing_emails": ["bill@acme.com"],
        "total_purchased": 100, "consumed": 0, "available": 100, "percent_used": 0.0,
        "session_minutes": 30,
    }
    assert summary.state == "active"


def test_creating_a_tenant_twice_is_refused(db, now):
    make_acme(db, now)
    with pytest.raises(Refused, match="already exists"):
        make_acme(db, now, name="Other")
    assert subscription_summary(db, "acme", now=now).name == "Acme Corp"


@pytest.mark.parametrize(("override", "message"), [
    ({"tenant_id": "Acme Corp"}, "must be 1-64"),
    ({"license_type": "seat"}, "license type"),
    ({"timezone": "Mars/Base"}, "unknown timezone"),
    ({"licenses": -1}, "0 to 1000000000"),
    ({"end": date(2025, 1, 1)}, "before start"),
    ({"technical_emails": ["nope"]}, "not a valid email"),
    ({"session_minutes": 0}, "1 to 10080"),
])
def test_a_tenant_with_bad_details_is_refused_and_not_created(db, now, override, message):
    with pytest.raises(Refused, match=message):
        make_acme(db, now, **override)
    with pytest.raises(NotFound):
        subscription_summary(db, override.get("tenant_id", "acme"), now=now)


def test_a_session_term_without_minutes_gets_the_default_length(db, now):
    make_acme(db, now, session_minutes=None)
    assert subscription_summary(db, "acme", now=now).session_minutes == 30


def test_contacts_are_replaced_lower_cased_and_audited(db, now):
    make_acme(db, now)
    set_contacts(db, tenant_id="acme", technical_emails=["New@Acme.com", "two@acme.com"],
                 actor="ann", now=now)
    summary = subscription_summary(db, "acme", now=now)
    assert summary.technical_emails == ["new@acme.com", "two@acme.com"]
    assert summary.billing_emails == ["bill@acme.com"]  # a list not given stays
    assert audit_actions(db)[-1] == "contacts.update"


def test_one_invalid_contact_refuses_the_whole_change(db, now):
    make_acme(db, now)
    with pytest.raises(Refused, match="'bad@'"):
        set_contacts(db, tenant_id="acme", technical_emails=["fine@acme.com"],
                     billing_emails=["bad@"], actor="ann", now=now)
    summary = subscription_summary(db, "acme", now=now)
    assert summary.technical_emails == ["ops@acme.com"]
    assert summary.billing_emails == ["bill@acme.com"]


def test_refills_change_the_total_and_are_audited(db, now):
    make_acme(db, now)
    record_refill(db, tenant_id="acme", quantity=50, recorded_by="sam", note="Q2", now=now)
    result = record_refill(db, tenant_id="acme", quantity=-20, recorded_by="sam", now=now)
    assert result.total_after == 130
    assert subscription_summary(db, "acme", now=now).total_purchased == 130
    assert audit_actions(db).count("refill.create") == 2


@pytest.mark.parametrize(("quantity", "message"), [(0, "refill of 0"), (-101, "at most 100")])
def test_refused_refills_change_nothing(db, now, quantity, message):
    make_acme(db, now)
    with pytest.raises(Refused, match=message):
        record_refill(db, tenant_id="acme", quantity=quantity, recorded_by="sam", now=now)
    assert subscription_summary(db, "acme", now=now).total_purchased == 100
    assert "refill.create" not in audit_actions(db)


def test_a_refill_needs_who_recorded_it(db, now):
    make_acme(db, now)
    with pytest.raises(Refused, match="who records it"):
        record_refill(db, tenant_id="acme", quantity=5, recorded_by=" ", now=now)


def test_a_refill_preview_shows_the_new_total_without_saving(db, now):
    make_acme(db, now)
    preview = preview_refill(db, tenant_id="acme", quantity=-40, now=now)
    assert (preview.before.total_purchased, preview.after.total_purchased) == (100, 60)
    assert subscription_summary(db, "acme", now=now).total_purchased == 100


def test_a_renewal_becomes_current_when_its_dates_arrive(db, now):
    make_acme(db, now)
    renew(db, tenant_id="acme", start=date(2027, 1, 1), end=date(2027, 12, 31), licenses=300,
          actor="root", now=now)
    assert subscription_summary(db, "acme", now=now).total_purchased == 100
    later = now + timedelta(days=365)
    summary = subscription_summary(db, "acme", now=later)
    assert (summary.start_date, summary.total_purchased, summary.session_minutes) == (
        date(2027, 1, 1), 300, 30)


def test_a_renewal_may_change_the_license_type(db, now):
    make_acme(db, now)
    renew(db, tenant_id="acme", start=date(2027, 1, 1), end=date(2027, 12, 31), licenses=40,
          license_type="user", actor="root", now=now)
    summary = subscription_summary(db, "acme", term_date=date(2027, 5, 1), now=now)
    assert (summary.license_type, summary.session_minutes) == ("user", None)


def test_an_overlapping_renewal_is_refused(db, now):
    make_acme(db, now)
    with pytest.raises(Refused, match="overlaps"):
        renew(db, tenant_id="acme", start=date(2026, 12, 1), end=date(2027, 11, 30),
              licenses=10, actor="root", now=now)


def test_an_expired_term_stays_current_until_a_new_one_starts(db, now):
    make_acme(db, now, start=date(2025, 1, 1), end=date(2025, 12, 31))
    assert subscription_summary(db, "acme", now=now).state == "expired"


def test_a_term_that_has_not_started_is_shown_as_such(db, now):
    make_acme(db, now, start=date(2026, 7, 1), end=date(2027, 6, 30))
    assert subscription_summary(db, "acme", now=now).state == "not started"
