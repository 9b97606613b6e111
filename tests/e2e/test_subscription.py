"""The Subscription page: the seed page's cards, the percent-used gauge, and the contacts."""

import re

import pytest
from playwright.sync_api import expect

from licensing_core.queries.summary import subscription_summary
from licensing_core.ui.formatting import day
from tests.e2e.conftest import SCREENSHOT, VIEWPORT, heading, metric, settled, sign_in

pytestmark = pytest.mark.e2e


def test_a_tenant_admin_sees_the_cards_and_the_gauge_and_the_readme_screenshot_is_taken(
        new_page, demo):
    summary = subscription_summary(demo.db, "acme")
    page = sign_in(new_page(), "acme-admin")
    main = page.get_by_test_id("stMain")
    expect(heading(page, "Subscription · Acme Corp")).to_be_visible()
    for label, value in (("License Type", "Session-based"),
                         ("Start Date", day(summary.start_date)),
                         ("End Date", day(summary.end_date)),
                         ("Session Duration", f"{summary.session_minutes} minutes")):
        expect(main.get_by_text(label, exact=True)).to_be_visible()
        expect(main.get_by_text(value, exact=True)).to_be_visible()
    for address in summary.technical_emails + summary.billing_emails:
        expect(main.get_by_role("link", name=address)).to_be_visible()
    expect(metric(page, "Total Purchase")).to_have_text(f"{summary.total_purchased:,}")
    expect(metric(page, "Consumed")).to_have_text(f"{summary.consumed:,}")
    expect(metric(page, "Available")).to_have_text(f"{summary.available:,}")

    charts = page.get_by_test_id("stPlotlyChart")
    expect(charts).to_have_count(2)  # the gauge and the consumption over the term
    gauge = charts.filter(has_text="% used")
    expect(gauge).to_be_visible()
    shown = re.search(r"([\d.]+)% used", gauge.inner_text())
    assert shown is not None and abs(float(shown[1]) - summary.percent_used) <= 0.5
    for threshold in summary.thresholds:
        expect(gauge).to_contain_text(str(threshold))
    expect(charts.nth(1).locator(".main-svg").first).to_be_visible()

    settled(page)
    page.mouse.move(1, VIEWPORT["height"] - 1)  # over the sidebar: no hover label on a chart
    page.evaluate("document.fonts.ready.then(() => true)")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 20_000


def test_an_invalid_contact_is_refused_and_saves_nothing_then_a_valid_one_is_saved(
        new_page, demo):
    before = subscription_summary(demo.db, "initech")
    page = sign_in(new_page(), "initech-admin")
    main = page.get_by_test_id("stMain")
    expect(heading(page, "Subscription · Initech")).to_be_visible()
    main.get_by_role("button", name="Edit", exact=True).click()
    technical = main.get_by_role("textbox", name="Technical Email")
    expect(technical).to_have_value("\n".join(before.technical_emails))

    technical.fill("ops@initech.example\nnot-an-address")
    main.get_by_role("button", name="Save", exact=True).click()
    problem = main.get_by_test_id("stAlert").filter(has_text="Technical Email:")
    expect(problem).to_contain_text("not-an-address")
    expect(main.get_by_text("Nothing was saved: correct the addresses marked above.")
           ).to_be_visible()
    settled(page)
    assert subscription_summary(demo.db, "initech").technical_emails == before.technical_emails
    expect(main.get_by_role("link", name="not-an-address")).to_have_count(0)

    technical.fill("ops@initech.example\nsecurity@initech.example")
    main.get_by_role("button", name="Save", exact=True).click()
    expect(main.get_by_text("Contacts saved.")).to_be_visible()
    expect(technical).to_have_count(0)  # the form closed
    expect(main.get_by_role("link", name="security@initech.example")).to_be_visible()
    after = subscription_summary(demo.db, "initech")
    assert after.technical_emails == ["ops@initech.example", "security@initech.example"]
    assert after.billing_emails == before.billing_emails
    page.reload()
    expect(heading(page, "Subscription · Initech")).to_be_visible()
    expect(main.get_by_role("link", name="security@initech.example")).to_be_visible()
