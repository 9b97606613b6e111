"""Fixtures: a real database on SQLite and on PostgreSQL for every database test.

PostgreSQL tests need LICENSING_TEST_POSTGRES_URL (an admin URL such as
postgresql://postgres@127.0.0.1:5432/postgres); without it they skip with that reason,
unless LICENSING_REQUIRE_POSTGRES=1 (set by CI), where a missing server is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from licensing_core.db.engine import Database, database_url, open_database
from licensing_core.db.models import Base

POSTGRES_VARIABLE = "LICENSING_TEST_POSTGRES_URL"
# The instant the tests live at, so that "today" and the current term never drift.
NOW = datetime(2026, 6, 15, 12, 0, 0)


def _postgres_admin_url() -> str | None:
    url = os.environ.get(POSTGRES_VARIABLE)
    if not url:
        reason = f"PostgreSQL tests need {POSTGRES_VARIABLE}"
        if os.environ.get("LICENSING_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason + " (required here: LICENSING_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    return database_url(url)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, migrated once, dropped at the end."""
    admin_url = _postgres_admin_url()
    assert admin_url is not None
    name = f"licensing_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    open_database(url).dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
        ), {"n": name})
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def _truncate_postgres(database: Database) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with database.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty, migrated database of each kind."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'licensing.db'}"
        open_database(url).dispose()
        return url
    url = request.getfixturevalue("postgres_url")
    database = Database(url)
    _truncate_postgres(database)
    database.dispose()
    return url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def now() -> datetime:
    return NOW
