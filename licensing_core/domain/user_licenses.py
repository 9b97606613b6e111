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


def _micros(values: pd.Series | pd.Index | np.ndarray) -> np.ndarray:
    """Times as int64 microseconds (NaT: the smallest int64, never compared as a time)."""
    array = np.asarray(values)
    if array.dtype.kind != "M":  # e.g. texts, or objects: pandas reads them
        array = pd.to_datetime(values).to_numpy("datetime64[us]")
    return array.astype("datetime64[us]").view(np.int64)


def _moment(value: datetime) -> int:
    return int(np.datetime64(value, "us").view(np.int64))


def _codes(code_of: dict[str, int], user_ids: Sequence[str] | pd.Series | pd.Index) -> np.ndarray:
    """Each id's user number, -1 for an id not among the users: a dict's lookups, which
    for the few users of an import are a fraction of a pandas index's."""
    return np.fromiter((code_of.get(u, -1) for u in user_ids), dtype=np.int64,
                       count=len(user_ids))


class _Events:
    """The status events of the users, ordered by user, then time; among events of one user
    at the same moment, the one read last counts as the later."""

    def __init__(self, code_of: dict[str, int], events: pd.DataFrame) -> None:
        codes = _codes(code_of, events["user_id"])
        known = codes >= 0
        at = _micros(events["at"])[known]
        active = (events["status"].to_numpy(dtype=object) == UserStatus.ACTIVE)[known]
        order = np.lexsort((at, codes[known]))  # stable: ties keep the order read
        self.codes, self.at = codes[known][order], at[order]
        self.active = active.astype(bool)[order]

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
    users = np.array(sorted(set(user_ids)), dtype=object)
    code_of = {u: i for i, u in enumerate(users)}
    events = _Events(code_of, status_events)
    first = np.full(len(users), np.iinfo(np.int64).min, dtype=np.int64)
    first_codes = _codes(code_of, first_conversation.index)
    known = first_codes >= 0
    first[first_codes[known]] = _micros(first_conversation.to_numpy())[known]
    has_first = first != np.iinfo(np.int64).min
    in_terms = conversations_in_terms
    term_of_row = in_terms["term_id"].to_numpy()
    code_of_row = _codes(code_of, in_terms["user_id"])
    first_of_row = _micros(in_terms["first_at"].to_numpy())
    count_of_row = in_terms["count"].to_numpy(dtype=np.int64)
    rows: list[pd.DataFrame] = []
    for term_id, start, end in user_terms:
        start_us, end_us = _moment(start), _moment(end)
        held = np.full(len(users), _NEVER, dtype=np.int64)
        has_event, active = events.latest_until(start_us, len(users))
        active |= ~has_event & has_first & (first <= start_us)
        held[active] = start_us
        became = events.active & (events.at > start_us) & (events.at < end_us)
        np.minimum.at(held, events.codes[became], events.at[became])
        in_term = (term_of_row == term_id) & (code_of_row >= 0)
        codes = code_of_row[in_term]
        np.minimum.at(held, codes, first_of_row[in_term])
        counts = np.zeros(len(users), dtype=np.int64)
        counts[codes] = count_of_row[in_term]
        got = np.flatnonzero(held != _NEVER)
        if got.size:
            rows.append(pd.DataFrame({
                "term_id": term_id, "user_id": users[got],
                "held_since": held[got].view("datetime64[us]"),
                "conversation_count": counts[got]}, columns=HOLDING_COLUMNS))
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in HOLDING_COLUMNS})
    return rows[0] if len(rows) == 1 else pd.concat(rows, ignore_index=True)
