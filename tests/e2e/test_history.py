"""Consumption History: a text filter, every column in view at 1400 px, a count that opens
its conversations in one click, and a download through the confirmation dialog that says
which filters it applies, closes after OK and holds exactly the rows the filters show.

The table is drawn on a canvas; what the file is compared with is the page's row count
("Showing 1–50 of N rows"), the rows the grid exposes to screen readers (its accessible
table holds the rows and columns in view) and the service's result for the same filters.
"""

import csv
import io
import re
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from licensing_core.exports.cells import format_cell
from licensing_core.queries.history import SESSION_CELLS, HistoryFilters, consumption_history
from licensing_core.queries.summary import subscription_summary
from licensing_core.ui.formatting import local_time
from tests.e2e.conftest import heading, settled, sidebar_link, sign_in

pytestmark = pytest.mark.e2e

# The spec's columns of a session-based consumption export, in order.
SESSION_COLUMNS = ["Session ID", "Started On", "Initiated By", "User Name", "Email", "Role",
                   "Agent Name", "Channel", "Conversations"]
SEARCH = "haddad"  # a family name several of Acme's demo users share
PAGE_ROWS = 50  # the page's default page size
NARROW = {"width": 1400, "height": 900}  # the window the columns are sized for
ROW_PX = 35  # the grid's header and row height (Streamlit's default)


def total_rows(demo, filters: HistoryFilters) -> int:
    term_id = subscription_summary(demo.db, "acme").term_id
    return consumption_history(demo.db, "acme", term_id, filters=filters, limit=1).total_rows


def showing(total: int) -> str:
    """The page's row count text for the first page of `total` rows."""
    window = f"1–{min(PAGE_ROWS, total):,}" if total else "0"
    return f"Showing {window} of {total:,} rows"


def row_count(page: Page) -> Locator:
    return page.get_by_test_id("stMain").get_by_text(re.compile(r"^Showing .* of .* rows$"))


def shown_rows(page: Page) -> list[dict[str, str]]:
    """The rows in view in the page's table, by column, from the grid's accessible table."""
    grid = accessible_grid(page)
    header = grid.locator("th[role=columnheader]").all_inner_texts()
    return [dict(zip(header, row.locator("td[role=gridcell]").all_inner_texts(), strict=True))
            for row in grid.locator("tbody tr[role=row]").all()]


def accessible_grid(page: Page) -> Locator:
    """The grid's table for screen readers (hidden from sight, so found by CSS)."""
    return page.get_by_test_id("stDataFrame").locator("table[role=grid]")


def link_count(url: str) -> str:
    """The count a Conversations link shows (its `conversations` parameter)."""
    return parse_qs(urlsplit(url).query)["conversations"][0]


def open_history(page: Page) -> None:
    sidebar_link(page, "Consumption History").click()
    expect(heading(page, "License Consumption History")).to_be_visible()
    settled(page)


def grid_widths(page: Page) -> dict[str, float]:
    """The grid's content width and the width it shows (its scroller's) and its scroll."""
    scroller = page.get_by_test_id("stDataFrame").locator(".dvn-scroller")
    return scroller.evaluate(
        "s => ({content: s.scrollWidth, visible: s.clientWidth, left: s.scrollLeft})")


def search(page: Page, text: str) -> None:
    box = page.get_by_role("textbox", name="Search user or email")
    box.fill(text)
    box.press("Enter")


def test_filtering_consumption_history_by_text_changes_the_row_count(new_page, demo):
    everything = total_rows(demo, HistoryFilters())
    matching = total_rows(demo, HistoryFilters(text=SEARCH))
    assert 0 < matching < everything
    page = sign_in(new_page(), "acme-admin")
    sidebar_link(page, "Consumption History").click()
    expect(heading(page, "License Consumption History")).to_be_visible()
    expect(row_count(page)).to_have_text(showing(everything))

    search(page, SEARCH.upper())  # case does not matter
    expect(row_count(page)).to_have_text(showing(matching))
    search(page, "")
    expect(row_count(page)).to_have_text(showing(everything))
    search(page, "no-such-user-anywhere")
    expect(row_count(page)).to_have_text(showing(0))


