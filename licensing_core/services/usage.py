"""Recomputing derived usage (sessions, user licenses) for the users a change touches."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import BindParameter, ColumnElement, Delete, Select, bindparam, delete, func, select
from sqlalchemy.orm import Session

from licensing_core.db.bulk import (
    BulkWriter,
    Prepared,
    insert_frame,
    one_of,
    one_of_named,
    one_of_value,
    read_frame,
)
from licensing_core.db.models import (
    Conversation,
    PlatformUser,
    Tenant,
    UsageSession,
    UserLicense,
    UserStatusEvent,
)
from licensing_core.db.tenancy import calendar_of, recount_consumed, tenant_terms
from licensing_core.domain.calendar import DEFAULT_SESSION_MINUTES, TermCalendar
from licensing_core.domain.kinds import LicenseType
from licensing_core.domain.sessions import GROUP_COLUMNS, SESSION_COLUMNS, sessionize
from licensing_core.domain.user_licenses import license_holdings

# Users recomputed per batch: bounds memory and the length of IN lists (SQLite's limit).
USERS_PER_BATCH = 5_000
# Users per batch of the sessions sessionized from memory (AppendedSessions): smaller, as
# a batch is held while the server stores the one before (a tenant of 25,000 users and
# 1,000,000 conversations: 420 MB at the peak instead of 500).
APPENDED_USERS_PER_BATCH = 1_000


def _batches(user_ids: Sequence[str], size: int = USERS_PER_BATCH) -> Iterator[list[str]]:
    for start in range(0, len(user_ids), size):
        yield list(user_ids[start:start + size])


def all_user_ids(session: Session, tenant_id: str) -> list[str]:
    return list(session.scalars(
        select(PlatformUser.user_id).where(PlatformUser.tenant_id == tenant_id)
    ))


STORED_SESSION_COLUMNS = ["tenant_id", *SESSION_COLUMNS]


class AppendedSessions:
    """The sessions of conversations that only append (see only_appends): those of the
    change's users (`user_ids`, the users of `added`), a batch of users at a time, ready
    to store in `session`'s database. `ahead()` makes the first batch at once, so that it
    is done while the server still stores the conversations (or, on SQLite, before the
    import waits for the lock)."""

    def __init__(self, session: Session, tenant_id: str, added: pd.DataFrame,
                 user_ids: Sequence[str], calendar: TermCalendar) -> None:
        self._session = session
        self._tenant_id = tenant_id
        self._added = added
        self._calendar = calendar
        self._batches = list(_batches(sorted(set(user_ids)), APPENDED_USERS_PER_BATCH))
        self._one_batch = len(self._batches) == 1  # of every user of `added`: no filter
        self._ready: list[Prepared] = []
        # Set when the tenant had no conversation stored before (its first import): it
        # has no session either (sessions are made from conversations), none to count.
        self.first_of_tenant = False

    @property
    def calendar(self) -> TermCalendar:
        """The tenant's terms the sessions are made in."""
        return self._calendar

    def ahead(self) -> None:
        if self._batches and not self._ready:
            self._ready.append(self._next())

    def _next(self) -> Prepared:
        batch = self._batches.pop(0)
        added = self._added if self._one_batch else self._added[
            self._added["user_id"].isin(batch)]
        sessions = sessionize(added, self._calendar)
        return _session_rows(self._session, self._tenant_id, sessions)

    def __iter__(self) -> Iterator[Prepared]:
        while self._ready or self._batches:
            yield self._ready.pop(0) if self._ready else self._next()


def recompute_usage(session: Session, tenant: Tenant, user_ids: Sequence[str] | None,
                    since: datetime | None = None,
                    added: AppendedSessions | None = None) -> int:
    """Rebuild sessions and user licenses of `user_ids` (None: every user of the tenant).

    `since` is the earliest conversation the change added (None: rebuild every session).
    A session whose window closed by then cannot change, since a conversation joins a
    session only inside its window and a session's start depends on earlier ones alone;
    so only the later sessions are rebuilt, from the conversations after the last closed
    one. The result is the same as a full rebuild.

    `added`, given with `since` when `only_appends` held before the change stored anything,
    is the sessions of every conversation it stored (AppendedSessions of
    sessions.CONVERSATION_COLUMNS): those are then all the conversations of open sessions,
    so they are sessionized from memory, not read back, in its calendar: the caller read
    it while it held the tenant's lock, so it is the tenant's terms (not read again).

    Returns the number of sessions of those users after recomputation.
    """
    ids = sorted(set(user_ids)) if user_ids is not None else all_user_ids(session, tenant.id)
    calendar = added.calendar if added is not None else calendar_of(
        tenant, tenant_terms(session, tenant.id))
    user_terms = [(t.term_id, *calendar.bounds[i]) for i, t in enumerate(calendar.terms)
                  if t.license_type == LicenseType.USER]
    if since is not None and added is not None:
        sessions_total = _append_sessions(session, tenant.id, ids, since, added)
    else:
        sessions_total = sum(_recompute_batch_sessions(session, tenant.id, batch, calendar,
                                                       since) for batch in _batches(ids))
    if user_terms:
        for batch in _batches(ids):
            _recompute_user_licenses(session, tenant.id, batch, user_terms)
    recount_consumed(session, tenant.id)
    return sessions_total


