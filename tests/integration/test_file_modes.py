"""The files that hold password hashes and the sign-in secret are readable by their owner
only: a new SQLite database with its -wal and -shm files, and the generated secret."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from licensing_core.db.engine import open_database
from licensing_core.ui import resources

PRIVATE = 0o600


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The common umask 022, under which a file is created 0644 unless asked otherwise."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def _modes(directory: Path) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in directory.iterdir()}


def test_after_licensing_demo_the_database_its_wal_shm_and_secret_are_private(
        tmp_path, usual_umask, monkeypatch):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    built = subprocess.run([sys.executable, "-c", "from licensing_core.cli import main; main()",
                            "--db", url, "demo", "--today", "2026-06-15"],
                           capture_output=True, text=True, timeout=300, check=False)
    assert built.returncode == 0, built.stderr[-2000:]
    monkeypatch.delenv(resources.SECRET_VARIABLE, raising=False)
    db = open_database(url)
    try:
        with db.engine.connect() as connection:  # an open reader keeps -wal and -shm
            connection.execute(text("SELECT count(*) FROM sqlite_master"))
            resources.token_secret(db)  # what the dashboard does at its first sign-in
            modes = _modes(tmp_path)
    finally:
        db.dispose()
    assert modes == {"demo.db": PRIVATE, "demo.db-wal": PRIVATE, "demo.db-shm": PRIVATE,
                     "demo.db.secret": PRIVATE}


def test_an_existing_database_keeps_the_mode_its_owner_gave_it(tmp_path, usual_umask):
    path = tmp_path / "shared.db"
    open_database(f"sqlite:///{path}").dispose()
    path.chmod(0o640)
    open_database(f"sqlite:///{path}").dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
