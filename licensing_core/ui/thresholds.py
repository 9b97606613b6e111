"""The Subscription page's alert thresholds: everyone reads them; a tenant's admins (and the
operator) change them after a preview that says which are already passed, because those
count as notified and a change never sends an email."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from licensing_core.domain.thresholds import (
    DEFAULT_THRESHOLDS,
    MAX_PERCENT,
    MAX_THRESHOLDS,
    MIN_PERCENT,
    ThresholdPreview,
)
from licensing_core.errors import Forbidden
from licensing_core.queries.summary import SubscriptionSummary
from licensing_core.services.thresholds import (
    preview_threshold_change,
    require_threshold_edit,
    reset_thresholds,
    set_thresholds,
)
from licensing_core.ui import data, flash, formatting
from licensing_core.ui.context import TenantContext
from licensing_core.ui.forms import refusal_shown
from licensing_core.ui.text import plain

PENDING_KEY = "_licensing_thresholds_pending"
# Percents may be separated as people type lists; a "%" after a number is allowed.
SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class PendingChange:
    """A previewed change, saved only by the button that names its tenant."""

    tenant_id: str
    reset: bool  # back to the defaults, rather than the tenant's own
    preview: ThresholdPreview


def input_key(tenant_id: str) -> str:
    """The field is per tenant: a super admin who opens another one never sees the
    previous tenant's typing."""
    return f"thresholds_input_{tenant_id}"


def may_edit(ctx: TenantContext) -> bool:
    """The service's rule, asked rather than repeated: a viewer reads, never edits."""
    try:
        require_threshold_edit(ctx.principal, ctx.tenant_id)
    except Forbidden:
        return False
    return True


def split_percents(text: str) -> list[str]:
    """The typed words, each checked by the domain's parse_thresholds (via the service)."""
    return [word.removesuffix("%") for word in SEPARATORS.split(text.strip()) if word]


def listed(thresholds: Sequence[int]) -> str:
    """"75%, 85% and 95%"."""
    words = [f"{t}%" for t in thresholds]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def preview_lines(preview: ThresholdPreview) -> list[str]:
    """What saving would mean for the current term, in words."""
    used = formatting.percent(preview.percent_used)
    passed, ahead = preview.passed, preview.ahead
    if passed:
        verb = "is" if len(passed) == 1 else "are"
        lines = [f"At {used} used, **{listed(passed)}** {verb} already passed: counted as "
                 "notified, so no email is sent for "
                 + ("it" if len(passed) == 1 else "them") + "."]
    else:
        lines = [f"At {used} used, no threshold is passed yet."]
    lines.append(f"An alert email goes when consumption reaches **{listed(ahead)}**."
                 if ahead else "No threshold is left ahead: no further alert this term.")
    lines.append("Saving queues no email.")
    return lines


def _preview(ctx: TenantContext, thresholds: Sequence[int | str], *, reset: bool) -> None:
    st.session_state.pop(PENDING_KEY, None)
    with refusal_shown():
        preview = preview_threshold_change(ctx.db, principal=ctx.principal,
                                           tenant_id=ctx.tenant_id, thresholds=thresholds)
        st.session_state[PENDING_KEY] = PendingChange(ctx.tenant_id, reset, preview)


def _pending(ctx: TenantContext) -> PendingChange | None:
    found: PendingChange | None = st.session_state.get(PENDING_KEY)
    return found if found is not None and found.tenant_id == ctx.tenant_id else None


def save_label(change: PendingChange, tenant_name: str) -> str:
    """The button that writes names the tenant it writes to."""
    verb = "Reset thresholds" if change.reset else "Save thresholds"
    return f"{verb} for {plain(tenant_name)}"


def _save(ctx: TenantContext, change: PendingChange, tenant_name: str) -> None:
    with refusal_shown():
        if change.reset:
            done = reset_thresholds(ctx.db, principal=ctx.principal, tenant_id=ctx.tenant_id)
        else:
            done = set_thresholds(ctx.db, principal=ctx.principal, tenant_id=ctx.tenant_id,
                                  thresholds=change.preview.thresholds)
        st.session_state.pop(PENDING_KEY, None)
        st.session_state.pop(input_key(ctx.tenant_id), None)  # it shows the saved ones
        data.invalidate()  # the gauge, the caption and the banner follow at once
        flash.later(f"Alert thresholds of {tenant_name} saved: {listed(done.after)}"
                    + (" (the defaults)." if done.is_default else "."))
        st.rerun()


def thresholds_editor(ctx: TenantContext, summary: SubscriptionSummary) -> None:
    """The thresholds in force, and for who may change them a field, Preview, then Save
    (or Reset to the defaults, previewed the same way)."""
    default = tuple(summary.thresholds) == DEFAULT_THRESHOLDS
    with st.expander("Alert thresholds", icon=":material/notifications:",
                     key="thresholds_expander"):
        st.markdown(f"Alert emails at **{listed(summary.thresholds)}** used"
                    + (" (the defaults)." if default else f" ({plain(summary.name)}'s own)."))
        if not may_edit(ctx):
            st.caption("The tenant's admins and the operator can change them.")
            return
        with st.form("thresholds_form", border=False):
            text = st.text_input(
                "Thresholds (percent used)", key=input_key(ctx.tenant_id),
                value=" ".join(str(t) for t in summary.thresholds),
                help=f"1 to {MAX_THRESHOLDS} whole percents from {MIN_PERCENT} to "
                     f"{MAX_PERCENT}, strictly increasing, e.g. 50 75 90 100")
            asked, reset, _ = st.columns([1, 2, 3])
            preview = asked.form_submit_button("Preview", key="thresholds_preview")
            defaults = reset.form_submit_button(
                "Preview reset to " + " ".join(str(t) for t in DEFAULT_THRESHOLDS),
                key="thresholds_reset_preview")
        if preview:
            _preview(ctx, split_percents(text), reset=False)
        if defaults:
            _preview(ctx, DEFAULT_THRESHOLDS, reset=True)
        change = _pending(ctx)
        if change is None:
            return
        with st.container(border=True):
            st.markdown(f"**Preview: alerts at {listed(change.preview.thresholds)}**")
            st.markdown("\n".join(f"- {line}" for line in preview_lines(change.preview)))
            if change.preview.thresholds == tuple(summary.thresholds):
                st.caption("These are the thresholds in force: nothing to save.")
            elif st.button(save_label(change, summary.name), type="primary",
                           key="thresholds_save"):
                _save(ctx, change, summary.name)
