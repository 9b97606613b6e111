"""What every command shares: the database, dates, JSON output."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import typer

from licensing_core.auth.permissions import Principal
from licensing_core.db.engine import Database, open_database
from licensing_core.domain.kinds import Role
from licensing_core.errors import Refused

# The actor recorded in the audit log for changes made from the command line.
CLI_ACTOR_PREFIX = "cli"


def database() -> Database:
    """The database of --db / LICENSING_DATABASE_URL, its schema created or upgraded."""
    return open_database(None)


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Refused(f"{option} must be a date as YYYY-MM-DD, not {value!r}") from None


def required_day(value: str, option: str) -> date:
    day = parse_day(value, option)
    assert day is not None
    return day


def print_json(payload: Any) -> None:
    typer.echo(json.dumps(payload, indent=2, ensure_ascii=False, default=str))


def cli_actor(name: str | None = None) -> str:
    """Who the audit log names for a command-line change: --by when given, else 'cli'."""
    return name.strip() if name and name.strip() else CLI_ACTOR_PREFIX


def operator(name: str | None = None) -> Principal:
    """Who a command acts as: the operator, with a super admin's rights (whoever can run
    the command can reach the database), named as the audit log will show it."""
    return Principal(username=cli_actor(name), role=Role.SUPER_ADMIN, tenant_id=None, email="")
