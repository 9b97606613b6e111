"""The error boundary: every failure reaches a page as a short message, never a traceback."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from licensing_core.errors import Forbidden, Refused, RunFailed
from licensing_core.ui.text import plain

log = logging.getLogger("licensing.dashboard")

DATABASE_DOWN = ("The license database cannot be reached right now, so nothing can be shown "
                 "or saved. Try again in a minute; if this persists, tell the operator.")


def show_failure(exc: BaseException) -> None:
    """Show what went wrong in words fit for the person; log the details for the operator."""
    if isinstance(exc, Forbidden):
        st.error(f"Not allowed: {plain(exc)}", icon=":material/block:")
    elif isinstance(exc, Refused):
        st.error(plain(exc), icon=":material/error:")  # it may quote the input
    elif isinstance(exc, RunFailed | SQLAlchemyError):
        log.error("database failure: %s", exc)
        st.error(DATABASE_DOWN, icon=":material/cloud_off:")
    else:
        reference = secrets.token_hex(4)
        log.exception("unexpected failure (reference %s)", reference, exc_info=exc)
        st.error(f"Something went wrong and was not completed. The operator can find the "
                 f"details in the server log under reference {reference}.",
                 icon=":material/error:")


@contextmanager
def guarded() -> Iterator[None]:
    """Turn exceptions into st.error; Streamlit's own rerun/stop signals pass through."""
    try:
        yield
    except Exception as exc:  # ScriptControlException (rerun, stop) is a BaseException
        show_failure(exc)
