"""Browser tests: the real dashboard under `streamlit run`, driven by Playwright in Chromium.

One run builds one demo database (licensing_core.demo: Acme session-based near 90%,
Globex user-based, Initech expired in overage), starts one Streamlit server on a free
port and one headless Chromium. Every test opens its own browser contexts, so each has its
own cookies: its own signed-in person. Tests that change data use a tenant of their own
(contacts: Initech, refill: Globex), so Acme, which the screenshot shows, never changes.

The dashboard reads the real clock, so `licensing demo` builds the data for today (the
same day always gives the same data). Chromium is Debian's, /usr/bin/chromium, never
Playwright's download. Without it the tests skip with that reason, unless
LICENSING_REQUIRE_BROWSER=1 (set by .ci/run), where it is a failure.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from licensing_core.db.engine import Database, open_database
from licensing_core.demo import DEMO_PASSWORD

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 1000}
SCREENSHOT = REPO / "docs" / "screenshots" / "subscription.png"
ARTIFACTS = REPO / "test-artifacts" / "e2e"  # screenshots of failed tests (git-ignored)
SECRET = "e2e-test-secret-of-enough-length"
PASSWORD = DEMO_PASSWORD
TIMEOUT_MS = 20_000  # a first page load imports pandas and plotly in the server
START_TIMEOUT_S = 60

_FAILED = pytest.StashKey[bool]()


def _require_chromium() -> None:
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return
    reason = f"browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium)"
    if os.environ.get("LICENSING_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " (required here: LICENSING_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium; checked before anything slow is built."""
    _require_chromium()
    return CHROMIUM


@dataclass(frozen=True)
class Demo:
    url: str  # the database's URL
    db: Database  # the same database, for comparing the pages with the services
    today: date


@pytest.fixture(scope="session")
def demo(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """`licensing demo --today <today>` into a fresh SQLite file (about 20 s)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'demo.db'}"
    today = datetime.now(UTC).date()
    command = [sys.executable, "-c", "from licensing_core.cli import main; main()",
               "--db", url, "demo", "--today", today.isoformat()]
    built = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=180,
                           check=False)
    if built.returncode != 0:
        pytest.fail(f"licensing demo failed ({built.returncode}):\n{built.stderr[-4000:]}")
    db = open_database(url)
    yield Demo(url, db, today)
    db.dispose()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as answer:
            return bool(answer.read().strip() == b"ok")
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def running_dashboard(database_url: str, log_path: Path,
                      settings: dict[str, str] | None = None) -> Iterator[str]:
    """`streamlit run dashboard.py` on a database, with these settings; yields its URL."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LICENSING_")}
    env |= {"LICENSING_DATABASE_URL": database_url, "LICENSING_SECRET_KEY": SECRET,
            **(settings or {})}
    command = [sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard.py"),
               "--server.headless", "true", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
               # others edit the tree while tests run: no "source changed" reruns
               "--server.fileWatcherType", "none"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _healthy(base_url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the dashboard did not start at {base_url}:\n"
                            + log_path.read_text(encoding="utf-8", errors="replace")[-4000:])
            time.sleep(0.2)
        yield base_url
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def dashboard(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard on the demo database, for the whole run; yields its base URL."""
    log_path = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    with running_dashboard(demo.url, log_path,
                           {"LICENSING_SUPPORT_CONTACT": "support@operator.example"}) as url:
        yield url


@pytest.fixture(scope="session")
def browser(chromium: Path) -> Iterator[Browser]:
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium),
                                              args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.stash[_FAILED] = report.failed


@pytest.fixture
def new_page(browser: Browser, dashboard: str,
             request: pytest.FixtureRequest) -> Iterator[Callable[[], Page]]:
    """Opens a page in a fresh browser context (its own cookies: a person of its own)."""
    contexts = []

    def open_page() -> Page:
        context = browser.new_context(base_url=dashboard, viewport=VIEWPORT,  # type: ignore[arg-type]
                                      accept_downloads=True, locale="en-GB",
                                      timezone_id="UTC")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    if request.node.stash.get(_FAILED, False):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for n, context in enumerate(contexts):
            for m, page in enumerate(context.pages):
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{n}-{m}.png"),
                                full_page=True)
    for context in contexts:
        context.close()


# Helpers the tests share -------------------------------------------------------------------


def settled(page: Page) -> None:
    """Wait until Streamlit has finished running the page's script."""
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state",
                                                           "notRunning")


def signed_in_caption(page: Page, username: str) -> Locator:
    return page.get_by_test_id("stSidebar").get_by_text(f"Signed in as {username} (")


def sign_in(page: Page, username: str, password: str = PASSWORD) -> Page:
    """Sign in through the form; returns once the browser holds the session cookie."""
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(signed_in_caption(page, username)).to_be_visible()
    # The cookie is set by a script of the sidebar, just after the page is drawn; a
    # reload before that would rightly ask for the password again.
    page.wait_for_function("document.cookie.includes('licensing_session=')")
    return page


def metric(page: Page, label: str) -> Locator:
    """The value of the metric card labelled `label`."""
    card = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
    return card.get_by_test_id("stMetricValue")


def sidebar_link(page: Page, name: str) -> Locator:
    return page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True)


def heading(page: Page, name: str | re.Pattern[str]) -> Locator:
    return page.get_by_role("heading", name=name, level=1)
