"""Sign-ins kept in the database: a token works while its row says so, in every process.

A token (auth/tokens.py) proves who signed in and until when; the row of its id in
`sign_ins` says whether that sign-in still holds. Sign-out ends the row; a password reset
or disabling the account ends every row of the account. Reading a token is one query by
primary key joined to its account, cheap enough for every run of a page, so nothing is
cached: an ended sign-in stops working at once in every dashboard process, also after a
restart, and the role, tenant and email come fresh with it.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from licensing_core.auth.permissions import Principal
from licensing_core.auth.tokens import InvalidToken, read_token
from licensing_core.db.engine import Database
from licensing_core.db.models import Account, SignIn
from licensing_core.domain.kinds import Role

log = logging.getLogger("licensing.auth")

ID_BYTES = 18  # 144 random bits: not guessable, and short in the cookie


def record(session: Session, account_id: int, *, now: datetime, lifetime: timedelta) -> str:
    """A new sign-in of the account from `now` for `lifetime`; returns its id (the token's).

    The account's ended and expired sign-ins are dropped on the way, so the table holds
    about the sign-ins still alive.
    """
    session.execute(delete(SignIn).where(
        SignIn.account_id == account_id,
        or_(SignIn.ended_at.is_not(None), SignIn.expires_at <= now)))
    sign_in_id = secrets.token_urlsafe(ID_BYTES)
    session.add(SignIn(id=sign_in_id, account_id=account_id, created_at=now,
                       expires_at=now + lifetime))
    return sign_in_id


def end_all(session: Session, account_id: int, *, now: datetime) -> None:
    """End every sign-in of the account (password reset, account disabled)."""
    session.execute(update(SignIn)
                    .where(SignIn.account_id == account_id, SignIn.ended_at.is_(None))
                    .values(ended_at=now))


def principal_of(db: Database, token: str, secret: str | bytes, *,
                 now: datetime) -> Principal | None:
    """Who a token signs in, if it is genuine and its sign-in still holds; else None."""
    try:
        claims = read_token(token, secret, now=now)
    except InvalidToken as exc:
        log.info("session token refused: %s", exc)
        return None
    with db.transaction() as session:
        row = session.execute(
            select(Account.username, Account.role, Account.tenant_id, Account.email)
            .join(SignIn, SignIn.account_id == Account.id)
            .where(SignIn.id == claims.token_id, SignIn.ended_at.is_(None),
                   SignIn.expires_at > now, Account.username == claims.username,
                   Account.disabled.is_(False))).first()
    if row is None:
        log.info("session token refused: its sign-in ended or never was")
        return None
    return Principal(row.username, Role(row.role), row.tenant_id, row.email)


def end(db: Database, token: str, secret: str | bytes, *, now: datetime) -> None:
    """Sign-out: end the sign-in of this token (an invalid one has none to end)."""
    try:
        claims = read_token(token, secret, now=now)
    except InvalidToken:
        return
    with db.transaction() as session:
        session.execute(update(SignIn)
                        .where(SignIn.id == claims.token_id, SignIn.ended_at.is_(None))
                        .values(ended_at=now))
