"""Importing usage files (users, conversations) into a tenant.

Two passes over the file in one transaction, with the tenant locked: the first checks
every row (and, for conversations, the ones already stored) and keeps nothing but small
per-row fingerprints; the second stores the rows in bulk. A file with any bad row stores
nothing. Then derived usage is recomputed for the users the file touched (the sessions of
an import that only appends are built from its rows in memory, see _appending), the alert
thresholds are evaluated and the import is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals
from sqlalchemy import Column, DateTime, MetaData, String, Table, case, select, text, update
from sqlalchemy.orm import Session

from licensing_core.clock import utcnow
from licensing_core.db.bulk import insert_frame, read_frame
from licensing_core.db.engine import Database
from licensing_core.db.models import Conversation, PlatformUser, Tenant, UserStatusEvent
from licensing_core.db.tenancy import get_tenant
from licensing_core.domain.sessions import CONVERSATION_COLUMNS, GROUP_COLUMNS
from licensing_core.domain.user_licenses import ACTIVE
from licensing_core.errors import Refused
from licensing_core.ingest.readers import LINE, Chunk, UnreadableFile, read_chunks
from licensing_core.ingest.validation import (
    CONVERSATION_CONTENT,
    CONVERSATION_FIELDS,
    CONVERSATION_REQUIRED,
    USER_FIELDS,
    USER_TEXT_FIELDS,
    ErrorReport,
    FirstSeen,
    ImportProblem,
    check_conversations,
    check_users,
    conversation_fingerprints,
    given,
    shown,
)
from licensing_core.services import audit
from licensing_core.services.alerting import evaluate_tenant
from licensing_core.services.usage import only_appends, recompute_usage

# After storing this many rows, and at least this share of what the table held, PostgreSQL's
# statistics are refreshed at once: with stale ones (a tenant's first large file into a
# table that knew nothing of it) it scans the whole tenant for each batch of ids of the
# next import. A smaller change is left to autovacuum, whose threshold is the same 10%:
# sampling a table of millions of rows takes 0.2 s, a third of a small import's time.
ANALYZE_MIN_ROWS = 10_000
ANALYZE_MIN_SHARE = 0.1

# Checked rows that the checking pass keeps for the storing pass, in bytes: a file whose
# rows fit is read and checked once, a larger one is read again (memory stays bounded).
KEPT_ROWS_BYTES = 128 * 1024 * 1024

# Rows stored per bulk insert: their values, converted to Python objects all at once, come on
# top of the kept rows at the import's memory peak (about 600 bytes a row).
STORED_SLICE_ROWS = 25_000

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportSummary:
    kind: str  # "users" | "conversations"
    rows_read: int
    stored: int  # new or updated rows written
    skipped: int  # rows already stored with the same content
    users_created: int
    sessions_recomputed: int
    alerts_queued: list[int]  # Alert ids


class ImportRefused(Refused):
    """A file with bad rows: nothing of it was stored; `errors` has one line per bad row."""

    def __init__(self, report: ErrorReport) -> None:
        rows = "row" if report.bad_rows == 1 else "rows"
        super().__init__(f"{report.display_name}: {report.bad_rows} bad {rows}; "
                         "nothing of the file was stored")
        self.display_name = report.display_name
        self.problems: list[ImportProblem] = report.problems
        self.omitted = report.omitted


@dataclass
class _Pass:
    """What the checking pass learns: the errors, the row count, the rows not to store."""

    report: ErrorReport
    rows_read: int = 0
    skip: list[np.ndarray] = field(default_factory=list)
    kept: list[pd.DataFrame] | None = field(default_factory=list)  # None: over the budget
    kept_bytes: int = 0

    def skipped_lines(self) -> np.ndarray:
        return np.concatenate(self.skip) if self.skip else np.empty(0, dtype=np.int64)

    def keep(self, rows: pd.DataFrame) -> None:
        """Keep a chunk's checked rows for the storing pass while they fit the budget."""
        if self.kept is None:
            return
        self.kept_bytes += int(rows.memory_usage(deep=True).sum())
        self.kept = self.kept + [rows] if self.kept_bytes <= KEPT_ROWS_BYTES else None


