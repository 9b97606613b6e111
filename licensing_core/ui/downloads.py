"""Every download asks first: a dialog says how many rows will be exported and which
filters select them; OK downloads the file and closes the dialog.

The file is written by the command line's CSV code (licensing_core.exports.csv) only
when OK is pressed, on Streamlit's download thread, so a large export does not hold the
page. The dataframe toolbar's own CSV export is off (client.disableDataExport), so this
dialog is the only way out for table data.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import TextIO

import streamlit as st

from licensing_core.ui import formatting
from licensing_core.ui.text import plain

# Writes the CSV to the given text stream and returns the number of rows written.
CsvWriter = Callable[[TextIO], int]
# Set by OK's click; the dialog's next run closes it (before OK is drawn again).
DONE_KEY = "_licensing_download_done"
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


def _downloaded() -> None:
    st.session_state[DONE_KEY] = True


@st.dialog("Download")
def _confirm(rows: int, file_name: str, write: CsvWriter, applied: Sequence[str]) -> None:
    if st.session_state.pop(DONE_KEY, False):
        # OK was pressed: its file is on its way. Rerun the whole page, which no longer
        # opens the dialog. OK is not drawn again first, so the click's file stays.
        st.rerun()
    noun = "row" if rows == 1 else "rows"
    st.write(f"**{formatting.count(rows)} {noun}** will be exported to {plain(file_name)}: "
             "exactly the rows that the page's filters show.")
    st.write(filters_text(applied))
    left, right = st.columns(2)
    with left:
        st.download_button("OK", data=lambda: render_csv(write), file_name=file_name,
                           mime="text/csv", type="primary", on_click=_downloaded,
                           key="download_ok", icon=":material/download:")
    with right:
        if st.button("Close", key="download_close"):
            st.rerun()


def download_button(rows: int, file_name: str, write: CsvWriter, *, key: str,
                    label: str = "Download", applied: Sequence[str] = ()) -> None:
    """A Download button that opens the confirmation dialog.

    `write` must already be bound to a checked tenant and the page's filters: it runs on
    another thread when OK is pressed, without the page's session. `applied` names those
    filters in words (Markdown-safe: text from input through `plain`).
    """
    if st.button(label, key=key, icon=":material/download:"):
        st.session_state.pop(DONE_KEY, None)
        _confirm(rows, file_name, write, tuple(applied))
