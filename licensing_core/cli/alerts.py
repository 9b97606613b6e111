"""`licensing alerts run`: queue due reminders and run-out warnings, then deliver the outbox.

A one-shot run tries every queued alert's email and webhook (a person runs it to get them
out now); the `--watch` worker waits out each failed one's back-off. Both report what is
still queued, emails and webhooks apart.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

import typer
from sqlalchemy.exc import OperationalError

from licensing_core.cli.common import database
from licensing_core.db.engine import Database
from licensing_core.errors import Refused, RunFailed
from licensing_core.notify.settings import SmtpSettings, smtp_settings
from licensing_core.notify.webhook import WebhookSettings, webhook_settings
from licensing_core.services.outbox import DeliveryReport, deliver_due, queue_contract_reminders
from licensing_core.services.run_out import queue_run_out_warnings
from licensing_core.services.webhooks import deliver_webhooks, mark_not_configured

alerts_app = typer.Typer(no_args_is_help=True,
                         help="Alert emails and webhooks: the outbox and its delivery.")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root command."""
    app.add_typer(alerts_app, name="alerts")


def _plural(count: int, what: str) -> str:
    return f"{count} {what}{'s' if count != 1 else ''}"


def _summary(reminders: int, report: DeliveryReport, warnings: int = 0) -> str:
    line = f"alerts: {report.sent} sent, {report.failed} failed, {report.queued} still queued"
    if report.deferred:
        line += f" ({report.deferred} not tried: the SMTP server is unreachable)"
    if reminders:
        line += f"; {_plural(reminders, 'contract-end reminder')} queued"
    if warnings:
        line += f"; {_plural(warnings, 'run-out warning')} queued"
    return line


def _webhook_summary(report: DeliveryReport | None) -> str:
    if report is None:
        return "webhooks: not configured (LICENSING_WEBHOOK_URL is unset)"
    line = (f"webhooks: {report.sent} delivered, {report.failed} failed, "
            f"{report.queued} still queued")
    if report.deferred:
        line += f" ({report.deferred} not tried: the webhook receiver is unreachable)"
    return line


@dataclass(frozen=True)
class PassReport:
    emails: DeliveryReport
    webhooks: DeliveryReport | None  # None: no webhook is configured

    @property
    def queued_webhooks(self) -> int:
        return self.webhooks.queued if self.webhooks is not None else 0


def run_once(db: Database, settings: SmtpSettings, stop: threading.Event | None = None, *,
             backoff: bool, webhooks: WebhookSettings | None = None) -> PassReport:
    """One pass: reminders and run-out warnings first, so that they leave in the same run;
    then every due email, then every due webhook (each with its own attempts)."""
    reminders = queue_contract_reminders(db)
    warnings = queue_run_out_warnings(db)
    should_stop = stop.is_set if stop else None
    report = deliver_due(db, settings, backoff=backoff, should_stop=should_stop)
    if webhooks is None:
        mark_not_configured(db)
        posted = None
    else:
        posted = deliver_webhooks(db, webhooks, backoff=backoff, should_stop=should_stop)
    for error in report.errors + (posted.errors if posted else []):
        typer.echo(f"licensing: {error}", err=True)
    typer.echo(_summary(len(reminders), report, len(warnings)))
    typer.echo(_webhook_summary(posted))
    return PassReport(report, posted)


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and Ctrl-C finish the alert being sent, then stop the worker."""
    def handler(signum: int, _frame: FrameType | None) -> None:
        typer.echo(f"licensing: {signal.Signals(signum).name} received, stopping", err=True)
        stop.set()

    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only; the caller stops us through `stop`
        return
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def watch(db: Database, settings: SmtpSettings, seconds: float,
          stop: threading.Event | None = None,
          webhooks: WebhookSettings | None = None) -> None:
    """Run a pass every `seconds` until stopped; a failing pass is reported, not fatal."""
    stop = stop or threading.Event()
    with _stop_on_signals(stop):
        while not stop.is_set():
            try:
                run_once(db, settings, stop, backoff=True, webhooks=webhooks)
            except (OperationalError, RunFailed) as exc:  # database away: try next time
                reason = exc.orig if isinstance(exc, OperationalError) else exc
                typer.echo(f"licensing: this pass failed, retrying in {seconds:g} s: {reason}",
                           err=True)
            stop.wait(seconds)
    typer.echo("alerts worker stopped")


@alerts_app.command("run", help="Deliver every queued alert by email and webhook (and queue "
                                "due contract-end reminders and run-out warnings).")
def alerts_run(
    watch_seconds: float | None = typer.Option(
        None, "--watch", metavar="SECONDS",
        help="keep running, delivering every SECONDS, until SIGTERM or Ctrl-C; a failed "
             "alert waits out its back-off"),
) -> None:
    if watch_seconds is not None and not watch_seconds > 0:
        raise Refused(f"--watch needs a number of seconds above 0, not {watch_seconds:g}")
    settings = smtp_settings()  # refuses before the database is touched: nothing is lost
    webhooks = webhook_settings()
    db = database()
    try:
        if watch_seconds is not None:
            watch(db, settings, watch_seconds, webhooks=webhooks)
            return
        report = run_once(db, settings, backoff=False, webhooks=webhooks)
    finally:
        db.dispose()
    left = [_plural(n, what) for n, what in ((report.emails.queued, "alert"),
                                             (report.queued_webhooks, "webhook")) if n]
    if left:
        raise RunFailed(f"{' and '.join(left)} still queued; the next run tries again")
