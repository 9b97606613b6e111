"""Imports at the same time: of different tenants they run side by side, of one tenant they
take turns on its lock; either way every tenant ends as if its files came one at a time."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, select, text

from licensing_core.db.engine import Database
from licensing_core.db.models import Conversation, Term, UsageSession
from licensing_core.services.imports import import_conversations
from licensing_core.services.tenants import renew
from tests.fixtures_data import conversation, make_tenant, write_csv

NOW = datetime(2026, 6, 15, 12, 0)


def _file(tmp_path: Path, name: str, first: int, count: int, day: int) -> Path:
    start = datetime(2026, 6, day, 8)
    return write_csv(tmp_path / name, [
        conversation(f"c{i:05d}", f"u{i % 37}", (start + timedelta(minutes=3 * i)).isoformat()
                     + "Z", agent_name=f"Bot {i % 3}") for i in range(first, first + count)])


def _at_once(*works: Callable[[], Any]) -> list[Any]:
    """Run the works in threads that start together; their results, or what they raised."""
    start = threading.Barrier(len(works))
    results: list[Any] = [None] * len(works)

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = works[index]()
        except Exception as exc:  # noqa: BLE001 - handed to the test, which shows it
            results[index] = exc
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(works))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _import(db: Database, tenant: str, path: Path) -> Callable[[], Any]:
    return lambda: import_conversations(db, tenant_id=tenant, path=path, actor="test", now=NOW)


def _usage(db: Database, tenant: str) -> tuple[list[tuple], int]:
    """The tenant's sessions (without the tenant) and its term's consumption."""
    s = UsageSession
    with db.transaction() as session:
        rows = sorted(session.execute(select(
            s.session_id, s.user_id, s.agent_name, s.started_at, s.window_end,
            s.conversation_count).where(s.tenant_id == tenant)).all())
        consumed = session.scalar(select(Term.consumed).where(Term.tenant_id == tenant))
    return rows, int(consumed or 0)


def _stored_at_once(db: Database, *imports: tuple[str, Path]) -> list[Any]:
    """Import each (tenant, file) at the same time; what each stored, or what it raised."""
    results = _at_once(*(_import(db, tenant, path) for tenant, path in imports))
    return [getattr(r, "stored", r) for r in results]


def _usage_alone(db: Database, tenant: str, *paths: Path) -> tuple[list[tuple], int]:
    """The usage of a new tenant given the files one after the other."""
    make_tenant(db, tenant_id=tenant, now=NOW)
    for path in paths:
        _import(db, tenant, path)()
    return _usage(db, tenant)


def test_imports_of_two_tenants_at_once_store_what_each_stores_alone(db: Database,
                                                                      tmp_path: Path):
    for tenant in ("acme", "beta"):
        make_tenant(db, tenant_id=tenant, now=NOW)
    a, b = _file(tmp_path, "a.csv", 0, 3000, 1), _file(tmp_path, "b.csv", 5000, 2000, 2)
    assert _stored_at_once(db, ("acme", a), ("beta", b)) == [3000, 2000]
    assert _usage(db, "acme") == _usage_alone(db, "alone_a", a)
    assert _usage(db, "beta") == _usage_alone(db, "alone_b", b)
    assert _usage(db, "acme")[1] > 0


def test_two_files_of_one_tenant_at_once_take_turns_and_store_both(db: Database,
                                                                    tmp_path: Path):
    make_tenant(db, tenant_id="acme", now=NOW)
    first, second = _file(tmp_path, "1.csv", 0, 2000, 1), _file(tmp_path, "2.csv", 2000, 2000, 1)
    assert _stored_at_once(db, ("acme", first), ("acme", second)) == [2000, 2000]
    assert _usage(db, "acme") == _usage_alone(db, "alone", first, second)


def test_an_import_that_waits_for_another_of_its_tenant_sees_all_that_one_stored(
        db: Database, tmp_path: Path):
    """The later file is checked and about to be stored when the earlier one comes: the
    earlier one waits for the tenant until the later one is stored, then its sessions
    join the later file's, as if the files came in the order of their times."""
    make_tenant(db, tenant_id="acme", now=NOW)
    start = datetime(2026, 6, 1, 10)

    def one_user(name: str, first: int, count: int) -> Path:  # every 3 minutes
        return write_csv(tmp_path / name, [conversation(
            f"c{i:03d}", "u1", (start + timedelta(minutes=3 * i)).isoformat() + "Z")
            for i in range(first, first + count)])
    # The session opened at 10:30 by the earlier file goes on in the later one.
    earlier, later = one_user("1.csv", 0, 15), one_user("2.csv", 15, 15)
    other = threading.Thread(target=_import(db, "acme", earlier))

    def meanwhile(done: int, total: int) -> None:
        if not other.is_alive() and total == 0:  # its first chunk, checked
            other.start()
            other.join(timeout=1.0)  # it cannot be done: it waits for the tenant
    summary = import_conversations(db, tenant_id="acme", path=later, actor="test", now=NOW,
                                   progress=meanwhile)
    other.join(timeout=60)
    assert summary.stored == 15
    usage = _usage(db, "acme")
    assert usage == _usage_alone(db, "alone", earlier, later)
    assert [row[-1] for row in usage[0]] == [10, 10, 10]  # 10:00, 10:30, 11:00


