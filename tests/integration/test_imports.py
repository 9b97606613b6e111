"""Importing usage files end to end, on SQLite and PostgreSQL, through services and the CLI."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from licensing_core.cli import run
from licensing_core.cli.ingest import problem_lines
from licensing_core.db.models import Alert, AuditEntry, PlatformUser, UserStatusEvent
from licensing_core.errors import NotFound
from licensing_core.ingest.validation import ImportProblem
from licensing_core.queries.summary import subscription_summary
from licensing_core.services.imports import (
    ImportRefused,
    import_conversations,
    import_users,
    validate_conversations,
    validate_users,
)
from licensing_core.services.tenants import renew
from tests.fixtures_data import conversation, make_tenant, user, write_csv, write_jsonl, write_text

NOW = datetime(2026, 6, 15, 12, 0)
JUNE = date(2026, 6, 1)
WRITERS = {"csv": write_csv, "jsonl": write_jsonl}


def lines(refused: ImportRefused) -> list[str]:
    """The refusal as the command line writes it: `FILE:LINE: reason`."""
    return problem_lines(refused.display_name, refused.problems, refused.omitted)


def consumed(db, day: date = JUNE, tenant: str = "acme") -> int:
    return subscription_summary(db, tenant, term_date=day, now=NOW).consumed


def platform_users(db, tenant: str = "acme") -> dict[str, PlatformUser]:
    with db.transaction() as session:
        found = session.scalars(select(PlatformUser).where(PlatformUser.tenant_id == tenant))
        return {u.user_id: u for u in found}


def conversations_file(tmp_path: Path, rows: list[dict],
                       name: str = "conversations.csv") -> Path:
    """A CSV or JSON Lines file, after the name's extension."""
    return WRITERS[Path(name).suffix.lstrip(".")](tmp_path / name, rows)


def load(db, tmp_path: Path, rows: list[dict], name: str = "conversations.csv", **kwargs):
    path = conversations_file(tmp_path, rows, name)
    return import_conversations(db, tenant_id="acme", path=path, actor="test", now=NOW, **kwargs)


DAY_ONE = [
    conversation("c1", "u1", "2026-06-01T09:00:00Z"),
    conversation("c2", "u1", "2026-06-01T09:10:00Z"),  # same session as c1
    conversation("c3", "u1", "2026-06-01T09:10:00Z", channel="voice"),
    conversation("c4", "u2", "2026-06-01T09:00:00Z", agent_name="Nova"),
    conversation("c5", "u1", "2026-06-01T09:45:00Z"),  # past c1's 30 minutes
]


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_importing_users_then_conversations_counts_the_sessions(db, tmp_path, kind):
    make_tenant(db, licenses=10, now=NOW)
    users = WRITERS[kind](tmp_path / f"users.{kind}", [user("u1", email="u1@acme.test"),
                                                       user("u2", status="inactive")])
    summary = import_users(db, tenant_id="acme", path=users, actor="test", now=NOW)
    assert (summary.kind, summary.rows_read, summary.stored, summary.users_created) == (
        "users", 2, 2, 2)
    summary = load(db, tmp_path, DAY_ONE, name=f"conversations.{kind}")
    assert (summary.rows_read, summary.stored, summary.skipped, summary.users_created,
            summary.sessions_recomputed) == (5, 5, 0, 0, 4)
    assert consumed(db) == 4
    assert platform_users(db)["u2"].status == "Inactive"


def test_importing_the_same_file_again_stores_nothing_twice(db, tmp_path):
    make_tenant(db, now=NOW)
    first = load(db, tmp_path, DAY_ONE)
    again = load(db, tmp_path, DAY_ONE)
    assert (first.stored, first.users_created) == (5, 2)
    assert (again.rows_read, again.stored, again.skipped, again.users_created) == (5, 0, 5, 0)
    assert consumed(db) == 4


def test_a_file_adding_to_stored_conversations_stores_only_the_new_ones(db, tmp_path):
    make_tenant(db, now=NOW)
    load(db, tmp_path, DAY_ONE[:3])
    summary = load(db, tmp_path, DAY_ONE, name="all.csv")
    assert (summary.stored, summary.skipped, summary.users_created) == (2, 3, 1)
    assert consumed(db) == 4


