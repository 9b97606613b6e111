"""Reading usage files: rows come out as text with the line an editor shows for them."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from licensing_core.ingest.readers import (
    MAX_COLUMNS,
    MAX_LINE_BYTES,
    UnreadableFile,
    path_problem,
    read_chunks,
)
from licensing_core.ingest.validation import USER_FIELDS
from tests.fixtures_data import user, write_csv, write_jsonl, write_text


def read(path: Path, chunk_rows: int = 1000) -> tuple[list[dict], list[tuple[int, str]]]:
    rows: list[dict] = []
    problems: list[tuple[int, str]] = []
    for chunk in read_chunks(path, USER_FIELDS, ["user_id"], chunk_rows=chunk_rows):
        rows += chunk.rows.to_dict("records")
        problems += chunk.problems
    return rows, problems


def lines_and_ids(path: Path, chunk_rows: int = 1000) -> list[tuple[int, str]]:
    return [(row["line"], row["user_id"]) for row in read(path, chunk_rows)[0]]


def test_csv_rows_are_numbered_from_line_2_after_the_header(tmp_path):
    path = write_csv(tmp_path / "u.csv", [user("u1"), user("u2")])
    assert lines_and_ids(path) == [(2, "u1"), (3, "u2")]


def test_a_value_spanning_lines_shifts_the_lines_of_the_rows_after_it(tmp_path):
    path = write_text(tmp_path / "u.csv",
                      'user_id,user_name\nu1,"Ann\nMarie"\nu2,"Bob\r\nby\r\nthe sea"\nu3,Cy\n')
    assert lines_and_ids(path) == [(2, "u1"), (4, "u2"), (7, "u3")]


def test_blank_lines_and_rows_of_empty_cells_are_skipped_but_counted_as_lines(tmp_path):
    path = write_text(tmp_path / "u.csv", "user_id,user_name\n\nu1,A\n,\n   \nu2,B\n\n")
    assert lines_and_ids(path) == [(3, "u1"), (6, "u2")]


def test_a_byte_order_mark_before_the_header_is_ignored(tmp_path):
    path = tmp_path / "u.csv"
    path.write_bytes("\ufeffuser_id,email\nu1,a@acme.test\n".encode())
    assert read(path)[0][0]["user_id"] == "u1"


def test_header_names_match_whatever_their_case_and_spacing(tmp_path):
    path = write_text(tmp_path / "u.csv", "User ID, First Name ,EMAIL,Notes\nu1,Ann,a@x.io,hi\n")
    row = read(path)[0][0]
    assert (row["user_id"], row["first_name"], row["email"]) == ("u1", "Ann", "a@x.io")


def test_values_are_stripped_and_a_missing_column_reads_as_not_given(tmp_path):
    path = write_text(tmp_path / "u.csv", "user_id,role\n  u1 , admin \n")
    row = read(path)[0][0]
    assert (row["user_id"], row["role"]) == ("u1", "admin")
    assert row["email"] != row["email"]  # NaN: the file has no email column


def test_a_header_without_a_required_column_is_refused_at_line_1(tmp_path):
    path = write_text(tmp_path / "u.csv", "id,name\nu1,A\n")
    with pytest.raises(UnreadableFile) as refused:
        read(path)
    assert refused.value.problems == [(1, "missing column user_id in the header")]


def test_a_column_named_twice_is_refused(tmp_path):
    path = write_text(tmp_path / "u.csv", "user_id,email,Email\nu1,a@x.io,b@x.io\n")
    with pytest.raises(UnreadableFile, match="column email appears more than once"):
        read(path)


def test_an_empty_file_is_refused_as_having_no_header(tmp_path):
    with pytest.raises(UnreadableFile, match="the file is empty"):
        read(write_text(tmp_path / "u.csv", ""))


def test_a_row_with_more_values_than_columns_is_reported_and_the_others_still_read(tmp_path):
    text = "user_id,user_name\n" + "".join(f"u{i},N{i}\n" for i in range(1, 6))
    text += '"u6","Ann\nB",extra\nu7,N7\nu8\n'
    path = write_text(tmp_path / "u.csv", text)
    rows, problems = read(path, chunk_rows=2)
    assert problems == [(7, "has 3 values but the header has 2 columns")]
    assert [(r["line"], r["user_id"]) for r in rows] == [
        (2, "u1"), (3, "u2"), (4, "u3"), (5, "u4"), (6, "u5"), (9, "u7"), (10, "u8")]
    assert rows[-1]["line"] == 10 and rows[-1]["user_name"] == ""


def test_a_file_that_is_not_utf8_is_refused_naming_each_bad_line(tmp_path):
    path = tmp_path / "u.csv"
    path.write_bytes("user_id,user_name\nu1,Zoë\nu2,Zoë\n".encode("latin-1"))
    with pytest.raises(UnreadableFile) as refused:
        read(path)
    assert [line for line, _ in refused.value.problems] == [2, 3]
    assert "not UTF-8" in refused.value.problems[0][1]


def test_only_csv_and_json_lines_extensions_are_read(tmp_path):
    with pytest.raises(UnreadableFile, match=r"unsupported file type \(\.xlsx\)"):
        read(write_text(tmp_path / "u.xlsx", "user_id\nu1\n"))


def test_json_lines_are_numbered_by_their_line_and_blank_lines_are_ignored(tmp_path):
    path = write_text(tmp_path / "u.jsonl", '{"user_id": "u1"}\n\n  \n{"user_id": "u2"}\n')
    assert lines_and_ids(path) == [(1, "u1"), (4, "u2")]


def test_ndjson_with_a_byte_order_mark_reads_like_json_lines(tmp_path):
    path = tmp_path / "u.ndjson"
    path.write_bytes('\ufeff{"user_id": "u1", "status": "Active"}\n'.encode())
    assert lines_and_ids(path) == [(1, "u1")]


def test_json_numbers_read_as_text_and_null_as_not_given(tmp_path):
    path = write_jsonl(tmp_path / "u.jsonl", [{"user_id": 42, "role": 3.0, "email": None}])
    row = read(path)[0][0]
    assert (row["user_id"], row["role"]) == ("42", "3")
    assert row["email"] != row["email"]


def test_bad_json_lines_are_each_reported_and_the_good_ones_read(tmp_path):
    path = write_text(tmp_path / "u.jsonl", '{"user_id": "u1"}\n{"user_id": \n[1, 2]\n'
                                            '{"user_id": "u4", "role": {"a": 1}}\n'
                                            '{"user_id": true}\n{"user_id": "u6"}\n')
    rows, problems = read(path)
    assert [r["user_id"] for r in rows] == ["u1", "u6"]
    assert [line for line, _ in problems] == [2, 3, 4, 5]
    assert problems[0][1].startswith("is not valid JSON")
    assert problems[1][1] == "is not a JSON object ({...})"
    assert problems[2][1] == "role must be text or a number, not an object"
    assert problems[3][1] == "user_id must be text or a number, not true"


def test_chunks_carry_on_the_line_numbers_of_the_previous_ones(tmp_path):
    path = write_csv(tmp_path / "u.csv", [user(f"u{i}") for i in range(7)])
    assert [line for line, _ in lines_and_ids(path, chunk_rows=3)] == list(range(2, 9))


cells = st.text(alphabet=st.sampled_from(list('ab ,"\n\r')), max_size=6)


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(cells, st.integers(1, 3), st.booleans()), max_size=12),
       chunk_rows=st.integers(1, 5))
def test_every_row_gets_the_line_the_csv_module_finds_for_it(tmp_path, rows, chunk_rows):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["user_id", "user_name"])
    for index, (name, width, blank_before) in enumerate(rows):
        if blank_before:
            buffer.write("\r\n")
        writer.writerow([f"u{index}", name, "x"][:width])
    path = tmp_path / "u.csv"
    path.write_bytes(buffer.getvalue().encode())
    expected_rows, expected_problems = [], []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        previous = reader.line_num
        for record in reader:
            if len(record) > 2:
                expected_problems.append(previous + 1)
            elif record:
                expected_rows.append((previous + 1, record[0]))
            previous = reader.line_num
    found_rows, found_problems = read(path, chunk_rows)
    assert [(r["line"], r["user_id"]) for r in found_rows] == expected_rows
    assert [line for line, _ in found_problems] == expected_problems


# ---- hostile files -----------------------------------------------------------------------

def refusal(path: Path) -> list[tuple[int | None, str]]:
    with pytest.raises(UnreadableFile) as refused:
        read(path)
    return refused.value.problems


def test_a_quote_never_closed_is_reported_at_its_line_not_read_as_one_huge_value(tmp_path):
    path = write_text(tmp_path / "u.csv", 'user_id,user_name\nu1,Ann\nu2,"Bob\nu3,Cy\nu4,Di\n')
    rows, problems = read(path)
    assert [row["user_id"] for row in rows] == ["u1"]
    assert problems == [(3, 'has a quote (") that is never closed, so the rest of the file '
                            'is one value')]


def test_a_header_with_a_quote_never_closed_is_refused_at_line_1(tmp_path):
    path = write_text(tmp_path / "u.csv", 'user_id,"user_name\nu1,Ann\n')
    assert refusal(path)[0][0] == 1


def test_nul_bytes_are_refused_naming_their_lines(tmp_path):
    path = write_text(tmp_path / "u.csv", "user_id\nu1\nu\x002\nu3\n")
    assert refusal(path) == [(3, "holds a NUL byte (a binary file, or a broken export?)")]


def test_a_line_longer_than_the_limit_is_refused_and_its_neighbours_are_not(tmp_path):
    path = write_text(tmp_path / "u.csv",
                      f"user_id\nu1\n{'x' * (MAX_LINE_BYTES + 1)}\n{'y' * MAX_LINE_BYTES}\n")
    assert refusal(path) == [(3, f"is longer than {MAX_LINE_BYTES:,} bytes")]


def test_a_header_of_thousands_of_columns_is_refused(tmp_path):
    path = write_text(tmp_path / "u.csv", ",".join(f"c{i}" for i in range(MAX_COLUMNS + 1))
                      + ",user_id\n")
    assert "columns" in refusal(path)[0][1]


@pytest.mark.parametrize("escape, words", [("\\ud800", "lone surrogate"),
                                           ("\\u0000", "NUL character")])
def test_json_escapes_that_are_not_storable_text_are_refused_per_line(tmp_path, escape, words):
    path = write_text(tmp_path / "u.jsonl",
                      f'{{"user_id": "u1"}}\n{{"user_id": "u{escape}"}}\n{{"user_id": "u3"}}\n')
    rows, problems = read(path)
    assert [row["user_id"] for row in rows] == ["u1", "u3"]
    assert len(problems) == 1 and problems[0][0] == 2 and words in problems[0][1]


def test_json_objects_with_thousands_of_keys_are_refused_and_others_read(tmp_path):
    wide = "{" + ", ".join(f'"k{i}": {i}' for i in range(MAX_COLUMNS + 1)) + "}"
    path = write_text(tmp_path / "u.jsonl", f'{{"user_id": "u1"}}\n{wide}\n')
    rows, problems = read(path)
    assert [row["user_id"] for row in rows] == ["u1"]
    assert problems[0][0] == 2 and "keys" in problems[0][1]


def test_paths_that_are_not_files_say_what_they_are(tmp_path):
    (tmp_path / "dir.csv").mkdir()
    os.mkfifo(tmp_path / "pipe.csv")
    assert path_problem(tmp_path / "dir.csv") == ("is a directory, not a file: give the path "
                                                 "of a .csv or .jsonl file")
    assert "is a pipe" in (path_problem(tmp_path / "pipe.csv") or "")
    assert "is a device" in (path_problem(Path("/dev/zero")) or "")
    assert path_problem(tmp_path / "missing.csv") == "no such file"
    assert path_problem(write_text(tmp_path / "u.csv", "user_id\n")) is None
