"""Who holds a license in a user-based term.

A user holds one from the first moment it is active in the term: Active at the term's
start, becoming Active during it, or starting a conversation in it. A user never counts
twice, and deactivating it does not give the license back before the term ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pandas as pd

from licensing_core.domain.kinds import UserStatus

HOLDING_COLUMNS = ["term_id", "user_id", "held_since", "conversation_count"]


def _active_at(events: pd.DataFrame, first_conversation: pd.Series, moment: datetime) -> pd.Series:
    """Users Active at `moment`: their latest status event at or before it says Active, or
    they have none yet and their first conversation is at or before it (a user met first
    in a conversation is created Active)."""
    earlier = events[events["at"] <= moment]
    latest = earlier.sort_values("at", kind="mergesort").groupby("user_id")["status"].last()
    active = set(latest.index[latest == UserStatus.ACTIVE])
    created_by_conversation = first_conversation[
        first_conversation.notna() & (first_conversation <= moment)
    ].index
    active.update(u for u in created_by_conversation if u not in latest.index)
    return pd.Series(sorted(active), dtype=object)


def license_holdings(
    user_ids: Sequence[str],
    user_terms: Sequence[tuple[int, datetime, datetime]],
    status_events: pd.DataFrame,
    first_conversation: pd.Series,
    conversations_in_terms: pd.DataFrame,
) -> pd.DataFrame:
    """Holdings of `user_ids` in each user-based term (term_id, start, end) in naive UTC.

    status_events: user_id, status, at. first_conversation: first conversation start by
    user_id. conversations_in_terms: term_id, user_id, first_at, count.
    """
    rows: list[pd.DataFrame] = []
    for term_id, start, end in user_terms:
        candidates: list[pd.DataFrame] = []
        at_start = _active_at(status_events, first_conversation, start)
        candidates.append(pd.DataFrame({"user_id": at_start, "since": start}))
        became_active = status_events[
            (status_events["status"] == UserStatus.ACTIVE)
            & (status_events["at"] > start) & (status_events["at"] < end)
        ]
        candidates.append(became_active.rename(columns={"at": "since"})[["user_id", "since"]])
        in_term = conversations_in_terms[conversations_in_terms["term_id"] == term_id]
        candidates.append(in_term.rename(columns={"first_at": "since"})[["user_id", "since"]])
        merged = pd.concat([c for c in candidates if not c.empty], ignore_index=True) \
            if any(not c.empty for c in candidates) else pd.DataFrame(columns=["user_id", "since"])
        merged = merged[merged["user_id"].isin(user_ids)]
        if merged.empty:
            continue
        held = merged.groupby("user_id", as_index=False)["since"].min()
        counts = in_term.set_index("user_id")["count"]
        held["conversation_count"] = held["user_id"].map(counts).fillna(0).astype("int64")
        held["term_id"] = term_id
        rows.append(held.rename(columns={"since": "held_since"})[HOLDING_COLUMNS])
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in HOLDING_COLUMNS})
    return pd.concat(rows, ignore_index=True)
