"""Sign-ins live in the database: sign-out, a password reset and disabling an account end
them at once for every process, and a token without its sign-in row is worth nothing.

"Another process" is a second Database on the same URL: its own engine and connections,
nothing shared in memory with the one that signed in.
"""

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from licensing_core.auth import sign_ins
from licensing_core.auth.accounts import (
    SignInFailed,
    create_account,
    reset_password,
    set_disabled,
    sign_in,
)
from licensing_core.auth.tokens import issue_token, read_token
from licensing_core.db.engine import Database
from licensing_core.db.models import SignIn
from licensing_core.services.tenants import create_tenant

PASSWORD = "correct horse"
SECRET = "a-test-secret-of-enough-length"
HOURS_8 = timedelta(hours=8)


@pytest.fixture
def acme(db, now):
    create_tenant(db, tenant_id="acme", name="Acme Corp", license_type="user", licenses=10,
                  start=date(2026, 1, 1), end=date(2026, 12, 31), actor="root", now=now)
    for username in ("ann", "bob"):
        create_account(db, username=username, role="tenant_admin", tenant_id="acme",
                       email=f"{username}@acme.com", password=PASSWORD, actor="root", now=now)
    return db


@pytest.fixture
def other_process(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


def _token(db: Database, username: str, now: datetime) -> str:
    return sign_in(db, username, PASSWORD, secret=SECRET, lifetime=HOURS_8, now=now).token


def _who(db: Database, token: str, now: datetime) -> str | None:
    principal = sign_ins.principal_of(db, token, SECRET, now=now)
    return None if principal is None else principal.username


def test_a_sign_in_is_honoured_by_another_process_until_sign_out(acme, other_process, now):
    token = _token(acme, "ann", now)
    principal = sign_ins.principal_of(other_process, token, SECRET, now=now)
    assert principal is not None
    assert (principal.username, principal.tenant_id) == ("ann", "acme")
    sign_ins.end(acme, token, SECRET, now=now)
    assert _who(other_process, token, now) is None
    assert _who(acme, token, now) is None


def test_a_password_reset_ends_every_sign_in_of_the_account_only(acme, other_process, now):
    tokens = [_token(acme, "ann", now) for _ in range(2)]
    bobs = _token(acme, "bob", now)
    reset_password(acme, username="ann", password="a new secret", actor="root", now=now)
    assert [_who(other_process, t, now) for t in tokens] == [None, None]
    assert _who(other_process, bobs, now) == "bob"
    later = now + timedelta(minutes=1)
    fresh = sign_in(acme, "ann", "a new secret", secret=SECRET, lifetime=HOURS_8, now=later)
    assert _who(other_process, fresh.token, later) == "ann"


def test_disabling_ends_the_sign_ins_and_enabling_does_not_bring_them_back(
        acme, other_process, now):
    token = _token(acme, "ann", now)
    set_disabled(acme, username="ann", disabled=True, actor="root", now=now)
    assert _who(other_process, token, now) is None
    set_disabled(acme, username="ann", disabled=False, actor="root", now=now)
    assert _who(other_process, token, now) is None
    assert _who(other_process, _token(acme, "ann", now), now) == "ann"


def test_a_genuine_token_without_its_sign_in_is_refused(acme, now):
    never_recorded = issue_token("ann", SECRET, now=now, lifetime=HOURS_8)
    assert _who(acme, never_recorded, now) is None


def test_a_sign_in_cannot_be_borrowed_by_a_token_naming_another_account(acme, now):
    token_id = read_token(_token(acme, "ann", now), SECRET, now=now).token_id
    as_bob = issue_token("bob", SECRET, now=now, lifetime=HOURS_8, token_id=token_id)
    assert _who(acme, as_bob, now) is None


def test_a_sign_in_ends_when_its_lifetime_does(acme, now):
    token = _token(acme, "ann", now)
    assert _who(acme, token, now + HOURS_8 - timedelta(seconds=1)) == "ann"
    assert _who(acme, token, now + HOURS_8) is None


def test_a_refused_sign_in_records_nothing(acme, now):
    with pytest.raises(SignInFailed):
        sign_in(acme, "ann", "wrong password", secret=SECRET, lifetime=HOURS_8, now=now)
    assert _sign_in_rows(acme) == 0


def test_a_new_sign_in_drops_the_accounts_ended_and_expired_ones(acme, now):
    sign_ins.end(acme, _token(acme, "ann", now), SECRET, now=now)
    _token(acme, "ann", now - HOURS_8)  # expired by now
    _token(acme, "bob", now - HOURS_8)  # another account's: left for its next sign-in
    alive = _token(acme, "ann", now)
    assert _sign_in_rows(acme) == 2
    assert _who(acme, alive, now) == "ann"


def _sign_in_rows(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(SignIn)) or 0
