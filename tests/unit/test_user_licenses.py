"""Who holds a license in a user-based term, and since when."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

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


def reference_holdings(users, terms, events, conversations) -> dict[tuple[int, str], tuple]:
    """The rule read plainly, user by user: Active at the term's start (its latest event at
    or before it says so, or it has none and its first conversation is at or before it),
    becoming Active during the term, or a conversation in it; the earliest of these."""
    held = {}
    for term_id, start, end in terms:
        for user in sorted(set(users)):
            mine = [(at, i, status) for i, (u, status, at) in enumerate(events) if u == user]
            talks = [at for u, at in conversations if u == user]
            until_start = [e for e in mine if e[0] <= start]
            if until_start:
                active_at_start = max(until_start)[2] == "Active"
            else:
                active_at_start = bool(talks) and min(talks) <= start
            moments = [start] if active_at_start else []
            moments += [at for at, _, status in mine if status == "Active" and start < at < end]
            inside = [at for at in talks if start <= at < end]
            moments += inside
            if moments:
                held[(term_id, user)] = (min(moments), len(inside))
    return held


MOMENTS = st.sampled_from([datetime(2025, 12, 1), datetime(2026, 1, 1), datetime(2026, 3, 5),
                           datetime(2026, 6, 30, 23, 59), datetime(2026, 7, 1),
                           datetime(2026, 9, 9, 9, 9), datetime(2027, 1, 1)])
USERS = st.sampled_from(["u1", "u2", "u3"])


@settings(max_examples=300, deadline=None)
@given(events=st.lists(st.tuples(USERS, st.sampled_from(["Active", "Inactive"]), MOMENTS),
                       max_size=8),
       conversations=st.lists(st.tuples(USERS, MOMENTS), max_size=8),
       users=st.lists(USERS, min_size=1, max_size=3, unique=True),
       terms=st.sampled_from([[TERM_1], [TERM_2], [TERM_1, TERM_2]]))
def test_the_holdings_are_those_of_the_rule_read_plainly(events, conversations, users, terms):
    """Many events at the same moment, users met only in conversations, users not asked
    for: the holdings are the plain reading's."""
    assert holdings(events=events, conversations=conversations, users=users, terms=terms) == \
        reference_holdings(users, terms, events, conversations)
