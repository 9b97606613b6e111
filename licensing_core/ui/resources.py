"""Process-wide resources: the database (one engine per process) and the settings."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st
from sqlalchemy.engine import make_url

from licensing_core.auth.permissions import Principal
from licensing_core.auth.tokens import new_secret
from licensing_core.db.engine import Database, database_url, open_database
from licensing_core.errors import Refused

SUPPORT_VARIABLE = "LICENSING_SUPPORT_CONTACT"
# The seed page's wording, used until the operator configures a real address.
DEFAULT_SUPPORT = "your Super Admin or the Serviceaide support team"
SECRET_VARIABLE = "LICENSING_SECRET_KEY"
SESSION_HOURS_VARIABLE = "LICENSING_SESSION_HOURS"
DEFAULT_SESSION_HOURS = 8.0  # a working day; after that a reload asks for the password again
# Where the token secret is kept when neither the environment nor secrets.toml gives one
# and the database is not a SQLite file (a file next to it is preferred).
FALLBACK_SECRET_FILE = Path(".streamlit") / "licensing_secret"
MIN_SECRET_BYTES = 16  # what the HMAC key of a session token needs at the least


def _secrets_value(name: str) -> str | None:
    """A top-level value of .streamlit/secrets.toml, or None (also without a secrets file)."""
    try:
        value = st.secrets.get(name)
    except Exception:  # no secrets file, or one that does not parse
        return None
    return str(value) if value not in (None, "") else None


def setting(name: str, default: str | None = None) -> str | None:
    """An environment variable, else the same key in secrets.toml, else `default`."""
    value = os.environ.get(name)
    if value:
        return value
    found = _secrets_value(name)
    return found if found is not None else default


@st.cache_resource(show_spinner=False)
def _open(url: str) -> Database:
    """One Database (engine and pool) per URL per process; a failure is not cached."""
    return open_database(url)


def get_database() -> Database:
    """The database of LICENSING_DATABASE_URL, its schema up to date."""
    return _open(database_url(None))


def database_for(url: str) -> Database:
    """The cached Database of `url`: what cached loaders use, as they are keyed by URL."""
    return _open(url)


def support_contact() -> str:
    """The operator's own words (configuration, not input): Markdown, so a link may be set."""
    return setting(SUPPORT_VARIABLE, DEFAULT_SUPPORT) or DEFAULT_SUPPORT


def support_note(principal: Principal, text: str) -> None:
    """The "contact your Super Admin" note, for a tenant's people only: a super admin is
    the one it sends them to. `text` is the page's own words (it may quote support_contact)."""
    if not principal.is_super_admin:
        st.info(text, icon=":material/info:")


def session_hours() -> float:
    raw = setting(SESSION_HOURS_VARIABLE)
    try:
        hours = float(raw) if raw else DEFAULT_SESSION_HOURS
    except ValueError:
        return DEFAULT_SESSION_HOURS
    return hours if hours > 0 else DEFAULT_SESSION_HOURS


def _secret_file(db: Database) -> Path:
    url = make_url(db.url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database)
        return path.with_name(path.name + ".secret")
    return FALLBACK_SECRET_FILE


def _read_or_create(path: Path) -> str:
    """The secret in `path`, created (readable by its owner only) if it does not exist."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        secret = new_secret()
        handle.write(secret + "\n")
    return secret


@st.cache_resource(show_spinner=False)
def _file_secret(path: str) -> str:
    return _read_or_create(Path(path))


def token_secret(db: Database) -> str:
    """The key that signs session tokens: configured, else generated next to the database."""
    configured = setting(SECRET_VARIABLE)
    if configured:
        if len(configured.encode("utf-8")) < MIN_SECRET_BYTES:
            raise Refused(f"{SECRET_VARIABLE} must be at least {MIN_SECRET_BYTES} characters")
        return configured
    path = _secret_file(db).resolve()
    secret = _file_secret(str(path))
    if len(secret.encode("utf-8")) < MIN_SECRET_BYTES:
        raise Refused(f"the session secret in {path} is too short: delete the file, and a "
                      "new one is made")
    return secret
