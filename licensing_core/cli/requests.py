"""`licensing request create|list|approve|decline`: license requests from the command line.

The command acts as the operator (a super admin) named by --by.
"""

from __future__ import annotations

import typer

from licensing_core.cli.common import database, operator, print_json
from licensing_core.domain.requests import RequestView
from licensing_core.queries.requests import list_requests, request_record
from licensing_core.services.requests import approve_request, create_request, decline_request

request_app = typer.Typer(no_args_is_help=True,
                          help="License requests: asked by a tenant, decided once.")


def register(app: typer.Typer) -> None:
    app.add_typer(request_app, name="request")


# So that a negative QUANTITY reaches the validation and its reason, not the option parser.
LENIENT = {"ignore_unknown_options": True}


@request_app.command("create", context_settings=LENIENT,
                     help="Ask for QUANTITY more licenses for a tenant (a whole number > 0).")
def request_create(
    tenant_id: str = typer.Argument(..., metavar="ID"),
    quantity: str = typer.Argument(..., metavar="QUANTITY"),
    by: str = typer.Option(..., "--by", help="who asks"),
    note: str = typer.Option("", "--note"),
) -> None:
    view = create_request(database(), principal=operator(by), tenant_id=tenant_id,
                          quantity=quantity, note=note)
    typer.echo(f"request #{view.request_id}: {view.quantity} licenses for {view.tenant_id}, "
               "open; the operator is mailed by the next alerts run")


def _line(view: RequestView) -> str:
    decided = (f" {view.decided_by} {view.local(view.decided_at):%Y-%m-%d}"
               if view.decided_at else "")
    granted = f" +{view.refill_quantity}" if view.refill_quantity is not None else ""
    return (f"#{view.request_id:<6} {view.tenant_id:<16} {view.quantity:>8} "
            f"{view.status.value:<9} {view.requested_by:<16} "
            f"{view.local(view.requested_at):%Y-%m-%d}{decided}{granted}")


@request_app.command("list", help="Requests, open ones first (the oldest first).")
def request_list(
    tenant_id: str | None = typer.Option(None, "--tenant", metavar="ID"),
    status: str | None = typer.Option(None, "--status", help="open, approved or declined"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    views = list_requests(database(), principal=operator(), tenant_id=tenant_id,
                          status=status, limit=100_000)
    if as_json:
        print_json([request_record(v) for v in views])
        return
    typer.echo(f"{'REQUEST':<7} {'TENANT':<16} {'QUANTITY':>8} {'STATUS':<9} "
               f"{'BY':<16} REQUESTED (DECIDED, ADDED)")
    for view in views:
        typer.echo(_line(view))


@request_app.command("approve", help="Approve: records a refill in the tenant's current term.")
def request_approve(
    request_id: int = typer.Argument(..., metavar="REQUEST_ID"),
    by: str = typer.Option(..., "--by", help="who approves"),
    quantity: str | None = typer.Option(None, "--quantity", metavar="N",
                                        help="licenses to add instead of those asked for"),
    note: str = typer.Option("", "--note"),
) -> None:
    decision = approve_request(database(), principal=operator(by), request_id=request_id,
                               quantity=quantity, note=note)
    refill = decision.refill
    assert refill is not None
    typer.echo(f"request #{request_id} approved: {decision.request.refill_quantity} licenses "
               f"added, total purchase is now {refill.total_after} "
               f"({refill.totals.percent_used:.1f}% used)"
               + (f"; {len(refill.alerts_queued)} alert queued" if refill.alerts_queued else ""))


@request_app.command("decline", help="Decline a request, with the reason mailed to the tenant.")
def request_decline(
    request_id: int = typer.Argument(..., metavar="REQUEST_ID"),
    by: str = typer.Option(..., "--by", help="who declines"),
    reason: str = typer.Option(..., "--reason"),
) -> None:
    decline_request(database(), principal=operator(by), request_id=request_id, reason=reason)
    typer.echo(f"request #{request_id} declined")
