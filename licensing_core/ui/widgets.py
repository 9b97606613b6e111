"""Controls the history pages share: the term picker, paging in the database, sorting."""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from datetime import date
from typing import TypeVar

import streamlit as st

from licensing_core.domain.limits import plain_whole_number
from licensing_core.errors import NotFound, Refused
from licensing_core.queries.terms import TermInfo
from licensing_core.ui import data, formatting, labels
from licensing_core.ui.context import TenantContext

TERM_PARAM = "term"
PAGE_SIZES = (25, 50, 100, 200)  # rows per page; 200 keeps a page quick to send and read
DEFAULT_PAGE_SIZE = 50
DEFAULT_ORDER = "Default order"

P = TypeVar("P")


def term_label(term: TermInfo) -> str:
    """E.g. "2026-07-01 – 2027-06-30 · Session-based · Active"."""
    return (f"{formatting.day(term.start_date)} – {formatting.day(term.end_date)} · "
            f"{labels.license_type(term.license_type)} · {labels.term_state(term.state)}")


def days_text(start: date | None, end: date | None) -> str:
    """A date filter in words: "on 2026-07-01", "between 2026-07-01 and 2026-07-31"."""
    if start is None:
        return f"until {formatting.day(end)}" if end else ""
    if end is None:
        return f"from {formatting.day(start)}"
    if start == end:
        return f"on {formatting.day(start)}"
    return f"between {formatting.day(start)} and {formatting.day(end)}"


def term_picker(ctx: TenantContext, *, key: str) -> TermInfo:
    """The term a page shows: the current one unless the person picks a past (or next) one.

    A `term` query parameter (a deep link) must name a term of this tenant; the choice is
    kept in the URL and remembered per tenant while the person moves between pages.
    """
    terms = data.terms(ctx)
    if not terms:
        raise NotFound(f"tenant {ctx.tenant_id!r} has no term")
    by_id = {t.term_id: t for t in terms}
    remembered, seen = f"_licensing_term_{ctx.tenant_id}", f"_licensing_term_link_{ctx.tenant_id}"
    widget = f"{key}_{ctx.tenant_id}"
    requested = st.query_params.get(TERM_PARAM)
    if requested and requested != st.session_state.get(seen):
        term_id = plain_whole_number(requested)
        if term_id not in by_id:
            raise NotFound(f"this tenant has no term {requested}")
        st.session_state[remembered] = st.session_state[widget] = term_id
    chosen = st.session_state.get(remembered)
    if chosen not in by_id:
        chosen = data.summary(ctx).term_id
    if st.session_state.get(widget) not in by_id:
        st.session_state[widget] = chosen
    picked = st.selectbox("Term", list(by_id), key=widget,
                          format_func=lambda term_id: term_label(by_id[term_id]))
    st.session_state[remembered] = picked
    st.query_params[TERM_PARAM] = st.session_state[seen] = str(picked)
    return by_id[picked]


def sort_picker(columns: Sequence[str], *, key: str) -> tuple[str | None, bool]:
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    with left:
        chosen = st.selectbox("Sort by", [DEFAULT_ORDER, *columns], key=f"{key}_sort")
    with right:
        descending = st.toggle("Descending", key=f"{key}_desc")
    return (None, False) if chosen == DEFAULT_ORDER else (chosen, descending)


def paged(key: str, signature: Hashable, load: Callable[[int, int], P],
          total_of: Callable[[P], int]) -> tuple[P, int, int]:
    """Load the page the person is on; a change of filters (signature) goes back to page 1.

    Returns the result, the offset and the page size. The controls come from
    `page_controls`, drawn after this call so that they know the number of rows.
    """
    size_key, page_key, sig_key = f"{key}_size", f"{key}_page", f"{key}_sig"
    if st.session_state.get(sig_key) != signature:
        st.session_state[sig_key] = signature
        st.session_state[page_key] = 1
    size = st.session_state.get(size_key, DEFAULT_PAGE_SIZE)
    page = max(1, int(st.session_state.get(page_key, 1)))
    result = load(size, (page - 1) * size)
    last = max(1, math.ceil(total_of(result) / size))
    if page > last:  # fewer rows than before (filters, a change): show the last page
        page = last
        result = load(size, (page - 1) * size)
    st.session_state[page_key] = page
    return result, (page - 1) * size, size


def page_controls(key: str, total: int, offset: int, shown: int) -> None:
    """Rows per page, page number, and "Showing a–b of N rows"."""
    size = st.session_state.get(f"{key}_size", DEFAULT_PAGE_SIZE)
    last = max(1, math.ceil(total / size))
    a, b, c = st.columns([1, 1, 3], vertical_alignment="bottom")
    with a:
        st.selectbox("Rows per page", PAGE_SIZES, key=f"{key}_size",
                     index=PAGE_SIZES.index(DEFAULT_PAGE_SIZE))
    with b:
        st.number_input("Page", min_value=1, max_value=last, step=1, key=f"{key}_page")
    with c:
        window = (f"{formatting.count(offset + 1)}–{formatting.count(offset + shown)}"
                  if shown else "0")
        st.markdown(f"Showing **{window}** of **{formatting.count(total)}** rows")


def parse_day_param(name: str) -> date | None:
    """A YYYY-MM-DD query parameter as a date (None when absent)."""
    raw = st.query_params.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Refused(f"{name} must be a date as YYYY-MM-DD, not {raw!r}") from None


def date_range(label: str, *, key: str, min_value: date | None = None,
               max_value: date | None = None) -> tuple[date | None, date | None]:
    """A from–to date input, empty at first; gives (from, to), None where not chosen.

    Seed its value by setting st.session_state[key] to a tuple before calling.
    """
    if key not in st.session_state:
        st.session_state[key] = ()
    picked = st.date_input(label, key=key, min_value=min_value, max_value=max_value,
                           format="YYYY-MM-DD")
    if isinstance(picked, tuple | list):
        start = picked[0] if len(picked) > 0 else None
        end = picked[1] if len(picked) > 1 else start
        return start, end
    return picked, picked
