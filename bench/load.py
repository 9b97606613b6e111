"""Loading the dataset through the real services: tenants, accounts, users, conversations.

`import_jobs` runs in a child process (see measure.in_child): it opens its own engine,
imports its files one by one exactly as `licensing ingest conversations` does, and
returns plain numbers.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select, text

from bench.generate import Dataset
from licensing_core.auth.accounts import create_account
from licensing_core.db.engine import Database
from licensing_core.db.models import Base, Tenant
from licensing_core.services.imports import import_conversations, import_users
from licensing_core.services.tenants import create_tenant

ACTOR = "bench"
ADMIN_USERNAME = "bench_admin"
ADMIN_PASSWORD = "bench password of enough length"


@dataclass(frozen=True)
class ImportRun:
    files: int
    rows: int
    stored: int
    sessions: int
    alerts: int
    seconds: float
    cpu_seconds: float  # this process's CPU: the Python side, without the database server


def existing_tenants(db: Database) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Tenant)) or 0)


def reset(db: Database) -> None:
    """Drop every table of the application (and its migration mark)."""
    Base.metadata.drop_all(db.engine)
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def create_tenants(db: Database, dataset: Dataset, now: datetime) -> None:
    for plan in dataset.tenants:
        create_tenant(db, tenant_id=plan.tenant_id, name=plan.name,
                      license_type=plan.license_type, licenses=plan.licenses,
                      start=dataset.term_start, end=dataset.term_end,
                      session_minutes=plan.session_minutes, timezone=plan.timezone,
                      technical_emails=[f"it@{plan.tenant_id}.example"],
                      billing_emails=[f"billing@{plan.tenant_id}.example"],
                      actor=ACTOR, now=now)
    create_account(db, username=ADMIN_USERNAME, role="tenant_admin",
                   tenant_id=dataset.largest.tenant_id, email="admin@t0000.example",
                   password=ADMIN_PASSWORD, actor=ACTOR, now=now)


def import_all_users(db: Database, dataset: Dataset, now: datetime) -> int:
    rows = 0
    for plan in dataset.tenants:
        rows += import_users(db, tenant_id=plan.tenant_id, path=dataset.users_file(plan),
                             actor=ACTOR, now=now).rows_read
    return rows


def import_jobs(url: str, jobs: Sequence[tuple[str, str]], now: datetime) -> ImportRun:
    """Import each (tenant, conversations file) in turn; runs in a child process."""
    db = Database(url)
    rows = stored = sessions = alerts = 0
    start, cpu = time.perf_counter(), time.process_time()
    for tenant_id, path in jobs:
        summary = import_conversations(db, tenant_id=tenant_id, path=Path(path), actor=ACTOR,
                                       now=now)
        rows += summary.rows_read
        stored += summary.stored
        sessions += summary.sessions_recomputed
        alerts += len(summary.alerts_queued)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    db.dispose()
    return ImportRun(len(jobs), rows, stored, sessions, alerts, seconds, cpu)
