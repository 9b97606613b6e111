"""Signed, expiring session tokens: what lets a page reload keep a person signed in.

A token names an account and carries its own expiry; an HMAC-SHA256 over its content
with a server-side secret makes it unforgeable. It says nothing the server trusts
beyond "this username signed in until then": its id names a row of sign_ins
(auth/sign_ins.py) that must still hold, so sign-out and password resets take effect
in every process, and the role and tenant are read again from the account with it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

VERSION = "v1"
# Binds a MAC to this use, so a secret shared with another purpose cannot mint tokens.
PURPOSE = b"licensing-dashboard-session"
# A clock a little ahead on another server must not reject a fresh token.
CLOCK_SKEW = timedelta(seconds=60)
# Tokens longer than this are refused unread: nothing we issue comes close.
MAX_TOKEN_LENGTH = 1_000
SECRET_BYTES = 32  # 256 bits, the size of the HMAC-SHA256 output


class InvalidToken(ValueError):
    """The token is malformed, forged, expired or not yet valid; the reason says which."""


@dataclass(frozen=True)
class SessionClaims:
    username: str
    issued_at: datetime  # aware UTC
    expires_at: datetime  # aware UTC
    token_id: str  # the id of its sign-in row, which sign-out ends


def new_secret() -> str:
    """A fresh random secret, URL-safe text fit for an environment variable or a file."""
    return secrets.token_urlsafe(SECRET_BYTES)


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key(secret: str | bytes) -> bytes:
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    if len(key) < 16:
        raise ValueError("a token secret needs at least 16 bytes")
    return key


def _mac(secret: str | bytes, signed_part: str) -> str:
    message = PURPOSE + b"\x00" + signed_part.encode("ascii")
    return _b64encode(hmac.new(_key(secret), message, hashlib.sha256).digest())


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def issue_token(username: str, secret: str | bytes, *, now: datetime, lifetime: timedelta,
                token_id: str | None = None) -> str:
    """A token for `username` valid from `now` (naive means UTC) for `lifetime`."""
    if lifetime <= timedelta(0):
        raise ValueError("a token needs a positive lifetime")
    issued = _aware(now)
    payload = {"sub": username, "iat": int(issued.timestamp()),
               "exp": int((issued + lifetime).timestamp()),
               "jti": token_id or secrets.token_urlsafe(12)}
    body = _b64encode(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    signed_part = f"{VERSION}.{body}"
    return f"{signed_part}.{_mac(secret, signed_part)}"


def _payload(token: str, secret: str | bytes) -> dict[str, object]:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken("malformed token")
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != VERSION:
        raise InvalidToken("malformed token")
    signed_part = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(_mac(secret, signed_part), parts[2]):
        raise InvalidToken("bad signature")
    try:
        payload = json.loads(_b64decode(parts[1]))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidToken("malformed token") from None
    if not isinstance(payload, dict):
        raise InvalidToken("malformed token")
    return payload


def read_token(token: str, secret: str | bytes, *, now: datetime) -> SessionClaims:
    """The claims of a genuine token still valid at `now`; InvalidToken otherwise."""
    payload = _payload(token, secret)
    username, issued, expires, token_id = (payload.get(k) for k in ("sub", "iat", "exp", "jti"))
    if not (isinstance(username, str) and username and isinstance(token_id, str)
            and isinstance(issued, int) and isinstance(expires, int)):
        raise InvalidToken("malformed token")
    moment = _aware(now)
    issued_at = datetime.fromtimestamp(issued, UTC)
    expires_at = datetime.fromtimestamp(expires, UTC)
    if issued_at - CLOCK_SKEW > moment:
        raise InvalidToken("token issued in the future")
    if moment >= expires_at:
        raise InvalidToken("token expired")
    return SessionClaims(username, issued_at, expires_at, token_id)


__all__ = ["InvalidToken", "SessionClaims", "issue_token", "new_secret", "read_token"]
