"""A link's query parameters are shown as text in the browser: a phishing link or a tracking
image put into ?session_id= is quoted in the error as its characters, never drawn as a link
or fetched as an image."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import expect

from licensing_core.ui.text import WORD_JOINER
from tests.e2e.conftest import settled, sign_in

pytestmark = pytest.mark.e2e

PHISH = "[Session expired - sign in again](http://evil.example/phish)"
PIXEL = "![x](http://evil.example/t.png)"


@pytest.mark.parametrize("hostile", [PHISH, PIXEL], ids=["link", "image"])
def test_a_hostile_session_id_in_the_link_is_shown_as_text(new_page, hostile):
    page = sign_in(new_page(), "acme-admin")
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto("/conversation-history?session_id=" + quote(hostile, safe=""))
    settled(page)
    message = page.get_by_test_id("stMain").get_by_test_id("stAlert").get_by_test_id(
        "stMarkdownContainer")  # the alert's text, without its icon
    expect(message).to_have_count(1)
    read = re.sub(r"\s+", " ", message.inner_text().replace(WORD_JOINER, "")).strip()
    assert read == f"tenant 'acme' has no session '{hostile}'"
    assert page.locator("a[href*='evil.example']").count() == 0
    assert page.locator("img[src*='evil.example']").count() == 0
    html = page.content()
    assert not re.search(r"<(a|img)\b[^>]*evil\.example", html)
    assert not [url for url in fetched if urlsplit(url).hostname == "evil.example"]