@dataclass
class _Added:
    """The stored rows' columns that sessions need, with the repeated texts as categoricals:
    about 30 bytes a row, so that a file's sessions are built without reading it back."""

    parts: list[pd.DataFrame] = field(default_factory=list)

    def add(self, rows: pd.DataFrame) -> None:
        texts = [*GROUP_COLUMNS, "initiated_by"]
        self.parts.append(rows[CONVERSATION_COLUMNS].astype({c: "category" for c in texts}))

    def frame(self) -> pd.DataFrame:
        """All the rows in one frame (categories merged, not expanded back to texts)."""
        if not self.parts:
            return pd.DataFrame(columns=CONVERSATION_COLUMNS)
        parts, self.parts = self.parts, []
        return pd.DataFrame({c: _joined([p[c] for p in parts]) for c in CONVERSATION_COLUMNS})


def _joined(pieces: list[pd.Series]) -> pd.Series | pd.Categorical:
    """One column from its chunks' pieces; categoricals keep their codes (a plain concat
    of categoricals with other categories would fall back to texts)."""
    if isinstance(pieces[0].dtype, pd.CategoricalDtype):
        return union_categoricals(pieces, ignore_order=True)
    return pd.concat(pieces, ignore_index=True)


def _no_progress(_done: int, _total: int) -> None:
    return None


def _chunks(path: Path, fields: Sequence[str], required: Sequence[str],
            checked: _Pass) -> Iterator[Chunk]:
    """The file's chunks; a file that cannot be read at all becomes its errors."""
    try:
        yield from read_chunks(path, fields, required)
    except UnreadableFile as exc:
        checked.report.add(exc.problems)


def _staged(session: Session, name: str, frame: pd.DataFrame) -> Table:
    """`frame` in a temporary table of this transaction, for set-based joins and updates.

    One query joining a staged chunk replaces thousands of IN lists or single-row updates,
    and its plan does not depend on how fresh the statistics are.
    """
    columns = [Column(c, DateTime() if pd.api.types.is_datetime64_any_dtype(frame[c])
                      else String(), primary_key=(i == 0))
               for i, c in enumerate(frame.columns)]
    table = Table(name, MetaData(), *columns, prefixes=["TEMPORARY"])
    table.drop(session.connection(), checkfirst=True)
    table.create(session.connection())
    insert_frame(session, table, frame)
    return table


def _stored(session: Session, model: type, columns: Sequence[str], tenant_id: str,
            key: str, ids: Sequence[str], parse_dates: Sequence[str] = ()) -> pd.DataFrame:
    """Stored rows of the tenant whose `key` is among `ids`."""
    table = model.__table__  # type: ignore[attr-defined]
    keys = _staged(session, "import_keys", pd.DataFrame({"key": pd.unique(np.asarray(ids))}))
    stored = read_frame(session, select(*(table.c[c] for c in columns)).join(
        keys, table.c[key] == keys.c.key).where(table.c.tenant_id == tenant_id),
        parse_dates=parse_dates)
    keys.drop(session.connection())
    return stored


def _refresh_statistics(session: Session, stored: int, tables: Sequence[str]) -> None:
    if stored < ANALYZE_MIN_ROWS or session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        known = session.scalar(text("SELECT reltuples FROM pg_class WHERE oid = "
                                    "CAST(:table AS regclass)"), {"table": table})
        if known is None or known < 0 or stored >= ANALYZE_MIN_SHARE * known:  # -1: never
            session.execute(text(f'ANALYZE "{table}"'))


def _finish(session: Session, tenant: Tenant, *, kind: str, name: str, actor: str,
            now: datetime, touched: Sequence[str], rows_read: int, stored: int, skipped: int,
            users_created: int, since: datetime | None = None,
            added: pd.DataFrame | None = None) -> ImportSummary:
    """Recompute the touched users' usage, queue alerts, and audit the import.

    `since`, the earliest conversation the import stored, lets the sessions closed before
    it stand (see recompute_usage); without it every session of the touched users is rebuilt.
    `added`, the stored rows of an import that only appends, are sessionized from memory.
    """
    sessions = recompute_usage(session, tenant, touched, since, added) if touched else 0
    alerts = evaluate_tenant(session, tenant, now)
    audit.record(session, actor=actor, action=f"import.{kind}", tenant_id=tenant.id, now=now,
                 after={"file": name, "rows_read": rows_read, "stored": stored,
                        "skipped": skipped})
    return ImportSummary(kind, rows_read, stored, skipped, users_created, sessions,
                         [a.id for a in alerts])


