"""Fixed-window sessions depend only on the set of conversations, never on order or split."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from licensing_core.db.engine import open_database
from licensing_core.db.models import UsageSession
from licensing_core.domain.calendar import TermCalendar, TermSpan
from licensing_core.domain.kinds import LicenseType
from licensing_core.domain.sessions import sessionize
from licensing_core.queries.summary import subscription_summary
from licensing_core.services.imports import import_conversations
from tests.fixtures_data import conversation, make_tenant, write_csv

UTC = ZoneInfo("UTC")
START = datetime(2026, 6, 1, 9, 0)
NOW = datetime(2026, 6, 15, 12, 0)
JUNE = TermCalendar([TermSpan(1, LicenseType.SESSION, date(2026, 6, 1), date(2026, 6, 30), 30)],
                    UTC)


def conversations(*rows: tuple[str, str, int] | tuple[str, str, int, str, str]) -> pd.DataFrame:
    """(conversation_id, user_id, minutes after 09:00 on June 1st[, agent, channel])."""
    records = []
    for row in rows:
        cid, user, minutes, *rest = row
        agent, channel = rest if rest else ("Luma", "web")
        records.append({"conversation_id": cid, "user_id": user, "agent_name": agent,
                        "channel": channel, "started_at": START + timedelta(minutes=minutes),
                        "initiated_by": "User"})
    frame = pd.DataFrame(records)
    frame["started_at"] = frame["started_at"].astype("datetime64[us]")
    return frame


def canonical(sessions: pd.DataFrame) -> list[tuple]:
    return sorted(sessions.astype({"term_id": "int64"}).itertuples(index=False, name=None))


# ---- any order, any split: the same sessions ----------------------------------------------

rows = st.lists(
    st.tuples(st.sampled_from(["u1", "u2"]), st.sampled_from(["Luma", "Nova"]),
              st.sampled_from(["web", "voice"]), st.integers(0, 240)),
    min_size=1, max_size=25,
)


def as_frame(generated: list[tuple[str, str, str, int]]) -> pd.DataFrame:
    return conversations(*((f"c{i:03d}", user, minutes, agent, channel)
                           for i, (user, agent, channel, minutes) in enumerate(generated)))


@settings(max_examples=200, deadline=None)
@given(generated=rows, data=st.data())
def test_any_permutation_of_the_conversations_gives_the_same_sessions(generated, data):
    frame = as_frame(generated)
    order = data.draw(st.permutations(range(len(frame))))
    assert canonical(sessionize(frame.iloc[list(order)], JUNE)) == \
        canonical(sessionize(frame, JUNE))


@settings(max_examples=200, deadline=None)
@given(generated=rows, data=st.data())
def test_any_split_into_imports_gives_the_same_sessions_as_one_import(generated, data):
    frame = as_frame(generated)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(frame)), max_size=4)))
    parts = [frame.iloc[a:b] for a, b in zip([0, *cuts], [*cuts, len(frame)], strict=True)]
    # what the stored conversations are after importing the parts in reverse order
    union = pd.concat(list(reversed(parts)), ignore_index=True)
    assert canonical(sessionize(union, JUNE)) == canonical(sessionize(frame, JUNE))


def reference_sessions(frame: pd.DataFrame) -> list[tuple]:
    """The window rule read plainly: per (user, agent, channel), in order of start and then
    conversation_id, a conversation joins the open session while it starts inside that
    session's 30-minute window, else it opens the next one."""
    sessions: list[list] = []
    open_by_group: dict[tuple[str, str, str], list] = {}
    for row in sorted(frame.itertuples(index=False), key=lambda r: (
            r.user_id, r.agent_name, r.channel, r.started_at, r.conversation_id)):
        group = (row.user_id, row.agent_name, row.channel)
        current = open_by_group.get(group)
        if current is not None and row.started_at < current[5]:
            current[7] += 1
            continue
        current = [f"S-{row.conversation_id}", *group, row.started_at,
                   row.started_at + timedelta(minutes=30), row.initiated_by, 1, 1]
        open_by_group[group] = current
        sessions.append(current)
    return sorted(tuple(s) for s in sessions)


