"""A tenant's terms as UTC intervals: which term an instant falls in, and its session length."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np

from licensing_core.domain.kinds import LicenseType
from licensing_core.domain.limits import MAX_SESSION_MINUTES
from licensing_core.domain.terms import term_bounds_utc
from licensing_core.errors import Refused

# Length of a session that starts outside any session-based term; such sessions count nowhere.
DEFAULT_SESSION_MINUTES = 30


@dataclass(frozen=True)
class TermSpan:
    term_id: int
    license_type: LicenseType
    start_date: date
    end_date: date
    session_minutes: int | None


def to_us(values: np.ndarray | Sequence[datetime]) -> np.ndarray:
    """Naive-UTC datetimes as int64 microseconds, whatever resolution pandas chose."""
    return np.asarray(values, dtype="datetime64[us]").astype(np.int64)


class TermCalendar:
    """Vectorised lookups over a tenant's non-overlapping terms."""

    def __init__(self, terms: Sequence[TermSpan], tz: ZoneInfo) -> None:
        ordered = sorted(terms, key=lambda t: t.start_date)
        self.terms = ordered
        self.tz = tz
        bounds = [term_bounds_utc(t.start_date, t.end_date, tz) for t in ordered]
        self.starts_us = to_us([b[0] for b in bounds])
        self.ends_us = to_us([b[1] for b in bounds])
        self.bounds = bounds
        self.term_ids = np.array([t.term_id for t in ordered], dtype=np.int64)
        self.is_session = np.array([t.license_type == LicenseType.SESSION for t in ordered],
                                   dtype=bool)
        minutes = [t.session_minutes or DEFAULT_SESSION_MINUTES for t in ordered]
        self.minutes = np.array(minutes, dtype=np.int64)

    def same_as(self, other: TermCalendar) -> bool:
        """The same terms in the same zone: every lookup gives the same answers."""
        return self.holds(other.terms, other.tz)

    def holds(self, terms: Sequence[TermSpan], tz: ZoneInfo) -> bool:
        """Whether it is the calendar of these terms in this zone."""
        return self.terms == sorted(terms, key=lambda t: t.start_date) and self.tz == tz

    def _index_at(self, times_us: np.ndarray) -> np.ndarray:
        """Index of the term containing each instant, -1 where none does."""
        idx = np.searchsorted(self.starts_us, times_us, side="right") - 1
        inside = idx >= 0
        inside[inside] &= times_us[inside] < self.ends_us[idx[inside]]
        return np.where(inside, idx, -1)

    def _session_index_at(self, times_us: np.ndarray) -> np.ndarray:
        """Index of the session-based term containing each instant, -1 where none does."""
        idx = self._index_at(times_us)
        hit = idx >= 0
        hit[hit] &= self.is_session[idx[hit]]
        return np.where(hit, idx, -1)

    def session_term_at(self, times_us: np.ndarray) -> np.ndarray:
        """Id of the session-based term containing each instant, -1 where none does."""
        idx = self._session_index_at(times_us)
        term_ids = np.full(len(times_us), -1, dtype=np.int64)
        hit = idx >= 0
        term_ids[hit] = self.term_ids[idx[hit]]
        return term_ids

    def session_length_us_at(self, times_us: np.ndarray) -> np.ndarray:
        """Length of a session starting at each instant, from the term it starts in."""
        idx = self._session_index_at(times_us)
        minutes = np.full(len(times_us), DEFAULT_SESSION_MINUTES, dtype=np.int64)
        hit = idx >= 0
        minutes[hit] = self.minutes[idx[hit]]
        return minutes * 60_000_000


def session_minutes_for(license_type: LicenseType, minutes: int | None,
                        fallback: int | None = None) -> int | None:
    """Session length of a term: given, else the fallback, else the default; user terms none."""
    if license_type == LicenseType.USER:
        return None
    chosen = minutes if minutes is not None else (fallback or DEFAULT_SESSION_MINUTES)
    if not 0 < chosen <= MAX_SESSION_MINUTES:
        raise Refused(f"session minutes must be 1 to {MAX_SESSION_MINUTES} (a week), "
                      f"not {chosen}")
    return chosen
