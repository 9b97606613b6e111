"""What an import tells its caller, and the small records its stages hand each other."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from licensing_core.errors import Refused
from licensing_core.ingest.validation import ErrorReport, ImportProblem

# progress(done, total): total is 0 while the file is read, checked and stored, then the
# file's row count once every row is stored (the usage is counted next).
Progress = Callable[[int, int], None]


def no_progress(_done: int, _total: int) -> None:
    return None


@dataclass(frozen=True)
class ImportSummary:
    kind: str  # "users" | "conversations"
    rows_read: int
    stored: int  # new or updated rows written
    skipped: int  # rows already stored with the same content
    users_created: int
    sessions_recomputed: int
    alerts_queued: list[int]  # Alert ids


class ImportRefused(Refused):
    """A file with bad rows: nothing of it was stored; `errors` has one line per bad row."""

    def __init__(self, report: ErrorReport) -> None:
        rows = "row" if report.bad_rows == 1 else "rows"
        super().__init__(f"{report.display_name}: {report.bad_rows} bad {rows}; "
                         "nothing of the file was stored")
        self.display_name = report.display_name
        self.problems: list[ImportProblem] = report.problems
        self.omitted = report.omitted


@dataclass(frozen=True)
class FileCheck:
    """What checking a file found before anything is stored: its rows, and its problems
    (none: it can be imported), the first of them listed and the rest counted."""

    rows_read: int
    problems: list[ImportProblem]
    omitted: int = 0

    def __bool__(self) -> bool:
        """True when the file has problems (it cannot be imported)."""
        return bool(self.problems)


@dataclass(frozen=True)
class Stored:
    """What the store stage wrote: the rows, the users it created, the users whose usage
    changes (sorted), and the earliest new conversation (None: the users import, or none
    stored), from which on sessions are rebuilt."""

    stored: int
    skipped: int
    users_created: int
    touched: list[str]
    since: datetime | None = None


@dataclass(frozen=True)
class Done:
    """An import at its last stage: the file, who imported it, when, and what it stored."""

    kind: str
    file: str
    actor: str
    now: datetime
    rows_read: int
    stored: Stored
    sessions: int
