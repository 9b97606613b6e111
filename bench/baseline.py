"""The database's own bulk path for the same rows: what an import is compared with.

The conversations files are loaded into a scratch copy of the conversations table (same
columns, primary key and indexes): PostgreSQL streams each file's bytes to COPY FROM
STDIN; SQLite inserts the parsed rows with executemany in one transaction.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any, cast

from sqlalchemy import MetaData, Table, text
from sqlalchemy.sql.elements import quoted_name

from licensing_core.db.engine import Database
from licensing_core.db.models import Conversation

SCRATCH_TABLE = "bench_baseline_conversations"
FILE_COLUMNS = ("conversation_id", "user_id", "started_at", "ended_at", "agent_name",
                "channel", "initiated_by", "messages")
COPY_BLOCK_BYTES = 1 << 20
# Rows per executemany call on SQLite, as the application's own bulk writer uses.
SQLITE_BATCH_ROWS = 50_000


def scratch_table() -> Table:
    table = cast(Table, Conversation.__table__).to_metadata(MetaData(), name=SCRATCH_TABLE)
    for index in table.indexes:
        index.name = quoted_name(f"bench_{index.name}", None)
    return table


def drop_scratch(db: Database) -> None:
    with db.engine.begin() as connection:
        connection.execute(text(f'DROP TABLE IF EXISTS "{SCRATCH_TABLE}"'))


def _create_scratch(db: Database) -> None:
    drop_scratch(db)
    scratch_table().create(db.engine)
    if db.is_postgres:  # COPY gives the file's columns; the tenant comes from a setting
        with db.engine.begin() as connection:
            connection.execute(text(
                f'ALTER TABLE "{SCRATCH_TABLE}" ALTER COLUMN tenant_id '
                "SET DEFAULT current_setting('bench.tenant')"))


def _copy_postgres(db: Database, files: Sequence[tuple[str, Path]]) -> int:
    names = ", ".join(FILE_COLUMNS)
    rows = 0
    raw: Any = db.engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            for tenant_id, path in files:
                cursor.execute("SELECT set_config('bench.tenant', %s, false)", (tenant_id,))
                with cursor.copy(f'COPY "{SCRATCH_TABLE}" ({names}) FROM STDIN '
                                 "WITH (FORMAT csv, HEADER true)") as copy, \
                        path.open("rb") as handle:
                    while block := handle.read(COPY_BLOCK_BYTES):
                        copy.write(block)
                rows += cursor.rowcount
        raw.commit()
    finally:
        raw.close()
    return rows


def _file_rows(tenant_id: str, path: Path) -> Iterator[tuple[Any, ...]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        for row in reader:
            yield (tenant_id, row[0], row[1], row[2], row[3] or None, row[4], row[5], row[6],
                   int(row[7]) if row[7] else None)


def _insert_sqlite(db: Database, files: Sequence[tuple[str, Path]]) -> int:
    names = ", ".join(("tenant_id", *FILE_COLUMNS))
    statement = f'INSERT INTO "{SCRATCH_TABLE}" ({names}) VALUES ({", ".join("?" * 9)})'
    rows = 0
    raw: Any = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for tenant_id, path in files:
            source = _file_rows(tenant_id, path)
            while batch := list(islice(source, SQLITE_BATCH_ROWS)):
                cursor.executemany(statement, batch)
                rows += len(batch)
        raw.commit()
    finally:
        raw.close()
    return rows


def bulk_load(db: Database, files: Sequence[tuple[str, Path]]) -> tuple[int, float]:
    """Rows loaded and seconds taken; the scratch table is dropped afterwards."""
    _create_scratch(db)
    try:
        start = time.perf_counter()
        rows = _copy_postgres(db, files) if db.is_postgres else _insert_sqlite(db, files)
        return rows, time.perf_counter() - start
    finally:
        drop_scratch(db)
