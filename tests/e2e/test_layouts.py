"""The main pages at a desktop's 1400 px and a phone's 390 px: what comes first on a phone,
and the screenshots in docs/screenshots/ (rewritten by every run)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import SCREENSHOT, heading, metric, settled, sign_in

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 1000}
SHOTS = SCREENSHOT.parent


def top(locator: Locator) -> float:
    box = locator.bounding_box()
    assert box is not None, locator
    return box["y"]


def screenshot(page: Page, name: str) -> None:
    """The whole page, not only the viewport: Streamlit scrolls inside its main block, so
    the viewport is stretched to the content's height for the picture."""
    settled(page)
    width = page.viewport_size["width"] if page.viewport_size else DESKTOP["width"]
    height = page.evaluate(
        "Math.max(...[...document.querySelectorAll('[data-testid=stMain], section')]"
        ".map(e => e.scrollHeight), window.innerHeight)")
    page.set_viewport_size({"width": width, "height": min(int(height), 6000)})
    page.mouse.move(1, 1)  # no hover label on a chart
    settled(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def phone(new_page) -> Page:  # type: ignore[no-untyped-def]
    page: Page = new_page()
    page.set_viewport_size(PHONE)
    return page


def test_on_a_phone_the_banner_the_numbers_and_the_gauge_come_before_the_details(new_page):
    page = sign_in(phone(new_page), "acme-admin")
    expect(heading(page, "Subscription · Acme Corp")).to_be_visible()
    settled(page)
    banner = page.locator("[class*='st-key-status-banner']").first
    numbers = [metric(page, label) for label in ("Total Purchase", "Consumed", "Available")]
    gauge = page.get_by_test_id("stPlotlyChart").filter(has_text="% used")
    details = page.get_by_test_id("stMain").get_by_text("License Type", exact=True)

    order = [top(banner), *(top(n) for n in numbers), top(gauge), top(details)]

    assert order == sorted(order)
    assert top(numbers[0]) < PHONE["height"], "Total Purchase is not on the first screen"
    screenshot(page, "subscription-390")


def test_screenshots_of_the_main_pages_at_desktop_and_phone_widths(new_page):
    for width, size in (("1400", DESKTOP), ("390", PHONE)):
        page = sign_in(new_page(), "acme-admin")
        page.set_viewport_size(size)
        page.get_by_test_id("stSidebarNav").get_by_role(
            "link", name="Consumption History").click() if width == "1400" else page.goto(
            "/consumption-history")
        expect(heading(page, "License Consumption History")).to_be_visible()
        screenshot(page, f"consumption-history-{width}")
    admin = sign_in(new_page(), "admin")
    expect(heading(admin, "Tenants")).to_be_visible()
    screenshot(admin, "tenants-1400")


def sidebar_shown(page: Page) -> bool:
    box = page.get_by_test_id("stSidebar").bounding_box()
    return box is not None and box["width"] > 0 and box["x"] + box["width"] > 0


def test_on_a_phone_the_sidebar_folds_away_once_a_page_is_chosen_and_stays_on_a_desktop(
        new_page):
    page = sign_in(phone(new_page), "acme-admin")
    settled(page)
    page.get_by_test_id("stExpandSidebarButton").click()
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Purchase History").click()

    expect(heading(page, "License Purchase History")).to_be_visible()
    page.wait_for_function("() => { const s = document.querySelector("
                           "'[data-testid=stSidebar]').getBoundingClientRect();"
                           " return s.width === 0 || s.x + s.width <= 0; }")
    desktop = sign_in(new_page(), "acme-admin")
    desktop.get_by_test_id("stSidebarNav").get_by_role("link", name="Purchase History").click()
    expect(heading(desktop, "License Purchase History")).to_be_visible()
    settled(desktop)
    assert sidebar_shown(desktop)


def test_on_a_phone_the_history_filters_are_folded_until_opened_and_open_on_a_desktop(
        new_page):
    page = sign_in(phone(new_page), "acme-admin")
    page.goto("/consumption-history")
    expect(heading(page, "License Consumption History")).to_be_visible()
    search = page.get_by_label("Search user or email")
    page.wait_for_function("() => !document.querySelector('[class*=fold-on-phone] details')"
                           ".open")
    expect(search).to_be_hidden()

    page.get_by_text("Filters and sort").click()

    expect(search).to_be_visible()
    search.fill("grace")
    search.press("Enter")
    settled(page)
    expect(search).to_be_visible()  # opened, it stays open across the reruns
    desktop = sign_in(new_page(), "acme-admin")
    desktop.goto("/consumption-history")
    expect(desktop.get_by_label("Search user or email")).to_be_visible()
