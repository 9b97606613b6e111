"""License Purchase History: the initial purchase of a term, then each refill in order."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from licensing_core.db.engine import Database
from licensing_core.db.models import Refill
from licensing_core.domain.terms import refill_type
from licensing_core.exports.cells import CellKind, ExportColumns
from licensing_core.queries.common import local_times, tenant_term, tenant_zone

# The page's (and the CSV's) columns in order, each with its kind of cell.
PURCHASE_CELLS: ExportColumns = {
    "Date": CellKind.LOCAL_TIME, "Type": CellKind.TEXT, "Quantity": CellKind.INTEGER,
    "Total After": CellKind.INTEGER, "Recorded By": CellKind.TEXT, "Note": CellKind.TEXT,
}
PURCHASE_COLUMNS: tuple[str, ...] = tuple(PURCHASE_CELLS)
INITIAL_PURCHASE = "Initial purchase"


def purchase_history(db: Database, tenant_id: str, term_id: int) -> pd.DataFrame:
    """Every change of the term's purchased licenses, oldest first, with the running total.

    The initial purchase is dated when the term was recorded (like a refill), so the
    column is one kind of value and the rows stay in the order they happened. Dates are
    timestamps in the tenant's zone.
    """
    with db.transaction() as session:
        term = tenant_term(session, tenant_id, term_id)
        tz = tenant_zone(session, tenant_id)
        refills = session.execute(
            select(Refill.recorded_at, Refill.quantity, Refill.total_after,
                   Refill.recorded_by, Refill.note)
            .where(Refill.tenant_id == tenant_id, Refill.term_id == term.id)
            .order_by(Refill.recorded_at, Refill.id)
        ).all()
        rows = [(term.created_at, INITIAL_PURCHASE, term.initial_licenses,
                 term.initial_licenses, term.created_by, "")]
    rows += [(r.recorded_at, refill_type(r.quantity), r.quantity, r.total_after,
              r.recorded_by, r.note or "") for r in refills]
    frame = pd.DataFrame(rows, columns=list(PURCHASE_COLUMNS))
    frame["Date"] = local_times(frame["Date"], tz)
    return frame.astype({"Quantity": "int64", "Total After": "int64"})


__all__ = ["INITIAL_PURCHASE", "PURCHASE_CELLS", "PURCHASE_COLUMNS", "purchase_history"]