def only_appends(session: Session, tenant: Tenant, since: datetime) -> bool:
    """True when no stored conversation of the tenant starts at or after `since` minus the
    longest session: a change whose conversations all start at `since` or later then only
    appends sessions (see _append_sessions). It holds for a first import and for the usual
    next day's file.
    """
    calendar = calendar_of(tenant, tenant_terms(session, tenant.id))
    return appends_after(latest_start(session, tenant.id), since, calendar)


_LATEST_START = select(func.max(Conversation.started_at)).where(
    Conversation.tenant_id == bindparam("tenant"))  # built once: every import reads it


def latest_start(session: Session, tenant_id: str) -> datetime | None:
    """The latest start of the tenant's stored conversations (None: none stored); one
    indexed read. A change reads it before storing, to ask `appends_after` afterwards."""
    latest = session.scalar(_LATEST_START, {"tenant": tenant_id})
    return pd.Timestamp(latest).to_pydatetime() if latest is not None else None


def appends_after(latest: datetime | None, since: datetime, calendar: TermCalendar) -> bool:
    """only_appends, given the latest conversation stored before the change."""
    return latest is None or latest < since - _longest_session(calendar)


def _recompute_batch_sessions(session: Session, tenant_id: str, user_ids: list[str],
                              calendar: TermCalendar, since: datetime | None) -> int:
    """One batch's sessions, rebuilt from `since` when given, else all of them."""
    if since is None:
        return _recompute_sessions(session, tenant_id, user_ids, calendar)
    return _recompute_sessions_since(session, tenant_id, user_ids, calendar, since)


def _conversations_of(session: Session, tenant_id: str, user_ids: list[str]) -> Select:
    return select(
        Conversation.user_id, Conversation.agent_name, Conversation.channel,
        Conversation.started_at, Conversation.conversation_id, Conversation.initiated_by,
    ).where(Conversation.tenant_id == tenant_id, one_of(session, Conversation.user_id, user_ids))


def _session_rows(session: Session, tenant_id: str, sessions: pd.DataFrame) -> Prepared:
    """Sessions as stored: the tenant's, and no term (NULL) for -1."""
    terms = sessions["term_id"].to_numpy(dtype=np.int64)
    sessions["term_id"] = pd.arrays.IntegerArray(terms, terms < 0)
    return Prepared(session, sessions, STORED_SESSION_COLUMNS, {"tenant_id": tenant_id})


def _store_sessions(session: Session, tenant_id: str, sessions: pd.DataFrame) -> int:
    if sessions.empty:
        return 0
    return insert_frame(session, UsageSession.__table__,
                        _session_rows(session, tenant_id, sessions))


def _recompute_sessions(session: Session, tenant_id: str, user_ids: list[str],
                        calendar: TermCalendar) -> int:
    conversations = read_frame(session, _conversations_of(session, tenant_id, user_ids),
                               parse_dates=["started_at"])
    sessions = sessionize(conversations, calendar)
    session.execute(delete(UsageSession).where(
        UsageSession.tenant_id == tenant_id, one_of(session, UsageSession.user_id, user_ids)))
    return _store_sessions(session, tenant_id, sessions)


def _longest_session(calendar: TermCalendar) -> timedelta:
    return timedelta(minutes=max([*calendar.minutes.tolist(), DEFAULT_SESSION_MINUTES]))


def _recompute_sessions_since(session: Session, tenant_id: str, user_ids: list[str],
                              calendar: TermCalendar, since: datetime) -> int:
    """Rebuild the sessions whose window ends after `since` (see recompute_usage).

    Every conversation after the last closed session of its (user, agent, channel) is in a
    session still open at `since`, so it starts after `since` minus the longest session:
    only those conversations are read, and those of a closed session are dropped.
    """
    s = UsageSession
    floor = since - _longest_session(calendar)
    of_users = [s.tenant_id == tenant_id, one_of(session, s.user_id, user_ids)]
    closed = read_frame(session, select(
        s.user_id, s.agent_name, s.channel, func.max(s.window_end).label("closed_at"),
    ).where(*of_users, s.window_end > floor, s.window_end <= since
            ).group_by(s.user_id, s.agent_name, s.channel), parse_dates=["closed_at"])
    kept = _closed_count(session, tenant_id, user_ids, since)
    conversations = read_frame(session, _conversations_of(session, tenant_id, user_ids).where(
        Conversation.started_at >= floor), parse_dates=["started_at"])
    if not closed.empty and not conversations.empty:
        merged = conversations.merge(closed, on=GROUP_COLUMNS, how="left")
        open_ = (merged["closed_at"].isna() | (merged["started_at"] >= merged["closed_at"]))
        conversations = conversations[open_.to_numpy(dtype=bool)].reset_index(drop=True)
    sessions = sessionize(conversations, calendar)
    session.execute(delete(s).where(*of_users, s.window_end > since))
    return kept + _store_sessions(session, tenant_id, sessions)


