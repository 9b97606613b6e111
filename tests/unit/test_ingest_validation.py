"""Checking rows of usage files: every bad row reported with its reasons, good rows normalised."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from licensing_core.cli.ingest import problem_lines
from licensing_core.ingest.validation import (
    CONVERSATION_FIELDS,
    USER_FIELDS,
    ErrorReport,
    FirstSeen,
    ImportProblem,
    check_conversations,
    check_users,
    parse_times,
)

UTC = ZoneInfo("UTC")
PARIS = ZoneInfo("Europe/Paris")


def frame(fields: list[str], *rows: dict) -> pd.DataFrame:
    """Rows as the readers give them: text, NaN where not given, lines from 2."""
    data = {f: pd.Series([r.get(f) for r in rows], dtype="str") for f in fields}
    result = pd.DataFrame(data)
    result["line"] = np.arange(2, 2 + len(rows))
    return result


def users(*rows: dict) -> pd.DataFrame:
    return frame(USER_FIELDS, *rows)


def conversations(*rows: dict) -> pd.DataFrame:
    base = {"conversation_id": "c1", "user_id": "u1", "started_at": "2026-06-01T10:00:00Z",
            "agent_name": "Luma", "channel": "web"}
    return frame(CONVERSATION_FIELDS, *({**base, **r} for r in rows))


def times(*texts: str | None, tz: ZoneInfo = UTC) -> list[datetime | None]:
    parsed = parse_times(pd.Series(list(texts), dtype="str"), tz)
    return [None if np.isnat(t) else pd.Timestamp(t).to_pydatetime() for t in parsed]


def test_status_is_read_whatever_its_case_and_stored_capitalised():
    checked = check_users(users({"user_id": "a", "status": "active"},
                                {"user_id": "b", "status": "INACTIVE"},
                                {"user_id": "c", "status": "Active"}))
    assert checked.problems == []
    assert checked.rows["status"].tolist() == ["Active", "Inactive", "Active"]


def test_an_empty_status_is_left_to_the_default():
    checked = check_users(users({"user_id": "a", "status": ""}, {"user_id": "b"}))
    assert checked.rows["status"].isna().tolist() == [True, True]


def test_every_bad_users_row_is_reported_with_all_its_reasons():
    checked = check_users(users(
        {"user_id": "ok", "email": "ok@acme.test"},
        {"user_id": "", "status": "gone"},
        {"user_id": "b", "email": "not-an-address"},
        {"user_id": "c", "user_name": "x" * 201},
    ))
    assert checked.problems == [
        (3, "user_id is required"),
        (3, "status must be Active or Inactive, not 'gone'"),
        (4, "email: 'not-an-address' is not a valid email address"),
        (5, "user_name is longer than 200 characters"),
    ]
    assert checked.rows["user_id"].tolist() == ["ok"]


def test_a_time_with_an_offset_is_stored_as_utc():
    assert times("2026-06-01T10:00:00+02:00", "2026-06-01T10:00:00Z",
                 "2026-06-01 10:00:00.250-0130") == [
        datetime(2026, 6, 1, 8), datetime(2026, 6, 1, 10), datetime(2026, 6, 1, 11, 30, 0, 250000)]


def test_a_time_without_offset_is_read_in_the_tenants_timezone():
    assert times("2026-06-01T10:00:00", "2026-01-15T10:00", "2026-06-01", tz=PARIS) == [
        datetime(2026, 6, 1, 8), datetime(2026, 1, 15, 9), datetime(2026, 5, 31, 22)]


def test_local_times_around_clock_changes_are_read_without_error():
    # 02:30 does not exist on 2026-03-29 in Paris; 02:30 happens twice on 2026-10-25.
    skipped, repeated = times("2026-03-29T02:30:00", "2026-10-25T02:30:00", tz=PARIS)
    assert skipped == datetime(2026, 3, 29, 1, 0)
    assert repeated == datetime(2026, 10, 25, 0, 30)


def test_unreadable_or_missing_times_are_not_times():
    assert times("yesterday", "2026-13-01T00:00:00", "", None) == [None, None, None, None]


def test_good_conversations_are_normalised_for_storing():
    checked = check_conversations(conversations(
        {"started_at": "2026-06-01T12:00:00", "ended_at": "2026-06-01T12:30:00",
         "messages": "7", "initiated_by": ""}), PARIS)
    row = checked.rows.iloc[0]
    assert checked.problems == []
    assert (row["started_at"], row["ended_at"]) == (pd.Timestamp("2026-06-01 10:00"),
                                                    pd.Timestamp("2026-06-01 10:30"))
    assert (row["initiated_by"], row["messages"]) == ("User", 7)


def test_a_messages_count_not_given_stays_unknown_not_zero():
    checked = check_conversations(conversations(
        {"conversation_id": "c1", "messages": ""}, {"conversation_id": "c2"},
        {"conversation_id": "c3", "messages": "0"},
        {"conversation_id": "c4", "messages": "0012"}), PARIS)
    assert checked.problems == []
    assert checked.rows["messages"].tolist() == [pd.NA, pd.NA, 0, 12]


def test_every_bad_conversations_row_is_reported_with_all_its_reasons():
    checked = check_conversations(conversations(
        {},
        {"conversation_id": "", "agent_name": "", "channel": ""},
        {"started_at": "June 1st"},
        {"started_at": "2026-06-01T10:00:00Z", "ended_at": "2026-06-01T09:00:00Z"},
        {"messages": "-1"},
        {"messages": "2.5"},
    ), UTC)
    assert checked.problems == [
        (3, "conversation_id is required"), (3, "agent_name is required"),
        (3, "channel is required"),
        (4, "started_at 'June 1st' is not an ISO 8601 time (e.g. 2026-06-01T09:30:00+02:00)"),
        (5, "ended_at '2026-06-01T09:00:00Z' is before started_at '2026-06-01T10:00:00Z'"),
        (6, "messages must be a whole number of 0 or more, not '-1'"),
        (7, "messages must be a whole number of 0 or more, not '2.5'"),
    ]
    assert len(checked.rows) == 1


def test_digits_of_other_scripts_are_not_numbers_or_years():
    """Digits are 0-9: a count or a year in Arabic-Indic, fullwidth or superscript digits
    (a careless export's locale) is refused with the usual reason, never read as a number
    nor broken on."""
    checked = check_conversations(conversations(
        {"messages": "\u0663"},
        {"messages": "\u00b2"},
        {"started_at": "\uff12\uff10\uff12\uff16-06-01T10:00:00Z"},
        {"started_at": "\u0662\u0660\u0662\u0666-06-01T10:00:00"},
    ), UTC)
    assert checked.problems == [
        (2, "messages must be a whole number of 0 or more, not '\u0663'"),
        (3, "messages must be a whole number of 0 or more, not '\u00b2'"),
        (4, "started_at '\uff12\uff10\uff12\uff16-06-01T10:00:00Z' is not an ISO 8601 time "
            "(e.g. 2026-06-01T09:30:00+02:00)"),
        (5, "started_at '\u0662\u0660\u0662\u0666-06-01T10:00:00' is not an ISO 8601 time "
            "(e.g. 2026-06-01T09:30:00+02:00)"),
    ]
    assert checked.rows.empty


def test_a_duplicate_key_is_found_in_a_later_chunk_with_the_line_of_its_first_row():
    seen = FirstSeen()
    seen.check(pd.Series(["a", "b"]), np.array([2, 3]))
    earlier, _ = seen.check(pd.Series(["c", "b", "c"]), np.array([4, 5, 6]))
    assert earlier.tolist() == [0, 3, 4]


def test_a_duplicate_tells_which_content_differs_from_its_first_row():
    seen = FirstSeen(content_width=2)
    seen.check(pd.Series(["a"]), np.array([2]), np.array([[1, 2]], dtype=np.uint64))
    earlier, differs = seen.check(pd.Series(["a", "a"]), np.array([3, 4]),
                                  np.array([[1, 2], [1, 9]], dtype=np.uint64))
    assert earlier.tolist() == [2, 2]
    assert differs.tolist() == [[False, False], [False, True]]


def test_content_given_as_a_function_is_compared_across_chunks_when_a_key_repeats():
    computed = []

    def content_of(rows: list[list[int]]):
        def compute():
            computed.append(len(rows))
            return np.array(rows, dtype=np.uint64)
        return compute

    seen = FirstSeen(content_width=2)
    earlier, differs = seen.check(pd.Series(["a", "b"]), np.array([2, 3]),
                                  content_of([[1, 2], [3, 4]]))
    assert earlier.tolist() == [0, 0] and not differs.any()
    assert computed == []  # no key repeated: nothing to compare yet
    earlier, differs = seen.check(pd.Series(["b", "c", "c"]), np.array([4, 5, 6]),
                                  content_of([[3, 5], [7, 7], [7, 7]]))
    assert earlier.tolist() == [3, 0, 5]
    assert differs[earlier > 0].tolist() == [[False, True], [False, False]]
    assert computed == [2, 3]  # the first chunk's once a later chunk came, then this one's


def test_the_report_joins_the_reasons_of_a_row_and_counts_what_it_leaves_out():
    report = ErrorReport("users.csv", limit=2)
    report.add([(3, "b"), (2, "a"), (3, "c")])
    report.add([(9, "d"), (11, "e")])
    assert report.bad_rows == 4
    assert report.problems == [ImportProblem(2, "a"), ImportProblem(3, "b; c")]
    assert report.omitted == 2
    assert problem_lines(report.display_name, report.problems, report.omitted) == [
        "users.csv:2: a", "users.csv:3: b; c", "users.csv: ... and 2 more rows with errors"]


def test_times_are_accepted_only_inside_the_supported_range_with_both_ends_included():
    rows = conversations(
        {"started_at": "1970-01-01T00:00:00Z"}, {"started_at": "2100-01-01T00:00:00Z"},
        {"started_at": "1969-12-31T23:59:59Z"}, {"started_at": "2100-01-01T00:00:01Z"},
        {"started_at": "1970-01-01T00:30:00+01:00"}, {"started_at": "0001-01-01T00:00:00Z"},
        {"started_at": "9999-12-31T23:59:59Z"}, {"started_at": "12026-01-01T00:00:00Z"},
        {"started_at": "2026-06-01T10:00:00Z", "ended_at": "9999-01-01T00:00:00Z"},
    )
    checked = check_conversations(rows, PARIS)
    assert checked.rows["line"].tolist() == [2, 3]
    assert [line for line, _ in checked.problems] == [4, 5, 6, 7, 8, 9, 10]
    assert all("outside the supported range 1970-01-01 .. 2100-01-01 (UTC)" in reason
               for _, reason in checked.problems)


def test_a_row_that_repeats_the_header_is_named_as_such():
    rows = users({"user_id": "u1"}, {"user_id": "User ID", "status": "Status"})
    assert check_users(rows).problems[0] == (
        3, "repeats the header row (were two files joined into one?)")
