"""``tsig walkforward`` and ``tsig montecarlo``: out-of-sample validation and path risk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import typer

from trading_signals.cli._output import JSON_OPTION, console, kv_table, print_json, table, user_errors
from trading_signals.config import config_id
from trading_signals.config.risk import MonteCarloConfig, WalkForwardConfig
from trading_signals.errors import DataError

LAKE = typer.Option(Path("lake"), "--lake", help="Lake directory holding the bars.")
OUT = typer.Option(Path("runs"), "--out", help="Root of run directories (runs/<config_id>/...).")
RAY = typer.Option(True, "--ray/--serial", help="Fan out over Ray tasks, or run the serial core.")
ADDRESS = typer.Option(None, "--address", help="Ray address to join (default: RAY_ADDRESS or a local Ray).")


def _period(text: str) -> int | str:
    return int(text) if text.strip().isdigit() else text


def register(app: typer.Typer) -> None:
    @app.command("walkforward")
    def walkforward(
        symbol: str = typer.Option(..., "--symbol", help="Symbol in the lake."),
        lake: Path = LAKE,
        timeframe: str = typer.Option("1d", "--timeframe"),
        train: str = typer.Option("756", help="Training window: bars, or a period like 3y."),
        test: str = typer.Option("252", help="Test window: bars, or a period like 1y."),
        purge: int = typer.Option(5, help="Bars left out between training and testing."),
        embargo: int = typer.Option(0, help="Further bars left out after the purge."),
        anchored: bool = typer.Option(False, "--anchored/--rolling", help="Expanding or rolling training."),
        commission_bps: float = typer.Option(1.0, "--commission-bps"),
        slippage_bps: float = typer.Option(1.0, "--slippage-bps"),
        use_ray: bool = RAY,
        address: str | None = ADDRESS,
        out: Path = OUT,
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Walk-forward SMA study: fit each training window, trade the next test window, stitch (resumable)."""
        with user_errors():
            cfg = WalkForwardConfig(train=_period(train), test=_period(test), purge=purge,
                                    embargo=embargo, anchored=anchored)
            summary = _run_walkforward(symbol, lake, timeframe, cfg, commission_bps, slippage_bps,
                                       use_ray, address, out)
        if as_json:
            print_json(summary)
            return
        cols = ["window", "test_start", "test_end", "fast", "slow", "is_sharpe", "oos_total_return",
                "oos_sharpe", "oos_trades"]
        console.print(table(f"walk-forward windows ({symbol})", cols,
                            [[str(r[c])[:10] if "test_" in c else r[c] for c in cols] for r in summary["windows"]]))
        console.print(kv_table("out-of-sample metrics", summary["metrics"]))
        console.print(kv_table("overfitting", summary["overfitting"]))
        console.print(f"outputs: {summary['run_dir']}")

    @app.command("montecarlo")
    def montecarlo(
        symbol: str | None = typer.Option(None, "--symbol", help="Buy-and-hold returns of this lake symbol."),
        returns_file: Path | None = typer.Option(None, "--returns", help="Parquet with a 'return' or 'returns' column (e.g. a walk-forward run's returns.parquet)."),
        lake: Path = LAKE,
        timeframe: str = typer.Option("1d", "--timeframe"),
        model: str = typer.Option("bootstrap", help="gbm | bootstrap | garch"),
        paths: int = typer.Option(10_000, "--paths"),
        horizon: int = typer.Option(252, "--horizon", help="Bars per path."),
        seed: int = typer.Option(0, "--seed"),
        mean_block: float = typer.Option(20.0, "--mean-block", help="Mean block length (bootstrap)."),
        use_ray: bool = RAY,
        address: str | None = ADDRESS,
        out: Path = OUT,
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Simulate wealth paths from a return history: VaR/CVaR, drawdowns, fan chart data."""
        with user_errors():
            cfg = MonteCarloConfig(model=model, n_paths=paths, horizon=horizon, seed=seed,
                                   mean_block=mean_block)  # type: ignore[arg-type]
            returns, source = _load_returns(symbol, returns_file, lake, timeframe)
            summary = _run_montecarlo(returns, source, cfg, use_ray, address, out)
        if as_json:
            print_json(summary)
            return
        console.print(kv_table(f"Monte Carlo ({cfg.model}, {cfg.n_paths:,} paths x {cfg.horizon} bars) of {source}",
                               summary["summary"]))
        console.print(f"outputs: {summary['run_dir']}")


def _run_walkforward(symbol: str, lake: Path, timeframe: str, cfg: WalkForwardConfig,
                     commission_bps: float, slippage_bps: float, use_ray: bool,
                     address: str | None, out: Path) -> dict[str, Any]:
    from trading_signals.backtest.walkforward import SmaCrossSearch, run_walk_forward
    from trading_signals.backtest.windows import make_windows
    from trading_signals.data.checkpoints import CheckpointStore, fingerprint
    from trading_signals.data.runs import write_json_atomic
    from trading_signals.data.lake import read_bars

    prices = read_bars(lake, symbol=symbol, timeframe=timeframe)
    windows = make_windows(prices.index, train=cfg.train, test=cfg.test, step=cfg.step,
                           anchored=cfg.anchored, purge=cfg.purge, embargo=cfg.embargo)
    strategy = SmaCrossSearch(fast=cfg.fast, slow=cfg.slow, commission_bps=commission_bps,
                              slippage_bps=slippage_bps)
    engine = {"commission_bps": commission_bps, "slippage_bps": slippage_bps}
    study = fingerprint(prices, {"cfg": cfg.model_dump(), **engine})
    run_id = f"{config_id(cfg)}-{study[:8]}"
    run_dir = out / run_id / "walkforward" / symbol
    store = CheckpointStore(run_dir / "windows", study)
    if use_ray:
        from trading_signals.distributed.runtime import ensure_ray
        from trading_signals.distributed.walkforward import run_walk_forward_ray

        ensure_ray(address)
        res = run_walk_forward_ray(prices, windows, strategy=strategy, engine=engine, store=store)
    else:
        res = run_walk_forward(prices, windows, strategy=strategy, engine=engine, store=store)
    _write_frame(res.returns.to_frame("return"), run_dir / "returns.parquet")
    _write_frame(res.windows, run_dir / "windows.parquet", index=False)
    summary = {"config_id": run_id, "symbol": symbol, "run_dir": str(run_dir),
               "windows": _records(res.windows), "metrics": res.metrics, "overfitting": res.overfitting}
    write_json_atomic(summary, run_dir / "summary.json")
    return summary


def _load_returns(symbol: str | None, returns_file: Path | None, lake: Path,
                  timeframe: str) -> tuple[np.ndarray, str]:
    if (symbol is None) == (returns_file is None):
        raise DataError("give exactly one of --symbol (buy-and-hold from the lake) or --returns FILE")
    if returns_file is not None:
        if not returns_file.is_file():
            raise DataError(f"{returns_file}: file not found")
        frame = pd.read_parquet(returns_file)
        col = next((c for c in ("return", "returns") if c in frame.columns), None)
        if col is None:
            raise DataError(f"{returns_file}: needs a 'return' or 'returns' column, has {list(frame.columns)}")
        return frame[col].to_numpy(dtype=float), str(returns_file)
    from trading_signals.data.lake import read_bars

    close = read_bars(lake, symbol=symbol or "", timeframe=timeframe)["close"]
    return close.pct_change().iloc[1:].to_numpy(), f"{symbol} buy-and-hold"


def _run_montecarlo(returns: np.ndarray, source: str, cfg: MonteCarloConfig, use_ray: bool,
                    address: str | None, out: Path) -> dict[str, Any]:
    import hashlib

    from trading_signals.data.runs import write_json_atomic

    kwargs = dict(model=cfg.model, n_paths=cfg.n_paths, horizon=cfg.horizon, seed=cfg.seed,
                  mean_block=cfg.mean_block)
    if use_ray:
        from trading_signals.distributed.montecarlo import run_montecarlo_ray
        from trading_signals.distributed.runtime import ensure_ray

        ensure_ray(address)
        res = run_montecarlo_ray(returns, **kwargs)  # type: ignore[arg-type]
    else:
        from trading_signals.risk.montecarlo import run_montecarlo

        res = run_montecarlo(returns, **kwargs)  # type: ignore[arg-type]
    data_id = hashlib.sha256(np.ascontiguousarray(returns).tobytes()).hexdigest()[:8]
    run_dir = out / f"{config_id(cfg)}-{data_id}" / "montecarlo"
    _write_frame(res.fan, run_dir / "fan.parquet")
    _write_frame(pd.DataFrame({"terminal_wealth": res.terminal_wealth, "max_drawdown": res.max_drawdown}),
                 run_dir / "paths.parquet", index=False)
    summary = {"config_id": config_id(cfg), "source": source, "run_dir": str(run_dir),
               "config": cfg.model_dump(), "summary": res.summary}
    write_json_atomic(summary, run_dir / "summary.json")
    return summary


def _write_frame(frame: pd.DataFrame, path: Path, *, index: bool = True) -> None:
    from trading_signals.data.runs import write_frame_atomic

    write_frame_atomic(frame if index else frame.reset_index(drop=True), path)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (v.isoformat() if isinstance(v, pd.Timestamp) else v) for k, v in row.items()}
            for row in frame.to_dict(orient="records")]
