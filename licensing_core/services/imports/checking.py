"""The check stage: which rows of a chunk can be stored, and why the others cannot.

The rules of one row live in `ingest.validation`; here are the rules between rows: a key
met again in the file, and a conversation already stored with other values. A row given
again with the same content, or stored the same, is skipped rather than refused. Each
check adds its problems to the file's report; the rows it returns are to be stored.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from licensing_core.db.models import Conversation
from licensing_core.ingest.readers import LINE, Chunk, without_rows
from licensing_core.ingest.validation import (
    CONVERSATION_CONTENT,
    ErrorReport,
    FirstSeen,
    check_conversations,
    check_users,
    conversation_fingerprints,
    given,
    shown,
)
from licensing_core.services.imports.staging import stored_rows


class UsersCheck:
    """A users file, chunk by chunk: each row's rules, and a user_id given once."""

    def __init__(self, display_name: str) -> None:
        self.report = ErrorReport(display_name)
        self.rows_read = 0
        self._seen = FirstSeen()

    def rows(self, chunk: Chunk) -> pd.DataFrame:
        """The chunk's good rows, normalised (see check_users), without their lines."""
        checked = check_users(chunk.rows)
        problems = chunk.problems + checked.problems
        keyed = chunk.rows[given(chunk.rows["user_id"])]
        earlier, _ = self._seen.check(keyed["user_id"], keyed[LINE].to_numpy())
        again = earlier > 0
        problems += [(int(line), f"user_id {shown(user)} already appears on line {first}")
                     for line, user, first in zip(keyed[LINE][again], keyed["user_id"][again],
                                                  earlier[again], strict=True)]
        self.report.add(problems)
        self.rows_read += chunk.rows_read
        return checked.rows.drop(columns=[LINE])


class ConversationsCheck:
    """A conversations file, chunk by chunk: each row's rules, then a conversation_id
    given again must repeat its first row (skipped), and `against_stored` compares the
    rest with the tenant's stored conversations."""

    def __init__(self, display_name: str, timezone: ZoneInfo) -> None:
        self.report = ErrorReport(display_name)
        self.timezone = timezone
        self.rows_read = 0
        self._seen = FirstSeen(len(CONVERSATION_CONTENT))

    def rows(self, chunk: Chunk) -> pd.DataFrame:
        """The chunk's good rows met for the first time in the file (with their lines)."""
        result = check_conversations(chunk.rows, self.timezone)
        rows, problems = result.rows, chunk.problems + result.problems
        lines = rows[LINE].to_numpy()
        earlier, differs = self._seen.check(rows["conversation_id"], lines,
                                            lambda: conversation_fingerprints(rows))
        again = earlier > 0
        for row in np.flatnonzero(again & differs.any(axis=1)):
            fields = [f for f, flag in zip(CONVERSATION_CONTENT, differs[row], strict=True)
                      if flag]
            problems.append((int(lines[row]), f"conversation_id "
                             f"{shown(rows['conversation_id'].iat[row])} already appears on "
                             f"line {earlier[row]} with a different {', '.join(fields)}"))
        self.report.add(problems)
        self.rows_read += chunk.rows_read
        return without_rows(rows, again)

    def against_stored(self, session: Session, tenant_id: str,
                       rows: pd.DataFrame) -> pd.DataFrame:
        """The rows not stored yet; one stored with other values is a problem."""
        if rows.empty:
            return rows
        same, problems = _stored_conflicts(session, tenant_id, rows)
        self.report.add(problems)
        stored = np.isin(rows[LINE].to_numpy(), same) | np.isin(
            rows[LINE].to_numpy(), [line for line, _ in problems])
        # none stored: the same rows, so those made ready before the lock still hold
        return without_rows(rows, stored)


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
    stored = stored_rows(session, Conversation, ["conversation_id", *CONVERSATION_CONTENT],
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
