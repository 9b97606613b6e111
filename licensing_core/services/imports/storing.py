"""The store stage: the checked rows into the tenant's tables, in the import's transaction.

Users: a new user is inserted, a changed one updated, and each status the file sets is
recorded as an event. Conversations go to a `BulkWriter` as they are checked (PostgreSQL
stores one chunk while the next is read and checked); the users they meet first are
created, and every user's first conversation date moved earlier, once the file is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import cast

import numpy as np
import pandas as pd
from sqlalchemy import Table, insert, literal, select, update
from sqlalchemy.orm import Session

from licensing_core.db.bulk import BulkWriter, Prepared, frame_rows, insert_frame, raw_connection
from licensing_core.db.models import Conversation, PlatformUser, UserStatusEvent
from licensing_core.domain.kinds import UserStatus
from licensing_core.ingest.validation import CONVERSATION_FIELDS, USER_TEXT_FIELDS
from licensing_core.services.imports.results import Stored
from licensing_core.services.imports.staging import refresh_statistics, rows_of, stored_rows

USER_COLUMNS = ["user_id", *USER_TEXT_FIELDS, "status"]
CONVERSATION_COLUMNS = [*CONVERSATION_FIELDS, "tenant_id"]


# ---- users -------------------------------------------------------------------------------

def user_changes(rows: pd.DataFrame, stored: pd.DataFrame) -> pd.DataFrame:
    """The file's users with their values after the import and what that changes.

    A field the file does not give keeps its stored value; an empty status keeps the
    stored one, and a new user without one is Active.
    """
    merged = rows.merge(stored, on="user_id", how="left", suffixes=("", "_stored"))
    merged["is_new"] = merged["status_stored"].isna()
    changed = np.zeros(len(merged), dtype=bool)
    for name in [*USER_TEXT_FIELDS, "status"]:
        fallback = merged[f"{name}_stored"].where(~merged["is_new"],
                                                  UserStatus.ACTIVE if name == "status" else "")
        merged[name] = merged[name].where(merged[name].notna(), fallback).astype("str")
        changed |= (merged[name] != merged[f"{name}_stored"]).to_numpy(dtype=bool)
    existing = ~merged["is_new"].to_numpy(dtype=bool)
    merged["changed"] = existing & changed
    merged["status_set"] = merged["is_new"].to_numpy(dtype=bool) | (
        existing & (merged["status"] != merged["status_stored"]).to_numpy(dtype=bool))
    return merged


class UsersStore:
    """Users of a file, a chunk at a time, compared with the stored ones."""

    def __init__(self, session: Session, tenant_id: str, now: datetime) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.now = now
        self.stored = self.skipped = self.created = 0
        self.status_set: list[str] = []

    def add(self, rows: pd.DataFrame) -> None:
        if rows.empty:  # a file of a header and blank rows
            return
        current = stored_rows(self.session, PlatformUser, USER_COLUMNS, self.tenant_id,
                              "user_id", rows["user_id"].tolist())
        users = user_changes(rows, current)
        new = users[users["is_new"]]
        insert_frame(self.session, PlatformUser.__table__,
                     new[USER_COLUMNS].assign(tenant_id=self.tenant_id))
        self._update(users[users["changed"]])
        events = users.loc[users["status_set"], ["user_id", "status"]]
        insert_frame(self.session, UserStatusEvent.__table__, events.assign(
            tenant_id=self.tenant_id, at=pd.Series(pd.Timestamp(self.now), index=events.index)))
        self.status_set += events["user_id"].tolist()
        self.created += len(new)
        self.stored += len(new) + int(users["changed"].sum())
        self.skipped += int((~users["is_new"] & ~users["changed"]).sum())

    def _update(self, changed: pd.DataFrame) -> None:
        if changed.empty:
            return
        users = cast(Table, PlatformUser.__table__)
        with rows_of(self.session, "import_users", changed[USER_COLUMNS]) as stage:
            self.session.execute(update(users).where(
                users.c.tenant_id == self.tenant_id, users.c.user_id == stage.c.user_id,
            ).values({f: stage.c[f] for f in USER_COLUMNS[1:]}))

    def close(self) -> Stored:
        refresh_statistics(self.session, self.stored, ["platform_users", "user_status_events"])
        return Stored(self.stored, self.skipped, self.created, sorted(set(self.status_set)))


# ---- conversations -----------------------------------------------------------------------

def _firsts(user_ids: pd.Series, started_at: pd.Series) -> pd.DataFrame:
    """Each user's earliest start (user_id sorted, first_at): rows ordered by user code and
    time with numpy, a tenth of a pandas groupby's time on a file's rows."""
    codes, users = pd.factorize(user_ids, sort=True)
    times = started_at.to_numpy(dtype="datetime64[us]")
    order = np.lexsort((times.view(np.int64), codes))
    ordered = codes[order]
    first = order[np.r_[True, ordered[1:] != ordered[:-1]]] if len(order) else order
    return pd.DataFrame({"user_id": pd.array(users, dtype="str"), "first_at": times[first]})


@dataclass(frozen=True)
class ConversationRows:
    """Checked rows made ready to store: the table's columns (Prepared), each user's
    earliest start and the earliest of all. A small file (imports.AHEAD_ROWS) makes them,
    as one frame, before it waits for the tenant's lock."""

    source: pd.DataFrame  # the checked rows they were made from
    table_rows: Prepared
    firsts: pd.DataFrame  # user_id (sorted), first_at
    earliest: datetime

    def made_from(self, rows: pd.DataFrame) -> bool:
        """Whether `rows` are the very rows these were made from (no row skipped since)."""
        return rows is self.source

    @classmethod
    def of(cls, session: Session, tenant_id: str, rows: pd.DataFrame) -> ConversationRows:
        firsts = _firsts(rows["user_id"], rows["started_at"])
        return cls(rows, Prepared(session, rows, CONVERSATION_COLUMNS, {"tenant_id": tenant_id}),
                   firsts, pd.Timestamp(firsts["first_at"].to_numpy().min()).to_pydatetime())


