"""Reading usage files (CSV or JSON Lines) in chunks of text rows with their line numbers.

Every value comes out as stripped text, NaN where the file does not give the field, so the
checks in `validation` are the same for both formats. `line` is the physical line of the
row in the file, as an editor shows it.
"""

from __future__ import annotations

import codecs
import csv
import json
import math
import os
import re
import stat
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from pandas.errors import ParserError, ParserWarning

from licensing_core.domain.arrow import arrow_texts

# Rows per chunk: big enough for vectorised checks, small enough to bound memory (~25 MB)
# and to let the import store one chunk while it checks the next.
CHUNK_ROWS = 50_000
# Bytes per read when checking that a file is UTF-8.
DECODE_BLOCK_BYTES = 1 << 20
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
# A physical line longer than this is refused: real rows are under 2 KB, and an export
# with a long free-text column still fits, while a runaway quote or a binary file do not.
MAX_LINE_BYTES = 1 << 20
# Columns in a CSV header: an export with more is not a usage file (and would cost memory
# for every row).
MAX_COLUMNS = 1000
NOT_UTF8 = "is not UTF-8 text (save the file as UTF-8)"
# The csv module's own limit (128 KiB) would refuse a field that the fast path accepts.
csv.field_size_limit(max(csv.field_size_limit(), MAX_LINE_BYTES))
LINE = "line"
_SURROGATE = re.compile("[\ud800-\udfff]")

Problem = tuple[int, str]


