"""A tenant's own alert thresholds, by command and by service, on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from licensing_core.auth.permissions import Principal
from licensing_core.db.engine import Database
from licensing_core.db.models import Alert, AuditEntry, Term
from licensing_core.domain.kinds import Role
from licensing_core.errors import Forbidden
from licensing_core.services.imports import import_conversations
from licensing_core.services.thresholds import (
    preview_threshold_change,
    reset_thresholds,
    set_thresholds,
)
from tests.command_line import Cli, cli_json
from tests.fixtures_data import make_tenant

FIRST = datetime(2026, 3, 1, 9, 0)


def add_sessions(db: Database, tmp_path: Path, now: datetime, first: int, count: int,
                 tenant_id: str = "acme") -> None:
    """`count` more sessions (a new user each, far apart), through the import."""
    lines = ["conversation_id,user_id,started_at,agent_name,channel"]
    for i in range(first, first + count):
        lines.append(f"c{i},u{i},{(FIRST + timedelta(hours=6 * i)).isoformat()},Luma,web")
    path = tmp_path / f"{tenant_id}-{first}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_conversations(db, tenant_id=tenant_id, path=path, actor="test", now=now)


def thresholds_alerted(db: Database) -> list[int | None]:
    with db.transaction() as session:
        return list(session.scalars(select(Alert.threshold).where(Alert.kind == "threshold")
                                    .order_by(Alert.id)))


def thresholds_shown(cli: Cli) -> list[int]:
    return cli_json(cli, "tenant", "show", "acme", "--json")["thresholds"]


def admin(tenant_id: str = "acme", role: Role = Role.TENANT_ADMIN) -> Principal:
    return Principal("ann", role, tenant_id, "ann@acme.example")


# -- the commands -----------------------------------------------------------------------

def test_set_then_reset_shows_in_tenant_show_json(cli: Cli, db: Database) -> None:
    make_tenant(db)
    assert thresholds_shown(cli) == [75, 85, 95, 100]
    status, out, _ = cli("thresholds", "set", "acme", "50", "75", "90", "100", "120")
    assert status == 0
    assert "acme: alert thresholds 50%, 75%, 90%, 100%, 120% (its own)" in out
    assert thresholds_shown(cli) == [50, 75, 90, 100, 120]
    status, out, _ = cli("thresholds", "reset", "acme")
    assert status == 0 and "(the defaults)" in out
    assert thresholds_shown(cli) == [75, 85, 95, 100]
    listed = cli_json(cli, "tenant", "list", "--json")
    assert listed[0]["thresholds"] == [75, 85, 95, 100]


@pytest.mark.parametrize(("percents", "reason"), [
    (["0", "50"], "between 1 and 1000"),
    (["50", "1001"], "between 1 and 1000"),
    (["90", "50"], "strictly increasing"),
    (["50", "50"], "strictly increasing"),
    (["-5"], "not a whole percent"),
    (["7.5"], "not a whole percent"),
    ([str(p) for p in range(1, 12)], "at most 10"),
])
def test_thresholds_out_of_range_or_not_increasing_exit_2_and_change_nothing(
        cli: Cli, db: Database, percents: list[str], reason: str) -> None:
    make_tenant(db)
    cli("thresholds", "set", "acme", "60", "80")
    status, _, err = cli("thresholds", "set", "acme", *percents)
    assert status == 2 and reason in err and "Traceback" not in err
    assert thresholds_shown(cli) == [60, 80]


def test_thresholds_of_an_unknown_tenant_are_refused(cli: Cli) -> None:
    status, _, err = cli("thresholds", "set", "zeta", "50")
    assert status == 2 and "no tenant 'zeta'" in err
    assert cli("thresholds", "reset", "zeta")[0] == 2
    assert cli("thresholds", "set", "zeta")[0] == 2  # no percent at all: a usage error


def test_the_change_is_audited_with_the_thresholds_before_and_after(
        cli: Cli, db: Database) -> None:
    make_tenant(db)
    cli("thresholds", "set", "acme", "50", "90")
    cli("thresholds", "set", "acme", "50", "90")  # the same again: no change, no entry
    with db.transaction() as session:
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "thresholds.update")).all()
        assert [(e.actor, e.before, e.after) for e in entries] == [
            ("cli", {"thresholds": [75, 85, 95, 100]}, {"thresholds": [50, 90]})]


# -- what a change does to the alerts ---------------------------------------------------

def test_a_change_queues_nothing_and_later_crossings_alert_at_the_new_thresholds(
        cli: Cli, db: Database, tmp_path: Path, now: datetime) -> None:
    make_tenant(db, licenses=10, now=now)
    add_sessions(db, tmp_path, now, 0, 8)  # 80 %: the default 75 % alert
    assert thresholds_alerted(db) == [75]
    status, out, _ = cli("thresholds", "set", "acme", "50", "60", "70", "90", "100")
    assert status == 0
    assert "already passed 50%, 60%, 70% (counted as notified, nothing queued)" in out
    assert thresholds_alerted(db) == [75]
    add_sessions(db, tmp_path, now, 8, 1)  # 90 %: the new 90 %, not the old 85 %
    assert thresholds_alerted(db) == [75, 90]
    add_sessions(db, tmp_path, now, 9, 1)  # 100 %
    assert thresholds_alerted(db) == [75, 90, 100]


def test_lower_thresholds_under_the_current_percent_count_as_notified(
        db: Database, tmp_path: Path, now: datetime) -> None:
    make_tenant(db, licenses=10, now=now)
    add_sessions(db, tmp_path, now, 0, 4)  # 40 %: nothing under the defaults
    change = set_thresholds(db, principal=admin(), tenant_id="acme",
                            thresholds=[10, 20, 30, 50], now=now)
    assert (change.preview.passed, change.preview.ahead) == ((10, 20, 30), (50,))
    assert thresholds_alerted(db) == []
    with db.transaction() as session:
        assert session.scalars(select(Term.notified_threshold)).one() == 30
    add_sessions(db, tmp_path, now, 4, 1)  # 50 %
    assert thresholds_alerted(db) == [50]


def test_a_reset_under_a_passed_default_queues_nothing(db: Database, tmp_path: Path,
                                                      now: datetime) -> None:
    make_tenant(db, licenses=10, now=now)
    set_thresholds(db, principal=admin(), tenant_id="acme", thresholds=[95], now=now)
    add_sessions(db, tmp_path, now, 0, 8)  # 80 %: under 95, no alert
    reset_thresholds(db, principal=admin(), tenant_id="acme", now=now)  # 75 now passed
    assert thresholds_alerted(db) == []
    add_sessions(db, tmp_path, now, 8, 1)  # 90 %: 85
    assert thresholds_alerted(db) == [85]


# -- who may change them ----------------------------------------------------------------

def test_a_tenant_admin_may_change_its_own_tenant_only(db: Database, now: datetime) -> None:
    make_tenant(db, now=now)
    make_tenant(db, tenant_id="globex", name="Globex", now=now)
    assert set_thresholds(db, principal=admin(), tenant_id="acme", thresholds=[50],
                          now=now).after == (50,)
    with pytest.raises(Forbidden):
        set_thresholds(db, principal=admin(), tenant_id="globex", thresholds=[50], now=now)
    with pytest.raises(Forbidden):
        reset_thresholds(db, principal=admin(role=Role.TENANT_VIEWER), tenant_id="acme",
                         now=now)
    with pytest.raises(Forbidden):
        preview_threshold_change(db, principal=admin(), tenant_id="globex", thresholds=[50])
    operator = Principal("root", Role.SUPER_ADMIN, None, "root@example.com")
    assert set_thresholds(db, principal=operator, tenant_id="globex", thresholds=[60],
                          now=now).after == (60,)


def test_the_preview_validates_and_changes_nothing(db: Database, tmp_path: Path,
                                                   now: datetime) -> None:
    make_tenant(db, licenses=10, now=now)
    add_sessions(db, tmp_path, now, 0, 6)
    preview = preview_threshold_change(db, principal=admin(), tenant_id="acme",
                                       thresholds=["50", "60", "90"], now=now)
    assert (preview.passed, preview.ahead, preview.percent_used) == ((50, 60), (90,), 60.0)
    with db.transaction() as session:
        assert session.scalars(select(Term.notified_threshold)).one() is None
