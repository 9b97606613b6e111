"""The Audit log's entries as a person reads them: what changed, field by field.

An entry stores the state before and after a change as JSON; the page shows each field
that changed as "Technical Email: a@x.test → b@x.test", in labelled words and the pages'
formats, never the JSON itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.elements.lib.column_types import ColumnConfig

from licensing_core.ui import formatting, labels

ARROW = " → "
SEPARATOR = "; "
NONE = "(none)"
COLUMNS = ("At", "Actor", "Tenant", "Action", "Changes")
CHANGES_HELP = "Each field that changed: before → after; a new record's fields as recorded"
# Rows tall enough for three lines: a grid wraps a cell's text only in rows over 64 px.
ROW_HEIGHT = 70
# Pixels per column, together the grid's width in a 1400 px window; Changes takes the rest.
WIDTHS = {"At": 150, "Actor": 115, "Tenant": 80, "Action": 165}
GRID_WIDTH = 936
_DATES = {"start_date", "end_date"}
_SIGNED = {"quantity", "refill_quantity"}
# Fields that say which record changed: shown even when the same before and after.
_NAMING = {"request_id", "term_id", "username"}


def value_text(field: str, value: Any) -> str:
    """One field's value in words: lists joined, labels for stored words, counts grouped."""
    if value is None or value == "" or value == []:
        return NONE
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field == "thresholds" and isinstance(value, list | tuple):
        return ", ".join(f"{v}%" for v in value)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if field == "request_id":
        return f"#{value}"
    if field == "status":
        return labels.request_status(value)
    if field == "role":
        return labels.role(value)
    if field == "license_type":
        return labels.license_type(value)
    if field in _DATES and isinstance(value, str):
        try:
            return formatting.day_text(value)
        except ValueError:
            return value
    if field == "session_minutes" and isinstance(value, int):
        return f"{formatting.count(value)} minutes"
    if isinstance(value, int):
        return formatting.signed_count(value) if field in _SIGNED else formatting.count(value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _order(field: str) -> tuple[int, str]:
    known = list(labels.AUDIT_FIELDS)
    return (known.index(field) if field in known else len(known), field)


def changes(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[str]:
    """Each field that changed: "Field: old → new"; one only recorded after: "Field: new".

    Fields the same before and after are left out (they did not change) unless they name
    the record (a request's number), and so are fields recorded only after and empty (a
    user-based term's session duration).
    """
    before, after = before or {}, after or {}
    lines = []
    for field in sorted(set(before) | set(after), key=_order):
        name = labels.audit_field(field)
        if field not in before:
            if value_text(field, after[field]) != NONE:  # not set: nothing to say
                lines.append(f"{name}: {value_text(field, after[field])}")
        elif field not in after:
            lines.append(f"{name}: {value_text(field, before[field])}{ARROW}{NONE}")
        elif before[field] == after[field]:
            if field in _NAMING:
                lines.append(f"{name}: {value_text(field, after[field])}")
        else:
            lines.append(f"{name}: {value_text(field, before[field])}{ARROW}"
                         f"{value_text(field, after[field])}")
    return lines


def _parsed(text: str) -> dict[str, Any] | None:
    """The read model's JSON text of a state ("" when none was recorded)."""
    if not text:
        return None
    value = json.loads(text)
    return value if isinstance(value, dict) else {"value": value}


def change_text(before: str, after: str) -> str:
    """The `changes` of an entry whose states are the read model's JSON texts, on one line."""
    return SEPARATOR.join(changes(_parsed(before), _parsed(after)))


def shown(rows: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """The page's table, its times in `timezone` (UTC when it mixes tenants)."""
    return pd.DataFrame({
        "At": [formatting.local_time(v, timezone) for v in rows["At"]],
        "Actor": rows["Actor"].tolist(),
        "Tenant": rows["Tenant"].tolist(),
        "Action": [labels.audit_action(a) for a in rows["Action"]],
        "Changes": [change_text(b, a) for b, a in zip(rows["Before"], rows["After"],
                                                       strict=True)],
    }, columns=list(COLUMNS))


COLUMN_CONFIG: dict[str, ColumnConfig] = {
    **{name: st.column_config.TextColumn(width=width) for name, width in WIDTHS.items()},
    "Changes": st.column_config.TextColumn(width=GRID_WIDTH - sum(WIDTHS.values()),
                                           help=CHANGES_HELP),
}
