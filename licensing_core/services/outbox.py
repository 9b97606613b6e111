"""Delivering the alert outbox over SMTP, and queueing contract-end reminders.

At least once, with a stable Message-ID: each alert is delivered inside its own short
transaction that holds the alert's row (PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED, so
concurrent runners take different alerts; SQLite: the database's write lock, so runners
take turns), and marked sent in it after the server accepted the message. A sent alert is
never sent again, but a crash or a failed commit between the server's accept and the
commit sends it again, with the same Message-ID so that a receiver can drop the resend.

Recipients are resolved at each attempt (the contacts and admin accounts of that moment),
and the addresses tried are stored on the alert.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from licensing_core.clock import local_today, utcnow
from licensing_core.db.engine import Database
from licensing_core.db.models import Account, Alert, LicenseRequest, Tenant, Term
from licensing_core.db.tenancy import lock_for_writing, term_totals
from licensing_core.domain.emails import alert_recipients
from licensing_core.domain.kinds import AlertKind, AlertStatus, Delivery, Role
from licensing_core.domain.terms import REMINDER_DAYS
from licensing_core.errors import LicensingError, NotFound, Refused
from licensing_core.notify.messages import AlertMail, RequestFacts, render_alert
from licensing_core.notify.settings import SmtpSettings
from licensing_core.notify.smtp import DeliveryFailed, SmtpConnection
from licensing_core.services.alerting import recipients_of

# Retry waits double from one minute and stop growing at one hour: quick after a blip,
# gentle on a server that is down for long.
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=1)
# After this many failed connections in a row, the run stops trying: the server is down,
# and every further alert would only wait for its own timeout.
MAX_UNREACHABLE_IN_A_ROW = 3


@dataclass(frozen=True)
class DeliveryReport:
    """What one run did. `deferred`: left untried (server unreachable); `queued`: alerts
    still queued when the run ended, whatever the reason (failed, untried, backing off)."""

    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    deferred: int = 0
    queued: int = 0

    @property
    def ok(self) -> bool:
        return self.queued == 0


@dataclass(frozen=True)
class Attempt:
    """One alert's delivery attempt (by email or webhook): no error means delivered."""

    alert_id: int
    error: str | None = None
    unreachable: bool = False  # the receiver could not be reached at all


# The next attempt of a run: (now, due at or None for every queued one, ids failed in this
# run) -> the attempt, or None when nothing is left to try.
NextAttempt = Callable[[datetime, "datetime | None", Collection[int]], "Attempt | None"]
# Alerts still queued: (due at or None, ids to leave out) -> their count.
QueuedCount = Callable[["datetime | None", Collection[int]], int]


def run_attempts(next_attempt: NextAttempt, queued: QueuedCount, *, now: datetime | None,
                 backoff: bool, limit: int | None,
                 should_stop: Callable[[], bool] | None) -> DeliveryReport:
    """The loop of a delivery run, the same for emails and webhooks: each due alert once,
    until none is left, `limit` are done, `should_stop` says so or the receiver has been
    unreachable MAX_UNREACHABLE_IN_A_ROW times (the rest is left queued, counted)."""
    sent, deferred, unreachable_in_a_row = 0, 0, 0
    errors: list[str] = []
    failed: set[int] = set()
    while limit is None or sent + len(failed) < limit:
        if should_stop is not None and should_stop():
            break
        moment = now or utcnow()
        due_at = moment if backoff else None
        if unreachable_in_a_row >= MAX_UNREACHABLE_IN_A_ROW:
            deferred = queued(due_at, failed)
            break
        outcome = next_attempt(moment, due_at, failed)
        if outcome is None:
            break
        if outcome.error is None:
            sent += 1
            unreachable_in_a_row = 0
        else:
            failed.add(outcome.alert_id)
            errors.append(outcome.error)
            unreachable_in_a_row = unreachable_in_a_row + 1 if outcome.unreachable else 0
    return DeliveryReport(sent=sent, failed=len(errors), errors=errors, deferred=deferred,
                          queued=queued(None, ()))


