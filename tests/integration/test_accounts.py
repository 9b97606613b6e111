"""Dashboard accounts: creation, sign-in, slowed failures, disabling, password reset."""

from datetime import date, timedelta

import pytest

from licensing_core.auth.accounts import (
    SignInFailed,
    authenticate,
    create_account,
    list_accounts,
    reset_password,
    set_disabled,
)
from licensing_core.auth.permissions import Role
from licensing_core.errors import NotFound, Refused
from licensing_core.services.tenants import create_tenant

PASSWORD = "correct horse"


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


def test_a_wrong_password_or_unknown_user_gives_the_same_answer(acme, now):
    for username, password in (("ann", "wrong password"), ("nobody", PASSWORD)):
        with pytest.raises(SignInFailed, match="wrong username or password"):
            authenticate(acme, username, password, now=now)


def test_repeated_failures_lock_the_account_for_a_while(acme, now):
    for _ in range(3):
        with pytest.raises(SignInFailed):
            authenticate(acme, "ann", "wrong password", now=now)
    with pytest.raises(SignInFailed, match="try again in"):
        authenticate(acme, "ann", PASSWORD, now=now)
    assert authenticate(acme, "ann", PASSWORD, now=now + timedelta(minutes=1)).username == "ann"


def test_a_disabled_account_cannot_sign_in_until_enabled(acme, now):
    set_disabled(acme, username="ann", disabled=True, actor="root", now=now)
    with pytest.raises(SignInFailed, match="disabled"):
        authenticate(acme, "ann", PASSWORD, now=now)
    set_disabled(acme, username="ann", disabled=False, actor="root", now=now)
    assert authenticate(acme, "ann", PASSWORD, now=now).username == "ann"


def test_a_password_reset_replaces_the_old_password(acme, now):
    reset_password(acme, username="ann", password="a new secret", actor="root", now=now)
    with pytest.raises(SignInFailed):
        authenticate(acme, "ann", PASSWORD, now=now)
    assert authenticate(acme, "ann", "a new secret", now=now).username == "ann"


@pytest.mark.parametrize(("options", "message"), [
    ({"role": "tenant_admin", "tenant_id": None}, "needs --tenant"),
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
