"""License requests end to end: the banner's link, a tenant admin's request, a super admin's
approval with an edited quantity, and the tenant admin's new total and decision.

The request is Globex's (as the refill test's), so that Acme, which the screenshot and the
banner tests show, never changes; Acme's banner link is followed without asking. Numbers
come from the services before and after, never constants: other tests change Globex too.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from licensing_core.auth.permissions import Principal
from licensing_core.domain.kinds import Role
from licensing_core.queries.requests import list_requests
from licensing_core.queries.summary import subscription_summary
from tests.e2e.conftest import heading, metric, settled, sidebar_link, sign_in

pytestmark = pytest.mark.e2e

OPERATOR = Principal("e2e", Role.SUPER_ADMIN, None, "e2e@operator.example")
ASKED, GRANTED = 500, 400
NOTE = "Contractors join on Monday"


def requests_link(page: Page):
    """The operator's menu entry, titled with the open requests ("Requests (1)")."""
    return page.get_by_test_id("stSidebarNav").get_by_role(
        "link", name=re.compile(r"^Requests( \(\d+\))?$"))


def test_the_banners_link_opens_request_licenses(new_page):
    page = sign_in(new_page(), "acme-admin")
    expect(heading(page, "Subscription · Acme Corp")).to_be_visible()
    banner = page.get_by_test_id("stMain").locator(".st-key-status-banner-critical")
    banner.get_by_role("link", name="Request licenses").click()
    expect(heading(page, "Request licenses · Acme Corp")).to_be_visible()
    expect(page.get_by_role("spinbutton", name="Licenses")).to_be_visible()
    expect(page.get_by_role("button", name="Send request for Acme Corp")).to_be_visible()


def test_a_request_approved_with_another_quantity_shows_in_the_tenant_admins_total(
        new_page, demo):
    before = subscription_summary(demo.db, "globex")
    tenant = sign_in(new_page(), "globex-admin")  # its own browser context: its own person
    expect(heading(tenant, "Subscription · Globex Corporation")).to_be_visible()
    sidebar_link(tenant, "Request licenses").click()
    expect(heading(tenant, "Request licenses · Globex Corporation")).to_be_visible()
    tenant.get_by_role("spinbutton", name="Licenses").fill(str(ASKED))
    tenant.get_by_role("textbox", name="Note").fill(NOTE)
    tenant.get_by_role("button", name="Send request for Globex Corporation").click()
    expect(tenant.get_by_text(re.compile(rf"Request #\d+ for {ASKED} licenses sent"))
           ).to_be_visible()
    made = list_requests(demo.db, principal=OPERATOR, tenant_id="globex", status="open")[0]
    assert (made.quantity, made.note, made.requested_by) == (ASKED, NOTE, "globex-admin")
    number = made.request_id
    main = tenant.get_by_test_id("stMain")
    expect(main.get_by_text(f"#{number} · {ASKED} licenses · Open")).to_be_visible()

    operator = sign_in(new_page(), "admin")
    expect(heading(operator, "Tenants")).to_be_visible()
    expect(requests_link(operator)).to_have_text(re.compile(r"Requests \(\d+\)"))
    requests_link(operator).click()
    expect(heading(operator, "License requests")).to_be_visible()
    queue = operator.get_by_test_id("stMain")
    expect(queue.get_by_text(f"#{number} · Globex Corporation asks for {ASKED} licenses")
           ).to_be_visible()
    expect(queue.get_by_text(f"note: {NOTE}")).to_be_visible()
    expect(queue.get_by_text(f"Now {before.percent_used:.1f}% used").first).to_be_visible()
    operator.get_by_role("button", name=f"Decide #{number}").click()
    expect(metric(operator, "New total purchase")).to_contain_text(
        f"{before.total_purchased + ASKED:,}")

    grant = operator.get_by_role("spinbutton", name="Licenses to grant")
    grant.fill(str(GRANTED))
    grant.press("Enter")
    expect(metric(operator, "New total purchase")).to_contain_text(
        f"{before.total_purchased + GRANTED:,}")
    expect(operator.get_by_text(f"Preview of a refill of +{GRANTED} for Globex Corporation")
           ).to_be_visible()
    settled(operator)
    assert subscription_summary(demo.db, "globex").total_purchased == before.total_purchased

    operator.get_by_role("textbox", name="Note to the requester (optional)").fill(
        "400 now, the rest next quarter")
    operator.get_by_role("button", name=f"Approve: refill +{GRANTED} for Globex Corporation",
                         exact=True).click()
    new_total = before.total_purchased + GRANTED
    expect(operator.get_by_text(f"Request #{number} approved: a refill of +{GRANTED} for "
                                f"Globex Corporation, whose total is now {new_total:,}.")
           ).to_be_visible()
    assert subscription_summary(demo.db, "globex").total_purchased == new_total

    sidebar_link(tenant, "Subscription").click()
    expect(heading(tenant, "Subscription · Globex Corporation")).to_be_visible()
    expect(metric(tenant, "Total Purchase")).to_have_text(f"{new_total:,}")
    sidebar_link(tenant, "Request licenses").click()
    expect(heading(tenant, "Request licenses · Globex Corporation")).to_be_visible()
    decision = main.get_by_role("listitem").filter(has_text=f"#{number} · {ASKED} licenses")
    expect(decision).to_contain_text(f"Approved, {GRANTED} granted")
    expect(decision).to_contain_text("approved by admin on")
    expect(decision).to_contain_text("answer: 400 now, the rest next quarter")
