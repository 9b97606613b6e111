"""Delivering the outbox to a real SMTP server on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from licensing_core.auth.accounts import create_account
from licensing_core.cli import run
from licensing_core.clock import utcnow
from licensing_core.db.engine import Database
from licensing_core.db.models import Alert
from licensing_core.errors import NotFound, Refused
from licensing_core.services.imports import import_conversations
from licensing_core.services.outbox import (
    deliver_due,
    delivery_state,
    queue_contract_reminders,
    retry_now,
)
from licensing_core.services.refills import record_refill
from licensing_core.services.tenants import create_tenant, renew
from tests.smtp_server import SmtpTestServer, self_signed_certificate


@pytest.fixture
def smtp() -> Iterator[SmtpTestServer]:
    with SmtpTestServer() as server:
        yield server


def add_tenant(db: Database, tenant_id: str, now: datetime, *, ends_in_days: int = 200,
               timezone: str = "UTC", name: str | None = None,
               technical: tuple[str, ...] = (), billing: tuple[str, ...] = ()) -> None:
    """A session-based tenant whose term ends `ends_in_days` after now's UTC date."""
    create_tenant(db, tenant_id=tenant_id, name=name or f"{tenant_id.title()} Corp",
                  license_type="session", licenses=10, start=date(2026, 1, 1),
                  end=now.date() + timedelta(days=ends_in_days), timezone=timezone,
                  technical_emails=technical or (f"Ops@{tenant_id}.example",),
                  billing_emails=billing or (f"billing@{tenant_id}.example",),
                  actor="test", now=now)


def alerts(db: Database) -> list[Alert]:
    with db.transaction() as session:
        return list(session.scalars(select(Alert).order_by(Alert.id)))


def reminders_for(db: Database, now: datetime, *tenants: str) -> list[int]:
    for tenant_id in tenants:
        add_tenant(db, tenant_id, now, ends_in_days=30)
    return queue_contract_reminders(db, now=now)


# -- contract-end reminders -------------------------------------------------------------

def test_contract_end_reminders_fire_30_and_7_days_before_the_end_once_each(
        db: Database, now: datetime, smtp: SmtpTestServer) -> None:
    add_tenant(db, "acme", now, ends_in_days=30, name="Acme Corp",
               technical=("Ops@Acme.example", "billing@acme.example"),
               billing=("billing@ACME.example",))
    create_account(db, username="ann", role="tenant_admin", tenant_id="acme",
                   email="ann@acme.example", password="long enough", actor="test", now=now)
    settings = smtp.settings()
    assert queue_contract_reminders(db, now=now) != []
    assert queue_contract_reminders(db, now=now) == []
    assert deliver_due(db, settings, now=now).sent == 1
    assert queue_contract_reminders(db, now=now + timedelta(days=20)) == []
    seven_days_before = now + timedelta(days=23)
    assert len(queue_contract_reminders(db, now=seven_days_before)) == 1
    assert queue_contract_reminders(db, now=seven_days_before + timedelta(days=3)) == []
    assert deliver_due(db, settings, now=seven_days_before).sent == 1
    assert queue_contract_reminders(db, now=now + timedelta(days=31)) == []

    first, second = smtp.messages
    assert first.message["Subject"] == f"Acme Corp's contract ends on {now.date() + timedelta(30)}"
    assert first.rcpt_tos == ["billing@acme.example", "ops@acme.example"]  # no admin account
    assert "in 30 days" in first.message.get_body(("plain",)).get_content()
    assert "in 7 days" in second.message.get_body(("plain",)).get_content()
    assert first.message_id != second.message_id
    assert [a.dedupe_key for a in alerts(db)] == [
        f"contract_end:{alerts(db)[0].term_id}:30", f"contract_end:{alerts(db)[0].term_id}:7"]


def test_a_missed_30_day_mark_sends_only_the_7_day_reminder(db: Database,
                                                             now: datetime) -> None:
    add_tenant(db, "acme", now, ends_in_days=5)
    assert len(queue_contract_reminders(db, now=now)) == 1
    assert [a.dedupe_key.rsplit(":", 1)[1] for a in alerts(db) if a.dedupe_key] == ["7"]


