"""Consumption History's text filter: the text, as typed, in the row's user id or in its
user's name or email, ignoring case; `%`, `_` and `\\` are plain characters.

Any text filters as Python's substring rule does, on both databases and both license
types, also for users stored without a name or email (as an import creates the users it
meets first) and for another tenant's users of the same id.
On PostgreSQL the users are found through the trigram index ix_platform_users_search.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, event, insert, text

from licensing_core.db.engine import Database
from licensing_core.db.models import PlatformUser, UsageSession, UserLicense
from licensing_core.queries.history import HistoryFilters, consumption_history
from tests.fixtures_data import make_tenant

STARTED = datetime(2026, 3, 2, 9, 0)
# Letters of both cases, LIKE's own characters and a few that have no case or need UTF-8:
# the characters on which Python's str.lower, SQLite's lower() and PostgreSQL's ILIKE agree.
ALPHABET = string.ascii_letters + string.digits + " %_\\'\".-@" + "é中🙂"
texts = st.text(st.sampled_from(ALPHABET), max_size=8)


def found(needle: str, *fields: str) -> bool:
    """The rule as a person reads it: the text, without its surrounding spaces, is inside
    one of the fields, whatever the case of its letters; an empty text filters nothing."""
    wanted = needle.strip().lower()
    return any(wanted in field.lower() for field in fields)


@dataclass(frozen=True)
class Person:
    user_id: str
    user_name: str
    email: str


@dataclass(frozen=True)
class Terms:
    sessions: int  # acme's session-based term
    licenses: int  # beta's user-based term


@pytest.fixture
def terms(db: Database) -> Terms:
    return Terms(make_tenant(db, tenant_id="acme").term_id,
                 make_tenant(db, tenant_id="beta", license_type="user").term_id)


def _store(db: Database, terms: Terms, acme: Sequence[Person], beta: Sequence[Person],
           ids: Sequence[str]) -> None:
    """Every id has a session in acme and a license in beta; the people of each tenant are
    its users, and an id without one is a user without a name or email (every row's user
    is stored: an import creates the users it meets first)."""
    with db.transaction() as session:
        for model in (UsageSession, UserLicense, PlatformUser):
            session.execute(delete(model))
        users = [{"tenant_id": tenant, "user_id": p.user_id, "user_name": p.user_name,
                  "email": p.email}
                 for tenant, people in (("acme", acme), ("beta", beta))
                 for p in [*people, *(Person(i, "", "") for i in ids
                                      if i not in {p.user_id for p in people})]]
        if users:
            session.execute(insert(PlatformUser), users)
        session.execute(insert(UsageSession), [
            {"tenant_id": "acme", "session_id": f"S{i}", "user_id": user_id,
             "agent_name": "Bot", "channel": "web", "started_at": STARTED + timedelta(hours=i),
             "window_end": STARTED + timedelta(hours=i, minutes=30), "initiated_by": "User",
             "conversation_count": 1, "term_id": terms.sessions}
            for i, user_id in enumerate(ids)])
        session.execute(insert(UserLicense), [
            {"term_id": terms.licenses, "user_id": user_id, "tenant_id": "beta",
             "held_since": STARTED, "conversation_count": 1} for user_id in ids])


def _matching(db: Database, tenant_id: str, term_id: int, key: str, needle: str) -> list[str]:
    page = consumption_history(db, tenant_id, term_id, filters=HistoryFilters(text=needle),
                               limit=10_000)
    assert page.total_rows == len(page.rows)
    return sorted(page.rows[key])


def _expected(people: Sequence[Person], ids: Sequence[str], needle: str,
              key: dict[str, str]) -> list[str]:
    by_id = {p.user_id: p for p in people}
    return sorted(key[i] for i in ids if found(needle, i, *(
        (by_id[i].user_name, by_id[i].email) if i in by_id else ())))


people = st.lists(st.tuples(texts, texts), max_size=6)


def _ascii_swapcase(value: str) -> str:
    """The value with its ASCII letters' case swapped: 'é'.swapcase() is 'É', which
    SQLite's lower() leaves as it is (it ignores the case of ASCII letters only, as the
    README says), so it would leave the alphabet on which both databases agree."""
    return "".join(c.swapcase() if c.isascii() else c for c in value)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ids=st.lists(texts.filter(bool), min_size=1, max_size=8, unique=True),
       acme_fields=people, beta_fields=people, data=st.data())
def test_any_text_filters_the_history_as_the_substring_rule_does(
        db: Database, terms: Terms, ids: list[str], acme_fields: list[tuple[str, str]],
        beta_fields: list[tuple[str, str]], data: st.DataObject):
    # The tenants share user ids, not names; ids past a tenant's people have no user.
    acme = [Person(i, *f) for i, f in zip(ids, acme_fields, strict=False)]
    beta = [Person(i, *f) for i, f in zip(ids, beta_fields, strict=False)]
    _store(db, terms, acme, beta, ids)
    stored = [*ids, *(v for p in acme + beta for v in (p.user_name, p.email))]
    value = data.draw(st.sampled_from(stored), label="stored value")
    start = data.draw(st.integers(0, len(value)), label="start")
    end = data.draw(st.integers(start, len(value)), label="end")
    needle = data.draw(st.one_of(
        st.just(value[start:end]), st.just(_ascii_swapcase(value[start:end])), texts,
        st.just(f" {value[start:end]} ")), label="needle")
    sessions = {i: f"S{n}" for n, i in enumerate(ids)}
    assert _matching(db, "acme", terms.sessions, "Session ID", needle) == \
        _expected(acme, ids, needle, sessions)
    assert _matching(db, "beta", terms.licenses, "User ID", needle) == \
        _expected(beta, ids, needle, {i: i for i in ids})


FIRST_NAMES = ("Eve", "Bob", "Carol", "Dan", "Ivy", "Hank", "Gina", "Omar")
LAST_NAMES = ("Adams", "Brown", "Clark", "Diaz", "Ito", "Hill", "Green", "Smith")
CROWD = 12_000  # users per tenant: enough that reading them all costs more than the index
SOMEONE = "IVY.SMITH.1"  # typed to find someone: 96 of the 24,000 users hold it


def _crowd(tenant_id: str) -> list[Person]:
    names = [(f, la) for f in FIRST_NAMES for la in LAST_NAMES]
    return [Person(f"{tenant_id}-u{i:05d}", f"{names[i % 64][0]} {names[i % 64][1]}",
                   f"{names[i % 64][0]}.{names[i % 64][1]}.{i}@{tenant_id}.example".lower())
            for i in range(CROWD)]


@pytest.fixture
def recorded(db: Database) -> Iterator[list[tuple[str, Any]]]:
    """The statements the test runs, with their parameters, as the server receives them."""
    statements: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
               executemany: bool) -> None:
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    yield statements
    event.remove(db.engine, "before_cursor_execute", record)


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_on_postgresql_the_history_finds_its_users_through_the_trigram_index(
        db: Database, terms: Terms, recorded: list[tuple[str, Any]]):
    acme, beta = _crowd("acme"), _crowd("beta")
    ids = [p.user_id for p in acme[::4]]  # a session for every fourth user
    _store(db, terms, acme, beta, ids)
    # What autovacuum does soon after an import: statistics, and the users moved from the
    # trigram index's pending list into the index proper.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE platform_users, sessions"))
    sessions = {i: f"S{n}" for n, i in enumerate(ids)}
    for needle in ("smith", "SMITH.1", "mith", "sm", "h", "50%", ".i", "U0100", SOMEONE):
        assert _matching(db, "acme", terms.sessions, "Session ID", needle) == \
            _expected(acme, ids, needle, sessions), needle
    recorded.clear()
    consumption_history(db, "acme", terms.sessions, filters=HistoryFilters(text=SOMEONE))
    consumption_history(db, "acme", terms.sessions, filters=HistoryFilters(text="u0100"))
    searches = [(s, p) for s, p in recorded if "ILIKE" in s]
    assert len(searches) == 2  # the users, found once for each page and its count
    with db.engine.connect() as connection:
        for statement, parameters in searches:
            plan = "\n".join(connection.exec_driver_sql(f"EXPLAIN {statement}",
                                                        parameters).scalars())
            assert "ix_platform_users_search" in plan, plan
