"""Placeholder: the commands of this group are added by their issue's work."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root command."""
