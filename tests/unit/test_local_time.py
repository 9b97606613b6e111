"""How a page writes an instant: the read models give timestamps, this one function words
them, in the tenant's zone or, in a table of several tenants, in each row's own offset."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from licensing_core.ui.formatting import local_time

PARIS, KOLKATA = ZoneInfo("Europe/Paris"), ZoneInfo("Asia/Kolkata")


@pytest.mark.parametrize(("value", "timezone", "shown"), [
    (datetime(2026, 3, 1, 9, 30, 59, tzinfo=PARIS), "Europe/Paris", "2026-03-01 09:30 CET"),
    (datetime(2026, 7, 1, 8, 30), "Europe/Paris", "2026-07-01 10:30 CEST"),  # stored UTC
    (pd.Timestamp("2026-07-01 20:00", tz="UTC").tz_convert(KOLKATA), "America/New_York",
     "2026-07-01 16:00 EDT"),
    (datetime(2026, 6, 15, 14, 0, tzinfo=PARIS), None, "2026-06-15 14:00 UTC+02:00"),
    (datetime(2026, 6, 15, 12, 0, tzinfo=ZoneInfo("UTC")), None, "2026-06-15 12:00 UTC+00:00"),
    (pd.Timestamp("2026-06-15 12:00", tz="UTC").tz_convert(KOLKATA), None,
     "2026-06-15 17:30 UTC+05:30"),
    (None, "Europe/Paris", ""), (pd.NaT, "Europe/Paris", ""), (None, None, ""),
])
def test_an_instant_reads_in_the_zone_asked_or_in_its_own_offset(value, timezone, shown):
    assert local_time(value, timezone) == shown
