"""An import that only appends builds its sessions from its rows in memory, not read back.

Every test compares the sessions table with that of a tenant given the same conversations
in one file through the read-back path (sessions_from_memory=False), on SQLite and PostgreSQL.
`paths` records which way each import went by wrapping the real recompute_usage.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from licensing_core.db.engine import Database
from licensing_core.db.models import Term, UsageSession
from licensing_core.db.tenancy import get_tenant
from licensing_core.queries.summary import subscription_summary
from licensing_core.services import usage
from licensing_core.services.imports import (
    ImportSummary,
    import_conversations,
    reading,
    sessionizing,
)
from licensing_core.services.usage import only_appends
from tests.fixtures_data import conversation, make_tenant, write_csv

NOW = datetime(2026, 6, 15, 12, 0)
MEMORY, READ_BACK = "memory", "read back"
_files = itertools.count()


@pytest.fixture
def paths(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The way each import built its sessions, in order (the real work still runs)."""
    taken: list[str] = []
    real = sessionizing.recompute_usage

    def recording(session, tenant, user_ids, since=None, added=None):
        taken.append(READ_BACK if added is None else MEMORY)
        return real(session, tenant, user_ids, since, added)

    monkeypatch.setattr(sessionizing, "recompute_usage", recording)
    yield taken


def at(text: str) -> str:
    return text + "Z"


def load(db: Database, tmp_path: Path, tenant: str, rows: list[dict],
         sessions_from_memory: bool = True) -> ImportSummary:
    path = write_csv(tmp_path / f"{tenant}-{next(_files)}.csv", rows)
    return import_conversations(db, tenant_id=tenant, path=path, actor="test", now=NOW,
                                sessions_from_memory=sessions_from_memory)


def load_read_back(db: Database, tmp_path: Path, tenant: str,
                   rows: list[dict]) -> ImportSummary:
    """The reference: the same import with every session read back from the database."""
    return load(db, tmp_path, tenant, rows, sessions_from_memory=False)


def sessions_table(db: Database, tenant: str) -> list[tuple]:
    """Every column of the tenant's sessions but tenant_id; the term as its start date, as
    term ids differ between tenants."""
    table = UsageSession.__table__
    columns = [c for c in table.c if c.name not in ("tenant_id", "term_id")]
    with db.transaction() as session:
        rows = session.execute(select(*columns, Term.start_date).outerjoin(
            Term, Term.id == table.c.term_id).where(table.c.tenant_id == tenant)).all()
    return sorted(tuple(row) for row in rows)


def consumed(db: Database, tenant: str) -> int:
    return subscription_summary(db, tenant, now=NOW).consumed


def day_of_conversations(day: int, count: int, seed: int) -> list[dict]:
    """`count` conversations of June `day` between 08:00 and 18:00, on the minute (ties)."""
    rng = random.Random(seed * 100 + day)
    rows = []
    for i in range(count):
        start = datetime(2026, 6, day, 8) + timedelta(minutes=rng.randrange(600))
        rows.append(conversation(f"d{day}-{i:03d}", f"u{rng.randrange(6)}",
                                 at(start.isoformat()), agent_name=rng.choice(["Luma", "Nova"]),
                                 channel=rng.choice(["web", "voice"])))
    return rows


# Days 1-3 end by 18:00; day 4 ends at 23:50 and day 5 begins at 00:05, both u1/Luma/web.
DAYS = {day: day_of_conversations(day, 40, seed=7) for day in range(1, 6)}
DAYS[4].append(conversation("late-4", "u1", at("2026-06-04T23:50:00")))
DAYS[5].insert(0, conversation("early-5", "u1", at("2026-06-05T00:05:00")))
HISTORY = [row for day in sorted(DAYS) for row in DAYS[day]]


def tenants(db: Database, *names: str, session_minutes: int = 30) -> None:
    for name in names:
        make_tenant(db, tenant_id=name, session_minutes=session_minutes, now=NOW)


def assert_same_as_reference(db: Database, tenant: str, reference: str) -> None:
    assert sessions_table(db, tenant) == sessions_table(db, reference)
    assert consumed(db, tenant) == consumed(db, reference)


# ---- when an import only appends --------------------------------------------------------

def test_only_appends_until_a_stored_conversation_starts_within_the_longest_session(
        db, tmp_path):
    tenants(db, "short")
    tenants(db, "long", session_minutes=60)
    for tenant in ("short", "long"):
        load(db, tmp_path, tenant, [conversation("c1", "u1", at("2026-06-01T10:00:00"))])

    def appends(tenant: str, since: str) -> bool:
        with db.transaction() as session:
            return only_appends(session, get_tenant(session, tenant),
                                datetime.fromisoformat(since))

    # floor = since - longest session; a stored conversation at or after it reads back
    assert appends("short", "2026-06-01T10:30:01")
    assert not appends("short", "2026-06-01T10:30:00")  # floor is 10:00 itself
    assert not appends("short", "2026-06-01T10:20:00")
    assert not appends("long", "2026-06-01T10:45:00")  # its sessions last 60 minutes
    assert appends("long", "2026-06-01T11:00:01")


