"""Texts as one Arrow array, for pyarrow's kernels: pandas' string methods add tens of
microseconds a call, which a file of a few rows pays as fully as one of thousands."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa


def arrow_texts(values: Any) -> pa.Array:
    """Texts (a Series of them, a categorical's values included, a sequence, or Arrow texts
    already) as one Arrow array (a Series joined from several holds several chunks)."""
    if isinstance(values, pa.Array):
        return values
    if isinstance(values, pd.Series) and values.dtype != "str":
        values = values.astype("str")
    texts = values if isinstance(values, pa.ChunkedArray) else pa.array(
        values, type=pa.large_string())
    return texts.combine_chunks() if isinstance(texts, pa.ChunkedArray) else texts
