"""Purchase History (refills of the term, total over time) and the Alerts outbox."""

from licensing_core.queries.alerts import alerts_list
from tests.app.conftest import csv_lines, labelled, texts


def test_purchase_history_lists_the_terms_purchases_in_the_seed_columns(signed_in):
    at = signed_in("ann").switch_page("pages/purchase_history.py").run()
    assert not at.exception
    rows = at.dataframe[0].value
    assert list(rows.columns) == ["Date", "Type", "Quantity", "Total After", "Recorded By",
                                  "Note"]
    assert rows[["Type", "Quantity", "Total After", "Note"]].values.tolist() == [
        ["Initial purchase", 8, 8, ""], ["Refill", 2, 10, "first refill"]]
    assert rows["Date"].str.endswith(("CET", "CEST")).all()
    assert len(at.get("plotly_chart")) == 1


def test_purchase_download_confirms_and_exports_the_rows(signed_in, downloads):
    at = signed_in("ann").switch_page("pages/purchase_history.py").run()
    at.button(key="purchases_download").click().run()
    assert "**2 rows** will be exported" in texts(at)
    assert labelled(at.get("download_button"), "OK") is not None
    lines = csv_lines(downloads[-1])
    assert lines[0] == "Date,Type,Quantity,Total After,Recorded By,Note"
    assert lines[2].split(",")[1:] == ["Refill", "2", "10", "setup", "first refill"]


def test_the_alerts_page_shows_threshold_time_recipients_and_delivery(signed_in):
    at = signed_in("ann").switch_page("pages/alerts.py").run()
    assert not at.exception
    rows = at.dataframe[0].value
    assert rows["Threshold"].tolist() == ["75%"]
    assert rows["Delivery"].tolist() == ["waiting to be sent"]
    assert "tech@acme.test" in rows["Recipients"].iloc[0]
    assert rows["Queued at"].iloc[0].endswith(("CET", "CEST"))


def test_an_admin_can_make_a_queued_alert_due_now(signed_in, world):
    at = signed_in("ann").switch_page("pages/alerts.py").run()
    at.button(key="alerts_retry_now").click().run()
    assert "will be sent by the next delivery run" in texts(at)
    assert alerts_list(world.db, "acme")["status"].tolist() == ["queued"]


def test_a_viewer_sees_alerts_but_cannot_retry(signed_in):
    at = signed_in("vic").switch_page("pages/alerts.py").run()
    assert len(at.dataframe) == 1
    assert not [b for b in at.button if b.key == "alerts_retry_now"]


def test_a_tenant_without_alerts_says_so(signed_in):
    at = signed_in("gus").switch_page("pages/alerts.py").run()
    assert "No alert has been queued for this tenant." in texts(at)
