"""The alert thresholds on Subscription: previewed (which are already passed), saved or reset
by a tenant admin for its tenant and by a super admin for any, refused with the reason,
read-only for a viewer; the gauge, the caption and the banner follow at once."""

from __future__ import annotations

import json

from sqlalchemy import select

from licensing_core.auth.permissions import Principal
from licensing_core.db.models import Alert
from licensing_core.domain.kinds import Role
from licensing_core.domain.status import Level
from licensing_core.queries.audit import audit_entries
from licensing_core.queries.summary import subscription_summary
from licensing_core.services.thresholds import set_thresholds
from licensing_core.ui.charts import BAND_BARS
from tests.app.conftest import error_texts, texts

ROOT = Principal("root", Role.SUPER_ADMIN, None, "root@example.test")


def alert_count(world) -> int:
    with world.db.transaction() as session:
        return len(session.scalars(select(Alert)).all())


def preview(at, typed: str, tenant: str = "acme"):
    at.text_input(key=f"thresholds_input_{tenant}").input(typed)
    at.button(key="thresholds_preview").click()
    return at.run()


def caption(at) -> str:
    return next(c.value for c in at.caption if "An alert email goes to the contacts" in c.value)


def gauge(at) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]["gauge"]


def gauge_ticks(at) -> list[float]:
    return gauge(at)["axis"]["tickvals"]


def available(at) -> str:
    return next(m.value for m in at.metric if m.label == "Available")


def test_a_tenant_admin_previews_then_saves_and_the_gauge_and_caption_follow(signed_in, world):
    alerts_before = alert_count(world)
    at = signed_in("ann")  # Acme: 6 of 10 sessions, 60%
    assert "Alert emails at **75%, 85%, 95% and 100%** used (the defaults)." in texts(at)
    assert at.text_input(key="thresholds_input_acme").value == "75 85 95 100"
    assert gauge(at)["bar"]["color"] == BAND_BARS[Level.CALM]
    assert available(at) == ":green[4]"

    at = preview(at, "50 75 90 100")
    page = texts(at)
    assert "Preview: alerts at 50%, 75%, 90% and 100%" in page
    assert ("At 60.0% used, 50% is already passed: counted as notified, so no email is sent "
            "for it.") in page
    assert "An alert email goes when consumption reaches 75%, 90% and 100%." in page
    assert subscription_summary(world.db, "acme").thresholds == (75, 85, 95, 100)  # not yet

    at.button(key="thresholds_save").click().run()
    assert not at.exception
    assert "Alert thresholds of Acme Corp saved: 50%, 75%, 90% and 100%." in texts(at)
    assert subscription_summary(world.db, "acme").thresholds == (50, 75, 90, 100)
    assert caption(at).endswith("reaches 50%, 75%, 90%, 100%.")
    assert gauge_ticks(at) == [0, 50, 75, 90, 100]
    assert at.text_input(key="thresholds_input_acme").value == "50 75 90 100"
    assert gauge(at)["bar"]["color"] == BAND_BARS[Level.WARNING]  # past its own 50%
    assert available(at) == ":orange[4]"
    assert alert_count(world) == alerts_before  # passed ones count as notified: no email
    entry = audit_entries(world.db, "acme", limit=1).rows.iloc[0]
    assert (entry["Actor"], entry["Action"]) == ("ann", "thresholds.update")
    assert json.loads(entry["After"]) == {"thresholds": [50, 75, 90, 100]}


def test_a_refused_change_shows_the_reason_and_offers_no_save(signed_in, world):
    at = signed_in("ann")
    for typed, reason in (("50 75 7 100", "thresholds must be strictly increasing: 7 comes "
                                          "after 75"),
                          ("0 50", "threshold 0 must be between 1 and 1000 percent"),
                          ("fifty", "threshold 'fifty' is not a whole percent"),
                          ("", "give at least one threshold")):
        at = preview(at, typed)
        assert f"Nothing was saved: {reason}" in error_texts(at), typed
        assert not [b for b in at.button if b.key == "thresholds_save"]
    assert subscription_summary(world.db, "acme").thresholds == (75, 85, 95, 100)


def test_reset_to_the_defaults_is_previewed_then_saved(signed_in, world):
    set_thresholds(world.db, principal=ROOT, tenant_id="acme", thresholds=[40, 70, 100])
    at = signed_in("ann")
    assert "Alert emails at **40%, 70% and 100%** used (Acme Corp's own)." in texts(at)
    assert caption(at).endswith("reaches 40%, 70%, 100%.")
    at.button(key="thresholds_reset_preview").click().run()
    assert "Preview: alerts at 75%, 85%, 95% and 100%" in texts(at)
    assert "At 60.0% used, no threshold is passed yet." in texts(at)
    save = at.button(key="thresholds_save")
    assert save.label == "Reset thresholds for Acme Corp"
    save.click().run()
    assert "Alert thresholds of Acme Corp saved: 75%, 85%, 95% and 100% (the defaults)." in texts(
        at)
    assert subscription_summary(world.db, "acme").thresholds == (75, 85, 95, 100)
    assert gauge_ticks(at) == [0, 75, 85, 95, 100]


def test_previewing_the_thresholds_in_force_offers_nothing_to_save(signed_in):
    at = preview(signed_in("ann"), "75, 85, 95, 100%")
    assert "These are the thresholds in force: nothing to save." in texts(at)
    assert not [b for b in at.button if b.key == "thresholds_save"]


def test_a_super_admin_changes_any_tenants_thresholds(signed_in, world):
    at = signed_in("root")
    at.selectbox(key="sidebar_tenant").select("globex").run()
    at = at.switch_page("pages/subscription.py").run()  # Globex: 3 of 10 users, 30%
    at = preview(at, "20 40 100", tenant="globex")
    assert "At 30.0% used, 20% is already passed" in texts(at)
    save = at.button(key="thresholds_save")
    assert save.label == "Save thresholds for Globex"
    save.click().run()
    assert subscription_summary(world.db, "globex").thresholds == (20, 40, 100)
    assert subscription_summary(world.db, "acme").thresholds == (75, 85, 95, 100)
    assert caption(at).endswith("reaches 20%, 40%, 100%.")


def test_a_viewer_sees_the_thresholds_but_cannot_edit_them(signed_in, world):
    set_thresholds(world.db, principal=ROOT, tenant_id="acme", thresholds=[50, 100])
    at = signed_in("vic")
    page = texts(at)
    assert "Alert emails at **50% and 100%** used (Acme Corp's own)." in page
    assert "The tenant's admins and the operator can change them." in page
    assert not [w for w in at.text_input if str(w.key).startswith("thresholds_input")]
    assert not [b for b in at.button if str(b.key).startswith("thresholds_")]
