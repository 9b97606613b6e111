"""The Purchase History table as shown: signed quantities ("+50", "-20") and grouped totals."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from licensing_core.ui import formatting

PURCHASE_COLUMN_CONFIG = {
    # Text, for the sign: a number column cannot group thousands and show "+" at once.
    "Quantity": st.column_config.TextColumn(
        alignment="right", help="Licenses added (+) or removed (-) by this purchase"),
    "Total After": formatting.count_column(),
}


def purchase_table(purchases: pd.DataFrame, timezone: str) -> pd.DataFrame:
    shown = formatting.localize(purchases, ["Date"], timezone)
    shown["Quantity"] = [formatting.signed_count(int(q)) for q in purchases["Quantity"]]
    return shown
