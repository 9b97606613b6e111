"""Local accounts with argon2 password hashes, and sign-in that slows repeated failures."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from licensing_core.auth.permissions import Principal, Role, parse_role
from licensing_core.clock import utcnow
from licensing_core.db.engine import Database
from licensing_core.db.models import Account, Tenant
from licensing_core.domain.emails import validated_emails
from licensing_core.errors import NotFound, Refused
from licensing_core.services import audit

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
MIN_PASSWORD_LENGTH = 8  # short enough to type, long enough to resist guessing online
FREE_FAILURES = 3  # failures before sign-in slows down (typos happen)
MAX_LOCK = timedelta(minutes=15)  # the longest wait after many failures

_hasher = PasswordHasher()


class SignInFailed(Refused):
    """Wrong username or password, or the account is locked for a while; says which."""


@dataclass(frozen=True)
class AccountView:
    username: str
    role: str
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
        raise Refused("a super admin belongs to no tenant; leave out --tenant")
    if parsed != Role.SUPER_ADMIN and not tenant_id:
        raise Refused(f"a {parsed.value} needs --tenant")
    address = validated_emails([email], "email")
    if not address:
        raise Refused("an account needs an email address")
    _check_password(password)
    with db.transaction() as session:
        if tenant_id and session.get(Tenant, tenant_id) is None:
            raise NotFound(f"no tenant {tenant_id!r}")
        if session.scalars(select(Account).where(Account.username == username)).first():
            raise Refused(f"account {username!r} already exists")
        account = Account(username=username, role=parsed.value, tenant_id=tenant_id,
                          email=address[0], password_hash=_hasher.hash(password),
                          disabled=False, failed_logins=0, created_at=now)
        session.add(account)
        audit.record(session, actor=actor, action="account.create", tenant_id=tenant_id,
                     now=now, after={"username": username, "role": parsed.value,
                                     "email": address[0]})
        return _view(account)


def _view(account: Account) -> AccountView:
    return AccountView(account.username, account.role, account.tenant_id, account.email,
                       account.disabled)


def authenticate(db: Database, username: str, password: str,
                 now: datetime | None = None) -> Principal:
    """The principal for a correct password; failures count and lock for a growing time."""
    now = now or utcnow()
    with db.transaction() as session:
        account = session.scalars(
            select(Account).where(Account.username == username).with_for_update()).first()
        problem = _sign_in_problem(account, password, now)
        if problem is None and account is not None:
            account.failed_logins = 0
            account.locked_until = None
            return Principal(account.username, Role(account.role), account.tenant_id,
                             account.email)
    raise SignInFailed(problem or "wrong username or password")  # after the failure is saved


def _sign_in_problem(account: Account | None, password: str, now: datetime) -> str | None:
    if account is None:
        _hasher.hash(password)  # the same work as a real check: no hint that it is unknown
        return "wrong username or password"
    if account.locked_until and account.locked_until > now:
        wait = int((account.locked_until - now).total_seconds()) + 1
        return f"too many failed attempts; try again in {wait} seconds"
    try:
        _hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        account.failed_logins += 1
        wait_for = lock_after(account.failed_logins)
        account.locked_until = now + wait_for if wait_for else None
        return "wrong username or password"
    if account.disabled:
        return "this account is disabled"
    return None


def list_accounts(db: Database, tenant_id: str | None = None) -> list[AccountView]:
    """Every account, or those of one tenant, by username."""
    with db.transaction() as session:
        statement = select(Account).order_by(Account.username)
        if tenant_id is not None:
            statement = statement.where(Account.tenant_id == tenant_id)
        return [_view(a) for a in session.scalars(statement)]


def _get_account(session: Session, username: str) -> Account:
    account = session.scalars(select(Account).where(Account.username == username)).first()
    if account is None:
        raise NotFound(f"no account {username!r}")
    return account


def set_disabled(db: Database, *, username: str, disabled: bool, actor: str,
                 now: datetime | None = None) -> AccountView:
    """Disable or re-enable an account; a disabled account cannot sign in."""
    now = now or utcnow()
    with db.transaction() as session:
        account = _get_account(session, username)
        if account.disabled != disabled:
            audit.record(session, actor=actor, action="account.disable" if disabled
                         else "account.enable", tenant_id=account.tenant_id, now=now,
                         before={"disabled": account.disabled}, after={"disabled": disabled})
            account.disabled = disabled
        return _view(account)


def reset_password(db: Database, *, username: str, password: str, actor: str,
                   now: datetime | None = None) -> AccountView:
    """Set a new password and lift any sign-in lock."""
    now = now or utcnow()
    _check_password(password)
    with db.transaction() as session:
        account = _get_account(session, username)
        account.password_hash = _hasher.hash(password)
        account.failed_logins = 0
        account.locked_until = None
        audit.record(session, actor=actor, action="account.password_reset",
                     tenant_id=account.tenant_id, now=now, after={"username": username})
        return _view(account)
