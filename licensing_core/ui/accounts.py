"""The Accounts page's changes: each shows its refusal inline or reruns with a message."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st

from licensing_core.auth.accounts import AccountView, reset_password, set_disabled
from licensing_core.auth.permissions import Principal, require_super_admin
from licensing_core.db.engine import Database
from licensing_core.ui import data, flash, labels
from licensing_core.ui.forms import refusal_shown

TABLE_COLUMNS = ("Username", "Role", "Tenant", "Email", "Disabled")


def table(everyone: Sequence[AccountView]) -> pd.DataFrame:
    """The accounts as the page lists them, each role in words."""
    return pd.DataFrame([(a.username, labels.role(a.role), a.tenant_id or "", a.email,
                          a.disabled) for a in everyone], columns=list(TABLE_COLUMNS))


def run_change(done: str, change: Callable[[], object], *, refuse: str | None = None) -> None:
    """Run a change of accounts; a refusal shows why, success reruns with `done`."""
    if refuse:
        st.error(f"Nothing was saved: {refuse}.", icon=":material/error:")
        return
    with refusal_shown():
        change()
        data.invalidate()
        flash.later(done)
        st.rerun()


def disable_form(principal: Principal, db: Database, everyone: Sequence[AccountView]) -> None:
    with st.form("account_disable"):
        username = st.selectbox("Account", [a.username for a in everyone], index=None,
                                key="disable_username")
        disable, enable = st.columns(2)
        pressed_disable = disable.form_submit_button("Disable", key="account_disable_go")
        pressed_enable = enable.form_submit_button("Enable", key="account_enable_go")
    if not (pressed_disable or pressed_enable) or username is None:
        return
    require_super_admin(principal)
    refuse = ("you cannot disable your own account" if pressed_disable
              and username == principal.username else None)
    run_change(f"Account {username} {'disabled' if pressed_disable else 'enabled'}.",
               lambda: set_disabled(db, username=username, disabled=pressed_disable,
                                    actor=principal.username), refuse=refuse)


def reset_form(principal: Principal, db: Database, everyone: Sequence[AccountView]) -> None:
    with st.form("account_reset"):
        username = st.selectbox("Account", [a.username for a in everyone], index=None,
                                key="reset_username")
        password = st.text_input("New password", type="password", key="reset_password")
        again = st.text_input("Repeat new password", type="password", key="reset_again")
        pressed = st.form_submit_button("Reset password", key="account_reset_go")
    if not pressed or username is None:
        return
    require_super_admin(principal)
    run_change(f"Password of {username} reset.",
               lambda: reset_password(db, username=username, password=password,
                                      actor=principal.username),
               refuse=None if password == again else "the two passwords differ")
