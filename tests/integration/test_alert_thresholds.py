"""Which threshold alerts are queued and with what subject, on both databases (whom they go
to is decided at delivery: test_alert_recipients)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from licensing_core.db.engine import Database
from licensing_core.db.models import Alert, Tenant, Term
from licensing_core.services.alerting import evaluate_all_tenants, evaluate_tenant
from licensing_core.services.imports import import_conversations
from licensing_core.services.refills import record_refill
from licensing_core.services.tenants import create_tenant

FIRST_CONVERSATION = datetime(2026, 3, 1, 9, 0)


class Usage:
    """Adds sessions to a tenant through the import service: one new user each."""

    def __init__(self, db: Database, tmp_path: Path, now: datetime) -> None:
        self.db, self.tmp_path, self.now = db, tmp_path, now
        self.count: dict[str, int] = {}

    def add_sessions(self, tenant_id: str, sessions: int) -> None:
        start = self.count.get(tenant_id, 0)
        lines = ["conversation_id,user_id,started_at,agent_name,channel"]
        for i in range(start, start + sessions):
            at = FIRST_CONVERSATION + timedelta(hours=6 * i)  # far apart: a session each
            lines.append(f"{tenant_id}-c{i},{tenant_id}-u{i},{at.isoformat()},Luma,web")
        path = self.tmp_path / f"{tenant_id}-{start}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        import_conversations(self.db, tenant_id=tenant_id, path=path, actor="test",
                                     now=self.now)
        self.count[tenant_id] = start + sessions


@pytest.fixture
def usage(db: Database, tmp_path: Path, now: datetime) -> Usage:
    return Usage(db, tmp_path, now)


def add_tenant(db: Database, now: datetime, licenses: int, tenant_id: str = "acme",
               name: str = "Acme Corp", technical: tuple[str, ...] = ("ops@acme.example",),
               billing: tuple[str, ...] = ("billing@acme.example",)) -> None:
    create_tenant(db, tenant_id=tenant_id, name=name, license_type="session",
                  licenses=licenses, start=date(2026, 1, 1), end=date(2026, 12, 31),
                  technical_emails=technical, billing_emails=billing, actor="test", now=now)


def threshold_alerts(db: Database, tenant_id: str = "acme") -> list[Alert]:
    with db.transaction() as session:
        return list(session.scalars(select(Alert).where(
            Alert.tenant_id == tenant_id, Alert.kind == "threshold").order_by(Alert.id)))


def notified(db: Database, tenant_id: str = "acme") -> int | None:
    with db.transaction() as session:
        return session.scalars(select(Term.notified_threshold)
                               .where(Term.tenant_id == tenant_id)).one()


def refill(db: Database, quantity: int, now: datetime) -> list[int]:
    return record_refill(db, tenant_id="acme", quantity=quantity, recorded_by="Sam",
                         now=now).alerts_queued


def test_below_75_percent_nothing_is_queued(db: Database, now: datetime,
                                            usage: Usage) -> None:
    add_tenant(db, now, licenses=4)
    usage.add_sessions("acme", 2)
    assert threshold_alerts(db) == []
    assert notified(db) is None


def test_75_then_100_queues_one_alert_each_and_100_covers_85_and_95(
        db: Database, now: datetime, usage: Usage) -> None:
    add_tenant(db, now, licenses=4)
    usage.add_sessions("acme", 3)
    assert [a.threshold for a in threshold_alerts(db)] == [75]
    assert notified(db) == 75
    usage.add_sessions("acme", 1)
    alerts = threshold_alerts(db)
    assert [a.threshold for a in alerts] == [75, 100]
    assert notified(db) == 100
    assert (alerts[1].consumed, alerts[1].total_purchased, alerts[1].percent_used) == (4, 4, 100)
    assert alerts[1].subject == "Acme Corp has used 100% of its session licenses"
    assert all(a.status == "queued" and a.attempts == 0 for a in alerts)


def test_the_subject_names_the_tenant_and_the_threshold(db: Database, now: datetime,
                                                        usage: Usage) -> None:
    add_tenant(db, now, licenses=20)
    usage.add_sessions("acme", 19)
    (alert,) = threshold_alerts(db)
    assert alert.subject == "Acme Corp has used 95% of its session licenses"


def test_a_refill_rearms_the_thresholds_it_falls_below(db: Database, now: datetime,
                                                       usage: Usage) -> None:
    add_tenant(db, now, licenses=4)
    usage.add_sessions("acme", 4)
    assert refill(db, +4, now) == []  # 4 of 8: 50 %, every threshold re-armed
    assert notified(db) is None
    usage.add_sessions("acme", 2)  # 6 of 8: 75 % again
    assert [a.threshold for a in threshold_alerts(db)] == [100, 75]


def test_a_refill_to_between_thresholds_rearms_only_those_above(db: Database, now: datetime,
                                                                usage: Usage) -> None:
    add_tenant(db, now, licenses=4)
    usage.add_sessions("acme", 4)
    assert refill(db, +1, now) == []  # 4 of 5: 80 %, 75 stays notified
    assert notified(db) == 75
    (queued,) = refill(db, -1, now)  # back to 100 %
    assert [a.threshold for a in threshold_alerts(db)] == [100, 100]
    assert threshold_alerts(db)[-1].id == queued


def test_a_removal_can_cross_a_threshold(db: Database, now: datetime, usage: Usage) -> None:
    add_tenant(db, now, licenses=10)
    usage.add_sessions("acme", 7)
    assert threshold_alerts(db) == []
    (queued,) = refill(db, -2, now)  # 7 of 8: 87.5 %
    (alert,) = threshold_alerts(db)
    assert (alert.id, alert.threshold, alert.percent_used) == (queued, 85, 87.5)


def test_importing_the_same_file_again_queues_nothing_more(db: Database, now: datetime,
                                                           usage: Usage) -> None:
    add_tenant(db, now, licenses=4)
    usage.add_sessions("acme", 3)
    usage.count["acme"] = 0
    usage.add_sessions("acme", 3)
    assert [a.threshold for a in threshold_alerts(db)] == [75]


def test_each_tenant_is_evaluated_on_its_own(db: Database, now: datetime,
                                             usage: Usage) -> None:
    add_tenant(db, now, licenses=4)
    add_tenant(db, now, licenses=100, tenant_id="bolt", name="Bolt")
    usage.add_sessions("acme", 4)
    usage.add_sessions("bolt", 4)
    assert [a.threshold for a in threshold_alerts(db)] == [100]
    assert threshold_alerts(db, "bolt") == []


def test_evaluating_all_tenants_at_once_decides_as_each_tenant_alone(
        db: Database, now: datetime, usage: Usage) -> None:
    """The set-based evaluation (refills summed per term, stored consumption) against
    tenants whose thresholds were never mailed: one alert each for its highest one."""
    for tenant_id, licenses, sessions in [("acme", 4, 4), ("bolt", 20, 17), ("core", 10, 5),
                                          ("dyne", 8, 8)]:
        add_tenant(db, now, licenses=licenses, tenant_id=tenant_id, name=tenant_id.title())
        usage.add_sessions(tenant_id, sessions)
    record_refill(db, tenant_id="dyne", quantity=+2, recorded_by="Sam", now=now)  # 8 of 10
    with db.transaction() as session:
        session.execute(update(Term).values(notified_threshold=None))
        session.execute(delete(Alert))

    def decided(evaluate: Callable[[Session], list[Alert]]) -> list[tuple[str, int, int, int]]:
        with db.sessions() as session, session.begin():
            alerts = evaluate(session)
            decisions = sorted((a.tenant_id, a.threshold or 0, a.consumed, a.total_purchased)
                               for a in alerts)
            session.rollback()
        return decisions

    def one_by_one(session: Session) -> list[Alert]:
        return [alert for tenant in session.scalars(select(Tenant))
                for alert in evaluate_tenant(session, tenant, now)]

    at_once = decided(lambda session: evaluate_all_tenants(session, now))
    assert at_once == [("acme", 100, 4, 4), ("bolt", 85, 17, 20), ("dyne", 75, 8, 10)]
    assert at_once == decided(one_by_one)
