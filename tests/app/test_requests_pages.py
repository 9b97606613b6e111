"""License requests in the dashboard: a tenant admin asks and follows the decisions; a super
admin decides each open request once on Requests, approving with an edited quantity (the
Record refill preview first) or declining with a reason; a viewer reads only."""

from __future__ import annotations

import pytest
from streamlit.util import calc_hash

from licensing_core.auth.permissions import Principal
from licensing_core.domain.kinds import Role
from licensing_core.queries.purchases import purchase_history
from licensing_core.queries.requests import list_requests
from licensing_core.queries.summary import subscription_summary
from licensing_core.services.requests import approve_request, create_request
from licensing_core.ui import navigation
from tests.app.conftest import error_texts, texts

ROOT = Principal("root", Role.SUPER_ADMIN, None, "root@example.test")
SAM = Principal("sam", Role.SUPER_ADMIN, None, "sam@example.test")
ANN = Principal("ann", Role.TENANT_ADMIN, "acme", "ann@example.test")
GUS = Principal("gus", Role.TENANT_ADMIN, "globex", "gus@example.test")


def titles(at) -> list[str]:
    return [t.value for t in at.title]


def subheaders(at) -> list[str]:
    return [h.value for h in at.subheader]


def open_request_page(signed_in, username: str):
    at = signed_in(username)
    return at.switch_page("pages/request_licenses.py").run()


def send(at, quantity: int, note: str = ""):
    at.number_input(key="request_quantity").set_value(quantity)
    at.text_area(key="request_note").input(note)
    at.button(key="request_send").click()
    return at.run()


# -- the tenant admin --------------------------------------------------------------------

def test_a_tenant_admin_asks_and_sees_the_request_open(signed_in, world):
    at = open_request_page(signed_in, "ann")
    assert titles(at) == ["Request licenses · Acme Corp"]
    assert "No open request." in texts(at)
    at = send(at, 5, "Q3 onboarding")
    assert not at.exception
    assert "Request #1 for 5 licenses sent: the operator is emailed" in texts(at)
    (made,) = list_requests(world.db, principal=ANN, tenant_id="acme")
    assert (made.quantity, made.note, made.requested_by, made.status.value) == (
        5, "Q3 onboarding", "ann", "open")
    page = texts(at)
    assert "#1 · 5 licenses** · Open · asked by ann on" in page
    assert "note: Q3 onboarding" in page
    assert "No request has been decided yet." in page
    assert subscription_summary(world.db, "acme").total_purchased == 10  # asked, not added


def test_a_request_of_0_is_refused_and_nothing_is_stored(signed_in, world):
    at = send(open_request_page(signed_in, "ann"), 0)
    assert "Nothing was saved: the quantity must be a whole number above 0, not 0" in \
        error_texts(at)
    assert list_requests(world.db, principal=ANN, tenant_id="acme") == []


def test_a_viewer_sees_the_tenants_requests_but_cannot_ask(signed_in, world):
    create_request(world.db, principal=ANN, tenant_id="acme", quantity=7, note="for sales")
    at = open_request_page(signed_in, "vic")
    assert titles(at) == ["Request licenses · Acme Corp"]
    assert "Only the tenant's admins can request licenses" in texts(at)
    assert "#1 · 7 licenses** · Open · asked by ann on" in texts(at)
    assert not [b for b in at.button if b.key == "request_send"]
    assert not at.number_input


def test_another_tenants_requests_are_not_allowed_by_url(signed_in, world):
    create_request(world.db, principal=GUS, tenant_id="globex", quantity=9, note="globex only")
    at = signed_in("ann")
    at.query_params["tenant"] = "globex"
    at = at.switch_page("pages/request_licenses.py").run()
    assert "Not allowed" in error_texts(at)
    assert "globex only" not in texts(at)


def test_the_requests_page_is_the_operators_only(signed_in, world):
    create_request(world.db, principal=GUS, tenant_id="globex", quantity=9, note="globex only")
    at = signed_in("ann")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/requests.py")
    at._page_hash = calc_hash("requests")  # run by its file's name
    at.run()
    assert "Not allowed: only a super admin may do this" in error_texts(at)
    assert "globex only" not in texts(at)
    at._page_hash = calc_hash("license-requests")  # asked for by its URL: the own page
    at.run()
    assert titles(at) == ["Subscription · Acme Corp"]
    assert "globex only" not in texts(at)


# -- the super admin ---------------------------------------------------------------------

def open_requests_page(signed_in):
    at = signed_in("root")
    return at.switch_page("pages/requests.py").run()


def decide(at, request_id: int):
    at.button(key=f"request_decide_{request_id}").click()
    return at.run()


def test_the_requests_page_lists_open_requests_with_the_tenants_numbers(signed_in, world):
    create_request(world.db, principal=GUS, tenant_id="globex", quantity=4, note="contractors")
    create_request(world.db, principal=ANN, tenant_id="acme", quantity=5)
    at = open_requests_page(signed_in)
    assert titles(at) == ["License requests"]
    assert subheaders(at) == ["Open requests (2)", "Decided"]
    page = texts(at)
    assert "#1 · Globex asks for 4 licenses** · by gus on" in page
    assert "note: contractors" in page
    assert "Now 60.0% used (6 of 10)" in page  # Acme's term
    assert "Now 30.0% used (3 of 10)" in page  # Globex's
    assert "No request has been decided yet." in page


