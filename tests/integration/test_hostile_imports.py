"""Broken and hostile usage files, through the command line, on SQLite and PostgreSQL.

Each is refused with `FILE:LINE: reason` and exit status 2, stores nothing, and the Import
page's check (the validate_* services) says the same before anything is tried.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from datetime import datetime
from pathlib import Path

import pytest

from licensing_core.cli import run
from licensing_core.services.imports import validate_conversations
from tests.fixtures_data import conversation, make_tenant, write_csv
from tests.tenant_reads import read_everything, stored_fingerprint

NOW = datetime(2026, 6, 15, 12, 0)
HEADER = "conversation_id,user_id,started_at,agent_name,channel\n"
GOOD_ROW = "c-ok,u1,2026-06-01T09:00:00Z,Luma,web\n"


def cli(db_url: str, *args: str) -> tuple[int, str]:
    """Exit status and standard error of `licensing --db URL ARGS`."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = run(["--db", db_url, *args])
    return status, err.getvalue()


def refused_lines(stderr: str, name: str) -> list[str]:
    """The `NAME:LINE: reason` lines of a refusal (the last line is the summary)."""
    return [line for line in stderr.splitlines() if re.match(rf"{re.escape(name)}:\d+: ", line)]


CASES = {
    # 1: a quote never closed swallows the rest of the file
    "unbalanced_quote.csv": (HEADER + 'q1,"abc\n' + GOOD_ROW).encode(),
    # 2: a lone surrogate, which JSON can write and UTF-8 cannot hold
    "surrogate.jsonl": b'{"conversation_id":"c1","user_id":"\\ud800","started_at":'
                       b'"2026-06-01T09:00:00Z","agent_name":"a","channel":"web"}\n',
    # 3, 4: years far before and after the supported range
    "year_one.csv": (HEADER + "c1,u1,0001-01-01T00:00:00Z,Luma,web\n").encode(),
    "year_9999.csv": (HEADER + "c1,u1,9999-12-31T23:59:59Z,Luma,web\n").encode(),
    "just_after_range.csv": (HEADER + "c1,u1,2100-01-01T00:00:01Z,Luma,web\n").encode(),
    "just_before_range.csv": (HEADER + "c1,u1,1969-12-31T23:59:59Z,Luma,web\n").encode(),
    "ended_far_away.csv": (b"conversation_id,user_id,started_at,ended_at,agent_name,channel\n"
                           b"c1,u1,2026-06-01T09:00:00Z,9999-01-01T00:00:00Z,Luma,web\n"),
    # 5: NUL bytes, raw and escaped
    "nul_byte.csv": (HEADER + "c1,a\x00b,2026-06-01T09:00:00Z,Luma,web\n").encode(),
    "nul_escape.jsonl": b'{"conversation_id":"c1","user_id":"\\u0000","started_at":'
                        b'"2026-06-01T09:00:00Z","agent_name":"a","channel":"web"}\n',
    # and the rest of the spec's list
    "not_utf8.csv": (HEADER + "c1,u1,2026-06-01T09:00:00Z,Luma,web\n").encode()
                    + b"c2,\xff\xfe,2026-06-01T09:00:00Z,Luma,web\n",
    "header_twice.csv": (HEADER + GOOD_ROW + HEADER.replace("_", " ")).encode(),
    "line_too_long.csv": (HEADER + "c1,u1,2026-06-01T09:00:00Z,Luma," + "w" * (1 << 20)
                          + "\n").encode(),
    "messages_too_large.csv": (b"conversation_id,user_id,started_at,agent_name,channel,messages\n"
                               b"c1,u1,2026-06-01T09:00:00Z,Luma,web,99999999999\n"),
    "number_too_large.jsonl": b'{"conversation_id":"c1","user_id":"u1","started_at":'
                              b'"2026-06-01T09:00:00Z","agent_name":"a","channel":"web",'
                              b'"messages":1e400}\n',
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_file_is_refused_with_its_line_and_stores_nothing(db, db_url, tmp_path,
                                                                    name):
    make_tenant(db, now=NOW)
    path = tmp_path / name
    path.write_bytes(CASES[name])
    before = stored_fingerprint(db)

    status, stderr = cli(db_url, "ingest", "conversations", "acme", str(path))

    assert status == 2, stderr
    assert refused_lines(stderr, str(path)), stderr
    assert "unexpected error" not in stderr and "Traceback" not in stderr
    assert stored_fingerprint(db) == before
    assert validate_conversations(db, tenant_id="acme", path=path), "the page called it valid"


@pytest.mark.parametrize("kind", ["directory", "fifo", "device"])
def test_a_path_that_is_not_a_file_is_refused_saying_what_it_is(db, db_url, tmp_path, kind):
    make_tenant(db, now=NOW)
    if kind == "directory":
        path, word = tmp_path / "dir.csv", "directory"
        path.mkdir()
    elif kind == "fifo":
        path, word = tmp_path / "pipe.csv", "pipe"
        os.mkfifo(path)
    else:
        path, word = Path("/dev/zero"), "device"

    status, stderr = cli(db_url, "ingest", "conversations", "acme", str(path))

    assert status == 2
    assert f"is a {word}, not a file" in stderr
    assert "no such file" not in stderr


def test_a_refused_far_future_row_leaves_the_user_importable_and_the_pages_working(
        db, db_url, tmp_path):
    make_tenant(db, now=NOW)
    far = tmp_path / "far.csv"
    far.write_bytes(CASES["year_9999.csv"])
    assert cli(db_url, "ingest", "conversations", "acme", str(far))[0] == 2

    ordinary = write_csv(tmp_path / "ordinary.csv",
                         [conversation("c2", "u1", "2026-06-02T09:00:00Z")])
    status, stderr = cli(db_url, "ingest", "conversations", "acme", str(ordinary))

    assert status == 0, stderr
    read_everything(db, "acme", NOW)


def test_conversations_at_the_ends_of_the_range_are_stored_and_every_page_reads_them(
        db, db_url, tmp_path):
    make_tenant(db, now=NOW, timezone="Pacific/Kiritimati", session_minutes=7 * 24 * 60)
    edges = write_csv(tmp_path / "edges.csv", [
        conversation("first", "u1", "1970-01-01T00:00:00Z", ended_at="1970-01-01T00:00:00Z"),
        conversation("last", "u1", "2100-01-01T00:00:00Z", ended_at="2100-01-01T00:00:00Z"),
        conversation("local", "u2", "2099-12-31T23:59:59"),
    ])

    status, stderr = cli(db_url, "ingest", "conversations", "acme", str(edges))

    assert status == 0, stderr
    read_everything(db, "acme", NOW)
    later = write_csv(tmp_path / "later.csv", [conversation("c3", "u1", "2026-06-01T09:00:00Z")])
    assert cli(db_url, "ingest", "conversations", "acme", str(later))[0] == 0


@pytest.mark.parametrize("args, words", [
    (["tenant", "create", "t1", "--name", "T", "--license-type", "session", "--licenses", "5",
      "--start", "0001-01-01", "--end", "2026-12-31"], "outside"),
    (["tenant", "create", "t1", "--name", "T", "--license-type", "session", "--licenses", "5",
      "--start", "2026-01-01", "--end", "9999-12-31"], "outside"),
    (["tenant", "create", "t1", "--name", "T", "--license-type", "session", "--licenses",
      "99999999999999", "--start", "2026-01-01", "--end", "2026-12-31"], "licenses"),
    (["tenant", "create", "t1", "--name", "T", "--license-type", "session", "--licenses", "5",
      "--start", "2026-01-01", "--end", "2026-12-31", "--session-minutes", "99999999999"],
     "session minutes"),
    (["refill", "acme", "+99999999999999999999", "--by", "ops"], "more than"),
    (["refill", "acme", "²", "--by", "ops"], "quantity"),
])
def test_command_arguments_out_of_range_are_refused_without_a_traceback(db, db_url, args,
                                                                        words):
    make_tenant(db, now=NOW)
    before = stored_fingerprint(db)

    status, stderr = cli(db_url, *args)

    assert status == 2, stderr
    assert words in stderr
    assert stored_fingerprint(db) == before
