"""Delivering the outbox's webhooks, apart from its emails, with their own attempts.

The same rules as the email (services.outbox): each webhook is POSTed inside its own short
transaction that holds the alert's row (PostgreSQL: FOR UPDATE SKIP LOCKED, so several
workers take different alerts; SQLite: the write lock, so they take turns) and is marked
sent in it after a 2xx answer, never to be posted again. A crash between the answer and
the commit posts it again, with the same X-Licensing-Delivery. Without
LICENSING_WEBHOOK_URL nothing is posted: the queued webhooks are marked not_configured.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session

from licensing_core.clock import utcnow
from licensing_core.db.engine import Database
from licensing_core.db.models import Alert
from licensing_core.db.tenancy import lock_for_writing
from licensing_core.domain.kinds import Delivery, WebhookStatus
from licensing_core.errors import LicensingError, NotFound, Refused
from licensing_core.notify.webhook import WebhookClient, WebhookFailed, WebhookSettings
from licensing_core.services.outbox import (
    Attempt,
    DeliveryReport,
    alert_mail,
    count_alerts,
    retry_delay,
    run_attempts,
)


def _to_try(due_at: datetime | None, excluding: Collection[int]) -> ColumnElement[bool]:
    """Queued webhooks, of those due at `due_at` only (None: every one), bar `excluding`."""
    condition: ColumnElement[bool] = Alert.webhook_status == WebhookStatus.QUEUED
    if due_at is not None:
        condition = and_(condition, or_(Alert.webhook_next_attempt_at.is_(None),
                                        Alert.webhook_next_attempt_at <= due_at))
    if excluding:
        condition = and_(condition, Alert.id.not_in(excluding))
    return condition


def _claim_next(session: Session, due_at: datetime | None,
                failed: Collection[int]) -> Alert | None:
    lock_for_writing(session)
    statement = (select(Alert).where(_to_try(due_at, failed))
                 .order_by(func.coalesce(Alert.webhook_next_attempt_at, Alert.created_at),
                           Alert.id)
                 .limit(1).with_for_update(skip_locked=True))
    return session.scalars(statement).first()


def _attempt(alert: Alert, session: Session, client: WebhookClient, now: datetime) -> Attempt:
    alert.webhook_attempts += 1
    try:
        client.post(alert_mail(session, alert, now, recipients=[]), alert.created_at)
    except WebhookFailed as exc:
        return _fail(alert, now, str(exc), unreachable=exc.unreachable)
    except (LicensingError, ValueError) as exc:  # e.g. its tenant no longer exists
        return _fail(alert, now, str(exc), unreachable=False)
    alert.webhook_status = WebhookStatus.SENT
    alert.webhook_sent_at = now
    alert.webhook_last_error = None
    return Attempt(alert.id)


def _fail(alert: Alert, now: datetime, error: str, *, unreachable: bool) -> Attempt:
    alert.webhook_last_error = error
    alert.webhook_next_attempt_at = now + retry_delay(alert.webhook_attempts)
    return Attempt(alert.id, f"webhook of alert {alert.id} ({alert.tenant_id}): {error}",
                    unreachable)


def _deliver_next(db: Database, client: WebhookClient, now: datetime, due_at: datetime | None,
                  failed: Collection[int]) -> Attempt | None:
    with db.transaction() as session:
        alert = _claim_next(session, due_at, failed)
        if alert is None:
            return None
        return _attempt(alert, session, client, now)


def count_webhooks_queued(db: Database, *, due_at: datetime | None = None,
                          excluding: Collection[int] = ()) -> int:
    return count_alerts(db, _to_try(due_at, excluding))


def deliver_webhooks(db: Database, settings: WebhookSettings, *, now: datetime | None = None,
                     backoff: bool = True, limit: int | None = None,
                     should_stop: Callable[[], bool] | None = None) -> DeliveryReport:
    """POST each due webhook once; a failure stays queued with its error and a later
    retry. Without `backoff` (a one-shot run) every queued webhook is due."""
    with WebhookClient(settings) as client:
        return run_attempts(
            lambda moment, due_at, failed: _deliver_next(db, client, moment, due_at, failed),
            lambda due_at, excluding: count_webhooks_queued(db, due_at=due_at,
                                                            excluding=excluding),
            now=now, backoff=backoff, limit=limit, should_stop=should_stop)


def mark_not_configured(db: Database) -> int:
    """No LICENSING_WEBHOOK_URL: the queued webhooks are not attempted, now or later."""
    with db.transaction() as session:
        result = session.execute(update(Alert).where(Alert.webhook_status == WebhookStatus.QUEUED)
                                 .values(webhook_status=WebhookStatus.NOT_CONFIGURED)
                                 .execution_options(synchronize_session=False))
        return int(getattr(result, "rowcount", 0) or 0)


def retry_webhook_now(db: Database, alert_id: int, *, tenant_id: str | None = None,
                      now: datetime | None = None) -> None:
    """Make a queued webhook due at once, for a worker waiting out its back-off."""
    now = now or utcnow()
    with db.transaction() as session:
        alert = session.scalars(select(Alert).where(Alert.id == alert_id)
                                .with_for_update()).first()
        if alert is None or (tenant_id is not None and alert.tenant_id != tenant_id):
            raise NotFound(f"no alert {alert_id}")
        if alert.webhook_status != WebhookStatus.QUEUED:
            raise Refused(f"the webhook of alert {alert_id} is "
                          f"{webhook_state(alert.webhook_status, alert.webhook_attempts)}")
        alert.webhook_next_attempt_at = now


def webhook_state(status: WebhookStatus, attempts: int) -> Delivery:
    """How a page names a webhook: sent, failing, queued or not configured."""
    if status == WebhookStatus.NOT_CONFIGURED:
        return Delivery.NOT_CONFIGURED
    if status == WebhookStatus.SENT:
        return Delivery.SENT
    return Delivery.FAILING if attempts > 0 else Delivery.QUEUED


__all__ = ["count_webhooks_queued", "deliver_webhooks", "mark_not_configured",
           "retry_webhook_now", "webhook_state"]
