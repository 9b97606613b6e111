"""The import's pipeline across chunks: a chunk is stored while the next is checked, yet a
bad row anywhere leaves nothing stored; and the bulk writer it stores through, on SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import func, select

from licensing_core.db.bulk import BulkWriter
from licensing_core.db.models import Conversation, PlatformUser, UsageSession
from licensing_core.services.imports import ImportRefused, import_conversations, reading
from tests.fixtures_data import conversation, make_tenant, write_csv

NOW = datetime(2026, 6, 15, 12, 0)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of three rows, so that a small file goes through the pipeline in parts."""
    monkeypatch.setattr(reading, "CHUNK_ROWS", 3)


def day(count: int, first: int = 0, users: int = 4) -> list[dict]:
    start = datetime(2026, 6, 1, 8)
    return [conversation(f"c{i:03d}", f"u{i % users}",
                         (start + timedelta(minutes=7 * i)).isoformat() + "Z")
            for i in range(first, first + count)]


def counts(db, tenant: str) -> tuple[int, int, int]:
    with db.transaction() as session:
        return tuple(int(session.scalar(select(func.count()).select_from(model).where(
            model.tenant_id == tenant)) or 0)
            for model in (Conversation, UsageSession, PlatformUser))


def sessions(db, tenant: str) -> list[tuple]:
    s = UsageSession
    with db.transaction() as session:
        return sorted(session.execute(select(
            s.session_id, s.user_id, s.started_at, s.window_end, s.conversation_count).where(
            s.tenant_id == tenant)).all())


def load(db, tmp_path, tenant: str, rows: list[dict], name: str = "c.csv"):
    return import_conversations(db, tenant_id=tenant, path=write_csv(tmp_path / name, rows),
                                actor="test", now=NOW)


def test_a_bad_row_in_a_late_chunk_leaves_nothing_of_the_chunks_stored_before(
        db, tmp_path, small_chunks):
    make_tenant(db, tenant_id="acme", now=NOW)
    bad = conversation("c999", "u1", "not a time")
    with pytest.raises(ImportRefused) as refused:
        load(db, tmp_path, "acme", [*day(10), bad])
    assert [p.line for p in refused.value.problems] == [12]
    assert counts(db, "acme") == (0, 0, 0)


def test_a_file_in_many_chunks_stores_what_the_same_file_in_one_chunk_does(
        db, tmp_path, monkeypatch):
    make_tenant(db, tenant_id="parts", now=NOW)
    make_tenant(db, tenant_id="whole", now=NOW)
    first, second = day(8), [*day(4, first=4), *day(9, first=8)]  # 4 rows stored again
    load(db, tmp_path, "whole", first, "w1.csv")
    whole = load(db, tmp_path, "whole", second, "w2.csv")
    monkeypatch.setattr(reading, "CHUNK_ROWS", 3)
    load(db, tmp_path, "parts", first, "p1.csv")
    parts = load(db, tmp_path, "parts", second, "p2.csv")  # a stored lookup per chunk
    assert (parts.stored, parts.skipped) == (whole.stored, whole.skipped) == (9, 4)
    assert counts(db, "parts") == counts(db, "whole")
    assert sessions(db, "parts") == sessions(db, "whole")


def _users(names: list[str], tenant: str = "acme") -> pd.DataFrame:
    return pd.DataFrame({"tenant_id": tenant, "user_id": names, "user_name": "",
                         "email": "", "first_name": "", "last_name": "", "role": "",
                         "status": "Active"})


def test_the_bulk_writer_stores_every_frame_across_pauses_and_statements(db):
    make_tenant(db, tenant_id="acme", now=NOW)
    columns = list(_users([]).columns)
    with db.transaction() as session, BulkWriter(session, PlatformUser.__table__,
                                                 columns) as writer:
        writer.write(_users(["a", "b"]))
        writer.write(_users(["c"]))
        writer.pause()  # the connection is free: a statement sees the rows written
        assert session.scalar(select(func.count()).select_from(PlatformUser)) == 3
        writer.write(_users(["d"]))
    assert counts(db, "acme")[2] == 4


def test_a_row_the_database_refuses_fails_the_writer_and_nothing_is_stored(db):
    make_tenant(db, tenant_id="acme", now=NOW)
    columns = list(_users([]).columns)
    with (pytest.raises(Exception, match="(?i)unique|duplicate"),
          db.transaction() as session,
          BulkWriter(session, PlatformUser.__table__, columns) as writer):
        writer.write(_users(["a", "b"]))
        writer.write(_users(["b"]))  # the same primary key again
    assert counts(db, "acme")[2] == 0
