"""The Subscription page's status banner, the gauge's bands, the Available card's colour and
the forecast cards' words, on the AppTest world and on tenants made for one level each."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import update

from licensing_core.auth.accounts import create_account
from licensing_core.db.models import Tenant
from licensing_core.domain.status import Level
from licensing_core.queries.forecasts import term_forecast
from licensing_core.services.imports import import_users
from licensing_core.services.refills import record_refill
from licensing_core.services.tenants import create_tenant, renew
from licensing_core.ui.charts import BAND_BARS, BAND_FILLS, OVERAGE_FILL
from licensing_core.ui.formatting import day
from tests.app.conftest import PASSWORD, texts
from tests.markdown_view import node_types, visible

SUPPORT = "support@operator.test"  # the world's LICENSING_SUPPORT_CONTACT


def banners(at) -> dict[str, list[str]]:
    """The page's alert boxes that carry a level label, by colour, as a person reads them."""
    found: dict[str, list[str]] = {"red": [], "amber": [], "green": []}
    for colour, boxes in (("red", at.error), ("amber", at.warning), ("green", at.success)):
        for box in boxes:
            words = visible(box.value)
            if words.startswith(("Critical:", "Warning:", "Note:")):
                found[colour].append(words)
    return found


def the_banner(at, colour: str) -> str:
    shown = banners(at)
    assert [c for c, words in shown.items() if words] == [colour], shown
    return shown[colour][0]


def metric(at, label: str):
    return next(m for m in at.metric if m.label == label)


def gauge(at) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def tenant_with_admin(world, tenant_id: str, *, start, end, licenses: int = 10) -> str:
    """A user-based tenant of its own with no usage, and its admin's username."""
    create_tenant(world.db, tenant_id=tenant_id, name=f"{tenant_id.title()} Ltd",
                  license_type="user", licenses=licenses, start=start, end=end, actor="test")
    username = f"{tenant_id}-admin"
    create_account(world.db, username=username, role="tenant_admin", tenant_id=tenant_id,
                   email=f"{username}@example.test", password=PASSWORD, actor="test")
    return username


def test_acme_running_out_within_days_gets_a_red_banner_with_date_percent_and_needed(
        signed_in, world):
    expected = term_forecast(world.db, "acme")
    run_out = expected.forecast.run_out_date
    assert run_out is not None
    days = (run_out - expected.today).days
    words = the_banner(signed_in("ann"), "red")
    assert words.startswith(
        f"Critical: At the current pace Acme Corp runs out on {day(run_out)}, in {days} days,")
    assert f"before the term ends on {day(world.term_end)}" in words
    assert "60.0% used (6 of 10 sessions)" in words
    needed = expected.forecast.needed_to_last_term
    assert f"{needed:,} more licenses, on top of the 10 bought, would last the term" in words
    assert words.endswith("To buy more licenses, ask the operator on the Request licenses "
                          "page.")  # a tenant admin: the banner links there


def test_a_tenant_that_lasts_the_term_below_its_thresholds_gets_no_banner(signed_in, world):
    record_refill(world.db, tenant_id="globex", quantity=100, recorded_by="test")
    assert term_forecast(world.db, "globex").forecast.lasts_term
    at = signed_in("gus")
    assert not at.exception
    assert banners(at) == {"red": [], "amber": [], "green": []}
    assert "At the current pace" not in texts(at)


def test_a_forecast_that_runs_out_months_before_the_end_is_an_amber_banner(signed_in, world):
    record_refill(world.db, tenant_id="acme", quantity=100, recorded_by="test")
    expected = term_forecast(world.db, "acme")
    run_out = expected.forecast.run_out_date
    assert run_out is not None and (run_out - expected.today).days > 30
    words = the_banner(signed_in("ann"), "amber")
    assert words.startswith(f"Warning: At the current pace Acme Corp runs out on {day(run_out)}")
    assert "5.5% used (6 of 110 sessions)" in words