class UnreadableFile(Exception):
    """The file cannot be read as rows at all (type, encoding, header); nothing is checked."""

    def __init__(self, problems: list[tuple[int | None, str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


@dataclass
class Chunk:
    """Rows of the file: one text column per known field (NaN: not given) and `line`."""

    rows: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)  # rows that could not be read

    @property
    def rows_read(self) -> int:
        return len(self.rows) + len(self.problems)


def file_format(path: Path) -> str:
    """'csv' or 'jsonl', from the file's extension."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        shown = path.suffix or "no extension"
        raise UnreadableFile([(None, f"unsupported file type ({shown}): "
                                     "use .csv, .jsonl or .ndjson")])
    return kind


def field_name(name: str) -> str:
    """Header names and keys match case-insensitively, spaces or hyphens read as '_'."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def path_problem(path: Path) -> str | None:
    """Why `path` is not a file we can read, in words a person acts on (None: it is one)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "no such file"
    except OSError as exc:
        return f"cannot be opened ({exc.strerror or exc})"
    if stat.S_ISREG(mode):
        return None if os.access(path, os.R_OK) else "cannot be read (permission denied)"
    kinds = {stat.S_ISDIR: "a directory", stat.S_ISFIFO: "a pipe", stat.S_ISCHR: "a device",
             stat.S_ISBLK: "a device", stat.S_ISSOCK: "a socket"}
    kind = next((name for test, name in kinds.items() if test(mode)), "not a regular file")
    return f"is {kind}, not a file: give the path of a .csv or .jsonl file"


def read_chunks(path: Path, fields: Sequence[str], required_columns: Sequence[str] = (),
                chunk_rows: int = CHUNK_ROWS) -> Iterator[Chunk]:
    """The file's non-blank rows in chunks; raises UnreadableFile before the first one.

    `required_columns` must be in a CSV header (JSON Lines have no header: the row checks
    report a missing value instead).
    """
    problem = path_problem(path)
    if problem:
        raise UnreadableFile([(None, problem)])
    kind = file_format(path)
    scan = _check_bytes(path)
    if kind == "csv":
        return _csv_chunks(path, fields, required_columns, chunk_rows, scan)
    return _jsonl_chunks(path, fields, chunk_rows)


def _block_problems(block: bytes, line_bytes: int) -> tuple[bool, int]:
    """Whether the block has a NUL byte or ends a line longer than the limit; and the
    length of its unfinished last line (carried into the next block)."""
    ends = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10)
    if not len(ends):
        return b"\0" in block, line_bytes + len(block)
    lengths = np.diff(ends, prepend=-1)
    lengths[0] += line_bytes
    too_long = bool((lengths > MAX_LINE_BYTES + 1).any())  # + 1: the line's own end
    return b"\0" in block or too_long, len(block) - int(ends[-1]) - 1


@dataclass(frozen=True)
class _Scan:
    """What reading a file's bytes once told."""

    quoted: bool  # it holds a double quote, so a value may hold line breaks
    plain: bytes | None = None  # the whole file, when it is one block without quotes,
    # carriage returns or empty lines (see _plain_table)


def _plain(block: bytes) -> bytes | None:
    if b'"' in block or b"\r" in block or b"\n\n" in block or block.startswith(b"\n"):
        return None
    return block


def _check_bytes(path: Path) -> _Scan:
    """Refuse a file that is not UTF-8 text, holds NUL bytes or over-long lines, naming
    every line at fault (the lines are read one by one only then, a rare slow path)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    suspect, open_line, quoted = False, 0, False
    first, blocks = b"", 0
    try:
        with path.open("rb") as handle:
            while block := handle.read(DECODE_BLOCK_BYTES):
                decoder.decode(block)
                bad, open_line = _block_problems(block, open_line)
                suspect = suspect or bad
                quoted = quoted or b'"' in block
                first, blocks = first or block, blocks + 1
            decoder.decode(b"", final=True)
        if not suspect and open_line <= MAX_LINE_BYTES:
            return _Scan(quoted, _plain(first) if blocks == 1 else None)
    except UnicodeDecodeError:
        pass
    raise UnreadableFile(_line_problems(path) or [(None, NOT_UTF8)])


def _line_problems(path: Path) -> list[tuple[int | None, str]]:
    problems: list[tuple[int | None, str]] = []
    with path.open("rb") as handle:
        number = 0
        while raw := handle.readline(MAX_LINE_BYTES + 2):
            number += 1
            if len(raw) > MAX_LINE_BYTES + 1 or (len(raw) == MAX_LINE_BYTES + 1
                                                  and not raw.endswith(b"\n")):
                problems.append((number, f"is longer than {MAX_LINE_BYTES:,} bytes"))
                while raw and not raw.endswith(b"\n"):  # the rest of that line
                    raw = handle.readline(DECODE_BLOCK_BYTES)
                continue
            if b"\0" in raw:
                problems.append((number, "holds a NUL byte (a binary file, or a broken "
                                         "export?)"))
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                problems.append((number, NOT_UTF8))
    return problems


def _stripped(values: Any) -> pa.Array:
    """A column's values as Arrow texts without their surrounding whitespace (pyarrow's
    kernel, the one pandas' str.strip runs)."""
    return pc.utf8_trim_whitespace(arrow_texts(values))


def _text(values: Any) -> pd.Series:
    return pd.Series(pd.array(_stripped(values), dtype="str"))


def _frame(columns: dict[str, Any], fields: Sequence[str],
           lines: np.ndarray) -> pd.DataFrame:
    """Known fields as stripped text (NaN where the file does not give them) and `line`;
    `columns` are Series or Arrow texts."""
    frame: dict[str, Any] = {}
    for name in fields:
        values = columns.get(name, pa.nulls(len(lines), pa.large_string()))
        frame[name] = pd.array(values, dtype="str") if isinstance(values, pa.Array) else values
    frame[LINE] = lines
    return pd.DataFrame(frame)


def without_rows(frame: pd.DataFrame, drop: np.ndarray) -> pd.DataFrame:
    """The frame without the rows of `drop`, numbered from 0; the frame itself when none
    is dropped (the usual file has no bad, repeated or stored row: no copy then)."""
    return frame[~drop].reset_index(drop=True) if drop.any() else frame


def _csv_frame(columns: dict[str, Any], fields: Sequence[str],
               lines: np.ndarray) -> pd.DataFrame:
    """A CSV chunk without its blank rows (every value empty, e.g. a spreadsheet's ',,,')."""
    stripped = {name: _stripped(values) for name, values in columns.items()}
    blank = np.ones(len(lines), dtype=bool)
    for texts in stripped.values():
        blank &= np.asarray(pc.fill_null(pc.equal(texts, ""), False), dtype=bool)
    return without_rows(_frame(stripped, fields, lines), blank)


# ---- CSV ---------------------------------------------------------------------------------

def _csv_header(path: Path, fields: Sequence[str],
                required: Sequence[str]) -> tuple[list[str], int]:
    """Column names (unknown ones renamed so pandas accepts them) and the header's lines."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise UnreadableFile([(1, f"the header row cannot be read ({exc})")]) from None
        header_lines = reader.line_num
    if not header or not any(h.strip() for h in header):
        raise UnreadableFile([(1, "the file is empty: expected a header row naming the "
                                  f"columns ({', '.join(fields)})")])
    if len(header) > MAX_COLUMNS:
        raise UnreadableFile([(1, f"the header has {len(header):,} columns; a usage file "
                                  f"has at most {MAX_COLUMNS:,}")])
    names = [field_name(h) for h in header]
    problems: list[tuple[int | None, str]] = []
    for name in dict.fromkeys(n for n in names if n in fields and names.count(n) > 1):
        problems.append((1, f"column {name} appears more than once in the header"))
    missing = [f for f in required if f not in names]
    if missing:
        problems.append((1, f"missing column{'s' if len(missing) > 1 else ''} "
                            f"{', '.join(missing)} in the header"))
    if problems:
        raise UnreadableFile(problems)
    unique = [n if n in fields else f"_ignored_{i}" for i, n in enumerate(names)]
    return unique, header_lines


def _newlines_inside(frame: pd.DataFrame) -> np.ndarray:
    """Line breaks inside quoted values of each row (they shift the following lines)."""
    counts = np.zeros(len(frame), dtype=np.int64)
    for column in frame.columns:
        values = frame[column]
        if values.str.contains("[\r\n]", regex=True).any():
            counts += (values.str.count("\n") + values.str.count("\r")
                       - values.str.count("\r\n")).to_numpy(dtype=np.int64)
    return counts


def _plain_table(body: bytes, names: list[str], header_lines: int) -> pa.Table | None:
    """The rows of a plain CSV (_Scan.plain: one line a row, as the header) by pyarrow's
    reader, a third of pandas' time; None when a row's fields do not match the header's
    (pandas' path then reads the file, and reports that row, as before)."""
    try:
        return pa_csv.read_csv(
            pa.BufferReader(body),
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=header_lines,
                                            use_threads=False),
            parse_options=pa_csv.ParseOptions(quote_char=False, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                  strings_can_be_null=False))
    except pa.ArrowInvalid:
        return None


def _table_chunks(table: pa.Table, fields: Sequence[str], header_lines: int,
                  chunk_rows: int) -> Iterator[Chunk]:
    for start in range(0, max(table.num_rows, 1), chunk_rows):  # a header alone: one empty
        part = table.slice(start, chunk_rows)
        lines = header_lines + 1 + start + np.arange(part.num_rows)
        yield Chunk(_csv_frame({c: part.column(c).combine_chunks() for c in part.column_names},
                               fields, lines))


def _csv_chunks(path: Path, fields: Sequence[str], required: Sequence[str],
                chunk_rows: int, scan: _Scan) -> Iterator[Chunk]:
    """A plain file through pyarrow's reader; else the fast path through pandas' C parser;
    from the first malformed row, the exact path."""
    names, header_lines = _csv_header(path, fields, required)
    table = _plain_table(scan.plain, names, header_lines) if scan.plain is not None else None
    if table is not None:
        yield from _table_chunks(table, fields, header_lines, chunk_rows)
        return
    records_done = 0
    next_line = header_lines + 1
    try:
        reader = pd.read_csv(
            path, header=0, names=names, index_col=False, dtype=str, na_filter=False,
            skip_blank_lines=False, on_bad_lines="warn", chunksize=chunk_rows,
            encoding="utf-8-sig", engine="c",
        )
    except ParserError:  # the first rows already break the parser: read them exactly
        yield from _csv_exact_chunks(path, names, fields, 0, chunk_rows)
        return
    with reader:
        while True:
            malformed = finished = False
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ParserWarning)
                try:
                    frame = next(reader)
                except StopIteration:
                    finished = True
                except ParserError:
                    malformed = True
            # pandas skips a malformed row, warning in the read that met it
            if malformed or any(issubclass(w.category, ParserWarning) for w in caught):
                break
            if finished:
                return
            shifts = _newlines_inside(frame) if scan.quoted else np.zeros(len(frame), np.int64)
            lines = next_line + np.arange(len(frame)) + np.cumsum(shifts) - shifts
            next_line += len(frame) + int(shifts.sum())
            records_done += len(frame)
            yield Chunk(_csv_frame({c: frame[c] for c in frame.columns}, fields, lines))
    yield from _csv_exact_chunks(path, names, fields, records_done, chunk_rows)


def _csv_error_text(error: csv.Error) -> str:
    if "unexpected end of data" in str(error):
        return 'has a quote (") that is never closed, so the rest of the file is one value'
    return f"cannot be read as CSV ({error})"


def _csv_exact_chunks(path: Path, names: list[str], fields: Sequence[str], skip: int,
                      chunk_rows: int) -> Iterator[Chunk]:
    """Row by row with the csv module: exact lines, and a message for each malformed row."""
    width = len(names)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        # strict: a quote left open to the end of the file is an error, not one huge value
        reader = csv.reader(handle, strict=True)
        next(reader)
        for _ in islice(reader, skip):
            pass
        previous = reader.line_num
        done = False
        while not done:
            rows: list[list[str]] = []
            lines: list[int] = []
            problems: list[Problem] = []
            try:
                for row in islice(reader, chunk_rows):
                    line, previous = previous + 1, reader.line_num
                    if len(row) > width:
                        problems.append((line, f"has {len(row)} values but the header has "
                                               f"{width} columns"))
                        continue
                    rows.append(row + [""] * (width - len(row)))
                    lines.append(line)
            except csv.Error as exc:
                problems.append((previous + 1, _csv_error_text(exc)))
                done = True
            if not rows and not problems:
                return
            done = done or len(rows) + len(problems) < chunk_rows
            columns: dict[str, Any] = dict(zip(names, zip(*rows, strict=True), strict=True)) \
                if rows else {n: [] for n in names}
            yield Chunk(_csv_frame(columns, fields, np.array(lines, dtype=np.int64)), problems)


# ---- JSON Lines --------------------------------------------------------------------------

def _json_text(values: pd.Series, name: str) -> tuple[pd.Series, pd.Series]:
    """JSON values of one field as text: numbers written plainly, null as not given.

    Returns the text and, for values that are not text or a number, the reason.
    """
    present = values.notna().to_numpy()
    kinds = values.map(type)
    is_str = kinds.isin([str]).to_numpy()
    is_int = kinds.isin([int]).to_numpy()
    is_float = kinds.isin([float]).to_numpy() & present
    text = pd.Series([None] * len(values), index=values.index, dtype="str")
    reasons = pd.Series([None] * len(values), index=values.index, dtype="str")
    text[is_str] = values[is_str]
    if is_int.any():
        text[is_int] = [str(v) for v in values[is_int]]
    for index, value in values[is_float].items():
        if not math.isfinite(value):
            reasons[index] = f"{name} must be text or a number, not {value}"
        else:
            text[index] = str(int(value)) if value.is_integer() else repr(value)
    for index, value in values[present & ~is_str & ~is_int & ~is_float].items():
        kind = {dict: "an object", list: "a list", bool: json.dumps(value)}.get(
            type(value), type(value).__name__)
        reasons[index] = f"{name} must be text or a number, not {kind}"
    return text, reasons


def _escaped_text_problem(text: str, obj: dict) -> str | None:
    """A \\u escape can write what UTF-8 text cannot hold (a lone surrogate) or what the
    databases refuse (NUL); only lines with an escape are looked into."""
    if "\\u" not in text:
        return None
    for value in (*obj.keys(), *obj.values()):
        if isinstance(value, str):
            if "\0" in value:
                return "holds a NUL character (\\u0000)"
            if _SURROGATE.search(value):
                return "holds a lone surrogate (\\ud800-\\udfff), which is not Unicode text"
    return None


def _parse_json_lines(numbers: list[int], texts: list[str]) -> tuple[list[int], list[dict],
                                                                      list[Problem]]:
    try:
        objects = [json.loads(t) for t in texts]
    except ValueError:
        objects = []
        for text in texts:
            try:
                objects.append(json.loads(text))
            except ValueError as exc:
                objects.append(exc)
    lines: list[int] = []
    good: list[dict] = []
    problems: list[Problem] = []
    for number, text, obj in zip(numbers, texts, objects, strict=True):
        if isinstance(obj, dict) and len(obj) > MAX_COLUMNS:
            problems.append((number, f"has {len(obj):,} keys; a usage row has at most "
                                     f"{MAX_COLUMNS:,}"))
        elif isinstance(obj, dict) and (reason := _escaped_text_problem(text, obj)):
            problems.append((number, reason))
        elif isinstance(obj, dict):
            lines.append(number)
            good.append(obj)
        elif isinstance(obj, ValueError):
            reason = (f"{obj.msg} at column {obj.colno}"
                      if isinstance(obj, json.JSONDecodeError) else str(obj))
            problems.append((number, f"is not valid JSON ({reason})"))
        else:
            problems.append((number, "is not a JSON object ({...})"))
    return lines, good, problems


def _json_chunk(numbers: list[int], texts: list[str], fields: Sequence[str]) -> Chunk:
    """Every object is a row (an empty one simply lacks its required values)."""
    lines, objects, problems = _parse_json_lines(numbers, texts)
    if len(set().union(*objects)) > MAX_COLUMNS:  # a frame of every key would not fit
        objects = [{k: v for k, v in o.items() if field_name(str(k)) in fields}
                   for o in objects]
    raw = pd.DataFrame.from_records(objects) if objects else pd.DataFrame()
    raw.columns = [field_name(str(c)) for c in raw.columns]
    raw = raw.loc[:, ~raw.columns.duplicated()].reset_index(drop=True)
    line_array = np.array(lines, dtype=np.int64)
    columns: dict[str, pd.Series] = {}
    unusable = np.zeros(len(lines), dtype=bool)
    for name in fields:
        if name in raw.columns:
            text, reasons = _json_text(raw[name], name)
            columns[name] = _text(text)
            bad = reasons.notna().to_numpy()
            unusable |= bad
            problems.extend(zip(line_array[bad].tolist(), reasons[bad].tolist(), strict=True))
    frame = _frame(columns, fields, line_array)[~unusable].reset_index(drop=True)
    problems.sort(key=lambda problem: problem[0])
    return Chunk(frame, problems)


def _jsonl_chunks(path: Path, fields: Sequence[str], chunk_rows: int) -> Iterator[Chunk]:
    with path.open(encoding="utf-8-sig") as handle:
        numbers: list[int] = []
        texts: list[str] = []
        for number, text in enumerate(handle, start=1):
            if text.strip():
                numbers.append(number)
                texts.append(text)
                if len(texts) >= chunk_rows:
                    yield _json_chunk(numbers, texts, fields)
                    numbers, texts = [], []
        if texts:
            yield _json_chunk(numbers, texts, fields)
