"""Every download asks first: a dialog says how many rows will be exported; OK downloads.

The file is written by the command line's CSV code (licensing_core.exports.csv) only
when OK is pressed, on Streamlit's download thread, so a large export does not hold the
page. The dataframe toolbar's own CSV export is off (client.disableDataExport), so this
dialog is the only way out for table data.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TextIO

import streamlit as st

from licensing_core.ui import formatting
from licensing_core.ui.text import plain

# Writes the CSV to the given text stream and returns the number of rows written.
CsvWriter = Callable[[TextIO], int]


def render_csv(write: CsvWriter) -> bytes:
    """Run the writer and give the file's bytes (UTF-8, CRLF line ends kept as written)."""
    buffer = io.StringIO(newline="")
    write(buffer)
    return buffer.getvalue().encode("utf-8")


@st.dialog("Download")
def _confirm(rows: int, file_name: str, write: CsvWriter) -> None:
    noun = "row" if rows == 1 else "rows"
    st.write(f"**{formatting.count(rows)} {noun}** will be exported to {plain(file_name)}: "
             "exactly the rows that the page's filters show.")
    left, right = st.columns(2)
    with left:
        st.download_button("OK", data=lambda: render_csv(write), file_name=file_name,
                           mime="text/csv", type="primary", on_click="ignore",
                           key="download_ok", icon=":material/download:")
    with right:
        if st.button("Close", key="download_close"):
            st.rerun()


def download_button(rows: int, file_name: str, write: CsvWriter, *, key: str,
                    label: str = "Download") -> None:
    """A Download button that opens the confirmation dialog.

    `write` must already be bound to a checked tenant and the page's filters: it runs on
    another thread when OK is pressed, without the page's session.
    """
    if st.button(label, key=key, icon=":material/download:"):
        _confirm(rows, file_name, write)
