"""License requests in the dashboard: a tenant admin's form and list, and the super admin's
queue where each open request is decided once, approved (a refill, previewed as on Record
refill) or declined with a reason. The rules are the services'; this draws them."""

from __future__ import annotations

from typing import Any, cast

import pandas as pd
import streamlit as st

from licensing_core.auth.permissions import Principal, require_super_admin
from licensing_core.db.engine import Database
from licensing_core.domain.kinds import LicenseType, RequestStatus
from licensing_core.domain.requests import RequestView, refill_note
from licensing_core.errors import Forbidden
from licensing_core.queries.forecasts import runs_out_text
from licensing_core.queries.requests import list_requests, requests_overview
from licensing_core.queries.summary import SubscriptionSummary
from licensing_core.services.guards import require_tenant_admin
from licensing_core.services.requests import (
    approve_request,
    create_request,
    decline_request,
    preview_approval,
)
from licensing_core.ui import data, flash, forecast_data, forecasts, formatting, labels, refills
from licensing_core.ui.context import TenantContext
from licensing_core.ui.forms import refusal_shown
from licensing_core.ui.resources import database_for
from licensing_core.ui.text import plain

CHOSEN_KEY = "_licensing_request_chosen"  # the request the operator is deciding


def may_request(ctx: TenantContext) -> bool:
    """The service's rule (a tenant's admins; never a viewer), asked rather than repeated."""
    try:
        require_tenant_admin(ctx.principal, ctx.tenant_id, "ask for licenses")
    except Forbidden:
        return False
    return True


# -- a tenant's people ---------------------------------------------------------------------

def request_form(ctx: TenantContext, summary: SubscriptionSummary) -> None:
    """Quantity and note, sent to the operator; a tenant viewer is told who can ask."""
    if ctx.is_super_admin:
        st.info("Super admins decide requests on the Requests page, or record a refill "
                "directly.", icon=":material/info:")
        return
    if not may_request(ctx):
        st.info("Only the tenant's admins can request licenses; its requests and the "
                "decisions are listed below.", icon=":material/info:")
        return
    needed = forecast_data.forecast(ctx).forecast.needed_to_last_term
    unit = "session" if summary.license_type == LicenseType.SESSION else "user"
    with st.form("request_form"):
        st.markdown(f"**Ask the operator for more {unit} licenses for {plain(summary.name)}**")
        quantity = st.number_input(
            "Licenses", min_value=0, step=1, value=max(int(needed), 0), key="request_quantity",
            help=f"Licenses to add to this term's total; {formatting.count(needed)} would last "
                 "the term at the current pace.")
        note = st.text_area("Note", key="request_note",
                            help="Optional: why, for whom, an order or budget reference")
        sent = st.form_submit_button(f"Send request for {plain(summary.name)}", type="primary",
                                     key="request_send")
    if sent:
        with refusal_shown():
            made = create_request(ctx.db, principal=ctx.principal, tenant_id=ctx.tenant_id,
                                  quantity=int(quantity), note=note)
            data.invalidate()  # the operator's queue shows it at once
            flash.later(f"Request #{made.request_id} for {formatting.count(made.quantity)} "
                        f"licenses sent: the operator is emailed, and the decision shows here.")
            st.rerun()


def request_line(view: RequestView) -> str:
    """One request as a person reads it, its decision included (Markdown; input escaped)."""
    asked = (f"**#{view.request_id} · {formatting.count(view.quantity)} licenses** · "
             f"{labels.request_status(view.status)}")
    if view.refill_quantity is not None and view.refill_quantity != view.quantity:
        asked += f", {formatting.count(view.refill_quantity)} granted"
    words = [asked, f"asked by {plain(view.requested_by)} on "
                    f"{formatting.local_time(view.requested_at, view.timezone)}"]
    if view.note:
        words.append(f"note: {plain(view.note)}")
    if view.decided_at is not None:
        words.append(f"{labels.request_status(view.status).lower()} by "
                     f"{plain(view.decided_by or '')} on "
                     f"{formatting.local_time(view.decided_at, view.timezone)}")
    if view.reason:
        words.append(("reason: " if view.refill_id is None else "answer: ") + plain(view.reason))
    return " · ".join(words)