def retry_delay(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failure: 1, 2, 4 ... minutes, at most an hour."""
    return min(MAX_RETRY, FIRST_RETRY * 2 ** max(0, min(attempts - 1, 16)))


def _to_try(due_at: datetime | None, excluding: Collection[int]) -> ColumnElement[bool]:
    """Queued alerts, of those due at `due_at` only (None: every one), bar `excluding`."""
    condition = Alert.status == AlertStatus.QUEUED
    if due_at is not None:
        condition = and_(condition, Alert.next_attempt_at <= due_at)
    if excluding:
        condition = and_(condition, Alert.id.not_in(excluding))
    return condition


def _claim_next(session: Session, due_at: datetime | None,
                failed: Collection[int]) -> Alert | None:
    """The next alert to try, locked; one that failed in this run waits for the next run."""
    lock_for_writing(session)
    statement = (select(Alert).where(_to_try(due_at, failed))
                 .order_by(Alert.next_attempt_at, Alert.id).limit(1)
                 .with_for_update(skip_locked=True))
    return session.scalars(statement).first()


def contract_recipients(tenant: Tenant) -> list[str]:
    """Billing and technical contacts: a renewal is their business, not every admin's."""
    return alert_recipients(tenant.billing_emails, tenant.technical_emails)


def _enabled_emails(session: Session, *conditions: ColumnElement[bool]) -> list[str]:
    return list(session.scalars(select(Account.email).where(
        Account.disabled.is_(False), *conditions).order_by(Account.username)))


def recipients_now(session: Session, alert: Alert, tenant: Tenant,
                   operator_emails: Sequence[str] = ()) -> list[str]:
    """Whom the alert goes to at this moment: asked at every attempt, never at queueing,
    so that a contact or an admin account added since is included (a disabled one not).

    A new license request goes to the operator's addresses (LICENSING_OPERATOR_EMAIL),
    else to the enabled super admin accounts; a decision to the requester's account (when
    it names an enabled account) and the technical and billing contacts."""
    if alert.kind == AlertKind.CONTRACT_END:
        return contract_recipients(tenant)
    if alert.kind == AlertKind.LICENSE_REQUEST:
        return alert_recipients(operator_emails or _enabled_emails(
            session, Account.role == Role.SUPER_ADMIN))
    if alert.kind == AlertKind.REQUEST_DECISION:
        request = session.get(LicenseRequest, alert.request_id) if alert.request_id else None
        requester = _enabled_emails(session, Account.username == request.requested_by) \
            if request is not None else []
        return alert_recipients(requester, tenant.technical_emails, tenant.billing_emails)
    return recipients_of(session, tenant)


def _request_facts(session: Session, alert: Alert) -> RequestFacts | None:
    request = session.get(LicenseRequest, alert.request_id) if alert.request_id else None
    if request is None:
        return None
    return RequestFacts(
        request_id=request.id, quantity=request.quantity, requested_by=request.requested_by,
        note=request.note, status=request.status, decided_by=request.decided_by,
        reason=request.reason, refill_quantity=request.refill_quantity)


def alert_mail(session: Session, alert: Alert, now: datetime,
               recipients: list[str]) -> AlertMail:
    """What the alert says, as plain values: the email's and the webhook's numbers."""
    tenant = session.get(Tenant, alert.tenant_id)
    if tenant is None:
        raise NotFound(f"tenant {alert.tenant_id!r} of alert {alert.id} no longer exists")
    term = session.get(Term, alert.term_id) if alert.term_id is not None else None
    days_left = None
    if alert.kind == AlertKind.CONTRACT_END and term is not None:
        days_left = (term.end_date - local_today(now, tenant.timezone)).days
    return AlertMail(
        alert_id=alert.id, kind=alert.kind, subject=alert.subject, recipients=recipients,
        tenant_name=tenant.name, license_type=term.license_type if term else "",
        consumed=alert.consumed, total_purchased=alert.total_purchased,
        percent_used=alert.percent_used, threshold=alert.threshold,
        term_start=term.start_date if term else None,
        term_end=term.end_date if term else None, days_left=days_left,
        request=_request_facts(session, alert), run_out_date=alert.run_out_date,
        run_out_low=alert.run_out_low, run_out_high=alert.run_out_high,
        licenses_needed=alert.licenses_needed, tenant_id=tenant.id,
    )


def _mail_of(session: Session, alert: Alert, now: datetime,
             settings: SmtpSettings) -> AlertMail:
    tenant = session.get(Tenant, alert.tenant_id)
    if tenant is None:
        raise NotFound(f"tenant {alert.tenant_id!r} of alert {alert.id} no longer exists")
    recipients = recipients_now(session, alert, tenant, settings.operator_emails)
    alert.recipients = recipients  # what this attempt tries; kept, as sent, on success
    if not recipients:
        if alert.kind == AlertKind.LICENSE_REQUEST:
            raise Refused("no operator address: set LICENSING_OPERATOR_EMAIL or give a "
                          "super admin account an email")
        raise Refused(f"{tenant.name} has no technical, billing or admin email to send to")
    return alert_mail(session, alert, now, recipients)


def _attempt(alert: Alert, session: Session, smtp: SmtpConnection, settings: SmtpSettings,
             now: datetime) -> Attempt:
    """Send one claimed alert and record the result on its row (the caller commits)."""
    alert.attempts += 1
    try:
        mail = _mail_of(session, alert, now, settings)
        refused = smtp.send(render_alert(mail, settings, now), mail.recipients)
    except DeliveryFailed as exc:
        return _fail(alert, now, str(exc), unreachable=exc.unreachable)
    except (LicensingError, ValueError) as exc:  # nothing to send to, or a header it refuses
        return _fail(alert, now, str(exc), unreachable=False)
    alert.status = AlertStatus.SENT
    alert.sent_at = now
    alert.last_error = ("delivered, but the server refused: " + "; ".join(refused)
                        if refused else None)
    return Attempt(alert.id)


def _fail(alert: Alert, now: datetime, error: str, *, unreachable: bool) -> Attempt:
    alert.last_error = error
    alert.next_attempt_at = now + retry_delay(alert.attempts)
    return Attempt(alert.id, f"alert {alert.id} ({alert.tenant_id}): {error}", unreachable)


def _deliver_next(db: Database, smtp: SmtpConnection, settings: SmtpSettings, now: datetime,
                  due_at: datetime | None, failed: Collection[int]) -> Attempt | None:
    with db.transaction() as session:
        alert = _claim_next(session, due_at, failed)
        if alert is None:
            return None
        return _attempt(alert, session, smtp, settings, now)


def count_queued(db: Database, *, due_at: datetime | None = None,
                 excluding: Collection[int] = ()) -> int:
    """Queued alerts: every one, or those due at `due_at`."""
    return count_alerts(db, _to_try(due_at, excluding))


def count_alerts(db: Database, condition: ColumnElement[bool]) -> int:
    """Alerts matching `condition`: what a delivery run (email or webhook) has left."""
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Alert).where(condition))
                   or 0)


