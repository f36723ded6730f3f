"""CLI commands of the features area (registered by trading_signals.cli).

``tsig features --lake DIR --out DIR`` builds the features lake (indicators + ML features +
optional higher-timeframe blocks) per symbol partition, serially or fanned out on Ray.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from trading_signals.cli._output import JSON_OPTION, console, kv_table, print_json, user_errors


def _split_symbols(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    out = [s.strip() for v in values for s in v.split(",") if s.strip()]
    return out or None


def _computer(config: Path | None, ml: bool | None, higher: list[str] | None) -> Any:
    from trading_signals.config import load_config
    from trading_signals.features.pipeline import FeatureComputer

    comp = FeatureComputer.from_config(load_config(config).features) if config else FeatureComputer()
    if ml is not None:
        comp = FeatureComputer(spec=comp.spec, ml=ml, higher_timeframes=comp.higher_timeframes)
    if higher:
        tfs = tuple(t.strip() for h in higher for t in h.split(",") if t.strip())
        comp = FeatureComputer(spec=comp.spec, ml=comp.ml, higher_timeframes=tfs)
    return comp


def _run(lake: Path, out: Path, *, timeframe: str, symbols: list[str] | None, compute: Any,
         use_ray: bool, address: str | None, engine: str, show_progress: bool) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from trading_signals.data.features_lake import build_features_serial, require_files
    from trading_signals.data.lake import partition_files

    total = len(require_files(partition_files(lake, timeframe=timeframe, symbols=symbols), lake, timeframe))
    progress = Progress(TextColumn("[bold]features"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), TextColumn("{task.fields[symbol]}"),
                        console=console, disable=not show_progress, transient=False)
    with progress:
        task = progress.add_task("build", total=total, symbol="")

        def advance(result: dict[str, Any]) -> None:
            progress.update(task, advance=1, symbol=result["symbol"])

        if not use_ray:
            return build_features_serial(lake, out, timeframe=timeframe, symbols=symbols,
                                         compute=compute, on_result=advance)
        from trading_signals.distributed.features import build_features_ray
        from trading_signals.distributed.runtime import ensure_ray

        ensure_ray(address)
        return build_features_ray(lake, out, timeframe=timeframe, symbols=symbols, compute=compute,
                                  engine=engine, on_result=advance)  # type: ignore[arg-type]


def features_command(
    lake: Path = typer.Option(..., "--lake", help="Bars lake root (has ohlcv/timeframe=.../)."),
    out: Path = typer.Option(..., "--out", help="Where to write features/timeframe=<tf>/symbol=<SYM>/."),
    symbols: list[str] = typer.Option(None, "--symbols", "-s", help="Symbols (repeat or comma-separate); default all."),
    timeframe: str = typer.Option("1d", "--timeframe", "-t", help="Bar timeframe to read."),
    use_ray: bool = typer.Option(False, "--ray/--serial", help="Fan out over symbols on Ray (default serial)."),
    address: str = typer.Option(None, "--address", help="Ray address to join (default: RAY_ADDRESS or a local Ray)."),
    engine: str = typer.Option("tasks", "--engine", help="Ray engine: tasks (bounded task window) or data (Ray Data)."),
    higher: list[str] = typer.Option(None, "--higher", help="Higher timeframes to add, e.g. --higher 1w (suffix __1w)."),
    ml: bool = typer.Option(None, "--ml/--no-ml", help="Include the 17 ML features (default: config, else yes)."),
    config: Path = typer.Option(None, "--config", help="Run config YAML; its `features:` section sets indicators/ML/higher TFs."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Compute indicator + ML (+ higher-timeframe) features for every symbol partition of a lake."""
    with user_errors():
        compute = _computer(config, ml, higher)
        summary = _run(lake, out, timeframe=timeframe, symbols=_split_symbols(symbols),
                       compute=compute, use_ray=use_ray, address=address, engine=engine,
                       show_progress=not as_json)
        payload = summary.to_dict()
        if as_json:
            print_json({**payload, "partitions": summary.partitions})
            return
        payload["columns"] = ", ".join(str(c) for c in payload["columns"])
        console.print(kv_table("features built", payload))


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.command("features")(features_command)
