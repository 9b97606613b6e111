"""What a term consumes after imports, on SQLite and PostgreSQL: the spec's counting rules."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from licensing_core.queries.summary import subscription_summary
from licensing_core.services.imports import import_conversations, import_users
from licensing_core.services.tenants import renew
from tests.fixtures_data import consumption_drift, conversation, make_tenant, user, write_csv

NOW = datetime(2026, 6, 15, 12, 0)
H1 = (date(2026, 1, 1), date(2026, 6, 30))
H2 = (date(2026, 7, 1), date(2026, 12, 31))


class Tenant:
    """One tenant fed with files, as an operator would, and its consumed numbers."""

    def __init__(self, db, folder: Path, *, license_type: str = "user", term=H1,
                 session_minutes: int | None = 30) -> None:
        self.db, self.folder, self.files = db, folder, 0
        make_tenant(db, license_type=license_type, start=term[0], end=term[1],
                    session_minutes=session_minutes, now=NOW)

    def _file(self, rows: list[dict]) -> Path:
        self.files += 1
        return write_csv(self.folder / f"file{self.files}.csv", rows)

    def users(self, *rows: dict, at: datetime = NOW) -> None:
        import_users(self.db, tenant_id="acme", path=self._file(list(rows)), actor="test",
                     now=at)

    def conversations(self, *rows: dict) -> None:
        import_conversations(self.db, tenant_id="acme", path=self._file(list(rows)),
                             actor="test", now=NOW)

    def renew(self, term=H2, license_type: str | None = None,
              session_minutes: int | None = None) -> None:
        renew(self.db, tenant_id="acme", start=term[0], end=term[1], licenses=100,
              license_type=license_type, session_minutes=session_minutes, actor="test",
              now=NOW)

    def consumed(self, term=H1) -> int:
        """What the Subscription page shows, after checking that every term's stored
        consumption is still the count of its rows."""
        assert consumption_drift(self.db) == []
        return subscription_summary(self.db, "acme", term_date=term[0], now=NOW).consumed


# ---- user-based terms --------------------------------------------------------------------

def test_users_active_when_the_term_starts_each_hold_a_license(db, tmp_path):
    tenant = Tenant(db, tmp_path, term=H2)  # starts after the import
    tenant.users(user("u1"), user("u2"), user("u3", status="Inactive"))
    assert tenant.consumed(H2) == 2


def test_a_user_activated_during_the_term_holds_a_license_and_keeps_it_when_deactivated(
        db, tmp_path):
    tenant = Tenant(db, tmp_path)
    tenant.users(user("u1", status="Inactive"), at=datetime(2026, 2, 1))
    assert tenant.consumed() == 0
    tenant.users(user("u1"), at=datetime(2026, 3, 1))
    tenant.users(user("u1", status="Inactive"), at=datetime(2026, 4, 1))
    assert tenant.consumed() == 1


def test_an_inactive_user_holds_a_license_only_with_a_conversation_in_the_term(db, tmp_path):
    tenant = Tenant(db, tmp_path)
    tenant.users(user("u1", status="Inactive"), user("u2", status="Inactive"),
                 at=datetime(2025, 12, 1))
    tenant.conversations(conversation("c1", "u1", "2026-03-01T10:00:00Z"),
                         conversation("c2", "u2", "2025-12-20T10:00:00Z"))
    assert tenant.consumed() == 1


def test_a_user_met_first_in_a_conversation_holds_a_license(db, tmp_path):
    tenant = Tenant(db, tmp_path)
    tenant.conversations(conversation("c1", "new", "2026-03-01T10:00:00Z"),
                         conversation("c2", "new", "2026-03-02T10:00:00Z"))
    assert tenant.consumed() == 1


def test_a_user_never_counts_twice_in_a_term(db, tmp_path):
    tenant = Tenant(db, tmp_path)
    tenant.users(user("u1"), at=datetime(2025, 12, 1))
    tenant.conversations(*(conversation(f"c{i}", "u1", f"2026-0{i}-01T10:00:00Z")
                           for i in range(1, 6)))
    tenant.users(user("u1", status="Inactive"), at=datetime(2026, 2, 1))
    tenant.users(user("u1"), at=datetime(2026, 3, 1))
    assert tenant.consumed() == 1


def test_users_still_active_when_a_new_term_starts_hold_a_license_in_it(db, tmp_path):
    tenant = Tenant(db, tmp_path)
    tenant.users(user("stays"), user("leaves"), at=datetime(2026, 2, 1))
    tenant.conversations(conversation("c1", "talker", "2026-03-01T10:00:00Z"))
    tenant.users(user("leaves", status="Inactive"), at=datetime(2026, 5, 1))
    tenant.renew()
    assert (tenant.consumed(H1), tenant.consumed(H2)) == (3, 2)  # stays and talker


# ---- session-based terms -----------------------------------------------------------------

def test_sessions_are_counted_per_user_agent_and_channel_within_the_window(db, tmp_path):
    tenant = Tenant(db, tmp_path, license_type="session")
    tenant.conversations(
        conversation("a", "u1", "2026-03-01T10:00:00Z"),
        conversation("b", "u1", "2026-03-01T10:29:59Z"),
        conversation("c", "u1", "2026-03-01T10:30:00Z"),
        conversation("d", "u1", "2026-03-01T10:05:00Z", channel="voice"),
        conversation("e", "u1", "2026-03-01T10:05:00Z", agent_name="Nova"),
        conversation("f", "u2", "2026-03-01T10:05:00Z"),
    )
    assert tenant.consumed() == 5


def test_a_session_counts_only_in_the_term_it_starts_in(db, tmp_path):
    tenant = Tenant(db, tmp_path, license_type="session")
    tenant.renew()
    tenant.conversations(conversation("a", "u1", "2026-06-30T23:50:00Z"),
                         conversation("b", "u1", "2026-07-01T00:10:00Z"))
    assert (tenant.consumed(H1), tenant.consumed(H2)) == (1, 0)


def test_each_term_counts_sessions_with_its_own_duration(db, tmp_path):
    tenant = Tenant(db, tmp_path, license_type="session", session_minutes=30)
    tenant.renew(session_minutes=60)
    tenant.conversations(conversation("a", "u1", "2026-03-01T10:00:00Z"),
                         conversation("b", "u1", "2026-03-01T10:45:00Z"),
                         conversation("c", "u1", "2026-09-01T10:00:00Z"),
                         conversation("d", "u1", "2026-09-01T10:45:00Z"))
    assert (tenant.consumed(H1), tenant.consumed(H2)) == (2, 1)


def test_a_new_term_of_another_license_type_recounts_the_stored_usage(db, tmp_path):
    tenant = Tenant(db, tmp_path, license_type="session")
    tenant.conversations(conversation("a", "u1", "2026-08-01T10:00:00Z"),
                         conversation("b", "u1", "2026-08-01T10:05:00Z"),
                         conversation("c", "u2", "2026-08-02T10:00:00Z"))
    tenant.renew(license_type="user")
    assert tenant.consumed(H2) == 2
