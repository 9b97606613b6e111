"""Local accounts with argon2 password hashes, and sign-in that slows repeated failures.

Failures are counted by one UPDATE each, so that parallel attempts all count on SQLite
(which ignores FOR UPDATE) as on PostgreSQL. A failure against an unknown username has
no row to be counted in and is counted nowhere; it costs the same hash as any other.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, case, func, null, or_, select, update
from sqlalchemy.orm import Session

from licensing_core.auth import sign_ins
from licensing_core.auth.permissions import Principal, parse_role
from licensing_core.auth.tokens import issue_token
from licensing_core.clock import utcnow
from licensing_core.db.engine import Database
from licensing_core.db.models import Account, Tenant
from licensing_core.domain.emails import validated_emails
from licensing_core.domain.kinds import AuditAction, Role
from licensing_core.errors import NotFound, Refused
from licensing_core.services import audit

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
MIN_PASSWORD_LENGTH = 8  # short enough to type, long enough to resist guessing online
FREE_FAILURES = 3  # failures before sign-in slows down (typos happen)
MAX_LOCK = timedelta(minutes=15)  # the longest wait after many failures

_hasher = PasswordHasher()


# The one answer to every failed sign-in: it must not tell whether the username exists, or
# the account is locked or disabled.
SIGN_IN_FAILED = ("Sign-in failed. After several failures, wait a few minutes before "
                  "trying again.")


class SignInFailed(Refused):
    """A sign-in was refused; the message never says why (see SIGN_IN_FAILED)."""


@dataclass(frozen=True)
class AccountView:
    username: str
    role: Role
    tenant_id: str | None
    email: str
    disabled: bool


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Refused(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def lock_after(failures: int) -> timedelta:
    """Wait imposed after `failures` consecutive failures: doubling, capped."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(MAX_LOCK, timedelta(seconds=2 ** (failures - FREE_FAILURES + 1)))


def create_account(db: Database, *, username: str, role: str, tenant_id: str | None,
                   email: str, password: str, actor: str,
                   now: datetime | None = None) -> AccountView:
    now = now or utcnow()
    if not USERNAME.match(username):
        raise Refused(f"username {username!r} must be 1-100 letters, digits, . _ @ or -")
    parsed = parse_role(role)
    if parsed == Role.SUPER_ADMIN and tenant_id:
        raise Refused("a super admin belongs to no tenant; give none")
    if parsed != Role.SUPER_ADMIN and not tenant_id:
        raise Refused(f"a {parsed} needs a tenant")
    address = validated_emails([email], "email")
    if not address:
        raise Refused("an account needs an email address")
    _check_password(password)
    with db.transaction() as session:
        if tenant_id and session.get(Tenant, tenant_id) is None:
            raise NotFound(f"no tenant {tenant_id!r}")
        if session.scalars(select(Account).where(Account.username == username)).first():
            raise Refused(f"account {username!r} already exists")
        account = Account(username=username, role=parsed, tenant_id=tenant_id,
                          email=address[0], password_hash=_hasher.hash(password),
                          disabled=False, failed_logins=0, created_at=now)
        session.add(account)
        audit.record(session, actor=actor, action=AuditAction.ACCOUNT_CREATE, tenant_id=tenant_id,
                     now=now, after={"username": username, "role": parsed,
                                     "email": address[0]})
        return _view(account)


def _view(account: Account) -> AccountView:
    return AccountView(account.username, account.role, account.tenant_id, account.email,
                       account.disabled)


@dataclass(frozen=True)
class SignedIn:
    principal: Principal
    token: str  # for the browser: names the sign-in row that sign-out will end


def authenticate(db: Database, username: str, password: str,
                 now: datetime | None = None) -> Principal:
    """The principal for a correct password of an enabled, unlocked account.

    Every refusal of an existing account counts one failure, whatever its cause, and
    raises SignInFailed(SIGN_IN_FAILED) after the same work: one argon2 verification.
    """
    return _authenticate(db, username, password, now or utcnow(), None)[0]


def sign_in(db: Database, username: str, password: str, *, secret: str | bytes,
            lifetime: timedelta, now: datetime | None = None) -> SignedIn:
    """`authenticate`, then a token for a sign-in recorded with the success (in its
    transaction, so a password reset or a disable just then cannot miss it)."""
    now = now or utcnow()
    if lifetime <= timedelta(0):
        raise ValueError("a sign-in needs a positive lifetime")
    principal, sign_in_id = _authenticate(db, username, password, now, lifetime)
    assert sign_in_id is not None
    return SignedIn(principal, issue_token(principal.username, secret, now=now,
                                           lifetime=lifetime, token_id=sign_in_id))


def _authenticate(db: Database, username: str, password: str, now: datetime,
                  lifetime: timedelta | None) -> tuple[Principal, str | None]:
    if not USERNAME.fullmatch(username):  # no account can have it (NUL, surrogates...):
        account = None                     # unknown, without asking the database
    else:
        with db.transaction() as session:  # a read only: nothing is held during the hash
            account = session.execute(
                select(Account.id, Account.password_hash, Account.disabled,
                       Account.locked_until).where(Account.username == username)).first()
    if account is None:
        _verify(_dummy_hash(), password)  # unknown: no row to count the failure in
        raise SignInFailed(SIGN_IN_FAILED)
    usable = not account.disabled and not _locked(account.locked_until, now)
    if _verify(account.password_hash if usable else _dummy_hash(), password) and usable:
        succeeded = _succeed(db, account.id, account.password_hash, now, lifetime)
        if succeeded is not None:
            return succeeded
    _count_failure(db, account.id, now)
    raise SignInFailed(SIGN_IN_FAILED)


