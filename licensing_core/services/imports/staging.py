"""Temporary tables for set-based lookups and updates, and the planner's statistics.

One query joining a staged chunk of keys replaces thousands of IN lists or single-row
updates, and its plan does not depend on how fresh the statistics are; a few keys are
bound as one value instead. The check stage reads stored conversations through here, the
store stage stored users.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import pandas as pd
from sqlalchemy import Column, DateTime, FromClause, MetaData, String, Table, select, text
from sqlalchemy.orm import Session

from licensing_core.db.bulk import bound_rows, insert_frame, read_frame

# After storing this many rows, and at least this share of what the table held, PostgreSQL's
# statistics are refreshed at once: with stale ones (a tenant's first large file into a
# table that knew nothing of it) it scans the whole tenant for each batch of ids of the
# next import. A smaller change is left to autovacuum, whose threshold is the same 10%:
# sampling a table of millions of rows takes 0.2 s, a third of a small import's time.
ANALYZE_MIN_ROWS = 10_000
ANALYZE_MIN_SHARE = 0.1
# Up to this many rows are bound in the statement that joins them, without a temporary
# table: creating and dropping one costs more than a small file's lookup (most files are).
BOUND_ROWS = 1_000


def staged(session: Session, name: str, frame: pd.DataFrame) -> Table:
    """`frame` in a temporary table of this transaction (its first column the key)."""
    columns = [Column(c, DateTime() if pd.api.types.is_datetime64_any_dtype(frame[c])
                      else String(), primary_key=(i == 0))
               for i, c in enumerate(frame.columns)]
    table = Table(name, MetaData(), *columns, prefixes=["TEMPORARY"])
    table.drop(session.connection(), checkfirst=True)
    table.create(session.connection())
    insert_frame(session, table, frame)
    return table


@contextmanager
def rows_of(session: Session, name: str, frame: pd.DataFrame) -> Iterator[FromClause]:
    """The frame's rows as a table to join in the block's statements: bound in the
    statement when few (see bound_rows), else staged in a temporary table."""
    if len(frame) <= BOUND_ROWS:
        yield bound_rows(session, frame)
        return
    table = staged(session, name, frame)
    try:
        yield table
    finally:
        table.drop(session.connection())


def stored_rows(session: Session, model: type, columns: Sequence[str], tenant_id: str,
                key: str, ids: Sequence[str],
                parse_dates: Sequence[str] = ()) -> pd.DataFrame:
    """Stored rows of the tenant whose `key` is among `ids`."""
    table = model.__table__  # type: ignore[attr-defined]
    keys = pd.DataFrame({"key": pd.unique(np.asarray(ids))})
    with rows_of(session, "import_keys", keys) as staged_keys:
        return read_frame(session, select(*(table.c[c] for c in columns)).join(
            staged_keys, table.c[key] == staged_keys.c.key).where(
            table.c.tenant_id == tenant_id), parse_dates=parse_dates)


def refresh_statistics(session: Session, stored: int, tables: Sequence[str]) -> None:
    """ANALYZE the tables on PostgreSQL when the import added a large share of them."""
    if stored < ANALYZE_MIN_ROWS or session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        known = session.scalar(text("SELECT reltuples FROM pg_class WHERE oid = "
                                    "CAST(:table AS regclass)"), {"table": table})
        if known is None or known < 0 or stored >= ANALYZE_MIN_SHARE * known:  # -1: never
            session.execute(text(f'ANALYZE "{table}"'))
