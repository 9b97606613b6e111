"""The sessionize stage: the touched users' sessions and licenses, rebuilt after storing.

An import that only appends (no stored conversation starts within the longest session
before its earliest new one: a first file, the next day's file) builds its sessions from
the rows it stored, kept in memory as they were stored (`KeptRows`, about 30 bytes a row,
within a budget); any other import, or one over the budget, reads them back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from pandas.api.types import union_categoricals
from sqlalchemy.orm import Session

from licensing_core.db.models import Tenant
from licensing_core.db.tenancy import calendar_of, tenant_terms
from licensing_core.domain.sessions import CONVERSATION_COLUMNS, GROUP_COLUMNS
from licensing_core.services.imports.results import Stored
from licensing_core.services.usage import appends_after, latest_start, recompute_usage

# Bytes of stored rows kept for their sessions: a file over it reads its sessions back.
KEPT_ROWS_BYTES = 128 * 1024 * 1024


@dataclass
class KeptRows:
    """The stored rows' columns that sessions need, the repeated texts as categoricals.

    `latest_before` is the latest conversation stored before the import (read before it
    stores anything): with the earliest new one, it tells whether the import only appends.
    """

    latest_before: datetime | None
    parts: list[pd.DataFrame] | None = field(default_factory=list)  # None: over the budget
    size: int = 0

    @classmethod
    def before_storing(cls, session: Session, tenant_id: str) -> KeptRows:
        return cls(latest_start(session, tenant_id))

    def add(self, rows: pd.DataFrame) -> None:
        if self.parts is None or rows.empty:
            return
        texts = [*GROUP_COLUMNS, "initiated_by"]
        part = rows[CONVERSATION_COLUMNS].astype({c: "category" for c in texts})
        self.size += int(part.memory_usage(deep=True).sum())
        self.parts = self.parts + [part] if self.size <= KEPT_ROWS_BYTES else None

    def frame(self) -> pd.DataFrame | None:
        """All the rows in one frame (categories merged, not expanded back to texts)."""
        if self.parts is None:
            return None
        if not self.parts:
            return pd.DataFrame(columns=CONVERSATION_COLUMNS)
        parts, self.parts = self.parts, None
        return pd.DataFrame({c: _joined([p[c] for p in parts]) for c in CONVERSATION_COLUMNS})


def _joined(pieces: list[pd.Series]) -> pd.Series | pd.Categorical:
    """One column from its chunks' pieces; categoricals keep their codes (a plain concat
    of categoricals with other categories would fall back to texts)."""
    if isinstance(pieces[0].dtype, pd.CategoricalDtype):
        return union_categoricals(pieces, ignore_order=True)
    return pd.concat(pieces, ignore_index=True)


def rebuild(session: Session, tenant: Tenant, stored: Stored,
            kept: KeptRows | None = None) -> int:
    """Rebuild the usage of the users the import touched; returns their sessions.

    `stored.since` lets the sessions closed before it stand (see recompute_usage); the
    users import gives none, and every session of its users is rebuilt.
    """
    if not stored.touched:
        return 0
    added = None
    if kept is not None and stored.since is not None:
        calendar = calendar_of(tenant, tenant_terms(session, tenant.id))
        if appends_after(kept.latest_before, stored.since, calendar):
            added = kept.frame()
    return recompute_usage(session, tenant, stored.touched, stored.since, added)
