"""The read stage: a file's chunks of text rows, or its problems when it cannot be read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from licensing_core.ingest.readers import CHUNK_ROWS, Chunk, UnreadableFile, read_chunks
from licensing_core.ingest.validation import (
    CONVERSATION_FIELDS,
    CONVERSATION_REQUIRED,
    USER_FIELDS,
    ErrorReport,
)


@dataclass(frozen=True)
class FileKind:
    """The fields a kind of file gives, and the columns its CSV header must name."""

    fields: list[str]
    required: list[str]


USERS = FileKind(USER_FIELDS, ["user_id"])
CONVERSATIONS = FileKind(CONVERSATION_FIELDS, CONVERSATION_REQUIRED)


def chunks(path: Path, kind: FileKind, report: ErrorReport) -> Iterator[Chunk]:
    """The file's chunks; a file that cannot be read at all becomes its problems."""
    try:
        yield from read_chunks(path, kind.fields, kind.required, CHUNK_ROWS)
    except UnreadableFile as exc:
        report.add(exc.problems)
