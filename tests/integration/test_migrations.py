"""The migrations build the schema the models describe, and fill what they add."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from licensing_core.db.engine import Database, alembic_config
from licensing_core.db.models import Base
from licensing_core.services.imports import import_conversations
from tests.fixtures_data import consumption_drift, conversation, make_tenant, write_csv


def test_the_migrated_schema_is_the_models_schema(db: Database):
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


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
