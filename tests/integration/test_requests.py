"""License requests by command and by service, on both databases: asked, listed, decided
once, approved into a refill in the same transaction, refused when they should be."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from licensing_core.auth.permissions import Principal
from licensing_core.clock import utcnow
from licensing_core.db.engine import Database
from licensing_core.db.models import Alert, AuditEntry, LicenseRequest, Refill, Term
from licensing_core.domain.kinds import Role
from licensing_core.errors import Forbidden, NotFound, Refused
from licensing_core.queries.requests import (
    OVERVIEW_COLUMNS,
    REQUEST_KEYS,
    list_requests,
    requests_overview,
)
from licensing_core.services.refills import preview_refill
from licensing_core.services.requests import (
    approve_request,
    create_request,
    decline_request,
    open_request_count,
    preview_approval,
)
from licensing_core.services.tenants import create_tenant
from tests.command_line import Cli, cli_json
from tests.integration.test_thresholds import add_sessions, thresholds_alerted

OPERATOR = Principal("sam", Role.SUPER_ADMIN, None, "sam@operator.example")
ANN = Principal("ann", Role.TENANT_ADMIN, "acme", "ann@acme.example")
VIC = Principal("vic", Role.TENANT_VIEWER, "acme", "vic@acme.example")
BOB = Principal("bob", Role.TENANT_ADMIN, "globex", "bob@globex.example")


def add_tenant(db: Database, tenant_id: str = "acme", *, licenses: int = 100,
               start: date | None = None, end: date | None = None,
               now: datetime | None = None) -> None:
    """A session-based tenant whose term holds the real today (the command's clock)."""
    today = utcnow().date()
    create_tenant(db, tenant_id=tenant_id, name=f"{tenant_id.title()} Corp",
                  license_type="session", licenses=licenses,
                  start=start or today - timedelta(days=100),
                  end=end or today + timedelta(days=200),
                  technical_emails=[f"ops@{tenant_id}.example"], actor="test", now=now)


def requests_of(db: Database) -> list[LicenseRequest]:
    with db.transaction() as session:
        return list(session.scalars(select(LicenseRequest).order_by(LicenseRequest.id)))


def refills_of(db: Database) -> list[Refill]:
    with db.transaction() as session:
        return list(session.scalars(select(Refill).order_by(Refill.id)))


def alert_kinds(db: Database) -> list[tuple[str, int | None]]:
    with db.transaction() as session:
        return [(a.kind, a.request_id) for a in session.scalars(select(Alert).order_by(Alert.id))]


def total(cli: Cli, tenant_id: str = "acme") -> int:
    return int(cli_json(cli, "tenant", "show", tenant_id, "--json")["total_purchased"])


# -- the commands -----------------------------------------------------------------------

def test_create_then_list_json_gives_the_spec_keys_and_mails_the_operator(
        cli: Cli, db: Database) -> None:
    add_tenant(db)
    status, out, _ = cli("request", "create", "acme", "50", "--by", "ann", "--note", "Q3")
    assert status == 0 and "request #1: 50 licenses for acme, open" in out
    (listed,) = cli_json(cli, "request", "list", "--json")
    assert tuple(listed) == REQUEST_KEYS
    assert {k: listed[k] for k in ("request_id", "tenant_id", "quantity", "status",
                                   "requested_by", "note", "decided_by", "decided_at",
                                   "reason", "refill_quantity")} == {
        "request_id": 1, "tenant_id": "acme", "quantity": 50, "status": "open",
        "requested_by": "ann", "note": "Q3", "decided_by": None, "decided_at": None,
        "reason": None, "refill_quantity": None}
    assert datetime.fromisoformat(listed["requested_at"]).tzinfo is not None
    assert alert_kinds(db) == [("license_request", 1)]
    status, out, _ = cli("request", "list")
    assert status == 0 and "acme" in out and "open" in out


@pytest.mark.parametrize(("quantity", "reason"), [
    ("0", "above 0, not 0"), ("-5", "above 0, not -5"), ("ten", "whole number above 0"),
    ("1.5", "whole number above 0"), ("1000000001", "at most 1000000000"),
])
def test_a_request_of_0_negative_or_not_a_number_is_refused(
        cli: Cli, db: Database, quantity: str, reason: str) -> None:
    add_tenant(db)
    status, _, err = cli("request", "create", "acme", quantity, "--by", "ann")
    assert status == 2 and reason in err and "Traceback" not in err
    assert requests_of(db) == [] and alert_kinds(db) == []


def test_a_request_for_an_unknown_tenant_is_refused(cli: Cli, db: Database) -> None:
    status, _, err = cli("request", "create", "zeta", "5", "--by", "ann")
    assert status == 2 and "no tenant 'zeta'" in err


def test_approve_records_the_refill_naming_the_request_and_mails_the_decision(
        cli: Cli, db: Database) -> None:
    add_tenant(db)
    cli("request", "create", "acme", "50", "--by", "ann")
    status, out, _ = cli("request", "approve", "1", "--by", "sam", "--note", "order 77")
    assert status == 0 and "request #1 approved: 50 licenses added" in out
    assert "total purchase is now 150" in out
    assert total(cli) == 150
    (refill,) = refills_of(db)
    assert (refill.quantity, refill.recorded_by, refill.note) == (
        50, "sam", "License request #1: order 77")
    (listed,) = cli_json(cli, "request", "list", "--json")
    assert (listed["status"], listed["decided_by"], listed["refill_quantity"],
            listed["reason"]) == ("approved", "sam", 50, "order 77")
    assert alert_kinds(db) == [("license_request", 1), ("request_decision", 1)]


def test_approve_with_an_edited_quantity_refills_that_quantity(cli: Cli, db: Database) -> None:
    add_tenant(db)
    cli("request", "create", "acme", "50", "--by", "ann")
    assert cli("request", "approve", "1", "--by", "sam", "--quantity", "30")[0] == 0
    assert total(cli) == 130
    assert cli_json(cli, "request", "list", "--json")[0]["refill_quantity"] == 30


@pytest.mark.parametrize("decision", [
    ["approve", "1", "--by", "sam"],
    ["decline", "1", "--by", "sam", "--reason", "no budget"],
])
def test_deciding_twice_is_refused_and_changes_nothing(cli: Cli, db: Database,
                                                       decision: list[str]) -> None:
    add_tenant(db)
    cli("request", "create", "acme", "50", "--by", "ann")
    assert cli("request", *decision)[0] == 0
    before = (total(cli), cli_json(cli, "request", "list", "--json"), alert_kinds(db))
    for again in (["approve", "1", "--by", "kim"],
                  ["decline", "1", "--by", "kim", "--reason", "changed my mind"]):
        status, _, err = cli("request", *again)
        assert status == 2 and "request #1 was already" in err and "by sam" in err
    assert (total(cli), cli_json(cli, "request", "list", "--json"), alert_kinds(db)) == before


def test_decline_needs_a_reason_and_mails_it(cli: Cli, db: Database) -> None:
    add_tenant(db)
    cli("request", "create", "acme", "50", "--by", "ann")
    assert cli("request", "decline", "1", "--by", "sam")[0] == 2  # --reason is required
    status, _, err = cli("request", "decline", "1", "--by", "sam", "--reason", "   ")
    assert status == 2 and "a reason for declining is required" in err
    assert cli("request", "decline", "1", "--by", "sam", "--reason", "renew first")[0] == 0
    (listed,) = cli_json(cli, "request", "list", "--json")
    assert (listed["status"], listed["reason"], listed["refill_quantity"]) == (
        "declined", "renew first", None)
    assert total(cli) == 100 and refills_of(db) == []
    assert alert_kinds(db)[-1] == ("request_decision", 1)


def test_approving_a_request_of_a_tenant_whose_term_has_ended_is_refused(
        cli: Cli, db: Database) -> None:
    today = utcnow().date()
    add_tenant(db, start=today - timedelta(days=400), end=today - timedelta(days=1))
    cli("request", "create", "acme", "50", "--by", "ann")
    status, _, err = cli("request", "approve", "1", "--by", "sam")
    assert status == 2 and f"ended on {today - timedelta(days=1)}" in err
    assert refills_of(db) == [] and requests_of(db)[0].status == "open"
    assert alert_kinds(db) == [("license_request", 1)]
    assert cli("request", "decline", "1", "--by", "sam", "--reason", "expired")[0] == 0


def test_a_term_ending_today_has_not_ended(cli: Cli, db: Database) -> None:
    today = utcnow().date()
    add_tenant(db, start=today - timedelta(days=30), end=today)
    cli("request", "create", "acme", "5", "--by", "ann")
    assert cli("request", "approve", "1", "--by", "sam")[0] == 0


@pytest.mark.parametrize("args", [
    ["approve", "7", "--by", "sam"], ["decline", "7", "--by", "sam", "--reason", "x"]])
def test_deciding_an_unknown_request_is_refused(cli: Cli, db: Database,
                                                args: list[str]) -> None:
    status, _, err = cli("request", *args)
    assert status == 2 and "no license request #7" in err


def test_an_approval_of_0_is_refused_and_leaves_the_request_open(cli: Cli, db: Database) -> None:
    add_tenant(db)
    cli("request", "create", "acme", "50", "--by", "ann")
    assert cli("request", "approve", "1", "--by", "sam", "--quantity", "0")[0] == 2
    assert cli("request", "approve", "1", "--by", "sam", "--quantity", "-3")[0] == 2
    assert requests_of(db)[0].status == "open" and refills_of(db) == []


def test_a_refill_past_the_recordable_total_refuses_the_whole_approval(
        cli: Cli, db: Database) -> None:
    add_tenant(db, licenses=999_999_990)
    cli("request", "create", "acme", "50", "--by", "ann")
    status, _, err = cli("request", "approve", "1", "--by", "sam")
    assert status == 2 and "more than" in err
    assert requests_of(db)[0].status == "open" and refills_of(db) == []


def test_list_filters_by_tenant_and_status_with_open_ones_first(cli: Cli, db: Database) -> None:
    add_tenant(db)
    add_tenant(db, "globex")
    for tenant_id, quantity in (("acme", "1"), ("globex", "2"), ("acme", "3"), ("acme", "4")):
        cli("request", "create", tenant_id, quantity, "--by", "ann")
    cli("request", "decline", "1", "--by", "sam", "--reason", "no")
    cli("request", "approve", "3", "--by", "sam")
    ids = [r["request_id"] for r in cli_json(cli, "request", "list", "--json")]
    assert ids == [2, 4, 3, 1]  # open, oldest first; then decided, latest first
    by_tenant = cli_json(cli, "request", "list", "--tenant", "acme", "--json")
    assert [r["request_id"] for r in by_tenant] == [4, 3, 1]
    approved = cli_json(cli, "request", "list", "--status", "approved", "--json")
    assert [r["request_id"] for r in approved] == [3]
    status, _, err = cli("request", "list", "--status", "pending")
    assert status == 2 and "open, approved or declined" in err
    assert cli("request", "list", "--tenant", "zeta")[0] == 2


def test_requests_and_decisions_are_audited(cli: Cli, db: Database) -> None:
    add_tenant(db)
    cli("request", "create", "acme", "5", "--by", "ann")
    cli("request", "create", "acme", "6", "--by", "ann")
    cli("request", "approve", "1", "--by", "sam")
    cli("request", "decline", "2", "--by", "kim", "--reason", "one is enough")
    with db.transaction() as session:
        actions = [(e.actor, e.action) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("request.%")
                                     | (AuditEntry.action == "refill.create"))
            .order_by(AuditEntry.id))]
    assert actions == [("ann", "request.create"), ("ann", "request.create"),
                       ("sam", "refill.create"), ("sam", "request.approve"),
                       ("kim", "request.decline")]


