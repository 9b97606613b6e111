"""Loading the dataset through the real services: tenants, accounts, users, conversations.

`import_jobs` runs in a child process (see measure.in_children): it opens its own engine,
imports its files one by one exactly as `licensing ingest conversations` does, and
returns plain numbers. Several such children import side by side, each its own tenants
(`lanes`), as a nightly job on a machine of several cores would run the command.
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


def lanes(jobs: Sequence[tuple[str, Path]], count: int) -> list[list[tuple[str, str]]]:
    """The jobs in `count` lanes of about as many bytes each, every tenant's files in one
    lane in their order: imports of one tenant wait for each other (each locks its
    tenant), imports of different tenants run side by side."""
    by_tenant: dict[str, list[Path]] = {}
    for tenant_id, path in jobs:
        by_tenant.setdefault(tenant_id, []).append(path)
    sizes = {t: sum(p.stat().st_size for p in paths) for t, paths in by_tenant.items()}
    split: list[list[tuple[str, str]]] = [[] for _ in range(max(1, count))]
    loads = [0] * len(split)
    for tenant_id in sorted(by_tenant, key=lambda t: -sizes[t]):
        lane = loads.index(min(loads))
        split[lane] += [(tenant_id, str(p)) for p in by_tenant[tenant_id]]
        loads[lane] += sizes[tenant_id]
    return [lane for lane in split if lane]


def combined(runs: Sequence[ImportRun], seconds: float) -> ImportRun:
    """Runs side by side as one, over the `seconds` they took together."""
    return ImportRun(sum(r.files for r in runs), sum(r.rows for r in runs),
                     sum(r.stored for r in runs), sum(r.sessions for r in runs),
                     sum(r.alerts for r in runs), seconds, sum(r.cpu_seconds for r in runs))
