"""Consumption and Conversation History: filters in the database, paging, deep links."""

import json
import re
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

from licensing_core.queries.terms import terms_of
from licensing_core.services.tenants import renew
from tests.app.conftest import csv_lines, labelled, texts


def open_history(at):
    return at.switch_page("pages/consumption_history.py").run()


def table(at):
    """The page's one table (the history pages have one each)."""
    assert len(at.dataframe) == 1
    return at.dataframe[0].value


def param(at, name):
    """A query parameter of the page's URL after the run (AppTest may give a list)."""
    value = at.query_params[name]
    return value[-1] if isinstance(value, list) else value


def history_key(at):
    """The widget keys' prefix of the term shown (its search box is `<prefix>_text`)."""
    return next(t.key for t in at.text_input if t.key.endswith("_text")).removesuffix("_text")


def column_config(at, column, n=0):
    """How the page's table shows a column (its width, type, format, link text)."""
    return json.loads(at.dataframe[n].proto.columns).get(column, {})


def shown_links(at, column="Conversations"):
    """A link column as a person reads it: each link's text, cut from its URL by the
    column's display_text (a regular expression), and the URL it opens."""
    pattern = column_config(at, column)["type_config"]["display_text"]
    return [(re.search(pattern, url)[1], url) for url in table(at)[column]]


def follow(at, url):
    """Open a relative link of a page, as the browser does: its page and its parameters."""
    parts = urlsplit(url)
    pages = {"conversation-history": "pages/conversation_history.py"}
    at.query_params.clear()
    at.query_params.update(dict(parse_qsl(parts.query)))
    return at.switch_page(pages[parts.path]).run()


def test_a_session_term_shows_the_seed_columns_and_every_session(signed_in):
    at = open_history(signed_in("ann"))
    assert not at.exception
    rows = table(at)
    assert list(rows.columns) == ["Session ID", "Started On", "Initiated By", "User Name",
                                  "Email", "Role", "Agent Name", "Channel", "Conversations"]
    assert len(rows) == 6
    assert "of **6** rows" in texts(at)
    assert rows["Started On"].str.endswith(("CET", "CEST")).all()  # Paris time, zone named


def test_a_user_term_shows_the_user_columns(signed_in):
    at = open_history(signed_in("gus"))
    rows = table(at)
    assert list(rows.columns) == ["User ID", "User Name", "Email", "First Name", "Last Name",
                                  "Role", "Status", "Conversations"]
    assert rows["User ID"].tolist() == ["g1", "g2", "g3"]
    assert [count for count, _ in shown_links(at)] == ["3", "3", "3"]


def test_filters_change_the_rows_and_their_count(signed_in, world):
    at = open_history(signed_in("ann"))
    key = history_key(at)
    at.text_input(key=f"{key}_text").input("eve").run()
    assert set(table(at)["User Name"]) == {"Eve Adams"}
    assert "of **2** rows" in texts(at)
    at.text_input(key=f"{key}_text").input("").run()
    at.multiselect(key=f"{key}_channels").select("Teams").run()
    assert set(table(at)["User Name"]) == {"Bob Brown"}
    at.multiselect(key=f"{key}_channels").unselect("Teams").run()
    at.multiselect(key=f"{key}_statuses").select("Inactive").run()
    assert set(table(at)["User Name"]) == {"Carol Clark"}
    at.multiselect(key=f"{key}_statuses").unselect("Inactive").run()
    at.multiselect(key=f"{key}_roles").select("Manager").run()
    assert set(table(at)["User Name"]) == {"Bob Brown"}
    at.multiselect(key=f"{key}_roles").unselect("Manager").run()
    day = world.today - timedelta(days=10)
    at.date_input(key=f"{key}_dates").set_value((day, day)).run()
    assert table(at)["User Name"].tolist() == ["Eve Adams"]
    assert "of **1** rows" in texts(at)


def test_sorting_runs_in_the_database(signed_in):
    at = open_history(signed_in("ann"))
    key = history_key(at)
    at.selectbox(key=f"{key}_sort").select("User Name").run()
    assert table(at)["User Name"].tolist()[:2] == ["Bob Brown", "Bob Brown"]
    at.toggle(key=f"{key}_desc").set_value(True).run()
    assert table(at)["User Name"].tolist()[0] == "Eve Adams"


