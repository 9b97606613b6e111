"""Sign-in, sign-out and the signed-in principal of this browser session.

Local accounts sign in with a password (argon2, slowed after failures by `authenticate`).
A reload keeps the person signed in through a signed, expiring token kept in a cookie:
Streamlit reads cookies (st.context.cookies) but cannot set them from the server, so a
small script sets it in the browser after sign-in and removes it at sign-out. The token
only names the account; role, tenant and "not disabled" are read from the database
again, so a disabled account loses access within ACCOUNT_RECHECK_S.

With an [auth] section in .streamlit/secrets.toml, OpenID Connect (st.login) works too:
the provider's email is mapped to an enabled dashboard account with that email.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

import streamlit as st

from licensing_core.auth.accounts import AccountView, SignInFailed, authenticate, list_accounts
from licensing_core.auth.permissions import Principal, Role
from licensing_core.auth.tokens import InvalidToken, issue_token, read_token
from licensing_core.clock import utcnow
from licensing_core.ui import resources

log = logging.getLogger("licensing.dashboard")

PRINCIPAL_KEY = "_licensing_principal"
TOKEN_KEY = "_licensing_token"
SIGNED_OUT_KEY = "_licensing_signed_out"
OIDC_PROBLEM_KEY = "_licensing_oidc_problem"
COOKIE_NAME = "licensing_session"
# How long a change to an account (disabled, role) may take to reach a signed-in session.
ACCOUNT_RECHECK_S = 30


@st.cache_data(ttl=ACCOUNT_RECHECK_S, show_spinner=False)
def _accounts(url: str) -> dict[str, AccountView]:
    return {a.username: a for a in list_accounts(resources.database_for(url))}


def forget_accounts() -> None:
    """Make the next read see account changes at once (after a change on the Accounts page)."""
    _accounts.clear()


def _principal_of(account: AccountView) -> Principal:
    return Principal(account.username, Role(account.role), account.tenant_id, account.email)


def _account(username: str) -> AccountView | None:
    account = _accounts(resources.get_database().url).get(username)
    return None if account is None or account.disabled else account


@st.cache_resource(show_spinner=False)
def _revoked() -> dict[str, datetime]:
    """Token ids signed out in this process, until they would have expired anyway."""
    return {}


def _revoke(token: str) -> None:
    try:
        claims = read_token(token, resources.token_secret(resources.get_database()),
                            now=utcnow())
    except InvalidToken:
        return
    revoked = _revoked()
    now = utcnow()
    for token_id, until in list(revoked.items()):
        if until.replace(tzinfo=None) <= now:
            revoked.pop(token_id, None)
    revoked[claims.token_id] = claims.expires_at


def browser_token() -> str | None:
    """The session token the browser sent with this connection (its cookie), if any."""
    cookies: Mapping[str, str] = st.context.cookies or {}
    return cookies.get(COOKIE_NAME)


def _from_cookie() -> Principal | None:
    token = browser_token()
    if not token:
        return None
    db = resources.get_database()
    try:
        claims = read_token(token, resources.token_secret(db), now=utcnow())
    except InvalidToken as exc:
        log.info("session cookie ignored: %s", exc)
        return None
    if claims.token_id in _revoked():
        return None
    account = _account(claims.username)
    if account is None:
        return None
    st.session_state[TOKEN_KEY] = token
    return _principal_of(account)


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


def _from_oidc() -> Principal | None:
    if oidc_providers() is None or not _oidc_logged_in():
        return None
    email = str(st.user.get("email") or "").strip().lower()
    if not email or st.user.get("email_verified") is False:
        st.session_state[OIDC_PROBLEM_KEY] = "the identity provider gave no verified email"
        return None
    accounts = [a for a in _accounts(resources.get_database().url).values()
                if a.email.lower() == email and not a.disabled]
    if len(accounts) != 1:
        st.session_state[OIDC_PROBLEM_KEY] = (
            f"no enabled dashboard account has the email {email}" if not accounts else
            f"several accounts have the email {email}; sign in with a username instead")
        return None
    return _principal_of(accounts[0])


def current_principal() -> Principal | None:
    """The signed-in person, re-checked against the account; None when nobody is signed in."""
    principal: Principal | None = st.session_state.get(PRINCIPAL_KEY)
    if principal is None:
        if st.session_state.get(SIGNED_OUT_KEY):
            return None
        principal = _from_oidc() or _from_cookie()
    if principal is None:
        return None
    account = _account(principal.username)
    if account is None:  # deleted or disabled since sign-in
        _forget_session()
        return None
    principal = _principal_of(account)
    st.session_state[PRINCIPAL_KEY] = principal
    return principal


def _start_session(principal: Principal) -> None:
    db = resources.get_database()
    lifetime = timedelta(hours=resources.session_hours())
    st.session_state[PRINCIPAL_KEY] = principal
    st.session_state[TOKEN_KEY] = issue_token(principal.username, resources.token_secret(db),
                                              now=utcnow(), lifetime=lifetime)
    st.session_state.pop(SIGNED_OUT_KEY, None)


def _forget_session() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state[SIGNED_OUT_KEY] = True


def sign_out() -> None:
    """End the session here and in the browser: revoke the token, drop the cookie."""
    token = st.session_state.get(TOKEN_KEY)
    if token:
        _revoke(token)
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
            try:
                principal = authenticate(resources.get_database(), username.strip(), password)
            except SignInFailed as exc:
                st.error(str(exc))  # the same words whatever the cause
            else:
                _start_session(principal)
                st.rerun()
    _oidc_buttons()
    sync_cookie()


def _oidc_buttons() -> None:
    providers = oidc_providers()
    if providers is None:
        return
    problem = st.session_state.pop(OIDC_PROBLEM_KEY, None)
    if problem:
        st.error(f"Single sign-on did not give access: {problem}.")
        if _oidc_logged_in() and st.button("Sign out of single sign-on"):
            st.logout()
    st.divider()
    for provider in providers:
        label = f"Sign in with {provider.title()}" if provider else "Sign in with single sign-on"
        if st.button(label, key=f"oidc_{provider or 'default'}"):
            if provider:
                st.login(provider)
            else:
                st.login()
