"""The CSV writer: exact text out, as a spreadsheet or another program will read it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from licensing_core.exports.cells import CellKind, defuse, format_cell, iso_local
from licensing_core.exports.csv import write_csv

INTEGER, TEXT, LOCAL_TIME = CellKind.INTEGER, CellKind.TEXT, CellKind.LOCAL_TIME
# The kind of each column these tests write.
KINDS = {"Name": TEXT, "Note": TEXT, "User Name": TEXT, "User ID": TEXT, "a": TEXT,
         "Quantity": INTEGER, "Conversations": INTEGER, "Messages": INTEGER, "b": INTEGER,
         "n": INTEGER, "Ended On": LOCAL_TIME}


def _written(frames: list[pd.DataFrame], columns: list[str]) -> tuple[str, int]:
    out = io.StringIO(newline="")
    rows = write_csv(frames, out, {c: KINDS[c] for c in columns})
    return out.getvalue(), rows


@pytest.mark.parametrize("text", ["=cmd()", "+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_text_that_a_spreadsheet_would_run_is_prefixed_with_a_quote(text: str) -> None:
    assert defuse(text) == "'" + text


@pytest.mark.parametrize("text", ["", "alice", "a=b", "1+1", " =x", "'=x", "é"])
def test_ordinary_text_is_left_as_it_is(text: str) -> None:
    assert defuse(text) == text


def test_the_header_and_rows_end_with_crlf_and_numbers_are_plain() -> None:
    frame = pd.DataFrame({"Name": ["alice", "bob"], "Quantity": [50, -20]})
    text, rows = _written([frame], ["Name", "Quantity"])
    assert text == "Name,Quantity\r\nalice,50\r\nbob,-20\r\n"
    assert rows == 2


def test_cells_with_commas_quotes_and_line_breaks_are_quoted_as_rfc_4180_says() -> None:
    frame = pd.DataFrame({"Note": ['say "hi"', "a,b", "two\nlines", "plain"]})
    text, _ = _written([frame], ["Note"])
    assert text == 'Note\r\n"say ""hi"""\r\n"a,b"\r\n"two\nlines"\r\nplain\r\n'


def test_a_formula_in_a_text_cell_is_defused_but_a_negative_number_is_not() -> None:
    frame = pd.DataFrame({"User Name": ["=cmd()", "-20", "@x", "+1,2"],
                          "Conversations": [1, -2, 3, 4]})
    text, _ = _written([frame], ["User Name", "Conversations"])
    assert text == ("User Name,Conversations\r\n'=cmd(),1\r\n'-20,-2\r\n'@x,3\r\n"
                    "\"'+1,2\",4\r\n")


def test_a_tab_or_carriage_return_at_the_start_is_defused_and_quoted_when_needed() -> None:
    frame = pd.DataFrame({"Note": ["\tTAB", "\rCR"]})
    text, _ = _written([frame], ["Note"])
    assert text == "Note\r\n'\tTAB\r\n\"'\rCR\"\r\n"


def test_missing_values_are_empty_cells() -> None:
    paris = ZoneInfo("Europe/Paris")
    frame = pd.DataFrame({
        "Messages": pd.array([3, None], dtype="Int64"),
        "Ended On": pd.Series([None, datetime(2026, 3, 1, 8, 30, 5, 900_000)], dtype=object)
        .astype("datetime64[us]").dt.tz_localize("UTC").dt.tz_convert(paris),
        "Note": ["x", None]})
    text, _ = _written([frame], ["Messages", "Ended On", "Note"])
    assert text == "Messages,Ended On,Note\r\n3,,x\r\n,2026-03-01T09:30:05+01:00,\r\n"


def test_only_the_columns_asked_for_are_written_in_the_order_asked() -> None:
    frame = pd.DataFrame({"b": [1], "hidden": ["x"], "a": ["y"]})
    text, _ = _written([frame], ["a", "b"])
    assert text == "a,b\r\ny,1\r\n"


def test_no_frames_give_the_header_alone() -> None:
    text, rows = _written([], ["User ID", "Conversations"])
    assert text == "User ID,Conversations\r\n"
    assert rows == 0


def test_frames_are_written_one_after_another_as_they_come() -> None:
    seen: list[int] = []
    out = io.StringIO(newline="")

    def frames() -> Iterator[pd.DataFrame]:
        for i in range(3):
            # the rows of earlier frames are already out when the next one is made
            seen.append(out.getvalue().count("\r\n"))
            yield pd.DataFrame({"n": [i, i]})

    assert write_csv(frames(), out, {"n": INTEGER}) == 6
    assert seen == [1, 3, 5]
    assert out.getvalue() == "n\r\n0\r\n0\r\n1\r\n1\r\n2\r\n2\r\n"


def test_unicode_text_round_trips_through_the_csv_module() -> None:
    frame = pd.DataFrame({"User Name": ["Zoë Ångström", "=1+1"], "Conversations": [2, 0]})
    text, _ = _written([frame], ["User Name", "Conversations"])
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["User Name", "Conversations"], ["Zoë Ångström", "2"], ["'=1+1", "0"]]


PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(("kind", "value", "expected"), [
    (INTEGER, 7, "7"), (INTEGER, -3, "-3"), (INTEGER, None, ""), (INTEGER, pd.NA, ""),
    (TEXT, "-x", "'-x"), (TEXT, "-20", "'-20"), (TEXT, "", ""), (TEXT, None, ""),
    (TEXT, float("nan"), ""),
    (LOCAL_TIME, datetime(2026, 3, 1, 9, 30, 59, 999_999, tzinfo=PARIS),
     "2026-03-01T09:30:59+01:00"),
    (LOCAL_TIME, pd.Timestamp("2026-07-01 20:00", tz="UTC").tz_convert("Asia/Kolkata"),
     "2026-07-02T01:30:00+05:30"),
    (LOCAL_TIME, pd.NaT, ""),
])
def test_one_cell_is_formatted_by_its_kind(kind: CellKind, value: object,
                                           expected: str) -> None:
    assert format_cell(kind, value) == expected


@pytest.mark.parametrize(("kind", "value"), [
    (INTEGER, 2.5), (INTEGER, True), (INTEGER, "7"), (TEXT, 7),
    (LOCAL_TIME, "2026-03-01T09:30:00+01:00"), (LOCAL_TIME, datetime(2026, 3, 1, 8, 30)),
])
def test_a_value_not_of_its_columns_kind_is_refused(kind: CellKind, value: object) -> None:
    """A column given the wrong kind fails the export rather than writing other bytes."""
    with pytest.raises(TypeError, match=f"not a value of a {kind.value} cell"):
        format_cell(kind, value)


def test_stored_instants_read_in_the_tenants_zone_to_the_second() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")
    assert iso_local(datetime(2026, 3, 1, 8, 30), PARIS) == "2026-03-01T09:30:00+01:00"
    assert iso_local(datetime(2026, 7, 1, 8, 30, 5, 123456), PARIS) == (
        "2026-07-01T10:30:05+02:00")
    assert iso_local(datetime(2026, 7, 1, 20, 0), kolkata) == "2026-07-02T01:30:00+05:30"
    assert iso_local(datetime(2026, 7, 1, 20, 0, tzinfo=UTC).astimezone(kolkata)) == (
        "2026-07-02T01:30:00+05:30")
    with pytest.raises(TypeError, match="needs the zone"):
        iso_local(datetime(2026, 7, 1, 20, 0))
