"""What the tables and dialogs read like: thousands separators on every count, one date
format, friendly labels instead of stored values, the audit log's changes field by field,
and the filters a download applies."""

import json
import re
from datetime import datetime, time, timedelta

from licensing_core.services.imports import import_conversations
from licensing_core.services.refills import record_refill
from licensing_core.services.tenants import set_contacts
from licensing_core.ui import formatting
from tests.app.conftest import labelled, texts
from tests.app.test_history import follow, history_key, open_history, shown_links

TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d [A-Z]{3,5}$")  # 2026-03-01 09:30 CET
DAY = r"\d{4}-\d\d-\d\d"
STORED_WORDS = re.compile(r"^[a-z]+[._][a-z_.]+$")  # tenant_admin, contacts.update ...


def configs(at, n=0):
    return json.loads(at.dataframe[n].proto.columns)


def counts_grouped(at):
    """Check that every whole-number column of every table on the page is shown with
    thousands separators: Streamlit's "localized" number format, which groups digits in
    the browser's language (12,258 in English). Gives the columns checked."""
    checked = set()
    for n, frame in enumerate(at.dataframe):
        for column in frame.value.select_dtypes("integer").columns:
            shown = configs(at, n).get(column, {}).get("type_config", {})
            assert shown == {"type": "number", "format": "localized"}, (
                f"table {n}, column {column!r}: {shown}")
            checked.add(column)
    return checked


def as_root_on(signed_in, page, tenant="acme"):
    at = signed_in("root")
    if tenant:
        at.selectbox(key="sidebar_tenant").select(tenant).run()
    return at.switch_page(f"pages/{page}.py").run()


def one_long_session(world, tmp_path, count):
    """`count` conversations of Eve with one agent on one channel within 30 minutes: one
    session of `count` conversations."""
    start = datetime.combine(world.today - timedelta(days=2), time(8, 0))
    lines = ["conversation_id,user_id,started_at,agent_name,channel,messages"]
    lines += [f"long{n},u1,{(start + timedelta(seconds=n)).isoformat()}+00:00,IT Helpdesk,"
              f"Web,1" for n in range(count)]
    path = tmp_path / "long.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_conversations(world.db, tenant_id="acme", path=path, actor="test")


def test_a_count_over_a_thousand_is_grouped_and_its_link_opens_that_many(
        signed_in, world, tmp_path):
    one_long_session(world, tmp_path, 1234)
    at = open_history(signed_in("ann"))
    assert "1,234" in [count for count, _ in shown_links(at)]
    url = dict(shown_links(at))["1,234"]
    at = follow(at, url)
    assert "of **1,234** rows" in texts(at)
    assert counts_grouped(at) == {"Messages"}


def test_every_count_in_a_table_is_grouped(signed_in, world):
    record_refill(world.db, tenant_id="acme", quantity=5000, recorded_by="test")
    at = signed_in("ann").switch_page("pages/purchase_history.py").run()
    rows = at.dataframe[0].value
    assert rows["Quantity"].tolist()[-1] == "+5,000"  # signed, so written as text
    assert counts_grouped(at) == {"Total After"}
    at = open_history(signed_in("ann"))
    [t for t in at.toggle if t.label == "Show usage breakdowns"][0].set_value(True).run()
    assert counts_grouped(at) == {"Count"}  # the top users'
    assert counts_grouped(as_root_on(signed_in, "risk", tenant=None)) == {"In Days",
                                                                           "Needed to Last"}
    assert counts_grouped(as_root_on(signed_in, "alerts")) == {"Attempts", "Webhook attempts"}


