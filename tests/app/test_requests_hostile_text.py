"""Requests, decisions and thresholds echo a tenant's name, notes and reasons: each is shown
as the characters typed, never as a link, an image or emphasis."""

from __future__ import annotations

from licensing_core.auth.accounts import create_account
from licensing_core.auth.permissions import Principal
from licensing_core.domain.kinds import Role
from licensing_core.services.requests import create_request, decline_request
from licensing_core.services.tenants import create_tenant
from tests.app.conftest import PASSWORD, new_app, sign_in
from tests.app.test_hostile_text import HOSTILE_NAME, PHISH, PIXEL
from tests.markdown_view import node_types, visible

EVE = Principal("eve", Role.TENANT_ADMIN, "evil", "eve@example.test")
ROOT = Principal("root", Role.SUPER_ADMIN, None, "root@example.test")
NOTE = f"urgent {PHISH} {PIXEL} **now**"
# The pages' own bold is theirs; what came from input never becomes one of these.
NOT_TEXT = {"link_open", "image", "html_inline", "html_block"}


def evil_tenant(world) -> None:  # type: ignore[no-untyped-def]
    create_tenant(world.db, tenant_id="evil", name=HOSTILE_NAME, license_type="session",
                  licenses=5, start=world.term_start, end=world.term_end, session_minutes=30,
                  actor="setup")
    create_account(world.db, username="eve", role="tenant_admin", tenant_id="evil",
                   email="eve@example.test", password=PASSWORD, actor="setup")


def as_read(values: list[str]) -> list[str]:
    """What a person reads of each Markdown text; none holds a link, an image or HTML."""
    for value in values:
        assert not node_types(value) & NOT_TEXT, value
    return [visible(value) for value in values]


def readable(at) -> list[str]:  # type: ignore[no-untyped-def]
    """Every Markdown element of the page that may quote input, and the buttons' labels."""
    elements = [*at.title, *at.markdown, *at.caption, *at.error, *at.success]
    return as_read([e.value for e in elements] + [b.label for b in at.button])


def test_a_request_and_its_decline_read_as_typed_on_both_pages(signed_in, world):
    evil_tenant(world)
    create_request(world.db, principal=EVE, tenant_id="evil", quantity=3, note=NOTE)
    create_request(world.db, principal=EVE, tenant_id="evil", quantity=4, note=NOTE)
    decline_request(world.db, principal=ROOT, request_id=2, reason=f"no: {PHISH}")

    at = sign_in(new_app().run(), "eve").switch_page("pages/request_licenses.py").run()
    assert not at.exception
    page = " ".join(readable(at))
    assert f"Request licenses · {HOSTILE_NAME}" in page
    assert f"note: {NOTE}" in page and f"reason: no: {PHISH}" in page

    operator = signed_in("root").switch_page("pages/requests.py").run()
    operator.button(key="request_decide_1").click().run()
    assert not operator.exception
    page = " ".join(readable(operator))
    assert f"#1 · {HOSTILE_NAME} asks for 3 licenses" in page
    assert f"note: {NOTE}" in page
    assert f"Preview of a refill of +3 for {HOSTILE_NAME}" in page
    assert f"Approve: refill +3 for {HOSTILE_NAME}" in page


def test_the_thresholds_editor_names_the_tenant_as_typed(world):
    evil_tenant(world)
    at = sign_in(new_app().run(), "eve")
    at.text_input(key="thresholds_input_evil").input("50 100")
    at.button(key="thresholds_preview").click().run()
    assert not at.exception
    assert f"Save thresholds for {HOSTILE_NAME}" in readable(at)