def test_a_renewed_contract_gets_no_reminder(db: Database, now: datetime) -> None:
    add_tenant(db, "acme", now, ends_in_days=30)
    end = now.date() + timedelta(days=30)
    renew(db, tenant_id="acme", start=end + timedelta(days=1), end=end + timedelta(days=365),
          licenses=10, actor="test", now=now)
    assert queue_contract_reminders(db, now=now) == []


def test_reminders_count_days_in_the_tenant_timezone(db: Database, now: datetime) -> None:
    # At 12:00 UTC it is already tomorrow on Kiritimati (UTC+14): 30 days left there.
    add_tenant(db, "kiri", now, ends_in_days=31, timezone="Pacific/Kiritimati")
    add_tenant(db, "utc", now, ends_in_days=31)
    queued = queue_contract_reminders(db, now=now)
    assert [a.tenant_id for a in alerts(db) if a.id in queued] == ["kiri"]


# -- delivery ---------------------------------------------------------------------------

def import_sessions(db: Database, tmp_path: Path, now: datetime, first: int,
                    count: int) -> None:
    """`count` more sessions for acme, through the import service (a new user each)."""
    lines = ["conversation_id,user_id,started_at,agent_name,channel"]
    for i in range(first, first + count):
        at = datetime(2026, 3, 1, 9) + timedelta(hours=6 * i)
        lines.append(f"c{i},u{i},{at.isoformat()},Luma,web")
    path = tmp_path / f"conversations-{first}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_conversations(db, tenant_id="acme", path=path, actor="test", now=now)


def test_threshold_emails_75_then_100_then_rearmed_75(db: Database, now: datetime,
                                                     smtp: SmtpTestServer,
                                                     tmp_path: Path) -> None:
    create_tenant(db, tenant_id="acme", name="Acme & Sons", license_type="session",
                  licenses=4, start=date(2026, 1, 1), end=date(2026, 12, 31),
                  technical_emails=["Ops@Acme.example"], billing_emails=["ops@acme.example"],
                  actor="test", now=now)
    create_account(db, username="ann", role="tenant_admin", tenant_id="acme",
                   email="Ann@Acme.example", password="long enough", actor="test", now=now)
    settings = smtp.settings()

    import_sessions(db, tmp_path, now, 0, 3)  # 3 of 4: 75 %
    assert deliver_due(db, settings, now=now).sent == 1
    import_sessions(db, tmp_path, now, 3, 1)  # 4 of 4: one email, for 100 % only
    assert deliver_due(db, settings, now=now).sent == 1
    record_refill(db, tenant_id="acme", quantity=4, recorded_by="Sam", now=now)  # 50 %
    assert deliver_due(db, settings, now=now).sent == 0
    import_sessions(db, tmp_path, now, 4, 2)  # 6 of 8: 75 % again
    assert deliver_due(db, settings, now=now).sent == 1
    assert deliver_due(db, settings, now=now + timedelta(days=1)).sent == 0

    subjects = [m.message["Subject"] for m in smtp.messages]
    assert subjects == ["Acme & Sons has used 75% of its session licenses",
                        "Acme & Sons has used 100% of its session licenses",
                        "Acme & Sons has used 75% of its session licenses"]
    assert len(set(smtp.message_ids())) == 3
    assert all(m.rcpt_tos == ["ops@acme.example", "ann@acme.example"] for m in smtp.messages)
    last = smtp.messages[-1].message
    text = last.get_body(("plain",)).get_content()
    html = last.get_body(("html",)).get_content()
    facts = dict(line.split(":", 1) for line in text.splitlines() if ":  " in line)
    assert {label: value.strip() for label, value in facts.items()} == {
        "Tenant": "Acme & Sons", "License type": "session", "Consumed": "6",
        "Total purchase": "8", "Available": "2", "Percent used": "75.0%",
        "Term": "2026-01-01 to 2026-12-31"}
    assert "https://licensing.example.com/" in text
    assert "Acme &amp; Sons" in html and "Acme & Sons" not in html


def test_an_alert_is_never_sent_twice_across_runs(db: Database, now: datetime,
                                                  smtp: SmtpTestServer) -> None:
    reminders_for(db, now, "acme", "bolt")
    settings = smtp.settings()
    first = deliver_due(db, settings, now=now)
    again = deliver_due(db, settings, now=now + timedelta(days=1))
    assert (first.sent, first.failed, again.sent, again.failed) == (2, 0, 0, 0)
    assert sorted(smtp.message_ids()) == sorted(
        f"<alert-{a.id}.contract_end@licensing.licensing.example.com>" for a in alerts(db))
    assert all(a.status == "sent" and a.sent_at == now and a.attempts == 1 for a in alerts(db))


