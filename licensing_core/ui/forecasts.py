"""The Subscription page's forecast card, pacing and what-if calculator, and the refill
form's forecast of a refill."""

from __future__ import annotations

from datetime import date

import streamlit as st

from licensing_core.domain.forecast import Forecast, RefillEffect
from licensing_core.queries.forecasts import TermForecast
from licensing_core.ui import formatting
from licensing_core.ui.cards import text_card

WHAT_IF_KEY = "whatif_quantity"


def run_out_text(forecast: Forecast) -> str:
    """"Runs out on 12 Sep 2026", "Lasts the term" or "Used up"."""
    if forecast.already_over:
        return "Used up"
    if forecast.lasts_term or forecast.run_out_date is None:
        return "Lasts the term"
    return f"Runs out on {formatting.day(forecast.run_out_date)}"


def range_text(forecast: Forecast, term_end: date) -> str:
    """The earliest and latest run-out of the range ("after the term" when beyond it)."""
    def say(day: date | None) -> str:
        return "after the term" if day is None or day >= term_end else formatting.day(day)

    earliest = forecast.run_out_low
    if forecast.already_over or earliest is None or earliest >= term_end:
        return ""  # nothing to add: used up, or lasting at either pace
    first, last = say(earliest), say(forecast.run_out_high)
    if first == last:
        return f"The same day at the 14- and 30-day paces: {first}"
    return f"Range: {first} – {last}"


def pace_text(value: float, unit: str) -> str:
    return f"{value:.1f} {unit}/day"


def forecast_cards(shown: TermForecast) -> None:
    """Run-out with its range, pace, pacing (term elapsed beside used) and licenses needed."""
    forecast, summary = shown.forecast, shown.summary
    unit = "sessions" if summary.license_type == "session" else "users"
    run_out, pace, paced, needed = st.columns(4)
    with run_out:
        text_card("Forecast", run_out_text(forecast),
                  "When the licenses are used up at the pace of the last 14 days, weekday "
                  "by weekday; the range uses the 14- and 30-day paces.")
        ranged = range_text(forecast, summary.end_date)
        if ranged:
            st.caption(ranged)
    monthly = (forecast.pace_per_day_high if forecast.pace_per_day_low == forecast.pace_per_day_mid
               else forecast.pace_per_day_low)
    pace.metric(f"Pace ({unit}/day)", f"{forecast.pace_per_day_mid:.1f}", border=True,
                help=f"New {unit} per day over the last 14 days (30 days: {monthly:.1f}).")
    paced.metric("Term elapsed / used",
                 f"{formatting.whole_percent(shown.pacing.term_elapsed_percent)} / "
                 f"{formatting.whole_percent(shown.pacing.used_percent)}", border=True,
                 help="Percent of the term's days gone beside percent of licenses used.")
    needed.metric("Needed to last the term", formatting.count(forecast.needed_to_last_term),
                  border=True,
                  help="More licenses needed to last to the term's end at the current pace "
                       f"({formatting.count(forecast.needed_to_last_term_high)} at the "
                       "higher pace of the range).")


def effect_lines(effect: RefillEffect, term_end: date) -> list[str]:
    """What a refill would change, in words: total, percent, run-out, alerts."""
    lines = [f"New total purchase: **{formatting.count(effect.new_total)}**",
             f"New percent used: **{formatting.percent(effect.new_percent)}**",
             f"Forecast after it: **{run_out_text(effect.forecast)}**"]
    if effect.rearmed:
        lines.append("Alerts it would re-arm: **"
                     + ", ".join(f"{t}%" for t in effect.rearmed) + "**")
    else:
        lines.append("Alerts it would re-arm: none")
    if effect.alert_threshold is not None:
        lines.append(f"Alert it would queue: **{effect.alert_threshold}%**")
    return lines


def what_if_calculator(shown: TermForecast) -> None:
    """A read-only calculator: the effect of a refill of N at the current pace."""
    with st.expander("What if: a refill of N licenses", expanded=False):
        st.caption("Read-only: nothing is ordered or saved. "
                   f"{formatting.count(shown.forecast.needed_to_last_term)} more licenses "
                   "would last the term at the current pace.")
        quantity = st.number_input("Refill of", min_value=0, step=1, key=WHAT_IF_KEY,
                                   value=int(shown.forecast.needed_to_last_term))
        if quantity:
            st.markdown("\n".join(f"- {line}" for line in
                                  effect_lines(shown.what_if(int(quantity)),
                                               shown.summary.end_date)))


def refill_forecast(shown: TermForecast, quantity: int | None) -> None:
    """The refill form's what-if: what lasts the term, and the run-out after this refill."""
    forecast = shown.forecast
    unit = "sessions" if shown.summary.license_type == "session" else "users"
    st.markdown(f"**Forecast:** {run_out_text(forecast)} at "
                f"{pace_text(forecast.pace_per_day_mid, unit)}; "
                f"**{formatting.count(forecast.needed_to_last_term)}** more licenses last the "
                "term at the current pace "
                f"({formatting.count(forecast.needed_to_last_term_high)} at the higher pace).")
    if quantity:
        effect = shown.what_if(quantity)
        st.markdown(f"After this refill: **{run_out_text(effect.forecast)}**"
                    + (f" ({range_text(effect.forecast, shown.summary.end_date)})"
                       if range_text(effect.forecast, shown.summary.end_date) else "") + ".")
