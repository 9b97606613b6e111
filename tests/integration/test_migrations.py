"""The migrations build the schema the models describe, fill what they add, and stop
with a message a person can act on when the database refuses what they need."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from licensing_core.cli import run
from licensing_core.db.engine import Database, alembic_config
from licensing_core.db.models import Base
from licensing_core.services.imports import import_conversations
from tests.fixtures_data import consumption_drift, conversation, make_tenant, write_csv


def _differences(db: Database) -> list[Any]:
    """What the migrated schema lacks or has more than the models (none, when they agree)."""
    def here(item: Any, name: str | None, kind: str, reflected: bool, other: Any) -> bool:
        """What this database has of the models: a PostgreSQL-only index is not on SQLite."""
        return db.is_postgres or reflected or not item.info.get("postgresql_only")

    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": here})
        return list(compare_metadata(context, Base.metadata))


def test_the_migrated_schema_is_the_models_schema(db: Database):
    assert _differences(db) == []


def _search_index(db: Database) -> str | None:
    """The definition of the users' search index, None when there is none."""
    with db.engine.connect() as connection:
        if db.is_postgres:
            return connection.scalar(text(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_platform_users_search'"))
        return connection.scalar(text(
            "SELECT sql FROM sqlite_master WHERE name = 'ix_platform_users_search'"))


def test_the_users_search_index_is_a_trigram_index_of_postgresql_and_comes_back_after_a_downgrade(
        db: Database):
    config = alembic_config(db.engine)
    for _ in range(2):
        definition = _search_index(db)
        if db.is_postgres:
            assert definition == ("CREATE INDEX ix_platform_users_search ON public.platform_users "
                                  "USING gin (user_id gin_trgm_ops, user_name gin_trgm_ops, "
                                  "email gin_trgm_ops)")
        else:
            assert definition is None  # SQLite reads the tenant's users
        command.downgrade(config, "0007")
        assert _search_index(db) is None
        with db.engine.connect() as connection:
            columns = {i["name"]: i["column_names"]
                       for i in inspect(connection).get_indexes("sessions")}
        assert columns["ix_sessions_term"] == ["term_id", "started_at"]
        command.upgrade(config, "head")
        assert _differences(db) == []


@pytest.fixture
def no_extension_rights(postgres_url: str) -> Iterator[tuple[str, str]]:
    """An empty PostgreSQL database and a role that may create tables in it but not
    extensions (no CREATE on the database), as a hosted database often is: (URL, name)."""
    name = f"licensing_noext_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        connection.execute(text(f'CREATE ROLE "{name}" LOGIN'))
    inside_url = make_url(postgres_url).set(database=name)
    inside = create_engine(inside_url, isolation_level="AUTOCOMMIT")
    with inside.connect() as connection:
        connection.execute(text(f'GRANT CREATE ON SCHEMA public TO "{name}"'))
    inside.dispose()
    yield inside_url.set(username=name).render_as_string(hide_password=False), name
    with admin.connect() as connection:
        connection.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
            {"n": name})
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
    admin.dispose()


def test_an_upgrade_that_cannot_create_pg_trgm_says_who_must_run_what_and_changes_nothing(
        no_extension_rights: tuple[str, str], postgres_url: str,
        capsys: pytest.CaptureFixture[str]):
    url, name = no_extension_rights
    status = run(["--db", url, "db", "upgrade"])
    err = capsys.readouterr().err
    assert status == 1
    assert err == (
        f"licensing: the database '{name}' needs the PostgreSQL extension pg_trgm, and "
        f"'{name}' cannot create it (permission denied to create extension \"pg_trgm\"): "
        f"ask an owner of the database or a superuser to run `CREATE EXTENSION pg_trgm;` in "
        f"database '{name}', then run `licensing db upgrade` again\n")
    database = Database(url)
    with database.engine.connect() as connection:
        assert connection.scalar(text("SELECT to_regclass('alembic_version')")) is None
    database.dispose()
    # What the message asks for is enough.
    owner = create_engine(make_url(postgres_url).set(database=name), isolation_level="AUTOCOMMIT")
    with owner.connect() as connection:
        connection.execute(text("CREATE EXTENSION pg_trgm"))
    owner.dispose()
    assert run(["--db", url, "db", "upgrade"]) == 0
    assert capsys.readouterr().out == "database schema is up to date\n"


def test_the_stored_consumption_is_filled_for_the_terms_that_exist(
        db: Database, tmp_path: Path, now: datetime):
    make_tenant(db, tenant_id="acme", license_type="session", now=now)
    make_tenant(db, tenant_id="globex", license_type="user", now=now)
    for tenant_id in ("acme", "globex"):
        import_conversations(db, tenant_id=tenant_id, actor="test", now=now, path=write_csv(
            tmp_path / f"{tenant_id}.csv",
            [conversation(f"c{i}", f"u{i % 3}", f"2026-06-0{1 + i % 5}T10:00:00Z")
             for i in range(12)]))
    config = alembic_config(db.engine)
    command.downgrade(config, "0002")  # as the database was before terms.consumed
    command.upgrade(config, "head")
    with db.engine.connect() as connection:
        counts = connection.exec_driver_sql(
            "SELECT tenant_id, consumed FROM terms ORDER BY tenant_id").all()
    # 12 conversations of 3 users on 5 days, no two of a user on one day: 12 sessions;
    # in the user-based term, 3 users hold a license.
    assert [tuple(row) for row in counts] == [("acme", 12), ("globex", 3)]
    assert consumption_drift(db) == []


def _sessions_and_key(db: Database) -> tuple[list[tuple[Any, ...]], list[str], set[str]]:
    """The stored sessions, the sessions' key and their other indexes."""
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT * FROM sessions ORDER BY tenant_id, session_id").all()
        found = inspect(connection)
        key = found.get_pk_constraint("sessions")["constrained_columns"]
        indexes = {i["name"] for i in found.get_indexes("sessions")}
    return [tuple(row) for row in rows], key, indexes


def test_the_sessions_key_leads_with_the_user_and_every_session_survives_the_change_both_ways(
        db: Database, tmp_path: Path, now: datetime):
    make_tenant(db, tenant_id="acme", license_type="session", now=now)
    import_conversations(db, tenant_id="acme", actor="test", now=now, path=write_csv(
        tmp_path / "acme.csv", [conversation(f"c{i}", f"u{i % 4}",
                                             f"2026-06-0{1 + i % 3}T1{i % 2}:00:00Z")
                                for i in range(20)]))
    sessions, key, indexes = _sessions_and_key(db)
    assert len(sessions) == 12  # 4 users on 3 days, a user's conversations of a day at once
    assert key == ["tenant_id", "user_id", "window_end", "session_id"]
    assert indexes == {"ix_sessions_term"}
    config = alembic_config(db.engine)
    command.downgrade(config, "0010")
    assert _sessions_and_key(db) == (sessions, ["tenant_id", "session_id"],
                                     {"ix_sessions_term", "ix_sessions_user_window"})
    command.upgrade(config, "head")
    assert _sessions_and_key(db) == (sessions, key, indexes)
    assert _differences(db) == []
