"""Signing in through the form, a refused password, and a reload that keeps the session."""

import pytest
from playwright.sync_api import expect

from licensing_core.auth.accounts import SIGN_IN_FAILED
from tests.e2e.conftest import heading, settled, sign_in, signed_in_caption

pytestmark = pytest.mark.e2e


def test_a_wrong_password_shows_an_error_and_stays_on_the_form(new_page):
    page = new_page()
    page.goto("/")
    page.get_by_label("Username").fill("globex-admin")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(SIGN_IN_FAILED)).to_be_visible()
    settled(page)
    expect(heading(page, "Sign in")).to_be_visible()
    expect(page.get_by_label("Username")).to_have_value("globex-admin")
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    assert "licensing_session" not in {c["name"] for c in page.context.cookies()}


def test_a_reload_keeps_the_person_signed_in(new_page):
    page = sign_in(new_page(), "acme-admin")
    expect(heading(page, "Subscription · Acme Corp")).to_be_visible()
    page.reload()
    expect(heading(page, "Subscription · Acme Corp")).to_be_visible()
    expect(signed_in_caption(page, "acme-admin")).to_be_visible()
    expect(page.get_by_label("Username")).to_have_count(0)
    other_tab = page.context.new_page()
    other_tab.goto("/consumption-history")
    expect(heading(other_tab, "License Consumption History")).to_be_visible()
    expect(signed_in_caption(other_tab, "acme-admin")).to_be_visible()


def test_after_signing_out_a_reload_asks_for_the_password(new_page):
    page = sign_in(new_page(), "acme-admin")
    page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
    expect(heading(page, "Sign in")).to_be_visible()
    page.wait_for_function("!document.cookie.includes('licensing_session=')")
    page.reload()
    expect(heading(page, "Sign in")).to_be_visible()
    expect(page.get_by_label("Username")).to_be_visible()
