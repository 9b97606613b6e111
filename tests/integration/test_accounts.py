"""Dashboard accounts: creation, sign-in, slowed failures, disabling, password reset."""

import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from licensing_core.auth import accounts
from licensing_core.auth.accounts import (
    SIGN_IN_FAILED,
    SignInFailed,
    authenticate,
    create_account,
    list_accounts,
    lock_after,
    reset_password,
    set_disabled,
)
from licensing_core.db.engine import Database
from licensing_core.db.models import Account
from licensing_core.domain.kinds import Role
from licensing_core.errors import NotFound, Refused
from licensing_core.services.tenants import create_tenant

PASSWORD = "correct horse"
PARALLEL = 8  # more attempts than the three free failures, fewer than the pool holds
JOIN_TIMEOUT_S = 60


@pytest.fixture
def acme(db, now):
    create_tenant(db, tenant_id="acme", name="Acme Corp", license_type="user", licenses=10,
                  start=date(2026, 1, 1), end=date(2026, 12, 31), actor="root", now=now)
    create_account(db, username="ann", role="tenant_admin", tenant_id="acme",
                   email="Ann@Acme.com", password=PASSWORD, actor="root", now=now)
    return db


def test_a_correct_password_signs_in_as_the_tenant_admin(acme, now):
    principal = authenticate(acme, "ann", PASSWORD, now=now)
    assert (principal.role, principal.tenant_id, principal.email) == (
        Role.TENANT_ADMIN, "acme", "ann@acme.com")


def _account(db: Database, username: str = "ann") -> Account:
    with db.transaction() as session:
        return session.scalars(select(Account).where(Account.username == username)).one()


def _refused(db: Database, username: str, password: str, now: datetime) -> str:
    with pytest.raises(SignInFailed) as refused:
        authenticate(db, username, password, now=now)
    return str(refused.value)


def test_a_wrong_password_or_unknown_user_gives_the_same_answer(acme, now):
    for username, password in (("ann", "wrong password"), ("nobody", PASSWORD)):
        assert _refused(acme, username, password, now) == SIGN_IN_FAILED


def test_repeated_failures_lock_the_account_for_a_while(acme, now):
    for _ in range(3):
        _refused(acme, "ann", "wrong password", now)
    assert _refused(acme, "ann", PASSWORD, now) == SIGN_IN_FAILED  # right, but too soon
    assert authenticate(acme, "ann", PASSWORD, now=now + timedelta(minutes=1)).username == "ann"


def test_a_success_starts_the_count_of_failures_again(acme, now):
    for _ in range(2):
        _refused(acme, "ann", "wrong password", now)
    authenticate(acme, "ann", PASSWORD, now=now)
    for _ in range(2):
        _refused(acme, "ann", "wrong password", now)
    assert authenticate(acme, "ann", PASSWORD, now=now).username == "ann"
    assert _account(acme).failed_logins == 0


def test_failures_for_an_unknown_username_are_counted_nowhere(acme, now):
    for _ in range(5):
        _refused(acme, "nobody", PASSWORD, now)
    assert (_account(acme).failed_logins, _account(acme).locked_until) == (0, None)


def test_a_disabled_account_cannot_sign_in_until_enabled(acme, now):
    set_disabled(acme, username="ann", disabled=True, actor="root", now=now)
    assert _refused(acme, "ann", PASSWORD, now) == SIGN_IN_FAILED
    set_disabled(acme, username="ann", disabled=False, actor="root", now=now)
    assert authenticate(acme, "ann", PASSWORD, now=now).username == "ann"


def test_a_password_reset_replaces_the_old_password(acme, now):
    reset_password(acme, username="ann", password="a new secret", actor="root", now=now)
    with pytest.raises(SignInFailed):
        authenticate(acme, "ann", PASSWORD, now=now)
    assert authenticate(acme, "ann", "a new secret", now=now).username == "ann"


@pytest.mark.parametrize(("options", "message"), [
    ({"role": "tenant_admin", "tenant_id": None}, "needs a tenant"),
    ({"role": "super_admin", "tenant_id": "acme"}, "belongs to no tenant"),
    ({"role": "owner"}, "role must be"),
    ({"email": "not-an-email"}, "not a valid email"),
    ({"password": "short"}, "at least 8"),
    ({"username": "ann"}, "already exists"),
    ({"username": "has space"}, "must be"),
])
def test_bad_accounts_are_refused(acme, now, options, message):
    values = dict(username="bob", role="tenant_admin", tenant_id="acme", email="bob@acme.com",
                  password=PASSWORD, actor="root", now=now)
    values.update(options)
    with pytest.raises(Refused, match=message):
        create_account(acme, **values)
    assert [a.username for a in list_accounts(acme)] == ["ann"]


