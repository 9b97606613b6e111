"""Commands of the operator: schema, tenants, contacts, refills and terms."""

from __future__ import annotations

import typer

from licensing_core.cli.common import cli_actor, database, parse_day, print_json, required_day
from licensing_core.domain.terms import parse_quantity
from licensing_core.errors import Refused
from licensing_core.queries.summary import SubscriptionSummary, subscription_summary
from licensing_core.services.refills import record_refill
from licensing_core.services.tenants import create_tenant, list_tenant_ids, renew, set_contacts

db_app = typer.Typer(no_args_is_help=True, help="The database schema.")
tenant_app = typer.Typer(no_args_is_help=True, help="Tenants and their current term.")
contacts_app = typer.Typer(no_args_is_help=True, help="Technical and billing contacts.")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(tenant_app, name="tenant")
    app.add_typer(contacts_app, name="contacts")
    app.command("refill", help="Add (+N) or remove (-N) licenses in the current term.",
                # so that a negative QUANTITY such as -20 is an argument, not an option
                context_settings={"ignore_unknown_options": True})(refill)
    app.command("renew", help="Start a new term for a tenant.")(renew_command)


@db_app.command("upgrade", help="Create the schema or apply pending migrations.")
def db_upgrade() -> None:
    database().dispose()
    typer.echo("database schema is up to date")


def _as_json(summary: SubscriptionSummary) -> dict[str, object]:
    """The spec's keys, with the thresholds in force (a tenant's own, else the defaults)."""
    return {**summary.as_json(), "thresholds": list(summary.thresholds)}


def _print_summary(summary: SubscriptionSummary) -> None:
    rows = [
        ("Tenant", f"{summary.name} ({summary.tenant_id})"),
        ("License Type", summary.license_type),
        ("Start Date", summary.start_date.isoformat()),
        ("End Date", summary.end_date.isoformat()),
        ("Term", summary.state.value),
    ]
    if summary.session_minutes:
        rows.append(("Session Duration", f"{summary.session_minutes} minutes"))
    rows += [
        ("Technical Email", ", ".join(summary.technical_emails) or "-"),
        ("Billing Email", ", ".join(summary.billing_emails) or "-"),
        ("Total Purchase", str(summary.total_purchased)),
        ("Consumed", f"{summary.consumed} ({summary.percent_used:.1f}%)"),
        ("Available", str(summary.available) if summary.available >= 0
         else f"{summary.available} (overage of {-summary.available})"),
        ("Alert thresholds", ", ".join(f"{t}%" for t in summary.thresholds)),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        typer.echo(f"{label:<{width}}  {value}")


@tenant_app.command("create", help="Create a tenant with its first term.")
def tenant_create(
    tenant_id: str = typer.Argument(..., metavar="ID"),
    name: str = typer.Option(..., "--name"),
    license_type: str = typer.Option(..., "--license-type", help="user or session"),
    licenses: int = typer.Option(..., "--licenses", help="licenses bought at the start"),
    start: str = typer.Option(..., "--start", help="YYYY-MM-DD, inclusive"),
    end: str = typer.Option(..., "--end", help="YYYY-MM-DD, inclusive"),
    session_minutes: int | None = typer.Option(None, "--session-minutes"),
    timezone: str = typer.Option("UTC", "--timezone", help="IANA name, e.g. Europe/Paris"),
    technical_email: list[str] = typer.Option([], "--technical-email"),
    billing_email: list[str] = typer.Option([], "--billing-email"),
) -> None:
    db = database()
    create_tenant(db, tenant_id=tenant_id, name=name, license_type=license_type,
                  licenses=licenses, start=required_day(start, "--start"),
                  end=required_day(end, "--end"), session_minutes=session_minutes,
                  timezone=timezone, technical_emails=technical_email,
                  billing_emails=billing_email, actor=cli_actor())
    typer.echo(f"created tenant {tenant_id}")


@tenant_app.command("show", help="The subscription numbers of a tenant's current term.")
def tenant_show(
    tenant_id: str = typer.Argument(..., metavar="ID"),
    as_json: bool = typer.Option(False, "--json"),
    term: str | None = typer.Option(None, "--term", help="a date inside the term to show"),
) -> None:
    summary = subscription_summary(database(), tenant_id, term_date=parse_day(term, "--term"))
    if as_json:
        print_json(_as_json(summary))
    else:
        _print_summary(summary)


@tenant_app.command("list", help="Every tenant with its current term's numbers.")
def tenant_list(as_json: bool = typer.Option(False, "--json")) -> None:
    db = database()
    summaries = [subscription_summary(db, tenant_id) for tenant_id in list_tenant_ids(db)]
    if as_json:
        print_json([_as_json(s) for s in summaries])
        return
    typer.echo(f"{'ID':<16} {'TYPE':<8} {'START':<10} {'END':<10} {'TOTAL':>8} "
               f"{'CONSUMED':>9} {'AVAILABLE':>9} {'USED':>7}")
    for s in summaries:
        typer.echo(f"{s.tenant_id:<16} {s.license_type:<8} {s.start_date} {s.end_date} "
                   f"{s.total_purchased:>8} {s.consumed:>9} {s.available:>9} "
                   f"{s.percent_used:>6.1f}%")


@contacts_app.command("set", help="Replace the technical and/or billing email lists given.")
def contacts_set(
    tenant_id: str = typer.Argument(..., metavar="ID"),
    technical_email: list[str] | None = typer.Option(None, "--technical-email"),
    billing_email: list[str] | None = typer.Option(None, "--billing-email"),
) -> None:
    if technical_email is None and billing_email is None:
        raise Refused("give --technical-email and/or --billing-email")
    tenant = set_contacts(database(), tenant_id=tenant_id, technical_emails=technical_email,
                          billing_emails=billing_email, actor=cli_actor())
    typer.echo(f"technical: {', '.join(tenant.technical_emails) or '-'}")
    typer.echo(f"billing:   {', '.join(tenant.billing_emails) or '-'}")


def refill(
    tenant_id: str = typer.Argument(..., metavar="ID"),
    quantity: str = typer.Argument(..., metavar="QUANTITY", help="+50, 50 or -20"),
    by: str = typer.Option(..., "--by", help="who records the refill"),
    note: str = typer.Option("", "--note"),
) -> None:
    result = record_refill(database(), tenant_id=tenant_id, quantity=parse_quantity(quantity),
                           recorded_by=by, note=note)
    typer.echo(f"total purchase is now {result.total_after} "
               f"({result.totals.percent_used:.1f}% used)"
               + (f"; {len(result.alerts_queued)} alert queued" if result.alerts_queued else ""))


def renew_command(
    tenant_id: str = typer.Argument(..., metavar="ID"),
    start: str = typer.Option(..., "--start"),
    end: str = typer.Option(..., "--end"),
    licenses: int = typer.Option(..., "--licenses"),
    license_type: str | None = typer.Option(None, "--license-type"),
    session_minutes: int | None = typer.Option(None, "--session-minutes"),
) -> None:
    change = renew(database(), tenant_id=tenant_id, start=required_day(start, "--start"),
                   end=required_day(end, "--end"), licenses=licenses,
                   license_type=license_type, session_minutes=session_minutes,
                   actor=cli_actor())
    typer.echo(f"started term {start}..{end} for {tenant_id}"
               + (f"; {len(change.alerts_queued)} alert queued" if change.alerts_queued else ""))