def _closed_count(session: Session, tenant_id: str, user_ids: list[str],
                  since: datetime) -> int:
    """The users' sessions whose window closed by `since`: they stand as they are."""
    s = UsageSession
    return int(session.scalar(select(func.count()).select_from(s).where(
        s.tenant_id == tenant_id, one_of(session, s.user_id, user_ids),
        s.window_end <= since)) or 0)


def _append_sessions(session: Session, tenant_id: str, user_ids: list[str], since: datetime,
                     added: AppendedSessions) -> int:
    """The users' sessions when `added` (their new conversations) only appends to them.

    Every stored session starts at a stored conversation, so before `since` minus the
    longest session (only_appends), and its window closed before `since`: none is deleted
    or extended. _recompute_sessions_since would read back from that floor on, which finds
    `added` alone, and keep all of it, as it starts at `since` or later: the same sessions.
    No statement runs between the batches: PostgreSQL stores one batch's sessions while
    the next batch is sessionized.
    """
    kept = 0 if added.first_of_tenant else _closed_count(session, tenant_id, user_ids, since)
    with BulkWriter(session, UsageSession.__table__, STORED_SESSION_COLUMNS) as writer:
        for sessions in added:
            writer.write(sessions)
    return kept + writer.rows


@dataclass(frozen=True)
class _LicenseStatements:
    """The statements of a batch's user licenses, built once per database kind (building
    them cost more than SQLite runs them), the tenant, users and term bound by name."""

    events: Select
    firsts: Select
    in_term: Select
    clear: Delete

    @classmethod
    @cache
    def of(cls, dialect: str) -> _LicenseStatements:
        tenant: BindParameter[str] = bindparam("tenant")

        def of_users(column: Any) -> ColumnElement[bool]:
            return one_of_named(dialect, column, "users")

        return cls(
            select(UserStatusEvent.user_id, UserStatusEvent.status, UserStatusEvent.at).where(
                UserStatusEvent.tenant_id == tenant, of_users(UserStatusEvent.user_id)),
            select(PlatformUser.user_id, PlatformUser.first_conversation_at).where(
                PlatformUser.tenant_id == tenant, of_users(PlatformUser.user_id)),
            select(Conversation.user_id, func.min(Conversation.started_at).label("first_at"),
                   func.count().label("count")).where(
                Conversation.tenant_id == tenant, of_users(Conversation.user_id),
                Conversation.started_at >= bindparam("start"),
                Conversation.started_at < bindparam("end")).group_by(Conversation.user_id),
            delete(UserLicense).where(
                UserLicense.tenant_id == tenant, of_users(UserLicense.user_id),
                UserLicense.term_id.in_(bindparam("terms", expanding=True))))


def _recompute_user_licenses(session: Session, tenant_id: str, user_ids: list[str],
                             user_terms: list[tuple[int, datetime, datetime]]) -> None:
    dialect = session.get_bind().dialect.name
    statements = _LicenseStatements.of(dialect)
    given = {"tenant": tenant_id, "users": one_of_value(dialect, user_ids)}
    events = read_frame(session, statements.events, ["at"], given)
    firsts = read_frame(session, statements.firsts, ["first_conversation_at"], given)
    first_conversation = pd.Series(firsts["first_conversation_at"].to_numpy(),
                                   index=firsts["user_id"].to_numpy())
    per_term = []
    for term_id, start, end in user_terms:
        stats = read_frame(session, statements.in_term, ["first_at"],
                           {**given, "start": start, "end": end})
        stats["term_id"] = term_id
        per_term.append(stats)
    in_terms = pd.concat(per_term, ignore_index=True)
    holdings = license_holdings(user_ids, user_terms, events, first_conversation, in_terms)
    session.execute(statements.clear, {**given, "terms": [t[0] for t in user_terms]})
    if not holdings.empty:
        holdings.insert(0, "tenant_id", tenant_id)
        insert_frame(session, UserLicense.__table__, holdings)
