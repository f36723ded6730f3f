"""CLI commands of the features area (registered by trading_signals.cli).

``tsig features --lake DIR --out DIR`` builds the features table (indicators + ML features +
optional higher-timeframe blocks) per symbol partition through the workflow's features stage,
serially or on Ray. The table's ``_manifest.json`` refuses a second build with other options
into the same ``--out`` (exit 2, nothing written) unless ``--replace``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from trading_signals.cli._output import JSON_OPTION, console, kv_table, print_json, user_errors
from trading_signals.cli._validate import output_dir


def _split_symbols(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    out = [s.strip() for v in values for s in v.split(",") if s.strip()]
    return out or None


def _features_config(config: Path | None, ml: bool | None, higher: list[str] | None) -> Any:
    from trading_signals.config import load_config
    from trading_signals.config.features import FeaturesConfig

    cfg = load_config(config).features if config else FeaturesConfig()
    update: dict[str, Any] = {}
    if ml is not None:
        update["ml_features"] = ml
    if higher:
        update["higher_timeframes"] = tuple(t.strip() for h in higher for t in h.split(",") if t.strip())
    return FeaturesConfig.model_validate({**cfg.model_dump(), **update}) if update else cfg


def _run(lake: str, out: str, *, timeframe: str, symbols: list[str] | None, config: Any,
         use_ray: bool, address: str | None, show_progress: bool, replace: bool = False) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from trading_signals.cli._executor import make_executor
    from trading_signals.workflow.features import build_features

    progress = Progress(TextColumn("[bold]features"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=console, disable=not show_progress)
    with progress:
        task = progress.add_task("build", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return build_features(config, make_executor(use_ray, address), lake=str(lake), out=str(out),
                              timeframe=timeframe, symbols=symbols, progress=advance,
                              replace=replace)


def features_command(
    lake: str = typer.Option(..., "--lake", help="Bars lake root (has ohlcv/timeframe=.../); "
                             "a path or s3:// URI.", callback=output_dir),
    out: str = typer.Option(..., "--out", help="Where to write features/timeframe=<tf>/symbol=<SYM>/ "
                            "(path or s3:// URI).", callback=output_dir),
    symbols: list[str] = typer.Option(None, "--symbols", "-s", help="Symbols (repeat or comma-separate); default all."),
    timeframe: str = typer.Option("1d", "--timeframe", "-t", help="Bar timeframe to read."),
    use_ray: bool = typer.Option(False, "--ray/--serial", help="Fan out over symbols on Ray (default serial)."),
    address: str = typer.Option(None, "--address", help="Ray address to join (default: RAY_ADDRESS or a local Ray)."),
    higher: list[str] = typer.Option(None, "--higher", help="Higher timeframes to add, e.g. --higher 1w (suffix __1w)."),
    ml: bool = typer.Option(None, "--ml/--no-ml", help="Include the 17 ML features (default: config, else yes)."),
    config: Path = typer.Option(None, "--config", help="Run config YAML; its `features:` section sets indicators/ML/higher TFs."),
    replace: bool = typer.Option(
        False, "--replace", help="Delete a features table of other options (or of an older "
        "version) under --out for this timeframe first, instead of refusing to mix them."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Compute indicator + ML (+ higher-timeframe) features for every symbol partition of a lake."""
    with user_errors():
        summary = _run(lake, out, timeframe=timeframe, symbols=_split_symbols(symbols),
                       config=_features_config(config, ml, higher), use_ray=use_ray,
                       address=address, show_progress=not as_json, replace=replace)
        payload = summary.to_dict()
        if as_json:
            print_json({**payload, "partitions": summary.partitions})
            return
        payload["columns"] = ", ".join(str(c) for c in payload["columns"])
        console.print(kv_table("features built", payload))


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.command("features")(features_command)
