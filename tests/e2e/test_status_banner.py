"""The Subscription page's status banner in the browser, on the demo's three tenants: its
level (colour class and role), its words, and the contrast of its text and of the
Available card's."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from licensing_core.domain.status import Level
from licensing_core.queries.forecasts import term_forecast
from licensing_core.queries.terms import terms_of
from licensing_core.ui.formatting import day
from licensing_core.ui.status_banner import next_start_of, status_of
from tests.e2e.conftest import heading, metric, settled, sign_in

pytestmark = pytest.mark.e2e

SUPPORT = "support@operator.example"  # the e2e dashboard's LICENSING_SUPPORT_CONTACT
AA_TEXT = 4.5
LABELLED = re.compile(r"^(Critical|Warning|Note):")  # how every banner begins

# WCAG 2 contrast of an element's text colour against the first opaque-enough background
# behind it (a translucent one is laid over white, the light theme's page).
CONTRAST_JS = """element => {
  const rgba = text => text.match(/[\\d.]+/g).map(Number);
  const linear = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const luminance = ([r, g, b]) => 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  let back = [255, 255, 255];
  for (let node = element; node; node = node.parentElement) {
    const [r, g, b, a = 1] = rgba(getComputedStyle(node).backgroundColor);
    if (a > 0) { back = [r, g, b].map((c, i) => c * a + [255, 255, 255][i] * (1 - a)); break; }
  }
  const [l1, l2] = [luminance(rgba(getComputedStyle(element).color)), luminance(back)];
  return (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
}"""


def contrast(element: Locator) -> float:
    return float(element.evaluate(CONTRAST_JS))


def expected_level(demo, tenant_id: str) -> Level:
    shown = term_forecast(demo.db, tenant_id)
    return status_of(shown, next_start_of(terms_of(demo.db, tenant_id),
                                          shown.summary.end_date)).level


def open_subscription(new_page, username: str, name: str) -> Page:
    page = sign_in(new_page(), username)
    expect(heading(page, f"Subscription · {name}")).to_be_visible()
    settled(page)
    return page


def banner(page: Page, level: str) -> Locator:
    return page.get_by_test_id("stMain").locator(f".st-key-status-banner-{level}")


def test_acme_running_out_soon_gets_the_red_banner_with_its_date(new_page, demo):
    assert expected_level(demo, "acme") == Level.CRITICAL
    shown = term_forecast(demo.db, "acme")
    run_out = shown.forecast.run_out_date
    assert run_out is not None
    page = open_subscription(new_page, "acme-admin", "Acme Corp")
    red = banner(page, "critical")
    expect(red).to_be_visible()
    box = red.get_by_role("alert")
    expect(box).to_be_visible()
    expect(red.get_by_test_id("stAlertContentError")).to_be_visible()
    days = (run_out - shown.today).days
    expect(box).to_contain_text(f"Critical: At the current pace Acme Corp runs out on "
                                f"{day(run_out)}, in {days} days,")
    expect(box).to_contain_text(f"before the term ends on {day(shown.summary.end_date)}")
    expect(box).to_contain_text(f"{shown.forecast.needed_to_last_term:,} more licenses, on top "
                                f"of the {shown.summary.total_purchased:,} bought")
    expect(box).to_contain_text("To buy more licenses, ask the operator on the Request "
                                "licenses page.")  # a tenant admin: linked there
    expect(red.get_by_role("link", name="Request licenses")).to_be_visible()
    assert contrast(red.locator("p").first) >= AA_TEXT
    main = page.get_by_test_id("stMain")
    expect(main.locator("[class*='st-key-status-banner-']")).to_have_count(1)
    expect(main.get_by_text(LABELLED).first).to_be_visible()


def test_globex_lasting_at_60_percent_gets_no_banner_and_a_green_available_card(
        new_page, demo):
    assert expected_level(demo, "globex") == Level.NONE
    page = open_subscription(new_page, "globex-admin", "Globex Corporation")
    main = page.get_by_test_id("stMain")
    expect(metric(page, "Available")).to_be_visible()
    expect(main.locator("[class*='st-key-status-banner-']")).to_have_count(0)
    expect(main.get_by_text(LABELLED)).to_have_count(0)
    available = metric(page, "Available").locator(".stMarkdownColoredText")
    expect(available).to_be_visible()
    assert contrast(available) >= AA_TEXT


def test_initech_expired_in_overage_gets_the_red_banner_and_a_red_available_card(
        new_page, demo):
    assert expected_level(demo, "initech") == Level.CRITICAL
    summary = term_forecast(demo.db, "initech").summary
    page = open_subscription(new_page, "initech-admin", "Initech")
    box = banner(page, "critical").get_by_role("alert")
    expect(box).to_contain_text(f"Critical: Initech's term ended on {day(summary.end_date)},")
    expect(box).to_contain_text(f"{-summary.available:,} over the purchase")
    expect(box).to_contain_text(f"To renew the contract, contact {SUPPORT}.")
    assert contrast(box.locator("p").first) >= AA_TEXT
    value = metric(page, "Available")
    expect(value).to_have_text(f"{summary.available:,}")
    red = value.locator(".stMarkdownColoredText")
    assert contrast(red) >= AA_TEXT
    colour = red.evaluate("e => getComputedStyle(e).color")
    red_parts = [int(c) for c in colour[colour.index("(") + 1:colour.index(")")].split(",")[:3]]
    assert red_parts[0] > 2 * max(red_parts[1:]), colour  # red, not green or orange