@settings(max_examples=200, deadline=None)
@given(generated=rows, data=st.data())
def test_the_sessions_are_those_of_the_window_rule_read_plainly(generated, data):
    frame = as_frame(generated)  # few distinct minutes: many conversations start together
    order = data.draw(st.permutations(range(len(frame))))
    shuffled = frame.iloc[list(order)].reset_index(drop=True)
    assert canonical(sessionize(shuffled, JUNE)) == reference_sessions(frame)


def stored_sessions(db, tenant_id: str) -> list[tuple]:
    with db.transaction() as session:
        return sorted(session.execute(select(
            UsageSession.session_id, UsageSession.user_id, UsageSession.started_at,
            UsageSession.window_end, UsageSession.conversation_count,
        ).where(UsageSession.tenant_id == tenant_id)).all())


def test_importing_the_same_conversations_split_two_ways_stores_the_same_sessions(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'split.db'}")
    rows = [conversation(f"c{i:02d}", f"u{i % 3}", (START + timedelta(minutes=7 * i))
                         .isoformat() + "Z", channel="web" if i % 4 else "voice")
            for i in range(30)]
    for tenant in ("one", "two"):
        make_tenant(db, tenant_id=tenant, start=date(2026, 1, 1), end=date(2026, 12, 31),
                    now=NOW)
    halves = [rows[:15], rows[15:]]
    thirds = [rows[2::3], list(reversed(rows[0::3])), rows[1::3]]
    for tenant, parts in (("one", halves), ("two", thirds)):
        for number, part in enumerate(parts):
            path = write_csv(Path(tmp_path) / f"{tenant}{number}.csv", part)
            import_conversations(db, tenant_id=tenant, path=path, actor="test", now=NOW)
    assert stored_sessions(db, "one") == stored_sessions(db, "two")
    consumed = [subscription_summary(db, t, now=NOW).consumed for t in ("one", "two")]
    assert consumed[0] == consumed[1] == len(stored_sessions(db, "one")) > 3
    db.dispose()


# ---- the window rule, by example -----------------------------------------------------------

def starts(sessions: pd.DataFrame) -> list[tuple[str, int]]:
    ordered = sessions.sort_values("started_at")
    return list(zip(ordered["session_id"], ordered["conversation_count"], strict=True))


def test_a_conversation_inside_the_window_joins_the_session():
    assert starts(sessionize(conversations(("a", "u1", 0), ("b", "u1", 29)), JUNE)) == [
        ("S-a", 2)]


def test_a_conversation_exactly_at_start_plus_duration_starts_a_new_session():
    assert starts(sessionize(conversations(("a", "u1", 0), ("b", "u1", 30)), JUNE)) == [
        ("S-a", 1), ("S-b", 1)]


def test_the_window_is_counted_from_the_session_start_not_the_latest_conversation():
    sessions = sessionize(conversations(("a", "u1", 0), ("b", "u1", 20), ("c", "u1", 40)), JUNE)
    assert starts(sessions) == [("S-a", 2), ("S-c", 1)]


def test_another_agent_or_channel_or_user_makes_separate_sessions():
    sessions = sessionize(conversations(("a", "u1", 0, "Luma", "web"),
                                        ("b", "u1", 1, "Nova", "web"),
                                        ("c", "u1", 2, "Luma", "voice"),
                                        ("d", "u2", 3, "Luma", "web")), JUNE)
    assert sorted(sessions["session_id"]) == ["S-a", "S-b", "S-c", "S-d"]


def test_conversations_starting_at_the_same_moment_are_ordered_by_conversation_id():
    sessions = sessionize(conversations(("z9", "u1", 0), ("a1", "u1", 0)), JUNE)
    assert starts(sessions) == [("S-a1", 2)]


