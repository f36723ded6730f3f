"""The ``tsig`` command line (also ``python -m trading_signals``).

Each area registers its commands from its own module, so areas stay independent; imports of
heavy libraries (Ray, torch) happen inside commands, keeping ``tsig --help`` fast.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="tsig",
    help="trading_signals: data lake, features, signals, backtests, models and risk on Ray.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Order = order in --help.
_AREAS = (
    "demo",
    "config_cmd",
    "data",
    "features",
    "sentiment",
    "signals",
    "backtest",
    "risk",
    "models",
)

for _area in _AREAS:
    importlib.import_module(f"trading_signals.cli.{_area}").register(app)


def main() -> None:
    """Entry point of the ``tsig`` console script."""
    app()