# ---- users -------------------------------------------------------------------------------

def _check_users_file(path: Path, name: str, progress: Progress) -> _Pass:
    checked = _Pass(ErrorReport(name))
    seen = FirstSeen()
    for chunk in _chunks(path, USER_FIELDS, ["user_id"], checked):
        problems = chunk.problems + check_users(chunk.rows).problems
        keyed = chunk.rows[given(chunk.rows["user_id"])]
        earlier, _ = seen.check(keyed["user_id"], keyed[LINE].to_numpy())
        again = earlier > 0
        problems += [(int(line), f"user_id {shown(user)} already appears on line {first}")
                     for line, user, first in zip(keyed[LINE][again], keyed["user_id"][again],
                                                  earlier[again], strict=True)]
        checked.report.add(problems)
        checked.rows_read += chunk.rows_read
        progress(checked.rows_read, 0)
    return checked


def _user_changes(rows: pd.DataFrame, stored: pd.DataFrame) -> pd.DataFrame:
    """The file's users with their values after the import and what that changes.

    A field the file does not give keeps its stored value; an empty status keeps the
    stored one, and a new user without one is Active.
    """
    merged = rows.merge(stored, on="user_id", how="left", suffixes=("", "_stored"))
    merged["is_new"] = merged["status_stored"].isna()
    changed = np.zeros(len(merged), dtype=bool)
    for name in [*USER_TEXT_FIELDS, "status"]:
        fallback = merged[f"{name}_stored"].where(~merged["is_new"],
                                                  ACTIVE if name == "status" else "")
        merged[name] = merged[name].where(merged[name].notna(), fallback).astype("str")
        changed |= (merged[name] != merged[f"{name}_stored"]).to_numpy(dtype=bool)
    existing = ~merged["is_new"].to_numpy(dtype=bool)
    merged["changed"] = existing & changed
    merged["status_set"] = merged["is_new"].to_numpy(dtype=bool) | (
        existing & (merged["status"] != merged["status_stored"]).to_numpy(dtype=bool))
    return merged


def _update_users(session: Session, tenant_id: str, changed: pd.DataFrame) -> None:
    if changed.empty:
        return
    fields = [*USER_TEXT_FIELDS, "status"]
    users = cast(Table, PlatformUser.__table__)
    stage = _staged(session, "import_users", changed[["user_id", *fields]])
    session.execute(update(users).where(
        users.c.tenant_id == tenant_id, users.c.user_id == stage.c.user_id,
    ).values({f: stage.c[f] for f in fields}))
    stage.drop(session.connection())


def _store_users(session: Session, tenant: Tenant, path: Path, checked: _Pass, now: datetime,
                 progress: Progress) -> tuple[int, int, int, list[str]]:
    """Insert new users, update changed ones, and record each status an import sets."""
    stored = skipped = created = 0
    status_set: list[str] = []
    for chunk in read_chunks(path, USER_FIELDS, ["user_id"]):
        rows = check_users(chunk.rows).rows.drop(columns=[LINE])
        if rows.empty:  # a file of a header and blank rows
            continue
        current = _stored(session, PlatformUser, ["user_id", *USER_TEXT_FIELDS, "status"],
                          tenant.id, "user_id", rows["user_id"].tolist())
        users = _user_changes(rows, current)
        new = users[users["is_new"]]
        insert_frame(session, PlatformUser.__table__, new[["user_id", *USER_TEXT_FIELDS,
                                                           "status"]].assign(tenant_id=tenant.id))
        _update_users(session, tenant.id, users[users["changed"]])
        events = users.loc[users["status_set"], ["user_id", "status"]]
        insert_frame(session, UserStatusEvent.__table__, events.assign(
            tenant_id=tenant.id, at=pd.Series(pd.Timestamp(now), index=events.index)))
        status_set += events["user_id"].tolist()
        created += len(new)
        stored += len(new) + int(users["changed"].sum())
        skipped += int((~users["is_new"] & ~users["changed"]).sum())
        progress(stored + skipped, checked.rows_read)
    _refresh_statistics(session, stored, ["platform_users", "user_status_events"])
    return stored, skipped, created, status_set


