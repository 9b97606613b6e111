"""SQLite's one writer's lock, as a change takes it (db.tenancy.lock_for_writing): it waits
while another connection writes, then reads what that one committed; past the quick
tries it still waits, on SQLite's own busy timeout; an error that is no wait is raised as
any statement's is."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from licensing_core.db import tenancy
from licensing_core.db.engine import SQLITE_BUSY_TIMEOUT_S, Database, open_database
from licensing_core.db.models import Tenant
from licensing_core.db.tenancy import get_tenant
from tests.fixtures_data import make_tenant


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'licensing.db'}"
    open_database(url).dispose()
    database = Database(url)
    make_tenant(database, tenant_id="acme", name="Acme")
    yield database
    database.dispose()


def _rename_while_holding(path: Path, name: str, hold_s: float, holding: threading.Event,
                          done: threading.Event) -> None:
    """Another process's writer: renames the tenant, keeps the lock `hold_s`, commits."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE tenants SET name = ? WHERE id = 'acme'", (name,))
    holding.set()
    time.sleep(hold_s)
    other.execute("COMMIT")
    other.close()
    done.set()


def _name_after_locking(db: Database, path: Path, hold_s: float) -> tuple[str, bool]:
    holding, done = threading.Event(), threading.Event()
    writer = threading.Thread(target=_rename_while_holding,
                              args=(path, "Acme Renamed", hold_s, holding, done))
    writer.start()
    assert holding.wait(5)
    try:
        with db.transaction() as session:
            tenant = get_tenant(session, "acme", lock=True)
            return tenant.name, done.is_set()
    finally:
        writer.join()


def test_a_change_waits_for_the_writer_and_reads_what_it_committed(sqlite_db, tmp_path):
    name, writer_done = _name_after_locking(sqlite_db, tmp_path / "licensing.db", 0.3)
    assert writer_done
    assert name == "Acme Renamed"


def test_past_the_quick_tries_sqlite_busy_timeout_still_waits(sqlite_db, tmp_path,
                                                              monkeypatch):
    monkeypatch.setattr(tenancy, "_POLL_S", 0.05)
    name, writer_done = _name_after_locking(sqlite_db, tmp_path / "licensing.db", 0.4)
    assert writer_done
    assert name == "Acme Renamed"
    with sqlite_db.transaction() as session:  # the connection's busy timeout is back
        timeout = session.connection().exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert timeout == SQLITE_BUSY_TIMEOUT_S * 1000


def test_an_error_that_is_no_wait_is_raised(sqlite_db, tmp_path):
    path = tmp_path / "licensing.db"
    read_only = Database(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        with pytest.raises(OperationalError, match="readonly"), \
                read_only.transaction() as session:
            get_tenant(session, "acme", lock=True)
        with read_only.transaction() as session:  # nothing was changed or left locked
            assert session.scalar(select(Tenant.name)) == "Acme"
    finally:
        read_only.dispose()
