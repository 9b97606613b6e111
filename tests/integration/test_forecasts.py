"""Forecasts, risk ranking, idle seats and breakdowns on both databases, each number
checked against the histories of the same data (built through the services)."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from licensing_core.db.engine import Database
from licensing_core.domain.forecast import forecast_run_out, pacing
from licensing_core.errors import NotFound, Refused
from licensing_core.exports.idle_seats import export_idle_seats
from licensing_core.queries.breakdowns import daily_breakdown, top_users
from licensing_core.queries.conversations import conversation_history
from licensing_core.queries.forecasts import risk_ranking, runs_out_text, term_forecast
from licensing_core.queries.history import consumption_history
from licensing_core.queries.idle_seats import idle_seats
from licensing_core.services.imports import import_conversations, import_users
from licensing_core.services.refills import preview_refill
from tests.fixtures_data import (
    CONVERSATION_COLUMNS,
    conversation,
    make_tenant,
    user,
    write_csv,
)

NOW = datetime(2026, 6, 15, 12, 0, 0)  # a Monday, mid-term
TODAY = NOW.date()
ALL = 10_000  # a page that holds every row of these small histories
CHANNELS = ("web", "teams")
BETA_LAST_SEEN = {f"b{k}": 2 * k + 1 for k in range(8)}  # days before today


def _acme_rows() -> list[dict]:
    """Two sessions per working day (different users and channels) for 40 days, one today."""
    rows = []
    for back in range(40, 0, -1):
        day = TODAY - timedelta(days=back)
        if day.weekday() < 5:
            for k in range(2):
                rows.append(conversation(f"a{back}-{k}", f"u{k + (back % 3)}",
                                         f"{day}T10:00:00+00:00", channel=CHANNELS[k],
                                         agent_name="Bot" if back % 2 else "Help"))
    rows.append(conversation("today", "u1", f"{TODAY}T09:00:00+00:00"))
    return rows


def _beta_rows() -> list[dict]:
    rows = [conversation("b0-old", "b0", f"{TODAY - timedelta(days=20)}T15:00:00+00:00")]
    for user_id, back in BETA_LAST_SEEN.items():
        rows.append(conversation(f"{user_id}-last", user_id,
                                 f"{TODAY - timedelta(days=back)}T15:00:00+00:00",
                                 channel="web" if back % 4 == 1 else "teams"))
    return rows


def seed(db: Database, folder: Path) -> dict[str, int]:
    terms = {}
    terms["acme"] = make_tenant(db, tenant_id="acme", licenses=200, timezone="Europe/Paris",
                                now=NOW - timedelta(days=200)).term_id
    import_users(db, tenant_id="acme", actor="t", now=NOW - timedelta(days=200),
                 path=write_csv(folder / "u.csv", [user(f"u{k}") for k in range(4)]))
    import_conversations(db, tenant_id="acme", actor="t", now=NOW, path=write_csv(
        folder / "a.csv", _acme_rows(), CONVERSATION_COLUMNS))
    terms["beta"] = make_tenant(db, tenant_id="beta", name="Beta", license_type="user",
                                licenses=10, timezone="America/New_York",
                                now=NOW - timedelta(days=200)).term_id
    import_conversations(db, tenant_id="beta", actor="t", now=NOW, path=write_csv(
        folder / "b.csv", _beta_rows(), CONVERSATION_COLUMNS))
    terms["gamma"] = make_tenant(db, tenant_id="gamma", name="Gamma", licenses=1,
                                 now=NOW - timedelta(days=200)).term_id
    import_conversations(db, tenant_id="gamma", actor="t", now=NOW, path=write_csv(
        folder / "g.csv", [conversation("g1", "x", f"{TODAY - timedelta(days=3)}T10:00:00Z"),
                           conversation("g2", "y", f"{TODAY - timedelta(days=2)}T10:00:00Z")],
        CONVERSATION_COLUMNS))
    return terms


@pytest.fixture
def terms(db: Database, tmp_path: Path) -> dict[str, int]:
    return seed(db, tmp_path)


def _history_daily(db: Database, tenant_id: str, term_id: int) -> pd.Series:
    """New consumption per local day, counted from the Consumption History rows."""
    rows = consumption_history(db, tenant_id, term_id, limit=ALL).rows
    if "Started On" in rows:
        days = [v.date() for v in rows["Started On"]]  # local days: aware in the zone
    else:  # user-based: the day of each user's first conversation (none imported as users)
        conversations = conversation_history(db, tenant_id, limit=ALL).rows
        first = {}
        for started, user_id in zip(conversations["Started On"], conversations["User ID"],
                                    strict=True):
            day = started.date()
            first[user_id] = min(first.get(user_id, day), day)
        days = [first[u] for u in rows["User ID"]]
    counted = Counter(days)
    return pd.Series({d: float(n) for d, n in counted.items()}, dtype="float64")


def test_the_forecast_is_the_rule_applied_to_the_consumption_history(db, terms):
    for tenant_id in ("acme", "beta"):
        shown = term_forecast(db, tenant_id, now=NOW)
        history = consumption_history(db, tenant_id, terms[tenant_id], limit=1)
        assert shown.summary.consumed == history.total_rows
        expected = forecast_run_out(
            _history_daily(db, tenant_id, terms[tenant_id]), total=shown.summary.total_purchased,
            consumed=history.total_rows, today=TODAY, term_start=date(2026, 1, 1),
            term_end=date(2026, 12, 31))
        assert shown.forecast == expected
        assert shown.pacing == pacing(date(2026, 1, 1), date(2026, 12, 31), TODAY,
                                      history.total_rows, shown.summary.total_purchased)


def test_the_acme_pace_counts_two_sessions_a_working_day(db, terms):
    shown = term_forecast(db, "acme", now=NOW).forecast
    assert shown.pace_per_day_mid == pytest.approx(20 / 14)  # ten working days in two weeks
    assert shown.weekday_profile[5] == shown.weekday_profile[6] == 0.0
    assert shown.run_out_date is not None and shown.run_out_date.weekday() < 5
    assert not shown.lasts_term
    assert shown.run_out_low <= shown.run_out_date <= shown.run_out_high


def test_a_what_if_refill_moves_the_run_out_later(db, terms):
    shown = term_forecast(db, "acme", now=NOW)
    effect = shown.what_if(shown.forecast.needed_to_last_term)
    assert effect.new_total == shown.summary.total_purchased + shown.forecast.needed_to_last_term
    assert effect.forecast.lasts_term
    assert effect.forecast.needed_to_last_term == 0
    smaller = shown.what_if(10)
    assert smaller.forecast.run_out_date > shown.forecast.run_out_date


def test_a_what_if_removal_beyond_the_total_is_refused_like_the_refill_preview(db, terms):
    shown = term_forecast(db, "acme", now=NOW)
    beyond = -(shown.summary.total_purchased + 1)
    with pytest.raises(Refused) as preview:
        preview_refill(db, tenant_id="acme", quantity=beyond, now=NOW)
    with pytest.raises(Refused) as what_if:
        shown.what_if(beyond)
    assert str(what_if.value) == str(preview.value)


def test_a_removal_announces_the_same_rearmed_alerts_in_the_preview_and_the_what_if(db, terms):
    shown = term_forecast(db, "acme", now=NOW)
    removal = -(shown.summary.total_purchased // 2)
    preview = preview_refill(db, tenant_id="acme", quantity=removal, now=NOW)
    effect = shown.what_if(removal)
    assert (effect.new_total, effect.alert_threshold, effect.rearmed) == (
        preview.after.total_purchased, preview.alert_threshold, preview.rearmed)


def test_before_a_term_starts_the_risk_page_counts_the_days_left_of_the_overview(db):
    make_tenant(db, tenant_id="later", start=TODAY + timedelta(days=10),
                end=TODAY + timedelta(days=39), now=NOW)
    row = risk_ranking(db, now=NOW).set_index("tenant_id").loc["later"]
    assert (row["risk"], row["days_to_risk"], row["days_left"]) == ("term ends", 30, 30)


def test_the_risk_ranking_agrees_with_each_tenants_forecast(db, terms):
    ranking = risk_ranking(db, now=NOW)
    assert ranking["tenant_id"].tolist()[0] == "gamma"  # used up: act now
    assert set(ranking["tenant_id"]) == {"acme", "beta", "gamma"}
    for row in ranking.to_dict("records"):
        shown = term_forecast(db, row["tenant_id"], now=NOW)
        assert (row["consumed"], row["total_purchased"]) == (shown.summary.consumed,
                                                            shown.summary.total_purchased)
        assert row["pace_per_day"] == pytest.approx(shown.forecast.pace_per_day_mid)
        assert row["run_out_date"] == shown.forecast.run_out_date
        assert (row["lasts_term"], row["already_over"]) == (shown.forecast.lasts_term,
                                                            shown.forecast.already_over)
        assert row["needed_to_last_term"] == shown.forecast.needed_to_last_term
        assert row["term_elapsed_percent"] == pytest.approx(
            shown.pacing.term_elapsed_percent)
    gamma = ranking.iloc[0]
    assert (gamma["risk"], gamma["days_to_risk"]) == ("used up", 0)
    assert runs_out_text(None, False, True) == "used up"
    assert list(ranking["days_to_risk"]) == sorted(ranking["days_to_risk"])


@pytest.mark.parametrize("days", [1, 7, 16, 30])
def test_idle_seats_are_the_holders_without_a_conversation_in_n_days(db, terms, days):
    page = idle_seats(db, "beta", terms["beta"], days=days, now=NOW)
    expected = sorted(u for u, back in BETA_LAST_SEEN.items() if back >= days)
    holders = consumption_history(db, "beta", terms["beta"], limit=ALL).rows["User ID"]
    assert set(expected) <= set(holders)
    assert sorted(page.rows["User ID"]) == expected
    assert page.total_rows == len(expected)
    out = io.StringIO(newline="")
    written = export_idle_seats(db, "beta", out, term_id=terms["beta"], days=days, now=NOW)
    assert written == page.total_rows
    lines = out.getvalue().split("\r\n")[:-1]
    assert len(lines) == written + 1
    assert [line.split(",")[0] for line in lines[1:]] == page.rows["User ID"].tolist()


def test_idle_seats_page_in_the_database_and_name_the_last_conversation(db, terms):
    page = idle_seats(db, "beta", terms["beta"], days=4, limit=2, offset=1, now=NOW)
    assert page.total_rows == 6 and len(page.rows) == 2
    # Longest idle first: b7 (15 days), b6 (13), b5 (11) ...
    assert page.rows["User ID"].tolist() == ["b6", "b5"]
    assert page.rows["Last Conversation"].iloc[0].date() == TODAY - timedelta(days=13)


def test_idle_seats_refuse_a_session_term_and_another_tenants_term(db, terms):
    with pytest.raises(Refused):
        idle_seats(db, "acme", terms["acme"], days=7, now=NOW)
    with pytest.raises(NotFound):
        idle_seats(db, "acme", terms["beta"], days=7, now=NOW)
    with pytest.raises(Refused):
        idle_seats(db, "beta", terms["beta"], days=0, now=NOW)


def test_the_session_breakdowns_add_up_to_the_history(db, terms):
    rows = consumption_history(db, "acme", terms["acme"], limit=ALL).rows
    days = [v.date() for v in rows["Started On"]]
    for by, column in (("channel", "Channel"), ("agent", "Agent Name")):
        frame = daily_breakdown(db, "acme", terms["acme"], by=by, now=NOW)
        got = {(d, g): n for d, g, n in frame.itertuples(index=False)}
        assert got == dict(Counter(zip(days, rows[column], strict=True)))
    top = top_users(db, "acme", terms["acme"], limit=3)
    by_user = Counter(rows["User Name"])
    assert top["Count"].tolist() == sorted(by_user.values(), reverse=True)[:3]
    assert dict(zip(top["User Name"], top["Count"], strict=True)) == {
        name: by_user[name] for name in top["User Name"]}


def test_the_user_breakdowns_count_active_users_per_day(db, terms):
    conversations = conversation_history(db, "beta", limit=ALL).rows
    active = {(started.date(), channel, user_id)
              for started, channel, user_id in zip(
                  conversations["Started On"], conversations["Channel"],
                  conversations["User ID"], strict=True)}
    expected = Counter((day, channel) for day, channel, _ in active)
    frame = daily_breakdown(db, "beta", terms["beta"], by="channel", now=NOW)
    assert {(d, g): n for d, g, n in frame.itertuples(index=False)} == dict(expected)
    top = top_users(db, "beta", terms["beta"])
    assert top.iloc[0]["User ID"] == "b0" and top.iloc[0]["Count"] == 2
