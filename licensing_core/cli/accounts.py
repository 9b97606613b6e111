"""`licensing account create`: the password is read from standard input, never argv."""

from __future__ import annotations

import sys

import typer

from licensing_core.auth.accounts import create_account
from licensing_core.cli.common import cli_actor, database

account_app = typer.Typer(no_args_is_help=True, help="Dashboard accounts.")


def register(app: typer.Typer) -> None:
    app.add_typer(account_app, name="account")


@account_app.command("create", help="Create an account; the password is read from stdin.")
def account_create(
    username: str = typer.Argument(..., metavar="USERNAME"),
    role: str = typer.Option(..., "--role", help="super_admin, tenant_admin or tenant_viewer"),
    tenant: str | None = typer.Option(None, "--tenant", metavar="ID"),
    email: str = typer.Option(..., "--email"),
) -> None:
    if sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    view = create_account(database(), username=username, role=role, tenant_id=tenant,
                          email=email, password=password, actor=cli_actor())
    typer.echo(f"created {view.role} account {view.username}"
               + (f" for tenant {view.tenant_id}" if view.tenant_id else ""))
