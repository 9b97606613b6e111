"""Accounts: who may sign in to the dashboard; create, disable or enable, reset a password."""

import streamlit as st

from licensing_core.auth.accounts import create_account, list_accounts
from licensing_core.domain.kinds import Role
from licensing_core.ui import accounts, context, data, labels

principal, db = context.operator()
st.title("Accounts")
everyone = list_accounts(db)
st.dataframe(accounts.table(everyone), key="accounts_table", hide_index=True)

create, disable, reset = st.tabs(["Create", "Disable or enable", "Reset password"])
with create, st.form("account_create"):
    left, right = st.columns(2)
    username = left.text_input("Username", key="account_username")
    email = right.text_input("Email", key="account_email")
    roles = list(Role)
    role = left.selectbox("Role", roles, index=1, key="account_role",
                          format_func=labels.role)
    tenant = right.selectbox("Tenant", data.tenant_ids(principal, db.url), index=None,
                             key="account_tenant", help="None for a super admin")
    password = left.text_input("Password", type="password", key="account_password")
    again = right.text_input("Repeat password", type="password", key="account_again")
    if st.form_submit_button("Create account", type="primary", key="account_create_go"):
        accounts.run_change(
            f"Account {username.strip()} created.",
            lambda: create_account(db, username=username.strip(), role=role,
                                   tenant_id=tenant if role != Role.SUPER_ADMIN else None,
                                   email=email.strip(), password=password,
                                   actor=principal.username),
            refuse=None if password == again else "the two passwords differ")

with disable:
    accounts.disable_form(principal, db, everyone)
with reset:
    accounts.reset_form(principal, db, everyone)