def deliver_due(db: Database, settings: SmtpSettings, *, now: datetime | None = None,
                backoff: bool = True, limit: int | None = None,
                should_stop: Callable[[], bool] | None = None) -> DeliveryReport:
    """Try each due alert once; a failure stays queued with its error and a later retry.

    With `backoff` (the worker) an alert is due when its next attempt time has come;
    without (a one-shot run, which a person starts to get the mail out now) every queued
    alert is. `now` pins the clock (tests); `should_stop` is asked between alerts.
    """
    with SmtpConnection(settings) as smtp:
        return run_attempts(
            lambda moment, due_at, failed: _deliver_next(db, smtp, settings, moment, due_at,
                                                         failed),
            lambda due_at, excluding: count_queued(db, due_at=due_at, excluding=excluding),
            now=now, backoff=backoff, limit=limit, should_stop=should_stop)


def reminder_mark(days_left: int, marks: Collection[int] = REMINDER_DAYS) -> int | None:
    """The reminder due with `days_left` days to go: the closest mark at or above it.

    A run that missed the 30-day mark and runs 6 days before the end sends only the
    7-day reminder: one email, the one that is still true.
    """
    if days_left < 0:
        return None
    due = [mark for mark in marks if days_left <= mark]
    return min(due) if due else None


def contract_subject(tenant: Tenant, term: Term) -> str:
    return f"{tenant.name}'s contract ends on {term.end_date.isoformat()}"