# ---- conversations -----------------------------------------------------------------------

def _time_text(value: object) -> str:
    if value is None or pd.isna(value):
        return "empty"
    return pd.Timestamp(value).isoformat() + "Z"


def _difference(field_name: str, stored: object, found: object) -> str:
    if field_name in ("started_at", "ended_at"):
        return f"{field_name} (stored {_time_text(stored)}, here {_time_text(found)})"
    show = [("empty" if v is None or v is pd.NA or v != v else shown(v)) for v in (stored, found)]
    return f"{field_name} (stored {show[0]}, here {show[1]})"


def _stored_conflicts(session: Session, tenant_id: str,
                      rows: pd.DataFrame) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Rows already stored: the lines stored the same, and a problem for the others."""
    stored = _stored(session, Conversation, ["conversation_id", *CONVERSATION_CONTENT],
                     tenant_id, "conversation_id", rows["conversation_id"].tolist(),
                     parse_dates=["started_at", "ended_at"])
    if stored.empty:
        return np.empty(0, dtype=np.int64), []
    stored["messages"] = stored["messages"].astype("Int64")
    both = rows.merge(stored, on="conversation_id", suffixes=("", "_stored"))
    as_stored = pd.DataFrame({f: both[f"{f}_stored"] for f in CONVERSATION_CONTENT})
    differs = conversation_fingerprints(both) != conversation_fingerprints(as_stored)
    same = ~differs.any(axis=1)
    problems = []
    for row, flags in zip(np.flatnonzero(~same), differs[~same], strict=True):
        record = both.iloc[row]
        fields = [f for f, flag in zip(CONVERSATION_CONTENT, flags, strict=True) if flag]
        details = ", ".join(_difference(f, record[f"{f}_stored"], record[f]) for f in fields)
        problems.append((int(record[LINE]), f"conversation_id {shown(record['conversation_id'])}"
                                            f" is already stored with other values: {details}"))
    return both[LINE].to_numpy()[same], problems


def _check_conversations_file(session: Session, tenant_id: str, path: Path, name: str,
                              timezone: ZoneInfo, progress: Progress) -> _Pass:
    checked = _Pass(ErrorReport(name))
    seen = FirstSeen(len(CONVERSATION_CONTENT))
    any_stored = session.scalar(select(Conversation.conversation_id).where(
        Conversation.tenant_id == tenant_id).limit(1)) is not None
    for chunk in _chunks(path, CONVERSATION_FIELDS, CONVERSATION_REQUIRED, checked):
        result = check_conversations(chunk.rows, timezone)
        rows, problems = result.rows, chunk.problems + result.problems
        lines = rows[LINE].to_numpy()
        earlier, differs = seen.check(rows["conversation_id"], lines,
                                      conversation_fingerprints(rows))
        again = earlier > 0
        conflict = again & differs.any(axis=1)
        checked.skip.append(lines[again & ~conflict])
        for row in np.flatnonzero(conflict):
            fields = [f for f, flag in zip(CONVERSATION_CONTENT, differs[row], strict=True)
                      if flag]
            problems.append((int(lines[row]), f"conversation_id "
                             f"{shown(rows['conversation_id'].iat[row])} already appears on "
                             f"line {earlier[row]} with a different {', '.join(fields)}"))
        if any_stored:
            same_lines, conflicts = _stored_conflicts(session, tenant_id, rows[~again])
            checked.skip.append(same_lines)
            problems += conflicts
        checked.report.add(problems)
        checked.keep(rows)
        checked.rows_read += chunk.rows_read
        progress(checked.rows_read, 0)
    return checked


def _checked_rows(path: Path, checked: _Pass, timezone: ZoneInfo) -> Iterator[pd.DataFrame]:
    """The file's checked rows: those the checking pass kept, else read and checked again."""
    if checked.kept is not None:
        kept, checked.kept = checked.kept, None  # each chunk is freed once it is stored
        while kept:
            yield kept.pop(0)
        return
    for chunk in read_chunks(path, CONVERSATION_FIELDS, CONVERSATION_REQUIRED):
        yield check_conversations(chunk.rows, timezone).rows


