"""The Python path of the exports formatted in SQL, which the tests hold them to: the
page's own read model, page after page, into write_csv (each cell by its kind's Python
rule). Nothing in the application reads rows this way; the downloads format in SQL.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd

from licensing_core.db.engine import Database
from licensing_core.exports.cells import ExportColumns
from licensing_core.exports.csv import write_csv
from licensing_core.queries.common import HistoryPage
from licensing_core.queries.conversations import (
    CONVERSATION_CELLS,
    ConversationFilters,
    conversation_history,
)
from licensing_core.queries.history import consumption_history

# Rows per page: few, so that every export crosses many pages.
REFERENCE_PAGE_ROWS = 7


def pages(read: Callable[[int, int], HistoryPage],
          page_rows: int = REFERENCE_PAGE_ROWS) -> Iterator[pd.DataFrame]:
    """Every row the read model gives, a page of `page_rows` at a time, in its order."""
    offset = 0
    while True:
        rows = read(page_rows, offset).rows
        if not rows.empty:
            yield rows
        if len(rows) < page_rows:
            return
        offset += page_rows


def iter_consumption_history(db: Database, tenant_id: str, term_id: int, *,
                             page_rows: int = REFERENCE_PAGE_ROWS,
                             **options: Any) -> Iterator[pd.DataFrame]:
    """The Consumption History page's rows (its filters and sort in `options`)."""
    return pages(lambda limit, offset: consumption_history(
        db, tenant_id, term_id, limit=limit, offset=offset, **options), page_rows)


NO_CONVERSATION_FILTERS = ConversationFilters()


def iter_conversation_history(db: Database, tenant_id: str, *,
                              filters: ConversationFilters = NO_CONVERSATION_FILTERS,
                              page_rows: int = REFERENCE_PAGE_ROWS) -> Iterator[pd.DataFrame]:
    """The Conversation History page's rows for the filters."""
    return pages(lambda limit, offset: conversation_history(
        db, tenant_id, filters=filters, limit=limit, offset=offset), page_rows)


def reference_csv(frames: Iterator[pd.DataFrame], columns: ExportColumns) -> tuple[str, int]:
    """The frames through write_csv: the text and the number of rows."""
    out = io.StringIO(newline="")
    rows = write_csv(frames, out, columns)
    return out.getvalue(), rows


def reference_conversations(db: Database, tenant_id: str,
                            filters: ConversationFilters = NO_CONVERSATION_FILTERS,
                            ) -> tuple[str, int]:
    return reference_csv(iter_conversation_history(db, tenant_id, filters=filters),
                         CONVERSATION_CELLS)


__all__ = ["REFERENCE_PAGE_ROWS", "iter_consumption_history", "iter_conversation_history",
           "pages", "reference_conversations", "reference_csv"]
