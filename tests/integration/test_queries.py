"""Read models on both databases: history, conversations, purchases, series, overview.

The data is built through the services only: tenants, refills, accounts and the usage
imports, from a few CSV lines written per test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import DateTime, literal, select, union_all

from licensing_core.auth.accounts import create_account
from licensing_core.db.engine import Database
from licensing_core.domain.terms import to_local
from licensing_core.errors import NotFound, Refused
from licensing_core.queries.alerts import ALERT_COLUMNS, alerts_list
from licensing_core.queries.audit import AUDIT_COLUMNS, audit_entries
from licensing_core.queries.conversations import (
    CONVERSATION_COLUMNS,
    ConversationFilters,
    conversation_history,
)
from licensing_core.queries.history import (
    SESSION_COLUMNS,
    USER_COLUMNS,
    HistoryFilters,
    consumption_history,
    filter_options,
)
from licensing_core.queries.overview import OVERVIEW_COLUMNS, tenants_overview
from licensing_core.queries.purchases import PURCHASE_COLUMNS, purchase_history
from licensing_core.queries.series import daily_consumption, local_day
from licensing_core.queries.summary import subscription_summary
from licensing_core.queries.terms import terms_of
from licensing_core.services.imports import import_conversations, import_users
from licensing_core.services.refills import record_refill
from licensing_core.services.tenants import create_tenant, renew

NOW = datetime(2026, 6, 15, 12, 0, 0)  # as tests/conftest.py: mid-term of every tenant
CREATED = datetime(2025, 12, 1, 9, 0, 0)  # terms and users recorded before the terms start

ACME_USERS = """user_id,user_name,email,first_name,last_name,role,status
u1,=cmd(),eve@example.com,Eve,Adams,agent,Active
u2,"Bob, Jr.",bob@example.com,Bob,Brown,admin,Active
u3,Carol,carol@sample.org,Carol,Clark,agent,Inactive
u4,Dan,dan@sample.org,Dan,Dunn,viewer,Active
"""
# Europe/Paris: +01:00 in winter, +02:00 from 29 March 2026. c02 joins c01's 30-minute
# session; c03 starts after its window; c06 is on 21 May in Paris but 20 May in UTC.
CONVERSATIONS_HEADER = (
    "conversation_id,user_id,started_at,ended_at,agent_name,channel,initiated_by,messages\n")
ACME_CONVERSATIONS = CONVERSATIONS_HEADER + """\
c01,u1,2026-03-01T08:30:00+00:00,2026-03-01T08:40:00+00:00,Bot,web,User,3
c02,u1,2026-03-01T08:45:00+00:00,,Bot,web,User,
c03,u1,2026-03-01T09:10:00+00:00,,Bot,web,User,1
c04,u2,2026-03-01T08:40:00+00:00,,Bot,teams,Agent,2
c05,u2,2026-04-10T12:00:00+00:00,,Help,web,User,5
c06,u3,2026-05-20T22:30:00+00:00,,Help,teams,User,4
c07,u4,2026-06-01T10:00:00+00:00,,Bot,web,User,0
"""
BETA_USERS = """user_id,user_name,email,first_name,last_name,role,status
b1,Zed,zed@beta.io,Zed,Young,admin,Active
b2,Eve Beta,eve@beta.io,Eve,Beta,agent,Active
b3,Yan,yan@beta.io,Yan,Xu,agent,Inactive
b4,Wes,wes@beta.io,Wes,Vo,agent,Inactive
"""
# America/New_York: bc3 is on 4 April in New York, 5 April in UTC.
BETA_CONVERSATIONS = CONVERSATIONS_HEADER + """\
bc1,b1,2026-02-01T15:00:00+00:00,,Bot,web,User,1
bc2,b1,2026-02-02T15:00:00+00:00,,Bot,web,User,1
bc3,b3,2026-04-05T03:30:00+00:00,,Bot,web,User,1
"""
GAMMA_CONVERSATIONS = CONVERSATIONS_HEADER + """\
g1,eve,2026-05-01T10:00:00+00:00,,Bot,web,User,1
"""
ACME_SESSIONS_NEWEST_FIRST = ["S-c07", "S-c06", "S-c05", "S-c03", "S-c04", "S-c01"]


@dataclass(frozen=True)
class Seeded:
    acme_term: int  # session-based, Europe/Paris
    beta_term: int  # user-based, America/New_York
    gamma_term: int  # session-based, UTC, one license: alerted at 100%


def _file(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def seed(db: Database, folder: Path, *, gamma_admin: bool = False) -> Seeded:
    """Three tenants whose rows share every table, so that any leak between them shows.

    gamma_admin adds gamma's admin account (an alert recipient); its password hashing is
    slow on purpose, so only the test that needs it pays for it.
    """
    acme = create_tenant(db, tenant_id="acme", name="Acme Corp", license_type="session",
                         licenses=100, start=date(2026, 1, 1), end=date(2026, 12, 31),
                         session_minutes=30, timezone="Europe/Paris", actor="setup",
                         now=CREATED)
    import_users(db, tenant_id="acme", path=_file(folder, "acme_users.csv", ACME_USERS),
                 actor="setup", now=CREATED)
    import_conversations(db, tenant_id="acme", actor="setup", now=NOW,
                         path=_file(folder, "acme_conversations.csv", ACME_CONVERSATIONS))
    record_refill(db, tenant_id="acme", quantity=50, recorded_by="Sam Super",
                  note="Q2 top-up", now=datetime(2026, 4, 1, 7, 0))
    record_refill(db, tenant_id="acme", quantity=-20, recorded_by="Sam Super",
                  note='=HYPERLINK("x")', now=datetime(2026, 5, 2, 10, 0))

    beta = create_tenant(db, tenant_id="beta", name="Beta Ltd", license_type="user",
                         licenses=10, start=date(2026, 1, 1), end=date(2026, 12, 31),
                         timezone="America/New_York", actor="setup", now=CREATED)
    import_users(db, tenant_id="beta", path=_file(folder, "beta_users.csv", BETA_USERS),
                 actor="setup", now=CREATED)
    import_conversations(db, tenant_id="beta", actor="setup", now=NOW,
                         path=_file(folder, "beta_conversations.csv", BETA_CONVERSATIONS))

    gamma = create_tenant(db, tenant_id="gamma", name="Gamma Inc", license_type="session",
                          licenses=1, start=date(2026, 1, 1), end=date(2026, 12, 31),
                          technical_emails=["Ops@Gamma.com"], actor="setup", now=CREATED)
    if gamma_admin:
        create_account(db, username="gamma-admin", role="tenant_admin", tenant_id="gamma",
                       email="admin@gamma.com", password="a long password", actor="setup",
                       now=CREATED)
    import_conversations(db, tenant_id="gamma", actor="setup", now=NOW,
                         path=_file(folder, "gamma_conversations.csv", GAMMA_CONVERSATIONS))
    return Seeded(acme.term_id, beta.term_id, gamma.term_id)


@pytest.fixture
def seeded(db: Database, tmp_path: Path) -> Seeded:
    return seed(db, tmp_path)


def sessions(page_rows: pd.DataFrame) -> list[str]:
    return list(page_rows["Session ID"])


def at(text: str, zone: str = "Europe/Paris") -> pd.Timestamp:
    """An instant written with its offset, as the read models give it: aware, in the
    tenant's zone (acme's is Paris)."""
    return pd.Timestamp(text).tz_convert(zone)


def zone_of(moment: datetime) -> str:
    return str(moment.tzinfo)


# Consumption History, session-based


def test_session_history_lists_the_terms_sessions_newest_first_in_the_tenants_time(
        db, seeded):
    page = consumption_history(db, "acme", seeded.acme_term)
    assert page.total_rows == 6
    assert list(page.rows.columns) == list(SESSION_COLUMNS)
    assert sessions(page.rows) == ACME_SESSIONS_NEWEST_FIRST
    first = page.rows.iloc[-1].to_dict()
    assert first == {
        "Session ID": "S-c01", "Started On": at("2026-03-01T09:30:00+01:00"),
        "Initiated By": "User", "User Name": "=cmd()", "Email": "eve@example.com",
        "Role": "agent", "Agent Name": "Bot", "Channel": "web", "Conversations": 2,
    }
    assert page.rows.iloc[0]["Started On"] == at("2026-06-01T12:00:00+02:00")
    assert str(page.rows["Started On"].dt.tz) == "Europe/Paris"


SESSION_FILTER_CASES = [
    (HistoryFilters(text="EXAMPLE"), ["S-c05", "S-c03", "S-c04", "S-c01"]),
    (HistoryFilters(text="cmd"), ["S-c03", "S-c01"]),
    (HistoryFilters(text=" u4 "), ["S-c07"]),
    (HistoryFilters(text="%"), []),
    (HistoryFilters(text="eve"), ["S-c03", "S-c01"]),
    (HistoryFilters(roles=("admin",)), ["S-c05", "S-c04"]),
    (HistoryFilters(roles=("admin", "viewer")), ["S-c07", "S-c05", "S-c04"]),
    (HistoryFilters(statuses=("Inactive",)), ["S-c06"]),
    (HistoryFilters(channels=("teams",)), ["S-c06", "S-c04"]),
    (HistoryFilters(agents=("Help",)), ["S-c06", "S-c05"]),
    (HistoryFilters(roles=("admin",), channels=("web",)), ["S-c05"]),
    (HistoryFilters(date_from=date(2026, 5, 21), date_to=date(2026, 5, 21)), ["S-c06"]),
    (HistoryFilters(date_to=date(2026, 5, 20)), ["S-c05", "S-c03", "S-c04", "S-c01"]),
    (HistoryFilters(date_from=date(2026, 4, 10)), ["S-c07", "S-c06", "S-c05"]),
]


def test_filters_narrow_the_rows_and_their_count(db, seeded):
    for filters, expected in SESSION_FILTER_CASES:
        page = consumption_history(db, "acme", seeded.acme_term, filters=filters)
        assert (sessions(page.rows), page.total_rows) == (expected, len(expected)), filters


def test_pages_are_consecutive_slices_with_the_same_total(db, seeded):
    pages = [consumption_history(db, "acme", seeded.acme_term, limit=4, offset=o)
             for o in (0, 4, 8)]
    assert [p.total_rows for p in pages] == [6, 6, 6]
    assert [sessions(p.rows) for p in pages] == [
        ACME_SESSIONS_NEWEST_FIRST[:4], ACME_SESSIONS_NEWEST_FIRST[4:], []]
    assert list(pages[2].rows.columns) == list(SESSION_COLUMNS)


def test_a_filtered_page_counts_every_matching_row_not_only_the_page(db, seeded):
    page = consumption_history(db, "acme", seeded.acme_term,
                               filters=HistoryFilters(channels=("web",)), limit=1, offset=1)
    assert sessions(page.rows) == ["S-c05"]
    assert page.total_rows == 4


SORT_CASES = [
    ("Channel", False, ["S-c04", "S-c06", "S-c01", "S-c03", "S-c05", "S-c07"]),
    ("Channel", True, ["S-c07", "S-c05", "S-c03", "S-c01", "S-c06", "S-c04"]),
    ("Started On", False, list(reversed(ACME_SESSIONS_NEWEST_FIRST))),
    ("Conversations", True, ["S-c01", "S-c07", "S-c06", "S-c05", "S-c04", "S-c03"]),
    ("Session ID", False, ["S-c01", "S-c03", "S-c04", "S-c05", "S-c06", "S-c07"]),
]


def test_rows_sort_by_a_display_column_then_by_their_key(db, seeded):
    for sort_by, descending, expected in SORT_CASES:
        page = consumption_history(db, "acme", seeded.acme_term, sort_by=sort_by,
                                   descending=descending)
        assert sessions(page.rows) == expected, (sort_by, descending)


def test_sorting_by_an_unknown_column_is_refused(db, seeded):
    with pytest.raises(Refused, match="cannot sort by 'started_at; drop table'"):
        consumption_history(db, "acme", seeded.acme_term, sort_by="started_at; drop table")
    with pytest.raises(Refused, match="cannot sort by 'User ID'"):
        consumption_history(db, "acme", seeded.acme_term, sort_by="User ID")


def test_a_page_with_a_bad_limit_or_offset_is_refused(db, seeded):
    for limit, offset in [(0, 0), (-1, 0), (10, -1)]:
        with pytest.raises(Refused):
            consumption_history(db, "acme", seeded.acme_term, limit=limit, offset=offset)


def test_filter_options_offer_the_values_of_the_tenant_and_term(db, seeded):
    options = filter_options(db, "acme", seeded.acme_term)
    assert options.roles == ["admin", "agent", "viewer"]
    assert options.statuses == ["Active", "Inactive"]
    assert options.channels == ["teams", "web"]
    assert options.agents == ["Bot", "Help"]
    user_based = filter_options(db, "beta", seeded.beta_term)
    assert (user_based.roles, user_based.channels, user_based.agents) == (
        ["admin", "agent"], [], [])


# Consumption History, user-based


def test_user_history_lists_license_holders_by_user_id_with_their_conversations(db, seeded):
    page = consumption_history(db, "beta", seeded.beta_term)
    assert list(page.rows.columns) == list(USER_COLUMNS)
    assert page.rows.to_dict("records") == [
        {"User ID": "b1", "User Name": "Zed", "Email": "zed@beta.io", "First Name": "Zed",
         "Last Name": "Young", "Role": "admin", "Status": "Active", "Conversations": 2},
        {"User ID": "b2", "User Name": "Eve Beta", "Email": "eve@beta.io", "First Name": "Eve",
         "Last Name": "Beta", "Role": "agent", "Status": "Active", "Conversations": 0},
        {"User ID": "b3", "User Name": "Yan", "Email": "yan@beta.io", "First Name": "Yan",
         "Last Name": "Xu", "Role": "agent", "Status": "Inactive", "Conversations": 1},
    ]
    assert page.total_rows == subscription_summary(db, "beta", now=NOW).consumed == 3


USER_FILTER_CASES = [
    (HistoryFilters(statuses=("Inactive",)), ["b3"]),
    (HistoryFilters(roles=("agent",)), ["b2", "b3"]),
    (HistoryFilters(text="EVE"), ["b2"]),
    (HistoryFilters(text="b3"), ["b3"]),
    # held since the term's start, except b3: its first conversation, 4 April in New York
    (HistoryFilters(date_from=date(2026, 4, 4)), ["b3"]),
    (HistoryFilters(date_from=date(2026, 4, 5)), []),
    (HistoryFilters(date_to=date(2026, 1, 1)), ["b1", "b2"]),
    (HistoryFilters(channels=("nowhere",), agents=("nobody",)), ["b1", "b2", "b3"]),
]


def test_user_history_filters(db, seeded):
    for filters, expected in USER_FILTER_CASES:
        page = consumption_history(db, "beta", seeded.beta_term, filters=filters)
        assert (list(page.rows["User ID"]), page.total_rows) == (expected, len(expected)), \
            filters


def test_user_history_sorts_by_conversations(db, seeded):
    page = consumption_history(db, "beta", seeded.beta_term, sort_by="Conversations",
                               descending=True)
    assert list(page.rows["User ID"]) == ["b1", "b3", "b2"]


# Tenants never see each other


def test_a_term_of_another_tenant_is_not_found(db, seeded):
    with pytest.raises(NotFound):
        consumption_history(db, "acme", seeded.beta_term)
    with pytest.raises(NotFound):
        purchase_history(db, "beta", seeded.acme_term)
    with pytest.raises(NotFound):
        daily_consumption(db, "gamma", seeded.acme_term, now=NOW)
    with pytest.raises(NotFound):
        filter_options(db, "beta", seeded.gamma_term)
    with pytest.raises(NotFound):
        consumption_history(db, "nosuch", seeded.acme_term)


def test_no_tenants_rows_appear_in_another_tenants_reads(db, seeded):
    # "eve" is a user id of gamma, a name in beta and an email in acme
    for tenant_id, term_id, key in (("acme", seeded.acme_term, "Session ID"),
                                    ("gamma", seeded.gamma_term, "Session ID"),
                                    ("beta", seeded.beta_term, "User ID")):
        rows = consumption_history(db, tenant_id, term_id, limit=100).rows
        prefix = {"acme": "S-c", "gamma": "S-g", "beta": "b"}[tenant_id]
        assert all(v.startswith(prefix) for v in rows[key])
    assert sessions(consumption_history(db, "gamma", seeded.gamma_term).rows) == ["S-g1"]
    acme_conversations = conversation_history(db, "acme", limit=100).rows
    assert set(acme_conversations["User ID"]) == {"u1", "u2", "u3", "u4"}
    assert conversation_history(db, "acme", filters=ConversationFilters(user_id="eve")
                                ).total_rows == 0
    assert set(audit_entries(db, "beta", limit=100).rows["Tenant"]) == {"beta"}
    assert alerts_list(db, "acme").empty
    assert set(alerts_list(db, "gamma")["tenant_id"]) == {"gamma"}


# Conversation History


def test_a_sessions_conversations_are_those_in_its_window(db, seeded):
    page = conversation_history(db, "acme", filters=ConversationFilters(session_id="S-c01"))
    assert list(page.rows.columns) == list(CONVERSATION_COLUMNS)
    assert list(page.rows["Conversation ID"]) == ["c02", "c01"]
    assert page.total_rows == 2
    assert page.rows.iloc[1].to_dict() == {
        "Conversation ID": "c01", "Started On": at("2026-03-01T09:30:00+01:00"),
        "Ended On": at("2026-03-01T09:40:00+01:00"), "User ID": "u1", "User Name": "=cmd()",
        "Agent Name": "Bot", "Channel": "web", "Initiated By": "User", "Messages": 3,
    }
    assert [str(page.rows[c].dt.tz) for c in ("Started On", "Ended On")] == [
        "Europe/Paris"] * 2
    assert pd.isna(page.rows.iloc[0]["Ended On"])
    assert pd.isna(page.rows.iloc[0]["Messages"])
    counted = consumption_history(db, "acme", seeded.acme_term).rows.set_index("Session ID")
    for session_id, count in counted["Conversations"].items():
        shown = conversation_history(db, "acme",
                                     filters=ConversationFilters(session_id=session_id))
        assert shown.total_rows == count


def test_a_users_conversations_can_be_filtered_and_paged(db, seeded):
    mine = ConversationFilters(user_id="u1")
    assert conversation_history(db, "acme", filters=mine).total_rows == 3
    page = conversation_history(db, "acme", filters=mine, limit=2, offset=2)
    assert list(page.rows["Conversation ID"]) == ["c01"]
    assert page.total_rows == 3
    by_day = ConversationFilters(date_from=date(2026, 5, 21), date_to=date(2026, 5, 21))
    assert list(conversation_history(db, "acme", filters=by_day).rows["Conversation ID"]) == [
        "c06"]
    teams = ConversationFilters(channel="teams", agent="Help")
    assert list(conversation_history(db, "acme", filters=teams).rows["Conversation ID"]) == [
        "c06"]


def test_conversations_of_an_unknown_session_or_of_another_tenants_session_are_not_found(
        db, seeded):
    # Another tenant's session; a conversation that opens no session (c02 joins S-c01's);
    # a conversation's own id; the prefix alone.
    for unknown in ("S-g1", "S-c02", "c01", "S-"):
        with pytest.raises(NotFound):
            conversation_history(db, "acme", filters=ConversationFilters(session_id=unknown))
    with pytest.raises(NotFound):
        conversation_history(db, "nosuch")


# Purchase History


def test_purchase_history_starts_with_the_initial_purchase_then_each_refill(db, seeded):
    frame = purchase_history(db, "acme", seeded.acme_term)
    assert list(frame.columns) == list(PURCHASE_COLUMNS)
    assert frame.to_dict("records") == [
        {"Date": at("2025-12-01T10:00:00+01:00"), "Type": "Initial purchase",
         "Quantity": 100, "Total After": 100, "Recorded By": "setup", "Note": ""},
        {"Date": at("2026-04-01T09:00:00+02:00"), "Type": "Refill", "Quantity": 50,
         "Total After": 150, "Recorded By": "Sam Super", "Note": "Q2 top-up"},
        {"Date": at("2026-05-02T12:00:00+02:00"), "Type": "Removal", "Quantity": -20,
         "Total After": 130, "Recorded By": "Sam Super", "Note": '=HYPERLINK("x")'},
    ]
    assert str(frame["Date"].dt.tz) == "Europe/Paris"
    assert frame["Total After"].iloc[-1] == subscription_summary(db, "acme",
                                                                 now=NOW).total_purchased
    assert len(purchase_history(db, "beta", seeded.beta_term)) == 1


# Daily series


def test_daily_consumption_has_one_row_per_local_day_and_sums_to_consumed(db, seeded):
    series = daily_consumption(db, "acme", seeded.acme_term, now=NOW)
    assert list(series.columns) == ["date", "consumed", "consumed_cumulative",
                                    "total_purchased"]
    assert series["date"].iloc[0] == date(2026, 1, 1)
    assert series["date"].iloc[-1] == date(2026, 6, 15)
    assert len(series) == (date(2026, 6, 15) - date(2026, 1, 1)).days + 1
    summary = subscription_summary(db, "acme", now=NOW)
    assert series["consumed"].sum() == series["consumed_cumulative"].iloc[-1] == summary.consumed
    by_day = series.set_index("date")
    assert {d: n for d, n in by_day["consumed"].items() if n} == {
        date(2026, 3, 1): 3, date(2026, 4, 10): 1, date(2026, 5, 21): 1, date(2026, 6, 1): 1}
    assert by_day.loc[date(2026, 3, 31), "total_purchased"] == 100
    assert by_day.loc[date(2026, 4, 1), "total_purchased"] == 150
    assert by_day.loc[date(2026, 5, 2), "total_purchased"] == 130
    assert by_day.loc[date(2026, 6, 15), "total_purchased"] == summary.total_purchased


def test_daily_consumption_of_a_user_based_term_counts_holders_on_their_local_day(db, seeded):
    series = daily_consumption(db, "beta", seeded.beta_term, now=NOW).set_index("date")
    assert {d: n for d, n in series["consumed"].items() if n} == {
        date(2026, 1, 1): 2, date(2026, 4, 4): 1}
    assert series["consumed_cumulative"].iloc[-1] == 3


def test_daily_consumption_of_a_term_not_started_is_empty_and_of_an_ended_one_stops_at_its_end(
        db, seeded):
    renewed = renew(db, tenant_id="acme", start=date(2027, 1, 1), end=date(2027, 12, 31),
                    licenses=10, actor="setup", now=NOW)
    assert daily_consumption(db, "acme", renewed.term_id, now=NOW).empty
    later = daily_consumption(db, "acme", seeded.acme_term, now=datetime(2027, 3, 1))
    assert later["date"].iloc[-1] == date(2026, 12, 31)


# Terms, overview, alerts, audit


def test_terms_are_listed_newest_first_with_their_state(db, seeded):
    renew(db, tenant_id="acme", start=date(2027, 1, 1), end=date(2027, 12, 31), licenses=10,
          actor="setup", now=NOW)
    terms = terms_of(db, "acme", now=NOW)
    assert [(t.start_date, t.state, t.license_type, t.session_minutes) for t in terms] == [
        (date(2027, 1, 1), "not started", "session", 30),
        (date(2026, 1, 1), "active", "session", 30)]
    assert terms[1].term_id == seeded.acme_term
    with pytest.raises(NotFound):
        terms_of(db, "nosuch")


def test_the_overview_shows_each_tenants_current_term_as_its_summary_does(db, seeded):
    overview = tenants_overview(db, now=NOW)
    assert list(overview.columns) == list(OVERVIEW_COLUMNS)
    assert list(overview["tenant_id"]) == ["acme", "beta", "gamma"]
    for row in overview.to_dict("records"):
        summary = subscription_summary(db, row["tenant_id"], now=NOW)
        assert (row["name"], row["license_type"], row["start_date"], row["end_date"],
                row["state"], row["total_purchased"], row["consumed"], row["available"]) == (
            summary.name, summary.license_type, summary.start_date, summary.end_date,
            summary.state.value, summary.total_purchased, summary.consumed,
            summary.available)
        assert row["percent_used"] == pytest.approx(summary.percent_used)
        assert row["days_left"] == (date(2026, 12, 31) - date(2026, 6, 15)).days + 1
    gamma = overview.set_index("tenant_id").loc["gamma"]
    assert (gamma["consumed"], gamma["percent_used"]) == (1, 100.0)


def test_alerts_list_shows_the_queued_alert_in_the_tenants_time(db, tmp_path):
    seed(db, tmp_path, gamma_admin=True)
    alerts = alerts_list(db, None)
    assert list(alerts.columns) == list(ALERT_COLUMNS)
    assert len(alerts) == 1
    alert = alerts.iloc[0]
    assert (alert["tenant_id"], alert["kind"], alert["threshold"], alert["status"]) == (
        "gamma", "threshold", 100, "queued")
    assert alert["subject"] == "Gamma Inc has used 100% of its session licenses"
    assert alert["recipients"] == ""  # resolved when it is delivered
    assert alert["created_at"] == at("2026-06-15T12:00:00+00:00", "UTC")
    assert zone_of(alert["created_at"]) == "UTC"  # gamma's
    assert pd.isna(alert["sent_at"])
    with pytest.raises(NotFound):
        alerts_list(db, "nosuch")


def test_audit_entries_of_a_tenant_newest_first_with_json_before_and_after(db, seeded):
    page = audit_entries(db, "acme")
    assert list(page.rows.columns) == list(AUDIT_COLUMNS)
    assert page.total_rows == len(page.rows) >= 4
    assert list(page.rows["At"]) == sorted(page.rows["At"], reverse=True)
    refills = page.rows[page.rows["Action"] == "refill.create"]
    newest = refills.iloc[0]
    assert (newest["At"], newest["Actor"], newest["Tenant"]) == (
        at("2026-05-02T12:00:00+02:00"), "Sam Super", "acme")
    assert zone_of(newest["At"]) == "Europe/Paris"
    assert '"quantity": -20' in newest["After"]
    assert newest["Before"] == '{"total_purchased": 150}'
    assert refills.iloc[1]["At"] == at("2026-04-01T09:00:00+02:00")
    everyone = audit_entries(db, None, limit=2)
    assert len(everyone.rows) == 2
    assert everyone.total_rows > page.total_rows


@pytest.mark.parametrize("zone", [
    "UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe",
    "Pacific/Chatham",
])
def test_the_sql_local_day_agrees_with_python_across_a_year_of_dst_changes(db, zone):
    """SQLite has no time zones: its day expression must still match PostgreSQL's."""
    tz = ZoneInfo(zone)
    instants = [datetime(2025, 12, 31, 0, 20) + timedelta(minutes=173 * i) for i in range(3000)]
    with db.transaction() as session:
        for start in range(0, len(instants), 250):
            chunk = instants[start:start + 250]
            rows = union_all(*(select(literal(t, DateTime).label("t")) for t in chunk)
                             ).subquery()
            days = select(local_day(rows.c.t, tz, date(2025, 12, 31), date(2026, 12, 31),
                                    db.is_postgres))
            got = [str(d) for d in session.scalars(days)]
            assert got == [to_local(t, tz).date().isoformat() for t in chunk]


def test_the_sql_local_day_cuts_sub_seconds_off_as_python_does(db):
    """SQLite's date functions round to the millisecond: a thousandth of a second before
    local midnight must stay on its day (New York's midnights around both 2026 switches)."""
    tz = ZoneInfo("America/New_York")
    instants = [datetime(2026, 3, 8, 4, 59, 59, 999_600), datetime(2026, 3, 8, 5),
                datetime(2026, 3, 8, 6, 59, 59, 999_999), datetime(2026, 3, 8, 7),
                datetime(2026, 11, 1, 3, 59, 59, 999_999), datetime(2026, 11, 1, 4),
                datetime(2026, 11, 2, 4, 59, 59, 999_500), datetime(2026, 11, 2, 5)]
    rows = union_all(*(select(literal(t, DateTime).label("t")) for t in instants)).subquery()
    with db.transaction() as session:
        got = session.scalars(select(local_day(rows.c.t, tz, date(2026, 1, 1),
                                               date(2026, 12, 31), db.is_postgres))).all()
    assert [str(d) for d in got] == [to_local(t, tz).date().isoformat() for t in instants]
