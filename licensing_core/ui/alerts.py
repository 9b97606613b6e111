"""The Alerts page's table, pages and "retry now"."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from licensing_core.auth.permissions import require_contact_edit
from licensing_core.domain.kinds import AlertStatus, WebhookStatus
from licensing_core.errors import Refused
from licensing_core.services.outbox import delivery_state, retry_now
from licensing_core.services.webhooks import retry_webhook_now, webhook_state
from licensing_core.ui import data, flash, formatting, labels
from licensing_core.ui.context import TenantContext
from licensing_core.ui.text import plain

PAGE_ROWS = 200  # alerts are few: a page holds months of them
PAGE_KEY = "_licensing_alerts_page"
SHOWN = {"id": "Alert", "kind": "Kind", "threshold": "Threshold", "forecast": "Forecast",
         "created_at": "Queued at", "recipients": "Recipients", "delivery": "Delivery",
         "attempts": "Attempts", "last_error": "Last error", "sent_at": "Sent at",
         "next_attempt_at": "Next attempt", "webhook": "Webhook",
         "webhook_attempts": "Webhook attempts", "webhook_last_error": "Webhook error",
         "subject": "Subject"}

COLUMN_CONFIG = {"Attempts": formatting.count_column(),
                 "Webhook attempts": formatting.count_column()}
UNRESOLVED = "to be resolved at delivery"


def alert_name(alert_id: int) -> str:
    """How the table and the retry form name an alert: "#12" (an id, not a count)."""
    return f"#{alert_id}"


def recipients_text(status: AlertStatus, recipients: str) -> str:
    """The addresses a sent alert went to; a queued one asks again when it is sent."""
    if status == AlertStatus.SENT:
        return recipients
    return f"{UNRESOLVED} (last tried: {recipients})" if recipients else UNRESOLVED


def forecast_text(run_out: str, low: str, high: str, needed: object) -> str:
    """A run-out warning's forecast: the date, its range and the licenses needed to last."""
    if not run_out:
        return ""
    span = f" (between {low} and {high})" if low and high and (low, high) != (run_out,) * 2 \
        else ""
    count = 0 if needed is None or pd.isna(needed) else int(str(needed))
    more = f"; {formatting.count(count)} more needed to last the term" if count > 0 else ""
    return f"runs out on {run_out}{span}{more}"


def shown(rows: pd.DataFrame, timezone: str) -> pd.DataFrame:
    frame = rows.copy()
    frame["delivery"] = [labels.delivery(delivery_state(s, int(a)))
                         for s, a in zip(frame["status"], frame["attempts"], strict=True)]
    frame["webhook"] = [labels.delivery(webhook_state(s, int(a))) for s, a in
                        zip(frame["webhook_status"], frame["webhook_attempts"], strict=True)]
    frame["forecast"] = [forecast_text(*values) for values in zip(
        frame["run_out_date"], frame["run_out_low"], frame["run_out_high"],
        frame["licenses_needed"], strict=True)]
    frame["kind"] = [labels.alert_kind(k) for k in frame["kind"]]
    frame["id"] = [alert_name(i) for i in frame["id"]]
    frame["recipients"] = [recipients_text(s, r)
                           for s, r in zip(frame["status"], frame["recipients"], strict=True)]
    frame.loc[frame["status"] == AlertStatus.SENT, "next_attempt_at"] = None
    frame["threshold"] = [f"{t}%" if pd.notna(t) else "" for t in frame["threshold"]]
    frame = formatting.localize(frame, ["created_at", "sent_at", "next_attempt_at"], timezone)
    return frame[list(SHOWN)].rename(columns=SHOWN)


def page_number() -> int:
    return int(st.session_state.get(PAGE_KEY, 1))


def _move(step: int) -> None:
    st.session_state[PAGE_KEY] = max(1, page_number() + step)


def pager(number: int, rows_on_page: int) -> None:
    if number == 1 and rows_on_page < PAGE_ROWS:
        return
    newer, older, where = st.columns([1, 1, 4])
    newer.button("Newer", disabled=number == 1, on_click=_move, args=(-1,), key="alerts_newer")
    older.button("Older", disabled=rows_on_page < PAGE_ROWS, on_click=_move, args=(1,),
                 key="alerts_older")
    where.caption(f"Page {number}")


def retry_form(ctx: TenantContext, rows: pd.DataFrame) -> None:
    """Make an undelivered alert (its email, its webhook or both) due now; the next
    `licensing alerts run` sends it."""
    email_waiting = rows["status"] != AlertStatus.SENT
    webhook_waiting = rows["webhook_status"] == WebhookStatus.QUEUED
    waiting = rows[email_waiting | webhook_waiting]
    if waiting.empty:
        return
    with st.form("alerts_retry"):
        alert_id = st.selectbox("Undelivered alert", waiting["id"].tolist(),
                                format_func=alert_name)
        pressed = st.form_submit_button("Retry now", key="alerts_retry_now")
    if pressed and alert_id is not None:
        require_contact_edit(ctx.principal, ctx.tenant_id)
        row = rows[rows["id"] == alert_id].iloc[0]
        try:
            if row["status"] != AlertStatus.SENT:
                retry_now(ctx.db, int(alert_id), tenant_id=ctx.tenant_id)
            if row["webhook_status"] == WebhookStatus.QUEUED:
                retry_webhook_now(ctx.db, int(alert_id), tenant_id=ctx.tenant_id)
        except Refused as exc:
            st.error(plain(exc))
            return
        data.invalidate()
        flash.later(f"Alert #{alert_id} will be sent by the next delivery run.")
        st.rerun()
