"""The Subscription banner's call to action: a tenant admin who needs licenses is linked to
Request licenses; a viewer (who cannot ask) keeps the support contact."""

from __future__ import annotations

from datetime import timedelta

from licensing_core.auth.accounts import create_account
from licensing_core.services.tenants import create_tenant
from tests.app.conftest import PASSWORD, texts


def red_banner(at) -> str:
    return next(e.value for e in at.error if str(e.value).startswith("**Critical:**"))


def test_the_banner_links_a_tenant_admin_to_request_licenses(signed_in):
    at = signed_in("ann")  # Acme runs out within days: the red banner
    banner = red_banner(at)
    assert banner.endswith("To buy more licenses, ask the operator on the Request licenses "
                           "page.")
    assert "support@operator.test" not in banner
    links = at.get("page_link")
    assert [(p.proto.label, p.proto.page) for p in links] == [
        ("Request licenses", "ask-for-licenses")]


def test_a_viewer_keeps_the_support_contact_and_gets_no_link(signed_in):
    at = signed_in("vic")
    banner = red_banner(at)
    assert banner.endswith("To buy more licenses, contact support@operator.test.")
    assert not at.get("page_link")


def test_an_ended_term_keeps_the_support_contact_for_its_admin(signed_in, world):
    """More licenses in an ended term help nobody (an approval would be refused): renew."""
    create_tenant(world.db, tenant_id="umbrella", name="Umbrella Ltd", license_type="user",
                  licenses=10, start=world.today - timedelta(days=400),
                  end=world.today - timedelta(days=35), actor="test")
    create_account(world.db, username="uma", role="tenant_admin", tenant_id="umbrella",
                   email="uma@example.test", password=PASSWORD, actor="test")
    at = signed_in("uma")
    assert red_banner(at).endswith("To renew the contract, contact support@operator.test.")
    assert not at.get("page_link")


def test_the_operator_is_sent_to_record_a_refill_not_to_ask(signed_in):
    at = signed_in("root")
    at.selectbox(key="sidebar_tenant").select("acme").run()
    at = at.switch_page("pages/subscription.py").run()
    assert red_banner(at).endswith("Record a refill on the Record refill page.")
    assert not at.get("page_link")
    assert "Request licenses page" not in texts(at)