def test_a_conversation_stored_with_other_values_refuses_the_whole_file(db, tmp_path):
    make_tenant(db, now=NOW)
    load(db, tmp_path, DAY_ONE[:1])
    changed = [conversation("c9", "u9", "2026-06-02T09:00:00Z"),
               conversation("c1", "u1", "2026-06-01T09:05:00Z", channel="voice")]
    with pytest.raises(ImportRefused) as refused:
        load(db, tmp_path, changed, name="changed.csv")
    assert lines(refused.value) == [
        f"{tmp_path / 'changed.csv'}:3: conversation_id 'c1' is already stored with other "
        "values: started_at (stored 2026-06-01T09:00:00Z, here 2026-06-01T09:05:00Z), "
        "channel (stored 'web', here 'voice')"]
    assert "nothing of the file was stored" in str(refused.value)
    assert (consumed(db), sorted(platform_users(db))) == (1, ["u1"])


def test_a_conversation_repeated_identically_in_a_file_is_stored_once(db, tmp_path):
    make_tenant(db, now=NOW)
    summary = load(db, tmp_path, [*DAY_ONE, DAY_ONE[0]])
    assert (summary.rows_read, summary.stored, summary.skipped) == (6, 5, 1)
    assert consumed(db) == 4


def test_a_conversation_repeated_with_other_values_in_a_file_is_refused(db, tmp_path):
    make_tenant(db, now=NOW)
    other = conversation("c2", "u1", "2026-06-01T09:10:00Z", messages=4)
    with pytest.raises(ImportRefused) as refused:
        load(db, tmp_path, [*DAY_ONE, other], name="dup.csv", display_name="dup.csv")
    assert lines(refused.value) == [
        "dup.csv:7: conversation_id 'c2' already appears on line 3 with a different messages"]
    assert consumed(db) == 0


def test_a_file_with_bad_rows_is_refused_whole_and_every_bad_row_reported(db, tmp_path):
    make_tenant(db, now=NOW)
    rows = [*DAY_ONE,
            conversation("c6", "", "2026-06-01T09:00:00Z"),
            conversation("c7", "u3", "tomorrow"),
            conversation("c8", "u3", "2026-06-01T09:00:00Z", ended_at="2026-06-01T08:00:00Z",
                         messages="-2")]
    with pytest.raises(ImportRefused) as refused:
        load(db, tmp_path, rows, display_name="upload.csv")
    assert lines(refused.value) == [
        "upload.csv:7: user_id is required",
        "upload.csv:8: started_at 'tomorrow' is not an ISO 8601 time "
        "(e.g. 2026-06-01T09:30:00+02:00)",
        "upload.csv:9: ended_at '2026-06-01T08:00:00Z' is before started_at "
        "'2026-06-01T09:00:00Z'; messages must be a whole number of 0 or more, not '-2'",
    ]
    assert (consumed(db), platform_users(db)) == (0, {})


def test_a_bad_users_file_is_refused_whole(db, tmp_path):
    make_tenant(db, now=NOW)
    path = write_csv(tmp_path / "users.csv", [user("u1"), user("u2", email="nope"),
                                              user("u3", status="away"), user("u1")])
    with pytest.raises(ImportRefused) as refused:
        import_users(db, tenant_id="acme", path=path, actor="test", now=NOW,
                     display_name="users.csv")
    assert lines(refused.value) == [
        "users.csv:3: email: 'nope' is not a valid email address",
        "users.csv:4: status must be Active or Inactive, not 'away'",
        "users.csv:5: user_id 'u1' already appears on line 2",
    ]
    assert platform_users(db) == {}


def test_a_huge_number_of_bad_rows_is_reported_up_to_a_limit(db, tmp_path):
    make_tenant(db, now=NOW)
    rows = [conversation(f"c{i}", "u1", "never") for i in range(1005)]
    with pytest.raises(ImportRefused) as refused:
        load(db, tmp_path, rows, display_name="f.csv")
    assert len(lines(refused.value)) == 1001
    assert lines(refused.value)[-1] == "f.csv: ... and 5 more rows with errors"
    assert "1005 bad rows" in str(refused.value)


def test_validating_reports_the_problems_without_storing_anything(db, tmp_path):
    make_tenant(db, now=NOW)
    good = conversations_file(tmp_path, DAY_ONE)
    bad = conversations_file(tmp_path, [conversation("c1", "u1", "")], name="bad.csv")
    users = write_csv(tmp_path / "users.csv", [user("u1", status="maybe")])
    assert validate_conversations(db, tenant_id="acme", path=good).problems == []
    assert validate_conversations(db, tenant_id="acme", path=bad).problems == [
        ImportProblem(2, "started_at is required")]
    assert validate_users(db, tenant_id="acme", path=users).problems == [
        ImportProblem(2, "status must be Active or Inactive, not 'maybe'")]
    assert (consumed(db), platform_users(db)) == (0, {})


