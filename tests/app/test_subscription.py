"""The Subscription page: cards, state, gauge and chart, the History button, contacts."""

import re

import pytest

from licensing_core.queries.audit import audit_entries
from licensing_core.queries.summary import subscription_summary
from licensing_core.services.refills import record_refill
from licensing_core.ui.formatting import day
from tests.app.conftest import error_texts, labelled, texts

COLOURED = re.compile(r"^:(?:green|orange|red)\[(.*)\]$")


def metrics(at):
    """Each card's value as read: Available is written `:green[4]`, coloured by the gauge's
    band, and reads "4"."""
    return {m.label: COLOURED.sub(r"\1", m.value) for m in at.metric}


def test_the_cards_show_the_terms_numbers_as_on_the_seed_page(signed_in, world):
    at = signed_in("ann")
    assert not at.exception
    shown = metrics(at)
    assert (shown["Total Purchase"], shown["Consumed"], shown["Available"]) == ("10", "6", "4")
    page = texts(at)
    for label, value in (("License Type", "Session-based"), ("Session Duration", "30 minutes"),
                         ("Start Date", day(world.term_start)),
                         ("End Date", day(world.term_end))):
        assert label in page and f"**{value}**" in page
    for label in ("Technical Email", "Billing Email"):
        assert label in page
    assert "tech@acme.test" in page and "billing@acme.test" in page
    assert "Term active" in page


def test_a_user_based_term_has_no_session_duration_card(signed_in):
    at = signed_in("gus")
    shown = metrics(at)
    assert "**User-based**" in texts(at)
    assert "Session Duration" not in texts(at)
    assert (shown["Total Purchase"], shown["Consumed"]) == ("10", "3")


def test_an_overage_is_shown_as_such(world, signed_in):
    record_refill(world.db, tenant_id="acme", quantity=-5, recorded_by="test")
    at = signed_in("ann")
    assert metrics(at)["Available"] == "-1"
    assert "Overage: 1 over the purchase" in texts(at)


def test_the_gauge_and_the_consumption_chart_are_drawn(signed_in):
    at = signed_in("ann")
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    gauge = charts[0].proto.spec
    assert '"gauge"' in gauge and "75" in gauge and "95" in gauge


def test_the_note_names_the_configured_support_contact(signed_in):
    assert "contact support@operator.test" in texts(signed_in("ann"))


def test_dates_name_the_tenants_timezone(signed_in):
    assert "Europe/Paris" in texts(signed_in("ann"))


def test_the_history_button_opens_consumption_history(signed_in):
    at = signed_in("ann")
    labelled(at.button, "History").click()
    at.run()
    assert [t.value for t in at.title] == ["License Consumption History"]


def edit(at, technical, billing):
    labelled(at.button, "Edit").click()
    at.run()
    at.text_area(key="contacts_technical").input(technical)
    at.text_area(key="contacts_billing").input(billing)
    at.button(key="contacts_save").click()
    return at.run()


def test_invalid_addresses_are_each_shown_and_nothing_is_saved(signed_in, world):
    at = edit(signed_in("ann"), "tech@acme.test\nnot-an-email", "billing@acme\nok@acme.test")
    errors = error_texts(at)
    assert "'not-an-email' is not a valid email address" in errors
    assert "'billing@acme' is not a valid email address" in errors
    assert "Nothing was saved" in errors
    summary = subscription_summary(world.db, "acme")
    assert summary.technical_emails == ["tech@acme.test"]
    assert summary.billing_emails == ["billing@acme.test"]


def test_valid_addresses_are_saved_and_audited(signed_in, world):
    at = edit(signed_in("ann"), "tech@acme.test\nnew@acme.test", "")
    assert "Nothing was saved" not in error_texts(at)  # the red box left is the status banner
    assert "Contacts saved." in texts(at)
    summary = subscription_summary(world.db, "acme")
    assert summary.technical_emails == ["tech@acme.test", "new@acme.test"]
    assert summary.billing_emails == []
    entries = audit_entries(world.db, "acme").rows
    change = entries[entries["Action"] == "contacts.update"].iloc[0]
    assert change["Actor"] == "ann" and "new@acme.test" in change["After"]
    assert "new@acme.test" in texts(at)


@pytest.mark.parametrize("username", ["vic", "gus"])
def test_only_an_admin_of_the_tenant_gets_the_edit_button(signed_in, username):
    at = signed_in(username)
    labels = [b.label for b in at.button]
    assert ("Edit" in labels) == (username == "gus")  # gus edits globex, vic only reads
