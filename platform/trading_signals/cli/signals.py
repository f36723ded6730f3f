"""CLI commands of the signals area: ``tsig signals`` (build) and ``tsig signals explain``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from trading_signals.cli._output import JSON_OPTION, console, emit, table, user_errors
from trading_signals.cli._validate import output_dir, timestamp_text

signals_app = typer.Typer(
    help="Confluence signals: build per symbol (--lake/--out) or explain one bar (explain).",
    no_args_is_help=False,
)


@signals_app.callback(invoke_without_command=True)
def build(
    ctx: typer.Context,
    lake: str | None = typer.Option(None, "--lake", help="OHLCV lake: a directory or URI (s3://, gs://, file://).", callback=output_dir),
    out: str | None = typer.Option(None, "--out", help="Output directory or URI for signals.", callback=output_dir),
    symbols: list[str] | None = typer.Option(
        None, "--symbols", help="Symbols (repeat or comma-separate); default: all in the lake."
    ),
    news: Path | None = typer.Option(None, "--news", help="News file (JSONL/CSV/Parquet)."),
    timeframe: str = typer.Option("1d", "--timeframe", help="Bar timeframe to read."),
    use_ray: bool = typer.Option(False, "--ray/--serial", help="Fan symbols out on Ray."),
    address: str | None = typer.Option(None, "--address", help="Ray address (with --ray)."),
    config: Path | None = typer.Option(None, "--config", help="Run config YAML (signals, sentiment)."),
    multi_timeframe: bool = typer.Option(
        False, "--multi-timeframe", help="Add the 1h/4h/1d/1w consensus columns."
    ),
    model: str | None = typer.Option(
        None, "--model", help="Registered model id (name or name/vNNNN) for the model component "
        "(point-in-time: a bar is scored only by a version trained before it)."),
    registry: str | None = typer.Option(None, "--registry", help="Model registry (default: config models.registry)."),
    replace: bool = typer.Option(
        False, "--replace", help="Delete a signals table of another config (or of an older "
        "version) under --out for this timeframe first, instead of refusing to mix them."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Generate signals per symbol, write them under OUT and print the latest with its story."""
    if ctx.invoked_subcommand is not None:
        return
    if lake is None or out is None:
        raise typer.BadParameter("--lake and --out are required (or use `tsig signals explain`)")
    with user_errors():
        summaries = _build(lake, out, symbols=_split(symbols), news=news, timeframe=timeframe,
                           use_ray=use_ray, address=address, config=config,
                           multi_timeframe=multi_timeframe, model=model, registry=registry,
                           replace=replace)
    emit(summaries, as_json=as_json, render=_render_latest)


@signals_app.command("explain")
def explain(
    out: str = typer.Option(..., "--out", help="Signals directory or URI written by `tsig signals`."),
    symbol: str = typer.Option(..., "--symbol", help="Symbol to explain."),
    at: str | None = typer.Option(None, "--at", help="Date/time (UTC); default: the latest bar.",
                                  callback=timestamp_text),
    timeframe: str = typer.Option("1d", "--timeframe"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Explain the signal of SYMBOL at (or just before) --at: label, score and contributions."""
    with user_errors():
        from trading_signals.data.signals_lake import read_signals
        from trading_signals.signals.summary import summary_at

        frame = read_signals(out, symbol=symbol, timeframe=timeframe)
        summary = summary_at(frame, symbol=symbol, at=at)
        row = frame.loc[summary["timestamp"]]
        summary["components"] = {
            c.removeprefix("score_"): row[c] for c in frame.columns if c.startswith("score_")
            and not c.startswith("score_tf_")
        }
        summary["contributions"] = {
            c.removeprefix("contrib_"): row[c] for c in frame.columns if c.startswith("contrib_")
        }
        summary["missing_components"] = row.get("missing_components", "")
    emit(summary, as_json=as_json, render=_render_explain)


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.add_typer(signals_app, name="signals")


def _split(symbols: list[str] | None) -> list[str]:
    return [s.strip() for item in symbols or [] for s in item.split(",") if s.strip()]


def _build(
    lake: str, out: str, *, symbols: list[str], news: Path | None, timeframe: str,
    use_ray: bool, address: str | None, config: Path | None, multi_timeframe: bool,
    model: str | None = None, registry: str | None = None, replace: bool = False,
) -> list[dict[str, Any]]:
    from trading_signals.cli._executor import make_executor
    from trading_signals.config import RunConfig, load_config
    from trading_signals.data.lake import list_symbols
    from trading_signals.workflow.signals import build_signals

    run = load_config(config) if config else RunConfig()
    cfg = run.signals.model_copy(update={"multi_timeframe": True}) if multi_timeframe else run.signals
    names = symbols or list_symbols(lake, timeframe=timeframe)
    news_table = None
    if news is not None:
        from trading_signals.data.news import load_news

        news_table = load_news(news)
    component = None
    if model is not None:
        from trading_signals.models.pit import model_component_for

        component = model_component_for(model, registry or run.models.registry, timeframe=timeframe)
    return build_signals(cfg, run.sentiment, make_executor(use_ray, address),
                         lake=_absolute(lake), out=_absolute(out), symbols=names,
                         timeframe=timeframe, news=news_table, model=component, model_id=model,
                         replace=replace)


def _absolute(location: str) -> str:
    # Ray workers may run in another directory: local paths absolute, URIs unchanged.
    from trading_signals.data import storage

    if storage.is_remote(location):
        return storage.as_str(location)
    return str(Path(storage.local_path(location)).resolve())


def _render_latest(summaries: list[dict[str, Any]]) -> None:
    rows = [(s["symbol"], str(s.get("timestamp", "-"))[:19], s.get("signal") or "-",
             s.get("confluence_score", float("nan")), s.get("confidence", float("nan")),
             s.get("consensus_signal", "-")) for s in summaries]
    console.print(table("Latest signal per symbol",
                        ["symbol", "bar", "signal", "score", "confidence", "consensus"], rows))
    for s in summaries:  # full sentences below the table: they do not fit in a column
        console.print(f"[bold]{s['symbol']}[/]: {s['explanation']}", highlight=False)
    if summaries and "path" in summaries[0]:
        console.print(f"written: {len(summaries)} partition(s), e.g. {summaries[0]['path']}")


def _render_explain(summary: dict[str, Any]) -> None:
    console.print(f"[bold]{summary['symbol']}[/] {summary['timestamp']}: {summary['explanation']}",
                  highlight=False)
    rows = [(name, summary["components"].get(name, float("nan")), value)
            for name, value in summary["contributions"].items()]
    console.print(table("Components", ["component", "score", "contribution"], rows))
