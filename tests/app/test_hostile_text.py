"""Text that came from input is shown as the characters typed, on every page that echoes
it: a query parameter in an error, a tenant's name in a title, a file's name, a note."""

from __future__ import annotations

import pytest

from licensing_core.auth.accounts import create_account
from licensing_core.services.tenants import create_tenant
from tests.app.conftest import PASSWORD, labelled, new_app, sign_in
from tests.markdown_view import node_types, visible

PHISH = "[Session expired - sign in again](http://evil.example/phish)"
PIXEL = "![x](http://evil.example/t.png)"
# Everything Streamlit's Markdown would turn into something else than its characters.
HOSTILE_NAME = ("**Evil** <b>Co</b> " + PHISH + " " + PIXEL
                + " :red[alarm] $x^2$ :material/warning: :smile: -> www.evil.example")
NOT_TEXT = {"link_open", "image", "html_inline", "html_block", "strong_open", "em_open"}


def shown(elements) -> list[str]:  # type: ignore[no-untyped-def]
    """What a person reads of each element; none may be more than text."""
    for element in elements:
        assert not node_types(element.value) & NOT_TEXT, element.value
    return [visible(element.value) for element in elements]


@pytest.mark.parametrize("hostile", [PHISH, PIXEL])
def test_a_session_id_in_the_link_is_echoed_as_text(signed_in, hostile):
    at = signed_in("ann")
    at.query_params["session_id"] = hostile
    at.switch_page("pages/conversation_history.py").run()
    assert not at.exception
    assert shown(at.error) == [f"tenant 'acme' has no session '{hostile}'"]


@pytest.fixture
def evil(world):  # type: ignore[no-untyped-def]
    """A tenant whose name is hostile Markdown, and its admin."""
    create_tenant(world.db, tenant_id="evil", name=HOSTILE_NAME, license_type="session",
                  licenses=5, start=world.term_start, end=world.term_end, session_minutes=30,
                  actor="setup")
    create_account(world.db, username="eve", role="tenant_admin", tenant_id="evil",
                   email="eve@example.test", password=PASSWORD, actor="setup")
    return "evil"


def test_a_tenants_name_is_its_title_as_typed(evil):
    at = sign_in(new_app().run(), "eve")
    assert not at.exception
    assert shown(at.title) == [f"Subscription · {HOSTILE_NAME}"]


@pytest.mark.parametrize(("page", "title"), [("import_data", "Import"),
                                             ("refill", "Record refill"),
                                             ("new_term", "New term")])
def test_the_operators_forms_title_the_tenant_as_typed(signed_in, evil, page, title):
    at = signed_in("root")
    at.selectbox(key="sidebar_tenant").select(evil).run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception
    assert shown(at.title) == [f"{title} · {HOSTILE_NAME}"]


def test_a_refill_note_is_previewed_as_typed(signed_in):
    at = signed_in("root")
    at.selectbox(key="sidebar_tenant").select("acme").run()
    at.switch_page("pages/refill.py").run()
    at.text_input(key="refill_quantity").input("+5")
    at.text_area(key="refill_note").input(PHISH + " " + PIXEL)
    at.button(key="refill_preview").click().run()
    preview = [m for m in at.markdown if "Preview of a refill" in m.value]
    assert [visible(m.value) for m in preview] == [
        f"Preview of a refill of +5 for Acme Corp · note: {PHISH} {PIXEL}"]
    assert "link_open" not in node_types(preview[0].value)


@pytest.mark.parametrize("name", [PHISH + ".csv", PIXEL + ".csv"])
def test_an_uploaded_files_name_is_shown_as_typed(signed_in, name):
    at = signed_in("root")
    at.selectbox(key="sidebar_tenant").select("acme").run()
    at.switch_page("pages/import_data.py").run()
    at.file_uploader(key="import_file_users").upload(name, b"user_id\n,\nu9\n", "text/csv")
    at.run()
    assert shown(at.error)[0].startswith(f"{name} cannot be imported: ")


def test_a_refused_address_is_quoted_as_typed(signed_in):
    at = signed_in("ann")
    labelled(at.button, "Edit").click()
    at.run()
    at.text_area(key="contacts_technical").input(PIXEL)
    at.button(key="contacts_save").click()
    at.run()
    refusals = [e for e in at.error if not e.value.startswith("**Critical:**")]  # no banner
    assert shown(refusals)[0] == f"Technical Email: {PIXEL!r} is not a valid email address"
