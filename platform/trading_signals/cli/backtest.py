"""CLI commands of the backtest area: ``tsig backtest`` and ``tsig sweep``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer

from trading_signals.cli._output import JSON_OPTION, console, emit, kv_table, table, user_errors
from trading_signals.cli._validate import MAX_WINDOW, check_window_fits, output_dir
from trading_signals.errors import ConfigError


def _split(values: list[str] | None) -> list[str]:
    return [s.strip() for v in values or [] for s in v.split(",") if s.strip()]


def _range(text: str, *, name: str) -> range:
    """Parse ``start:stop[:step]`` (stop exclusive, like Python) or a single integer."""
    try:
        parts = [int(p) for p in text.split(":")]
    except ValueError as exc:
        raise ConfigError(f"--{name} {text!r}: use start:stop[:step] with integers, e.g. 5:50:1") from exc
    if len(parts) == 1:
        return range(parts[0], parts[0] + 1)
    if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] <= 0):
        raise ConfigError(f"--{name} {text!r}: use start:stop[:step] with a positive step")
    if not 1 <= parts[0] < parts[1] <= MAX_WINDOW + 1:
        raise ConfigError(f"--{name} {text!r}: needs 1 <= start < stop <= {MAX_WINDOW + 1} "
                          "(stop is exclusive), e.g. 5:50")
    return range(*parts)


def _load_cfg(config: Path | None) -> Any:
    from trading_signals.config import RunConfig, load_config

    return load_config(config) if config is not None else RunConfig()


def _run_backtest(lake: str, symbols: list[str], *, strategy: str, fast: int, slow: int,
                  long_only: bool, signals: str | None, config: Path | None, out: str,
                  timeframe: str) -> dict[str, Any]:
    from trading_signals.workflow.backtest import backtest_lake

    if strategy not in ("sma_cross", "confluence"):
        raise ConfigError(f"--strategy {strategy!r}: use sma_cross or confluence")
    if strategy == "confluence" and signals is None:
        raise ConfigError("--strategy confluence needs --signals DIR (written by `tsig signals`)")
    return backtest_lake(_load_cfg(config).backtest, lake=str(lake), out=str(out),
                         symbols=symbols or None, strategy=strategy, fast=fast, slow=slow,
                         long_only=long_only, signals=None if signals is None else str(signals),
                         timeframe=timeframe)


def _render_backtest(summary: dict[str, Any]) -> None:
    keys = ("total_return", "annual_return", "annual_volatility", "sharpe", "sortino",
            "max_drawdown", "max_drawdown_duration", "n_trades", "win_rate", "profit_factor",
            "exposure", "turnover", "final_equity", "total_costs")
    console.print(kv_table(f"backtest {summary['strategy']} {summary['params']} on "
                           f"{', '.join(summary['symbols'])}", {k: summary["metrics"].get(k) for k in keys}))
    console.print(f"run {summary['config_id']} written to {summary['run_dir']}")


def backtest_command(
    lake: str = typer.Option(..., "--lake", help="OHLCV lake: a directory or URI (s3://, gs://, file://).", callback=output_dir),
    symbols: list[str] | None = typer.Option(None, "--symbols", help="Symbols (repeat or comma-separate); default: all."),
    strategy: str = typer.Option("sma_cross", "--strategy", help="sma_cross or confluence."),
    fast: int = typer.Option(10, "--fast", min=1, max=MAX_WINDOW, help="Fast SMA window (sma_cross)."),
    slow: int = typer.Option(50, "--slow", min=2, max=MAX_WINDOW, help="Slow SMA window (sma_cross)."),
    long_only: bool = typer.Option(False, "--long-only", help="No short positions."),
    signals: str | None = typer.Option(None, "--signals", help="Signals directory or URI (confluence)."),
    config: Path | None = typer.Option(None, "--config", help="Run config YAML (backtest section: costs, fills, limits)."),
    out: str = typer.Option("runs", "--out", help="Root of run directories: a directory or URI.", callback=output_dir),
    timeframe: str = typer.Option("1d", "--timeframe"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Backtest a strategy on lake bars; write equity/trades/positions Parquet + summary.json."""
    with user_errors():
        if strategy == "sma_cross":  # usage errors before any data is read or written
            if fast >= slow:
                raise ConfigError(f"--fast {fast} must be below --slow {slow}")
            check_window_fits(lake, timeframe=timeframe, symbols=_split(symbols), window=slow,
                              option="--slow")
        summary = _run_backtest(lake, _split(symbols), strategy=strategy, fast=fast, slow=slow,
                                long_only=long_only, signals=signals, config=config, out=out,
                                timeframe=timeframe)
    emit(summary, as_json=as_json, render=_render_backtest)


