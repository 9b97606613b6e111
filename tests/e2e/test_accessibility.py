"""Every page of both roles passes axe-core's WCAG 2.1 A and AA rules in Chromium.

axe-core comes from the npm registry (tests/e2e/package.json, installed by .ci/run) and is
injected into each page as it is. One exception is tolerated, and only inside Streamlit's
own sidebar navigation: its page list puts section headers between the `<li>` items of a
`<ul>` and items outside a list (rules `list` and `listitem`). That markup is Streamlit's,
not ours; every other violation anywhere fails the test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import settled, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Streamlit's sidebar page list: (rule, the container the node must be inside).
TOLERATED = {"list": '[data-testid="stSidebarNav"]', "listitem": '[data-testid="stSidebarNav"]'}

RUN_AXE = """async ([tags, tolerated]) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  const found = [];
  for (const violation of result.violations) {
    for (const node of violation.nodes) {
      const element = document.querySelector(node.target[0]);
      const inside = tolerated[violation.id];
      if (inside && element && element.closest(inside)) continue;
      found.push(`${violation.id}: ${node.target.join(' ')}: ${node.failureSummary}`);
    }
  }
  return found;
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        reason = f"the accessibility test needs axe-core ({AXE}: npm ci --prefix tests/e2e)"
        if os.environ.get("LICENSING_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " (required here: LICENSING_REQUIRE_BROWSER=1)")
        pytest.skip(reason)
    return AXE.read_text(encoding="utf-8")


def page_urls(page: Page) -> list[str]:
    """Every page the sidebar offers this person."""
    links = page.get_by_test_id("stSidebarNav").get_by_role("link").all()
    return [link.get_attribute("href") or "" for link in links]


def violations(page: Page, url: str, axe_source: str) -> list[str]:
    page.goto(url)
    settled(page)
    page.add_script_tag(content=axe_source)
    return [f"{url}: {found}" for found in page.evaluate(RUN_AXE, [WCAG_TAGS, TOLERATED])]


@pytest.mark.parametrize("username, query", [("acme-admin", ""), ("admin", "?tenant=acme")])
def test_every_page_of_the_role_has_no_accessibility_violation(new_page, axe_source,
                                                               username, query):
    page = sign_in(new_page(), username)
    settled(page)
    urls = page_urls(page)
    assert len(urls) >= 6, urls

    found = [problem for url in urls for problem in violations(page, url + query, axe_source)]

    assert found == []
