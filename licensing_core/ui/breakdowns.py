"""Usage breakdowns of the Consumption History page: per day by channel or agent, and the
top users. Drawn only when the person opens them, so the page stays fast."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from licensing_core.domain.kinds import LicenseType
from licensing_core.queries.terms import TermInfo
from licensing_core.ui import charts, forecast_data, formatting
from licensing_core.ui.context import TenantContext

BY_LABELS = {"channel": "Channel", "agent": "Agent"}


def show(ctx: TenantContext, term: TermInfo, key: str) -> None:
    with st.expander("Usage breakdowns", expanded=False):
        if not st.toggle("Show usage breakdowns", key=f"{key}_breakdowns"):
            st.caption("Sessions or active users per day by channel and by agent, and the "
                       "top users of the term.")
            return
        measure = "Sessions" if term.license_type == LicenseType.SESSION else "Active users"
        by = st.radio("By", list(BY_LABELS), format_func=BY_LABELS.get, horizontal=True,
                      key=f"{key}_breakdown_by")
        frame = forecast_data.breakdown(ctx, term.term_id, by)
        if frame.empty:
            st.info("No usage in this term yet.")
        else:
            figure = px.bar(frame, x="date", y="count", color="group",
                            labels={"date": "Day", "count": measure, "group": BY_LABELS[by]})
            figure.update_layout(height=320, margin={"l": 10, "r": 10, "t": 30, "b": 10})
            charts.show(figure, key=f"{key}_breakdown_chart")
        unit = "sessions" if term.license_type == LicenseType.SESSION else "conversations"
        st.markdown(f"**Top users** (by {unit} in the term)")
        st.dataframe(forecast_data.top(ctx, term.term_id), key=f"{key}_top_users",
                     hide_index=True, column_config={"Count": formatting.count_column()})
