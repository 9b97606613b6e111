"""Purchase History (refills of the term, total over time) and the Alerts outbox."""

from licensing_core.auth.accounts import create_account
from licensing_core.queries.alerts import alerts_list
from licensing_core.services.outbox import deliver_due
from licensing_core.services.webhooks import deliver_webhooks
from licensing_core.ui import data
from licensing_core.ui.alerts import forecast_text
from tests.app.conftest import PASSWORD, csv_lines, labelled, texts
from tests.smtp_server import SmtpTestServer
from tests.webhook_server import WebhookReceiver


def test_purchase_history_lists_the_terms_purchases_in_the_seed_columns(signed_in):
    at = signed_in("ann").switch_page("pages/purchase_history.py").run()
    assert not at.exception
    rows = at.dataframe[0].value
    assert list(rows.columns) == ["Date", "Type", "Quantity", "Total After", "Recorded By",
                                  "Note"]
    assert rows[["Type", "Quantity", "Total After", "Note"]].values.tolist() == [
        ["Initial purchase", "+8", 8, ""], ["Refill", "+2", 10, "first refill"]]  # signed
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
    assert rows["Kind"].tolist() == ["Threshold"] and rows["Threshold"].tolist() == ["75%"]
    assert rows["Delivery"].tolist() == ["waiting to be sent"]
    assert rows["Recipients"].tolist() == ["to be resolved at delivery"]
    assert rows["Queued at"].iloc[0].endswith(("CET", "CEST"))


def test_a_delivered_alert_shows_the_addresses_it_was_sent_to(signed_in, world):
    create_account(world.db, username="ada", role="tenant_admin", tenant_id="acme",
                   email="ada@example.test", password=PASSWORD, actor="test")  # after queueing
    with SmtpTestServer() as server:
        assert deliver_due(world.db, server.settings()).sent == 1
    (received,) = server.messages
    assert received.rcpt_tos == ["tech@acme.test", "billing@acme.test", "ada@example.test",
                                 "ann@example.test"]
    rows = signed_in("ann").switch_page("pages/alerts.py").run().dataframe[0].value
    assert rows["Delivery"].tolist() == ["delivered"]
    assert rows["Recipients"].tolist() == [", ".join(received.rcpt_tos)]


def test_a_failed_alert_shows_whom_it_tried_and_that_it_asks_again(signed_in, world):
    assert deliver_due(world.db, SmtpTestServer().settings()).failed == 1  # nothing listens
    rows = signed_in("ann").switch_page("pages/alerts.py").run().dataframe[0].value
    assert rows["Delivery"].tolist() == ["failed, will retry"]
    assert rows["Recipients"].tolist() == [
        "to be resolved at delivery (last tried: tech@acme.test, billing@acme.test, "
        "ann@example.test)"]


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


def test_the_alerts_page_shows_the_webhook_beside_the_email(signed_in, world):
    with WebhookReceiver(500) as receiver:
        report = deliver_webhooks(world.db, receiver.settings(), backoff=False)
    assert report.sent == 0
    rows = signed_in("ann").switch_page("pages/alerts.py").run().dataframe[0].value
    assert rows["Webhook"].tolist() == ["failed, will retry"]
    assert rows["Webhook attempts"].tolist() == [1]
    assert "500" in rows["Webhook error"].iloc[0]
    with WebhookReceiver(200) as receiver:
        assert deliver_webhooks(world.db, receiver.settings(), backoff=False).sent == 1
    data.invalidate()  # as the page's own changes do; delivery runs in another process
    rows = signed_in("ann").switch_page("pages/alerts.py").run().dataframe[0].value
    assert rows["Webhook"].tolist() == ["delivered"]
    assert rows["Delivery"].tolist() == ["waiting to be sent"]  # the email is its own


def test_a_run_out_warning_reads_its_forecast_date_range_and_licenses_needed():
    assert forecast_text("2026-12-16", "2026-12-15", "2026-12-20", 16446) == (
        "runs out on 2026-12-16 (between 2026-12-15 and 2026-12-20); 16,446 more needed to "
        "last the term")
    assert forecast_text("2026-12-16", "2026-12-16", "2026-12-16", None) == (
        "runs out on 2026-12-16")
    assert forecast_text("", "", "", None) == ""
