"""When a failed alert is tried again: at once by a one-shot run, after its back-off by
the worker; and what the command says is still queued. Real SMTP server, both databases."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime

import pytest

from licensing_core.cli import run
from licensing_core.cli.alerts import watch
from licensing_core.clock import utcnow
from licensing_core.db.engine import Database
from licensing_core.services.outbox import deliver_due, retry_now
from tests.integration.test_alert_delivery import alerts, cli_env, reminders_for
from tests.smtp_server import SmtpTestServer

__all__ = ["cli_env"]  # the fixture, shared with the delivery tests


@pytest.fixture
def down_then_up() -> Iterator[SmtpTestServer]:
    """A server not started yet: its port refuses connections until the test starts it."""
    server = SmtpTestServer()
    yield server
    server.stop()


def use_server(monkeypatch: pytest.MonkeyPatch, server: SmtpTestServer) -> None:
    for name, value in server.environ().items():
        monkeypatch.setenv(name, value)


def test_a_one_shot_run_retries_a_failed_alert_at_once_despite_its_back_off(
        db: Database, cli_env: pytest.MonkeyPatch, down_then_up: SmtpTestServer,
        capsys: pytest.CaptureFixture[str]) -> None:
    (alert_id,) = reminders_for(db, utcnow(), "acme")
    use_server(cli_env, down_then_up)

    assert run(["alerts", "run"]) == 1
    out, err = capsys.readouterr()
    assert "alerts: 0 sent, 1 failed, 1 still queued" in out
    assert "1 alert still queued" in err
    (alert,) = alerts(db)
    assert alert.next_attempt_at > utcnow()  # its back-off has not passed

    down_then_up.start()
    assert run(["alerts", "run"]) == 0
    assert "alerts: 1 sent, 0 failed, 0 still queued" in capsys.readouterr().out
    assert down_then_up.message_ids() == [
        f"<alert-{alert_id}.contract_end@licensing.licensing.example.com>"]
    assert [(a.status, a.attempts) for a in alerts(db)] == [("sent", 2)]


def test_a_one_shot_run_counts_what_it_left_untried_as_still_queued(
        db: Database, cli_env: pytest.MonkeyPatch, down_then_up: SmtpTestServer,
        capsys: pytest.CaptureFixture[str]) -> None:
    reminders_for(db, utcnow(), "a1", "a2", "a3", "a4")
    use_server(cli_env, down_then_up)
    assert run(["alerts", "run"]) == 1
    out, err = capsys.readouterr()
    assert ("alerts: 0 sent, 3 failed, 4 still queued (1 not tried: the SMTP server is "
            "unreachable)") in out
    assert "4 alerts still queued" in err
    assert sorted(a.attempts for a in alerts(db)) == [0, 1, 1, 1]


def test_the_service_honours_the_back_off_unless_asked_for_every_queued_alert(
        db: Database, now: datetime, down_then_up: SmtpTestServer) -> None:
    reminders_for(db, now, "acme")
    settings = down_then_up.settings()
    assert deliver_due(db, settings, now=now).queued == 1  # fails: next try in a minute
    down_then_up.start()
    waiting = deliver_due(db, settings, now=now)
    assert (waiting.sent, waiting.failed, waiting.queued, waiting.ok) == (0, 0, 1, False)
    every = deliver_due(db, settings, now=now, backoff=False)
    assert (every.sent, every.failed, every.queued, every.ok) == (1, 0, 0, True)
    assert len(down_then_up.messages) == 1


def summaries(capsys: pytest.CaptureFixture[str], seen: list[str]) -> list[str]:
    """Every summary line the worker printed so far (the capture is consumed as read)."""
    seen.extend(line for line in capsys.readouterr().out.splitlines()
                if line.startswith("alerts:"))
    return seen


def wait_for(condition: Callable[[], bool], what: str, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_worker_waits_out_the_back_off_and_counts_the_alert_still_queued(
        db: Database, down_then_up: SmtpTestServer,
        capsys: pytest.CaptureFixture[str]) -> None:
    reminders_for(db, utcnow(), "acme")
    stop = threading.Event()
    worker = threading.Thread(target=watch, args=(db, down_then_up.settings(), 0.05, stop))
    seen: list[str] = []
    worker.start()
    try:
        wait_for(lambda: bool(summaries(capsys, seen)), "the first pass")
        assert seen[0] == "alerts: 0 sent, 1 failed, 1 still queued"
        down_then_up.start()
        passes = len(seen)
        wait_for(lambda: len(summaries(capsys, seen)) >= passes + 3, "three more passes")
        assert down_then_up.messages == []  # the server is up, but the minute is not over
        assert "alerts: 0 sent, 0 failed, 1 still queued" in seen[passes:]

        retry_now(db, alerts(db)[0].id)
        wait_for(lambda: bool(down_then_up.messages), "the retried alert")
        wait_for(lambda: "alerts: 0 sent, 0 failed, 0 still queued" in summaries(capsys, seen),
                 "a pass with nothing left")
    finally:
        stop.set()
        worker.join(timeout=30)
    assert len(down_then_up.messages) == 1
    assert "alerts: 1 sent, 0 failed, 0 still queued" in seen