def _earliest_new_start(checked: _Pass, skip: np.ndarray) -> datetime | None:
    """The earliest start among the kept rows that will be stored (None: none will)."""
    earliest = None
    for rows in checked.kept or []:
        starts = rows["started_at"].to_numpy()[~np.isin(rows[LINE].to_numpy(), skip)]
        if len(starts):
            earliest = starts.min() if earliest is None else min(earliest, starts.min())
    return None if earliest is None else pd.Timestamp(earliest).to_pydatetime()


def _appending(session: Session, tenant: Tenant, checked: _Pass,
               skip: np.ndarray) -> _Added | None:
    """Where to keep the stored rows for their sessions, when the import only appends.

    Decided before anything is stored, so that only_appends sees the conversations stored
    before this import (the tenant is locked: no other import stores meanwhile); rows not
    kept by the checking pass (over the budget) are read back.
    """
    if checked.kept is None:
        return None
    since = _earliest_new_start(checked, skip)
    return _Added() if since is not None and only_appends(session, tenant, since) else None


def _create_users(session: Session, tenant_id: str, firsts: pd.Series) -> int:
    """Users met first in these conversations: Active, without names, no status event."""
    known = set(_stored(session, PlatformUser, ["user_id"], tenant_id, "user_id",
                        firsts.index.tolist())["user_id"])
    new = firsts[~firsts.index.isin(list(known))]
    frame = pd.DataFrame({"tenant_id": tenant_id, "user_id": new.index.astype("str"),
                          "status": ACTIVE, "first_conversation_at": new.to_numpy()})
    for name in USER_TEXT_FIELDS:
        frame[name] = ""
    return insert_frame(session, PlatformUser.__table__, frame)


def _update_first_conversations(session: Session, tenant_id: str, firsts: pd.Series) -> None:
    """first_conversation_at = min(stored, earliest conversation of the file), per user."""
    if firsts.empty:
        return
    users = cast(Table, PlatformUser.__table__)
    stage = _staged(session, "import_firsts", pd.DataFrame(
        {"user_id": firsts.index.astype("str"), "first_at": firsts.to_numpy()}))
    stored, new = users.c.first_conversation_at, stage.c.first_at
    session.execute(update(users).where(
        users.c.tenant_id == tenant_id, users.c.user_id == stage.c.user_id,
    ).values(first_conversation_at=case((stored.is_(None) | (stored > new), new), else_=stored)))
    stage.drop(session.connection())


def _insert_slices(session: Session, rows: pd.DataFrame) -> int:
    """Insert the conversations a slice at a time, to bound the memory of one insert."""
    return sum(insert_frame(session, Conversation.__table__, rows.iloc[i:i + STORED_SLICE_ROWS])
               for i in range(0, len(rows), STORED_SLICE_ROWS))


def _store_conversations(session: Session, tenant: Tenant, path: Path, checked: _Pass,
                         skip: np.ndarray, timezone: ZoneInfo, progress: Progress,
                         added: _Added | None) -> tuple[int, int, list[str], datetime | None]:
    """Store the new rows (also into `added`, when given); returns the counts, the touched
    users and the earliest new start."""
    stored = created = done = 0
    firsts = pd.Series(dtype="datetime64[us]")
    for rows in _checked_rows(path, checked, timezone):
        done += len(rows)
        rows = rows[~np.isin(rows[LINE].to_numpy(), skip)].drop(columns=[LINE])
        if not rows.empty:
            chunk_firsts = rows.groupby("user_id", sort=False)["started_at"].min()
            created += _create_users(session, tenant.id, chunk_firsts)
            stored += _insert_slices(session, rows.assign(tenant_id=tenant.id))
            if added is not None:
                added.add(rows)
            firsts = pd.concat([firsts, chunk_firsts]).groupby(level=0).min()
        progress(done, checked.rows_read)
    _update_first_conversations(session, tenant.id, firsts)
    _refresh_statistics(session, stored, ["conversations", "platform_users"])
    since = firsts.min().to_pydatetime() if not firsts.empty else None
    return stored, created, sorted(firsts.index), since