def test_an_unsupported_or_missing_file_is_refused_with_a_clear_message(db, tmp_path):
    make_tenant(db, now=NOW)
    sheet = write_text(tmp_path / "conversations.xlsx", "conversation_id\n")
    assert validate_conversations(db, tenant_id="acme", path=sheet).problems == [
        ImportProblem(None, "unsupported file type (.xlsx): use .csv, .jsonl or .ndjson")]
    with pytest.raises(ImportRefused) as refused:
        import_conversations(db, tenant_id="acme", path=tmp_path / "gone.csv", actor="t")
    assert lines(refused.value) == [f"{tmp_path / 'gone.csv'}: no such file"]


def test_importing_into_an_unknown_tenant_is_refused(db, tmp_path):
    with pytest.raises(NotFound):
        load(db, tmp_path, DAY_ONE)


def test_a_late_conversation_regroups_the_sessions(db, tmp_path):
    make_tenant(db, now=NOW)
    load(db, tmp_path, [conversation("b", "u1", "2026-06-01T10:20:00Z"),
                        conversation("c", "u1", "2026-06-01T10:40:00Z")])
    assert consumed(db) == 1
    summary = load(db, tmp_path, [conversation("a", "u1", "2026-06-01T10:00:00Z")],
                   name="late.csv")
    # a (10:00-10:30) takes b; c opens its own session
    assert (summary.stored, summary.sessions_recomputed, consumed(db)) == (1, 2, 2)


def test_a_new_term_counts_the_conversations_already_stored_in_its_dates(db, tmp_path):
    make_tenant(db, start=date(2026, 1, 1), end=date(2026, 6, 30), licenses=10, now=NOW)
    load(db, tmp_path, [conversation("june", "u1", "2026-06-30T23:00:00Z"),
                        conversation("july", "u1", "2026-07-02T09:00:00Z"),
                        conversation("july2", "u2", "2026-07-03T09:00:00Z")])
    assert consumed(db) == 1
    renew(db, tenant_id="acme", start=date(2026, 7, 1), end=date(2026, 12, 31), licenses=10,
          actor="test", now=NOW)
    assert (consumed(db), consumed(db, date(2026, 7, 1))) == (1, 2)


def test_times_without_offset_are_read_in_the_tenants_timezone(db, tmp_path):
    make_tenant(db, start=date(2026, 1, 1), end=date(2026, 6, 30), timezone="Europe/Paris",
                now=NOW)
    load(db, tmp_path, [conversation("in", "u1", "2026-06-30T23:30:00"),  # 21:30 UTC
                        conversation("out", "u2", "2026-07-01T00:30:00"),  # next term
                        conversation("utc", "u3", "2026-06-30T22:30:00Z")])  # 00:30 in Paris
    assert consumed(db) == 1


def test_an_import_that_crosses_thresholds_queues_one_alert_for_the_highest(db, tmp_path):
    make_tenant(db, licenses=10, now=NOW)
    small = load(db, tmp_path, [conversation(f"a{i}", f"u{i}", "2026-06-01T09:00:00Z")
                                for i in range(7)])
    assert small.alerts_queued == []
    summary = load(db, tmp_path, [conversation(f"b{i}", f"v{i}", "2026-06-01T09:00:00Z")
                                  for i in range(2)], name="more.csv")
    with db.transaction() as session:
        alerts = session.scalars(select(Alert)).all()
    assert [a.id for a in alerts] == summary.alerts_queued
    assert [(a.threshold, a.consumed) for a in alerts] == [(85, 9)]


def test_re_importing_users_updates_them_by_user_id_and_records_status_changes(db, tmp_path):
    make_tenant(db, license_type="user", now=NOW)
    first = write_csv(tmp_path / "users.csv", [user("u1", email="a@acme.test", role="admin"),
                                               user("u2")])
    import_users(db, tenant_id="acme", path=first, actor="test", now=NOW)
    later = datetime(2026, 6, 20)
    second = write_text(tmp_path / "update.csv",
                        "user_id,email,status\nu1,,INACTIVE\nu2,,Active\nu3,c@acme.test,\n")
    summary = import_users(db, tenant_id="acme", path=second, actor="test", now=later)
    assert (summary.stored, summary.skipped, summary.users_created) == (2, 1, 1)
    users = platform_users(db)
    # email given empty clears it; role, absent from the file, stays
    assert (users["u1"].email, users["u1"].role, users["u1"].status) == ("", "admin", "Inactive")
    assert (users["u3"].status, users["u3"].user_name) == ("Active", "")
    with db.transaction() as session:
        events = session.execute(select(UserStatusEvent.user_id, UserStatusEvent.status,
                                        UserStatusEvent.at).order_by(UserStatusEvent.id)).all()
    assert [tuple(e) for e in events] == [("u1", "Active", NOW), ("u2", "Active", NOW),
                                          ("u1", "Inactive", later), ("u3", "Active", later)]