def sweep_command(
    lake: str = typer.Option(..., "--lake", help="OHLCV lake: a directory or URI (s3://, gs://, file://).", callback=output_dir),
    symbol: str = typer.Option(..., "--symbol", help="Symbol to sweep."),
    fast: str = typer.Option("5:50:1", "--fast", help="Fast windows start:stop[:step] (stop exclusive)."),
    slow: str = typer.Option("20:200:5", "--slow", help="Slow windows start:stop[:step]."),
    top: int = typer.Option(10, "--top", min=1, help="How many pairs to print (by Sharpe)."),
    overfitting: bool = typer.Option(True, "--overfitting/--no-overfitting",
                                     help="Deflated Sharpe of the best pair (all pairs count as trials) and CSCV PBO."),
    long_only: bool = typer.Option(False, "--long-only"),
    use_ray: bool = typer.Option(False, "--ray/--serial", help="Shard the grid across Ray tasks."),
    address: str | None = typer.Option(None, "--address", help="Ray address (with --ray)."),
    config: Path | None = typer.Option(None, "--config", help="Run config YAML (costs, fill)."),
    timeframe: str = typer.Option("1d", "--timeframe"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Run an SMA-cross grid on one symbol (numba, optionally on Ray) and print the top pairs."""
    with user_errors():
        from trading_signals.data.lake import read_bars

        cfg = _load_cfg(config).backtest
        unsupported = [k for k in ("max_gross", "max_net", "target_vol") if getattr(cfg, k) is not None]
        if cfg.rebalance != "on_change":
            unsupported.append("rebalance")
        if unsupported:
            raise ConfigError(f"{config}: backtest.{', backtest.'.join(unsupported)} not supported by "
                              "the sweep kernel (fixed +-1 exposure, rebalanced on change); remove "
                              "them for `tsig sweep`, or use `tsig backtest` per pair")
        opts = {"fill": cfg.fill, "commission_bps": cfg.commission_bps, "slippage_bps": cfg.slippage_bps,
                "spread_bps": cfg.spread_bps, "initial_cash": cfg.initial_cash, "long_only": long_only,
                "close_at_end": cfg.close_at_end, "periods_per_year": cfg.periods_per_year}
        from trading_signals.cli._executor import make_executor
        from trading_signals.workflow.sweep import sharded_sweep

        fr, sr = _range(fast, name="fast"), _range(slow, name="slow")
        if min(fr) >= max(sr):
            raise ConfigError(f"--fast {fast} and --slow {slow}: no pair with fast < slow; "
                              "the fast range must start below the end of the slow range")
        check_window_fits(lake, timeframe=timeframe, symbols=[symbol], window=max(sr), option="--slow")
        bars = read_bars(lake, symbol=symbol, timeframe=timeframe)
        executor = make_executor(use_ray, address)
        t0 = time.perf_counter()
        res = sharded_sweep(bars, fr, sr, executor=executor, **opts)
        elapsed = time.perf_counter() - t0
        best = res.sort_values("sharpe", ascending=False, na_position="last").head(top)
        stats = None
        if overfitting and len(res) >= 2:
            from trading_signals.backtest.sweep_overfitting import sma_grid_overfitting

            engine = {k: v for k, v in opts.items() if k != "long_only"}
            stats = sma_grid_overfitting(bars, res[["fast", "slow"]].to_numpy(), long_only=long_only, **engine)
    payload = {"symbol": symbol, "n_pairs": len(res), "seconds": elapsed,
               "backtests_per_second": len(res) / elapsed if elapsed > 0 else None,
               "ray": use_ray, "top": best, "overfitting": stats}
    emit(payload, as_json=as_json, render=_render_sweep)


def _render_sweep(p: dict[str, Any]) -> None:
    top = p["top"]
    console.print(table(f"sweep {p['symbol']}: {p['n_pairs']} pairs in {p['seconds']:.3f} s",
                        list(top.columns), top.itertuples(index=False)))
    if p.get("overfitting"):
        console.print(kv_table("overfitting (per-bar Sharpe; every pair counts as a trial)", p["overfitting"]))


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.command("backtest")(backtest_command)
    app.command("sweep")(sweep_command)
