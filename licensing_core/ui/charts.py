"""Plotly figures of the pages: the percent-used gauge and the consumption charts."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from licensing_core.domain.kinds import LicenseType
from licensing_core.domain.status import Level, band_level

# The gauge's bands by level (domain.status.band_level): faint fills under the dial, and
# the bar in the level's strong colour (Streamlit's green, orange and red text colours,
# 6.4:1 or more on white, above the 3:1 that WCAG asks of a graphic).
BAND_FILLS = {Level.CALM: "#dcf2e3", Level.WARNING: "#ffe9c7", Level.CRITICAL: "#ffd6d9"}
OVERAGE_FILL = "#f5b3ba"  # beyond 100%
# The same fills by threshold band (below the first, then between each pair, then beyond
# the last), for tables that colour a cell per band; with the default thresholds these
# are the gauge's levels: calm, warning, warning, critical, overage.
BAND_COLOURS = (BAND_FILLS[Level.CALM], BAND_FILLS[Level.WARNING], BAND_FILLS[Level.WARNING],
                BAND_FILLS[Level.CRITICAL], OVERAGE_FILL)
BAND_BARS = {Level.CALM: "#0c5a44", Level.WARNING: "#9b4519", Level.CRITICAL: "#9e303b"}
OVER_COLOUR = "#c92a2a"
BAR_COLOUR = "#1c7ed6"
BAND_FILL = "rgba(28, 126, 214, 0.15)"  # the projection's range: the line's blue, faint


def _band_edges(thresholds: Sequence[int], top: float) -> list[float]:
    return [0.0, *[float(t) for t in sorted(thresholds) if t < top], top]


def gauge_steps(thresholds: Sequence[int], top: float) -> list[dict[str, object]]:
    """One step between each pair of thresholds, filled by the level of its band."""
    edges = _band_edges(thresholds, top)
    return [{"range": [low, high],
             "color": OVERAGE_FILL if low >= 100 else BAND_FILLS[band_level(low, thresholds)]}
            for low, high in zip(edges, edges[1:], strict=False)]


def percent_gauge(percent: float, thresholds: Sequence[int]) -> go.Figure:
    """Percent used on a dial with bands at the alert thresholds (75/85/95/100 by default),
    its bar in the colour of the band it has reached."""
    highest = max([100, *thresholds])
    top = max(float(highest), percent * 1.1)  # an overage stays on the dial
    level = band_level(percent, thresholds)
    figure = go.Figure(go.Indicator(
        mode="gauge+number", value=round(percent, 1), number={"suffix": "% used"},
        gauge={
            "axis": {"range": [0, top], "tickvals": [0, *sorted(thresholds)]},
            "bar": {"color": BAND_BARS[level]},
            "steps": gauge_steps(thresholds, top),
            "threshold": {"line": {"color": OVER_COLOUR, "width": 3}, "thickness": 0.8,
                          "value": 100},
        },
    ))
    figure.update_layout(height=260, margin={"l": 30, "r": 30, "t": 30, "b": 10},
                         meta={"band": level.value})
    return figure


def consumption_chart(series: pd.DataFrame, license_type: str,
                      projection: pd.DataFrame | None = None) -> go.Figure:
    """Cumulative consumption over the term against the total purchase (refills as steps),
    and, when given, the projected consumption to the term's end with its range."""
    unit = "sessions" if license_type == LicenseType.SESSION else "users"
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=series["date"], y=series["consumed_cumulative"],
                                name=f"Consumed ({unit})", mode="lines", fill="tozeroy",
                                line={"color": BAR_COLOUR}))
    figure.add_trace(go.Scatter(x=series["date"], y=series["total_purchased"],
                                name="Total purchase", mode="lines",
                                line={"color": OVER_COLOUR, "shape": "hv", "dash": "dash"}))
    if projection is not None and not projection.empty:
        _projection_traces(figure, projection, int(series["total_purchased"].iloc[-1]))
    figure.update_layout(height=320, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                         legend={"orientation": "h", "y": 1.12}, yaxis_title="Licenses",
                         hovermode="x unified")
    return figure


def _projection_traces(figure: go.Figure, projection: pd.DataFrame, total: int) -> None:
    """The projected line (recent pace), its band (14- vs 30-day pace), and the total."""
    figure.add_trace(go.Scatter(x=projection["date"], y=projection["high"], mode="lines",
                                line={"width": 0}, showlegend=False, hoverinfo="skip"))
    figure.add_trace(go.Scatter(x=projection["date"], y=projection["low"], mode="lines",
                                line={"width": 0}, fill="tonexty", fillcolor=BAND_FILL,
                                name="Projection range", hoverinfo="skip"))
    figure.add_trace(go.Scatter(x=projection["date"], y=projection["mid"].round(1),
                                name="Projected", mode="lines",
                                line={"color": BAR_COLOUR, "dash": "dot"}))
    figure.add_trace(go.Scatter(x=projection["date"], y=[total] * len(projection),
                                mode="lines", showlegend=False, hoverinfo="skip",
                                line={"color": OVER_COLOUR, "dash": "dash", "width": 1}))


def purchases_chart(purchases: pd.DataFrame) -> go.Figure:
    """The term's total purchase after each change, as steps over (tenant-local) time."""
    figure = go.Figure(go.Scatter(
        x=purchases["Date"].dt.tz_localize(None),
        y=purchases["Total After"], mode="lines+markers", line={"shape": "hv"},
        name="Total purchase", text=purchases["Type"],
        hovertemplate="%{x}<br>%{text}: total %{y}<extra></extra>"))
    figure.update_layout(height=300, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                         yaxis_title="Licenses")
    return figure


# No "Download plot as a PNG" in the chart's toolbar: every download goes through the
# confirmation dialog of the page.
PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["toImage"]}


def show(figure: go.Figure, *, key: str) -> None:
    st.plotly_chart(figure, key=key, config=PLOTLY_CONFIG)