def _reminder_candidates(session: Session, now: datetime) -> list[tuple[int, int, str]]:
    """(term id, mark, dedupe key) of every reminder due now and not yet queued."""
    utc_today = now.date()
    horizon = max(REMINDER_DAYS) + 1  # tenant-local dates are at most a day off UTC's
    rows = session.execute(
        select(Term, Tenant).join(Tenant, Tenant.id == Term.tenant_id).where(
            Term.end_date >= utc_today - timedelta(days=1),
            Term.end_date <= utc_today + timedelta(days=horizon))
        .order_by(Term.tenant_id, Term.end_date)).all()
    due = []
    for term, tenant in rows:
        today = local_today(now, tenant.timezone)
        if today < term.start_date:
            continue  # a term that has not started is not ending for its tenant yet
        mark = reminder_mark((term.end_date - today).days)
        if mark is None or _renewed(session, term):
            continue
        key = f"{AlertKind.CONTRACT_END}:{term.id}:{mark}"
        if session.scalar(select(Alert.id).where(Alert.dedupe_key == key)) is None:
            due.append((term.id, mark, key))
    return due


def _renewed(session: Session, term: Term) -> bool:
    """A later term exists: the contract goes on, and a reminder would only confuse."""
    return session.scalar(select(Term.id).where(
        Term.tenant_id == term.tenant_id, Term.start_date > term.end_date).limit(1)) is not None


def _queue_reminder(db: Database, term_id: int, key: str, now: datetime) -> int | None:
    with db.transaction() as session:
        lock_for_writing(session)
        if session.scalar(select(Alert.id).where(Alert.dedupe_key == key)) is not None:
            return None  # another runner queued it a moment ago
        term = session.get(Term, term_id)
        tenant = session.get(Tenant, term.tenant_id) if term else None
        if term is None or tenant is None:
            return None
        totals = term_totals(session, term)
        alert = Alert(
            tenant_id=tenant.id, term_id=term.id, kind=AlertKind.CONTRACT_END, dedupe_key=key,
            threshold=None, percent_used=round(totals.percent_used, 2),
            consumed=totals.consumed, total_purchased=totals.total_purchased,
            recipients=[], subject=contract_subject(tenant, term),  # resolved at delivery
            status=AlertStatus.QUEUED, attempts=0, next_attempt_at=now, created_at=now,
        )
        session.add(alert)
        session.flush()
        return alert.id


def queue_contract_reminders(db: Database, *, now: datetime | None = None) -> list[int]:
    """Queue the 30- and 7-day contract-end reminders that are due; each fires once."""
    now = now or utcnow()
    with db.transaction() as session:
        candidates = _reminder_candidates(session, now)
    queued = []
    for term_id, _mark, key in candidates:
        try:
            alert_id = _queue_reminder(db, term_id, key, now)
        except IntegrityError:  # the unique dedupe key: a concurrent runner was first
            continue
        if alert_id is not None:
            queued.append(alert_id)
    return queued


def retry_now(db: Database, alert_id: int, *, tenant_id: str | None = None,
              now: datetime | None = None) -> None:
    """Make a queued alert due at once ("retry now"), for a worker waiting out its back-off."""
    now = now or utcnow()
    with db.transaction() as session:
        alert = session.scalars(select(Alert).where(Alert.id == alert_id)
                                .with_for_update()).first()
        if alert is None or (tenant_id is not None and alert.tenant_id != tenant_id):
            raise NotFound(f"no alert {alert_id}")
        if alert.status != AlertStatus.QUEUED:
            raise Refused(f"alert {alert_id} was already sent at {alert.sent_at}")
        alert.next_attempt_at = now


def delivery_state(status: AlertStatus, attempts: int) -> Delivery:
    """How a page names an alert: sent, failing (queued after a failed try) or queued."""
    if status == AlertStatus.SENT:
        return Delivery.SENT
    return Delivery.FAILING if attempts > 0 else Delivery.QUEUED


__all__ = [
    "DeliveryReport", "alert_mail",
    "contract_recipients", "count_queued", "deliver_due", "delivery_state",
    "queue_contract_reminders", "recipients_now", "reminder_mark", "retry_delay", "retry_now",
]
