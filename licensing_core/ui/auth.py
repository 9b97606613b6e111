"""Sign-in, sign-out and the signed-in principal of this browser session.

Local accounts sign in with a password (`accounts.sign_in`: argon2, slowed after
failures, one answer for every refusal). A reload keeps the person signed in through a
signed, expiring token kept in a cookie: Streamlit reads cookies (st.context.cookies) but
cannot set them from the server, so a small script sets it in the browser after sign-in
and removes it at sign-out. The token names a row of the sign_ins table, and every run of
a page reads that row with its account (`sign_ins.principal_of`, one query by key): a
sign-out, a password reset or a disabled account end the session at once, in every
dashboard process and after restarts, and role and tenant are never older than the run.

With an [auth] section in .streamlit/secrets.toml, OpenID Connect (st.login) works too:
the provider's email is mapped to an enabled dashboard account with that email, and the
account is read again on every run as well.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta

import streamlit as st

from licensing_core.auth import sign_ins
from licensing_core.auth.accounts import (
    SignedIn,
    SignInFailed,
    enabled_principal,
    enabled_principals_with_email,
    sign_in,
)
from licensing_core.auth.permissions import Principal
from licensing_core.clock import utcnow
from licensing_core.db.engine import Database
from licensing_core.ui import resources
from licensing_core.ui.text import plain

PRINCIPAL_KEY = "_licensing_principal"
TOKEN_KEY = "_licensing_token"
SIGNED_OUT_KEY = "_licensing_signed_out"
OIDC_PROBLEM_KEY = "_licensing_oidc_problem"
COOKIE_NAME = "licensing_session"


def browser_token() -> str | None:
    """The session token the browser sent with this connection (its cookie), if any."""
    cookies: Mapping[str, str] = st.context.cookies or {}
    return cookies.get(COOKIE_NAME)


def _token_principal(db: Database, token: str) -> Principal | None:
    return sign_ins.principal_of(db, token, resources.token_secret(db), now=utcnow())


def oidc_providers() -> list[str | None] | None:
    """The st.login providers of secrets.toml's [auth] section; None when it has none."""
    try:
        auth = st.secrets.get("auth")
    except Exception:  # no secrets file
        return None
    if not isinstance(auth, Mapping):
        return None
    named: list[str | None] = [k for k, v in auth.items() if isinstance(v, Mapping)]
    if "client_id" in auth:
        named.insert(0, None)
    return named or None


def _oidc_logged_in() -> bool:
    try:
        return bool(st.user.get("is_logged_in"))
    except Exception:
        return False


def _from_oidc(db: Database) -> Principal | None:
    if oidc_providers() is None or not _oidc_logged_in():
        return None
    email = str(st.user.get("email") or "").strip().lower()
    if not email or st.user.get("email_verified") is False:
        st.session_state[OIDC_PROBLEM_KEY] = "the identity provider gave no verified email"
        return None
    principals = enabled_principals_with_email(db, email)
    if len(principals) != 1:
        st.session_state[OIDC_PROBLEM_KEY] = (
            f"no enabled dashboard account has the email {email}" if not principals else
            f"several accounts have the email {email}; sign in with a username instead")
        return None
    return principals[0]


def _signed_in(db: Database) -> Principal | None:
    """Who this session's sign-in names now: its token's (form or cookie), else the
    single sign-on account's; read from the database, never from this process's memory."""
    token = st.session_state.get(TOKEN_KEY)
    if token:
        return _token_principal(db, token)
    known: Principal | None = st.session_state.get(PRINCIPAL_KEY)
    if known is not None:  # signed in through single sign-on
        return enabled_principal(db, known.username)
    principal = _from_oidc(db)
    cookie = None if principal else browser_token()
    if cookie:
        principal = _token_principal(db, cookie)
        if principal is not None:
            st.session_state[TOKEN_KEY] = cookie
    return principal


def current_principal() -> Principal | None:
    """The signed-in person, checked against the database on every run; None when nobody
    is signed in, or the sign-in was ended (here or elsewhere) since the last run."""
    was_signed_in = PRINCIPAL_KEY in st.session_state
    if not was_signed_in and st.session_state.get(SIGNED_OUT_KEY):
        return None
    principal = _signed_in(resources.get_database())
    if principal is None:
        if was_signed_in:  # signed out elsewhere, password reset or account disabled
            _forget_session()
        return None
    st.session_state[PRINCIPAL_KEY] = principal
    return principal


def _start_session(signed: SignedIn) -> None:
    st.session_state[PRINCIPAL_KEY] = signed.principal
    st.session_state[TOKEN_KEY] = signed.token
    st.session_state.pop(SIGNED_OUT_KEY, None)


def _forget_session() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state[SIGNED_OUT_KEY] = True


def sign_out() -> None:
    """End the sign-in in the database (for every process) and here; drop the cookie."""
    token = st.session_state.get(TOKEN_KEY)
    if token:
        db = resources.get_database()
        sign_ins.end(db, token, resources.token_secret(db), now=utcnow())
    via_oidc = _oidc_logged_in() and oidc_providers() is not None
    _forget_session()
    if via_oidc:
        st.logout()
    st.rerun()


def _cookie_script(token: str | None, max_age_s: int) -> str:
    value = json.dumps(token or "")
    return (
        "<script>(function(){var s=window.location.protocol==='https:'?'; Secure':'';"
        f"document.cookie='{COOKIE_NAME}='+{value}+'; Max-Age={max_age_s}; Path=/;"
        " SameSite=Strict'+s;})();</script>"
    )


def sync_cookie() -> None:
    """Keep the browser's cookie equal to this session's token (or remove it)."""
    token = st.session_state.get(TOKEN_KEY)
    if token:
        max_age = int(resources.session_hours() * 3600)
        st.html(_cookie_script(token, max_age), unsafe_allow_javascript=True)
    elif st.session_state.get(SIGNED_OUT_KEY):
        st.html(_cookie_script(None, 0), unsafe_allow_javascript=True)


def sign_in_screen() -> None:
    """The sign-in form (and the OpenID Connect buttons when configured)."""
    st.title("Sign in")
    st.caption("License subscription dashboard")
    with st.form("sign_in"):
        username = st.text_input("Username", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        if not username.strip() or not password:
            st.error("Enter a username and a password.")
        else:
            db = resources.get_database()
            lifetime = timedelta(hours=resources.session_hours())
            try:
                signed = sign_in(db, username.strip(), password,
                                 secret=resources.token_secret(db), lifetime=lifetime)
            except SignInFailed as exc:
                st.error(str(exc))  # our own words, the same whatever the cause
            else:
                _start_session(signed)
                st.rerun()
    _oidc_buttons()
    sync_cookie()


def _oidc_buttons() -> None:
    providers = oidc_providers()
    if providers is None:
        return
    problem = st.session_state.pop(OIDC_PROBLEM_KEY, None)
    if problem:
        st.error(f"Single sign-on did not give access: {plain(problem)}.")
        if _oidc_logged_in() and st.button("Sign out of single sign-on"):
            st.logout()
    st.divider()
    for provider in providers:
        label = (f"Sign in with {plain(provider.title())}" if provider
                 else "Sign in with single sign-on")
        if st.button(label, key=f"oidc_{provider or 'default'}"):
            if provider:
                st.login(provider)
            else:
                st.login()
