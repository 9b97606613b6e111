"""The forecast on the Subscription page, the what-ifs, the Risk page, Idle seats and the
usage breakdowns, each number checked against the read models of the same data."""

import pytest
from streamlit.util import calc_hash

from licensing_core.domain.limits import MAX_LICENSES
from licensing_core.queries.forecasts import risk_ranking, term_forecast
from licensing_core.queries.idle_seats import idle_seats
from licensing_core.queries.terms import terms_of
from licensing_core.ui import formatting
from licensing_core.ui.forecasts import run_out_text
from tests.app.conftest import csv_lines, texts


def metrics(at):
    return {m.label: m.value for m in at.metric}


def test_the_subscription_page_shows_the_forecast_and_pacing(signed_in, world):
    expected = term_forecast(world.db, "acme")
    at = signed_in("ann")
    assert not at.exception
    page = texts(at)
    assert "Forecast" in page and f"**{run_out_text(expected.forecast)}**" in page
    assert not expected.forecast.lasts_term  # six sessions in two weeks, ten licenses
    shown = metrics(at)
    assert shown["Needed to last the term"] == formatting.count(
        expected.forecast.needed_to_last_term)
    assert shown["Pace (sessions/day)"] == f"{expected.forecast.pace_per_day_mid:.1f}"
    assert shown["Term elapsed / used"] == (
        f"{formatting.whole_percent(expected.pacing.term_elapsed_percent)} / "
        f"{formatting.whole_percent(expected.pacing.used_percent)}")


def test_the_consumption_chart_has_the_projection_and_its_band(signed_in):
    at = signed_in("ann")
    chart = at.get("plotly_chart")[1].proto.spec
    assert "Projected" in chart and "Projection range" in chart


def test_the_what_if_calculator_shows_a_refills_effect(signed_in, world):
    expected = term_forecast(world.db, "acme")
    effect = expected.what_if(20)
    at = signed_in("ann")
    at.number_input(key="whatif_quantity").set_value(20).run()
    page = texts(at)
    assert f"New total purchase: **{formatting.count(effect.new_total)}**" in page
    assert f"New percent used: **{formatting.percent(effect.new_percent)}**" in page
    assert f"Forecast after it: **{run_out_text(effect.forecast)}**" in page


def test_the_what_if_calculator_refuses_a_total_the_refill_could_not_record(signed_in):
    at = signed_in("ann")
    at.number_input(key="whatif_quantity").set_value(MAX_LICENSES).run()
    assert not at.exception
    assert any("more than" in error.value and str(MAX_LICENSES) in error.value.replace(",", "")
               for error in at.error)


def as_root_on(signed_in, page, tenant="acme"):
    at = signed_in("root")
    if tenant:
        at.selectbox(key="sidebar_tenant").select(tenant).run()
    return at.switch_page(f"pages/{page}.py").run()


def test_the_refill_form_says_what_lasts_the_term_and_the_run_out_after(signed_in, world):
    expected = term_forecast(world.db, "acme")
    at = as_root_on(signed_in, "refill")
    needed = formatting.count(expected.forecast.needed_to_last_term)
    assert f"**{needed}** more licenses last the term" in texts(at)
    at.text_input(key="refill_quantity").input("+30")
    at.button(key="refill_preview").click()
    at.run()
    after = expected.what_if(30).forecast
    assert f"After this refill: **{run_out_text(after)}**" in texts(at)


def test_the_overview_says_when_each_tenant_runs_out(signed_in, world):
    rows = signed_in("root").dataframe[0].value.set_index("Tenant")
    for row in risk_ranking(world.db).itertuples(index=False):
        words = ("Used up" if row.already_over else "Lasts the term" if row.lasts_term
                 else f"Runs out on {row.run_out_date.isoformat()}")  # a cell: capitalised
        assert rows.loc[row.tenant_id, "Runs Out"] == words
        assert rows.loc[row.tenant_id, "Term Elapsed"] == round(row.term_elapsed_percent, 1)


def test_the_risk_page_ranks_tenants_soonest_first(signed_in, world):
    at = as_root_on(signed_in, "risk", tenant=None)
    assert not at.exception
    table = at.dataframe[0].value
    ranking = risk_ranking(world.db)
    assert table["Tenant"].tolist() == ranking["tenant_id"].tolist()
    assert table["In Days"].tolist() == sorted(table["In Days"].tolist())
    at.multiselect(key="risk_types").select("user").run()
    assert at.dataframe[0].value["Tenant"].tolist() == ["globex"]


def test_the_risk_page_refuses_a_tenant_admin(signed_in):
    at = signed_in("ann")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/risk.py")
    at._page_hash = calc_hash("risk")
    at.run()
    assert "Not allowed: only a super admin may do this" in " ".join(e.value for e in at.error)
    assert not at.dataframe


def open_idle(at, days):
    at.switch_page("pages/idle_seats.py").run()
    at.number_input(key="idle_days").set_value(days).run()
    return at


def test_idle_seats_filter_by_the_viewers_days(signed_in, world):
    term_id = terms_of(world.db, "globex")[0].term_id
    at = signed_in("gus")
    for days in (1, 8, 30):
        open_idle(at, days)
        assert not at.exception
        expected = idle_seats(world.db, "globex", term_id, days=days)
        assert at.dataframe[0].value["User ID"].tolist() == expected.rows["User ID"].tolist()
    assert len(idle_seats(world.db, "globex", term_id, days=1).rows) == 3
    assert idle_seats(world.db, "globex", term_id, days=30).total_rows == 0


def test_idle_seats_download_holds_the_counted_rows(signed_in, world, downloads):
    at = open_idle(signed_in("gus"), 8)
    shown = len(at.dataframe[0].value)
    assert shown == 2
    at.button(key="idle_download").click().run()
    assert "**2 rows** will be exported" in texts(at)
    lines = csv_lines(downloads[-1])
    assert len(lines) == shown + 1 and lines[0].startswith("User ID,User Name")


def test_idle_seats_say_a_session_term_has_none(signed_in):
    at = signed_in("ann").switch_page("pages/idle_seats.py").run()
    assert "Idle seats apply to user-based terms" in texts(at)
    assert not at.dataframe


def test_the_breakdowns_open_on_demand_with_top_users(signed_in):
    at = signed_in("ann").switch_page("pages/consumption_history.py").run()
    before = len(at.get("plotly_chart"))
    toggle = [t for t in at.toggle if t.label == "Show usage breakdowns"][0]
    toggle.set_value(True).run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == before + 1
    top = at.dataframe[-1].value  # drawn last, below the chart
    assert list(top.columns) == ["User ID", "User Name", "Count"]
    assert top["Count"].tolist() == [2, 2, 2]  # two sessions per user
