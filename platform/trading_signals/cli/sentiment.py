"""CLI commands of the sentiment area (registered by trading_signals.cli)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
