"""Plotly figures of the pages: the percent-used gauge and the consumption charts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

# Band colours between the alert thresholds: calm, then warmer as mail goes out.
BAND_COLOURS = ("#d8f0dc", "#fff1bf", "#ffd8a8", "#ffb3b3", "#e8a0a0")
OVER_COLOUR = "#c92a2a"
BAR_COLOUR = "#1c7ed6"
BAND_FILL = "rgba(28, 126, 214, 0.15)"  # the projection's range: the line's blue, faint


def _band_edges(thresholds: Sequence[int], top: float) -> list[float]:
    return [0.0, *[float(t) for t in sorted(thresholds) if t < top], top]


def percent_gauge(percent: float, thresholds: Sequence[int]) -> go.Figure:
    """Percent used on a dial with bands at the alert thresholds (75/85/95/100 by default)."""
    highest = max([100, *thresholds])
    top = max(float(highest), percent * 1.1)  # an overage stays on the dial
    edges = _band_edges(thresholds, top)
    steps = [{"range": [edges[i], edges[i + 1]],
              "color": BAND_COLOURS[min(i, len(BAND_COLOURS) - 1)]}
             for i in range(len(edges) - 1)]
    figure = go.Figure(go.Indicator(
        mode="gauge+number", value=round(percent, 1), number={"suffix": "% used"},
        gauge={
            "axis": {"range": [0, top], "tickvals": [0, *sorted(thresholds)]},
            "bar": {"color": OVER_COLOUR if percent >= 100 else BAR_COLOUR},
            "steps": steps,
            "threshold": {"line": {"color": OVER_COLOUR, "width": 3}, "thickness": 0.8,
                          "value": 100},
        },
    ))
    figure.update_layout(height=260, margin={"l": 30, "r": 30, "t": 30, "b": 10})
    return figure


def consumption_chart(series: pd.DataFrame, license_type: str,
                      projection: pd.DataFrame | None = None) -> go.Figure:
    """Cumulative consumption over the term against the total purchase (refills as steps),
    and, when given, the projected consumption to the term's end with its range."""
    unit = "sessions" if license_type == "session" else "users"
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
        x=[datetime.fromisoformat(v).replace(tzinfo=None) for v in purchases["Date"]],
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