def own_requests(ctx: TenantContext) -> None:
    """The tenant's open requests, then the decided ones, the latest decision first."""
    views = list_requests(ctx.db, principal=ctx.principal, tenant_id=ctx.tenant_id)
    waiting = [v for v in views if v.is_open]
    decided = [v for v in views if not v.is_open]
    st.subheader("Open requests")
    if waiting:
        st.markdown("\n".join(f"- {request_line(v)}" for v in waiting))
    else:
        st.caption("No open request.")
    st.subheader("Decisions")
    if decided:
        st.markdown("\n".join(f"- {request_line(v)}" for v in decided))
    else:
        st.caption("No request has been decided yet.")


# -- the operator's queue ------------------------------------------------------------------

@st.cache_data(ttl=data.TTL_S, show_spinner=False)
def _overview(url: str, _principal: Principal) -> pd.DataFrame:
    """Keyed by the database only (`_principal` is not hashed): checked by the caller."""
    return requests_overview(database_for(url), principal=_principal)


def overview(principal: Principal, db: Database) -> pd.DataFrame:
    """Every tenant's requests with its tenant's numbers and forecast (open first)."""
    require_super_admin(principal)
    return _overview(db.url, principal)


DECIDED_COLUMNS = {
    "request_id": "Request", "tenant_id": "Tenant", "status": "Status",
    "quantity": "Quantity", "refill_quantity": "Granted", "decided_by": "Decided By",
    "decided_at": "Decided At", "reason": "Reason or Note", "requested_by": "Requested By",
    "requested_at": "Requested At", "note": "Request Note",
}
DECIDED_CONFIG = {"Quantity": formatting.count_column(),
                  "Granted": formatting.count_column(help="The refill recorded on approval")}


def decided_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The decided requests as shown: words for statuses, times in each tenant's offset."""
    shown = rows[list(DECIDED_COLUMNS)].copy()
    shown["status"] = [labels.request_status(v) for v in shown["status"]]
    for column in ("decided_at", "requested_at"):
        shown[column] = [formatting.local_time(v) for v in shown[column].tolist()]
    return shown.rename(columns=DECIDED_COLUMNS)


def _now_line(row: dict[str, Any]) -> str:
    """The tenant's term now: percent used and the forecast, as the Risk page words it."""
    run_out = None if pd.isna(row["run_out_date"]) else row["run_out_date"]
    forecast = runs_out_text(run_out, bool(row["lasts_term"]), bool(row["already_over"]),
                             day=formatting.day)
    needed = int(row["needed_to_last_term"])
    return (f"Now {formatting.percent(float(row['percent_used']))} used "
            f"({formatting.count(int(row['consumed']))} of "
            f"{formatting.count(int(row['total_purchased']))}), {forecast}"
            + (f"; {formatting.count(needed)} more would last the term" if needed > 0 else "")
            + f" ({labels.term_state(row['state']).lower()} term).")


def request_card(row: dict[str, Any]) -> None:
    """What was asked, by whom and when, and where the tenant stands."""
    st.markdown(f"**#{row['request_id']} · {plain(row['tenant_name'])} asks for "
                f"{formatting.count(int(row['quantity']))} licenses** · by "
                f"{plain(row['requested_by'])} on {formatting.local_time(row['requested_at'])}"
                + (f" · note: {plain(row['note'])}" if row["note"] else ""))
    st.caption(_now_line(row))


def _choose(request_id: int) -> None:
    st.session_state[CHOSEN_KEY] = request_id


def _close() -> None:
    st.session_state.pop(CHOSEN_KEY, None)


def chosen() -> int | None:
    found: int | None = st.session_state.get(CHOSEN_KEY)
    return found


def decide_button(row: dict[str, Any]) -> None:
    request_id = int(row["request_id"])
    st.button(f"Decide #{request_id}", key=f"request_decide_{request_id}", on_click=_choose,
              args=(request_id,), icon=":material/gavel:")


