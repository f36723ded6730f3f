"""``tsig backtest``'s flow: one strategy on a panel of lake symbols, one run directory.

The run id is the config id of (backtest section, strategy, parameters, symbols, timeframe)
plus a fingerprint of the bar partitions (and signals partitions) it reads: the same command on
another lake gets another run directory, and a finished run is verified, never overwritten.
"""

from __future__ import annotations

from typing import Any, Literal

from trading_signals.backtest import run_backtest
from trading_signals.config._base import FrozenModel
from trading_signals.config.backtest import BacktestConfig
from trading_signals.data.lake import list_symbols, read_panel
from trading_signals.errors import DataError
from trading_signals.workflow.portfolio import calendar_groups, strategy_targets, write_backtest
from trading_signals.workflow.runs import finish_run, jsonable, lake_fingerprint, open_run, run_id


class BacktestRun(FrozenModel):
    """What names a ``tsig backtest`` run (with the data fingerprint)."""

    backtest: BacktestConfig
    strategy: Literal["sma_cross", "confluence"]
    params: dict[str, Any]
    symbols: tuple[str, ...]
    timeframe: str


def backtest_lake(
    config: BacktestConfig,
    *,
    lake: str,
    out: str,
    symbols: list[str] | None = None,
    strategy: str = "sma_cross",
    fast: int = 10,
    slow: int = 50,
    long_only: bool = False,
    signals: str | None = None,
    timeframe: str = "1d",
) -> dict[str, Any]:
    """Backtest ``strategy`` on lake symbols; write ``<out>/<run id>/backtest/``; return the summary.

    Raises
    ------
    DataError
        Symbols with different bar calendars (backtest them separately), or no bars.
    ConfigError
        Unknown strategy, missing signals for ``confluence``, invalid engine options.
    """
    names = symbols or list_symbols(lake, timeframe=timeframe)
    if not names:
        raise DataError(f"no {timeframe} bars in {lake}; import some first (`tsig data import`)")
    bars = read_panel(lake, timeframe=timeframe, symbols=names)
    groups = calendar_groups(bars)
    if len(groups) > 1:
        detail = "; ".join(f"{k}: {sorted(v)}" for k, v in groups.items())
        raise DataError(f"the symbols have different bar calendars ({detail}); backtest each "
                        "group separately (--symbols) or align them first")
    params: dict[str, Any] = ({"fast": fast, "slow": slow, "long_only": long_only}
                              if strategy == "sma_cross" else {"long_only": long_only})
    target = strategy_targets(bars, strategy=strategy, fast=fast, slow=slow, long_only=long_only,
                              signals=signals, timeframe=timeframe)
    res = run_backtest(bars, target, config)
    fp = lake_fingerprint(lake, timeframe=timeframe, symbols=sorted(bars))
    if strategy == "confluence" and signals is not None:
        sig = lake_fingerprint(signals, timeframe=timeframe, symbols=sorted(bars), table="signals")
        fp = _combine(fp, sig)
    key = BacktestRun(backtest=config, strategy=strategy, params=params,  # type: ignore[arg-type]
                      symbols=tuple(sorted(bars)), timeframe=timeframe)
    rid = run_id(key, fp)
    folder = open_run(out, rid, {"kind": "backtest", "data_fingerprint": fp,
                                 "run": key.model_dump(mode="json")}, "backtest")
    write_backtest(res, folder)
    summary = {"config_id": rid, "run_id": rid, "run_dir": folder, "strategy": strategy,
               "params": params, "symbols": sorted(bars), "timeframe": timeframe,
               "data_fingerprint": fp, "start": res.equity.index[0].isoformat(), "end": res.equity.index[-1].isoformat(),
               "metrics": res.metrics, "engine": res.config}
    finish_run(folder, summary)
    return jsonable(summary)


def _combine(*fingerprints: str) -> str:
    import hashlib

    return hashlib.sha256("|".join(fingerprints).encode()).hexdigest()[:16]