# -- the services, as the dashboard calls them ------------------------------------------

def test_an_approval_re_arms_the_alerts_as_any_refill(db: Database, tmp_path: Path,
                                                      now: datetime) -> None:
    add_tenant(db, licenses=10, start=date(2026, 1, 1), end=date(2026, 12, 31), now=now)
    add_sessions(db, tmp_path, now, 0, 8)  # 80 %: the 75 % alert
    assert thresholds_alerted(db) == [75]
    view = create_request(db, principal=ANN, tenant_id="acme", quantity=10, now=now)
    decision = approve_request(db, principal=OPERATOR, request_id=view.request_id, now=now)
    assert decision.refill is not None and decision.refill.total_after == 20
    with db.transaction() as session:
        assert session.scalars(select(Term.notified_threshold)).one() is None  # re-armed
    add_sessions(db, tmp_path, now, 8, 7)  # 15 of 20: 75 % again
    assert thresholds_alerted(db) == [75, 75]


def test_the_approve_preview_is_the_refill_preview(db: Database, now: datetime) -> None:
    add_tenant(db, start=date(2026, 1, 1), end=date(2026, 12, 31), now=now)
    view = create_request(db, principal=ANN, tenant_id="acme", quantity=40, now=now)
    preview = preview_approval(db, principal=OPERATOR, request_id=view.request_id, now=now)
    assert preview.quantity == 40
    assert preview.refill == preview_refill(db, tenant_id="acme", quantity=40, now=now)
    edited = preview_approval(db, principal=OPERATOR, request_id=view.request_id,
                              quantity="25", now=now)
    assert edited.refill.after.total_purchased == 125
    assert refills_of(db) == []  # a preview records nothing
    decline_request(db, principal=OPERATOR, request_id=view.request_id, reason="no", now=now)
    with pytest.raises(Refused, match="already declined"):
        preview_approval(db, principal=OPERATOR, request_id=view.request_id, now=now)