def test_a_past_term_can_be_chosen(signed_in, world):
    renew(world.db, tenant_id="acme", start=world.term_start - timedelta(days=100),
          end=world.term_start - timedelta(days=1), licenses=5, actor="test")
    at = open_history(signed_in("ann"))
    term = labelled(at.selectbox, "Term")
    assert len(term.options) == 2
    term.select_index(1).run()
    assert table(at).empty
    assert "of **0** rows" in texts(at)


def test_each_sessions_count_is_a_link_to_its_conversations(signed_in):
    at = open_history(signed_in("ann"))
    session_id = table(at).iloc[0]["Session ID"]
    count, url = shown_links(at)[0]
    at = follow(at, url)
    assert [t.value for t in at.title] == ["Conversation History"]
    assert at.text_input(key="conversations_session_id").value == session_id
    assert len(table(at)) == int(count) and f"of **{count}** rows" in texts(at)
    assert param(at, "session_id") == session_id
    assert "conversations" not in at.query_params  # the count rides only in the link


def test_each_users_count_links_to_that_users_conversations_of_the_term(signed_in, world):
    at = open_history(signed_in("gus"))
    count, url = shown_links(at)[1]
    at = follow(at, url)
    assert [t.value for t in at.title] == ["Conversation History"]
    conversations = table(at)
    assert set(conversations["User ID"]) == {"g2"} and len(conversations) == int(count) == 3
    assert at.date_input(key="conversations_dates").value == (world.term_start, world.term_end)
    assert "Signed in as **gus**" in texts(at)


def open_conversations(at, **params):
    at.query_params.clear()
    at.query_params.update(params)
    return at.switch_page("pages/conversation_history.py").run()


def test_a_deep_link_filters_conversation_history(signed_in):
    at = open_conversations(signed_in("ann"), user_id="u2")
    assert not at.exception
    rows = table(at)
    assert set(rows["User ID"]) == {"u2"} and len(rows) == 3
    assert list(rows.columns)[:3] == ["Conversation ID", "Started On", "Ended On"]


def test_conversation_filters_change_the_rows(signed_in, world):
    at = open_conversations(signed_in("ann"))
    assert len(table(at)) == 9
    at.text_input(key="conversations_channel").input("Teams").run()
    assert set(table(at)["User ID"]) == {"u2"}
    assert param(at, "channel") == "Teams"
    at.text_input(key="conversations_channel").input("").run()
    day = world.today - timedelta(days=12)
    at.date_input(key="conversations_dates").set_value((day, day)).run()
    assert set(table(at)["Conversation ID"]) == {"a2a", "a2b"}


def test_a_deep_link_cannot_reach_another_tenants_user(signed_in):
    at = open_conversations(signed_in("ann"), user_id="g1")
    assert table(at).empty


def test_download_asks_with_the_row_count_and_exports_exactly_the_filtered_rows(
        signed_in, downloads):
    at = open_history(signed_in("ann"))
    key = history_key(at)
    at.text_input(key=f"{key}_text").input("bob").run()
    at.button(key="consumption_download").click().run()
    assert "**2 rows** will be exported" in texts(at)
    lines = csv_lines(downloads[-1])
    assert lines[0] == ("Session ID,Started On,Initiated By,User Name,Email,Role,Agent Name,"
                        "Channel,Conversations")
    assert len(lines) == 3 and all("Bob Brown" in line for line in lines[1:])


def test_conversation_download_exports_the_filtered_rows(signed_in, downloads):
    at = open_conversations(signed_in("ann"), user_id="u1")
    at.button(key="conversations_download").click().run()
    assert "**3 rows** will be exported" in texts(at)
    assert len(csv_lines(downloads[-1])) == 4


def test_a_term_deep_link_picks_that_term_and_the_picker_still_works(signed_in, world):
    renew(world.db, tenant_id="acme", start=world.term_start - timedelta(days=100),
          end=world.term_start - timedelta(days=1), licenses=5, actor="test")
    current, past = (t.term_id for t in terms_of(world.db, "acme"))
    at = signed_in("ann")
    at.query_params["term"] = str(past)
    at = open_history(at)
    assert labelled(at.selectbox, "Term").value == past and table(at).empty
    labelled(at.selectbox, "Term").select(current).run()
    assert labelled(at.selectbox, "Term").value == current and len(table(at)) == 6
    assert param(at, "term") == str(current)
