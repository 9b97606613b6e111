"""A zone's UTC offset in SQL without time zones (SQLite): runs of one offset between the
exact instants it changes, and a CASE that gives each stored instant its run.

Inside a run the local time is the naive-UTC instant plus the run's offset. A DST switch
happens at an instant, not at midnight, so the runs are cut at those instants, found to
the second; bounds are whole seconds compared as text with the stored values, which are
in SQLAlchemy's layout ("YYYY-MM-DD HH:MM:SS[.ffffff]", as db.bulk writes too).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, String, case, func, literal

from licensing_core.queries.common import Expr

# No zone has changed its offset twice within four days (see the tests): scanned a day at
# a time, a range shows every change, which bisection then finds to the second.
SCAN_STEP = timedelta(days=1)
ONE_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class OffsetRun:
    start: datetime  # naive UTC, whole seconds: the run's first instant
    offset: timedelta


def utc_offset(tz: ZoneInfo, moment: datetime) -> timedelta:
    """The zone's offset at a naive-UTC instant."""
    return moment.replace(tzinfo=UTC).astimezone(tz).utcoffset() or timedelta(0)


def offset_runs(tz: ZoneInfo, start: datetime, end: datetime) -> list[OffsetRun]:
    """The runs of one offset covering start..end (naive UTC); none when end <= start."""
    moment = start.replace(microsecond=0)
    if end <= moment:
        return []
    runs = [OffsetRun(moment, utc_offset(tz, moment))]
    while moment < end:
        following = min(moment + SCAN_STEP, end)
        if utc_offset(tz, following) != runs[-1].offset:
            changed = _first_change(tz, moment, following, runs[-1].offset)
            runs.append(OffsetRun(changed, utc_offset(tz, changed)))
        moment = following
    return [run for run in runs if run.start < end]


def _first_change(tz: ZoneInfo, before: datetime, after: datetime,
                  offset: timedelta) -> datetime:
    """The first whole second after `before` (which has `offset`) up to `after` without it."""
    while after - before > ONE_SECOND:
        middle = before + timedelta(seconds=(after - before) // ONE_SECOND // 2)
        if utc_offset(tz, middle) == offset:
            before = middle
        else:
            after = middle
    return after


def by_instant(column: Expr, bounds: Sequence[datetime],
               values: Sequence[ColumnElement]) -> ColumnElement:
    """values[i] for an instant in [bounds[i-1], bounds[i]): values[0] before bounds[0], the
    last from bounds[-1] on (and for NULL). A balanced CASE: log2(runs) tests a row."""
    if not bounds:
        return values[0]
    middle = len(bounds) // 2
    return case((column < _stored(bounds[middle]),
                 by_instant(column, bounds[:middle], values[:middle + 1])),
                else_=by_instant(column, bounds[middle + 1:], values[middle + 1:]))


def _stored(moment: datetime) -> ColumnElement[str]:
    """A whole-second bound as stored text: below it are exactly the earlier instants, with
    or without their fraction of a second."""
    return literal(moment.isoformat(sep=" ", timespec="seconds"), String)


def whole_seconds(column: Expr) -> ColumnElement[str]:
    """The stored text cut to the second: SQLite's date functions round to the
    millisecond (23:59:59.9996 would become the next day); Python truncates."""
    return func.substr(column, 1, 19)


def shift(offset: timedelta) -> str:
    """SQLite's date modifier adding the offset (to the second: local mean times have them)."""
    return f"{offset // ONE_SECOND:+d} seconds"


__all__ = ["OffsetRun", "by_instant", "offset_runs", "shift", "utc_offset", "whole_seconds"]
