"""A message that survives the rerun after a change ("Contacts saved.")."""

from __future__ import annotations

import streamlit as st

FLASH_KEY = "_licensing_flash"


def later(message: str) -> None:
    st.session_state[FLASH_KEY] = message


def show() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(message, icon=":material/check_circle:")
