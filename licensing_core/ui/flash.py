"""A message that survives the rerun after a change ("Contacts saved.").

Messages are plain text, shown as typed: they often name what was changed (an account,
a tenant), which came from input.
"""

from __future__ import annotations

import streamlit as st

from licensing_core.ui.text import plain

FLASH_KEY = "_licensing_flash"


def later(message: str) -> None:
    st.session_state[FLASH_KEY] = message


def show() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(plain(message), icon=":material/check_circle:")