class ConversationsStore:
    """New conversations of a file, written as they come; the users' first dates at the end.

    Use it in a `with` block, and `pause()` it before running any other statement on the
    session (the writer holds the connection while its COPY is open). `ready`: rows made
    ready before, stored as they are when `add` is given the rows they were made from.
    """

    def __init__(self, session: Session, tenant_id: str,
                 ready: ConversationRows | None = None) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.ready = ready
        self.writer = BulkWriter(session, Conversation.__table__, CONVERSATION_COLUMNS)
        self._firsts: list[pd.DataFrame] = []  # each stored chunk's
        self.since: datetime | None = None  # the earliest conversation stored so far

    def __enter__(self) -> ConversationsStore:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.writer.__exit__(kind, error, trace)

    def add(self, rows: pd.DataFrame) -> None:
        """Store checked rows (with or without their lines)."""
        if rows.empty:
            return
        ready = self.ready if self.ready is not None and self.ready.made_from(rows) \
            else ConversationRows.of(self.session, self.tenant_id, rows)
        self.writer.write(ready.table_rows)
        self._firsts.append(ready.firsts)
        self.since = min(self.since or ready.earliest, ready.earliest)

    def pause(self) -> None:
        self.writer.pause()

    @property
    def firsts(self) -> pd.DataFrame:
        """Each user's earliest start of the rows stored so far (user_id sorted, first_at);
        the chunks' are merged when asked for."""
        if len(self._firsts) > 1:
            both = pd.concat(self._firsts, ignore_index=True)
            self._firsts = [_firsts(both["user_id"], both["first_at"])]
        return self._firsts[0] if self._firsts else pd.DataFrame(
            {"user_id": pd.Series(dtype="str"), "first_at": pd.Series(dtype="datetime64[us]")})

    @property
    def touched(self) -> list[str]:
        """The users of the rows stored so far, sorted."""
        return cast(list[str], self.firsts["user_id"].tolist())

    def close(self, rows_read: int) -> Stored:
        """Wait for every row, then create the users met first and date their first
        conversations; `rows_read` less the rows stored were skipped."""
        stored = self.writer.close()
        created = _store_users_met(self.session, self.tenant_id, self.firsts)
        refresh_statistics(self.session, stored, ["conversations"])
        refresh_statistics(self.session, created, ["platform_users"])
        return Stored(stored, rows_read - stored, created, self.touched, self.since)


# The same two steps on SQLite, row by row through the driver (executemany runs in
# process): for a file's few users, building and parsing one JSON value of them and
# SQLAlchemy's statements took eight times as long, with the one writer's lock held.
_SQLITE_FIRST_DATES = (
    "UPDATE platform_users SET first_conversation_at = ?3 WHERE tenant_id = ?1 AND "
    "user_id = ?2 AND (first_conversation_at IS NULL OR first_conversation_at > ?3)")
_NO_TEXTS = ", ".join("''" for _ in USER_TEXT_FIELDS)
_SQLITE_USERS_MET = (
    "INSERT INTO platform_users (tenant_id, user_id, first_conversation_at, status, "
    f"{', '.join(USER_TEXT_FIELDS)}) VALUES (?, ?, ?, '{UserStatus.ACTIVE.value}', "
    f"{_NO_TEXTS}) ON CONFLICT (tenant_id, user_id) DO NOTHING")


def _store_users_met(session: Session, tenant_id: str, firsts: pd.DataFrame) -> int:
    """Each user's first conversation date, min(stored, earliest of the file); the users
    met first here created Active, without names and without a status event. Returns how
    many were created. Two statements over the staged (user, earliest start) rows on
    PostgreSQL; the same two, row by row, on SQLite."""
    if firsts.empty:
        return 0
    if session.get_bind().dialect.name == "sqlite":
        rows = [(tenant_id, *row) for row in frame_rows(firsts, ["user_id", "first_at"])]
        cursor = raw_connection(session).cursor()
        cursor.executemany(_SQLITE_FIRST_DATES, rows)
        cursor.executemany(_SQLITE_USERS_MET, rows)
        met = int(cursor.rowcount)
        cursor.close()
        return met
    users = cast(Table, PlatformUser.__table__)
    with rows_of(session, "import_firsts", firsts) as stage:
        stored, new = users.c.first_conversation_at, stage.c.first_at
        session.execute(update(users).where(
            users.c.tenant_id == tenant_id, users.c.user_id == stage.c.user_id,
            stored.is_(None) | (stored > new)).values(first_conversation_at=new))
        known = select(users.c.user_id).where(users.c.tenant_id == tenant_id,
                                               users.c.user_id == stage.c.user_id)
        created = session.execute(insert(users).from_select(
            ["tenant_id", "user_id", "status", "first_conversation_at", *USER_TEXT_FIELDS],
            select(literal(tenant_id), stage.c.user_id, literal(UserStatus.ACTIVE.value),
                   stage.c.first_at, *(literal("") for _ in USER_TEXT_FIELDS))
            .where(~known.exists())).returning(users.c.user_id))  # the driver gives no count
        return len(created.all())