def test_an_account_for_an_unknown_tenant_is_refused(acme, now):
    with pytest.raises(NotFound):
        create_account(acme, username="bob", role="tenant_admin", tenant_id="zeta",
                       email="bob@zeta.com", password=PASSWORD, actor="root", now=now)


class CountingHasher(PasswordHasher):
    """The real argon2 hasher, counting the password checks it does."""

    def __init__(self) -> None:
        super().__init__()
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verified += 1
        return super().verify(hash, password)


@pytest.mark.parametrize(("case", "password"), [
    ("unknown", PASSWORD), ("wrong password", "wrong password"), ("locked", PASSWORD),
    ("disabled", PASSWORD), ("disabled", "wrong password"),
])
def test_every_refusal_says_the_same_after_checking_one_password(
        acme, now, monkeypatch, case, password):
    username = "nobody" if case == "unknown" else "ann"
    if case == "locked":
        for _ in range(3):
            _refused(acme, "ann", "wrong password", now)
    if case == "disabled":
        set_disabled(acme, username="ann", disabled=True, actor="root", now=now)
    hasher = CountingHasher()
    monkeypatch.setattr(accounts, "_hasher", hasher)
    assert _refused(acme, username, password, now) == SIGN_IN_FAILED
    assert hasher.verified == 1


def _at_once(url: str, count: int, attempt: Callable[[Database], object]) -> list[object]:
    """Run `attempt` in `count` threads released together, each with its own Database
    (its own connections, as separate processes would have); returns what each raised."""
    barrier = threading.Barrier(count)
    outcomes: list[object] = []

    def run() -> None:
        database = Database(url)
        try:
            barrier.wait(timeout=JOIN_TIMEOUT_S)
            attempt(database)
            outcomes.append(None)
        except Exception as exc:  # kept for the test to look at
            outcomes.append(exc)
        finally:
            database.dispose()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT_S)
    assert not any(thread.is_alive() for thread in threads), "an attempt never finished"
    return outcomes


def test_parallel_wrong_passwords_are_each_counted_and_lock_the_account(acme, db_url, now):
    outcomes = _at_once(db_url, PARALLEL,
                        lambda database: authenticate(database, "ann", "wrong", now=now))
    assert [type(o) for o in outcomes] == [SignInFailed] * PARALLEL, outcomes
    account = _account(acme)
    assert account.failed_logins == PARALLEL
    assert account.locked_until == now + lock_after(PARALLEL)
    assert _refused(acme, "ann", PASSWORD, now) == SIGN_IN_FAILED


def test_a_right_password_is_refused_when_failures_lock_the_account_during_its_check(
        acme, db_url, now, monkeypatch):
    """The lock is checked again when the success is written, not only when it is read."""
    others: list[threading.Thread] = []

    def three_failures() -> None:
        database = Database(db_url)
        try:
            for _ in range(3):
                _refused(database, "ann", "wrong password", now)
        finally:
            database.dispose()

    class FailuresDuringTheCheck(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:
            if password == PASSWORD and not others:
                others.append(threading.Thread(target=three_failures))
                others[0].start()
                others[0].join(timeout=20)
            return super().verify(hash, password)

    monkeypatch.setattr(accounts, "_hasher", FailuresDuringTheCheck())
    try:
        with pytest.raises(SignInFailed):
            authenticate(acme, "ann", PASSWORD, now=now)
    finally:
        others[0].join(timeout=JOIN_TIMEOUT_S)
    assert _account(acme).failed_logins == 4  # the three, and the refused right password
    assert authenticate(acme, "ann", PASSWORD, now=now + timedelta(minutes=1)).username == "ann"


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(username=st.text(max_size=120), password=st.text(max_size=60))
def test_any_typed_username_and_password_is_a_plain_refusal_that_changes_nothing(
        db, username, password):
    """NUL bytes, lone surrogates, huge or empty texts: the same refusal, never an error."""
    if not list_accounts(db):
        create_account(db, username="known", role="super_admin", tenant_id=None,
                       email="known@example.test", password="right-password", actor="t")
    assume(username != "known")
    with pytest.raises(SignInFailed):
        authenticate(db, username, password)
    assert [a.username for a in list_accounts(db)] == ["known"]
    with db.transaction() as session:
        assert session.scalar(select(Account.failed_logins)) == 0  # no one's failure counted
