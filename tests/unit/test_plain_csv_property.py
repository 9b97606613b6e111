"""A plain CSV (one line a row, no quotes) read by pyarrow's reader gives the very rows,
lines, dtypes and problems that pandas' path gives, for well-formed and careless files."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from licensing_core.ingest import readers
from licensing_core.ingest.validation import CONVERSATION_FIELDS

# Values a careless export holds: spaces and tabs around, other scripts, the words a
# reader might take for a missing value; never a comma, a quote or a line break.
values = st.one_of(
    st.sampled_from(["", " ", "\t", "NA", "null", "NaN", "None", "#", "x y", " c1 "]),
    st.text(st.characters(blacklist_characters=',"\r\n', blacklist_categories=["Cs"]),
            max_size=8),
)
headers = st.lists(st.sampled_from([*CONVERSATION_FIELDS, "extra", " user_id ", "User_ID"]),
                   min_size=1, max_size=9).filter(lambda h: "conversation_id" in h)


@st.composite
def plain_files(draw: st.DrawFn) -> str:
    header = draw(headers)
    width = len(header)
    rows = draw(st.lists(st.one_of(
        st.lists(values, min_size=width, max_size=width),  # as wide as the header
        st.lists(values, min_size=1, max_size=width + 2),  # a short or a long row
        st.just([""] * width),  # a spreadsheet's blank row
    ), max_size=12))
    body = "\n".join([",".join(header), *(",".join(r) for r in rows)])
    return body + draw(st.sampled_from(["", "\n"]))


def _read(path: Path, chunk_rows: int) -> list[tuple[dict, list]]:
    try:
        return [(chunk.rows.to_dict("list"), [*chunk.rows.dtypes.astype(str)], chunk.problems)
                for chunk in readers.read_chunks(path, CONVERSATION_FIELDS,
                                                 ["conversation_id"], chunk_rows)]
    except readers.UnreadableFile as exc:
        return [("unreadable", exc.problems)]


@settings(max_examples=300, deadline=None)
@given(plain_files(), st.sampled_from([1, 3, 1000]), st.booleans())
def test_a_plain_csv_reads_as_pandas_path_reads_it(text: str, chunk_rows: int,
                                                   bom: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.csv"
        path.write_bytes(("\ufeff" if bom else "").encode() + text.encode())
        fast = _read(path, chunk_rows)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(readers, "_plain_table", lambda *_: None)
            expected = _read(path, chunk_rows)
    assert fast == expected


def test_a_plain_csv_goes_through_pyarrow(monkeypatch, tmp_path) -> None:
    """The fast path is taken for a plain file (or the property above tests nothing)."""
    path = tmp_path / "c.csv"
    path.write_text("conversation_id,user_id\nc1,u1\nc2,u2\n")
    read = []
    plain = readers._plain_table
    monkeypatch.setattr(readers, "_plain_table", lambda *a: read.append(a) or plain(*a))
    rows = pd.concat([c.rows for c in readers.read_chunks(path, CONVERSATION_FIELDS)])
    assert rows["conversation_id"].tolist() == ["c1", "c2"] and len(read) == 1