def _approve(principal: Principal, db: Database, row: dict[str, Any], quantity: int,
             note: str) -> None:
    with refusal_shown():
        decision = approve_request(db, principal=principal, request_id=int(row["request_id"]),
                                   quantity=quantity, note=note)
        total = decision.refill.total_after if decision.refill else 0
        _close()
        data.invalidate()  # the tenant's total and lists follow at once
        flash.later(f"Request #{decision.request.request_id} approved: a refill of "
                    f"{formatting.signed_count(quantity)} for {decision.request.tenant_name}, "
                    f"whose total is now {formatting.count(total)}. The requester and the "
                    "contacts are emailed.")
        st.rerun()


def _decline(principal: Principal, db: Database, row: dict[str, Any], reason: str) -> None:
    with refusal_shown():
        decision = decline_request(db, principal=principal,
                                   request_id=int(row["request_id"]), reason=reason)
        _close()
        data.invalidate()
        flash.later(f"Request #{decision.request.request_id} of "
                    f"{decision.request.tenant_name} declined. The requester and the "
                    "contacts are emailed the reason.")
        st.rerun()


def decision_panel(principal: Principal, db: Database, row: dict[str, Any]) -> None:
    """The approval's preview (the Record refill preview, for the quantity to grant), then
    Approve with an optional note, or Decline with a reason. A request decided meanwhile
    shows the service's refusal instead."""
    request_id, name = int(row["request_id"]), str(row["tenant_name"])
    if row["status"] != RequestStatus.OPEN:
        with refusal_shown():
            preview_approval(db, principal=principal, request_id=request_id)
        st.button("Close", key=f"request_close_{request_id}", on_click=_close)
        return
    quantity = int(st.number_input(
        "Licenses to grant", min_value=0, step=1, value=int(row["quantity"]),
        key=f"request_grant_{request_id}",
        help="The quantity asked for, or another: the refill records this many."))
    previewed = False
    with refusal_shown():
        approval = preview_approval(db, principal=principal, request_id=request_id,
                                    quantity=quantity)
        shown = forecast_data.forecast(TenantContext(principal, db, str(row["tenant_id"])))
        forecasts.refill_forecast(shown, approval.quantity)
        refills.preview_box(approval.refill, approval.quantity, refill_note(request_id, ""),
                            name)
        previewed = True
    if previewed:
        with st.form(f"request_approve_form_{request_id}", border=False):
            note = st.text_input("Note to the requester (optional)",
                                 key=f"request_approve_note_{request_id}",
                                 help="Emailed with the decision and kept with the refill")
            approve = st.form_submit_button(
                f"Approve: refill {formatting.signed_count(quantity)} for {plain(name)}",
                type="primary", key=f"request_approve_{request_id}")
        if approve:
            _approve(principal, db, row, quantity, note)
    with st.form(f"request_decline_form_{request_id}", border=False):
        reason = st.text_area("Reason for declining", key=f"request_reason_{request_id}",
                              help="Required: emailed to the requester and the contacts")
        decline = st.form_submit_button(f"Decline request #{request_id}",
                                        key=f"request_decline_{request_id}")
    if decline:
        _decline(principal, db, row, reason)
    st.button("Close", key=f"request_close_{request_id}", on_click=_close)


def queue(principal: Principal, db: Database, frame: pd.DataFrame) -> None:
    """Open requests first, each with a Decide button (one decided at a time), then the
    decided ones as a table."""
    rows = cast(list[dict[str, Any]], frame.to_dict("records"))
    waiting = [r for r in rows if r["status"] == RequestStatus.OPEN]
    current = chosen()
    picked = next((r for r in rows if int(r["request_id"]) == current), None)
    if current is not None and picked is None:
        _close()  # no longer listed
    st.subheader(f"Open requests ({formatting.count(len(waiting))})")
    if not waiting:
        st.caption("No open request.")
    for row in waiting:
        with st.container(border=True):
            request_card(row)
            if picked is row:
                decision_panel(principal, db, row)
            else:
                decide_button(row)
    if picked is not None and picked["status"] != RequestStatus.OPEN:
        with st.container(border=True):
            request_card(picked)
            decision_panel(principal, db, picked)
    decided = frame[frame["status"] != RequestStatus.OPEN]
    st.subheader("Decided")
    if decided.empty:
        st.caption("No request has been decided yet.")
    else:
        st.dataframe(decided_table(decided), hide_index=True, key="requests_decided",
                     column_config=DECIDED_CONFIG)