def test_reaching_the_first_threshold_is_an_amber_banner_that_names_it(signed_in, world,
                                                                      tmp_path):
    today = world.today
    admin = tenant_with_admin(world, "initrode", start=today - timedelta(days=60),
                              end=today + timedelta(days=300))
    users = tmp_path / "initrode_users.csv"
    users.write_text("user_id,status\n" + "".join(f"i{n},Active\n" for n in range(8)),
                     encoding="utf-8")
    import_users(world.db, tenant_id="initrode", path=users, actor="test")
    words = the_banner(signed_in(admin), "amber")  # counted today: no pace yet, it lasts
    assert words == ("Warning: At the current pace Initrode Ltd lasts the term, which ends on "
                     f"{day(today + timedelta(days=300))}, in about 10 months. 80.0% used (8 "
                     "of 10 users), past the 75% alert. To buy more licenses, ask the operator "
                     "on the Request licenses page.")


def set_thresholds(world, tenant_id: str, thresholds: list[int]) -> None:
    with world.db.transaction() as session:
        session.execute(update(Tenant).where(Tenant.id == tenant_id)
                        .values(alert_thresholds=thresholds))


def test_the_tenants_own_first_threshold_is_a_warning(signed_in, world):
    record_refill(world.db, tenant_id="globex", quantity=90, recorded_by="test")  # 3 of 100
    set_thresholds(world, "globex", [2, 50, 100])
    at = signed_in("gus")
    assert "3.0% used (3 of 100 users), past the 2% alert." in the_banner(at, "amber")
    assert gauge(at)["data"][0]["gauge"]["bar"]["color"] == BAND_BARS[Level.WARNING]
    assert metric(at, "Available").value == ":orange[97]"


def test_the_tenants_own_critical_threshold_is_critical(signed_in, world):
    record_refill(world.db, tenant_id="globex", quantity=90, recorded_by="test")
    set_thresholds(world, "globex", [1, 3, 100])
    at = signed_in("gus")
    assert "3.0% used (3 of 100 users), past the 3% alert." in the_banner(at, "red")
    assert gauge(at)["data"][0]["gauge"]["bar"]["color"] == BAND_BARS[Level.CRITICAL]
    assert metric(at, "Available").value == ":red[97]"


def test_an_overage_is_a_red_banner_and_a_red_available_card(signed_in, world):
    record_refill(world.db, tenant_id="acme", quantity=-5, recorded_by="test")
    at = signed_in("ann")
    words = the_banner(at, "red")
    assert words.startswith("Critical: Acme Corp has used up its session licenses: 120.0% used "
                            "(6 of 5 sessions), 1 over the purchase, with ")
    assert f"of the term to go (it ends on {day(world.term_end)})" in words
    assert metric(at, "Available").value == ":red[-1]"
    steps = gauge(at)["data"][0]["gauge"]["steps"]
    assert steps[-1]["range"][0] == 100 and steps[-1]["color"] == OVERAGE_FILL


def test_the_operator_is_told_to_record_a_refill_not_to_contact_support(signed_in):
    at = signed_in("root")
    at.selectbox(key="sidebar_tenant").select("acme").run()
    words = the_banner(at.switch_page("pages/subscription.py").run(), "red")
    assert words.endswith("Record a refill on the Record refill page.")
    assert SUPPORT not in words


def test_an_expired_term_is_a_red_banner_saying_when_it_ended_with_renewal(signed_in, world):
    today = world.today
    admin = tenant_with_admin(world, "umbrella", start=today - timedelta(days=400),
                              end=today - timedelta(days=35))
    words = the_banner(signed_in(admin), "red")
    ended = day(today - timedelta(days=35))
    assert words.startswith(f"Critical: Umbrella Ltd's term ended on {ended}, 35 days ago,")
    assert words.endswith(f"To renew the contract, contact {SUPPORT}.")


