"""Exports formatted in SQL (PostgreSQL's COPY, SQLite's raw cursor into csv.writer):
byte for byte what the Python path writes.

The Python path (the page's read model, page after page, into write_csv: see
tests/export_reference.py) is the reference: each test exports the same rows both ways
from a real database of each kind, with awkward stored values, zones with DST and
half-hour offsets, filters and sorts. Each column's kind of cell (exports.cells) is named
once, in its export's column list; every kind has its SQL form in each dialect.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import pandas as pd
import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    column,
    insert,
    literal,
    select,
    text,
)

from licensing_core.db.engine import Database
from licensing_core.db.models import Conversation, PlatformUser, UsageSession, UserLicense
from licensing_core.exports import pg_copy, sqlite_rows
from licensing_core.exports.cells import (
    CellKind,
    ExportColumns,
    SqlForms,
    defuse,
    format_cell,
    iso_local,
    sql_cell,
)
from licensing_core.exports.csv import export_consumption, export_conversations, sql_csv, write_csv
from licensing_core.queries.common import local_times
from licensing_core.queries.conversations import (
    CONVERSATION_CELLS,
    CONVERSATION_COLUMNS,
    ConversationFilters,
    conversation_history,
    conversation_statement,
)
from licensing_core.queries.history import (
    SESSION_CELLS,
    SESSION_COLUMNS,
    USER_CELLS,
    USER_COLUMNS,
    HistoryFilters,
    consumption_history,
    consumption_statement,
)
from licensing_core.queries.idle_seats import IDLE_CELLS, idle_seats
from licensing_core.queries.purchases import PURCHASE_CELLS, purchase_history
from tests.export_reference import (
    iter_consumption_history,
    reference_conversations,
    reference_csv,
)
from tests.fixtures_data import export_peak, make_tenant

# Text a CSV writer or a spreadsheet must take care of, as stored in the database.
AWKWARD = [
    "plain", "Bob, Jr.", 'say "hi"', '"', 'a""b', "two\nlines", "crlf\r\nend", "cr\ronly",
    "=cmd()", "+1", "-2", "@SUM(A1)", "\tTab", "\rCR", "'=x", " =x", " spaced ", "é",
    "中文", "🙂 emoji", "", ",lead", "trail,", "\\.", "back\\slash", "50%_off",
]
NEW_YORK, KOLKATA = "America/New_York", "Asia/Kolkata"
# Naive UTC instants on both sides of New York's 2026 DST changes (8 March, 1 November:
# 01:30 local happens twice then), a Kolkata day boundary and sub-second values.
INSTANTS = [
    datetime(2026, 3, 8, 6, 30), datetime(2026, 3, 8, 6, 59, 59, 999_999),
    datetime(2026, 3, 8, 7, 0), datetime(2026, 3, 8, 7, 30), datetime(2026, 11, 1, 5, 30),
    datetime(2026, 11, 1, 6, 30), datetime(2026, 6, 1, 18, 29, 59), datetime(2026, 6, 1, 18, 30),
    datetime(2026, 1, 1, 0, 0), datetime(2026, 12, 31, 23, 59, 59, 500_000),
]


def _insert(db: Database, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Stored values as they are (the services would clean some of them up)."""
    with db.transaction() as session:
        session.execute(insert(model), list(rows))


def _users(tenant_id: str, count: int) -> list[dict[str, Any]]:
    """Users whose every text field takes awkward values, some ids too."""
    pick = random.Random(tenant_id).choice
    return [{"tenant_id": tenant_id, "user_id": f"u{i:02d}" if i % 5 else pick(AWKWARD) + str(i),
             "user_name": AWKWARD[i % len(AWKWARD)], "email": pick(AWKWARD) + "@x.io",
             "first_name": pick(AWKWARD), "last_name": pick(AWKWARD),
             "role": ("=admin", "agent", "", "Rôle, 中")[i % 4],
             "status": ("Active", "Inactive", "")[i % 3]} for i in range(count)]


def _user_ids(users: list[dict[str, Any]]) -> list[str]:
    """The users' ids and two without a user row (the outer join's NULLs)."""
    return [u["user_id"] for u in users] + ["ghost", "=ghost"]


