"""The two tenant pages rendered through Streamlit's AppTest, as the largest tenant's admin.

A render is timed with the data caches emptied first (what a person sees when the cache
has expired: every query runs), and again warm (the cached numbers, the page's own cost).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard.py"
HISTORY_PAGE = "pages/consumption_history.py"
SUBSCRIPTION_PAGE = "pages/subscription.py"
# A first render imports plotly and compiles the pages: far longer than AppTest's 3 s.
RENDER_TIMEOUT_S = 300
SECRET = "bench-secret-of-enough-length-for-tokens"


@dataclass(frozen=True)
class PageTimes:
    subscription_ms: float
    history_ms: float
    subscription_warm_ms: float
    history_warm_ms: float


def _render(at: AppTest, page: str, cold: bool) -> float:
    if cold:
        st.cache_data.clear()
    start = time.perf_counter()
    at.switch_page(page).run()
    elapsed = (time.perf_counter() - start) * 1000
    if at.exception:
        raise RuntimeError(f"{page} failed: {at.exception[0].message}")
    return elapsed


@contextmanager
def _environment(url: str) -> Iterator[None]:
    """The dashboard's settings for the renders, restored afterwards."""
    wanted = {"LICENSING_DATABASE_URL": url,
              "LICENSING_SECRET_KEY": os.environ.get("LICENSING_SECRET_KEY") or SECRET}
    saved = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def render_pages(url: str, username: str, password: str) -> PageTimes:
    with _environment(url):
        return _render_both(username, password)


def _render_both(username: str, password: str) -> PageTimes:
    at = AppTest.from_file(str(DASHBOARD), default_timeout=RENDER_TIMEOUT_S).run()
    next(w for w in at.text_input if w.label == "Username").input(username)
    next(w for w in at.text_input if w.label == "Password").input(password)
    next(b for b in at.button if b.label == "Sign in").click()
    at.run()
    if at.exception:
        raise RuntimeError(f"sign-in failed: {at.exception[0].message}")
    for page in (HISTORY_PAGE, SUBSCRIPTION_PAGE):  # warm up imports and compiled scripts
        _render(at, page, cold=True)
    subscription = _render(at, SUBSCRIPTION_PAGE, cold=True)
    subscription_warm = _render(at, SUBSCRIPTION_PAGE, cold=False)
    history = _render(at, HISTORY_PAGE, cold=True)
    history_warm = _render(at, HISTORY_PAGE, cold=False)
    return PageTimes(subscription, history, subscription_warm, history_warm)
