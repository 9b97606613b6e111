"""The sessionize stage: the touched users' sessions and licenses, rebuilt after storing.

An import that only appends (no stored conversation starts within the longest session
before its earliest new one: a first file, the next day's file) builds its sessions from
the rows it stored, kept in memory as they were stored (`KeptRows`, about 30 bytes a row,
within a budget), starting while the server still stores the last of them; any other
import, or one over the budget, reads them back. The sessions of a small file (on SQLite
up to imports.AHEAD_ROWS rows, on PostgreSQL one chunk) are begun, and its rows made
ready to store as one frame, before the import waits for the tenant's lock
(`FileAhead`); they are used when that frame is what it stores, in the same terms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from pandas.api.types import union_categoricals
from sqlalchemy.orm import Session

from licensing_core.db.models import Tenant
from licensing_core.db.tenancy import calendar_of, tenant_terms
from licensing_core.domain.calendar import TermCalendar
from licensing_core.domain.sessions import CONVERSATION_COLUMNS, GROUP_COLUMNS
from licensing_core.services.imports.results import Stored
from licensing_core.services.imports.storing import ConversationRows
from licensing_core.services.usage import (
    AppendedSessions,
    appends_after,
    recompute_usage,
)

# Bytes of stored rows kept for their sessions: a file over it reads its sessions back.
KEPT_ROWS_BYTES = 128 * 1024 * 1024


@dataclass(frozen=True)
class FileAhead:
    """A file's first chunk of checked rows made ready to store, and its sessions begun
    with the tenant's terms read before its lock: while another import holds the lock (on
    SQLite, any import: the one writer's lock), this one does that work instead of doing
    it once it holds the lock. Terms are never changed in place (a new term is a new
    row), so the same terms under the lock are the same calendar."""

    rows: ConversationRows
    calendar: TermCalendar
    sessions: AppendedSessions

    @classmethod
    def of(cls, session: Session, tenant_id: str, rows: pd.DataFrame,
           calendar: TermCalendar) -> FileAhead:
        sessions = AppendedSessions(session, tenant_id, rows, rows["user_id"].unique(),
                                    calendar)
        sessions.ahead()
        return cls(ConversationRows.of(session, tenant_id, rows), calendar, sessions)


@dataclass
class KeptRows:
    """The stored rows, for their sessions: a file's one frame as it is, the columns
    sessions need of several, the repeated texts as categoricals.

    `latest_before`, the latest conversation stored before the import, and the tenant's
    terms are read before it stores anything: with the earliest new conversation, they
    tell whether the import only appends.
    """

    session: Session
    tenant_id: str
    latest_before: datetime | None
    calendar: TermCalendar
    ahead: FileAhead | None = None
    parts: list[pd.DataFrame] | None = field(default_factory=list)  # None: over the budget
    size: int = 0

    @classmethod
    def before_storing(cls, session: Session, tenant: Tenant, latest_before: datetime | None,
                       ahead: FileAhead | None = None) -> KeptRows:
        return cls(session, tenant.id, latest_before,
                   calendar_of(tenant, tenant_terms(session, tenant.id),
                               ahead.calendar if ahead is not None else None), ahead)

    def add(self, rows: pd.DataFrame) -> None:
        """Keep a chunk's rows; from a file's second chunk on, only the columns sessions
        need, the repeated texts of every kept chunk as categoricals (a fraction of the
        memory), counted against the budget. A file stored as one frame (most files, and
        at most a few chunks made ready ahead: within the budget) is kept as it is,
        neither copied nor measured."""
        if self.parts is None or rows.empty:
            return
        if not self.parts:
            self.parts.append(rows)
            return
        if len(self.parts) == 1:
            self.parts = [_compact(self.parts[0][CONVERSATION_COLUMNS])]
            self.size = _bytes(self.parts[0])
        part = _compact(rows[CONVERSATION_COLUMNS])
        self.parts.append(part)
        self.size += _bytes(part)
        if self.size > KEPT_ROWS_BYTES:
            self.parts = None

    def appended(self, user_ids: Sequence[str], since: datetime | None) -> AppendedSessions | None:
        """The sessions of the kept rows, their first batch sessionized now, when the
        import only appends from `since` on (None: it does not, or over the budget)."""
        if self.parts is None or since is None or not appends_after(self.latest_before, since,
                                                                      self.calendar):
            return None
        if self._only_ahead() and self.ahead is not None and self.ahead.calendar.same_as(
                self.calendar):
            appended = self.ahead.sessions
        else:
            appended = AppendedSessions(self.session, self.tenant_id, self._frame(), user_ids,
                                        self.calendar)
            appended.ahead()
        appended.first_of_tenant = self.latest_before is None
        return appended

    def _only_ahead(self) -> bool:
        """Whether the rows kept are the rows made ready ahead, and only those."""
        return self.ahead is not None and self.parts is not None and len(self.parts) == 1 \
            and self.ahead.rows.made_from(self.parts[0])

    def _frame(self) -> pd.DataFrame:
        """All the rows in one frame (categories merged, not expanded back to texts)."""
        parts, self.parts = self.parts or [], None
        if not parts:
            return pd.DataFrame(columns=CONVERSATION_COLUMNS)
        return pd.DataFrame({c: _joined([p[c] for p in parts]) for c in CONVERSATION_COLUMNS})


def _bytes(part: pd.DataFrame) -> int:
    return int(part.memory_usage(deep=True).sum())


def _compact(part: pd.DataFrame) -> pd.DataFrame:
    """The part with its repeated texts as categoricals (once)."""
    texts = [c for c in [*GROUP_COLUMNS, "initiated_by"]
             if not isinstance(part[c].dtype, pd.CategoricalDtype)]
    return part.astype(dict.fromkeys(texts, "category")) if texts else part


def _joined(pieces: list[pd.Series]) -> pd.Series | pd.Categorical:
    """One column from its chunks' pieces; categoricals keep their codes (a plain concat
    of categoricals with other categories would fall back to texts)."""
    if isinstance(pieces[0].dtype, pd.CategoricalDtype):
        return union_categoricals(pieces, ignore_order=True)
    return pd.concat(pieces, ignore_index=True)


def rebuild(session: Session, tenant: Tenant, stored: Stored,
            appended: AppendedSessions | None = None) -> int:
    """Rebuild the usage of the users the import touched; returns their sessions.

    `stored.since` lets the sessions closed before it stand (see recompute_usage); the
    users import gives none, and every session of its users is rebuilt. `appended`: the
    sessions of an import that only appends, from its rows in memory.
    """
    if not stored.touched:
        return 0
    return recompute_usage(session, tenant, stored.touched, stored.since, appended)