def test_a_session_counts_in_the_term_it_starts_in_even_when_it_runs_into_the_next():
    calendar = TermCalendar([
        TermSpan(1, LicenseType.SESSION, date(2026, 5, 1), date(2026, 5, 31), 30),
        TermSpan(2, LicenseType.SESSION, date(2026, 6, 1), date(2026, 6, 30), 30),
    ], UTC)
    sessions = sessionize(conversations(("late", "u1", -70), ("next", "u1", -45)), calendar)
    # 07:50 and 08:15 on June 1st: both in term 2
    assert sessions["term_id"].tolist() == [2]
    sessions = sessionize(conversations(("may", "u1", -9 * 60 - 10), ("june", "u1", -9 * 60 + 5)),
                          calendar)
    # 23:50 on May 31st opens a session that takes the 00:05 conversation: it counts in May
    assert (sessions["term_id"].tolist(), sessions["conversation_count"].tolist()) == ([1], [2])


def test_each_term_gives_its_own_session_duration():
    calendar = TermCalendar([
        TermSpan(1, LicenseType.SESSION, date(2026, 5, 1), date(2026, 5, 31), 30),
        TermSpan(2, LicenseType.SESSION, date(2026, 6, 1), date(2026, 6, 30), 60),
    ], UTC)
    june = sessionize(conversations(("a", "u1", 0), ("b", "u1", 45)), calendar)
    may = sessionize(conversations(("c", "u1", -24 * 60), ("d", "u1", -24 * 60 + 45)), calendar)
    assert (len(june), len(may)) == (1, 2)
    assert (june["window_end"] - june["started_at"]).tolist() == [pd.Timedelta(minutes=60)]


def test_a_session_outside_every_session_based_term_counts_nowhere():
    assert sessionize(conversations(("a", "u1", -24 * 60 * 40)), JUNE)["term_id"].tolist() == [-1]


# ---- the rule as a person applies it, one conversation after another -----------------------

def by_hand(frame: pd.DataFrame, calendar: TermCalendar) -> list[tuple[str, int]]:
    """(first conversation, conversations) of each session: in time order per (user, agent,
    channel), a conversation opens a session unless it starts before the latest session's
    window ends; the window's length is that of the term the session starts in."""
    sessions: list[tuple[str, int]] = []
    for _, group in frame.sort_values(["started_at", "conversation_id"]).groupby(
            ["user_id", "agent_name", "channel"]):
        window_end = None
        for row in group.itertuples():
            at = pd.Timestamp(row.started_at)
            if window_end is None or at >= window_end:
                minutes = int(calendar.session_length_us_at(
                    np.array([at.value // 1000]))[0] // 60_000_000)
                window_end = at + timedelta(minutes=minutes)
                sessions.append((row.conversation_id, 0))
            first, count = sessions[-1]
            sessions[-1] = (first, count + 1)
    return sorted(sessions)


TWO_TERMS = TermCalendar([
    TermSpan(1, LicenseType.SESSION, date(2026, 6, 1), date(2026, 6, 1), 45),
    TermSpan(2, LicenseType.SESSION, date(2026, 6, 2), date(2026, 6, 30), 20)], UTC)


@settings(max_examples=200, deadline=None)
@given(generated=st.lists(
    st.tuples(st.sampled_from(["u1", "u2", "u3"]), st.sampled_from(["Luma", "Nova"]),
              st.sampled_from(["web"]), st.integers(0, 12 * 30).map(lambda m: 5 * m)),
    min_size=1, max_size=60))  # five-minute steps: often exactly a window apart
def test_sessions_are_those_the_rule_gives_by_hand(generated):
    frame = as_frame(generated)
    sessions = sessionize(frame, TWO_TERMS)
    found = sorted((sid.removeprefix("S-"), int(count)) for sid, count in zip(
        sessions["session_id"], sessions["conversation_count"], strict=True))
    assert found == by_hand(frame, TWO_TERMS)