def test_approving_with_an_edited_quantity_previews_then_records_that_refill(signed_in, world):
    create_request(world.db, principal=ANN, tenant_id="acme", quantity=5, note="Q3")
    at = decide(open_requests_page(signed_in), 1)
    grant = at.number_input(key="request_grant_1")
    assert grant.value == 5
    shown = {m.label: m.value for m in at.metric}
    assert shown["New total purchase"] == "15"
    grant.set_value(4).run()
    shown = {m.label: m.value for m in at.metric}
    assert shown["New total purchase"] == "14"
    assert shown["New percent used"] == "42.9%"
    assert "Preview of a refill of +4 for Acme Corp" in texts(at)
    assert "This refill queues no alert." in texts(at)
    assert subscription_summary(world.db, "acme").total_purchased == 10  # previewed only

    at.text_input(key="request_approve_note_1").input("4 now, more next quarter")
    approve = at.button(key="request_approve_1")
    assert approve.label == "Approve: refill +4 for Acme Corp"
    approve.click().run()
    assert not at.exception
    assert ("Request #1 approved: a refill of +4 for Acme Corp, whose total is now 14."
            in texts(at))
    assert subheaders(at) == ["Open requests (0)", "Decided"]
    summary = subscription_summary(world.db, "acme")
    assert summary.total_purchased == 14
    last = purchase_history(world.db, "acme", summary.term_id).iloc[-1]
    assert (last["Quantity"], last["Recorded By"], last["Note"]) == (
        4, "root", "License request #1: 4 now, more next quarter")
    decided = at.dataframe[0].value
    assert decided[["Request", "Tenant", "Status", "Quantity", "Granted", "Decided By",
                    "Reason or Note"]].values.tolist() == [
        [1, "acme", "Approved", 5, 4, "root", "4 now, more next quarter"]]


def test_the_tenant_admin_sees_the_new_total_and_the_decision(signed_in, world):
    create_request(world.db, principal=ANN, tenant_id="acme", quantity=5, note="Q3")
    approve_request(world.db, principal=ROOT, request_id=1, quantity=4, note="more later")
    at = open_request_page(signed_in, "ann")
    assert {m.label: m.value for m in at.metric}["Total Purchase"] == "14"
    page = texts(at)
    assert "#1 · 5 licenses** · Approved, 4 granted" in page
    assert "approved by root on" in page and "answer: more later" in page
    assert "No open request." in page


def test_declining_needs_a_reason_then_records_no_refill(signed_in, world):
    create_request(world.db, principal=GUS, tenant_id="globex", quantity=4)
    at = decide(open_requests_page(signed_in), 1)
    at.button(key="request_decline_1").click().run()
    assert "Nothing was saved: a reason for declining is required" in error_texts(at)
    assert list_requests(world.db, principal=ROOT)[0].is_open
    at.text_area(key="request_reason_1").input("Budget frozen until July")
    at.button(key="request_decline_1").click().run()
    assert "Request #1 of Globex declined." in texts(at)
    (declined,) = list_requests(world.db, principal=ROOT)
    assert (declined.status.value, declined.reason, declined.decided_by) == (
        "declined", "Budget frozen until July", "root")
    assert subscription_summary(world.db, "globex").total_purchased == 10
    tenant = open_request_page(signed_in, "gus")
    assert "Declined · asked by gus on" in texts(tenant)
    assert "reason: Budget frozen until July" in texts(tenant)


def test_a_grant_of_0_is_refused_and_offers_no_approval(signed_in, world):
    create_request(world.db, principal=ANN, tenant_id="acme", quantity=5)
    at = decide(open_requests_page(signed_in), 1)
    at.number_input(key="request_grant_1").set_value(0).run()
    assert "Nothing was saved: the quantity must be a whole number above 0, not 0" in \
        error_texts(at)
    assert not [b for b in at.button if b.key == "request_approve_1"]


def test_deciding_a_request_decided_meanwhile_shows_the_services_refusal(signed_in, world):
    create_request(world.db, principal=ANN, tenant_id="acme", quantity=5)
    at = decide(open_requests_page(signed_in), 1)
    approve_request(world.db, principal=SAM, request_id=1)  # another operator, elsewhere
    at.button(key="request_approve_1").click().run()
    assert "Nothing was saved: request #1 was already approved by sam on" in error_texts(at)
    assert subscription_summary(world.db, "acme").total_purchased == 15  # one refill only


def test_two_operators_deciding_the_same_request_get_one_decision(signed_in, world):
    create_request(world.db, principal=ANN, tenant_id="acme", quantity=5)
    first = decide(open_requests_page(signed_in), 1)
    second = decide(open_requests_page(signed_in), 1)
    first.button(key="request_approve_1").click().run()
    assert "Request #1 approved" in texts(first)
    second.text_area(key="request_reason_1").input("too late")
    second.button(key="request_decline_1").click().run()
    assert "Nothing was saved: request #1 was already approved by root on" in \
        error_texts(second)
    (decided,) = list_requests(world.db, principal=ROOT)
    assert decided.status.value == "approved"
    assert subscription_summary(world.db, "acme").total_purchased == 15


def test_the_menu_says_how_many_requests_wait(world):
    def operator_menu() -> list[str]:
        return [spec.title for spec in navigation.operator_specs(ROOT)]

    assert operator_menu()[:2] == ["Tenants", "Requests"]
    create_request(world.db, principal=ANN, tenant_id="acme", quantity=5)
    create_request(world.db, principal=GUS, tenant_id="globex", quantity=3)
    assert operator_menu()[:2] == ["Tenants", "Requests (2)"]
    assert navigation.REQUEST_LICENSES in navigation.TENANT_PAGES  # viewers too: read-only