def _locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and locked_until > now


def _verify(password_hash: str, password: str) -> bool:
    try:
        try:
            return _hasher.verify(password_hash, password)
        except UnicodeEncodeError:  # a lone surrogate typed into the form: a wrong password
            return _hasher.verify(password_hash, password.encode("utf-8", "surrogatepass"))
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    """A hash no password matches, made with the same parameters as the real ones."""
    return _hasher.hash(secrets.token_urlsafe(32))


def _succeed(db: Database, account_id: int, verified_hash: str, now: datetime,
             lifetime: timedelta | None) -> tuple[Principal, str | None] | None:
    """Clear the failures (and record a sign-in of `lifetime`), if the account is still
    as it was read: not locked or disabled by an attempt or a change made meanwhile, and
    the password the one just verified."""
    with db.transaction() as session:
        row = session.execute(
            update(Account)
            .where(Account.id == account_id, Account.password_hash == verified_hash,
                   Account.disabled.is_(False),
                   or_(Account.locked_until.is_(None), Account.locked_until <= now))
            .values(failed_logins=0, locked_until=None)
            .returning(Account.username, Account.role, Account.tenant_id, Account.email),
            execution_options={"synchronize_session": False}).first()
        if row is None:
            return None
        sign_in_id = None if lifetime is None else sign_ins.record(
            session, account_id, now=now, lifetime=lifetime)
    return Principal(row.username, Role(row.role), row.tenant_id, row.email), sign_in_id


def _count_failure(db: Database, account_id: int, now: datetime) -> None:
    """One more failure and the lock it brings, in one statement: two attempts at once
    both count, whichever database and however they interleave."""
    failures = Account.failed_logins + 1
    with db.transaction() as session:
        session.execute(
            update(Account).where(Account.id == account_id)
            .values(failed_logins=failures, locked_until=_lock_end(failures, now)),
            execution_options={"synchronize_session": False})


def _lock_end(failures: ColumnElement[int], now: datetime) -> ColumnElement[datetime | None]:
    """`now + lock_after(failures)` in SQL, without date arithmetic (which the two
    databases spell differently): one WHEN per doubling below the cap."""
    whens = []
    count = FREE_FAILURES
    while lock_after(count) < MAX_LOCK:
        whens.append((failures == count, now + lock_after(count)))
        count += 1
    return case((failures < FREE_FAILURES, null()), *whens, else_=now + MAX_LOCK)


def list_accounts(db: Database, tenant_id: str | None = None) -> list[AccountView]:
    """Every account, or those of one tenant, by username."""
    with db.transaction() as session:
        statement = select(Account).order_by(Account.username)
        if tenant_id is not None:
            statement = statement.where(Account.tenant_id == tenant_id)
        return [_view(a) for a in session.scalars(statement)]


def enabled_principal(db: Database, username: str) -> Principal | None:
    """The principal of an enabled account, read now (a single sign-on session's check)."""
    with db.transaction() as session:
        account = session.scalars(select(Account).where(
            Account.username == username, Account.disabled.is_(False))).first()
        return None if account is None else _principal(account)


def enabled_principals_with_email(db: Database, email: str) -> list[Principal]:
    """The enabled accounts of an email (any case): whom a single sign-on email names."""
    with db.transaction() as session:
        return [_principal(a) for a in session.scalars(
            select(Account).where(func.lower(Account.email) == email.strip().lower(),
                                  Account.disabled.is_(False)).order_by(Account.username))]


def _principal(account: Account) -> Principal:
    return Principal(account.username, Role(account.role), account.tenant_id, account.email)


def _get_account(session: Session, username: str) -> Account:
    account = session.scalars(select(Account).where(Account.username == username)).first()
    if account is None:
        raise NotFound(f"no account {username!r}")
    return account


def set_disabled(db: Database, *, username: str, disabled: bool, actor: str,
                 now: datetime | None = None) -> AccountView:
    """Disable or re-enable an account; disabling ends its sign-ins, and re-enabling
    does not bring them back."""
    now = now or utcnow()
    with db.transaction() as session:
        account = _get_account(session, username)
        if disabled:
            sign_ins.end_all(session, account.id, now=now)
        if account.disabled != disabled:
            action = AuditAction.ACCOUNT_DISABLE if disabled else AuditAction.ACCOUNT_ENABLE
            audit.record(session, actor=actor, action=action, tenant_id=account.tenant_id, now=now,
                         before={"disabled": account.disabled}, after={"disabled": disabled})
            account.disabled = disabled
        return _view(account)


def reset_password(db: Database, *, username: str, password: str, actor: str,
                   now: datetime | None = None) -> AccountView:
    """Set a new password, lift any sign-in lock and end every sign-in of the account
    (whoever knew the old password is signed out too)."""
    now = now or utcnow()
    _check_password(password)
    with db.transaction() as session:
        account = _get_account(session, username)
        sign_ins.end_all(session, account.id, now=now)
        account.password_hash = _hasher.hash(password)
        account.failed_logins = 0
        account.locked_until = None
        audit.record(session, actor=actor, action=AuditAction.ACCOUNT_PASSWORD_RESET,
                     tenant_id=account.tenant_id, now=now, after={"username": username})
        return _view(account)
