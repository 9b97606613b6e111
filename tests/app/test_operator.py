"""The super admin's pages: overview, refill with preview, new tenant and term, accounts,
imports, and the audit log."""

from datetime import timedelta

from licensing_core.auth.accounts import authenticate, list_accounts
from licensing_core.queries.purchases import purchase_history
from licensing_core.queries.summary import subscription_summary
from licensing_core.queries.terms import terms_of
from licensing_core.services.tenants import list_tenant_ids
from tests.app.conftest import PASSWORD, error_texts, labelled, texts


def titles(at):
    return [t.value for t in at.title]


def as_root_on(signed_in, page, tenant="acme"):
    at = signed_in("root")
    if tenant:
        at.selectbox(key="sidebar_tenant").select(tenant).run()
    return at.switch_page(f"pages/{page}.py").run()


def test_the_overview_lists_every_tenant_with_its_numbers(signed_in):
    at = signed_in("root")
    rows = at.dataframe[0].value
    assert rows["Tenant"].tolist() == ["acme", "globex"]
    acme = rows.iloc[0]
    assert (acme["License Type"], acme["State"], acme["Total Purchase"], acme["Consumed"],
            acme["Percent Used"]) == ("Session-based", "Active", 10, 6, 60.0)
    assert list(rows.columns) == ["Tenant", "Name", "License Type", "Start Date", "End Date",
                                  "State", "Total Purchase", "Consumed", "Available",
                                  "Percent Used", "Days Left", "Term Elapsed", "Runs Out"]


def test_the_overview_filters_and_opens_a_tenant(signed_in):
    at = signed_in("root")
    at.multiselect(key="tenants_types").select("user").run()
    assert at.dataframe[0].value["Tenant"].tolist() == ["globex"]
    at.session_state["tenants_table"] = {"selection": {"rows": [0], "columns": [],
                                                       "cells": []}}
    at.run()
    assert titles(at) == ["Subscription · Globex"]


def test_a_tenant_page_without_a_chosen_tenant_points_to_the_overview(signed_in):
    at = signed_in("root").switch_page("pages/subscription.py").run()
    assert "Choose a tenant first" in texts(at)


def refill(at, quantity, note="order 42"):
    at.text_input(key="refill_quantity").input(quantity)
    at.text_area(key="refill_note").input(note)
    at.button(key="refill_preview").click()
    return at.run()


def test_a_refill_preview_shows_the_new_total_percent_and_alerts(signed_in, world):
    at = refill(as_root_on(signed_in, "refill"), "-2")
    shown = {m.label: m.value for m in at.metric}
    assert shown["New total purchase"] == "8"
    assert shown["New percent used"] == "75.0%"
    assert "This refill queues the 75% alert." in texts(at)
    assert subscription_summary(world.db, "acme").total_purchased == 10  # not saved yet
    at = refill(at, "+10")
    assert "This refill queues no alert." in texts(at)


def test_a_refill_that_frees_notified_thresholds_re_arms_them(signed_in, world):
    from licensing_core.services.refills import record_refill

    record_refill(world.db, tenant_id="acme", quantity=-2, recorded_by="test")  # 75%: alert
    at = refill(as_root_on(signed_in, "refill"), "+4")
    assert "re-arms the 75% alert" in texts(at)


def test_saving_a_previewed_refill_records_it(signed_in, world):
    at = refill(as_root_on(signed_in, "refill"), "+5", "order 7")
    at.button(key="refill_save").click().run()
    assert "Refill of +5 recorded: the total is now 15." in texts(at)
    last = purchase_history(world.db, "acme", subscription_summary(world.db, "acme").term_id)
    assert last.iloc[-1][["Type", "Quantity", "Recorded By", "Note"]].tolist() == [
        "Refill", 5, "root", "order 7"]


def test_refused_refills_show_the_reason_and_change_nothing(signed_in, world):
    at = as_root_on(signed_in, "refill")
    for quantity, reason in (("0", "a refill of 0 changes nothing"),
                             ("-11", "at most 10 can be removed"),
                             ("ten", "quantity must be a signed whole number")):
        at = refill(at, quantity)
        assert reason in error_texts(at)
        assert not [b for b in at.button if b.key == "refill_save"]
    assert subscription_summary(world.db, "acme").total_purchased == 10


def create_tenant(at, tenant_id, technical):
    form = {w.label: w for w in at.text_input}
    form["Tenant ID"].input(tenant_id)
    form["Name"].input("Initech")
    labelled(at.text_area, "Technical Email").input(technical)
    at.button(key="create_tenant_go").click()
    return at.run()


def test_creating_a_tenant_refuses_bad_addresses_then_creates_it(signed_in, world):
    at = create_tenant(as_root_on(signed_in, "create_tenant", tenant=None), "initech",
                       "ops@initech.test\nnope")
    assert "'nope' is not a valid email address" in error_texts(at)
    assert "initech" not in list_tenant_ids(world.db)
    at = create_tenant(at, "initech", "ops@initech.test")
    assert titles(at) == ["Subscription · Initech"]
    assert subscription_summary(world.db, "initech").technical_emails == ["ops@initech.test"]