def test_a_first_import_builds_from_memory_the_sessions_of_the_read_back(db, tmp_path, paths):
    tenants(db, "memory", "reference")
    summary = load(db, tmp_path, "memory", HISTORY)
    reference = load_read_back(db, tmp_path, "reference", HISTORY)
    assert paths == [MEMORY, READ_BACK]
    assert summary.sessions_recomputed == reference.sessions_recomputed > 100
    assert_same_as_reference(db, "memory", "reference")


@pytest.mark.parametrize("users_per_batch", [1, 4])
def test_sessions_made_in_batches_of_users_are_those_of_one_batch(db, tmp_path, paths,
                                                                   monkeypatch, users_per_batch):
    """A large file's sessions are made a batch of users at a time (1,000): with batches of
    one and of four of its six users, each batch holds its users' sessions and no other's."""
    monkeypatch.setattr(usage, "APPENDED_USERS_PER_BATCH", users_per_batch)
    tenants(db, "batched", "reference")
    load(db, tmp_path, "batched", HISTORY)
    load_read_back(db, tmp_path, "reference", HISTORY)
    assert paths == [MEMORY, READ_BACK]
    assert_same_as_reference(db, "batched", "reference")


def test_day_by_day_files_give_the_sessions_of_one_file(db, tmp_path, paths):
    tenants(db, "daily", "daily_read_back", "reference")
    summaries = [load(db, tmp_path, "daily", DAYS[day]) for day in sorted(DAYS)]
    # day 5's first conversation falls 15 minutes after day 4's last one: it reads back
    assert paths == [MEMORY, MEMORY, MEMORY, MEMORY, READ_BACK]
    read_back = [load_read_back(db, tmp_path, "daily_read_back", DAYS[day])
                 for day in sorted(DAYS)]
    assert [s.sessions_recomputed for s in summaries] == \
        [s.sessions_recomputed for s in read_back]
    load_read_back(db, tmp_path, "reference", HISTORY)
    assert_same_as_reference(db, "daily", "reference")
    assert_same_as_reference(db, "daily_read_back", "reference")


def test_files_out_of_order_or_overlapping_read_back_and_give_the_same_sessions(
        db, tmp_path, paths):
    tenants(db, "shuffled", "reference")
    load(db, tmp_path, "shuffled", DAYS[3])
    load(db, tmp_path, "shuffled", DAYS[1])  # earlier than stored ones
    load(db, tmp_path, "shuffled", DAYS[2] + DAYS[3] + DAYS[4] + DAYS[5])  # day 3 again
    assert paths == [MEMORY, READ_BACK, READ_BACK]
    load_read_back(db, tmp_path, "reference", HISTORY)
    assert_same_as_reference(db, "shuffled", "reference")


def test_rows_already_stored_are_skipped_and_make_no_second_session(db, tmp_path, paths):
    tenants(db, "again", "reference")
    load(db, tmp_path, "again", DAYS[1])
    # day 1 again (stored, hours before day 2: still only appends) and a row twice
    summary = load(db, tmp_path, "again", DAYS[1] + DAYS[2] + DAYS[2][:1])
    assert paths == [MEMORY, MEMORY]
    assert (summary.stored, summary.skipped) == (len(DAYS[2]), len(DAYS[1]) + 1)
    reference = load_read_back(db, tmp_path, "reference", DAYS[1] + DAYS[2])
    assert summary.sessions_recomputed == reference.sessions_recomputed
    assert_same_as_reference(db, "again", "reference")


def test_a_session_spanning_two_appended_files_is_read_back_and_extended(
        db, tmp_path, paths):
    tenants(db, "spanning", "reference")
    first = [conversation("a", "u1", at("2026-06-01T23:50:00"))]
    second = [conversation("b", "u1", at("2026-06-02T00:05:00")),
              conversation("c", "u2", at("2026-06-02T09:00:00"))]
    load(db, tmp_path, "spanning", first)
    summary = load(db, tmp_path, "spanning", second)
    assert paths == [MEMORY, READ_BACK]
    load_read_back(db, tmp_path, "reference", first + second)
    assert_same_as_reference(db, "spanning", "reference")
    assert [(row[0], row[-2]) for row in sessions_table(db, "spanning")] == [
        ("S-a", 2), ("S-c", 1)]
    assert summary.sessions_recomputed == 2


@pytest.mark.parametrize(("second_at", "path", "sessions"), [
    ("2026-06-02T00:20:00", READ_BACK, 2),  # at a's window end: a new session, read back
    ("2026-06-02T00:20:01", MEMORY, 2),  # past the longest session after a: from memory
])
def test_the_boundary_of_the_window_gives_the_same_sessions_either_way(
        db, tmp_path, paths, second_at, path, sessions):
    tenants(db, "edge", "reference")
    first = [conversation("a", "u1", at("2026-06-01T23:50:00"))]
    second = [conversation("b", "u1", at(second_at))]
    load(db, tmp_path, "edge", first)
    assert load(db, tmp_path, "edge", second).sessions_recomputed == sessions
    assert paths == [MEMORY, path]
    load_read_back(db, tmp_path, "reference", first + second)
    assert_same_as_reference(db, "edge", "reference")


