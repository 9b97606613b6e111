"""Imports at the same time: of different tenants they run side by side, of one tenant they
take turns on its lock; either way every tenant ends as if its files came one at a time."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from licensing_core.db.engine import Database
from licensing_core.db.models import Term, UsageSession
from licensing_core.services.imports import import_conversations
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