def test_a_refused_tenant_shows_why(signed_in):
    at = create_tenant(as_root_on(signed_in, "create_tenant", tenant=None), "acme",
                       "ops@acme.test")
    assert "tenant 'acme' already exists" in error_texts(at)


def test_a_new_term_starts_after_the_current_one(signed_in, world):
    at = as_root_on(signed_in, "new_term")
    at.button(key="new_term_preview").click().run()
    assert len(terms_of(world.db, "acme")) == 1  # previewed, not recorded
    at.button(key="new_term_save").click().run()
    assert not at.error
    terms = terms_of(world.db, "acme")
    assert len(terms) == 2 and terms[0].start_date == world.term_end + timedelta(days=1)


def test_an_overlapping_term_is_refused(signed_in, world):
    at = as_root_on(signed_in, "new_term")
    labelled(at.date_input, "Start date").set_value(world.today)
    at.button(key="new_term_preview").click().run()
    assert "overlaps" in error_texts(at)
    assert not [b for b in at.button if b.key == "new_term_save"]
    assert len(terms_of(world.db, "acme")) == 1


def test_accounts_are_created_disabled_and_given_a_new_password(signed_in, world):
    at = as_root_on(signed_in, "accounts", tenant=None)
    at.text_input(key="account_username").input("nora")
    at.text_input(key="account_email").input("nora@acme.test")
    at.selectbox(key="account_tenant").select("acme")
    at.text_input(key="account_password").input(PASSWORD)
    at.text_input(key="account_again").input(PASSWORD)
    at.button(key="account_create_go").click().run()
    assert "Account nora created." in texts(at)
    assert authenticate(world.db, "nora", PASSWORD).tenant_id == "acme"

    at.selectbox(key="disable_username").select("nora")
    at.button(key="account_disable_go").click().run()
    assert {a.username: a.disabled for a in list_accounts(world.db)}["nora"] is True

    at.selectbox(key="reset_username").select("ann")
    at.text_input(key="reset_password").input("a brand new secret")
    at.text_input(key="reset_again").input("a brand new secret")
    at.button(key="account_reset_go").click().run()
    assert authenticate(world.db, "ann", "a brand new secret").username == "ann"


def test_a_super_admin_cannot_disable_their_own_account(signed_in, world):
    at = as_root_on(signed_in, "accounts", tenant=None)
    at.selectbox(key="disable_username").select("root")
    at.button(key="account_disable_go").click().run()
    assert "you cannot disable your own account" in error_texts(at)


def test_mismatched_passwords_create_nothing(signed_in, world):
    at = as_root_on(signed_in, "accounts", tenant=None)
    at.text_input(key="account_username").input("nora")
    at.text_input(key="account_email").input("nora@acme.test")
    at.selectbox(key="account_tenant").select("acme")
    at.text_input(key="account_password").input(PASSWORD)
    at.text_input(key="account_again").input(PASSWORD + "x")
    at.button(key="account_create_go").click().run()
    assert "the two passwords differ" in error_texts(at)
    assert "nora" not in {a.username for a in list_accounts(world.db)}


def upload(at, name, content):
    at.file_uploader(key="import_file_users").upload(name, content.encode(), "text/csv")
    return at.run()


def test_an_import_reports_bad_lines_before_storing_anything(signed_in, world):
    at = as_root_on(signed_in, "import_data")
    at = upload(at, "people.csv", "user_id,email,status\nu9,ok@acme.test,Active\n"
                                  ",missing@acme.test,Active\nu10,x@acme.test,Sleeping\n")
    assert "people.csv cannot be imported" in error_texts(at)
    problems = at.dataframe[0].value
    assert problems["Line"].tolist() == [3, 4]
    assert not [b for b in at.button if b.key == "import_go"]
    history = subscription_summary(world.db, "acme")
    assert history.consumed == 6


def test_a_valid_file_is_imported_with_a_summary(signed_in, world):
    at = as_root_on(signed_in, "import_data")
    at = upload(at, "people.csv", "user_id,user_name,email\nu9,Nina,nina@acme.test\n")
    assert "every line is valid" in texts(at)
    at.button(key="import_go").click().run()
    assert "Imported people.csv: 1 rows read, 1 stored" in texts(at)
    assert at.button(key="import_go").disabled


def test_the_audit_log_shows_every_change_to_a_super_admin(signed_in, world):
    at = as_root_on(signed_in, "audit_log", tenant=None)
    rows = at.dataframe[0].value
    assert {"acme", "globex", ""} <= set(rows["Tenant"])
    assert {"Tenant created", "Refill recorded", "Account created"} <= set(rows["Action"])
    at.selectbox(key="audit_tenant").select("globex").run()
    assert set(at.dataframe[0].value["Tenant"]) == {"globex"}