def test_an_empty_status_keeps_a_stored_users_status(db, tmp_path):
    make_tenant(db, license_type="user", now=NOW)
    import_users(db, tenant_id="acme", path=write_csv(tmp_path / "a.csv", [
        user("u1", status="Inactive")]), actor="test", now=NOW)
    summary = import_users(db, tenant_id="acme", path=write_csv(tmp_path / "b.csv", [
        user("u1", status="")]), actor="test", now=NOW)
    assert (summary.skipped, platform_users(db)["u1"].status) == (1, "Inactive")


def test_a_user_met_first_in_a_conversation_is_created_active_without_names(db, tmp_path):
    make_tenant(db, now=NOW)
    load(db, tmp_path, [conversation("c2", "new", "2026-06-03T09:00:00Z")])
    load(db, tmp_path, [conversation("c1", "new", "2026-06-02T09:00:00Z")], name="older.csv")
    created = platform_users(db)["new"]
    assert (created.status, created.user_name, created.email) == ("Active", "", "")
    assert created.first_conversation_at == datetime(2026, 6, 2, 9)
    with db.transaction() as session:
        assert session.scalars(select(UserStatusEvent)).all() == []


def test_an_import_is_written_to_the_audit_log(db, tmp_path):
    make_tenant(db, now=NOW)
    load(db, tmp_path, DAY_ONE, display_name="june.csv")
    with db.transaction() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "import.conversations")).one()
    assert (entry.actor, entry.tenant_id, entry.at) == ("test", "acme", NOW)
    assert entry.after == {"file": "june.csv", "rows_read": 5, "stored": 5, "skipped": 0}


def test_progress_is_reported_while_checking_then_while_storing(db, tmp_path):
    make_tenant(db, now=NOW)
    calls: list[tuple[int, int]] = []
    load(db, tmp_path, DAY_ONE, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(5, 0), (5, 5)]


# ---- the command line ------------------------------------------------------------------------

@pytest.fixture
def cli(db, monkeypatch, capsys):
    monkeypatch.setenv("LICENSING_DATABASE_URL", db.url)

    def invoke(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        status = run(list(args))
        out, err = capsys.readouterr()
        return status, out, err

    return invoke


def test_cli_import_ends_with_a_one_line_summary(db, tmp_path, cli):
    make_tenant(db, licenses=5, now=NOW)
    path = conversations_file(tmp_path, DAY_ONE)
    status, out, err = cli("ingest", "conversations", "acme", str(path))
    assert (status, err) == (0, "")
    assert out == ("5 rows read: 5 stored, 0 skipped as already stored, 2 users created, "
                   "4 sessions recomputed, 1 alert queued\n")
    users = write_jsonl(tmp_path / "users.jsonl", [user("u1")])
    status, out, _ = cli("ingest", "users", "acme", str(users))
    assert status == 0 and out.startswith("1 row read: 1 stored, 0 skipped as already stored")


def test_cli_refused_import_prints_every_bad_row_exits_2_and_changes_nothing(db, tmp_path, cli):
    make_tenant(db, now=NOW)
    path = conversations_file(tmp_path, [*DAY_ONE, conversation("x", "", "2026-06-01"),
                                         conversation("y", "u1", "soon")])
    status, out, err = cli("ingest", "conversations", "acme", str(path))
    assert (status, out) == (2, "")
    assert err.splitlines() == [
        f"{path}:7: user_id is required",
        f"{path}:8: started_at 'soon' is not an ISO 8601 time (e.g. 2026-06-01T09:30:00+02:00)",
        f"licensing: {path}: 2 bad rows; nothing of the file was stored",
    ]
    assert (consumed(db), platform_users(db)) == (0, {})


@pytest.mark.parametrize(("name", "message"), [
    ("missing.csv", "{path}: no such file"),
    ("users.txt", "{path}: unsupported file type (.txt): use .csv, .jsonl or .ndjson"),
])
def test_cli_refuses_a_missing_or_unsupported_file(db, tmp_path, cli, name, message):
    make_tenant(db, now=NOW)
    path = tmp_path / name
    if name.endswith(".txt"):
        write_text(path, "user_id\nu1\n")
    status, _, err = cli("ingest", "users", "acme", str(path))
    assert status == 2
    assert message.format(path=path) in err


def test_cli_refuses_an_unknown_tenant(db, tmp_path, cli):
    status, _, err = cli("ingest", "conversations", "nobody",
                         str(conversations_file(tmp_path, DAY_ONE)))
    assert (status, err) == (2, "licensing: no tenant 'nobody'\n")
