"""Who holds a license in a user-based term, and since when."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from licensing_core.domain.user_licenses import license_holdings

TERM_1 = (1, datetime(2026, 1, 1), datetime(2026, 7, 1))
TERM_2 = (2, datetime(2026, 7, 1), datetime(2027, 1, 1))


def holdings(*, events: list[tuple[str, str, datetime]] = (),
             conversations: list[tuple[str, datetime]] = (),
             users: list[str] = ("u1",), terms=(TERM_1, TERM_2)) -> dict[tuple[int, str], tuple]:
    """{(term, user): (held_since, conversation_count)} for the given history."""
    status = pd.DataFrame(list(events), columns=["user_id", "status", "at"])
    talks = pd.DataFrame(list(conversations), columns=["user_id", "at"])
    first = talks.groupby("user_id")["at"].min() if len(talks) else pd.Series(dtype=object)
    per_term = []
    for term_id, start, end in terms:
        inside = talks[(talks["at"] >= start) & (talks["at"] < end)]
        stats = inside.groupby("user_id", as_index=False)["at"].agg(["min", "count"])
        stats.columns = ["user_id", "first_at", "count"]
        stats["term_id"] = term_id
        per_term.append(stats)
    held = license_holdings(list(users), list(terms), status, first,
                            pd.concat(per_term, ignore_index=True))
    return {(int(r.term_id), r.user_id): (r.held_since, int(r.conversation_count))
            for r in held.itertuples()}


def test_a_user_active_when_the_term_starts_holds_a_license_from_the_first_moment():
    held = holdings(events=[("u1", "Active", datetime(2025, 12, 1))], terms=[TERM_1])
    assert held == {(1, "u1"): (datetime(2026, 1, 1), 0)}


def test_a_user_that_becomes_active_during_the_term_holds_one_from_then():
    held = holdings(events=[("u1", "Inactive", datetime(2025, 12, 1)),
                            ("u1", "Active", datetime(2026, 3, 5))], terms=[TERM_1])
    assert held == {(1, "u1"): (datetime(2026, 3, 5), 0)}


def test_an_inactive_user_with_a_conversation_in_the_term_holds_one_from_that_conversation():
    held = holdings(events=[("u1", "Inactive", datetime(2025, 12, 1))],
                    conversations=[("u1", datetime(2026, 4, 2, 10)),
                                   ("u1", datetime(2026, 4, 9))], terms=[TERM_1])
    assert held == {(1, "u1"): (datetime(2026, 4, 2, 10), 2)}


def test_an_inactive_user_without_conversations_holds_none():
    assert holdings(events=[("u1", "Inactive", datetime(2025, 12, 1))], terms=[TERM_1]) == {}


def test_deactivating_a_user_does_not_give_its_license_back_before_the_term_ends():
    held = holdings(events=[("u1", "Active", datetime(2025, 12, 1)),
                            ("u1", "Inactive", datetime(2026, 2, 1))], terms=[TERM_1])
    assert held == {(1, "u1"): (datetime(2026, 1, 1), 0)}


def test_a_user_never_counts_twice_in_a_term():
    held = holdings(events=[("u1", "Active", datetime(2025, 12, 1)),
                            ("u1", "Inactive", datetime(2026, 2, 1)),
                            ("u1", "Active", datetime(2026, 3, 1))],
                    conversations=[("u1", datetime(2026, 5, 1))], terms=[TERM_1])
    assert list(held) == [(1, "u1")]


def test_a_user_still_active_at_the_next_term_start_holds_a_license_there_from_its_first_day():
    held = holdings(events=[("u1", "Active", datetime(2026, 3, 1))])
    assert held == {(1, "u1"): (datetime(2026, 3, 1), 0), (2, "u1"): (datetime(2026, 7, 1), 0)}


def test_a_user_deactivated_before_the_next_term_starts_holds_none_there():
    held = holdings(events=[("u1", "Active", datetime(2026, 3, 1)),
                            ("u1", "Inactive", datetime(2026, 6, 1))])
    assert list(held) == [(1, "u1")]


def test_a_user_met_first_in_a_conversation_is_created_active():
    held = holdings(conversations=[("u1", datetime(2026, 5, 20, 8))])
    # holds from its conversation, and is still Active when the next term starts
    assert held == {(1, "u1"): (datetime(2026, 5, 20, 8), 1),
                    (2, "u1"): (datetime(2026, 7, 1), 0)}


def test_a_user_met_in_a_conversation_then_deactivated_by_an_import_stops_at_the_next_term():
    held = holdings(events=[("u1", "Inactive", datetime(2026, 6, 15))],
                    conversations=[("u1", datetime(2026, 5, 20))])
    assert list(held) == [(1, "u1")]


def test_only_the_users_asked_for_are_counted():
    held = holdings(events=[("u1", "Active", datetime(2025, 1, 1)),
                            ("u2", "Active", datetime(2025, 1, 1))], users=["u2"], terms=[TERM_1])
    assert list(held) == [(1, "u2")]