def test_who_may_ask_decide_and_see(db: Database, now: datetime) -> None:
    add_tenant(db, start=date(2026, 1, 1), end=date(2026, 12, 31), now=now)
    add_tenant(db, "globex", start=date(2026, 1, 1), end=date(2026, 12, 31), now=now)
    with pytest.raises(Forbidden):
        create_request(db, principal=VIC, tenant_id="acme", quantity=5, now=now)
    with pytest.raises(Forbidden):
        create_request(db, principal=ANN, tenant_id="globex", quantity=5, now=now)
    mine = create_request(db, principal=ANN, tenant_id="acme", quantity=5, now=now)
    create_request(db, principal=BOB, tenant_id="globex", quantity=6, now=now)
    create_request(db, principal=OPERATOR, tenant_id="globex", quantity=7, now=now)
    for person in (ANN, VIC):
        with pytest.raises(Forbidden):
            approve_request(db, principal=person, request_id=mine.request_id, now=now)
        with pytest.raises(Forbidden):
            decline_request(db, principal=person, request_id=mine.request_id, reason="x",
                            now=now)
        with pytest.raises(Forbidden):
            preview_approval(db, principal=person, request_id=mine.request_id, now=now)
        with pytest.raises(Forbidden):
            list_requests(db, principal=person, tenant_id="globex")
        assert [v.tenant_id for v in list_requests(db, principal=person)] == ["acme"]
    assert len(list_requests(db, principal=OPERATOR)) == 3
    assert open_request_count(db, principal=OPERATOR) == 3
    with pytest.raises(Forbidden):
        open_request_count(db, principal=ANN)
    with pytest.raises(NotFound):
        list_requests(db, principal=OPERATOR, tenant_id="zeta")