def test_smtp_down_keeps_the_alert_queued_and_it_is_delivered_once_when_up(
        db: Database, now: datetime) -> None:
    (alert_id,) = reminders_for(db, now, "acme")
    server = SmtpTestServer()  # not started: its port refuses connections
    settings = server.settings()

    down = deliver_due(db, settings, now=now)
    assert (down.sent, down.failed) == (0, 1)
    assert f"alert {alert_id} (acme): cannot use the SMTP server" in down.errors[0]
    (alert,) = alerts(db)
    assert (alert.status, alert.attempts, delivery_state(alert.status, alert.attempts)) == (
        "queued", 1, "failing")
    assert alert.next_attempt_at == now + timedelta(minutes=1)
    assert "refused" in (alert.last_error or "").lower()

    assert deliver_due(db, settings, now=now + timedelta(seconds=30)).failed == 0  # not due
    assert deliver_due(db, settings, now=now + timedelta(minutes=1)).failed == 1
    assert alerts(db)[0].next_attempt_at == now + timedelta(minutes=3)  # waits 2 min now

    with server:
        later = now + timedelta(minutes=3)
        assert deliver_due(db, settings, now=later).sent == 1
        assert deliver_due(db, settings, now=later + timedelta(hours=1)).sent == 0
        assert server.message_ids() == [f"<alert-{alert_id}.contract_end@licensing."
                                        "licensing.example.com>"]
    (alert,) = alerts(db)
    assert (alert.status, alert.attempts, alert.last_error, alert.sent_at) == (
        "sent", 3, None, later)


def test_a_refused_alert_does_not_stop_the_others(db: Database, now: datetime,
                                                  smtp: SmtpTestServer) -> None:
    acme_id, bolt_id = reminders_for(db, now, "acme", "bolt")
    smtp.handler.refuse_recipients = {"ops@acme.example", "billing@acme.example"}
    report = deliver_due(db, smtp.settings(), now=now)
    assert (report.sent, report.failed) == (1, 1)
    assert report.errors[0].startswith(f"alert {acme_id} (acme): every recipient was refused")
    by_id = {a.id: a for a in alerts(db)}
    assert (by_id[acme_id].status, by_id[bolt_id].status) == ("queued", "sent")
    assert "550" in (by_id[acme_id].last_error or "")


def test_a_message_refused_by_the_server_stays_queued(db: Database, now: datetime,
                                                      smtp: SmtpTestServer) -> None:
    reminders_for(db, now, "acme")
    smtp.handler.refuse_all = "451 4.3.0 try again later"
    report = deliver_due(db, smtp.settings(), now=now)
    assert report.failed == 1 and "451 4.3.0 try again later" in report.errors[0]
    smtp.handler.refuse_all = None
    assert deliver_due(db, smtp.settings(), now=now + timedelta(minutes=1)).sent == 1
    assert len(smtp.messages) == 1


def test_a_partly_refused_message_is_sent_and_the_refusal_noted(
        db: Database, now: datetime, smtp: SmtpTestServer) -> None:
    reminders_for(db, now, "acme")
    smtp.handler.refuse_recipients = {"ops@acme.example"}
    assert deliver_due(db, smtp.settings(), now=now).sent == 1
    (alert,) = alerts(db)
    assert alert.status == "sent"
    assert "ops@acme.example (550" in (alert.last_error or "")
    assert smtp.messages[0].rcpt_tos == ["billing@acme.example"]


def test_an_unreachable_server_stops_the_run_after_a_few_tries(db: Database,
                                                                now: datetime) -> None:
    reminders_for(db, now, "a1", "a2", "a3", "a4", "a5")
    report = deliver_due(db, SmtpTestServer().settings(), now=now)
    assert (report.sent, report.failed, report.deferred, report.ok) == (0, 3, 2, False)
    assert sorted(a.attempts for a in alerts(db)) == [0, 0, 1, 1, 1]


