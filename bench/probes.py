"""What a person waits for at scale: the session rule, the pages' queries, the export, the
alert evaluation. Each probe returns plain numbers; timing policy lives in `measure`.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select

from licensing_core.db.bulk import read_frame
from licensing_core.db.engine import Database
from licensing_core.db.models import Conversation
from licensing_core.db.tenancy import calendar_of, get_tenant, tenant_terms
from licensing_core.domain.sessions import sessionize
from licensing_core.exports.csv import export_consumption
from licensing_core.exports.sqlite_rows import FETCH_ROWS
from licensing_core.queries import history
from licensing_core.queries.history import HistoryFilters, consumption_history
from licensing_core.queries.summary import subscription_summary
from licensing_core.services import alerting

# The history page's default page size (licensing_core.ui.widgets.DEFAULT_PAGE_SIZE).
PAGE_ROWS = 50
# A text a person types in the search box: a last name, found in names and emails.
SEARCH_TEXT = "smith"


def current_term_id(db: Database, tenant_id: str, now: datetime) -> int:
    return subscription_summary(db, tenant_id, now=now).term_id


def summary(db: Database, tenant_id: str, now: datetime) -> int:
    return subscription_summary(db, tenant_id, now=now).consumed


def first_page(db: Database, tenant_id: str, term_id: int) -> int:
    return consumption_history(db, tenant_id, term_id, limit=PAGE_ROWS).total_rows


def filtered_page(db: Database, tenant_id: str, term_id: int, date_from: date,
                  date_to: date) -> int:
    filters = HistoryFilters(text=SEARCH_TEXT, date_from=date_from, date_to=date_to)
    return consumption_history(db, tenant_id, term_id, filters=filters,
                               limit=PAGE_ROWS).total_rows


def evaluate_all_tenants(db: Database, now: datetime) -> int:
    """Evaluate every tenant's thresholds in one transaction, then roll it back."""
    with db.sessions() as session:
        session.begin()
        queued = len(alerting.evaluate_all_tenants(session, now))
        session.rollback()
    return queued


@dataclass(frozen=True)
class SessionizeRun:
    rows: int
    sessions: int
    seconds: float


def sessionize_tenant(db: Database, tenant_id: str) -> SessionizeRun:
    """The session rule alone, over every stored conversation of the tenant."""
    with db.transaction() as session:
        tenant = get_tenant(session, tenant_id)
        calendar = calendar_of(tenant, tenant_terms(session, tenant_id))
        frame = read_frame(session, select(
            Conversation.user_id, Conversation.agent_name, Conversation.channel,
            Conversation.started_at, Conversation.conversation_id, Conversation.initiated_by,
        ).where(Conversation.tenant_id == tenant_id), parse_dates=["started_at"])
    start = time.perf_counter()
    sessions = sessionize(frame, calendar)
    return SessionizeRun(len(frame), len(sessions), time.perf_counter() - start)


@dataclass(frozen=True)
class ExportRun:
    rows: int
    seconds: float


def export_to_file(url: str, tenant_id: str, term_id: int, out: str) -> ExportRun:
    """The Consumption History CSV of the term (no filters); runs in a child process."""
    db = Database(url)
    start = time.perf_counter()
    with open(out, "w", encoding="utf-8", newline="") as handle:
        rows = export_consumption(db, tenant_id, handle, term_id=term_id)
    seconds = time.perf_counter() - start
    db.dispose()
    return ExportRun(rows, seconds)


def _history_statement(db: Database, tenant_id: str, term_id: int) -> Select:
    """The statement the export streams (the same builder, so the same query)."""
    return history.consumption_statement(db, tenant_id, term_id)[0]


def copy_to_file(db: Database, tenant_id: str, term_id: int, out: Path) -> ExportRun:
    """The same query straight to CSV: COPY ... TO STDOUT on PostgreSQL; on SQLite, the
    raw cursor into Python's csv writer (SQLite has no COPY)."""
    statement = _history_statement(db, tenant_id, term_id)
    sql = str(statement.compile(dialect=db.engine.dialect,
                                compile_kwargs={"literal_binds": True}))
    raw: Any = db.engine.raw_connection()
    start = time.perf_counter()
    try:
        if db.is_postgres:
            with raw.cursor() as cursor, out.open("wb") as handle:
                with cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)"
                                 ) as copy:
                    for block in copy:
                        handle.write(block)
                rows = cursor.rowcount
        else:
            cursor = raw.cursor()
            cursor.execute(sql)
            with out.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle, lineterminator="\r\n")
                writer.writerow([d[0] for d in cursor.description])
                rows = 0
                while batch := cursor.fetchmany(FETCH_ROWS):
                    writer.writerows(batch)
                    rows += len(batch)
        raw.rollback()
    finally:
        raw.close()
    return ExportRun(rows, time.perf_counter() - start)

