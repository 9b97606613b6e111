"""The refill form's preview (new total, percent, alerts queued or re-armed) and save."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from licensing_core.auth.permissions import require_super_admin
from licensing_core.domain.terms import parse_quantity
from licensing_core.services.refills import RefillPreview, preview_refill, record_refill
from licensing_core.ui import data, flash, formatting
from licensing_core.ui.context import TenantContext
from licensing_core.ui.forms import refusal_shown
from licensing_core.ui.text import plain

PENDING_KEY = "_licensing_refill_pending"
# What a refusal of the refill form means: the refill, previewed or saved, is not recorded.
REFUSED = "Refill refused"


@dataclass(frozen=True)
class PendingRefill:
    tenant_id: str
    quantity: int
    note: str
    outcome: RefillPreview


def preview(ctx: TenantContext, quantity_text: str, note: str) -> None:
    """Compute what the refill would do; a refused one shows why and keeps nothing."""
    st.session_state.pop(PENDING_KEY, None)
    require_super_admin(ctx.principal)
    with refusal_shown(REFUSED):
        quantity = parse_quantity(quantity_text)
        outcome = preview_refill(ctx.db, tenant_id=ctx.tenant_id, quantity=quantity)
        st.session_state[PENDING_KEY] = PendingRefill(ctx.tenant_id, quantity, note.strip(),
                                                      outcome)


def pending(ctx: TenantContext) -> PendingRefill | None:
    found: PendingRefill | None = st.session_state.get(PENDING_KEY)
    return found if found is not None and found.tenant_id == ctx.tenant_id else None


def alert_text(outcome: RefillPreview) -> str:
    parts = []
    if outcome.alert_threshold is not None:
        parts.append(f"queues the {outcome.alert_threshold}% alert")
    if outcome.rearmed:
        parts.append("re-arms the " + ", ".join(f"{t}%" for t in outcome.rearmed)
                     + " alert" + ("s" if len(outcome.rearmed) > 1 else ""))
    return "This refill " + (" and ".join(parts) if parts else "queues no alert") + "."


def show_preview(refill: PendingRefill, tenant_name: str) -> None:
    preview_box(refill.outcome, refill.quantity, refill.note, tenant_name)


def preview_box(outcome: RefillPreview, quantity: int, note: str, tenant_name: str) -> None:
    """What a refill would change (new total, available, percent, alerts): the one drawing
    of it, for Record refill and for a license request's approval."""
    before, after = outcome.before, outcome.after
    with st.container(border=True):
        st.markdown(f"**Preview of a refill of {quantity:+d} for {plain(tenant_name)}**"
                    + (f" · note: {plain(note)}" if note else ""))
        total, available, percent = st.columns(3)
        total.metric("New total purchase", formatting.count(after.total_purchased),
                     delta=f"{quantity:+d}")
        available.metric("New available", formatting.count(after.available),
                         delta=f"{after.available - before.available:+d}")
        percent.metric("New percent used", formatting.percent(after.percent_used),
                       delta=f"{after.percent_used - before.percent_used:+.1f} points",
                       delta_color="inverse")
        st.markdown(alert_text(outcome))


def save_label(tenant_name: str) -> str:
    """The confirmation names the tenant that the refill goes to."""
    return f"Save refill for {plain(tenant_name)}"


def save(ctx: TenantContext, refill: PendingRefill) -> None:
    require_super_admin(ctx.principal)
    with refusal_shown(REFUSED):
        result = record_refill(ctx.db, tenant_id=ctx.tenant_id, quantity=refill.quantity,
                               recorded_by=ctx.principal.username, note=refill.note)
        st.session_state.pop(PENDING_KEY, None)
        data.invalidate()
        queued = f"; {len(result.alerts_queued)} alert queued" if result.alerts_queued else ""
        flash.later(f"Refill of {refill.quantity:+d} recorded: the total is now "
                    f"{formatting.count(result.total_after)}{queued}.")
        st.rerun()