def test_a_tenant_without_any_address_keeps_its_alert_queued(db: Database, now: datetime,
                                                             smtp: SmtpTestServer) -> None:
    create_tenant(db, tenant_id="mute", name="Mute", license_type="session", licenses=1,
                  start=date(2026, 1, 1), end=now.date() + timedelta(days=30), actor="test",
                  now=now)
    queue_contract_reminders(db, now=now)
    report = deliver_due(db, smtp.settings(), now=now)
    assert report.failed == 1 and "no technical, billing or admin email" in report.errors[0]
    assert smtp.messages == []


def test_retry_now_makes_a_failing_alert_due_at_once(db: Database, now: datetime,
                                                     smtp: SmtpTestServer) -> None:
    (alert_id,) = reminders_for(db, now, "acme")
    deliver_due(db, SmtpTestServer().settings(), now=now)  # fails: retry in a minute
    assert deliver_due(db, smtp.settings(), now=now).sent == 0
    with pytest.raises(NotFound):
        retry_now(db, alert_id, tenant_id="other", now=now)
    with pytest.raises(NotFound):
        retry_now(db, alert_id + 100, now=now)
    retry_now(db, alert_id, tenant_id="acme", now=now)
    assert deliver_due(db, smtp.settings(), now=now).sent == 1
    with pytest.raises(Refused, match="already sent"):
        retry_now(db, alert_id, now=now)


def test_limit_bounds_how_many_alerts_one_run_tries(db: Database, now: datetime,
                                                    smtp: SmtpTestServer) -> None:
    reminders_for(db, now, "a1", "a2", "a3")
    assert deliver_due(db, smtp.settings(), now=now, limit=2).sent == 2
    assert deliver_due(db, smtp.settings(), now=now).sent == 1


# -- security modes ---------------------------------------------------------------------

@pytest.fixture
def certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    made = self_signed_certificate(tmp_path)
    if made is None:
        pytest.skip("the openssl tool is needed to make a test certificate")
    monkeypatch.setenv("SSL_CERT_FILE", str(made[0]))  # the client trusts only this one
    return made


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_delivery_over_tls_with_a_login(db: Database, now: datetime, security: str,
                                        certificate: tuple[Path, Path]) -> None:
    reminders_for(db, now, "acme")
    users = {"alerts": "s3cret pass"}
    with SmtpTestServer(security=security, certificate=certificate, users=users) as server:
        wrong = server.settings(LICENSING_SMTP_USERNAME="alerts",
                                LICENSING_SMTP_PASSWORD="wrong")
        refused = deliver_due(db, wrong, now=now)
        assert refused.failed == 1 and "535" in refused.errors[0]
        right = server.settings(LICENSING_SMTP_USERNAME="alerts",
                                LICENSING_SMTP_PASSWORD="s3cret pass")
        assert deliver_due(db, right, now=now + timedelta(minutes=1)).sent == 1
        assert len(server.messages) == 1


def test_a_server_without_trusted_certificate_is_refused(db: Database, now: datetime,
                                                         tmp_path: Path) -> None:
    made = self_signed_certificate(tmp_path)
    if made is None:
        pytest.skip("the openssl tool is needed to make a test certificate")
    reminders_for(db, now, "acme")
    with SmtpTestServer(security="ssl", certificate=made) as server:
        report = deliver_due(db, server.settings(), now=now)
    assert report.failed == 1 and "CERTIFICATE_VERIFY_FAILED" in report.errors[0]


# -- several runners at once ------------------------------------------------------------

