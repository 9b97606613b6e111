"""Who holds a license in a user-based term.

A user holds one from the first moment it is active in the term: Active at the term's
start, becoming Active during it, or starting a conversation in it. A user never counts
twice, and deactivating it does not give the license back before the term ends.

Computed on arrays indexed by user (an import recomputes the holdings of its users while
it holds the tenant's lock), with times as microseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pandas as pd

from licensing_core.domain.kinds import UserStatus

HOLDING_COLUMNS = ["term_id", "user_id", "held_since", "conversation_count"]
_NEVER = np.iinfo(np.int64).max  # not held (yet): later than any moment


def _micros(values: pd.Series | pd.Index) -> np.ndarray:
    """Times as int64 microseconds (NaT: the smallest int64, never compared as a time)."""
    return pd.to_datetime(values).to_numpy("datetime64[us]").view(np.int64)


def _moment(value: datetime) -> int:
    return int(np.datetime64(value, "us").view(np.int64))


class _Events:
    """The status events of the users, ordered by user, then time; among events of one user
    at the same moment, the one read last counts as the later."""

    def __init__(self, users: pd.Index, events: pd.DataFrame) -> None:
        codes = users.get_indexer(events["user_id"])
        known = codes >= 0
        at = _micros(events["at"])[known]
        active = (events["status"] == UserStatus.ACTIVE).to_numpy(dtype=bool)[known]
        order = np.lexsort((at, codes[known]))  # stable: ties keep the order read
        self.codes, self.at, self.active = codes[known][order], at[order], active[order]

    def latest_until(self, moment: int, users: int) -> tuple[np.ndarray, np.ndarray]:
        """Per user: whether it has an event at or before `moment`, and whether the latest
        of them says Active."""
        upto = np.flatnonzero(self.at <= moment)
        codes = self.codes[upto]
        last = upto[np.r_[codes[1:] != codes[:-1], True]] if upto.size else upto
        has_event, active = np.zeros(users, dtype=bool), np.zeros(users, dtype=bool)
        has_event[self.codes[last]] = True
        active[self.codes[last]] = self.active[last]
        return has_event, active


def license_holdings(
    user_ids: Sequence[str],
    user_terms: Sequence[tuple[int, datetime, datetime]],
    status_events: pd.DataFrame,
    first_conversation: pd.Series,
    conversations_in_terms: pd.DataFrame,
) -> pd.DataFrame:
    """Holdings of `user_ids` in each user-based term (term_id, start, end) in naive UTC.

    status_events: user_id, status, at. first_conversation: first conversation start by
    user_id (a user met first in a conversation is created Active, without an event).
    conversations_in_terms: term_id, user_id, first_at, count.
    """
    users = pd.Index(sorted(set(user_ids)), dtype=object)
    events = _Events(users, status_events)
    first = _micros(first_conversation.reindex(users))
    has_first = first != np.iinfo(np.int64).min
    in_terms = conversations_in_terms
    rows: list[pd.DataFrame] = []
    for term_id, start, end in user_terms:
        start_us, end_us = _moment(start), _moment(end)
        held = np.full(len(users), _NEVER, dtype=np.int64)
        has_event, active = events.latest_until(start_us, len(users))
        active |= ~has_event & has_first & (first <= start_us)
        held[active] = start_us
        became = events.active & (events.at > start_us) & (events.at < end_us)
        np.minimum.at(held, events.codes[became], events.at[became])
        in_term = in_terms[in_terms["term_id"] == term_id]
        codes = users.get_indexer(in_term["user_id"])
        known = codes >= 0
        np.minimum.at(held, codes[known], _micros(in_term["first_at"])[known])
        counts = np.zeros(len(users), dtype=np.int64)
        counts[codes[known]] = in_term["count"].to_numpy(dtype=np.int64)[known]
        got = np.flatnonzero(held != _NEVER)
        if got.size:
            rows.append(pd.DataFrame({
                "term_id": term_id, "user_id": users[got],
                "held_since": held[got].view("datetime64[us]"),
                "conversation_count": counts[got]}, columns=HOLDING_COLUMNS))
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in HOLDING_COLUMNS})
    return pd.concat(rows, ignore_index=True)
