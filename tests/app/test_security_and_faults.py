"""Every page checks role and tenant on the server; faults show a message, never a traceback."""

import pytest
from streamlit.util import calc_hash

from licensing_core.queries.terms import terms_of
from licensing_core.ui import data
from licensing_core.ui.guard import DATABASE_DOWN
from tests.app.conftest import new_app, sign_in, texts

TENANT_PAGES = ["subscription", "consumption_history", "conversation_history",
                "purchase_history", "idle_seats", "alerts"]
OPERATOR_PAGES = ["tenants", "risk", "create_tenant", "refill", "new_term", "import_data",
                  "accounts"]


def errors(at):
    return " ".join(e.value for e in at.error)


@pytest.mark.parametrize("page", TENANT_PAGES)
def test_a_tenant_admin_cannot_open_another_tenant_by_query_parameter(signed_in, page):
    at = signed_in("ann")
    at.query_params["tenant"] = "globex"
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception
    assert "Not allowed: you may not see this tenant" in errors(at)
    assert not at.dataframe and not at.metric and not at.get("plotly_chart")
    assert "Globex" not in texts(at)


@pytest.mark.parametrize("page", OPERATOR_PAGES)
def test_super_admin_pages_are_not_in_a_tenant_admins_navigation(signed_in, page):
    at = signed_in("ann")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(f"pages/{page}.py")


def test_a_forged_request_for_an_operator_page_falls_back_to_the_own_page(signed_in):
    at = signed_in("ann")
    at._page_hash = calc_hash("all-tenants")  # what a browser asking /all-tenants sends
    at.run()
    assert [t.value for t in at.title] == ["Subscription · Acme Corp"]


@pytest.mark.parametrize("page", OPERATOR_PAGES)
def test_an_operator_page_run_directly_refuses_a_tenant_admin(signed_in, page):
    """Streamlit may run a pages/ file by its own name before st.navigation is known."""
    at = signed_in("ann")
    at._page_hash = calc_hash(page)
    at.run()
    assert "Not allowed: only a super admin may do this" in errors(at)
    assert not at.dataframe and not at.metric


def test_a_term_of_another_tenant_is_refused(signed_in, world):
    globex_term = terms_of(world.db, "globex")[0].term_id
    at = signed_in("ann")
    at.query_params["term"] = str(globex_term)
    at.switch_page("pages/consumption_history.py").run()
    assert f"this tenant has no term {globex_term}" in errors(at)
    assert not at.dataframe


@pytest.mark.parametrize("term", ["\u00b2", "\u0663", "\uff11", "1e3", "x"])
def test_a_term_parameter_that_is_not_plain_digits_is_refused_as_no_such_term(signed_in, term):
    """Python's isdigit() holds for a superscript two, which int() then refuses."""
    at = signed_in("ann")
    at.query_params["term"] = term
    at.switch_page("pages/consumption_history.py").run()
    assert not at.exception
    assert f"this tenant has no term {term}" in errors(at)
    assert not at.dataframe


def test_a_tenant_admin_reads_only_their_tenants_audit_log(signed_in):
    at = signed_in("ann").switch_page("pages/audit_log.py").run()
    rows = at.dataframe[0].value
    assert len(rows) > 0 and set(rows["Tenant"]) == {"acme"}
    assert not [s for s in at.selectbox if s.key == "audit_tenant"]


def test_a_viewer_has_no_audit_log(signed_in):
    at = signed_in("vic")
    with pytest.raises(ValueError):
        at.switch_page("pages/audit_log.py")


def test_a_database_that_is_down_gives_a_clear_message(world, monkeypatch):
    monkeypatch.setenv("LICENSING_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/nothing")
    at = sign_in(new_app().run(), "ann")
    assert not at.exception
    assert DATABASE_DOWN in errors(at)
    assert "Traceback" not in texts(at)


def test_an_unexpected_error_shows_a_reference_not_a_traceback(signed_in, monkeypatch):
    at = signed_in("ann")

    def broken(_ctx):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(data, "summary", broken)
    at.run()
    assert not at.exception
    assert "Something went wrong" in errors(at) and "reference" in errors(at)
    assert "secret internals" not in texts(at)


def test_the_dataframe_toolbar_export_is_switched_off():
    from streamlit import config

    assert config.get_option("client.disableDataExport") is True
    assert config.get_option("client.showErrorDetails") == "none"
