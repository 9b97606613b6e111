"""Runs of one UTC offset (queries.offsets): cut at the very second a zone's offset changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, _zoneinfo, available_timezones

import pytest

from licensing_core.queries.offsets import (
    ONE_SECOND,
    SCAN_STEP,
    OffsetRun,
    offset_runs,
    utc_offset,
)

HOUR = timedelta(hours=1)


def test_new_yorks_2026_runs_start_at_its_switches():
    runs = offset_runs(ZoneInfo("America/New_York"), datetime(2026, 1, 1, 5, 0, 0, 500),
                       datetime(2027, 1, 1, 5))
    assert runs == [OffsetRun(datetime(2026, 1, 1, 5), -5 * HOUR),
                    OffsetRun(datetime(2026, 3, 8, 7), -4 * HOUR),
                    OffsetRun(datetime(2026, 11, 1, 6), -5 * HOUR)]


def test_a_change_at_the_end_or_an_empty_range_gives_no_run_for_it():
    tz = ZoneInfo("America/New_York")
    assert offset_runs(tz, datetime(2026, 3, 1), datetime(2026, 3, 8, 7)) == [
        OffsetRun(datetime(2026, 3, 1), -5 * HOUR)]
    assert offset_runs(tz, datetime(2026, 3, 8, 7), datetime(2026, 3, 8, 7)) == []


@pytest.mark.parametrize("zone", [
    "America/New_York", "Europe/Dublin", "Australia/Lord_Howe", "Africa/Casablanca",
    "Asia/Gaza", "Africa/Monrovia", "Europe/Amsterdam", "Pacific/Apia", "Asia/Kolkata",
])
@pytest.mark.parametrize("years", [(1916, 1924), (1969, 1974), (2024, 2030)])
def test_runs_hold_the_offset_of_every_instant_in_them(zone, years):
    """Each run starts on the very second its offset does; sampled every 97 minutes (so
    at every minute of the day in turn), each instant has its run's offset."""
    tz = ZoneInfo(zone)
    start, end = datetime(years[0], 1, 1), datetime(years[1], 1, 1)
    runs = offset_runs(tz, start, end)
    for earlier, run in zip(runs, runs[1:], strict=False):
        assert utc_offset(tz, run.start) == run.offset != earlier.offset
        assert utc_offset(tz, run.start - ONE_SECOND) == earlier.offset
    which, moment = 0, start
    while moment < end:
        while which + 1 < len(runs) and runs[which + 1].start <= moment:
            which += 1
        assert utc_offset(tz, moment) == runs[which].offset, moment
        moment += timedelta(minutes=97)


def test_no_zone_changes_its_offset_twice_within_a_scan_step():
    """offset_runs scans a day at a time: two changes within one step would hide both.
    The zones' own transitions (the TZif data, read by the pure-Python zoneinfo)."""
    closest = timedelta.max
    for name in available_timezones():
        zone = _zoneinfo.ZoneInfo.no_cache(name)  # type: ignore[attr-defined]
        offsets = [info.utcoff for info in zone._ttinfos]
        changes = [at for at, before, after in zip(zone._trans_utc[1:], offsets, offsets[1:],
                                                   strict=False) if before != after]
        for first, second in zip(changes, changes[1:], strict=False):
            closest = min(closest, timedelta(seconds=second - first))
    assert closest > 2 * SCAN_STEP


def test_the_rules_far_future_changes_are_found_too():
    """Past the TZif file's last transition the zone's rule string applies."""
    tz = ZoneInfo("Europe/Paris")
    runs = offset_runs(tz, datetime(2090, 1, 1), datetime(2091, 1, 1))
    assert [r.start for r in runs[1:]] == [datetime(2090, 3, 26, 1), datetime(2090, 10, 29, 1)]
    assert all(r.start.replace(tzinfo=UTC).astimezone(tz).utcoffset() == r.offset
               for r in runs)