def test_a_longer_session_of_the_terms_lowers_the_floor(db, tmp_path, paths):
    tenants(db, "hourly", "reference", session_minutes=60)
    first = [conversation("a", "u1", at("2026-06-01T10:00:00"))]
    second = [conversation("b", "u1", at("2026-06-01T10:45:00"))]  # joins a's 60 minutes
    load(db, tmp_path, "hourly", first)
    load(db, tmp_path, "hourly", second)
    assert paths == [MEMORY, READ_BACK]
    load_read_back(db, tmp_path, "reference", first + second)
    assert_same_as_reference(db, "hourly", "reference")
    assert [row[-2] for row in sessions_table(db, "hourly")] == [2]


def test_rows_over_the_memory_budget_are_read_back(db, tmp_path, paths, monkeypatch):
    tenants(db, "big", "reference")
    monkeypatch.setattr(sessionizing, "KEPT_ROWS_BYTES", 0)
    monkeypatch.setattr(reading, "CHUNK_ROWS", 3)  # a file's one chunk is never over it
    monkeypatch.setattr("licensing_core.services.imports.AHEAD_ROWS", 3)  # nor one frame
    load(db, tmp_path, "big", HISTORY)
    assert paths == [READ_BACK]
    load_read_back(db, tmp_path, "reference", HISTORY)
    assert_same_as_reference(db, "big", "reference")


@pytest.mark.parametrize("ahead_rows, begun_ahead", [(len(HISTORY), True),
                                                     (len(HISTORY) - 1, False)])
def test_a_file_of_several_chunks_begins_its_sessions_before_the_lock(
        db, tmp_path, monkeypatch, ahead_rows, begun_ahead):
    """On SQLite, within AHEAD_ROWS, the chunks are made one frame whose sessions, begun
    before the tenant's lock, are the ones stored; over it, they are built under the lock,
    as on PostgreSQL for any file of more than one chunk."""
    begun_ahead = begun_ahead and db.engine.dialect.name == "sqlite"
    tenants(db, "chunks", "reference")
    monkeypatch.setattr(reading, "CHUNK_ROWS", 40)
    monkeypatch.setattr("licensing_core.services.imports.AHEAD_ROWS", ahead_rows)
    made, used = [], []
    real_ahead, real_recompute = sessionizing.FileAhead.of, sessionizing.recompute_usage

    def ahead_of(*args):
        made.append(real_ahead(*args))
        return made[-1]

    def recompute(session, tenant, user_ids, since=None, added=None):
        used.append(added)
        return real_recompute(session, tenant, user_ids, since, added)

    monkeypatch.setattr(sessionizing.FileAhead, "of", staticmethod(ahead_of))
    monkeypatch.setattr(sessionizing, "recompute_usage", recompute)
    summary = load(db, tmp_path, "chunks", HISTORY)
    assert summary.stored == len(HISTORY)
    assert len(made) == int(begun_ahead)
    assert (used[0] is made[0].sessions) if begun_ahead else used[0] is not None
    load_read_back(db, tmp_path, "reference", HISTORY)
    assert_same_as_reference(db, "chunks", "reference")


def test_an_import_of_rows_all_stored_recomputes_nothing(db, tmp_path, paths):
    tenants(db, "same")
    load(db, tmp_path, "same", DAYS[1])
    before = sessions_table(db, "same")
    summary = load(db, tmp_path, "same", DAYS[1])
    assert (summary.stored, summary.sessions_recomputed, paths) == (0, 0, [MEMORY])
    assert sessions_table(db, "same") == before


# ---- any split of a history into files imported in time order ---------------------------

histories = st.lists(
    st.tuples(st.sampled_from(["u1", "u2"]), st.sampled_from(["Luma", "Nova"]),
              st.sampled_from(["web", "voice"]), st.integers(0, 24 * 60)),
    min_size=1, max_size=30,
)
_examples = itertools.count()


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(generated=histories, minutes=st.sampled_from([15, 30, 60]), data=st.data())
def test_any_split_into_appended_files_gives_the_sessions_of_one_file(
        db, tmp_path, generated, minutes, data):
    start = datetime(2026, 6, 1)
    rows = sorted((conversation(f"c{i:03d}", user, at((start + timedelta(minutes=m))
                                                      .isoformat()), agent_name=agent,
                                channel=channel)
                   for i, (user, agent, channel, m) in enumerate(generated)),
                  key=lambda row: (row["started_at"], row["conversation_id"]))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(rows)), max_size=4)))
    files = [rows[a:b] for a, b in zip([0, *cuts], [*cuts, len(rows)], strict=True)]
    example = next(_examples)
    split, reference = f"split{example}", f"reference{example}"
    tenants(db, split, reference, session_minutes=minutes)
    for part in files:
        if part:
            load(db, tmp_path, split, part)
    load_read_back(db, tmp_path, reference, rows)
    assert_same_as_reference(db, split, reference)
