"""Generated hostile usage files against the real import, on SQLite and PostgreSQL.

For any file: the import either succeeds, and then every page query and export of the
tenant works and a later ordinary import too, or it exits 2 with `FILE:LINE: reason` lines
and nothing stored. Never exit 1, never a traceback; and the Import page's check agrees
with the import beforehand. Files are made the way careless exports and attackers make
them: broken quoting, invalid or odd encodings, NUL bytes, extreme numbers and times,
huge fields, values of the wrong JSON type, random bytes.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from licensing_core.services.imports import validate_conversations, validate_users
from tests.fixtures_data import consumption_drift, conversation, make_tenant, write_csv
from tests.integration.test_hostile_imports import cli
from tests.tenant_reads import read_everything, stored_fingerprint

NOW = datetime(2026, 6, 15, 12, 0)
# Examples per test and database: enough to meet every kind of value each run, few enough
# for CI (each example is a real import and some twenty page queries).
EXAMPLES = int(os.environ.get("LICENSING_HOSTILE_EXAMPLES", "25"))

HOSTILE_TEXT = [
    '"', '""', 'a"b', '"quoted"', ",", "\r\n", "\n", "\r", "\t", "\\", " ", "", "=1+2",
    "+cmd|' /C calc'!A0", "-20", "@SUM(A1)", "[link](http://evil.example)",
    "![x](http://evil.example/t.png)", "<script>alert(1)</script>", "'; DROP TABLE x; --",
    "\x00", "a\x00b", "\ud800", "\udfff", "\u202eevil", "\ufeff", "ｕ１", "x" * 201,
    "y" * 600, "Active", "inactive", "User ID", "conversation_id", "null", "NaN",
]
HOSTILE_TIMES = [
    "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1969-12-31T23:59:59Z",
    "1970-01-01T00:00:00Z", "2100-01-01T00:00:00Z", "2100-01-01T00:00:01Z",
    "2099-12-31T23:59:59-14:00", "1970-01-01T00:00:00+14:00", "2026-13-01T00:00:00Z",
    "2026-02-30", "+2026-06-01", "2026-06-01T25:00:00Z", "2026-03-08T02:30:00",
    "2026-11-01T01:30:00", "20260601T090000Z", "2026-06-01 09:00", "99999-01-01",
    "2026-06-01T09:00:00.123456789Z", "1e10", "",
]
HOSTILE_NUMBERS = ["-1", "0", "2147483647", "2147483648", "99999999999999999999", "1e400",
                   "1.5", "0x10", "１２", " 7 ", "NaN", ""]

texts = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=12),
                  st.text(alphabet=st.characters(codec="utf-8"), max_size=8))
times = st.one_of(
    st.sampled_from(HOSTILE_TIMES),
    st.datetimes(min_value=datetime(1969, 12, 30), max_value=datetime(2100, 1, 2))
    .map(lambda moment: moment.isoformat()),
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31),
                 timezones=st.sampled_from([UTC, timezone(-timedelta(hours=3, minutes=30))]))
    .map(lambda moment: moment.isoformat()),
)
numbers = st.one_of(st.sampled_from(HOSTILE_NUMBERS), st.integers(-10, 10**12).map(str))
ids = st.one_of(st.sampled_from(["c1", "c2", "c3", "u1", "u2", "U1 "]), texts)
# JSON Lines can carry values of any type where a text belongs.
json_values = st.one_of(st.none(), st.booleans(), st.integers(-(10**30), 10**30),
                        st.floats(allow_nan=True, allow_infinity=True),
                        st.lists(st.integers(), max_size=2), st.just({"nested": 1}))

CONVERSATION_VALUES = {"conversation_id": ids, "user_id": ids, "started_at": times,
                       "ended_at": times, "agent_name": texts, "channel": texts,
                       "initiated_by": texts, "messages": numbers}
USER_VALUES = {"user_id": ids, "user_name": texts, "email": texts, "first_name": texts,
               "last_name": texts, "role": texts, "status": texts}

# Values that are odd but legal: a file of only these must be stored, and then read back
# by every page and export (the other half of the property).
ODD_TEXT = ['"', 'a"b', ",", "a\r\nb", "=1+2", "-20", "@SUM(A1)", "\tx",
            "[link](http://evil.example)", "<b>x</b>", "\u202eevil", "ｕ１", "x" * 100,
            "Ünïcødé ✓", "'; DROP TABLE x; --"]
odd_texts = st.one_of(st.sampled_from(ODD_TEXT),
                      st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"),
                              min_size=1, max_size=10).filter(str.strip))
odd_times = st.one_of(
    st.sampled_from(["1970-01-01T00:00:00Z", "2100-01-01T00:00:00Z", "2026-03-08T02:30:00",
                     "2026-11-01T01:30:00", "2099-12-31T23:59:59-14:00", "2026-06-01"]),
    st.datetimes(min_value=datetime(2025, 12, 1), max_value=datetime(2027, 1, 31))
    .map(lambda moment: moment.isoformat(timespec="seconds") + "Z"),
)
odd_ids = st.one_of(st.sampled_from(["c1", "c2", "u1", "u2", "x"]), odd_texts.map(str.strip))
# Mostly new ids, so that most such files are stored rather than in conflict with earlier ones
new_ids = st.one_of(st.uuids().map(str), st.uuids().map(str), odd_ids)
ODD_CONVERSATION = {"conversation_id": new_ids, "user_id": odd_ids, "started_at": odd_times,
                    "agent_name": odd_texts, "channel": odd_texts,
                    "initiated_by": odd_texts, "messages": st.integers(0, 2**31 - 1).map(str)}
ODD_USER = {"user_id": new_ids, "user_name": odd_texts, "first_name": odd_texts,
            "role": odd_texts, "status": st.sampled_from(["Active", "inactive", ""])}


def rows_of(values: dict[str, st.SearchStrategy]) -> st.SearchStrategy[list[dict]]:
    """Rows that give some of the fields (a field may be missing from every row)."""
    columns = st.lists(st.sampled_from(list(values)), unique=True, min_size=1)
    return columns.flatmap(lambda names: st.lists(
        st.fixed_dictionaries({name: values[name] for name in names}), max_size=6))


def csv_bytes(rows: list[dict], header: list[str]) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode("utf-8", "surrogatepass")  # a surrogate: invalid UTF-8


@st.composite
def damaged(draw: st.DrawFn, data: bytes) -> bytes:
    """The file as written, or cut short, with bytes spliced in, or its lines re-ended."""
    how = draw(st.sampled_from(["as_is", "as_is", "cut", "splice", "crlf", "bom"]))
    if how == "cut" and data:
        return data[:draw(st.integers(0, len(data) - 1))]
    if how == "splice":
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=6)) + data[at:]
    if how == "crlf":
        return data.replace(b"\n", draw(st.sampled_from([b"\r\n", b"\r"])))
    if how == "bom":
        return b"\xef\xbb\xbf" + data
    return data


@st.composite
def hostile_file(draw: st.DrawFn, values: dict[str, st.SearchStrategy],
                 odd: dict[str, st.SearchStrategy]) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["csv", "jsonl", "random"]))
    if kind == "random":
        return draw(st.sampled_from(["random.csv", "random.jsonl"])), draw(st.binary(max_size=200))
    legal = draw(st.booleans())  # odd but legal: such files are stored, then read back
    rows = draw(st.lists(st.fixed_dictionaries(odd), min_size=1, max_size=6) if legal
                else rows_of(values))
    keep = st.just if legal else (lambda data: damaged(data))
    if kind == "csv":
        header = sorted({name for row in rows for name in row} or {next(iter(values))})
        spelled = [draw(st.sampled_from([name, name.upper(), name.replace("_", " ").title()]))
                   for name in header]
        data = csv_bytes([dict(zip(spelled, (row.get(h, "") for h in header), strict=True))
                          for row in rows], spelled)
        return "file.csv", draw(keep(data))
    lines = []
    for row in rows:
        typed = row if legal else {key: draw(st.one_of(st.just(value), json_values))
                                   for key, value in row.items()}
        lines.append(json.dumps(typed, ensure_ascii=draw(st.booleans())))
    data = "\n".join(lines).encode("utf-8", "surrogatepass") + b"\n"
    return "file.jsonl", draw(keep(data))


def check_one(db, db_url: str, tmp_path: Path, kind: str, tenant_id: str, name: str,
              data: bytes, validate) -> bool:
    """Import one file and check the outcome; True when it was stored."""
    path = tmp_path / name
    path.write_bytes(data)
    before = stored_fingerprint(db)
    problems = validate(db, tenant_id=tenant_id, path=path)

    status, stderr = cli(db_url, "ingest", kind, tenant_id, str(path))

    assert status in (0, 2), stderr
    assert "Traceback" not in stderr and "unexpected error" not in stderr, stderr
    assert (status == 2) == bool(problems), (stderr, problems)
    event("stored" if status == 0 else "refused")
    if status == 2:
        assert stored_fingerprint(db) == before
        assert re.search(rf"^{re.escape(str(path))}(:\d+)?: ", stderr, re.MULTILINE), stderr
        return False
    read_everything(db, tenant_id, NOW)
    assert consumption_drift(db) == []
    return True


HYPOTHESIS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture,
                                             HealthCheck.too_slow])


def test_any_conversations_file_is_stored_whole_or_refused_with_its_lines(db, db_url,
                                                                          tmp_path):
    make_tenant(db, now=NOW, timezone="America/New_York")
    ordinary = iter(range(1_000_000))

    @HYPOTHESIS
    @given(hostile_file(CONVERSATION_VALUES, ODD_CONVERSATION))
    def imports(named: tuple[str, bytes]) -> None:
        if check_one(db, db_url, tmp_path, "conversations", "acme", *named,
                     validate_conversations):
            later = write_csv(tmp_path / "later.csv", [conversation(
                f"ordinary-{next(ordinary)}", "u1", "2026-06-02T09:00:00Z")])
            status, stderr = cli(db_url, "ingest", "conversations", "acme", str(later))
            assert status == 0, stderr

    imports()


def test_any_users_file_is_stored_whole_or_refused_with_its_lines(db, db_url, tmp_path):
    make_tenant(db, tenant_id="globex", name="Globex", license_type="user", now=NOW,
                timezone="Asia/Kolkata")

    @HYPOTHESIS
    @given(hostile_file(USER_VALUES, ODD_USER))
    def imports(named: tuple[str, bytes]) -> None:
        check_one(db, db_url, tmp_path, "users", "globex", *named, validate_users)

    imports()