def run_concurrently(url: str, settings_of: SmtpTestServer, runners: int,
                     now: datetime) -> int:
    """`runners` threads, each with its own engine, start deliver_due at the same instant."""
    barrier = threading.Barrier(runners)
    sent: list[int] = []
    failures: list[BaseException] = []

    def runner() -> None:
        database = Database(url)
        try:
            barrier.wait()
            sent.append(deliver_due(database, settings_of.settings(), now=now).sent)
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
        finally:
            database.dispose()

    threads = [threading.Thread(target=runner) for _ in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    return sum(sent)


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_concurrent_runners_on_postgres_deliver_each_alert_exactly_once(
        postgres_url: str, db: Database, now: datetime, smtp: SmtpTestServer) -> None:
    tenants = [f"t{i:02}" for i in range(16)]
    queued = reminders_for(db, now, *tenants)
    smtp.handler.delay_s = 0.02  # a slow server keeps rows locked while others look
    assert run_concurrently(db.url, smtp, 4, now) == len(queued) == 16
    ids = smtp.message_ids()
    assert len(ids) == len(set(ids)) == 16
    assert all(a.status == "sent" and a.attempts == 1 for a in alerts(db))


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_concurrent_runners_on_sqlite_take_turns_and_never_send_twice(
        db: Database, now: datetime, smtp: SmtpTestServer) -> None:
    queued = reminders_for(db, now, "a1", "a2", "a3", "a4", "a5", "a6")
    assert run_concurrently(db.url, smtp, 3, now) == len(queued) == 6
    ids = smtp.message_ids()
    assert len(ids) == len(set(ids)) == 6


# -- the command ------------------------------------------------------------------------

@pytest.fixture
def cli_env(db: Database, monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("LICENSING_DATABASE_URL", db.url)
    for name in list(os.environ):
        if name.startswith("LICENSING_SMTP_"):
            monkeypatch.delenv(name)
    return monkeypatch


def test_alerts_run_without_smtp_refuses_and_loses_nothing(
        db: Database, cli_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    reminders_for(db, utcnow(), "acme")
    assert run(["alerts", "run"]) == 2
    assert "SMTP is not configured: set LICENSING_SMTP_HOST" in capsys.readouterr().err
    assert [a.status for a in alerts(db)] == ["queued"]
    assert alerts(db)[0].attempts == 0


def test_alerts_run_delivers_then_has_nothing_left(
        db: Database, cli_env: pytest.MonkeyPatch, smtp: SmtpTestServer,
        capsys: pytest.CaptureFixture[str]) -> None:
    add_tenant(db, "acme", utcnow(), ends_in_days=30)  # the run itself queues the reminder
    for name, value in smtp.environ().items():
        cli_env.setenv(name, value)
    assert run(["alerts", "run"]) == 0
    assert ("alerts: 1 sent, 0 failed, 0 still queued; 1 contract-end reminder queued"
            in capsys.readouterr().out)
    assert run(["alerts", "run"]) == 0
    assert "alerts: 0 sent, 0 failed, 0 still queued" in capsys.readouterr().out
    assert len(smtp.messages) == 1


def test_alerts_run_exits_1_when_the_server_is_down(
        db: Database, cli_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (alert_id,) = reminders_for(db, utcnow(), "acme")
    for name, value in SmtpTestServer().environ().items():
        cli_env.setenv(name, value)
    assert run(["alerts", "run"]) == 1
    err = capsys.readouterr().err
    assert f"alert {alert_id} (acme): cannot use the SMTP server" in err
    assert "1 alert still queued" in err
    assert alerts(db)[0].status == "queued"


@pytest.mark.parametrize(("setting", "value"), [("LICENSING_SMTP_SECURITY", "tls"),
                                                ("LICENSING_SMTP_PORT", "x")])
def test_alerts_run_refuses_bad_settings(db: Database, cli_env: pytest.MonkeyPatch,
                                         setting: str, value: str) -> None:
    cli_env.setenv("LICENSING_SMTP_HOST", "127.0.0.1")
    cli_env.setenv(setting, value)
    assert run(["alerts", "run"]) == 2


def test_watch_needs_a_positive_number_of_seconds(db: Database,
                                                  cli_env: pytest.MonkeyPatch) -> None:
    cli_env.setenv("LICENSING_SMTP_HOST", "127.0.0.1")
    assert run(["alerts", "run", "--watch", "0"]) == 2


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_watch_worker_delivers_and_stops_cleanly_on_a_signal(
        db: Database, smtp: SmtpTestServer, stop_signal: signal.Signals) -> None:
    env = {**os.environ, **smtp.environ(), "LICENSING_DATABASE_URL": db.url}
    worker = subprocess.Popen(
        [sys.executable, "-c", "from licensing_core.cli import main; main()",
         "alerts", "run", "--watch", "0.2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        add_tenant(db, "acme", utcnow(), ends_in_days=30)
        deadline = time.monotonic() + 30
        while not smtp.messages and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(smtp.messages) == 1
        worker.send_signal(stop_signal)
        out, err = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == 0, err
    assert "alerts worker stopped" in out
    assert len(smtp.messages) == 1