def _import_with_a_change_at_the_lock(db: Database, tenant: str, path: Path,
                                     change: Callable[[Database], Any]) -> bool:
    """Import the file, `change` made through another connection at the moment the import
    asks for its tenant's lock (a locked read, or on SQLite its first write): after the
    import read and checked its first rows. True when the change was made."""
    elsewhere, changed = Database(db.url), []

    def change_first(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        locking = "FOR UPDATE" in statement or not statement.lstrip().startswith("SELECT")
        if locking and not changed:
            changed.append(change(elsewhere))
    event.listen(db.engine, "before_cursor_execute", change_first)
    try:
        _import(db, tenant, path)()
    finally:
        event.remove(db.engine, "before_cursor_execute", change_first)
        elsewhere.dispose()
    return bool(changed)


def _run(db: Database, statement: str) -> None:
    with db.engine.begin() as connection:
        connection.execute(text(statement))


def test_a_file_checked_before_its_tenants_zone_changed_is_stored_in_the_new_zone(
        db: Database, tmp_path: Path):
    """An import checks its first rows before it waits for the tenant; the zone they were
    read in is the tenant's when the import has the tenant, or they are read again."""
    make_tenant(db, tenant_id="acme", now=NOW)  # UTC
    path = write_csv(tmp_path / "local.csv", [conversation("c1", "u1", "2026-06-01T10:00:00")])
    assert _import_with_a_change_at_the_lock(db, "acme", path, lambda elsewhere: _run(
        elsewhere, "UPDATE tenants SET timezone = 'Asia/Kolkata'"))
    with db.transaction() as session:
        assert session.scalar(select(Conversation.started_at)) == datetime(2026, 6, 1, 4, 30)


def test_sessions_begun_before_a_new_term_came_are_those_of_the_new_term(
        db: Database, tmp_path: Path):
    """An import begins a small file's sessions before it waits for the tenant; a term
    recorded meanwhile (here with 60-minute sessions, where the file's day had no term and
    so 30-minute ones) gives them their length and their term, or they are begun again."""
    make_tenant(db, tenant_id="acme", start=date(2026, 1, 1), end=date(2026, 5, 31), now=NOW)
    path = write_csv(tmp_path / "june.csv", [conversation("c1", "u1", "2026-06-02T10:00:00Z"),
                                              conversation("c2", "u1", "2026-06-02T10:40:00Z")])
    assert _import_with_a_change_at_the_lock(db, "acme", path, lambda elsewhere: renew(
        elsewhere, tenant_id="acme", start=date(2026, 6, 1), end=date(2027, 5, 31),
        licenses=10, session_minutes=60, actor="test", now=NOW))
    with db.transaction() as session:
        sessions = session.execute(select(UsageSession.session_id, UsageSession.window_end,
                                          UsageSession.term_id)).all()
        new_term = session.scalar(select(Term.id).where(Term.start_date == date(2026, 6, 1)))
    assert sessions == [("S-c1", datetime(2026, 6, 2, 11, 0), new_term)]
