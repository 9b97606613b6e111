"""The Import page's steps: save the upload, validate it, import it with a progress bar."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from licensing_core.auth.permissions import require_super_admin
from licensing_core.ingest.validation import ImportProblem
from licensing_core.services.imports import (
    FileCheck,
    ImportRefused,
    ImportSummary,
    check_import,
    import_conversations,
    import_users,
)
from licensing_core.ui import data, formatting
from licensing_core.ui.context import TenantContext
from licensing_core.ui.text import plain

KINDS = ("users", "conversations")
SUFFIXES = ["csv", "jsonl", "ndjson"]
COLUMNS = {
    "users": "Columns: user_id (required), user_name, email, first_name, last_name, role, "
             "status (Active or Inactive).",
    "conversations": "Columns: conversation_id, user_id, started_at, agent_name, channel "
                     "(required), ended_at, initiated_by, messages. Times without an offset "
                     "are read in the tenant's timezone.",
}
CHECKED_KEY = "_licensing_import_checked"
DONE_KEY = "_licensing_import_done"


def expected_columns(kind: str) -> str:
    return COLUMNS[kind]


def _identity(ctx: TenantContext, kind: str, upload: UploadedFile) -> tuple[str, ...]:
    return (ctx.tenant_id, kind, upload.file_id, upload.name)


@contextmanager
def saved(upload: UploadedFile) -> Iterator[Path]:
    """The upload in a temporary file with its own suffix (which picks the format)."""
    suffix = Path(upload.name).suffix.lower()
    handle, name = tempfile.mkstemp(suffix=suffix, prefix="licensing-import-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(upload.getbuffer())
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def validation(ctx: TenantContext, kind: str, upload: UploadedFile) -> FileCheck:
    """The file's rows and its problems; checked once per file and tenant."""
    require_super_admin(ctx.principal)
    identity = _identity(ctx, kind, upload)
    checked = st.session_state.get(CHECKED_KEY)
    if checked is not None and checked[0] == identity:
        found: FileCheck = checked[1]
        return found
    with st.spinner(f"Checking {plain(upload.name)}…"), saved(upload) as path:
        result = check_import(ctx.db, kind=kind, tenant_id=ctx.tenant_id, path=path,
                              display_name=upload.name)
    st.session_state[CHECKED_KEY] = (identity, result)
    return result


def problem_table(problems: Sequence[ImportProblem], omitted: int = 0) -> pd.DataFrame:
    """The problems as the page lists them: a line (none for the whole file) and why."""
    rows = [(p.line, p.reason) for p in problems]
    if omitted:
        rows.append((None, f"... and {formatting.count(omitted)} more rows with errors"))
    return pd.DataFrame(rows, columns=["Line", "Problem"]).astype({"Line": "Int64"})


def import_label(checked: FileCheck, tenant_name: str) -> str:
    """The confirmation says how many rows go to which tenant."""
    rows = "row" if checked.rows_read == 1 else "rows"
    return f"Import {formatting.count(checked.rows_read)} {rows} into {plain(tenant_name)}"


def already_imported(ctx: TenantContext, kind: str, upload: UploadedFile) -> bool:
    done = st.session_state.get(DONE_KEY)
    return done is not None and done[0] == _identity(ctx, kind, upload)


def run(ctx: TenantContext, kind: str, upload: UploadedFile) -> None:
    """Import with a progress bar; a refusal (e.g. rows stored meanwhile) lists its lines."""
    require_super_admin(ctx.principal)
    bar = st.progress(0.0, text="Checking the file…")

    def progress(done: int, total: int) -> None:
        # The file is read, checked and stored in one pass, so its row count is known only
        # at the end: until then the bar says how far it got; then the recount of usage.
        if total:
            bar.progress(min(1.0, done / total),
                         text=f"Stored {formatting.count(done)} of {formatting.count(total)} "
                              "rows")
        else:
            bar.progress(0.0, text=f"Checked and stored {formatting.count(done)} rows…")

    importer = import_users if kind == "users" else import_conversations
    try:
        with saved(upload) as path:
            summary = importer(ctx.db, tenant_id=ctx.tenant_id, path=path,
                               actor=ctx.principal.username, display_name=upload.name,
                               progress=progress)
    except ImportRefused as exc:
        bar.empty()
        st.error(plain(exc))
        st.dataframe(problem_table(exc.problems, exc.omitted), hide_index=True,
                     key="import_refused")
        return
    bar.progress(1.0, text="Done")
    data.invalidate()
    st.session_state[DONE_KEY] = (_identity(ctx, kind, upload), summary)
    st.rerun()  # draw the page again: the Import button now off, the summary shown


def show_result(ctx: TenantContext, kind: str, upload: UploadedFile) -> None:
    done = st.session_state.get(DONE_KEY)
    if done is None or done[0] != _identity(ctx, kind, upload):
        return
    summary: ImportSummary = done[1]
    st.success(
        f"Imported {plain(upload.name)}: {formatting.count(summary.rows_read)} rows read, "
        f"{formatting.count(summary.stored)} stored, {formatting.count(summary.skipped)} "
        f"already stored, {formatting.count(summary.users_created)} users created, "
        f"{formatting.count(summary.sessions_recomputed)} sessions recomputed, "
        f"{len(summary.alerts_queued)} alerts queued.", icon=":material/check_circle:")
