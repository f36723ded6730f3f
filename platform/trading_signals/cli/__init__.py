"""The ``tsig`` command line (also ``python -m trading_signals``).

Each area registers its commands from its own module (``register(app)``), so areas stay
independent. Start-up stays light: an area module is imported only when one of its commands runs
(or its own ``--help`` is asked for). ``tsig --help`` lists every command from the table below
without importing any area, so neither pandas-heavy modules nor torch, Ray, numba or sklearn load
for it (``tests/unit/cli/test_cli_startup.py`` checks the imported module set).
"""

from __future__ import annotations

import difflib
import importlib
from typing import Any

import click
import typer
from typer.core import TyperCommand, TyperGroup

# Order = order in --help. An area listed here but missing from _COMMANDS is imported eagerly
# (correct, just not lazy): add its commands to _COMMANDS to make it lazy.
_AREAS = (
    "demo",
    "config_cmd",
    "data",
    "data_update",
    "features",
    "sentiment",
    "signals",
    "backtest",
    "risk",
    "models",
    "serve",
    "predict",
    "rag",
    "report",
    "warmup",
)

# Top-level command -> (areas whose register() builds it, in order; one-line help for --help).
_COMMANDS: dict[str, tuple[tuple[str, ...], str]] = {
    "demo": (("demo",), "Run the whole study: gate -> features -> signals -> portfolio -> "
             "walk-forward -> Monte Carlo."),
    "config": (("config_cmd",), "Inspect run configurations."),
    "data": (("data", "data_update"), "Import bars through the data-quality gate; inspect "
             "the lake."),
    "features": (("features",), "Compute indicator + ML (+ higher-timeframe) features for "
                 "every symbol partition of a lake."),
    "sentiment": (("sentiment",), "News sentiment: evaluate scorers, score news, aggregate "
                  "onto bars."),
    "signals": (("signals",), "Confluence signals: build per symbol (--lake/--out) or explain "
                "one bar (explain)."),
    "backtest": (("backtest",), "Backtest a strategy on lake bars; write equity/trades/"
                 "positions Parquet + summary.json."),
    "sweep": (("backtest",), "Run an SMA-cross grid on one symbol (numba, optionally on Ray) "
              "and print the top pairs."),
    "walkforward": (("risk",), "Walk-forward study: fit each training window, trade the next "
                    "test window, stitch (resumable)."),
    "montecarlo": (("risk",), "Simulate wealth paths from a return history: VaR/CVaR, "
                   "drawdowns, fan chart data."),
    "train": (("models",), "Train one model configuration (no Tune), evaluate it on the "
              "held-out bars and register it."),
    "tune": (("models",), "Search hyper-parameters with Ray Tune (ASHA + Optuna, purged folds),"
             " register the best."),
    "evaluate": (("models",), "Print IC, rank IC, ICIR, directional accuracy and model-driven "
                 "backtest metrics."),
    "models": (("models",), "Model registry."),
    "serve": (("serve",), "Run the HTTP API (signals, predict, backtest, dashboard) until "
              "Ctrl-C."),
    "predict": (("predict",), "Predict every bar with a model trained before it (NaN before "
                "its training window ended)."),
    "rag": (("rag",), "Research documents: ingest, point-in-time query, delete, evaluate."),
    "report": (("report",), "Write a research report on SYMBOL as of --as-of, or `tsig report "
               "run RUN_DIR` for the HTML report of a backtest run."),
    "warmup": (("warmup",), "Compile the numba kernels into the numba cache (before fanning "
               "out, or at image build)."),
}
_LAZY_AREAS = frozenset(a for areas, _ in _COMMANDS.values() for a in areas)


class _LazyGroup(TyperGroup):
    """A Typer group that imports an area's module only when one of its commands is needed."""

    _listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        eager = super().list_commands(ctx)
        return [*(n for n in _COMMANDS if n not in eager), *eager]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        cmd = super().get_command(ctx, cmd_name)
        if cmd is not None or cmd_name not in _COMMANDS:
            return cmd
        areas, short = _COMMANDS[cmd_name]
        if self._listing:  # the group's own --help: a stub with the static help line
            return TyperCommand(cmd_name, help=short, short_help=short)
        for name, loaded in _load(areas).items():
            self.commands.setdefault(name, loaded)
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except Exception as exc:  # typer's (vendored) click UsageError
            # "Did you mean" over every command, loaded or not.
            message = getattr(exc, "message", None)
            matches = difflib.get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if isinstance(message, str) and matches and "Did you mean" not in message:
                hint = f". Did you mean {matches[0]!r}?"
                exc.message = message.rstrip(".") + hint  # type: ignore[attr-defined]
            raise

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


def _load(areas: tuple[str, ...]) -> dict[str, click.Command]:
    sub = typer.Typer()

    @sub.callback()
    def _group() -> None:  # a callback makes get_command return a group, even for one command
        pass

    for area in areas:
        importlib.import_module(f"trading_signals.cli.{area}").register(sub)
    group: Any = typer.main.get_command(sub)
    return dict(group.commands)


app = typer.Typer(
    name="tsig",
    help="trading_signals: data lake, features, signals, backtests, models and risk on Ray.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=_LazyGroup,
)


@app.callback()
def _tsig() -> None:
    # A group callback (no options): lets the app start with every command still unloaded.
    pass


for _area in _AREAS:
    if _area not in _LAZY_AREAS:
        importlib.import_module(f"trading_signals.cli.{_area}").register(app)


def main() -> None:
    """Entry point of the ``tsig`` console script."""
    app()