def test_stored_values_read_as_words(signed_in):
    at = as_root_on(signed_in, "accounts", tenant=None)
    roles = set(at.dataframe[0].value["Role"])
    assert not {r for r in roles if STORED_WORDS.fullmatch(r)}
    assert roles == {"Super admin", "Tenant admin", "Tenant viewer"}
    assert labelled(at.selectbox, "Role").options == ["Super admin", "Tenant admin",
                                                      "Tenant viewer"]
    at = as_root_on(signed_in, "audit_log", tenant=None)
    actions = set(at.dataframe[0].value["Action"])
    assert not {a for a in actions if STORED_WORDS.fullmatch(a)}
    assert {"Tenant created", "Term added", "Refill recorded", "Account created",
            "Users imported", "Conversations imported"} <= actions
    at = as_root_on(signed_in, "risk", tenant=None)
    risk = at.dataframe[0].value.set_index("Tenant")
    assert risk.loc["acme", "License Type"] == "Session-based"
    assert risk.loc["globex", "License Type"] == "User-based"
    assert set(risk["State"]) == {"Active"}
    assert labelled(at.multiselect, "License type").options == ["Session-based", "User-based"]
    at = signed_in("ann").switch_page("pages/alerts.py").run()
    assert at.dataframe[0].value["Kind"].tolist() == ["Threshold"]
    at = open_history(signed_in("ann"))
    assert re.fullmatch(rf"{DAY} – {DAY} · Session-based · Active",
                        labelled(at.selectbox, "Term").options[0])


def test_the_audit_log_reads_each_change_before_and_after(signed_in, world):
    set_contacts(world.db, tenant_id="acme", technical_emails=["new@acme.test"], actor="ann")
    at = signed_in("ann").switch_page("pages/audit_log.py").run()
    rows = at.dataframe[0].value
    assert list(rows.columns) == ["At", "Actor", "Tenant", "Action", "Changes"]
    newest = rows.iloc[0]
    assert (newest["Actor"], newest["Action"]) == ("ann", "Contacts changed")
    assert newest["Changes"] == "Technical Email: tech@acme.test → new@acme.test"
    refill = rows[rows["Action"] == "Refill recorded"].iloc[0]
    assert refill["Changes"].startswith("Total Purchase: 8 → 10; Quantity: +2; "
                                        "Note: first refill")
    assert not rows["Changes"].str.contains(r'[{}"]').any()  # no JSON left


def test_times_and_dates_have_one_format(signed_in):
    at = open_history(signed_in("ann"))
    assert table_values(at, "Started On").str.fullmatch(TIME.pattern).all()
    at = signed_in("ann").switch_page("pages/audit_log.py").run()
    assert table_values(at, "At").str.fullmatch(TIME.pattern).all()
    at = as_root_on(signed_in, "audit_log", tenant=None)  # every tenant: one zone, UTC
    assert table_values(at, "At").str.endswith(" UTC").all()
    at = signed_in("ann").switch_page("pages/purchase_history.py").run()
    assert table_values(at, "Date").str.fullmatch(TIME.pattern).all()
    at = as_root_on(signed_in, "risk", tenant=None)
    assert configs(at)["End Date"]["type_config"]["format"] == formatting.DATE_COLUMN_FORMAT
    assert formatting.DATE_COLUMN_FORMAT == "YYYY-MM-DD"


def table_values(at, column):
    return at.dataframe[0].value[column]


def test_the_download_says_which_filters_it_applies(signed_in):
    at = open_history(signed_in("ann"))
    key = history_key(at)
    at.text_input(key=f"{key}_text").input("bob").run()
    at.multiselect(key=f"{key}_channels").select("Teams").run()
    at.selectbox(key=f"{key}_sort").select("User Name").run()
    at.button(key="consumption_download").click().run()
    term = labelled(at.selectbox, "Term").options[0]
    assert (f"Filters applied: term {term}; user or email containing “bob”; channel Teams; "
            "sorted by User Name.") in texts(at)
    at = signed_in("ann")
    at.query_params["user_id"] = "u1"
    at = at.switch_page("pages/conversation_history.py").run()
    at.button(key="conversations_download").click().run()
    assert "Filters applied: user ID “u1”." in texts(at)
    at.text_input(key="conversations_user_id").input("").run()
    at.button(key="conversations_download").click().run()
    assert "No filters: every row is exported." in texts(at)
