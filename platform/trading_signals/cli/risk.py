"""``tsig walkforward`` and ``tsig montecarlo``: out-of-sample validation and path risk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import typer

from trading_signals.cli._output import JSON_OPTION, console, kv_table, print_json, table, user_errors
from trading_signals.cli._validate import output_dir
from trading_signals.config._base import FrozenModel
from trading_signals.config.backtest import BacktestConfig
from trading_signals.config.risk import MonteCarloConfig, WalkForwardConfig
from trading_signals.errors import ConfigError, DataError

LAKE = typer.Option("lake", "--lake", help="Lake holding the bars: a directory or URI (s3://, gs://, file://).",
                    callback=output_dir)
OUT = typer.Option("runs", "--out", help="Root of run directories (runs/<run id>/...): a directory or URI.",
                   callback=output_dir)
RAY = typer.Option(True, "--ray/--serial", help="Fan out over Ray tasks, or run the serial core.")
ADDRESS = typer.Option(None, "--address", help="Ray address to join (default: RAY_ADDRESS or a local Ray).")


class WalkForwardRun(FrozenModel):
    """What names a ``tsig walkforward`` run (with the data fingerprint)."""

    walkforward: WalkForwardConfig
    backtest: BacktestConfig
    symbols: tuple[str, ...]
    timeframe: str
    horizon: int


class MonteCarloRun(FrozenModel):
    """What names a ``tsig montecarlo`` run (with the fingerprint of the returns)."""

    montecarlo: MonteCarloConfig
    source: str


def _period(text: str) -> int | str:
    return int(text) if text.strip().lstrip("-").isdigit() else text


def _split(values: list[str] | None) -> list[str]:
    return [s.strip() for v in values or [] for s in v.split(",") if s.strip()]


def _wf_config(config: Path | None, overrides: dict[str, Any]) -> tuple[Any, WalkForwardConfig]:
    from trading_signals.config import RunConfig, load_config
    from trading_signals.config._base import validate_mapping

    run = load_config(config) if config is not None else RunConfig()
    given = {k: v for k, v in overrides.items() if v is not None}
    wf = validate_mapping(WalkForwardConfig, {**run.risk.walkforward.model_dump(), **given},
                          source="walkforward options (--" + ", --".join(given) + ")" if given
                          else "risk.walkforward")
    return run, wf


def register(app: typer.Typer) -> None:
    @app.command("walkforward")
    def walkforward(
        symbols: list[str] | None = typer.Option(None, "--symbols", "--symbol",
                                                 help="Symbols (repeat or comma-separate); default: all in the lake."),
        config: Path | None = typer.Option(None, "--config", help="Run config YAML: risk.walkforward (windows, strategy) and backtest (engine) sections."),
        lake: str = LAKE,
        timeframe: str = typer.Option("1d", "--timeframe"),
        strategy: str | None = typer.Option(None, "--strategy", help="sma_cross | confluence | model (default: config, confluence)."),
        train: str | None = typer.Option(None, help="Training window: bars, or a period like 3y (default: config)."),
        test: str | None = typer.Option(None, help="Test window: bars, or a period like 1y (default: config)."),
        purge: int | None = typer.Option(None, help="Bars left out between training and testing."),
        embargo: int | None = typer.Option(None, help="Further bars left out after the purge."),
        anchored: bool | None = typer.Option(None, "--anchored/--rolling", help="Expanding or rolling training."),
        use_ray: bool = RAY,
        address: str | None = ADDRESS,
        out: str = OUT,
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Walk-forward study: fit each training window, trade the next test window, stitch (resumable)."""
        with user_errors():
            if purge is not None and purge < 0:
                raise ConfigError(f"--purge {purge}: must be >= 0 bars")
            if embargo is not None and embargo < 0:
                raise ConfigError(f"--embargo {embargo}: must be >= 0 bars")
            run, wf = _wf_config(config, {
                "strategy": strategy, "train": None if train is None else _period(train),
                "test": None if test is None else _period(test), "purge": purge,
                "embargo": embargo, "anchored": anchored})
            summary = _run_walkforward(_split(symbols), lake, timeframe, wf, run, use_ray, address, out)
        if as_json:
            print_json(summary)
            return
        _render_walkforward(summary)

    @app.command("montecarlo")
    def montecarlo(
        symbol: str | None = typer.Option(None, "--symbol", help="Buy-and-hold returns of this lake symbol."),
        returns_file: str | None = typer.Option(None, "--returns", help="Parquet (path or URI) with a 'return' or 'returns' column (e.g. a walk-forward run's returns.parquet)."),
        lake: str = LAKE,
        timeframe: str = typer.Option("1d", "--timeframe"),
        model: str = typer.Option("bootstrap", help="gbm | bootstrap | garch"),
        paths: int = typer.Option(10_000, "--paths"),
        horizon: int = typer.Option(252, "--horizon", help="Bars per path."),
        seed: int = typer.Option(0, "--seed"),
        mean_block: float = typer.Option(20.0, "--mean-block", help="Mean block length (bootstrap)."),
        use_ray: bool = RAY,
        address: str | None = ADDRESS,
        out: str = OUT,
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Simulate wealth paths from a return history: VaR/CVaR, drawdowns, fan chart data."""
        with user_errors():
            cfg = _mc_config(model=model, n_paths=paths, horizon=horizon, seed=seed, mean_block=mean_block)
            returns, source = _load_returns(symbol, returns_file, lake, timeframe)
            summary = _run_montecarlo(returns, source, cfg, use_ray, address, out)
        if as_json:
            print_json(summary)
            return
        console.print(kv_table(f"Monte Carlo ({cfg.model}, {cfg.n_paths:,} paths x {cfg.horizon} bars) of {source}",
                               summary["summary"]))
        console.print(f"outputs: {summary['run_dir']}")


_MC_OPTIONS = {"model": "--model", "n_paths": "--paths", "horizon": "--horizon", "seed": "--seed",
               "mean_block": "--mean-block"}


def _mc_config(**values: Any) -> MonteCarloConfig:
    from pydantic import ValidationError

    from trading_signals.risk.montecarlo import check_size

    try:
        cfg = MonteCarloConfig(**values)
    except ValidationError as exc:
        lines = [f"{_MC_OPTIONS.get(str(e['loc'][0]), e['loc'][0])} {e['input']!r}: {e['msg']}"
                 for e in exc.errors()]
        raise ConfigError("; ".join(lines)) from exc
    try:
        check_size(cfg.n_paths, cfg.horizon)
    except ConfigError as exc:
        raise ConfigError(f"--paths/--horizon: {exc}") from exc
    return cfg


def _render_walkforward(summary: dict[str, Any]) -> None:
    cols = ["window", "test_start", "test_end", "is_sharpe", "oos_total_return", "oos_sharpe", "oos_trades"]
    for sym, s in summary["symbols"].items():
        console.print(table(f"walk-forward windows ({sym}, {summary['strategy']})", cols,
                            [[str(r.get(c))[:10] if "test_" in c else r.get(c) for c in cols]
                             for r in s["windows"]]))
        console.print(kv_table(f"{sym}: out-of-sample metrics", s["metrics"]))
        console.print(kv_table(f"{sym}: overfitting", s["overfitting"]))
    console.print(f"outputs: {summary['run_dir']}")


def _run_walkforward(symbols: list[str], lake: str, timeframe: str, wf: WalkForwardConfig, run: Any,
                     use_ray: bool, address: str | None, out: str) -> dict[str, Any]:
    from trading_signals.cli._executor import make_executor
    from trading_signals.data.lake import list_symbols
    from trading_signals.workflow.runs import finish_run, jsonable, lake_fingerprint, open_run, run_id
    from trading_signals.workflow.walkforward import run_walkforward

    names = symbols or list_symbols(lake, timeframe=timeframe)
    if not names:
        raise DataError(f"no {timeframe} bars in {lake}; import some first (`tsig data import`)")
    key = WalkForwardRun(walkforward=wf, backtest=run.backtest, symbols=tuple(sorted(names)),
                         timeframe=timeframe, horizon=run.models.horizon)
    fp = lake_fingerprint(str(lake), timeframe=timeframe, symbols=sorted(names))
    rid = run_id(key, fp)
    run_dir = open_run(str(out), rid, {"kind": "walkforward", "data_fingerprint": fp,
                                       "run": key.model_dump(mode="json")})
    results = run_walkforward(wf, run.backtest, make_executor(use_ray, address), lake=str(lake),
                              run_dir=run_dir, symbols=sorted(names), timeframe=timeframe,
                              signals=run.signals, horizon=run.models.horizon)
    summary = {"config_id": rid, "run_id": rid, "run_dir": run_dir, "strategy": wf.strategy,
               "data_fingerprint": fp,
               "symbols": {s: {"windows": _records(r.windows), "metrics": r.metrics,
                               "overfitting": r.overfitting} for s, r in results.items()}}
    finish_run(run_dir, summary)
    return jsonable(summary)


def _load_returns(symbol: str | None, returns_file: str | None, lake: str,
                  timeframe: str) -> tuple[np.ndarray, str]:
    if (symbol is None) == (returns_file is None):
        raise DataError("give exactly one of --symbol (buy-and-hold from the lake) or --returns FILE")
    if returns_file is not None:
        from trading_signals.data import storage

        if not storage.is_file(returns_file):
            raise DataError(f"--returns {returns_file}: file not found")
        try:
            frame = storage.read_table(returns_file).to_pandas()
        except Exception as exc:  # noqa: BLE001 - any unreadable file is a usage error
            raise DataError(f"--returns {returns_file}: not a Parquet file ({type(exc).__name__}); "
                            "pass a returns.parquet such as a walk-forward run writes") from exc
        col = next((c for c in ("return", "returns") if c in frame.columns), None)
        if col is None:
            raise DataError(f"--returns {returns_file}: needs a 'return' or 'returns' column, has {list(frame.columns)}")
        return frame[col].to_numpy(dtype=float), str(returns_file)
    from trading_signals.data.lake import read_bars

    close = read_bars(lake, symbol=symbol or "", timeframe=timeframe)["close"]
    return close.pct_change().iloc[1:].to_numpy(), f"{symbol} buy-and-hold"


def _run_montecarlo(returns: np.ndarray, source: str, cfg: MonteCarloConfig, use_ray: bool,
                    address: str | None, out: str) -> dict[str, Any]:
    import hashlib

    from trading_signals.cli._executor import make_executor
    from trading_signals.workflow.montecarlo import run_montecarlo, write_montecarlo
    from trading_signals.workflow.runs import finish_run, jsonable, open_run, run_id

    fp = hashlib.sha256(np.ascontiguousarray(returns, dtype=np.float64).tobytes()).hexdigest()[:16]
    key = MonteCarloRun(montecarlo=cfg, source=source)
    rid = run_id(key, fp)
    run_dir = open_run(str(out), rid, {"kind": "montecarlo", "data_fingerprint": fp,
                                       "run": key.model_dump(mode="json")}, "montecarlo")
    res = run_montecarlo(cfg, make_executor(use_ray, address), returns=returns)
    stats = write_montecarlo(res, run_dir)
    summary = {"config_id": rid, "run_id": rid, "source": source, "run_dir": run_dir,
               "data_fingerprint": fp, "config": cfg.model_dump(), "summary": stats}
    finish_run(run_dir, summary)
    return jsonable(summary)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (v.isoformat() if isinstance(v, pd.Timestamp) else v) for k, v in row.items()}
            for row in frame.to_dict(orient="records")]
