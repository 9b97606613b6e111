"""Queueing run-out warnings: every tenant's current term, forecast in bulk, once each.

`licensing alerts run` calls this beside the contract-end reminders. The forecasts are
those of the risk ranking (queries.forecasts.current_forecasts: a few queries for all
tenants); the rule is domain.run_out. Each warning is queued in its own short transaction
that holds the term's row and checks again, so two runners at once queue it once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from licensing_core.clock import utcnow
from licensing_core.db.engine import Database
from licensing_core.db.models import Alert, Refill, Tenant, Term
from licensing_core.db.tenancy import lock_for_writing, term_totals
from licensing_core.domain.forecast import Forecast
from licensing_core.domain.kinds import AlertKind, AlertStatus
from licensing_core.domain.run_out import RunOutAction, run_out_action
from licensing_core.queries.forecasts import CurrentForecast, current_forecasts

# Term ids per IN list: far below SQLite's limit on bound parameters.
IDS_PER_QUERY = 900


def run_out_subject(tenant: Tenant, term: Term, forecast: Forecast) -> str:
    day = forecast.run_out_date.isoformat() if forecast.run_out_date else "soon"
    return f"{tenant.name} will run out of {term.license_type} licenses around {day}"


def _warned_and_refilled(session: Session) -> dict[int, tuple[datetime | None, datetime | None]]:
    """Each warned term: when it was warned, and its latest refill (a few terms only)."""
    warned = dict(session.execute(select(Term.id, Term.run_out_warned_at)
                                  .where(Term.run_out_warned_at.is_not(None))).all())
    ids = list(warned)
    latest: dict[int, datetime] = {}
    for start in range(0, len(ids), IDS_PER_QUERY):
        latest.update(session.execute(
            select(Refill.term_id, func.max(Refill.recorded_at))
            .where(Refill.term_id.in_(ids[start:start + IDS_PER_QUERY]))
            .group_by(Refill.term_id)).all())
    return {term_id: (at, latest.get(term_id)) for term_id, at in warned.items()}


def _action(current: CurrentForecast,
            warned: dict[int, tuple[datetime | None, datetime | None]]) -> RunOutAction:
    warned_at, refilled_at = warned.get(current.term_id, (None, None))
    return run_out_action(
        current.forecast, today=current.today, term_start=current.term_start,
        term_end=current.term_end, warned=warned_at is not None,
        refilled_since_warning=(warned_at is not None and refilled_at is not None
                                and refilled_at > warned_at))


def _apply(db: Database, current: CurrentForecast, action: RunOutAction,
           warned_at: datetime | None, now: datetime) -> int | None:
    """Queue (or re-arm) in one transaction holding the term, if nobody did meanwhile."""
    with db.transaction() as session:
        lock_for_writing(session)
        term = session.scalars(select(Term).where(Term.id == current.term_id)
                               .with_for_update()).first()
        if term is None or term.run_out_warned_at != warned_at:
            return None  # gone, or another runner decided first
        if action == RunOutAction.REARM:
            term.run_out_warned_at = None
            return None
        tenant = session.get(Tenant, term.tenant_id)
        assert tenant is not None  # a foreign key
        earlier = session.scalar(select(func.count()).select_from(Alert).where(
            Alert.term_id == term.id, Alert.kind == AlertKind.RUN_OUT)) or 0
        totals = term_totals(session, term)
        forecast = current.forecast
        alert = Alert(
            tenant_id=tenant.id, term_id=term.id, kind=AlertKind.RUN_OUT,
            dedupe_key=f"{AlertKind.RUN_OUT}:{term.id}:{earlier + 1}", threshold=None,
            percent_used=round(totals.percent_used, 2), consumed=totals.consumed,
            total_purchased=totals.total_purchased, recipients=[],  # resolved at delivery
            subject=run_out_subject(tenant, term, forecast), status=AlertStatus.QUEUED,
            attempts=0, next_attempt_at=now, created_at=now, run_out_date=forecast.run_out_date,
            run_out_low=forecast.run_out_low, run_out_high=forecast.run_out_high,
            licenses_needed=forecast.needed_to_last_term,
        )
        term.run_out_warned_at = now
        session.add(alert)
        session.flush()
        return alert.id


def queue_run_out_warnings(db: Database, *, now: datetime | None = None) -> list[int]:
    """Queue the run-out warnings that are due, and re-arm those a refill moved away;
    returns the alerts queued."""
    now = now or utcnow()
    forecasts = current_forecasts(db, now=now)
    with db.transaction() as session:
        warned = _warned_and_refilled(session)
    queued = []
    for current in forecasts:
        action = _action(current, warned)
        if action == RunOutAction.NONE:
            continue
        warned_at = warned.get(current.term_id, (None, None))[0]
        try:
            alert_id = _apply(db, current, action, warned_at, now)
        except IntegrityError:  # the unique dedupe key: a concurrent runner was first
            continue
        if alert_id is not None:
            queued.append(alert_id)
    return queued


__all__ = ["queue_run_out_warnings", "run_out_subject"]