def test_an_expired_term_with_the_next_one_recorded_is_a_green_note(signed_in, world):
    today = world.today
    admin = tenant_with_admin(world, "umbrella", start=today - timedelta(days=400),
                              end=today - timedelta(days=3))
    renew(world.db, tenant_id="umbrella", start=today + timedelta(days=4),
          end=today + timedelta(days=369), licenses=10, actor="test")
    words = the_banner(signed_in(admin), "green")
    assert words == (f"Note: Umbrella Ltd's term ended on {day(today - timedelta(days=3))}; the "
                     f"next term starts on {day(today + timedelta(days=4))}, in 4 days.")


def test_a_term_not_started_is_a_green_note_with_its_start(signed_in, world):
    today = world.today
    admin = tenant_with_admin(world, "hooli", start=today + timedelta(days=9),
                              end=today + timedelta(days=373), licenses=25)
    words = the_banner(signed_in(admin), "green")
    assert words == (f"Note: Hooli Ltd's term starts on {day(today + timedelta(days=9))}, "
                     "in 9 days, with 25 user licenses.")


def test_the_last_weeks_of_a_lasting_term_are_a_green_reminder_to_renew(signed_in, world):
    today = world.today
    admin = tenant_with_admin(world, "hooli", start=today - timedelta(days=300),
                              end=today + timedelta(days=12))
    at = signed_in(admin)
    words = the_banner(at, "green")
    assert words.startswith(f"Note: At the current pace Hooli Ltd lasts the term, which ends on "
                            f"{day(today + timedelta(days=12))}, in 12 days. 0.0% used")
    assert words.endswith(f"To renew the contract, contact {SUPPORT}.")
    assert gauge(at)["data"][0]["gauge"]["bar"]["color"] == BAND_BARS[Level.CALM]


def test_the_gauges_bands_are_calm_amber_then_red_at_the_thresholds(signed_in):
    at = signed_in("ann")  # 60%: in the calm band
    figure = gauge(at)["data"][0]["gauge"]
    assert [(s["range"][0], s["color"]) for s in figure["steps"]] == [
        (0, BAND_FILLS[Level.CALM]), (75, BAND_FILLS[Level.WARNING]),
        (85, BAND_FILLS[Level.WARNING]), (95, BAND_FILLS[Level.CRITICAL])]
    assert figure["bar"]["color"] == BAND_BARS[Level.CALM]
    assert metric(at, "Available").value == ":green[4]"


def test_needed_to_last_says_it_is_on_top_of_the_total(signed_in, world):
    expected = term_forecast(world.db, "acme")
    page = texts(signed_in("ann"))
    assert expected.forecast.needed_to_last_term > 0
    assert (f"Licenses on top of the 10 bought, to last to {day(world.term_end)} at the "
            "current pace.") in page
    assert "Sessions started per day over the last 14 days." in page


def test_a_user_based_pace_of_zero_says_what_it_counts(signed_in, world):
    today = world.today
    admin = tenant_with_admin(world, "hooli", start=today - timedelta(days=60),
                              end=today + timedelta(days=300))
    at = signed_in(admin)
    assert metric(at, "Pace (users/day)").value == "0.0"
    page = texts(at)
    assert ("No user was counted for the first time in the last 14 days: the 0 counted hold "
            "their licenses to the term's end.") in page
    assert f"None on top of the 10 bought: they last to {day(today + timedelta(days=300))}" in page


def test_a_hostile_tenant_name_is_shown_in_the_banner_as_typed(signed_in, world):
    today = world.today
    hostile = "**Evil** <b>Co</b> [sign in](http://evil.example/p) ![x](http://evil.example/t.png)"
    create_tenant(world.db, tenant_id="evil", name=hostile, license_type="user", licenses=5,
                  start=today - timedelta(days=400), end=today - timedelta(days=35), actor="t")
    create_account(world.db, username="eve", role="tenant_admin", tenant_id="evil",
                   email="eve@example.test", password=PASSWORD, actor="test")
    at = signed_in("eve")
    box = next(e.value for e in at.error if e.value.startswith("**Critical:**"))
    assert visible(box).startswith(f"Critical: {hostile}'s term ended on ")
    assert not node_types(box) & {"link_open", "image", "html_inline", "html_block", "em_open"}
