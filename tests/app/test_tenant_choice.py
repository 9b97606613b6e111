"""One tenant at a time for a super admin: the sidebar's picker, the URL and the page always
name the same one; every write form names it and New term asks for confirmation after a
preview; the menu offers the pages that apply; the Tenants bars take the gauge's bands."""

import re
from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from licensing_core.domain.status import Level
from licensing_core.queries.summary import subscription_summary
from licensing_core.queries.terms import terms_of
from licensing_core.services.tenants import create_tenant
from licensing_core.ui import formatting, navigation
from licensing_core.ui.charts import BAND_FILLS
from tests.app.conftest import labelled, texts
from tests.app.test_hostile_text import HOSTILE_NAME, NOT_TEXT
from tests.markdown_view import node_types, visible

PICKER = "sidebar_tenant"


def titles(at):
    return [t.value for t in at.title]


def shown_tenant(at):
    """What the picker shows and what the URL says."""
    return at.selectbox(key=PICKER).value, at.query_params.get("tenant")


def open_from_overview(at, row):
    at.session_state["tenants_table"] = {"selection": {"rows": [row], "columns": [],
                                                       "cells": []}}
    return at.run()


def pick(at, tenant_id):
    return at.selectbox(key=PICKER).select(tenant_id).run()


def test_picker_url_and_page_agree_after_every_change(signed_in):
    at = open_from_overview(signed_in("root"), 0)  # acme, from the Tenants overview
    assert titles(at) == ["Subscription · Acme Corp"]
    assert shown_tenant(at) == ("acme", "acme")

    at = pick(at, "globex")  # the URL said acme: the picker's change wins, and says so
    assert titles(at) == ["Subscription · Globex"]
    assert shown_tenant(at) == ("globex", "globex")

    at = at.switch_page("pages/purchase_history.py").run()  # a page change keeps it
    assert shown_tenant(at) == ("globex", "globex")
    at = pick(at, "acme")
    assert shown_tenant(at) == ("acme", "acme")
    assert "Europe/Paris" in texts(at)  # Acme's purchases, in Acme's timezone


def test_a_link_naming_a_tenant_sets_the_picker(signed_in):
    at = pick(signed_in("root"), "acme")
    at.query_params["tenant"] = "globex"  # a deep link, or the back button
    at = at.switch_page("pages/subscription.py").run()
    assert titles(at) == ["Subscription · Globex"]
    assert shown_tenant(at) == ("globex", "globex")


def test_a_link_to_an_unknown_tenant_leaves_none_chosen(signed_in):
    at = signed_in("root")
    at.query_params["tenant"] = "nope"
    at = at.switch_page("pages/subscription.py").run()
    assert "There is no tenant nope" in texts(at)
    assert "Choose a tenant first" in texts(at)
    assert shown_tenant(at) == (None, None)


def test_clearing_the_picker_leaves_no_tenant_chosen(signed_in):
    at = pick(signed_in("root"), "acme").switch_page("pages/alerts.py").run()
    at = at.selectbox(key=PICKER).set_value(None).run()
    assert shown_tenant(at) == (None, None)
    assert "Choose a tenant first" in texts(at)


def test_the_overview_offers_no_second_tenant_chooser(signed_in):
    at = signed_in("root")
    assert [s.key for s in at.selectbox] == [PICKER]


def new_term_page(signed_in):
    """Acme opened from the overview, then Globex picked in the sidebar: the issue's steps."""
    at = pick(open_from_overview(signed_in("root"), 0), "globex")
    return at.switch_page("pages/new_term.py").run()


def test_a_new_term_is_previewed_and_recorded_only_on_confirmation(signed_in, world):
    at = new_term_page(signed_in)
    assert titles(at) == ["New term · Globex"]
    labelled(at.number_input, "Licenses bought").set_value(40)
    at.button(key="new_term_preview").click().run()
    preview = texts(at)
    first_day = world.term_end + timedelta(days=1)
    assert "Preview of a new term for Globex" in preview
    assert "User-based, 40 licenses bought" in preview
    assert "keeps its dates, licenses, refills and usage" in preview
    assert "it stays the current term until" in preview
    assert "already stored in these dates count in the new term" in preview
    assert "users are Active today" in preview
    assert formatting.day(first_day) in preview
    assert len(terms_of(world.db, "globex")) == 1  # nothing recorded yet
    assert labelled(at.button, "Record term for Globex").key == "new_term_save"

    at.button(key="new_term_save").click().run()
    assert "recorded for Globex" in texts(at)
    globex, acme = terms_of(world.db, "globex"), terms_of(world.db, "acme")
    assert len(globex) == 2 and len(acme) == 1
    assert (globex[0].license_type, globex[0].session_minutes) == ("user", None)
    assert not [b for b in at.button if b.key == "new_term_save"]  # asked again next time


def test_a_session_based_preview_gives_the_session_duration(signed_in, world):
    at = pick(signed_in("root"), "acme").switch_page("pages/new_term.py").run()
    labelled(at.number_input, "Session duration (minutes)").set_value(45)
    at.button(key="new_term_preview").click().run()
    assert "Session-based, 100 licenses bought, sessions of 45 minutes" in texts(at)
    assert "(as sessions of its session duration)" in texts(at)


def test_a_preview_is_not_carried_to_another_tenant(signed_in, world):
    at = new_term_page(signed_in)
    at.button(key="new_term_preview").click().run()
    at = pick(at, "acme")
    assert titles(at) == ["New term · Acme Corp"]
    assert not [b for b in at.button if b.key == "new_term_save"]