def _sessions(tenant_id: str, term_id: int, user_ids: list[str]) -> list[dict[str, Any]]:
    pick = random.Random(term_id).choice
    rows = []
    for i in range(60):
        started = INSTANTS[i % len(INSTANTS)] + timedelta(days=i // 20)  # equal times too
        rows.append({
            "tenant_id": tenant_id, "session_id": f"S{i:02d}" if i % 7 else pick(AWKWARD) + str(i),
            "user_id": user_ids[i % len(user_ids)], "agent_name": pick(AWKWARD),
            "channel": ("web", "Teams,EU", "", "=tel")[i % 4], "started_at": started,
            "window_end": started + timedelta(minutes=30),
            "initiated_by": pick(AWKWARD), "conversation_count": (i * 37) % 1000,
            "term_id": term_id})
    return rows


def _session_tenant(db: Database, tenant_id: str, zone: str) -> int:
    term_id = make_tenant(db, tenant_id=tenant_id, timezone=zone).term_id
    users = _users(tenant_id, 30)
    _insert(db, PlatformUser, users)
    _insert(db, UsageSession, _sessions(tenant_id, term_id, _user_ids(users)))
    return term_id


def _user_tenant(db: Database, tenant_id: str, zone: str) -> int:
    term_id = make_tenant(db, tenant_id=tenant_id, license_type="user", timezone=zone).term_id
    users = _users(tenant_id, 30)
    _insert(db, PlatformUser, users)
    _insert(db, UserLicense, [
        {"term_id": term_id, "user_id": user_id, "tenant_id": tenant_id,
         "held_since": INSTANTS[i % len(INSTANTS)], "conversation_count": i * 3}
        for i, user_id in enumerate(_user_ids(users))])
    return term_id


def _copied(write: Any) -> tuple[str, int]:
    out = io.StringIO(newline="")
    rows = write(out)
    return out.getvalue(), rows


def _assert_same_consumption(db: Database, tenant_id: str, term_id: int,
                             columns: ExportColumns, **options: Any) -> str:
    expected = reference_csv(iter_consumption_history(db, tenant_id, term_id, **options),
                             columns)
    got = _copied(lambda out: export_consumption(db, tenant_id, out, term_id=term_id,
                                                 **options))
    assert got == expected, options
    return got[0]


SESSION_FILTERS = [
    HistoryFilters(),
    HistoryFilters(text="bob"),
    HistoryFilters(text="中文"),
    HistoryFilters(text='"'),
    HistoryFilters(text="50%"),
    HistoryFilters(roles=("=admin", "")),
    HistoryFilters(statuses=("Inactive",)),
    HistoryFilters(channels=("Teams,EU", "")),
    HistoryFilters(agents=("Bob, Jr.", "two\nlines", "=cmd()")),
    HistoryFilters(date_from=date(2026, 3, 8), date_to=date(2026, 3, 8)),
    HistoryFilters(date_from=date(2026, 11, 1), date_to=date(2026, 11, 2), channels=("web",)),
    HistoryFilters(date_from=date(2026, 6, 2), date_to=date(2026, 6, 2)),
    HistoryFilters(text="nobody at all"),
]


@pytest.mark.parametrize("zone", [NEW_YORK, KOLKATA])
def test_a_session_export_formatted_in_sql_is_the_python_paths_bytes(db, zone):
    term_id = _session_tenant(db, "sess", zone)
    _session_tenant(db, "other", "UTC")  # another tenant's rows must never show
    text = _assert_same_consumption(db, "sess", term_id, SESSION_CELLS)
    assert "\r\n" in text and '"two\nlines"' in text and "'=cmd()" in text
    assert ("-05:00" in text and "-04:00" in text) if zone == NEW_YORK else "+05:30" in text
    for name in SESSION_COLUMNS:
        for descending in (False, True):
            _assert_same_consumption(db, "sess", term_id, SESSION_CELLS, sort_by=name,
                                     descending=descending)
    for i, filters in enumerate(SESSION_FILTERS):
        _assert_same_consumption(db, "sess", term_id, SESSION_CELLS, filters=filters,
                                 sort_by=SESSION_COLUMNS[i % len(SESSION_COLUMNS)],
                                 descending=i % 2 == 0)


@pytest.mark.parametrize("zone", [KOLKATA, NEW_YORK])
def test_a_user_export_formatted_in_sql_is_the_python_paths_bytes(db, zone):
    term_id = _user_tenant(db, "users", zone)
    _user_tenant(db, "other", "UTC")
    _assert_same_consumption(db, "users", term_id, USER_CELLS)
    for name in USER_COLUMNS:
        for descending in (False, True):
            _assert_same_consumption(db, "users", term_id, USER_CELLS, sort_by=name,
                                     descending=descending)
    for i, filters in enumerate([
            HistoryFilters(text="é"), HistoryFilters(roles=("Rôle, 中",)),
            HistoryFilters(statuses=("", "Inactive")), HistoryFilters(text="ghost"),
            HistoryFilters(date_from=date(2026, 6, 2), date_to=date(2026, 6, 30)),
            HistoryFilters(date_to=date(2026, 3, 7))]):
        _assert_same_consumption(db, "users", term_id, USER_CELLS, filters=filters,
                                 sort_by=USER_COLUMNS[i], descending=i % 2 == 1)


def test_the_sql_formatted_export_holds_exactly_the_pages_rows(db):
    term_id = _session_tenant(db, "sess", NEW_YORK)
    for filters in SESSION_FILTERS:
        text, rows = _copied(lambda out, f=filters: export_consumption(
            db, "sess", out, term_id=term_id, filters=f, sort_by="User Name"))
        page = consumption_history(db, "sess", term_id, filters=filters, sort_by="User Name",
                                   limit=1000)
        parsed = list(csv.reader(io.StringIO(text, newline="")))
        assert rows == page.total_rows == len(parsed) - 1, filters
        assert [r[0] for r in parsed[1:]] == [defuse(v) for v in page.rows["Session ID"]]


def test_a_conversation_export_formatted_in_sql_is_the_python_paths_bytes(db):
    make_tenant(db, timezone=NEW_YORK)
    users = _users("acme", 12)
    _insert(db, PlatformUser, users)
    ids, pick = _user_ids(users), random.Random(7).choice
    _insert(db, Conversation, [{
        "tenant_id": "acme", "conversation_id": f"c{i:02d}" if i % 6 else pick(AWKWARD) + str(i),
        "user_id": ids[i % len(ids)], "started_at": INSTANTS[i % len(INSTANTS)],
        "ended_at": None if i % 3 == 0 else INSTANTS[i % len(INSTANTS)] + timedelta(minutes=9),
        "agent_name": ("Bot", "Bob, Jr.", "=x")[i % 3], "channel": pick(AWKWARD),
        "initiated_by": pick(AWKWARD), "messages": None if i % 4 == 0 else i - 20,
    } for i in range(50)] + [{  # ended long after the last start: outside SQLite's span
        "tenant_id": "acme", "conversation_id": f"late{i}", "user_id": ids[i],
        "started_at": datetime(2026, 5, 1), "ended_at": ended, "agent_name": "Bot",
        "channel": "web", "initiated_by": "User", "messages": 2,
    } for i, ended in enumerate([datetime(2030, 3, 10, 6, 59, 59, 999_999),
                                 datetime(2030, 3, 10, 7), datetime(1999, 1, 1)])])
    _insert(db, UsageSession, [{
        "tenant_id": "acme", "session_id": "S-c01", "user_id": ids[1], "agent_name": "Bob, Jr.",
        "channel": "", "started_at": datetime(2026, 1, 1), "window_end": datetime(2027, 1, 1),
        "initiated_by": "User", "conversation_count": 1, "term_id": None}])
    for filters in [ConversationFilters(), ConversationFilters(user_id=ids[1]),
                    ConversationFilters(agent="Bob, Jr."), ConversationFilters(channel="中文"),
                    ConversationFilters(date_from=date(2026, 3, 8), date_to=date(2026, 11, 1)),
                    ConversationFilters(session_id="S-c01"), ConversationFilters(user_id="none")]:
        expected = reference_conversations(db, "acme", filters)
        got = _copied(lambda out, f=filters: export_conversations(db, "acme", out, filters=f))
        assert got == expected, filters
        assert got[1] == conversation_history(db, "acme", filters=filters).total_rows
        if filters == ConversationFilters():
            for ended in ("2030-03-10T01:59:59-05:00", "2030-03-10T03:00:00-04:00",
                          "1998-12-31T19:00:00-05:00"):
                assert ended in got[0]
    make_tenant(db, tenant_id="empty", timezone=KOLKATA)
    got = _copied(lambda out: export_conversations(db, "empty", out))
    assert got == (",".join(CONVERSATION_COLUMNS) + "\r\n", 0)


# Instants whose offsets have seconds (local mean time, Amsterdam's +00:19:32 until 1937,
# Monrovia's -00:44:30 until 1972) on both sides of the cutoff, and ordinary ones.
CELL_INSTANTS = [
    datetime(1850, 1, 1, 12), datetime(1900, 6, 30, 23, 59, 59), datetime(1930, 7, 1, 8),
    datetime(1960, 1, 1, 0, 0, 0, 1), datetime(1972, 1, 6, 23), datetime(1972, 1, 7, 1),
    datetime(1972, 12, 31, 23, 59, 59), datetime(1973, 1, 1), *INSTANTS,
    datetime(2040, 7, 1, 12), datetime(2100, 3, 14, 1, 59), None,
]
CELL_ZONES = ["UTC", NEW_YORK, KOLKATA, "Europe/Amsterdam", "Africa/Monrovia",
              "America/St_Johns", "Asia/Kathmandu", "Pacific/Chatham", "Australia/Lord_Howe",
              "Europe/Dublin", "America/Caracas", "Pacific/Kiritimati", "Pacific/Pago_Pago"]


def _cells_table(database: Database) -> Table:
    """A table of one instant, text and integer a row, for sql_cell's rules alone."""
    table = Table("export_cells", MetaData(), Column("k", Integer, primary_key=True),
                  Column("t", DateTime), Column("s", String), Column("n", Integer))
    table.create(database.engine)
    return table


@pytest.fixture
def cells(db: Database) -> Iterator[Table]:
    table = _cells_table(db)
    yield table
    table.drop(db.engine)


@pytest.fixture
def lite(tmp_path: Any) -> Iterator[Database]:
    """A SQLite database of its own (SQLite's span and stored layouts)."""
    database = Database(f"sqlite:///{tmp_path / 'cells.db'}")
    yield database
    database.dispose()


def _cell_rows() -> list[tuple[int, datetime | None, str | None, int]]:
    return [(i, moment, AWKWARD[i % len(AWKWARD)] if i % 9 else None, (i - 10) * 12345)
            for i, moment in enumerate(CELL_INSTANTS)]


# The cells table's columns and their kinds.
CELL_COLUMNS: ExportColumns = {"t": CellKind.LOCAL_TIME, "s": CellKind.TEXT,
                               "n": CellKind.INTEGER}


def _cells_csv(db: Database, table: Table, rows: list[tuple[Any, ...]], forms: SqlForms,
               tz: ZoneInfo) -> tuple[str, tuple[str, int]]:
    """The rows through sql_cell and sql_csv, and as a read model's frame (local times as
    timestamps in the zone) through write_csv."""
    with db.transaction() as session:
        session.execute(insert(table), [dict(zip("ktsn", r, strict=True)) for r in rows])
    statement = select(*(sql_cell(table.c[c], kind, forms).label(c)
                         for c, kind in CELL_COLUMNS.items())).order_by(table.c.k)
    frame = pd.DataFrame({"t": local_times([r[1] for r in rows], tz),
                          "s": [r[2] for r in rows], "n": [r[3] for r in rows]})
    expected = _copied(lambda out: write_csv([frame], out, CELL_COLUMNS))
    return _copied(lambda out: sql_csv(db, statement, tz, out, CELL_COLUMNS))[0], expected


def _forms(db: Database, tz: ZoneInfo, start: datetime, end: datetime) -> SqlForms:
    return pg_copy.POSTGRES_FORMS if db.is_postgres else sqlite_rows.sqlite_forms(tz, start, end)


@pytest.mark.parametrize("zone", CELL_ZONES)
def test_sql_cells_are_format_cells_for_every_kind_of_offset(db, cells, zone, monkeypatch):
    """SQLite's span is the rows' own: every instant through its CASE of offsets."""
    tz, rows = ZoneInfo(zone), _cell_rows()
    monkeypatch.setattr(sqlite_rows, "_iso_local_text", None)  # never called in the span
    moments = [r[1] for r in rows if r[1] is not None]
    forms = _forms(db, tz, min(moments), max(moments) + timedelta(seconds=1))
    got, expected = _cells_csv(db, cells, rows, forms, tz)
    assert (got, len(rows)) == expected


# Spans that leave instants out, some just out (New York's 2026 switch at 07:00 UTC).
SPANS = [(datetime(2000, 1, 1), datetime(2000, 1, 1)),
         (datetime(2026, 1, 1), datetime(2027, 1, 1)),
         (datetime(1800, 1, 1), datetime(2026, 3, 8, 7)),
         (datetime(2026, 3, 8, 7), datetime(2200, 1, 1))]


@pytest.mark.parametrize("zone", [NEW_YORK, KOLKATA, "Europe/Amsterdam", "Africa/Monrovia",
                                  "Australia/Lord_Howe"])
@pytest.mark.parametrize("span", SPANS, ids=str)
def test_sqlite_instants_outside_the_span_are_exact_too(lite, zone, span):
    """Outside the span SQLite calls iso_local itself: slower, never different."""
    tz, rows = ZoneInfo(zone), _cell_rows()
    got, expected = _cells_csv(lite, _cells_table(lite), rows,
                               sqlite_rows.sqlite_forms(tz, *span), tz)
    assert (got, len(rows)) == expected


# Stored texts with and without fractions, next to New York's 2026 switches and a day's end.
STORED = ["2026-03-08 07:00:00", "2026-03-08 06:59:59", "2026-03-08 06:59:59.999999",
          "2026-03-08 06:59:59.9996", "2026-03-08 07:00:00.000000", "2026-03-08 07:00:00.5",
          "2026-11-01 05:59:59.999", "2026-11-01 06:00:00", "2026-11-01 06:00:00.000001",
          "2026-06-01 10:00:00.123456", "2026-06-01 03:59:59.9999", "2026-06-01 04:00:00"]


@pytest.mark.parametrize("zone", [NEW_YORK, KOLKATA])
def test_sqlite_formats_stored_texts_as_the_python_path_reads_them(lite, zone):
    table, tz = _cells_table(lite), ZoneInfo(zone)
    with lite.engine.begin() as connection:
        connection.execute(text("INSERT INTO export_cells (k, t) VALUES (:k, :t)"),
                           [{"k": k, "t": t} for k, t in enumerate(STORED)])
        read = connection.scalars(select(table.c.t).order_by(table.c.k)).all()
    forms = sqlite_rows.sqlite_forms(tz, datetime(2026, 1, 1), datetime(2027, 1, 1))
    statement = select(sql_cell(table.c.t, CellKind.LOCAL_TIME, forms).label("t")
                       ).order_by(table.c.k)
    got = _copied(lambda out: sql_csv(lite, statement, tz, out, {"t": CellKind.LOCAL_TIME}))
    assert got == ("t\r\n" + "".join(iso_local(v, tz) + "\r\n" for v in read), len(STORED))


@pytest.mark.parametrize(("sql_type", "kind"), [
    (Float(), CellKind.INTEGER), (Boolean(), CellKind.INTEGER), (Integer(), CellKind.TEXT),
    (Date(), CellKind.LOCAL_TIME), (DateTime(timezone=True), CellKind.LOCAL_TIME),
    (String(), CellKind.LOCAL_TIME), (DateTime(), CellKind.TEXT),
])
def test_a_column_whose_type_is_not_its_kinds_is_refused(sql_type, kind):
    with pytest.raises(TypeError, match="no SQL cell format"):
        sql_cell(column("x", sql_type), kind, pg_copy.POSTGRES_FORMS)


def test_a_kind_without_an_sql_form_in_the_dialect_is_refused():
    forms = {k: v for k, v in pg_copy.POSTGRES_FORMS.items() if k is not CellKind.TEXT}
    with pytest.raises(TypeError, match="no SQL form of a text cell"):
        sql_cell(column("x", String()), CellKind.TEXT, forms)


# One stored value of each kind, and its SQL type.
ONE_OF_EACH_KIND = {
    CellKind.INTEGER: (-20, Integer()), CellKind.TEXT: ("=cmd()", String()),
    CellKind.LOCAL_TIME: (datetime(2026, 3, 8, 7, 0, 0, 500_000), DateTime()),
}


@pytest.mark.parametrize("kind", list(CellKind), ids=lambda kind: kind.value)
def test_every_kind_of_cell_has_an_sql_form_in_each_dialect_that_writes_its_python_text(
        db, kind):
    """A kind added to CellKind without its SQL form (or its Python rule) fails here, on
    each database, in each dialect's forms."""
    tz = ZoneInfo(NEW_YORK)
    assert set(pg_copy.POSTGRES_FORMS) == set(CellKind)
    assert set(sqlite_rows.sqlite_forms(tz, datetime(2026, 1, 1), datetime(2027, 1, 1))) \
        == set(CellKind)
    stored, sql_type = ONE_OF_EACH_KIND[kind]
    forms = _forms(db, tz, datetime(2026, 1, 1), datetime(2027, 1, 1))
    statement = select(sql_cell(literal(stored, sql_type), kind, forms).label("x"))
    read = stored if kind is not CellKind.LOCAL_TIME else local_times([stored], tz)[0]
    got = _copied(lambda out: sql_csv(db, statement, tz, out, {"x": kind}))
    assert got == (f"x\r\n{format_cell(kind, read)}\r\n", 1)


# Every export's columns with their kinds, as its module names them.
EXPORT_CELLS = {"sessions": SESSION_CELLS, "users": USER_CELLS,
                "conversations": CONVERSATION_CELLS, "purchases": PURCHASE_CELLS,
                "idle seats": IDLE_CELLS}


def _kinds_asked(statement_of: Any) -> tuple[list[str], list[CellKind]]:
    """The columns an export's statement selects, and the kind its `cell` was given for
    each (None of them may be missing)."""
    asked: list[CellKind] = []

    def cell(value: Any, kind: CellKind) -> Any:
        asked.append(kind)
        return value
    statement, _ = statement_of(cell)
    return list(statement.selected_columns.keys()), asked


def test_every_column_of_every_export_has_exactly_one_kind(db):
    for name, cells in EXPORT_CELLS.items():
        assert all(isinstance(kind, CellKind) for kind in cells.values()), name
    sessions = _session_tenant(db, "sess", NEW_YORK)
    users = _user_tenant(db, "users", KOLKATA)
    for tenant_id, term_id, cells in (("sess", sessions, SESSION_CELLS),
                                      ("users", users, USER_CELLS)):
        assert _kinds_asked(lambda cell, t=tenant_id, i=term_id: consumption_statement(
            db, t, i, cell=cell)) == (list(cells), list(cells.values()))
        page = consumption_history(db, tenant_id, term_id, limit=1)
        assert list(page.rows.columns) == list(cells)
    assert _kinds_asked(lambda cell: conversation_statement(db, "sess", cell=cell)) == (
        list(CONVERSATION_CELLS), list(CONVERSATION_CELLS.values()))
    assert list(conversation_history(db, "sess").rows.columns) == list(CONVERSATION_CELLS)
    assert list(purchase_history(db, "sess", sessions).columns) == list(PURCHASE_CELLS)
    assert list(idle_seats(db, "users", users, days=30).rows.columns) == list(IDLE_CELLS)


def test_a_statement_whose_columns_are_not_the_exports_is_refused(db):
    statement = select(literal("x", String()).label("Session ID"))
    with pytest.raises(ValueError, match="not the export's"):
        sql_csv(db, statement, ZoneInfo("UTC"), io.StringIO(), SESSION_CELLS)


def test_no_zone_has_had_an_offset_with_seconds_since_the_cutoff():
    """local_iso works an offset's seconds out only before this instant: check every zone,
    every two weeks up to 2100 (the rules' far future included)."""
    start = pg_copy.WHOLE_MINUTE_OFFSETS_SINCE.replace(tzinfo=UTC)
    moments = [start + timedelta(days=14 * i) for i in range(128 * 26)]
    odd = {(name, str(offset)) for name in available_timezones()
           for offset in {m.astimezone(ZoneInfo(name)).utcoffset() for m in moments}
           if offset is not None and offset.total_seconds() % 60}
    assert odd == set()


def _records(rows: list[list[str]]) -> list[str]:
    """Each row as the Python writer quotes it, without its line end."""
    lines = []
    for row in rows:
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\r\n").writerow(row)
        lines.append(out.getvalue()[:-2])
    return lines


def test_record_ends_become_crlf_wherever_copys_output_is_cut():
    rows = [[a, b] for a in AWKWARD for b in ("x", 'q"\n"', "é\r\n中")]
    records = _records(rows)
    as_copy = ("\n".join(records) + "\n").encode("utf-8")
    expected = "\r\n".join(records) + "\r\n"
    for cut in range(len(as_copy) + 1):
        out = io.StringIO(newline="")
        pg_copy.write_records([as_copy[:cut], as_copy[cut:]], out)
        assert out.getvalue() == expected, cut
    pick = random.Random(3)
    for _ in range(200):
        cuts = sorted(pick.sample(range(len(as_copy)), 40))
        chunks = [as_copy[a:b] for a, b in zip([0, *cuts], [*cuts, len(as_copy)], strict=True)]
        out = io.StringIO(newline="")
        pg_copy.write_records(chunks, out)
        assert out.getvalue() == expected


# 40,000 sessions a minute apart from 2026-01-01, on each database.
MANY_SESSIONS = {
    "postgresql": "INSERT INTO sessions SELECT 'big', 'S' || g, 'u' || (g % 97), 'Agent ' || "
    "(g % 7), 'web', timestamp '2026-01-01' + g * interval '1 minute', timestamp '2026-01-02',"
    " 'User', g % 5, :term FROM generate_series(1, 40000) g",
    "sqlite": "WITH RECURSIVE n(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM n WHERE g < 40000) "
    "INSERT INTO sessions SELECT 'big', 'S' || g, 'u' || (g % 97), 'Agent ' || (g % 7), 'web',"
    " strftime('%Y-%m-%d %H:%M:%S.000000', '2026-01-01', '+' || g || ' minutes'),"
    " '2026-01-02 00:00:00.000000', 'User', g % 5, :term FROM n",
}


def test_sql_formatted_export_memory_does_not_grow_with_the_number_of_rows(db, monkeypatch):
    """Four times the rows must not take (nearly) four times the memory."""
    term_id = make_tenant(db, tenant_id="big", licenses=100_000).term_id
    with db.engine.begin() as connection:
        connection.execute(text(MANY_SESSIONS[db.engine.dialect.name]), {"term": term_id})
    monkeypatch.setattr(pg_copy, "ROWS_PER_WRITE", 500)
    monkeypatch.setattr(sqlite_rows, "FETCH_ROWS", 500)

    def peak(filters: HistoryFilters) -> tuple[int, int]:
        return export_peak(lambda out: export_consumption(db, "big", out, term_id=term_id,
                                                          filters=filters))

    first_week = HistoryFilters(date_to=date(2026, 1, 7))
    peak(first_week)  # warm the statement caches
    small_rows, small_peak = peak(first_week)
    all_rows, all_peak = peak(HistoryFilters())
    assert (small_rows, all_rows) == (10_079, 40_000)
    assert all_peak < 2 * small_peak
