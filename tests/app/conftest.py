"""AppTest fixtures: a small SQLite database built through the services, and signed-in apps.

The dashboard reads the real clock, so the data is placed around today: a session-based
tenant (acme, Europe/Paris) and a user-based one (globex, UTC), with accounts of every role.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from licensing_core.auth.accounts import create_account
from licensing_core.db.engine import Database, open_database
from licensing_core.services.imports import import_conversations, import_users
from licensing_core.services.refills import record_refill
from licensing_core.services.tenants import create_tenant
from tests.markdown_view import visible

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard.py"
PASSWORD = "correct horse battery"
TIMEOUT_S = 30  # AppTest's default of 3 s is too short for a first run with imports

USERS_CSV = """user_id,user_name,email,first_name,last_name,role,status
u1,Eve Adams,eve@acme.test,Eve,Adams,Employee,Active
u2,Bob Brown,bob@acme.test,Bob,Brown,Manager,Active
u3,Carol Clark,carol@acme.test,Carol,Clark,Employee,Inactive
"""
GLOBEX_USERS_CSV = """user_id,user_name,email,first_name,last_name,role,status
g1,Gina Green,gina@globex.test,Gina,Green,Employee,Active
g2,Hank Hill,hank@globex.test,Hank,Hill,Contractor,Active
g3,Ivy Ito,ivy@globex.test,Ivy,Ito,Employee,Active
"""


def _conversations(prefix: str, users: list[str], today: date) -> str:
    """Two sessions per user on two days (one with two conversations), on two channels."""
    lines = ["conversation_id,user_id,started_at,ended_at,agent_name,channel,initiated_by,"
             "messages"]
    for n, user in enumerate(users):
        day = today - timedelta(days=10 + n)
        channel, agent = ("Web", "IT Helpdesk") if n % 2 == 0 else ("Teams", "HR Assistant")
        lines += [
            f"{prefix}{n}a,{user},{day}T09:00:00+00:00,{day}T09:05:00+00:00,{agent},{channel},"
            "User,4",
            f"{prefix}{n}b,{user},{day}T09:10:00+00:00,,{agent},{channel},User,2",
            f"{prefix}{n}c,{user},{day + timedelta(days=3)}T14:00:00+00:00,,{agent},{channel},"
            "Agent,1",
        ]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class World:
    url: str
    db: Database
    today: date
    term_start: date
    term_end: date


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    url = f"sqlite:///{tmp_path / 'dashboard.db'}"
    db = open_database(url)
    today = datetime.now(UTC).date()
    start, end = today - timedelta(days=60), today + timedelta(days=300)
    create_tenant(db, tenant_id="acme", name="Acme Corp", license_type="session", licenses=8,
                  start=start, end=end, session_minutes=30, timezone="Europe/Paris",
                  technical_emails=["tech@acme.test"], billing_emails=["billing@acme.test"],
                  actor="setup")
    create_tenant(db, tenant_id="globex", name="Globex", license_type="user", licenses=10,
                  start=start, end=end, timezone="UTC", technical_emails=["it@globex.test"],
                  actor="setup")
    for username, role, tenant in (("root", "super_admin", None), ("ann", "tenant_admin", "acme"),
                                   ("vic", "tenant_viewer", "acme"),
                                   ("gus", "tenant_admin", "globex")):
        create_account(db, username=username, role=role, tenant_id=tenant,
                       email=f"{username}@example.test", password=PASSWORD, actor="setup")
    files = {"acme_users.csv": USERS_CSV, "globex_users.csv": GLOBEX_USERS_CSV,
             "acme_conv.csv": _conversations("a", ["u1", "u2", "u3"], today),
             "globex_conv.csv": _conversations("g", ["g1", "g2", "g3"], today)}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    for tenant in ("acme", "globex"):
        import_users(db, tenant_id=tenant, path=tmp_path / f"{tenant}_users.csv", actor="setup")
        import_conversations(db, tenant_id=tenant, path=tmp_path / f"{tenant}_conv.csv",
                             actor="setup")
    record_refill(db, tenant_id="acme", quantity=2, recorded_by="setup", note="first refill")
    monkeypatch.setenv("LICENSING_DATABASE_URL", url)
    monkeypatch.setenv("LICENSING_SECRET_KEY", "app-test-secret-of-enough-length")
    monkeypatch.setenv("LICENSING_SUPPORT_CONTACT", "support@operator.test")
    yield World(url, db, today, start, end)
    db.dispose()


def new_app() -> AppTest:
    return AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT_S)


def labelled(widgets, label: str):  # type: ignore[no-untyped-def]
    """The one widget of a list with this label."""
    found = [w for w in widgets if w.label == label]
    assert len(found) == 1, f"{len(found)} widgets labelled {label!r}"
    return found[0]


def sign_in(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    labelled(at.text_input, "Username").input(username)
    labelled(at.text_input, "Password").input(password)
    labelled(at.button, "Sign in").click()
    return at.run()


@pytest.fixture
def signed_in(world: World) -> Callable[[str], AppTest]:
    """An app after `username` signed in through the form (on the default page)."""

    def open_as(username: str) -> AppTest:
        at = new_app().run()
        assert not at.exception, at.exception
        return sign_in(at, username)

    return open_as


def texts(at: AppTest) -> str:
    """Everything a person reads on the page, as one text (for `in` checks): each Markdown
    element both as written (`**2 rows**`) and as read (escaped input shown as typed)."""
    written = [m.value for m in at.markdown] + [m.value for m in at.caption]
    written += [e.value for e in at.error] + [e.value for e in at.info]
    written += [e.value for e in at.success] + [e.value for e in at.warning]
    written += [t.value for t in at.title]
    parts = written + [visible(str(w)) for w in written] + [m.label for m in at.metric]
    parts += [str(m.value) for m in at.metric]
    return "\n".join(str(p) for p in parts)


def error_texts(at: AppTest) -> str:
    """What the page's error boxes say, as a person reads them."""
    return " ".join(visible(e.value) for e in at.error)


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> list[Callable[[], object]]:
    """The generators behind the download buttons drawn (OK of the dialog), in order."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    captured: list[Callable[[], object]] = []
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, *args, **kwargs):  # type: ignore[no-untyped-def]
        captured.append(data_callable)
        return original(self, data_callable, *args, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return captured


def csv_lines(generate: Callable[[], object]) -> list[str]:
    """The lines of a generated CSV download (RFC 4180: CRLF line ends)."""
    content = generate()
    text = content.decode("utf-8") if isinstance(content, bytes) else str(content)
    assert text.endswith("\r\n")
    return text.split("\r\n")[:-1]