def test_every_write_form_names_its_tenant(signed_in, world):
    at = pick(signed_in("root"), "acme").switch_page("pages/refill.py").run()
    at.text_input(key="refill_quantity").input("+5")
    at.button(key="refill_preview").click().run()
    assert "Preview of a refill of +5 for Acme Corp" in texts(at)
    assert visible(at.button(key="refill_save").label) == "Save refill for Acme Corp"

    at = at.switch_page("pages/import_data.py").run()
    at.file_uploader(key="import_file_users").upload(
        "people.csv", b"user_id,user_name\nu9,Nina\nu10,Ola\n", "text/csv")
    at.run()
    assert visible(at.button(key="import_go").label) == "Import 2 rows into Acme Corp"
    assert "Nothing is stored in Acme Corp until you press Import" in texts(at)

    at = signed_in("gus")  # a tenant admin edits their own tenant's contacts
    labelled(at.button, "Edit").click().run()
    assert "Edit the contacts of Globex" in texts(at)
    assert "Saves the technical and billing emails of Globex." in texts(at)


def test_super_admins_do_not_get_the_contact_your_super_admin_note(signed_in):
    at = pick(signed_in("root"), "acme").switch_page("pages/subscription.py").run()
    assert "Licensing information is managed by the Super Admin" not in texts(at)
    at = at.switch_page("pages/purchase_history.py").run()
    assert "recorded by the Super Admin at your request" not in texts(at)


def test_tenant_admins_get_the_contact_your_super_admin_note(signed_in):
    at = signed_in("ann")
    assert "Licensing information is managed by the Super Admin" in texts(at)
    assert "contact support@operator.test" in texts(at)


def _note_for(role: str) -> None:
    from licensing_core.auth.permissions import Principal
    from licensing_core.domain.kinds import Role
    from licensing_core.ui import resources

    resources.support_note(Principal("p", Role(role), None if role == "super_admin" else "acme",
                                     "p@example.test"),
                           "To purchase licenses, contact your Super Admin.")


@pytest.mark.parametrize(("role", "shown"), [("super_admin", False), ("tenant_admin", True),
                                             ("tenant_viewer", True)])
def test_the_support_note_is_for_a_tenants_people(role, shown):
    at = AppTest.from_function(_note_for, args=(role,)).run()
    assert bool(at.info) == shown


def test_the_menu_does_not_offer_idle_seats_for_a_session_based_term():
    assert not navigation.offered(navigation.IDLE_SEATS, "session")
    assert navigation.offered(navigation.IDLE_SEATS, "user")
    assert navigation.offered(navigation.IDLE_SEATS, None)  # no tenant chosen yet
    every_other = [*navigation.TENANT_PAGES, *navigation.OPERATOR_PAGES]
    every_other.remove(navigation.IDLE_SEATS)
    assert all(navigation.offered(p, kind) for p in every_other for kind in ("session", "user"))


def test_idle_seats_opened_by_link_for_a_session_based_tenant_says_why(signed_in):
    at = signed_in("ann").switch_page("pages/idle_seats.py").run()
    assert "Idle seats apply to user-based terms" in texts(at)
    assert not at.exception


def band_fills(at):
    """The background of each tenant's Percent Used cell, by tenant."""
    table = at.dataframe[0]
    column = list(table.value.columns).index("Percent Used")
    tenants = table.value["Tenant"].tolist()
    fills = {}
    for selectors, colour in re.findall(r"([^{}]+)\{ background-color: (#[0-9a-f]{6}) \}",
                                        table.proto.arrow_data.styler.styles):
        for row, col in re.findall(r"_row(\d+)_col(\d+)", selectors):
            if int(col) == column:
                fills[tenants[int(row)]] = colour
    return fills


def test_the_tenants_bars_take_the_colour_of_the_gauges_band(signed_in, world):
    at = signed_in("root")  # acme 60%, globex 30%: below the first threshold, 75%
    assert band_fills(at) == {"acme": BAND_FILLS[Level.CALM], "globex": BAND_FILLS[Level.CALM]}
    at = pick(at, "acme").switch_page("pages/refill.py").run()
    at.text_input(key="refill_quantity").input("-2")
    at.button(key="refill_preview").click().run()
    at.button(key="refill_save").click().run()
    assert subscription_summary(world.db, "acme").percent_used == 75.0  # 6 of 8
    at = at.switch_page("pages/tenants.py").run()
    assert band_fills(at) == {"acme": BAND_FILLS[Level.WARNING],
                              "globex": BAND_FILLS[Level.CALM]}


@pytest.fixture
def evil(world):
    """A tenant whose name is hostile Markdown."""
    create_tenant(world.db, tenant_id="evil", name=HOSTILE_NAME, license_type="user",
                  licenses=5, start=world.term_start, end=world.term_end, actor="setup")
    return "evil"


def test_the_forms_name_a_hostile_tenant_as_typed(signed_in, evil):
    at = pick(signed_in("root"), evil).switch_page("pages/new_term.py").run()
    at.button(key="new_term_preview").click().run()
    heading = [m.value for m in at.markdown if "Preview of a new term" in m.value]
    labels = [at.button(key="new_term_save").label]
    at = at.switch_page("pages/refill.py").run()
    at.text_input(key="refill_quantity").input("+1")
    at.button(key="refill_preview").click().run()
    labels.append(at.button(key="refill_save").label)
    for text in [*heading, *labels]:  # the page's own bold aside, only text
        assert not node_types(text) & (NOT_TEXT - {"strong_open"}), text
    assert [visible(t) for t in [*heading, *labels]] == [
        f"Preview of a new term for {HOSTILE_NAME}", f"Record term for {HOSTILE_NAME}",
        f"Save refill for {HOSTILE_NAME}"]