def test_the_download_through_the_confirmation_dialog_holds_exactly_the_filtered_rows(
        new_page, demo):
    filters = HistoryFilters(text=SEARCH)
    summary = subscription_summary(demo.db, "acme")
    expected = consumption_history(demo.db, "acme", summary.term_id, filters=filters,
                                   limit=total_rows(demo, filters)).rows
    page = sign_in(new_page(), "acme-admin")
    page.get_by_test_id("stMain").get_by_role("button", name="History", exact=True).click()
    expect(heading(page, "License Consumption History")).to_be_visible()
    search(page, SEARCH)
    expect(row_count(page)).to_have_text(showing(len(expected)))
    settled(page)
    grid = accessible_grid(page)
    expect(grid).to_have_attribute("aria-rowcount", str(min(PAGE_ROWS, len(expected)) + 1))
    expect(grid.locator("td[role=gridcell]").first).to_have_text(expected["Session ID"].iloc[0])
    shown = shown_rows(page)
    assert len(shown) >= 5
    counted = re.fullmatch(r"Showing .* of ([\d,]+) rows", row_count(page).inner_text())
    assert counted is not None

    page.get_by_test_id("stMain").get_by_role("button", name="Download", exact=True).click()
    dialog = page.get_by_role("dialog")
    file_name = f"consumption_acme_{summary.start_date}_{summary.end_date}.csv"
    expect(dialog).to_contain_text(f"{len(expected):,} rows will be exported to {file_name}")
    expect(dialog).to_contain_text(
        f"Filters applied: term {summary.start_date} – {summary.end_date} · Session-based · "
        f"Active; user or email containing “{SEARCH}”.")
    with page.expect_download() as started:
        dialog.get_by_role("button", name="OK", exact=True).click()
    expect(dialog).to_be_hidden()  # OK closes the dialog ...
    download = started.value  # ... and the file still arrives
    assert download.suggested_filename == file_name
    assert download.failure() is None
    text = download.path().read_bytes().decode("utf-8")

    assert text.endswith("\r\n")  # RFC 4180 line ends
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    assert header == SESSION_COLUMNS
    assert len(rows) == int(counted[1].replace(",", ""))  # the N of "Showing 1–50 of N rows"
    for on_page, in_file in zip(shown, rows, strict=False):  # the rows in view, in order
        in_file_by_column = dict(zip(header, in_file, strict=True))
        in_file_by_column["Started On"] = local_time(
            datetime.fromisoformat(in_file_by_column["Started On"]), summary.timezone)
        on_page["Conversations"] = link_count(on_page["Conversations"]).replace(",", "")
        assert on_page == {k: in_file_by_column[k] for k in on_page}
    wanted = [[format_cell(kind, v) for kind, v in zip(SESSION_CELLS.values(), row, strict=True)]
              for row in expected.itertuples(index=False)]
    assert rows == wanted  # every row, as the service gives it for the same filters
    assert all(SEARCH in (r[3] + r[4]).lower() for r in rows)


def test_at_1400_px_every_column_is_in_view_without_scrolling(new_page):
    page = sign_in(new_page(), "acme-admin")
    page.set_viewport_size(NARROW)
    open_history(page)
    header = accessible_grid(page).locator("th[role=columnheader]")
    expect(header).to_have_text(SESSION_COLUMNS)  # all nine drawn, Conversations last
    # The header row is drawn on the canvas: Conversations, the last column, lies inside
    # the grid's visible box when the columns' width is no more than the width shown.
    widths = grid_widths(page)
    assert widths["left"] == 0 and widths["content"] <= widths["visible"], widths


def test_one_click_on_a_sessions_count_opens_its_conversations(new_page, demo):
    summary = subscription_summary(demo.db, "acme")
    first = consumption_history(demo.db, "acme", summary.term_id, limit=1).rows.iloc[0]
    session_id, count = first["Session ID"], int(first["Conversations"])
    page = sign_in(new_page(), "acme-admin")
    page.set_viewport_size(NARROW)
    open_history(page)
    canvas = page.get_by_test_id("stDataFrame").get_by_test_id("data-grid-canvas")
    box = canvas.bounding_box()
    assert box is not None
    # The first row's count, right-aligned in the last column: just inside the padding.
    right = box["x"] + min(box["width"], grid_widths(page)["content"])
    x, y = right - 11, box["y"] + ROW_PX + ROW_PX / 2
    page.mouse.move(x, y)  # a person's pointer reaches the count before it clicks
    expect(canvas.first).to_have_css("cursor", "pointer")  # the count is a link
    with page.context.expect_page() as opened:
        page.mouse.click(x, y)
    conversations = opened.value
    expect(heading(conversations, "Conversation History")).to_be_visible()
    expect(conversations.get_by_label("Session ID")).to_have_value(session_id)
    expect(row_count(conversations)).to_have_text(showing(count))
    assert parse_qs(urlsplit(conversations.url).query)["session_id"] == [session_id]
