"""`licensing export consumption|purchases`: a term's CSV to a file or standard output."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

import typer

from licensing_core.cli.common import database, parse_day
from licensing_core.errors import Refused
from licensing_core.exports.csv import export_consumption, export_purchases

export_app = typer.Typer(no_args_is_help=True, help="CSV exports of a tenant's term.")

TERM_HELP = "a date (YYYY-MM-DD) inside the term to export; default the current term"
OUT_HELP = "file to write; default standard output"


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root command."""
    app.add_typer(export_app, name="export")


@contextlib.contextmanager
def _stdout_text() -> Iterator[TextIO]:
    """Standard output as UTF-8 text that writes CRLF exactly as given (no newline mapping)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        yield sys.stdout
        return
    sys.stdout.flush()
    stream = io.TextIOWrapper(buffer, encoding="utf-8", newline="", write_through=True)
    try:
        yield stream
    finally:
        stream.flush()
        stream.detach()


@contextlib.contextmanager
def _file_text(path: Path) -> Iterator[TextIO]:
    """A file that appears complete or not at all: written beside it, then renamed."""
    target = path.resolve()
    if target.is_dir():
        raise Refused(f"--out {path} is a directory")
    if not target.parent.is_dir():
        raise Refused(f"--out {path}: no directory {target.parent}")
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            yield stream
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _export(writer: Callable[[TextIO], int], out: Path | None) -> None:
    if out is None:
        with _stdout_text() as stream:
            writer(stream)
        return
    with _file_text(out) as stream:
        rows = writer(stream)
    typer.echo(f"wrote {rows} rows to {out}")


@export_app.command("consumption", help="The Consumption History (users or sessions) as CSV.")
def export_consumption_command(
    tenant_id: str = typer.Argument(..., metavar="ID"),
    out: Path | None = typer.Option(None, "--out", metavar="FILE", help=OUT_HELP),
    term: str | None = typer.Option(None, "--term", metavar="YYYY-MM-DD", help=TERM_HELP),
) -> None:
    day = parse_day(term, "--term")
    db = database()
    _export(lambda stream: export_consumption(db, tenant_id, stream, term_date=day), out)


@export_app.command("purchases", help="The License Purchase History as CSV.")
def export_purchases_command(
    tenant_id: str = typer.Argument(..., metavar="ID"),
    out: Path | None = typer.Option(None, "--out", metavar="FILE", help=OUT_HELP),
    term: str | None = typer.Option(None, "--term", metavar="YYYY-MM-DD", help=TERM_HELP),
) -> None:
    day = parse_day(term, "--term")
    db = database()
    _export(lambda stream: export_purchases(db, tenant_id, stream, term_date=day), out)
