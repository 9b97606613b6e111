"""Conversation History's download: every matching row, in the page's order, in batches."""

import csv
import io

from licensing_core.exports.csv import export_conversations
from licensing_core.queries.conversations import ConversationFilters, conversation_history
from licensing_core.services.imports import import_conversations
from tests.fixtures_data import conversation, make_tenant, write_csv


def load(db, now, tmp_path):
    make_tenant(db, now=now)
    rows = [conversation(f"c{n:02d}", "ann" if n % 3 else "bob",
                         f"2026-06-{1 + n // 4:02d}T10:00:00Z") for n in range(20)]
    import_conversations(db, tenant_id="acme", path=write_csv(tmp_path / "c.csv", rows),
                         actor="test", now=now)


def test_the_download_holds_every_row_once_in_the_pages_order_even_with_equal_times(
        db, now, tmp_path):
    load(db, now, tmp_path)  # four conversations share each start time
    page = conversation_history(db, "acme", limit=100)
    out = io.StringIO()
    assert export_conversations(db, "acme", out) == 20
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["Conversation ID"] for r in rows] == list(page.rows["Conversation ID"])
    pages = [conversation_history(db, "acme", limit=3, offset=offset).rows
             for offset in range(0, 21, 3)]
    assert [cid for p in pages for cid in p["Conversation ID"]] == [r["Conversation ID"]
                                                                    for r in rows]


def test_the_download_holds_exactly_the_filtered_rows(db, now, tmp_path):
    load(db, now, tmp_path)
    filters = ConversationFilters(user_id="bob")
    out = io.StringIO()
    written = export_conversations(db, "acme", out, filters=filters)
    page = conversation_history(db, "acme", filters=filters, limit=100)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert written == page.total_rows == len(rows) == 7
    assert [r["Conversation ID"] for r in rows] == list(page.rows["Conversation ID"])
