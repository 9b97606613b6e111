"""A super admin works on one tenant at a time: the sidebar's Tenant picker, the URL and the
page always name the same one, and New term records for that one after a preview. The
menu lists every page of the role and only the pages that apply to the license type."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from licensing_core.queries.terms import terms_of
from tests.e2e.conftest import heading, settled, sidebar_link, sign_in

pytestmark = pytest.mark.e2e

ROW_PX = 35  # Streamlit's table rows (and header) are 35 pixels high
OPERATOR_PAGES = ("Tenants", "Risk", "Create tenant", "Record refill", "New term", "Import",
                  "Accounts", "Audit log")
TENANT_PAGES = ("Subscription", "Consumption History", "Conversation History",
                "Purchase History", "Alerts")


def picker(page: Page) -> Locator:
    """The sidebar's Tenant picker (its value is the tenant id shown)."""
    return page.get_by_test_id("stSidebar").get_by_role("combobox", name="Tenant")


def choose_in_sidebar(page: Page, tenant_id: str) -> None:
    picker(page).click()
    page.get_by_role("option", name=tenant_id, exact=True).click()


def open_overview_row(page: Page, row: int) -> None:
    """Tick the row's box in the Tenants table (drawn on a canvas: found by position)."""
    table = page.get_by_test_id("stMain").get_by_test_id("stDataFrame")
    expect(table).to_be_visible()
    settled(page)
    box = table.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + ROW_PX / 2, box["y"] + ROW_PX * (row + 1.5))


def expect_tenant(page: Page, tenant_id: str, name: str, title: str = "Subscription") -> None:
    """The heading, the picker and the URL name the same tenant."""
    expect(heading(page, f"{title} · {name}")).to_be_visible()
    expect(picker(page)).to_have_value(tenant_id)
    expect(page).to_have_url(re.compile(rf"[?&]tenant={tenant_id}(&|$)"))
    settled(page)
    assert page.url.count("tenant=") == 1


def test_a_term_recorded_after_picking_another_tenant_goes_to_that_tenant(new_page, demo):
    globex_before, acme_before = terms_of(demo.db, "globex"), terms_of(demo.db, "acme")
    page = sign_in(new_page(), "admin")
    expect(heading(page, "Tenants")).to_be_visible()
    open_overview_row(page, 0)  # Acme Corp: the table is sorted by tenant id
    expect_tenant(page, "acme", "Acme Corp")

    choose_in_sidebar(page, "globex")  # the URL says acme until the picker changes it
    expect_tenant(page, "globex", "Globex Corporation")
    sidebar_link(page, "New term").click()
    expect_tenant(page, "globex", "Globex Corporation", title="New term")

    main = page.get_by_test_id("stMain")
    main.get_by_role("button", name="Preview", exact=True).click()
    expect(main.get_by_text("Preview of a new term for Globex Corporation")).to_be_visible()
    expect(main.get_by_text("keeps its dates, licenses, refills and usage")).to_be_visible()
    settled(page)
    assert terms_of(demo.db, "globex") == globex_before  # a preview records nothing

    main.get_by_role("button", name="Record term for Globex Corporation", exact=True).click()
    expect(main.get_by_text(re.compile("recorded for Globex Corporation"))).to_be_visible()
    globex_after = terms_of(demo.db, "globex")
    assert len(globex_after) == len(globex_before) + 1
    assert globex_after[0].start_date == globex_before[0].end_date.fromordinal(
        globex_before[0].end_date.toordinal() + 1)
    assert terms_of(demo.db, "acme") == acme_before
    expect_tenant(page, "globex", "Globex Corporation", title="New term")


def nav(page: Page) -> Locator:
    return page.get_by_test_id("stSidebarNav")


def expect_links(page: Page, names: tuple[str, ...], *, idle_seats: bool) -> None:
    for name in names:
        expect(sidebar_link(page, name)).to_be_visible()
    expect(sidebar_link(page, "Idle seats")).to_have_count(1 if idle_seats else 0)
    expect(nav(page).get_by_role("button", name=re.compile(r"^View (\d+ )?(more|less)"))
           ).to_have_count(0)


def test_the_menu_lists_every_page_and_idle_seats_only_for_user_based_terms(new_page):
    page = sign_in(new_page(), "admin")
    expect(heading(page, "Tenants")).to_be_visible()
    choose_in_sidebar(page, "acme")  # session-based
    expect(picker(page)).to_have_value("acme")
    expect_links(page, OPERATOR_PAGES + TENANT_PAGES, idle_seats=False)
    choose_in_sidebar(page, "globex")  # user-based
    expect(picker(page)).to_have_value("globex")
    expect_links(page, OPERATOR_PAGES + TENANT_PAGES, idle_seats=True)
    sidebar_link(page, "Idle seats").click()
    expect(heading(page, "Idle seats")).to_be_visible()

    tenant = sign_in(new_page(), "acme-admin")
    expect_links(tenant, (*TENANT_PAGES, "Audit log"), idle_seats=False)
    tenant.goto("/idle-user-seats")  # by its link: the page says why it does not apply
    expect(tenant.get_by_text("Idle seats apply to user-based terms")).to_be_visible()
