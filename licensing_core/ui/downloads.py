"""Every download asks first: a dialog says how many rows will be exported and which
filters select them; OK downloads the file and closes the dialog.

The file is written by the command line's CSV code (licensing_core.exports.csv) only
when OK is pressed, on Streamlit's download thread, so a large export does not hold the
page. The dataframe toolbar's own CSV export is off (client.disableDataExport), so this
dialog is the only way out for table data.

OK does not rerun the page: a rerun that removed the dialog before the browser asked for
the file dropped the file with its button (on a busy server the browser then saved an
error under a random name). The dialog closes itself once the file is made and the
browser has had it a moment (`_close_once_made`, polling the dialog alone).
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Sequence
from typing import TextIO

import streamlit as st

from licensing_core.ui import formatting
from licensing_core.ui.text import plain

# Writes the CSV to the given text stream and returns the number of rows written.
CsvWriter = Callable[[TextIO], int]
# The open dialog's file: when it was made (monotonic seconds), once it is.
MADE_KEY = "_licensing_download_made"
# How often the open dialog looks whether its file is made, and how long after that it
# stays open (the browser fetches the made file: one round trip).
CLOSE_CHECK_S = 0.5
CLOSE_AFTER_S = 1.0
NO_FILTERS = "No filters: every row is exported."


def render_csv(write: CsvWriter) -> bytes:
    """Run the writer and give the file's bytes (UTF-8, CRLF line ends kept as written)."""
    buffer = io.StringIO(newline="")
    write(buffer)
    return buffer.getvalue().encode("utf-8")


def filters_text(applied: Sequence[str]) -> str:
    """The filters a download applies, in one sentence (each already Markdown-safe)."""
    if not applied:
        return NO_FILTERS
    return "Filters applied: " + "; ".join(applied) + "."


def _made(write: CsvWriter, made: list[float]) -> bytes:
    """The file's bytes (on the download thread); notes when they were made."""
    data = render_csv(write)
    made.append(time.monotonic())
    return data


@st.fragment(run_every=CLOSE_CHECK_S)
def _close_once_made(made: list[float]) -> None:
    """Rerun the whole page, which no longer opens the dialog, a moment after the file
    was made."""
    if made and time.monotonic() - made[0] >= CLOSE_AFTER_S:
        st.rerun(scope="app")


@st.dialog("Download")
def _confirm(rows: int, file_name: str, write: CsvWriter, applied: Sequence[str]) -> None:
    made: list[float] = st.session_state.setdefault(MADE_KEY, [])
    noun = "row" if rows == 1 else "rows"
    st.write(f"**{formatting.count(rows)} {noun}** will be exported to {plain(file_name)}: "
             "exactly the rows that the page's filters show.")
    st.write(filters_text(applied))
    left, right = st.columns(2)
    with left:
        st.download_button("OK", data=lambda: _made(write, made), file_name=file_name,
                           mime="text/csv", type="primary", on_click="ignore",
                           key="download_ok", icon=":material/download:")
    with right:
        if st.button("Close", key="download_close"):
            st.rerun()
    _close_once_made(made)


def download_button(rows: int, file_name: str, write: CsvWriter, *, key: str,
                    label: str = "Download", applied: Sequence[str] = ()) -> None:
    """A Download button that opens the confirmation dialog.

    `write` must already be bound to a checked tenant and the page's filters: it runs on
    another thread when OK is pressed, without the page's session. `applied` names those
    filters in words (Markdown-safe: text from input through `plain`).
    """
    if st.button(label, key=key, icon=":material/download:"):
        st.session_state[MADE_KEY] = []  # a new dialog: its file is not made yet
        _confirm(rows, file_name, write, tuple(applied))
