"""The `cli` fixture: `licensing ...` run in-process against the test's database."""

from __future__ import annotations

import io

import pytest

from licensing_core.cli import run
from tests.command_line import Cli


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> Cli:
    monkeypatch.setenv("LICENSING_DATABASE_URL", db_url)

    def invoke(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        capsys.readouterr()
        status = run(list(args))
        out, err = capsys.readouterr()
        return status, out, err

    return invoke
