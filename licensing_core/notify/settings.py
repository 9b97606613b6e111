"""SMTP and dashboard-link settings from LICENSING_* variables, checked before any mail."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from enum import StrEnum
from urllib.parse import urlsplit

from licensing_core.domain.emails import email_problem, validated_emails
from licensing_core.domain.limits import plain_whole_number
from licensing_core.errors import Refused

HOST = "LICENSING_SMTP_HOST"
PORT = "LICENSING_SMTP_PORT"
USERNAME = "LICENSING_SMTP_USERNAME"
PASSWORD = "LICENSING_SMTP_PASSWORD"
SECURITY = "LICENSING_SMTP_SECURITY"
SENDER = "LICENSING_SMTP_FROM"
TIMEOUT = "LICENSING_SMTP_TIMEOUT"
DASHBOARD_URL = "LICENSING_DASHBOARD_URL"
OPERATOR_EMAIL = "LICENSING_OPERATOR_EMAIL"

# Where the Streamlit dashboard listens when nobody says otherwise.
DEFAULT_DASHBOARD_URL = "http://localhost:8501"
# Kept below SQLite's 30 s busy timeout: a hung server must not starve other writers.
DEFAULT_TIMEOUT_S = 20.0
MAX_TIMEOUT_S = 600.0  # ten minutes: longer is a hung server, not a slow one
# The sender when LICENSING_SMTP_FROM is unset and the username is not an address.
DEFAULT_SENDER = "licensing@localhost"


class Security(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"
    SSL = "ssl"


# The ports every mail server documents for each kind of connection.
DEFAULT_PORTS = {Security.NONE: 25, Security.STARTTLS: 587, Security.SSL: 465}


class SmtpNotConfigured(Refused):
    """LICENSING_SMTP_HOST is unset: nothing can be delivered, and nothing is touched."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: Security
    sender: str
    dashboard_url: str
    username: str | None = None
    password: str | None = None
    timeout: float = DEFAULT_TIMEOUT_S
    # Where license requests are mailed; empty: to the enabled super admin accounts.
    operator_emails: tuple[str, ...] = ()

    @property
    def dashboard_host(self) -> str:
        """The dashboard's host name: the domain of the Message-IDs of this installation."""
        return urlsplit(self.dashboard_url).hostname or "local"

    def __repr__(self) -> str:  # never print the password in a log or traceback
        return (f"SmtpSettings(host={self.host!r}, port={self.port}, "
                f"security={self.security.value!r}, sender={self.sender!r}, "
                f"username={self.username!r})")


def _value(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name, "").strip()
    return value or None


def _port(text: str | None, security: Security) -> int:
    if text is None:
        return DEFAULT_PORTS[security]
    port = plain_whole_number(text)
    if port is None or not 1 <= port <= 65535:
        raise Refused(f"{PORT} must be a port number from 1 to 65535, not {text!r}")
    return port


def _security(text: str | None) -> Security:
    try:
        return Security((text or Security.NONE.value).lower())
    except ValueError:
        raise Refused(f"{SECURITY} must be none, starttls or ssl, not {text!r}") from None


def seconds_setting(name: str, text: str | None, *, default: float, maximum: float) -> float:
    """A timeout setting: seconds above 0 and at most `maximum`, `default` when not set."""
    if text is None:
        return default
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= maximum:
        raise Refused(f"{name} must be a number of seconds above 0 and at most {maximum:g},"
                      f" not {text!r}")
    return seconds


def _sender(text: str | None, username: str | None) -> str:
    if text is None:
        return username if username and email_problem(username) is None else DEFAULT_SENDER
    _name, address = parseaddr(text)
    local, _at, domain = address.partition("@")
    if not local or not domain or "@" in domain or any(c.isspace() for c in address):
        raise Refused(f"{SENDER} must be an email address such as "
                      f"'Licensing <licensing@example.com>', not {text!r}")
    return text


def _dashboard_url(text: str | None) -> str:
    url = text or DEFAULT_DASHBOARD_URL
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(f"{DASHBOARD_URL} must be an http:// or https:// address, not {url!r}")
    return url


def operator_emails(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The operator's addresses for new license requests: one or more, separated by
    commas or spaces; none set gives () (the super admin accounts' emails are used)."""
    text = _value(os.environ if environ is None else environ, OPERATOR_EMAIL) or ""
    addresses = [a for a in text.replace(",", " ").split() if a]
    return tuple(validated_emails(addresses, OPERATOR_EMAIL))


def dashboard_url(environ: Mapping[str, str] | None = None) -> str:
    """The link put in every mail (also usable without SMTP, e.g. by the dashboard)."""
    return _dashboard_url(_value(os.environ if environ is None else environ, DASHBOARD_URL))


def smtp_settings(environ: Mapping[str, str] | None = None) -> SmtpSettings:
    """The settings of the environment; Refused names the first bad value."""
    env = os.environ if environ is None else environ
    host = _value(env, HOST)
    if host is None:
        raise SmtpNotConfigured(
            f"SMTP is not configured: set {HOST} (and {PORT}, {SECURITY}, {SENDER}, "
            f"{USERNAME}/{PASSWORD} as your mail server needs); queued alerts stay queued")
    if any(c.isspace() for c in host) or "/" in host:
        raise Refused(f"{HOST} must be a host name or address, not {host!r}")
    security = _security(_value(env, SECURITY))
    username = _value(env, USERNAME)
    password = env.get(PASSWORD) or None  # spaces may be part of a password
    if password and not username:
        raise Refused(f"{PASSWORD} is set but {USERNAME} is not; set both to log in")
    if username and not password:
        raise Refused(f"{USERNAME} is set but {PASSWORD} is not; set both to log in")
    return SmtpSettings(
        host=host, port=_port(_value(env, PORT), security), security=security,
        sender=_sender(_value(env, SENDER), username),
        dashboard_url=_dashboard_url(_value(env, DASHBOARD_URL)),
        username=username, password=password,
        timeout=seconds_setting(TIMEOUT, _value(env, TIMEOUT), default=DEFAULT_TIMEOUT_S,
                                maximum=MAX_TIMEOUT_S),
        operator_emails=operator_emails(env),
    )


__all__ = ["DEFAULT_PORTS", "Security", "SmtpNotConfigured", "SmtpSettings", "dashboard_url",
           "operator_emails", "smtp_settings"]
