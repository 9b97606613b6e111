"""Run-out warnings queued by the alerts run, on both databases: due within 30 days before
the end, once per term, re-armed by a refill, mailed with the forecast's numbers."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from licensing_core.clock import utcnow
from licensing_core.db.engine import Database
from licensing_core.db.models import Alert, Term
from licensing_core.queries.alerts import alerts_list
from licensing_core.queries.forecasts import term_forecast
from licensing_core.services.imports import import_conversations
from licensing_core.services.outbox import deliver_due
from licensing_core.services.refills import record_refill
from licensing_core.services.run_out import queue_run_out_warnings
from licensing_core.services.tenants import create_tenant
from tests.command_line import Cli
from tests.smtp_server import SmtpTestServer, smtp_server

__all__ = ["smtp_server"]  # the fixture


def busy_tenant(db: Database, tmp_path: Path, now: datetime, *, tenant_id: str = "acme",
                licenses: int = 100, sessions: int = 80, end: date | None = None) -> None:
    """A session-based tenant that used `sessions` in the 30 days before `now`'s day."""
    today = now.date()
    create_tenant(db, tenant_id=tenant_id, name=f"{tenant_id.title()} Corp",
                  license_type="session", licenses=licenses,
                  start=today - timedelta(days=90), end=end or today + timedelta(days=180),
                  technical_emails=[f"ops@{tenant_id}.example"], actor="test", now=now)
    lines = ["conversation_id,user_id,started_at,agent_name,channel"]
    first = datetime.combine(today - timedelta(days=30), datetime.min.time())
    for i in range(sessions):
        at = first + timedelta(minutes=(30 * 24 * 60 - 60) * i // sessions)
        lines.append(f"c{i},u{i},{at.isoformat()},Luma,web")
    path = tmp_path / f"{tenant_id}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_conversations(db, tenant_id=tenant_id, path=path, actor="test", now=now)


def run_out_alerts(db: Database) -> list[Alert]:
    with db.transaction() as session:
        return list(session.scalars(select(Alert).where(Alert.kind == "run_out")
                                    .order_by(Alert.id)))


def warned_at(db: Database, tenant_id: str = "acme") -> datetime | None:
    with db.transaction() as session:
        return session.scalars(select(Term.run_out_warned_at)
                               .where(Term.tenant_id == tenant_id)).one()


def test_a_term_running_out_within_30_days_is_warned_once_with_its_forecast(
        db: Database, tmp_path: Path, now: datetime) -> None:
    busy_tenant(db, tmp_path, now)  # 80 of 100 in 30 days: 20 left at ~2.7 a day
    busy_tenant(db, tmp_path, now, tenant_id="calm", licenses=10_000)
    forecast = term_forecast(db, "acme", now=now).forecast
    (queued,) = queue_run_out_warnings(db, now=now)
    (alert,) = run_out_alerts(db)
    assert (alert.id, alert.tenant_id, alert.dedupe_key) == (
        queued, "acme", f"run_out:{alert.term_id}:1")
    assert (alert.run_out_date, alert.run_out_low, alert.run_out_high, alert.licenses_needed) == (
        forecast.run_out_date, forecast.run_out_low, forecast.run_out_high,
        forecast.needed_to_last_term)
    assert forecast.run_out_date is not None
    assert alert.subject == (f"Acme Corp will run out of session licenses around "
                             f"{forecast.run_out_date.isoformat()}")
    assert (alert.consumed, alert.total_purchased) == (80, 100)
    assert warned_at(db) == now
    assert queue_run_out_warnings(db, now=now + timedelta(days=1)) == []  # once per term


def test_a_refill_that_moves_the_run_out_away_re_arms_the_warning(
        db: Database, tmp_path: Path, now: datetime) -> None:
    busy_tenant(db, tmp_path, now)
    queue_run_out_warnings(db, now=now)
    later = now + timedelta(hours=1)
    record_refill(db, tenant_id="acme", quantity=5, recorded_by="sam", now=later)
    assert queue_run_out_warnings(db, now=later) == []  # still runs out soon: still warned
    assert warned_at(db) == now
    record_refill(db, tenant_id="acme", quantity=500, recorded_by="sam", now=later)
    assert queue_run_out_warnings(db, now=later) == []  # lasts now: re-armed, nothing sent
    assert warned_at(db) is None
    record_refill(db, tenant_id="acme", quantity=-500, recorded_by="sam", now=later)
    (again,) = queue_run_out_warnings(db, now=later)  # due again: a second warning
    assert [a.dedupe_key.rsplit(":", 1)[1] for a in run_out_alerts(db) if a.dedupe_key] == [
        "1", "2"]
    assert again == run_out_alerts(db)[-1].id


def test_a_term_that_lasts_or_runs_out_after_its_end_is_not_warned(
        db: Database, tmp_path: Path, now: datetime) -> None:
    busy_tenant(db, tmp_path, now, licenses=1_000)
    busy_tenant(db, tmp_path, now, tenant_id="short", end=now.date() + timedelta(days=3))
    assert queue_run_out_warnings(db, now=now) == []


def test_the_warning_email_gives_the_forecast_date_its_range_and_licenses_needed(
        db: Database, tmp_path: Path, now: datetime, smtp_server: SmtpTestServer) -> None:
    busy_tenant(db, tmp_path, now)
    queue_run_out_warnings(db, now=now)
    assert deliver_due(db, smtp_server.settings(), now=now).sent == 2  # with the 75 % one
    (alert,) = run_out_alerts(db)
    assert alert.run_out_date and alert.run_out_low and alert.run_out_high
    (mail,) = [m for m in smtp_server.messages if m.message["Subject"] == alert.subject]
    assert mail.rcpt_tos == ["ops@acme.example"]
    body = mail.message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    for fact in (f"on {alert.run_out_date.isoformat()}",
                 f"between {alert.run_out_low.isoformat()} and {alert.run_out_high.isoformat()}",
                 f"About {alert.licenses_needed} more licenses would last the term",
                 "Forecast range:", "Needed to last the term:"):
        assert fact in text
    assert mail.message_id == (f"<alert-{alert.id}.run_out@licensing."
                               "licensing.example.com>")


def test_the_alerts_list_gives_the_forecast_of_a_warning(db: Database, tmp_path: Path,
                                                         now: datetime) -> None:
    busy_tenant(db, tmp_path, now)
    queue_run_out_warnings(db, now=now)
    (alert,) = run_out_alerts(db)
    rows = alerts_list(db, "acme")
    warning = rows[rows["kind"] == "run_out"].iloc[0]
    assert alert.run_out_date is not None
    assert (warning["run_out_date"], int(warning["licenses_needed"])) == (
        alert.run_out_date.isoformat(), alert.licenses_needed)
    threshold = rows[rows["kind"] == "threshold"].iloc[0]
    assert threshold["run_out_date"] == "" and pd.isna(threshold["licenses_needed"])


def test_alerts_run_queues_the_warning_and_counts_it(
        cli: Cli, db: Database, tmp_path: Path, smtp_server: SmtpTestServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    busy_tenant(db, tmp_path, utcnow())
    for name, value in smtp_server.environ().items():
        monkeypatch.setenv(name, value)
    status, out, _ = cli("alerts", "run")
    assert status == 0 and "1 run-out warning queued" in out
    assert [m.message["Subject"].split(" around ")[0] for m in smtp_server.messages
            if "run out" in m.message["Subject"]] == [
        "Acme Corp will run out of session licenses"]
    status, out, _ = cli("alerts", "run")
    assert status == 0 and "run-out" not in out


def test_two_runners_at_once_queue_the_warning_once(db: Database, tmp_path: Path,
                                                    now: datetime) -> None:
    busy_tenant(db, tmp_path, now)
    barrier = threading.Barrier(3)
    failures: list[BaseException] = []

    def runner() -> None:
        database = Database(db.url)
        try:
            barrier.wait()
            queue_run_out_warnings(database, now=now)
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
        finally:
            database.dispose()

    threads = [threading.Thread(target=runner) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert len(run_out_alerts(db)) == 1
