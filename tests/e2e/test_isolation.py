"""A tenant admin never sees another tenant: not by a `tenant` in the URL, not by typing the
address of another page, not by the operator's pages."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import heading, settled, sidebar_link, sign_in, signed_in_caption

pytestmark = pytest.mark.e2e

# Acme's admin asks for Globex on every tenant page, by the pages' URLs and by their files'.
FOREIGN_TENANT_URLS = [
    "/?tenant=globex",
    "/tenant-subscription?tenant=globex",
    "/consumption-history?tenant=globex",
    "/conversation-history?tenant=globex&user_id=G00001",
    "/purchase-history?tenant=globex",
    "/tenant-alerts?tenant=globex",
    "/audit-log?tenant=globex",
    "/subscription?tenant=globex",
    "/consumption_history?tenant=globex",
    "/record-refill?tenant=globex",
]
# The operator's pages, which Acme's admin does not have: they land on its own Subscription.
OPERATOR_URLS = ["/all-tenants", "/record-refill", "/dashboard-accounts", "/create-tenant",
                 "/tenants", "/refill"]
GLOBEX_TRACES = ("Globex", "globex.example")


def everything_shown(page: Page) -> str:
    settled(page)
    return page.get_by_test_id("stApp").inner_text()


def test_a_tenant_admin_cannot_open_another_tenant_by_its_url(new_page):
    page = sign_in(new_page(), "acme-admin")
    for url in FOREIGN_TENANT_URLS:
        page.goto(url)
        expect(signed_in_caption(page, "acme-admin")).to_be_visible()
        expect(page.get_by_text("Not allowed: you may not see this tenant")).to_be_visible()
        shown = everything_shown(page)
        assert not any(trace in shown for trace in GLOBEX_TRACES), url


def test_a_tenant_admin_does_not_get_the_operator_pages(new_page):
    page = sign_in(new_page(), "acme-admin")
    for name in ("Tenants", "Record refill", "Accounts", "Create tenant", "New term", "Import"):
        expect(sidebar_link(page, name)).to_have_count(0)
    for url in OPERATOR_URLS:
        page.goto(url)
        expect(heading(page, "Subscription · Acme Corp")).to_be_visible()
        shown = everything_shown(page)
        assert not any(trace in shown for trace in GLOBEX_TRACES), url
