"""`licensing ingest users|conversations ID FILE`: import a usage file into a tenant."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from licensing_core.cli.common import cli_actor, database
from licensing_core.errors import Refused
from licensing_core.ingest.readers import path_problem
from licensing_core.ingest.validation import ImportProblem
from licensing_core.services.imports import (
    ImportRefused,
    ImportSummary,
    import_conversations,
    import_users,
)

# Files smaller than this import in about a second: no progress bar for them.
PROGRESS_MIN_BYTES = 5_000_000

ingest_app = typer.Typer(no_args_is_help=True, help="Import usage files (CSV or JSON Lines).")

Importer = Callable[..., ImportSummary]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root command."""
    app.add_typer(ingest_app, name="ingest")


@contextmanager
def _progress_bar(path: Path) -> Iterator[Callable[[int, int], None] | None]:
    """A bar on stderr while a large file is checked and stored (one pass, so its row count
    is known at the end), then counted; None off a terminal."""
    if not sys.stderr.isatty() or path.stat().st_size < PROGRESS_MIN_BYTES:
        yield None
        return
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("rows"), TimeElapsedColumn(),
                   console=Console(stderr=True), transient=True)
    checking = bar.add_task("checking and storing", total=None)
    storing = bar.add_task("storing ", total=None, visible=False)

    def update(done: int, total: int) -> None:
        if total == 0:
            bar.update(checking, completed=done)
        else:
            bar.update(checking, visible=False)
            # once every row is stored, the usage of the touched users is recounted
            bar.update(storing, completed=done, total=total, visible=True,
                       description="counting" if done >= total else "storing ")

    with bar:
        yield update


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(summary: ImportSummary) -> str:
    return (f"{_plural(summary.rows_read, 'row')} read: {summary.stored} stored, "
            f"{summary.skipped} skipped as already stored, "
            f"{_plural(summary.users_created, 'user')} created, "
            f"{_plural(summary.sessions_recomputed, 'session')} recomputed, "
            f"{_plural(len(summary.alerts_queued), 'alert')} queued")


def problem_lines(display_name: str, problems: Sequence[ImportProblem],
                  omitted: int = 0) -> list[str]:
    """`FILE:LINE: reason` for each problem (`FILE: reason` for the whole file), and a last
    line counting the bad rows not listed."""
    lines = [f"{display_name}{'' if p.line is None else f':{p.line}'}: {p.reason}"
             for p in problems]
    if omitted:
        lines.append(f"{display_name}: ... and {omitted} more rows with errors")
    return lines


def _run(importer: Importer, tenant_id: str, file: str) -> None:
    path = Path(file)
    problem = path_problem(path)
    if problem:
        raise Refused(f"{file}: {problem}")
    db = database()
    try:
        with _progress_bar(path) as progress:
            summary = importer(db, tenant_id=tenant_id, path=path, actor=cli_actor(),
                               display_name=file, progress=progress)
    except ImportRefused as refused:
        for line in problem_lines(refused.display_name, refused.problems, refused.omitted):
            typer.echo(line, err=True)
        raise Refused(str(refused)) from None
    finally:
        db.dispose()
    typer.echo(summary_line(summary))


@ingest_app.command("users", help="Create or update users (user_id, user_name, email, "
                                  "first_name, last_name, role, status).")
def ingest_users(
    tenant_id: str = typer.Argument(..., metavar="ID"),
    file: str = typer.Argument(..., metavar="FILE", help=".csv, .jsonl or .ndjson"),
) -> None:
    _run(import_users, tenant_id, file)


@ingest_app.command("conversations", help="Add conversations (conversation_id, user_id, "
                                          "started_at, ended_at, agent_name, channel, "
                                          "initiated_by, messages).")
def ingest_conversations(
    tenant_id: str = typer.Argument(..., metavar="ID"),
    file: str = typer.Argument(..., metavar="FILE", help=".csv, .jsonl or .ndjson"),
) -> None:
    _run(import_conversations, tenant_id, file)
