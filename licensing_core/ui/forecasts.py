"""The Subscription page's forecast card, pacing and what-if calculator, and the refill
form's forecast of a refill."""

from __future__ import annotations

from datetime import date

import streamlit as st

from licensing_core.domain.forecast import SHORT_WINDOW_DAYS, Forecast, RefillEffect
from licensing_core.domain.kinds import LicenseType, TermState
from licensing_core.queries.forecasts import TermForecast, runs_out_text
from licensing_core.queries.summary import SubscriptionSummary
from licensing_core.ui import formatting
from licensing_core.ui.cards import text_card
from licensing_core.ui.forms import refusal_shown

WHAT_IF_KEY = "whatif_quantity"


def run_out_words(forecast: Forecast) -> str:
    """"runs out on 12 Sep 2026", "lasts the term" or "used up": the overview's wording,
    with the day as the cards write it."""
    return runs_out_text(forecast.run_out_date, forecast.lasts_term, forecast.already_over,
                         day=formatting.day)


def run_out_text(forecast: Forecast) -> str:
    """"Runs out on 12 Sep 2026", "Lasts the term" or "Used up": a card's value."""
    words = run_out_words(forecast)
    return words[:1].upper() + words[1:]


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


def pace_caption(forecast: Forecast, summary: SubscriptionSummary) -> str:
    """What the pace counts, so that 0.0 reads as "nothing new", not as broken."""
    days, shown = SHORT_WINDOW_DAYS, f"{forecast.pace_per_day_mid:.1f}"
    if summary.license_type == LicenseType.SESSION:
        if shown == "0.0":
            return f"No session started in the last {days} days."
        return f"Sessions started per day over the last {days} days."
    if shown == "0.0":
        return (f"No user was counted for the first time in the last {days} days: the "
                f"{formatting.count(summary.consumed)} counted hold their licenses to the "
                "term's end.")
    return (f"Users counted for the first time per day over the last {days} days; a user "
            "counts once per term.")


def needed_caption(forecast: Forecast, summary: SubscriptionSummary) -> str:
    """Says that the number is licenses on top of the total purchase, not a total."""
    total, end = formatting.count(summary.total_purchased), formatting.day(summary.end_date)
    if summary.state == TermState.EXPIRED:
        return f"The term ended on {end}."
    if forecast.needed_to_last_term == 0:
        return f"None on top of the {total} bought: they last to {end} at the current pace."
    return f"Licenses on top of the {total} bought, to last to {end} at the current pace."


def forecast_cards(shown: TermForecast) -> None:
    """Run-out with its range, pace, pacing (term elapsed beside used) and licenses needed."""
    forecast, summary = shown.forecast, shown.summary
    unit = "sessions" if summary.license_type == LicenseType.SESSION else "users"
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
    with pace, st.container(border=True):
        st.metric(f"Pace ({unit}/day)", f"{forecast.pace_per_day_mid:.1f}",
                  help=f"New {unit} per day over the last 14 days (30 days: {monthly:.1f}).")
        st.caption(pace_caption(forecast, summary))
    paced.metric("Term elapsed / used",
                 f"{formatting.whole_percent(shown.pacing.term_elapsed_percent)} / "
                 f"{formatting.whole_percent(shown.pacing.used_percent)}", border=True,
                 help="Percent of the term's days gone beside percent of licenses used.")
    with needed, st.container(border=True):
        st.metric("Needed to last the term", formatting.count(forecast.needed_to_last_term),
                  help="Licenses to add to the total purchase so that it lasts to the term's "
                       "end at the current pace "
                       f"({formatting.count(forecast.needed_to_last_term_high)} at the "
                       "higher pace of the range).")
        st.caption(needed_caption(forecast, summary))


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
            with refusal_shown("Such a refill could not be recorded"):  # the refill's own rule
                st.markdown("\n".join(f"- {line}" for line in
                                      effect_lines(shown.what_if(int(quantity)),
                                                   shown.summary.end_date)))


def refill_forecast(shown: TermForecast, quantity: int | None) -> None:
    """The refill form's what-if: what lasts the term, and the run-out after this refill."""
    forecast = shown.forecast
    unit = "sessions" if shown.summary.license_type == LicenseType.SESSION else "users"
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
