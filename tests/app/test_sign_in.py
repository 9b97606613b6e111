"""Sign-in, sign-out, the pages each role gets, and a reload that keeps the session."""

from datetime import timedelta

import streamlit as st

from licensing_core.auth import accounts
from licensing_core.auth.accounts import SIGN_IN_FAILED, lock_after, reset_password, set_disabled
from licensing_core.auth.tokens import issue_token
from licensing_core.clock import utcnow
from licensing_core.ui import auth
from tests.app.conftest import PASSWORD, labelled, new_app, sign_in, texts

SECRET = "app-test-secret-of-enough-length"  # as LICENSING_SECRET_KEY in the fixture
# These pages read the real clock: enough failures for a lock of a minute, so that the
# next attempt is still too soon on a slow machine (three give a lock of two seconds).
FAILURES_FOR_A_MINUTE = next(n for n in range(1, 100) if lock_after(n) >= timedelta(minutes=1))


def page_titles(at):
    return [t.value for t in at.title]


def test_the_sign_in_form_asks_for_username_and_password(world):
    at = new_app().run()
    assert not at.exception
    assert [w.label for w in at.text_input] == ["Username", "Password"]
    assert page_titles(at) == ["Sign in"]


def test_a_tenant_admin_signs_in_to_the_subscription_page(signed_in):
    at = signed_in("ann")
    assert not at.exception, at.exception
    assert page_titles(at) == ["Subscription · Acme Corp"]
    assert "Signed in as **ann**" in texts(at)


def test_a_super_admin_starts_on_the_tenants_overview(signed_in):
    at = signed_in("root")
    assert not at.exception, at.exception
    assert page_titles(at) == ["Tenants"]


def test_a_wrong_password_is_refused_and_shows_nothing_else(world):
    at = sign_in(new_app().run(), "ann", "not the password")
    assert [e.value for e in at.error] == [SIGN_IN_FAILED]
    assert page_titles(at) == ["Sign in"]


def test_repeated_failures_slow_down_the_next_attempts(world):
    at = new_app().run()
    for _ in range(FAILURES_FOR_A_MINUTE):
        at = sign_in(at, "ann", "not the password")
    at = sign_in(at, "ann")  # the right password, but too soon
    assert [e.value for e in at.error] == [SIGN_IN_FAILED]
    assert page_titles(at) == ["Sign in"]


def test_unknown_locked_and_disabled_accounts_get_the_wrong_passwords_answer(world):
    for _ in range(FAILURES_FOR_A_MINUTE):
        sign_in(new_app().run(), "vic", "not the password")
    set_disabled(world.db, username="gus", disabled=True, actor="test")
    for username in ("nobody", "vic", "gus"):  # the right password for vic and gus
        at = sign_in(new_app().run(), username)
        assert [e.value for e in at.error] == [SIGN_IN_FAILED], username
        assert page_titles(at) == ["Sign in"]


def test_signing_out_returns_to_the_form_and_removes_the_cookie(signed_in):
    at = signed_in("ann")
    labelled(at.button, "Sign out").click()
    at.run()
    assert page_titles(at) == ["Sign in"]
    scripts = [h.proto.body for h in at.get("html")]
    assert any("licensing_session=" in s and "Max-Age=0" in s for s in scripts)


def test_after_sign_in_the_browser_is_given_a_signed_expiring_cookie(signed_in):
    at = signed_in("ann")
    scripts = [h.proto.body for h in at.get("html")]
    token = at.session_state[auth.TOKEN_KEY]
    assert any(token in s and "Max-Age=28800" in s and "SameSite=Strict" in s
               for s in scripts)


def _token(world, username: str = "ann") -> str:
    """A token of a real sign-in, as the form would have given the browser."""
    return accounts.sign_in(world.db, username, PASSWORD, secret=SECRET,
                            lifetime=timedelta(hours=1)).token


def test_a_reload_with_a_valid_cookie_keeps_the_person_signed_in(world, monkeypatch):
    token = _token(world)
    monkeypatch.setattr(auth, "browser_token", lambda: token)
    at = new_app().run()
    assert page_titles(at) == ["Subscription · Acme Corp"]


