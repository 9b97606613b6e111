"""CSV exports and `licensing export`, compared with the exact text expected."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from licensing_core.cli import run
from licensing_core.db.engine import URL_VARIABLE
from licensing_core.errors import NotFound, Refused
from licensing_core.exports import pg_copy, sqlite_rows
from licensing_core.exports.cells import format_cell
from licensing_core.exports.csv import export_consumption, export_purchases
from licensing_core.queries.history import SESSION_CELLS, HistoryFilters, consumption_history
from licensing_core.services.tenants import renew
from tests.fixtures_data import export_peak
from tests.integration.test_queries import NOW, Seeded, seed

ACME_CONSUMPTION = (
    "Session ID,Started On,Initiated By,User Name,Email,Role,Agent Name,Channel,Conversations\r\n"
    "S-c07,2026-06-01T12:00:00+02:00,User,Dan,dan@sample.org,viewer,Bot,web,1\r\n"
    "S-c06,2026-05-21T00:30:00+02:00,User,Carol,carol@sample.org,agent,Help,teams,1\r\n"
    'S-c05,2026-04-10T14:00:00+02:00,User,"Bob, Jr.",bob@example.com,admin,Help,web,1\r\n'
    "S-c03,2026-03-01T10:10:00+01:00,User,'=cmd(),eve@example.com,agent,Bot,web,1\r\n"
    'S-c04,2026-03-01T09:40:00+01:00,Agent,"Bob, Jr.",bob@example.com,admin,Bot,teams,1\r\n'
    "S-c01,2026-03-01T09:30:00+01:00,User,'=cmd(),eve@example.com,agent,Bot,web,2\r\n"
)
BETA_CONSUMPTION = (
    "User ID,User Name,Email,First Name,Last Name,Role,Status,Conversations\r\n"
    "b1,Zed,zed@beta.io,Zed,Young,admin,Active,2\r\n"
    "b2,Eve Beta,eve@beta.io,Eve,Beta,agent,Active,0\r\n"
    "b3,Yan,yan@beta.io,Yan,Xu,agent,Inactive,1\r\n"
)
ACME_PURCHASES = (
    "Date,Type,Quantity,Total After,Recorded By,Note\r\n"
    "2025-12-01T10:00:00+01:00,Initial purchase,100,100,setup,\r\n"
    "2026-04-01T09:00:00+02:00,Refill,50,150,Sam Super,Q2 top-up\r\n"
    '2026-05-02T12:00:00+02:00,Removal,-20,130,Sam Super,"\'=HYPERLINK(""x"")"\r\n'
)


@pytest.fixture
def seeded(db, tmp_path: Path) -> Seeded:
    return seed(db, tmp_path)


def exported(write) -> tuple[str, int]:
    out = io.StringIO(newline="")
    rows = write(out)
    return out.getvalue(), rows


def test_session_consumption_export_is_the_exact_csv(db, seeded):
    text, rows = exported(lambda out: export_consumption(db, "acme", out, now=NOW))
    assert text == ACME_CONSUMPTION
    assert rows == 6


def test_user_consumption_export_is_the_exact_csv(db, seeded):
    text, rows = exported(lambda out: export_consumption(db, "beta", out,
                                                         term_id=seeded.beta_term))
    assert text == BETA_CONSUMPTION
    assert rows == 3


def test_purchases_export_is_the_exact_csv_with_signed_quantities_and_defused_notes(
        db, seeded):
    text, rows = exported(lambda out: export_purchases(db, "acme", out,
                                                       term_date=date(2026, 2, 1), now=NOW))
    assert text == ACME_PURCHASES
    assert rows == 3


PAGE_FILTERS = [
    HistoryFilters(),
    HistoryFilters(text="example"),
    HistoryFilters(channels=("web",), roles=("agent", "viewer")),
    HistoryFilters(date_from=date(2026, 3, 1), date_to=date(2026, 4, 30), agents=("Bot",)),
    HistoryFilters(statuses=("Inactive",)),
    HistoryFilters(text="nobody at all"),
]


def test_an_export_holds_exactly_the_rows_the_page_shows_for_the_same_filters(db, seeded):
    for filters in PAGE_FILTERS:
        text, rows = exported(lambda out, f=filters: export_consumption(
            db, "acme", out, term_id=seeded.acme_term, filters=f, sort_by="Agent Name",
            descending=True))
        page = consumption_history(db, "acme", seeded.acme_term, filters=filters,
                                   sort_by="Agent Name", descending=True, limit=1000)
        parsed = list(csv.reader(io.StringIO(text, newline="")))
        assert parsed[0] == list(page.rows.columns)
        assert parsed[1:] == [[format_cell(kind, v)
                               for kind, v in zip(SESSION_CELLS.values(), row, strict=True)]
                              for row in page.rows.itertuples(index=False)], filters
        assert rows == page.total_rows == len(parsed) - 1


def test_an_export_of_an_unknown_tenant_or_term_is_refused_before_writing(db, seeded):
    out = io.StringIO()
    with pytest.raises(NotFound):
        export_consumption(db, "nosuch", out, now=NOW)
    with pytest.raises(NotFound):
        export_consumption(db, "acme", out, term_id=seeded.beta_term)
    with pytest.raises(NotFound):
        export_purchases(db, "acme", out, term_date=date(2030, 1, 1), now=NOW)
    with pytest.raises(Refused, match="cannot sort"):
        export_consumption(db, "acme", out, sort_by="Bogus", now=NOW)
    assert out.getvalue() == ""


def test_the_export_of_a_term_chosen_by_date_covers_that_term_only(db, seeded):
    renew(db, tenant_id="acme", start=date(2027, 1, 1), end=date(2027, 12, 31), licenses=10,
          actor="setup", now=NOW)
    text, rows = exported(lambda out: export_consumption(db, "acme", out,
                                                         term_date=date(2027, 2, 1), now=NOW))
    assert (text, rows) == (ACME_CONSUMPTION.split("\r\n")[0] + "\r\n", 0)
    text, _ = exported(lambda out: export_consumption(db, "acme", out,
                                                      term_date=date(2026, 12, 31), now=NOW))
    assert text == ACME_CONSUMPTION


# The command line


@pytest.fixture
def cli_db(db_url: str, seeded: Seeded, monkeypatch: pytest.MonkeyPatch) -> Seeded:
    monkeypatch.setenv(URL_VARIABLE, db_url)
    return seeded


def test_export_consumption_writes_the_current_terms_csv_to_stdout(cli_db, capsys):
    # beta has one term: it is the current term whatever today is
    assert run(["export", "consumption", "beta"]) == 0
    captured = capsys.readouterr()
    assert captured.out == BETA_CONSUMPTION
    assert captured.err == ""


def test_export_consumption_of_the_term_containing_a_date(cli_db, capsys):
    assert run(["export", "consumption", "acme", "--term", "2026-03-01"]) == 0
    assert capsys.readouterr().out == ACME_CONSUMPTION


def test_export_purchases_to_a_file_writes_exact_crlf_rows(cli_db, capsys, tmp_path):
    target = tmp_path / "purchases.csv"
    assert run(["export", "purchases", "acme", "--term", "2026-06-15",
                "--out", str(target)]) == 0
    assert target.read_bytes() == ACME_PURCHASES.encode("utf-8")
    assert "wrote 3 rows" in capsys.readouterr().out


def test_export_consumption_to_a_file_keeps_unicode_and_crlf(cli_db, tmp_path):
    target = tmp_path / "consumption.csv"
    assert run(["export", "consumption", "acme", "--term", "2026-06-15",
                "--out", str(target)]) == 0
    assert target.read_bytes() == ACME_CONSUMPTION.encode("utf-8")


FAILING_EXPORTS = [
    ["export", "consumption", "nosuch"],
    ["export", "purchases", "nosuch", "--term", "2026-01-01"],
    ["export", "consumption", "acme", "--term", "2030-01-01"],
    ["export", "purchases", "acme", "--term", "2025-12-31"],
    ["export", "consumption", "acme", "--term", "not-a-date"],
]


def test_an_unknown_tenant_or_a_date_in_no_term_exits_2_and_writes_nothing(
        cli_db, capsys, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    for argv in FAILING_EXPORTS:
        assert run([*argv, "--out", str(folder / "out.csv")]) == 2, argv
        assert list(folder.iterdir()) == []  # neither the file nor a temporary one
        assert run(argv) == 2, argv
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.startswith("licensing: ")


def test_export_memory_does_not_grow_with_the_number_of_rows(db, tmp_path, monkeypatch):
    """Streamed as the database returns the rows: four times the rows (imported, as a
    tenant's would be) must not take (nearly) four times the memory."""
    from licensing_core.services.imports import import_conversations
    from licensing_core.services.tenants import create_tenant

    created = create_tenant(db, tenant_id="big", name="Big", license_type="session",
                            licenses=10_000, start=date(2026, 1, 1), end=date(2026, 12, 31),
                            actor="setup", now=NOW)
    lines = ["conversation_id,user_id,started_at,agent_name,channel"] + [
        f"c{i:05d},u{i % 100},2026-0{1 + i // 1000}-02T{i % 24:02d}:{i % 60:02d}:00+00:00,"
        f"Agent {i % 7},web" for i in range(4000)]
    source = tmp_path / "big.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_conversations(db, tenant_id="big", path=source, actor="setup", now=NOW)
    monkeypatch.setattr(pg_copy, "ROWS_PER_WRITE", 250)
    monkeypatch.setattr(sqlite_rows, "FETCH_ROWS", 250)

    def peak(filters: HistoryFilters) -> tuple[int, int]:
        return export_peak(lambda out: export_consumption(db, "big", out,
                                                          term_id=created.term_id,
                                                          filters=filters))

    january = HistoryFilters(date_to=date(2026, 1, 31))
    peak(january)  # warm the statement caches
    small_rows, small_peak = peak(january)
    all_rows, all_peak = peak(HistoryFilters())
    assert (small_rows, all_rows) == (1000, 4000)
    assert all_peak < 2 * small_peak
