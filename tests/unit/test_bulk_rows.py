"""Rows written in bulk on SQLite hold timestamps in the very text SQLAlchemy stores, so
that ORM reads and SQL comparisons see the same values as for rows the ORM wrote."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from licensing_core.db.bulk import frame_rows

MOMENTS = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1))


@given(st.lists(st.one_of(st.none(), MOMENTS), max_size=40))
def test_timestamps_are_written_as_sqlalchemy_stores_them_on_sqlite(moments):
    stored_as = sqlite.DATETIME().bind_processor(sqlite.dialect())
    frame = pd.DataFrame({"at": pd.Series(moments, dtype="datetime64[us]")})
    assert [row[0] for row in frame_rows(frame, ["at"])] == [
        None if moment is None else stored_as(moment) for moment in moments]


@given(st.lists(st.one_of(st.none(), st.text()), max_size=40),
       st.lists(st.one_of(st.none(), st.integers(-2**31, 2**31 - 1)), max_size=40))
def test_texts_and_counts_are_written_as_given_and_a_missing_one_as_null(texts, counts):
    frame = pd.DataFrame({"text": pd.Series(texts, dtype="str")})
    assert [row[0] for row in frame_rows(frame, ["text"])] == texts
    numbers = pd.DataFrame({"count": pd.Series(counts, dtype="Int64")})
    written = [row[0] for row in frame_rows(numbers, ["count"])]
    assert written == counts and all(type(v) in (int, type(None)) for v in written)
