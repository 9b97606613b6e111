"""Small helpers that build test data the way a person would: files, and tenants via services.

    path = write_csv(tmp_path / "c.csv", [conversation("c1", "u1", "2026-06-01T10:00:00Z")])
    make_tenant(db, license_type="session", licenses=10, now=now)
"""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select

from licensing_core.db.engine import Database
from licensing_core.db.models import Term
from licensing_core.db.tenancy import counted_consumption
from licensing_core.services.tenants import TermChange, create_tenant

TENANT = "acme"
# A term around the tests' NOW (2026-06-15): the current one unless a test says otherwise.
TERM_START = date(2026, 1, 1)
TERM_END = date(2026, 12, 31)

CONVERSATION_COLUMNS = ["conversation_id", "user_id", "started_at", "ended_at", "agent_name",
                        "channel", "initiated_by", "messages"]
USER_COLUMNS = ["user_id", "user_name", "email", "first_name", "last_name", "role", "status"]


def make_tenant(  # noqa: PLR0913 - keyword-only, the fields of create_tenant
        db: Database, *, tenant_id: str = TENANT, name: str = "Acme Corp",
        license_type: str = "session", licenses: int = 100,
        start: date = TERM_START, end: date = TERM_END,
        session_minutes: int | None = 30, timezone: str = "UTC",
        technical_emails: Sequence[str] = ("tech@acme.test",),
        now: datetime | None = None) -> TermChange:
    """A tenant with one term, created through the service as the operator would."""
    return create_tenant(db, tenant_id=tenant_id, name=name, license_type=license_type,
                         licenses=licenses, start=start, end=end,
                         session_minutes=session_minutes if license_type == "session" else None,
                         timezone=timezone, technical_emails=technical_emails,
                         actor="test", now=now)


def conversation(conversation_id: str, user_id: str, started_at: str, *,
                 agent_name: str = "Luma", channel: str = "web", ended_at: str = "",
                 initiated_by: str = "User", messages: str | int = "") -> dict[str, Any]:
    """One conversations row, with plain defaults for the fields a test does not care about."""
    return {"conversation_id": conversation_id, "user_id": user_id, "started_at": started_at,
            "ended_at": ended_at, "agent_name": agent_name, "channel": channel,
            "initiated_by": initiated_by, "messages": messages}


def user(user_id: str, *, status: str = "Active", user_name: str | None = None,
         email: str = "", first_name: str = "", last_name: str = "",
         role: str = "") -> dict[str, Any]:
    """One users row; user_name defaults to the id."""
    return {"user_id": user_id, "user_name": user_id if user_name is None else user_name,
            "email": email, "first_name": first_name, "last_name": last_name, "role": role,
            "status": status}


def write_csv(path: Path, rows: Iterable[Mapping[str, Any]],
              columns: Sequence[str] | None = None) -> Path:
    """A UTF-8 CSV with a header row; columns default to the first row's keys."""
    rows = list(rows)
    header = list(columns) if columns is not None else list(rows[0]) if rows else []
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, rows: Iterable[Mapping[str, Any]]) -> Path:
    """One JSON object per line."""
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(dict(row), ensure_ascii=False) + "\n")
    return path


def write_text(path: Path, text: str) -> Path:
    """A file with exactly this text (for malformed or hand-laid files)."""
    path.write_bytes(text.encode("utf-8"))
    return path


def consumption_drift(db: Database) -> list[tuple[int, int, int]]:
    """(term, stored, counted) for each term whose stored consumption differs from a count
    of its sessions or license holders: empty when Term.consumed was kept right."""
    with db.transaction() as session:
        rows = session.execute(select(Term.id, Term.consumed, counted_consumption())
                               .order_by(Term.id)).all()
    return [(term_id, stored, counted) for term_id, stored, counted in rows
            if stored != counted]


class _Discard(io.StringIO):
    """Output that keeps nothing, so a peak is the writer's own memory."""

    def write(self, text: str) -> int:
        return len(text)


def export_peak(write: Callable[[TextIO], int]) -> tuple[int, int]:
    """Rows that `write` wrote into an output keeping nothing, and the peak of memory
    Python allocated meanwhile (tracemalloc)."""
    tracemalloc.start()
    try:
        rows = write(_Discard())
        return rows, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
