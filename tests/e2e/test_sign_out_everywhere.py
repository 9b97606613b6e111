"""A signed-out cookie put back into a browser opens nothing, in any dashboard process.

The sign-in is made on the shared dashboard; a second `streamlit run` process on the same
database stands for another replica, or this one restarted: it never saw the sign-out in
its memory, so only the database can tell it that the sign-in ended.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from licensing_core.ui.auth import COOKIE_NAME
from tests.e2e.conftest import (
    heading,
    running_dashboard,
    settled,
    sidebar_link,
    sign_in,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

SUBSCRIPTION = "Subscription · Acme Corp"


def _with_cookie(new_page, cookie: list, url: str) -> Page:  # type: ignore[no-untyped-def]
    """A fresh browser holding only the given cookie, opened at `url`."""
    page = new_page()
    page.context.add_cookies(cookie)
    page.goto(url)
    return page


def _asks_for_the_password(page: Page) -> None:
    expect(heading(page, "Sign in")).to_be_visible()
    settled(page)
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    expect(heading(page, SUBSCRIPTION)).to_have_count(0)


def test_a_signed_out_cookie_put_back_opens_nothing_in_any_dashboard_process(
        new_page, demo, dashboard, tmp_path):
    page = sign_in(new_page(), "acme-admin")
    cookie = [c for c in page.context.cookies() if c["name"] == COOKIE_NAME]
    assert len(cookie) == 1
    with running_dashboard(demo.url, tmp_path / "second.log") as second:
        replayed = _with_cookie(new_page, cookie, f"{second}/")
        expect(heading(replayed, SUBSCRIPTION)).to_be_visible()  # the sign-in holds there

        page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
        expect(heading(page, "Sign in")).to_be_visible()
        page.wait_for_function(f"!document.cookie.includes('{COOKIE_NAME}=')")

        # the other process's open session ends on its next run, without a reload
        sidebar_link(replayed, "Consumption History").click()
        _asks_for_the_password(replayed)
        _asks_for_the_password(_with_cookie(new_page, cookie, f"{second}/"))
    _asks_for_the_password(_with_cookie(new_page, cookie, "/"))
