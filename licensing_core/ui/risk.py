"""The Risk page's filters and columns: tenants ranked by how soon they run out or expire."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from licensing_core.queries.forecasts import runs_out_text
from licensing_core.ui import formatting, labels
from licensing_core.ui.overview import tenant_mask

# The default horizon of "act within": a quarter leaves time to order, approve and refill.
DEFAULT_WITHIN_DAYS = 90
COLUMNS = {"tenant_id": "Tenant", "name": "Name", "license_type": "License Type",
           "state": "State", "risk": "Risk", "days_to_risk": "In Days",
           "runs_out": "Runs Out", "run_out_range": "Range", "end_date": "End Date",
           "percent_used": "Percent Used", "term_elapsed_percent": "Term Elapsed",
           "pace_per_day": "Pace per Day", "needed_to_last_term": "Needed to Last"}
COLUMN_CONFIG = {
    "Percent Used": st.column_config.ProgressColumn(
        "Percent Used", min_value=0, max_value=100, format="%.1f%%"),
    "Term Elapsed": st.column_config.ProgressColumn(
        "Term Elapsed", min_value=0, max_value=100, format="%.1f%%"),
    "In Days": formatting.count_column(
        help="Days until the licenses run out or the term ends, whichever comes first"),
    "Needed to Last": formatting.count_column(
        help="More licenses needed to last the term at the current pace"),
    "End Date": formatting.date_column(),
    "Pace per Day": st.column_config.NumberColumn(format="%.1f"),
}


def filtered(table: pd.DataFrame) -> pd.DataFrame:
    """Rows matching the filters drawn here: text, license type, risk, within N days."""
    left, middle, right, last = st.columns(4)
    text = left.text_input("Search tenant", key="risk_text", help="Id or name")
    types = middle.multiselect("License type", sorted(table["license_type"].unique()),
                               key="risk_types", format_func=labels.license_type)
    risks = right.multiselect("Risk", sorted(table["risk"].unique()), key="risk_kinds",
                              format_func=labels.risk)
    within = last.number_input("Within (days)", min_value=0, value=DEFAULT_WITHIN_DAYS,
                               step=1, key="risk_within",
                               help="Only tenants that run out or end within this many days")
    keep = (table["days_to_risk"] <= int(within)) & tenant_mask(table, text, types)
    if risks:
        keep &= table["risk"].isin(risks)
    return table[keep].reset_index(drop=True)


def _range(row: pd.Series) -> str:
    if row["already_over"] or pd.isna(row["run_out_low"]):
        return ""
    high = row["run_out_high"]
    return (f"{formatting.day(row['run_out_low'])} – "
            f"{formatting.day(high) if not pd.isna(high) else 'later'}")


def display(table: pd.DataFrame) -> pd.DataFrame:
    shown = table.assign(
        runs_out=[labels.sentence(runs_out_text(
            None if pd.isna(r.run_out_date) else r.run_out_date, r.lasts_term, r.already_over))
            for r in table.itertuples(index=False)],
        run_out_range=[_range(row) for _, row in table.iterrows()],
        license_type=[labels.license_type(v) for v in table["license_type"]],
        state=[labels.term_state(v) for v in table["state"]],
        risk=[labels.risk(v) for v in table["risk"]])
    shown = shown[list(COLUMNS)].rename(columns=COLUMNS)
    for column in ("Percent Used", "Term Elapsed", "Pace per Day"):
        shown[column] = shown[column].astype(float).round(1)
    return shown
