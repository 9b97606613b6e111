"""The New term preview on both databases: the term renew would record, what stays as it
is, and the usage already stored in its dates; nothing is written."""

from datetime import date, timedelta

import pytest

from licensing_core.errors import Refused
from licensing_core.queries.terms import terms_of
from licensing_core.services.imports import import_conversations, import_users
from licensing_core.services.tenants import create_tenant, preview_term, renew

CONVERSATIONS = """conversation_id,user_id,started_at,agent_name,channel
c1,u1,2026-12-30T10:00:00+00:00,Helpdesk,Web
c2,u1,2027-01-02T10:00:00+00:00,Helpdesk,Web
c3,u2,2027-01-03T10:00:00+00:00,Helpdesk,Teams
"""


@pytest.fixture
def globex(db, now, tmp_path):
    """User-based, 2026; conversations stored on both sides of its end, three users."""
    create_tenant(db, tenant_id="globex", name="Globex", license_type="user", licenses=10,
                  start=date(2026, 1, 1), end=date(2026, 12, 31), actor="root", now=now)
    users = tmp_path / "users.csv"
    users.write_text("user_id,status\nu1,Active\nu2,Active\nu3,Inactive\n", encoding="utf-8")
    conversations = tmp_path / "conversations.csv"
    conversations.write_text(CONVERSATIONS, encoding="utf-8")
    import_users(db, tenant_id="globex", path=users, actor="root", now=now)
    import_conversations(db, tenant_id="globex", path=conversations, actor="root", now=now)
    return "globex"


def test_the_next_term_keeps_the_current_one_and_counts_the_stored_usage(db, now, globex):
    preview = preview_term(db, tenant_id=globex, start=date(2027, 1, 1),
                           end=date(2027, 12, 31), licenses=20, now=now)
    assert (preview.tenant_name, preview.license_type, preview.licenses,
            preview.session_minutes) == ("Globex", "user", 20, None)  # the latest term's type
    assert (preview.current_start, preview.current_end, preview.current_state) == (
        date(2026, 1, 1), date(2026, 12, 31), "active")
    assert preview.becomes_current == date(2027, 1, 1)
    assert (preview.conversations, preview.conversation_users) == (2, 2)  # c2 and c3
    assert preview.active_users == 2
    assert len(terms_of(db, globex, now=now)) == 1  # a preview writes nothing


def test_a_term_that_contains_today_is_current_at_once(db, now, globex):
    renew(db, tenant_id=globex, start=date(2027, 1, 1), end=date(2027, 12, 31), licenses=5,
          actor="root", now=now)
    later = now + timedelta(days=800)  # 2028-08: every term has ended
    preview = preview_term(db, tenant_id=globex, start=date(2028, 1, 1),
                           end=date(2028, 12, 31), licenses=5, license_type="session",
                           now=later)
    assert preview.current_state == "expired"
    assert preview.becomes_current == later.date()
    assert (preview.license_type, preview.session_minutes) == ("session", 30)


def test_an_earlier_term_never_becomes_current(db, now, globex):
    preview = preview_term(db, tenant_id=globex, start=date(2025, 1, 1),
                           end=date(2025, 12, 31), licenses=5, now=now)
    assert preview.becomes_current is None
    assert preview.conversations == 0


@pytest.mark.parametrize(("start", "end", "licenses", "message"), [
    (date(2026, 6, 1), date(2027, 5, 31), 5, "overlaps"),
    (date(2027, 2, 1), date(2027, 1, 1), 5, "before start date"),
    (date(2027, 1, 1), date(2027, 12, 31), -1, "licenses bought must be"),
])
def test_a_preview_is_refused_for_the_reasons_renew_refuses(db, now, globex, start, end,
                                                            licenses, message):
    with pytest.raises(Refused, match=message):
        preview_term(db, tenant_id=globex, start=start, end=end, licenses=licenses, now=now)
    with pytest.raises(Refused, match=message):
        renew(db, tenant_id=globex, start=start, end=end, licenses=licenses, actor="root",
              now=now)