def test_the_operators_table_gives_each_request_its_tenants_percent_and_forecast(
        db: Database, now: datetime) -> None:
    add_tenant(db, start=date(2026, 1, 1), end=date(2026, 12, 31), now=now)
    create_request(db, principal=ANN, tenant_id="acme", quantity=5, now=now)
    table = requests_overview(db, principal=OPERATOR, now=now)
    assert tuple(table.columns) == OVERVIEW_COLUMNS
    row = table.iloc[0]
    assert (row["tenant_id"], row["tenant_name"], row["quantity"], row["total_purchased"],
            row["percent_used"], bool(row["lasts_term"])) == (
        "acme", "Acme Corp", 5, 100, 0.0, True)
    with pytest.raises(Forbidden):
        requests_overview(db, principal=ANN, now=now)


def test_two_deciders_at_once_give_one_decision(db: Database, now: datetime) -> None:
    add_tenant(db, start=date(2026, 1, 1), end=date(2026, 12, 31), now=now)
    view = create_request(db, principal=ANN, tenant_id="acme", quantity=5, now=now)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(approve: bool) -> None:
        database = Database(db.url)
        try:
            barrier.wait()
            if approve:
                approve_request(database, principal=OPERATOR, request_id=view.request_id,
                                now=now)
            else:
                decline_request(database, principal=OPERATOR, request_id=view.request_id,
                                reason="no", now=now)
            outcomes.append("decided")
        except Refused as exc:
            outcomes.append(str(exc))
        finally:
            database.dispose()

    threads = [threading.Thread(target=decide, args=(flag,)) for flag in (True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes)[0] == "decided" and "was already" in sorted(outcomes)[1]
    status = requests_of(db)[0].status
    assert len(refills_of(db)) == (1 if status == "approved" else 0)
    assert [k for k, _ in alert_kinds(db)].count("request_decision") == 1


@pytest.mark.parametrize(("note", "reason"), [
    ("bad\x00byte", "cannot be stored"), ("\ud800", "cannot be stored"),
    ("x" * 2001, "at most 2000 characters"),
])
def test_a_note_that_cannot_be_stored_is_refused_and_stores_nothing(
        db: Database, now: datetime, note: str, reason: str) -> None:
    add_tenant(db, start=date(2026, 1, 1), end=date(2026, 12, 31), now=now)
    with pytest.raises(Refused, match=reason):
        create_request(db, principal=ANN, tenant_id="acme", quantity=5, note=note, now=now)
    view = create_request(db, principal=ANN, tenant_id="acme", quantity=5, now=now)
    with pytest.raises(Refused, match=reason):
        decline_request(db, principal=OPERATOR, request_id=view.request_id, reason=note,
                        now=now)
    assert [r.status for r in requests_of(db)] == ["open"]
