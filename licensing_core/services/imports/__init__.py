"""Importing usage files (users, conversations) into a tenant, as a pipeline of stages.

    read → check → stage and store → sessionize → count and alert
    reading  checking   staging, storing   sessionizing   finishing

One pass over the file in one transaction, with the tenant locked: each chunk is read,
checked (its rows, repeats in the file, conflicts with stored conversations) and, while
the file has no bad row, stored (a conversations file's first chunks, until more than
AHEAD_ROWS rows on SQLite, its first on PostgreSQL, are read and their rows checked
before the import waits for the lock, and a file of no more is made ready to store and
begins its sessions then); on PostgreSQL the server stores a chunk while the next is
read and checked. A file with any bad row is refused whole and the transaction rolled
back, so it stores nothing. Then the usage of the users the file touched is rebuilt
(from the stored rows kept in memory when the import only appends), the alert
thresholds are evaluated and the import is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from itertools import chain
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy.orm import Session

from licensing_core.clock import utcnow
from licensing_core.db.bulk import bulk_cache
from licensing_core.db.engine import Database
from licensing_core.db.models import Tenant
from licensing_core.db.tenancy import calendar_of, get_tenant, tenant_terms
from licensing_core.services.imports import reading
from licensing_core.services.imports.checking import ConversationsCheck, UsersCheck
from licensing_core.services.imports.finishing import finish
from licensing_core.services.imports.results import (
    Done,
    FileCheck,
    ImportRefused,
    ImportSummary,
    Progress,
    no_progress,
)
from licensing_core.services.imports.sessionizing import FileAhead, KeptRows, rebuild
from licensing_core.services.imports.storing import ConversationsStore, UsersStore
from licensing_core.services.usage import latest_start

# Rows of a conversations file read, checked and made ready before its import waits for
# the tenant's lock on SQLite: a few chunks (the daily file of a large tenant), since
# there every other import waits for the one writer's lock. A row made ready holds about
# 0.6 KB (its tuple for executemany): 100,000 rows, about 60 MB more. On PostgreSQL only
# an import of the same tenant waits, and the server stores a chunk while the next is
# checked: only a file of less than one chunk is made ready ahead.
AHEAD_ROWS = 4 * reading.CHUNK_ROWS


def _no_pause() -> None:
    return None


# ---- users -------------------------------------------------------------------------------

def _checked_users(path: Path, check: UsersCheck, progress: Progress) -> Iterator[pd.DataFrame]:
    """Read and check every chunk: its good rows, while the file has no bad row."""
    for chunk in reading.chunks(path, reading.USERS, check.report):
        rows = check.rows(chunk)
        progress(check.rows_read, 0)
        if not check.report:
            yield rows


def import_users(db: Database, *, tenant_id: str, path: Path, actor: str,
                 now: datetime | None = None, display_name: str | None = None,
                 progress: Progress | None = None) -> ImportSummary:
    """Create or update the file's users (by user_id); refused whole on any bad row.

    `progress(done, total)` is called per chunk with total 0, then once with the row count
    when every row is stored.
    """
    now = now or utcnow()
    name = display_name or str(path)
    report = progress or no_progress
    with db.transaction() as session, bulk_cache(session):
        tenant = get_tenant(session, tenant_id, lock=True)
        check = UsersCheck(name)
        store = UsersStore(session, tenant.id, now)
        for rows in _checked_users(path, check, report):
            store.add(rows)
        if check.report:
            raise ImportRefused(check.report)  # rolls back what was stored
        stored = store.close()
        report(check.rows_read, check.rows_read)
        sessions = rebuild(session, tenant, stored)
        return finish(session, tenant, Done("users", name, actor, now, check.rows_read, stored,
                                            sessions))


# ---- conversations -----------------------------------------------------------------------

def _rows_checked(path: Path, check: ConversationsCheck) -> Iterator[pd.DataFrame]:
    """Read every chunk and check its rows on their own (no statement runs)."""
    for chunk in reading.chunks(path, reading.CONVERSATIONS, check.report):
        yield check.rows(chunk)


def _checked_conversations(session: Session, tenant: Tenant, rows_checked: Iterator[pd.DataFrame],
                           check: ConversationsCheck, any_stored: bool,
                           pause: Callable[[], None],
                           progress: Progress) -> Iterator[pd.DataFrame]:
    """Every chunk's rows to store, while the file has no bad row.

    Checking a chunk's rows runs no statement, so it overlaps the store of the chunk
    before; comparing them with the stored conversations (when the tenant has some:
    `any_stored`) calls `pause` first, to have the connection.
    """
    for rows in rows_checked:
        if any_stored:
            pause()
            rows = check.against_stored(session, tenant.id, rows)
        progress(check.rows_read, 0)
        if not check.report:
            yield rows


def _read_ahead(session: Session, rows_checked: Iterator[pd.DataFrame],
                check: ConversationsCheck) -> tuple[list[pd.DataFrame], bool]:
    """The file's first chunks read and checked, until a bad row or more than AHEAD_ROWS
    rows (PostgreSQL: a full chunk, so only a file of one shorter chunk is read whole);
    True when they are the whole file."""
    most = AHEAD_ROWS if session.get_bind().dialect.name == "sqlite" \
        else reading.CHUNK_ROWS - 1
    read = []
    for rows in rows_checked:
        read.append(rows)
        if check.report or check.rows_read > most:
            return read, False
    return read, True


def _locked_and_checking(session: Session, tenant_id: str, path: Path, name: str,
                         sessions: bool) -> tuple[Tenant, ConversationsCheck,
                                                  Iterator[pd.DataFrame], FileAhead | None]:
    """The tenant locked, and the file's check with its first chunks done before the lock:
    while another import of the tenant holds it (or, on SQLite, any import holds the one
    writer's lock), this one reads and checks its file, and, with `sessions` and when those
    chunks are the whole file, makes its rows ready to store (as one frame) and begins its
    sessions. Checked again in the tenant's zone if it changed meanwhile (nothing ahead)."""
    before = get_tenant(session, tenant_id)
    zone = before.timezone
    check = ConversationsCheck(name, ZoneInfo(zone))
    rows_checked = _rows_checked(path, check)
    first, whole = _read_ahead(session, rows_checked, check)
    ahead = None
    if sessions and whole and first and not check.report:
        if len(first) > 1:
            first = [pd.concat(first, ignore_index=True)]
        if not first[0].empty:
            ahead = FileAhead.of(session, tenant_id, first[0],
                                 calendar_of(before, tenant_terms(session, tenant_id)))
    tenant = get_tenant(session, tenant_id, lock=True)  # the same object, refreshed
    if tenant.timezone != zone:
        check = ConversationsCheck(name, ZoneInfo(tenant.timezone))
        return tenant, check, _rows_checked(path, check), None
    return tenant, check, chain(first, rows_checked), ahead


def import_conversations(db: Database, *, tenant_id: str, path: Path, actor: str,
                         now: datetime | None = None, display_name: str | None = None,
                         progress: Progress | None = None,
                         sessions_from_memory: bool = True) -> ImportSummary:
    """Store the file's new conversations; refused whole on any bad or conflicting row.

    `progress(done, total)` is called per chunk with total 0, then once with the row count
    when every row is stored. An import that only appends builds its sessions from its
    rows in memory; `sessions_from_memory=False` reads them back instead (the tests'
    reference path).
    """
    now = now or utcnow()
    name = display_name or str(path)
    report = progress or no_progress
    with db.transaction() as session, bulk_cache(session):
        tenant, check, rows_checked, ahead = _locked_and_checking(
            session, tenant_id, path, name, sessions_from_memory)
        latest = latest_start(session, tenant.id)  # None: the tenant has none stored
        kept = KeptRows.before_storing(session, tenant, latest, ahead) \
            if sessions_from_memory else None
        with ConversationsStore(session, tenant.id, ahead.rows if ahead else None) as store:
            for rows in _checked_conversations(session, tenant, rows_checked, check,
                                               latest is not None, store.pause, report):
                store.add(rows)
                if kept is not None:
                    kept.add(rows)
            if check.report:
                raise ImportRefused(check.report)  # rolls back what was stored
            appended = kept.appended(store.touched, store.since) if kept is not None else None
            stored = store.close(check.rows_read)
        report(check.rows_read, check.rows_read)
        sessions = rebuild(session, tenant, stored, appended)
        return finish(session, tenant, Done("conversations", name, actor, now,
                                            check.rows_read, stored, sessions))


# ---- checking alone ----------------------------------------------------------------------

def check_import(db: Database, *, kind: str, tenant_id: str, path: Path,
                 display_name: str | None = None) -> FileCheck:
    """Check a `kind` ("users" or "conversations") file for the tenant, storing nothing;
    for conversations, conflicts with those already stored are problems too."""
    name = display_name or str(path)
    if kind == "users":  # a users file needs nothing stored: no transaction while it is read
        with db.transaction() as session:
            get_tenant(session, tenant_id)
        users = UsersCheck(name)
        for _ in _checked_users(path, users, no_progress):
            pass
        return FileCheck(users.rows_read, users.report.problems, users.report.omitted)
    with db.transaction() as session:
        tenant = get_tenant(session, tenant_id)
        conversations = ConversationsCheck(name, ZoneInfo(tenant.timezone))
        any_stored = latest_start(session, tenant.id) is not None
        for _ in _checked_conversations(session, tenant, _rows_checked(path, conversations),
                                        conversations, any_stored, _no_pause, no_progress):
            pass
    return FileCheck(conversations.rows_read, conversations.report.problems,
                     conversations.report.omitted)


def validate_users(db: Database, *, tenant_id: str, path: Path,
                   display_name: str | None = None) -> FileCheck:
    """The problems of a users file (none: it can be imported)."""
    return check_import(db, kind="users", tenant_id=tenant_id, path=path,
                        display_name=display_name)


def validate_conversations(db: Database, *, tenant_id: str, path: Path,
                           display_name: str | None = None) -> FileCheck:
    """The problems of a conversations file, including conflicts with stored ones."""
    return check_import(db, kind="conversations", tenant_id=tenant_id, path=path,
                        display_name=display_name)


__all__ = ["FileCheck", "ImportRefused", "ImportSummary", "check_import",
           "import_conversations", "import_users", "validate_conversations", "validate_users"]
