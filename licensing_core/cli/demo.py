"""`licensing demo`: fill an empty database with demo tenants, usage and accounts."""

from __future__ import annotations

import typer

from licensing_core.cli.common import database, parse_day
from licensing_core.demo import DEMO_PASSWORD, load_demo


def register(app: typer.Typer) -> None:
    app.command("demo", help="Fill an empty database with a realistic demo.")(demo)


def demo(
    today: str | None = typer.Option(None, "--today", help="pretend today is YYYY-MM-DD"),
) -> None:
    report = load_demo(database(), today=parse_day(today, "--today"),
                       progress=lambda message: typer.echo(message, err=True))
    typer.echo(f"demo loaded: {len(report.tenants)} tenants ({', '.join(report.tenants)}), "
               f"{report.conversations} conversations, {report.alerts} alerts queued")
    typer.echo(f"sign in to the dashboard with any of these accounts, password {DEMO_PASSWORD!r}:")
    for username, role, tenant_id in report.accounts:
        typer.echo(f"  {username:<16} {role}" + (f" of {tenant_id}" if tenant_id else ""))
