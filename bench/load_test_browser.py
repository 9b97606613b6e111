"""The same walk in Chromium tabs (Playwright), to check the websocket client against.

Each session is a browser context of its own (its own cookie). A page wait runs from the
person's input event in the page (the click on a menu entry or on the page number's "+",
Enter in the search box), timed by the page's own clock, to the first frame drawn after
the run's script_finished has reached the page and been handled (that is when Streamlit's
running indicator goes). Watching the indicator itself (stApp's data-test-script-state)
misses runs whose messages arrive in one burst, which React draws in one commit without
the attribute ever changing. The page is then checked as the websocket client checks it:
its heading, its row count, no failure shown.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

from bench.load_test_accounts import Account
from bench.load_test_report import SIGN_IN, Recorder
from bench.load_test_walk import (
    FAILURE_STARTS,
    FILTER_TEXTS,
    HEADINGS,
    PAGE_LABEL,
    SEARCH_LABEL,
    PageProblem,
    Skipped,
    WalkOptions,
    whole_walks,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 1000}
# Every page watches its own websocket (Streamlit's) for the end of a run: a ForwardMsg
# whose top-level field 6, script_finished, is set to anything but 2 (finished early for a
# rerun, as st.rerun does). The wait armed before the person's input ends at the first
# frame drawn after the browser has handled that message.
WATCH_RUNS = """(() => {
  const finishedStatus = (bytes) => {
    let i = 0;
    const varint = () => {
      let value = 0, shift = 0, byte;
      do { byte = bytes[i++]; value += (byte & 127) * 2 ** shift; shift += 7; }
      while (byte & 128);
      return value;
    };
    while (i < bytes.length) {
      const tag = varint(), field = Math.floor(tag / 8), wire = tag & 7;
      if (wire === 0) { const value = varint(); if (field === 6) return value; }
      else if (wire === 2) { const length = varint(); i += length; }
      else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else return -1;
    }
    return -1;
  };
  const state = window.__loadTest = {start: null, resolve: null, finished: null};
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        if (!state.resolve || !(event.data instanceof ArrayBuffer)) return;
        const status = finishedStatus(new Uint8Array(event.data));
        if (status < 0 || status === 2) return;
        const resolve = state.resolve, received = performance.now();
        state.resolve = null;
        setTimeout(() => requestAnimationFrame(() => resolve([performance.now(), received])));
      });
    }
  };
})();"""
# Arms the wait: the next click or key press in the page starts it.
ARM = """() => {
  const state = window.__loadTest;
  const input = new AbortController();
  state.start = null;
  const mark = () => { state.start = performance.now(); input.abort(); };
  window.addEventListener('click', mark, {capture: true, signal: input.signal});
  window.addEventListener('keydown', mark, {capture: true, signal: input.signal});
  state.finished = new Promise((resolve) => { state.resolve = resolve; })
    .then(([drawn, received]) => [drawn - state.start, received - state.start]);
}"""
DONE = "() => window.__loadTest.finished"


async def timed(page: Any, action: Callable[[], Awaitable[None]],
                timeout_s: float) -> tuple[float, float]:
    """Milliseconds from the input event to the page drawn, and to the run's
    script_finished received, as the page's clock says."""
    await page.evaluate(ARM)
    await action()
    drawn, received = await asyncio.wait_for(page.evaluate(DONE), timeout_s)
    return float(drawn), float(received)


async def check(page: Any, step: str) -> None:
    alerts = await page.get_by_test_id("stAlert").all_inner_texts()
    failures = [a for a in alerts if a.strip().startswith(FAILURE_STARTS)]
    if await page.get_by_test_id("stException").count() or failures:
        raise PageProblem("exception", (failures or ["an exception is shown"])[0])
    expected = HEADINGS.get(step)
    headings = await page.get_by_role("heading", level=1).all_inner_texts()
    if expected and not any(h.strip().startswith(expected) for h in headings):
        raise PageProblem("missing", f"no heading {expected!r}: {headings}")
    if step in {"filter", "next page"} and not await page.get_by_text(
            re.compile(r"^Showing ")).count():
        raise PageProblem("missing", "no row count on the page")


def _menu(page: Any, title: str) -> Callable[[], Awaitable[None]]:
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True)
    return lambda: link.click()


async def _filter(page: Any, walk: int) -> Callable[[], Awaitable[None]]:
    box = page.get_by_role("textbox", name=SEARCH_LABEL)
    await box.fill(FILTER_TEXTS[walk % len(FILTER_TEXTS)])
    return lambda: box.press("Enter")


async def _next_page(page: Any) -> Callable[[], Awaitable[None]]:
    step_up = page.get_by_test_id("stNumberInput").filter(
        has=page.get_by_label(PAGE_LABEL, exact=True)).get_by_test_id("stNumberInputStepUp")
    if await step_up.is_disabled():
        raise Skipped
    return lambda: step_up.click()


async def step_action(page: Any, step: str, walk: int) -> Callable[[], Awaitable[None]]:
    if step == "filter":
        return await _filter(page, walk)
    if step == "next page":
        return await _next_page(page)
    return _menu(page, step)


class BrowserWalk:
    """One browser tab: signs in through the form, then walks until the deadline."""

    def __init__(self, index: int, url: str, account: Account, recorder: Recorder,
                 browser: Any):
        self.index, self.url, self.account, self.recorder = index, url, account, recorder
        self.browser = browser
        self.walks = 0
        self.page: Any = None

    async def sign_in(self, timeout_s: float) -> bool:
        context = await self.browser.new_context(viewport=VIEWPORT, locale="en-GB",
                                            timezone_id="UTC")
        context.set_default_timeout(timeout_s * 1000)
        await context.add_init_script(WATCH_RUNS)
        self.page = page = await context.new_page()
        try:
            await page.goto(self.url)
            await page.get_by_label("Username").fill(self.account.username)
            await page.get_by_label("Password", exact=True).fill(self.account.password)
            # The form's run ends early (st.rerun); the wait ends with the page after it.
            drawn, received = await timed(
                page, lambda: page.get_by_role("button", name="Sign in").click(), timeout_s)
            await page.get_by_test_id("stSidebar").get_by_text(
                f"Signed in as {self.account.username} (").wait_for()
            self.recorder.wait(self.index, SIGN_IN, drawn, received)
            return True
        except Exception as exc:  # noqa: BLE001 - any failure to sign in is recorded
            self.recorder.fail(self.index, SIGN_IN, "sign-in", repr(exc))
            return False

    async def walk(self, options: WalkOptions) -> None:
        try:
            async for _ in whole_walks(self._step, options):
                self.walks += 1  # only whole walks count
        finally:
            await self.page.context.close()

    async def _step(self, step: str, options: WalkOptions) -> None:
        try:
            action = await step_action(self.page, step, self.walks)
            drawn, received = await timed(self.page, action, options.timeout_s)
            await check(self.page, step)
            self.recorder.wait(self.index, step, drawn, received)
        except Skipped:
            self.recorder.skip(step)
        except PageProblem as problem:
            self.recorder.fail(self.index, step, problem.kind, str(problem))
        except TimeoutError:
            self.recorder.fail(self.index, step, "timeout", f"over {options.timeout_s:g} s")
            await self.page.reload()
        except Exception as exc:  # noqa: BLE001 - Playwright's errors: a missing element
            self.recorder.fail(self.index, step, "missing", repr(exc)[:300])


async def launch(playwright: Any) -> Any:
    return await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                            headless=True)
