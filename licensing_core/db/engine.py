"""One code path for SQLite (the embedded default) and PostgreSQL (through psycopg 3)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from licensing_core.errors import Refused, RunFailed

DEFAULT_URL = "sqlite:///licensing.db"
URL_VARIABLE = "LICENSING_DATABASE_URL"
MIGRATIONS = Path(__file__).with_name("migrations")
# A writer waits this long for SQLite's lock before giving up, instead of failing at once.
SQLITE_BUSY_TIMEOUT_S = 30
# Pages of write-ahead log after which a commit copies them into the database file (the
# default is 1,000). Imports commit many small transactions that touch the same index
# pages again and again: copying every 40 MB (at 4 KiB pages) instead of every 4 MB
# copies each such page once instead of ten times.
SQLITE_CHECKPOINT_PAGES = 10_000


def database_url(explicit: str | None = None) -> str:
    """--db, else LICENSING_DATABASE_URL, else a SQLite file in the working directory."""
    url = explicit or os.environ.get(URL_VARIABLE) or DEFAULT_URL
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names; None for an in-memory or URI-style database."""
    parsed = make_url(url)
    name = parsed.database
    if parsed.get_backend_name() != "sqlite" or not name or name == ":memory:" \
            or name.startswith("file:") or parsed.query.get("uri"):
        return None
    return Path(name)


def _create_private(path: Path) -> None:
    """Create a new SQLite file readable and writable by its owner only: it holds password
    hashes. SQLite gives the -wal, -shm and -journal files the mode of the database file,
    so they are private too. An existing file keeps the mode its owner gave it."""
    # There already, no such directory, not allowed: SQLite opens it, or says why not.
    with suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_CHECKPOINT_PAGES}")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


class Database:
    """The engine and its session factory; services open one transaction per use case."""

    def __init__(self, url: str | None = None) -> None:
        self.url = database_url(url)
        try:
            if self.url.startswith("sqlite"):
                path = _sqlite_file(self.url)
                if path is not None:
                    _create_private(path)
                self.engine = create_engine(
                    self.url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S}
                )
                event.listen(self.engine, "connect", _sqlite_pragmas)
            else:
                self.engine = create_engine(self.url, pool_pre_ping=True)
        except (ArgumentError, ImportError, ValueError) as exc:
            raise Refused(f"cannot use database URL {self.url!r}: {exc}") from None
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits on success and rolls back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    def _revisions(self) -> tuple[str | None, str | None]:
        head = ScriptDirectory.from_config(alembic_config(self.engine)).get_current_head()
        with self.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        return current, head

    def upgrade(self) -> None:
        """Apply every migration not yet applied (and create the schema of an empty one)."""
        try:
            current, head = self._revisions()
            if current != head:
                command.upgrade(alembic_config(self.engine), "head")
        except OperationalError as exc:
            raise RunFailed(f"cannot reach the database at {self.safe_url}: {exc.orig}") from None

    @property
    def safe_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str | None = None) -> Database:
    """A database with its schema up to date, ready for services and queries."""
    database = Database(url)
    database.upgrade()
    return database