# ---- public ------------------------------------------------------------------------------

@dataclass(frozen=True)
class FileCheck:
    """What checking a file found before anything is stored: its rows, and its problems
    (none: it can be imported), the first of them listed and the rest counted."""

    rows_read: int
    problems: list[ImportProblem]
    omitted: int = 0

    def __bool__(self) -> bool:
        """True when the file has problems (it cannot be imported)."""
        return bool(self.problems)


def check_import(db: Database, *, kind: str, tenant_id: str, path: Path,
                 display_name: str | None = None) -> FileCheck:
    """Check a `kind` ("users" or "conversations") file for the tenant, storing nothing;
    for conversations, conflicts with those already stored are problems too."""
    name = display_name or str(path)
    if kind == "users":  # a users file needs nothing stored: no transaction while it is read
        with db.transaction() as session:
            get_tenant(session, tenant_id)
        checked = _check_users_file(path, name, _no_progress)
    else:
        with db.transaction() as session:
            tenant = get_tenant(session, tenant_id)
            checked = _check_conversations_file(session, tenant_id, path, name,
                                                ZoneInfo(tenant.timezone), _no_progress)
    return FileCheck(checked.rows_read, checked.report.problems, checked.report.omitted)


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


def import_users(db: Database, *, tenant_id: str, path: Path, actor: str,
                 now: datetime | None = None, display_name: str | None = None,
                 progress: Progress | None = None) -> ImportSummary:
    """Create or update the file's users (by user_id); refused whole on any bad row.

    `progress(done, total)` is called per chunk: total is 0 while the file is checked,
    then its row count while it is stored.
    """
    now = now or utcnow()
    name = display_name or str(path)
    report = progress or _no_progress
    with db.transaction() as session:
        tenant = get_tenant(session, tenant_id, lock=True)
        checked = _check_users_file(path, name, report)
        if checked.report:
            raise ImportRefused(checked.report)
        stored, skipped, created, status_set = _store_users(session, tenant, path, checked,
                                                            now, report)
        return _finish(session, tenant, kind="users", name=name, actor=actor, now=now,
                       touched=status_set, rows_read=checked.rows_read, stored=stored,
                       skipped=skipped, users_created=created)


def import_conversations(db: Database, *, tenant_id: str, path: Path, actor: str,
                         now: datetime | None = None, display_name: str | None = None,
                         progress: Progress | None = None,
                         sessions_from_memory: bool = True) -> ImportSummary:
    """Store the file's new conversations; refused whole on any bad or conflicting row.

    `progress(done, total)` is called per chunk: total is 0 while the file is checked,
    then its row count while it is stored. An import that only appends builds its sessions
    from its rows in memory; `sessions_from_memory=False` reads them back instead (the
    tests' reference path).
    """
    now = now or utcnow()
    name = display_name or str(path)
    report = progress or _no_progress
    with db.transaction() as session:
        tenant = get_tenant(session, tenant_id, lock=True)
        timezone = ZoneInfo(tenant.timezone)
        checked = _check_conversations_file(session, tenant.id, path, name, timezone, report)
        if checked.report:
            raise ImportRefused(checked.report)
        skip = checked.skipped_lines()
        added = _appending(session, tenant, checked, skip) if sessions_from_memory else None
        stored, created, touched, since = _store_conversations(
            session, tenant, path, checked, skip, timezone, report, added)
        return _finish(session, tenant, kind="conversations", name=name, actor=actor,
                       now=now, touched=touched, rows_read=checked.rows_read, stored=stored,
                       skipped=checked.rows_read - stored, users_created=created, since=since,
                       added=added.frame() if added is not None else None)


__all__ = ["FileCheck", "ImportRefused", "ImportSummary", "check_import",
           "import_conversations", "import_users", "validate_conversations", "validate_users"]