def test_an_expired_forged_or_unrecorded_cookie_asks_for_the_password(world, monkeypatch):
    expired = issue_token("ann", SECRET, now=utcnow() - timedelta(hours=9),
                          lifetime=timedelta(hours=8))
    forged = issue_token("root", "another-secret-of-enough-length", now=utcnow(),
                         lifetime=timedelta(hours=1))
    unrecorded = issue_token("ann", SECRET, now=utcnow(), lifetime=timedelta(hours=1))
    for token in (expired, forged, unrecorded, "garbage"):
        monkeypatch.setattr(auth, "browser_token", lambda token=token: token)
        assert page_titles(new_app().run()) == ["Sign in"]


def test_a_signed_out_token_no_longer_signs_in(signed_in, monkeypatch):
    at = signed_in("ann")
    token = at.session_state[auth.TOKEN_KEY]
    labelled(at.button, "Sign out").click()
    at.run()
    monkeypatch.setattr(auth, "browser_token", lambda: token)
    assert page_titles(new_app().run()) == ["Sign in"]


def test_a_signed_out_token_stays_refused_after_a_restart(signed_in, monkeypatch):
    at = signed_in("ann")
    token = at.session_state[auth.TOKEN_KEY]
    labelled(at.button, "Sign out").click()
    at.run()
    st.cache_resource.clear()  # what a restart forgets: the process's resources
    st.cache_data.clear()
    monkeypatch.setattr(auth, "browser_token", lambda: token)
    assert page_titles(new_app().run()) == ["Sign in"]


def test_signing_out_ends_the_same_sign_in_in_another_open_tab_at_once(world, monkeypatch):
    token = _token(world)
    monkeypatch.setattr(auth, "browser_token", lambda: token)
    first, second = new_app().run(), new_app().run()
    assert page_titles(first) == page_titles(second) == ["Subscription · Acme Corp"]
    labelled(second.button, "Sign out").click()
    second.run()
    assert page_titles(first.run()) == ["Sign in"]


def test_a_password_reset_ends_the_open_session_at_once(signed_in, world):
    at = signed_in("ann")
    reset_password(world.db, username="ann", password="a brand new secret", actor="test")
    at.run()
    assert page_titles(at) == ["Sign in"]
    scripts = [h.proto.body for h in at.get("html")]
    assert any("licensing_session=" in s and "Max-Age=0" in s for s in scripts)


def test_single_sign_on_maps_the_providers_email_to_an_account(world):
    at = new_app()
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback",
                          "cookie_secret": "x" * 32, "client_id": "id",
                          "client_secret": "secret",
                          "server_metadata_url": "https://id.example/.well-known/openid"}
    at.user = {"is_logged_in": False}
    at.run()
    assert "Sign in with single sign-on" in [b.label for b in at.button]
    at.user = {"is_logged_in": True, "email": "ANN@example.test", "email_verified": True}
    at.run()
    assert page_titles(at) == ["Subscription · Acme Corp"]


def test_single_sign_on_without_a_matching_account_gives_no_access(world):
    at = new_app()
    at.secrets["auth"] = {"client_id": "id", "client_secret": "s", "cookie_secret": "x" * 32,
                          "redirect_uri": "http://localhost:8501/oauth2callback",
                          "server_metadata_url": "https://id.example/.well-known/openid"}
    at.user = {"is_logged_in": True, "email": "stranger@example.test"}
    at.run()
    assert page_titles(at) == ["Sign in"]
    assert "no enabled dashboard account has the email stranger@example.test" in texts(at)


def test_a_disabled_account_loses_its_session(signed_in, world):
    at = signed_in("ann")
    set_disabled(world.db, username="ann", disabled=True, actor="test")
    at.run()  # at once: no cache to wait for
    assert page_titles(at) == ["Sign in"]


def test_a_deep_link_opens_after_the_sign_in_form(world):
    at = new_app().run()
    at.query_params["user_id"] = "u2"
    at.switch_page("pages/conversation_history.py").run()
    assert page_titles(at) == ["Sign in"]  # nothing of the page before signing in
    at = sign_in(at, "ann")
    assert page_titles(at) == ["Conversation History"]
    assert set(at.dataframe[0].value["User ID"]) == {"u2"}


def test_without_a_configured_key_a_secret_file_is_made_next_to_the_database(
        world, monkeypatch):
    monkeypatch.delenv("LICENSING_SECRET_KEY")
    at = sign_in(new_app().run(), "ann")
    assert page_titles(at) == ["Subscription · Acme Corp"]
    secret_file = world.url.removeprefix("sqlite:///") + ".secret"
    with open(secret_file, encoding="utf-8") as handle:
        assert len(handle.read().strip()) >= 40
