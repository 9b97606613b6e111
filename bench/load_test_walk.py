"""The walk of one signed-in person, over Streamlit's websocket protocol (no browser).

Sign in through the form, then again and again: Subscription, Consumption History, a text
filter, the next page of the filtered rows, Purchase History. A page wait runs from the
rerun request sent (a click in the menu, a changed widget) to the run's last message
(`script_finished`). A wait counts only when the page shows what it should (its heading,
its row count) and no failure: an exception, or the dashboard's error boundary message.
A timeout or a lost connection is an error too; the session then connects again with its
sign-in cookie, as a reload would, and goes on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from websockets.exceptions import WebSocketException

from bench.load_test_accounts import Account
from bench.load_test_report import SIGN_IN, STEPS, Recorder
from bench.streamlit_client import Page, ProtocolError, StreamlitSession
from licensing_core.ui.guard import DATABASE_DOWN

# What the dashboard's error boundary (licensing_core.ui.guard) shows instead of a page.
FAILURE_STARTS = ("Something went wrong", "Not allowed:", DATABASE_DOWN)
SEARCH_LABEL = "Search user or email"
PAGE_LABEL = "Page"
ROWS_SHOWN = "Showing **"
# One filter per walk, in turn: single letters, so that most tenants' rows need a second
# page; a new text each walk, so that the filtered read is not always the cached one.
FILTER_TEXTS = ("e", "a", "o", "i", "n", "r")
HEADINGS = {"Subscription": "Subscription · ", "Consumption History": "License Consumption",
            "Purchase History": "License Purchase History"}


@dataclass(frozen=True)
class WalkOptions:
    think_s: float  # a pause after each page, as a person reads it
    timeout_s: float  # a page not finished by then is a timeout
    deadline: float  # time.monotonic() when walks stop (a step under way finishes)


async def whole_walks(take_step: Callable[[str, WalkOptions], Awaitable[None]],
                      options: WalkOptions) -> AsyncIterator[None]:
    """The steps in turn, a pause after each, until the deadline; yields after each whole
    walk. Both clients (websocket and Chromium) walk through this loop."""
    while time.monotonic() < options.deadline:
        for step in STEPS:
            if time.monotonic() >= options.deadline:
                return
            await take_step(step, options)
            await asyncio.sleep(options.think_s)
        yield


class PageProblem(Exception):
    """The page did not show what it should, or showed a failure."""

    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind = kind


class Skipped(Exception):
    """The step does not apply to this page (one page of rows: no next page)."""


def check(page: Page, step: str) -> None:
    failures = page.failures + [body for body in page.errors_shown()
                                if body.startswith(FAILURE_STARTS)]
    if failures:
        raise PageProblem("exception", failures[0])
    expected = HEADINGS.get(step)
    if expected and not any(h.startswith(expected) for h in page.headings()):
        raise PageProblem("missing", f"no heading {expected!r}: {page.headings()}")
    if step in {"filter", "next page"} and not any(ROWS_SHOWN in t for t in page.texts()):
        raise PageProblem("missing", "no row count on the page")


def _next_page(session: StreamlitSession) -> Awaitable[Page]:
    widget = session.page.widget("number_input", PAGE_LABEL)
    current = widget.value if widget.HasField("value") else widget.default
    if widget.has_max and current + 1 > widget.max:
        raise Skipped
    return session.set_number(PAGE_LABEL, current + 1)


def step_action(session: StreamlitSession, step: str, walk: int) -> Awaitable[Page]:
    """The request of one step of the walk, sent when awaited."""
    if step == "filter":
        return session.set_text(SEARCH_LABEL, FILTER_TEXTS[walk % len(FILTER_TEXTS)])
    if step == "next page":
        return _next_page(session)
    return session.navigate(step)


async def timed(action: Callable[[], Awaitable[Page]], step: str,
                timeout_s: float) -> float:
    """Milliseconds from the request sent to the page finished and checked."""
    start = time.perf_counter()
    page = await asyncio.wait_for(action(), timeout_s)
    elapsed = (time.perf_counter() - start) * 1000
    check(page, step)
    return elapsed


async def sign_in(session: StreamlitSession, account: Account, timeout_s: float) -> float:
    """Open the dashboard and sign in through its form; the form's wait is returned."""
    await session.connect()
    await asyncio.wait_for(session.open(), timeout_s)
    ms = await timed(lambda: session.submit_form(
        "Sign in", {"Username": account.username, "Password": account.password}),
        "Subscription", timeout_s)
    if session.cookie is None:
        raise PageProblem("sign-in", "the page set no sign-in cookie")
    return ms


async def reconnect(session: StreamlitSession, timeout_s: float) -> None:
    """A reload: a new connection that sends the sign-in cookie."""
    await session.close()
    await session.connect()
    page = await asyncio.wait_for(session.open(), timeout_s)
    check(page, "Subscription")


class SessionWalk:
    """One session: signs in, then walks until the deadline, recording every step."""

    def __init__(self, index: int, url: str, account: Account, recorder: Recorder):
        self.index, self.account, self.recorder = index, account, recorder
        self.session = StreamlitSession(url)
        self.walks = 0

    async def sign_in(self, timeout_s: float) -> bool:
        try:
            ms = await sign_in(self.session, self.account, timeout_s)
            self.recorder.wait(self.index, SIGN_IN, ms)
            return True
        except PageProblem as problem:
            self.recorder.fail(self.index, SIGN_IN, "sign-in", str(problem))
        except (TimeoutError, OSError, WebSocketException, ProtocolError, KeyError) as exc:
            self.recorder.fail(self.index, SIGN_IN, "sign-in", repr(exc))
        return False

    async def walk(self, options: WalkOptions) -> None:
        try:
            async for _ in whole_walks(self._step, options):
                self.walks += 1  # only whole walks count
        finally:
            await self.session.close()

    async def _step(self, step: str, options: WalkOptions) -> None:
        try:
            ms = await timed(lambda: step_action(self.session, step, self.walks), step,
                             options.timeout_s)
            self.recorder.wait(self.index, step, ms)
        except Skipped:
            self.recorder.skip(step)
        except PageProblem as problem:
            self.recorder.fail(self.index, step, problem.kind, str(problem))
        except KeyError as exc:  # the widget or menu entry is not there
            self.recorder.fail(self.index, step, "missing", str(exc))
        except TimeoutError:
            self.recorder.fail(self.index, step, "timeout", f"over {options.timeout_s:g} s")
            await self._recover(options)
        except (OSError, WebSocketException, ProtocolError) as exc:
            self.recorder.fail(self.index, step, "disconnect", repr(exc))
            await self._recover(options)

    async def _recover(self, options: WalkOptions) -> None:
        """Connect again (with the cookie), once a second, until it works or the walk's
        time is up; the lost connection was the error, the attempts are not counted."""
        problem: Exception | None = None
        while time.monotonic() < options.deadline:
            try:
                await reconnect(self.session, options.timeout_s)
                return
            except (TimeoutError, OSError, WebSocketException, ProtocolError,
                    PageProblem) as exc:
                problem = exc
                await asyncio.sleep(1.0)
        if problem is not None:
            self.recorder.fail(self.index, "reconnect", "disconnect",
                               f"no connection again before the end: {problem!r}")
