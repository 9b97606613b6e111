"""A super admin records a refill (previewed first); the tenant's admin sees the new total."""

import pytest
from playwright.sync_api import expect

from licensing_core.queries.summary import subscription_summary
from tests.e2e.conftest import heading, metric, settled, sidebar_link, sign_in

pytestmark = pytest.mark.e2e


def test_a_refill_recorded_by_a_super_admin_shows_in_the_tenant_admins_total(new_page, demo):
    before = subscription_summary(demo.db, "globex")
    added = 25
    tenant = sign_in(new_page(), "globex-admin")  # its own browser context: its own person
    expect(heading(tenant, "Subscription · Globex Corporation")).to_be_visible()
    expect(metric(tenant, "Total Purchase")).to_have_text(f"{before.total_purchased:,}")

    operator = sign_in(new_page(), "admin")
    expect(heading(operator, "Tenants")).to_be_visible()
    sidebar = operator.get_by_test_id("stSidebar")
    sidebar.get_by_role("combobox", name="Tenant").click()
    operator.get_by_role("option", name="globex", exact=True).click()
    sidebar_link(operator, "Subscription").click()
    expect(heading(operator, "Subscription · Globex Corporation")).to_be_visible()
    sidebar_link(operator, "Record refill").click()
    expect(heading(operator, "Record refill · Globex Corporation")).to_be_visible()
    expect(metric(operator, "Total Purchase")).to_have_text(f"{before.total_purchased:,}")

    operator.get_by_role("textbox", name="Quantity").fill(f"+{added}")
    operator.get_by_role("textbox", name="Note").fill("Order 4711: e2e top-up")
    operator.get_by_role("button", name="Preview", exact=True).click()
    expect(operator.get_by_text(f"Preview of a refill of +{added} for Globex Corporation")
           ).to_be_visible()
    new_total = before.total_purchased + added
    expect(metric(operator, "New total purchase")).to_contain_text(f"{new_total:,}")
    expect(metric(operator, "New available")).to_contain_text(f"{before.available + added:,}")
    settled(operator)
    assert subscription_summary(demo.db, "globex").total_purchased == before.total_purchased

    operator.get_by_role("button", name="Save refill for Globex Corporation", exact=True).click()
    expect(operator.get_by_text(f"Refill of +{added} recorded: the total is now "
                                f"{new_total:,}")).to_be_visible()
    assert subscription_summary(demo.db, "globex").total_purchased == new_total

    tenant.reload()
    expect(heading(tenant, "Subscription · Globex Corporation")).to_be_visible()
    expect(metric(tenant, "Total Purchase")).to_have_text(f"{new_total:,}")
    expect(metric(tenant, "Available")).to_have_text(f"{before.available + added:,}")
