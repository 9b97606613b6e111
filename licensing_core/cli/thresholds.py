"""`licensing thresholds set|reset`: a tenant's own alert thresholds."""

from __future__ import annotations

import typer

from licensing_core.cli.common import database, operator
from licensing_core.services.thresholds import ThresholdChange, reset_thresholds, set_thresholds

thresholds_app = typer.Typer(no_args_is_help=True,
                             help="Alert thresholds of a tenant (default 75 85 95 100).")


def register(app: typer.Typer) -> None:
    app.add_typer(thresholds_app, name="thresholds")


def _percents(values: tuple[int, ...]) -> str:
    return ", ".join(f"{t}%" for t in values) or "none"


def _report(change: ThresholdChange) -> None:
    which = "the defaults" if change.is_default else "its own"
    typer.echo(f"{change.tenant_id}: alert thresholds {_percents(change.after)} ({which})")
    preview = change.preview
    typer.echo(f"current term at {preview.percent_used:.1f}%: already passed "
               f"{_percents(preview.passed)} (counted as notified, nothing queued); "
               f"to come {_percents(preview.ahead)}")


# A negative percent must reach the validation (and its reason), not look like an option.
@thresholds_app.command("set", context_settings={"ignore_unknown_options": True},
                        help="Give a tenant its own thresholds: 1 to 10 whole percents from "
                             "1 to 1000, strictly increasing, e.g. 50 75 90 100 120.")
def thresholds_set(
    tenant_id: str = typer.Argument(..., metavar="ID"),
    percents: list[str] = typer.Argument(..., metavar="PERCENT..."),
) -> None:
    _report(set_thresholds(database(), principal=operator(), tenant_id=tenant_id,
                           thresholds=percents))


@thresholds_app.command("reset", help="Back to the default thresholds 75 85 95 100.")
def thresholds_reset(tenant_id: str = typer.Argument(..., metavar="ID")) -> None:
    _report(reset_thresholds(database(), principal=operator(), tenant_id=tenant_id))
