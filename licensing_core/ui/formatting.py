"""How pages write times, dates and numbers: one format each, for every page.

Times: `2026-03-01 09:30 CET`, in the tenant's timezone with the zone named (or, in a
table that mixes tenants, `2026-06-15 14:00 UTC+02:00`, in each tenant's offset). Dates:
`2026-03-01`, as the date inputs, the CSV files and the command line write them. Numbers:
thousands separated, `12,258`, in text and cards; table columns group them in the
browser's language (`count_column`), so that they still sort as numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st
from streamlit.elements.lib.column_types import ColumnConfig, ColumnWidth

MINUTE_FORMAT = "%Y-%m-%d %H:%M"  # minutes are enough to read
TIME_FORMAT = f"{MINUTE_FORMAT} %Z"  # %Z names the zone (CEST)
DATE_FORMAT = "%Y-%m-%d"  # the one date format: the start of TIME_FORMAT
DATE_COLUMN_FORMAT = "YYYY-MM-DD"  # DATE_FORMAT in a table's date column (moment.js)
# A table's number column with thousands separators, in the browser's language.
COUNT_COLUMN_FORMAT = "localized"


def local_time(value: datetime | None, timezone: str | None = None) -> str:
    """An instant as a person reads it: in `timezone`, naming the zone ("2026-03-01 09:30
    CET"); with no timezone, in the instant's own offset ("2026-06-15 14:00 UTC+02:00",
    for a table whose rows are of tenants in different zones). A naive value is a stored
    UTC instant; a missing one (None, NaT) is "".
    """
    if value is None or pd.isna(value):
        return ""
    moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if timezone is None:
        offset = moment.strftime("%z")
        return f"{moment.strftime(MINUTE_FORMAT)} UTC{offset[:3]}:{offset[3:5]}"
    return moment.astimezone(ZoneInfo(timezone)).strftime(TIME_FORMAT)


def localize(frame: pd.DataFrame, columns: Iterable[str], timezone: str) -> pd.DataFrame:
    """A copy of `frame` whose time columns read as local_time in `timezone`."""
    shown = frame.copy()
    for column in columns:
        if column in shown.columns:
            shown[column] = [local_time(v, timezone) for v in shown[column].tolist()]
    return shown


def zone_caption(timezone: str, now: datetime | None = None) -> str:
    """E.g. "Times are in Europe/Paris (CEST, UTC+02:00)"."""
    moment = (now or datetime.now(UTC)).astimezone(ZoneInfo(timezone))
    offset = moment.strftime("%z")
    return (f"Times are in {timezone} ({moment.strftime('%Z')}, "
            f"UTC{offset[:3]}:{offset[3:]}); dates are the tenant's calendar days.")


def day(value: date) -> str:
    """A calendar day, e.g. "2026-12-16"."""
    return value.strftime(DATE_FORMAT)


def day_text(value: str | date | None) -> str:
    """An ISO date (text, as stored in JSON) or a date as `day`; "" when missing."""
    if value is None or value == "":
        return ""
    return day(date.fromisoformat(value) if isinstance(value, str) else value)


def count(value: int) -> str:
    return f"{value:,}"


def signed_count(value: int) -> str:
    """A change of licenses: "+1,000", "-20"."""
    return f"{value:+,}"


def count_column(label: str | None = None, *, help: str | None = None,
                 width: ColumnWidth | None = None) -> ColumnConfig:
    """The column config of a table's counts: "12,258", right-aligned, sortable as numbers."""
    return st.column_config.NumberColumn(label, help=help, width=width,
                                         format=COUNT_COLUMN_FORMAT)


def date_column(label: str | None = None, *, help: str | None = None) -> ColumnConfig:
    """The column config of a table's dates (datetime.date values), as `day` writes them."""
    return st.column_config.DateColumn(label, help=help, format=DATE_COLUMN_FORMAT)


def percent(value: float) -> str:
    return f"{value:.1f}%"


def whole_percent(value: float) -> str:
    """For two percents side by side in one card, where decimals would be cut off."""
    return f"{value:.0f}%"


def available_text(available: int) -> tuple[str, str | None]:
    """The Available card's value and, with overage, the note that says so."""
    if available < 0:
        return count(available), f"Overage: {count(-available)} over the purchase"
    return count(available), None
