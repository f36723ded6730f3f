"""The result object of a backtest: curves, holdings, trades and metrics."""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from trading_signals._typing import FloatArray
from trading_signals.backtest._kernels import TRADE_FIELDS

TRADE_COLUMNS = (
    "symbol", "entry_time", "exit_time", "entry_price", "exit_price", "size", "side", "pnl",
    "return_pct", "costs", "is_open",
)


class BacktestResult:
    """Everything one backtest produced; frames are built lazily on first access (fast loops).

    Attributes
    ----------
    equity : pd.Series
        Account value marked at each bar's close (after that bar's fills).
    returns : pd.Series
        ``equity.pct_change()`` with the first bar measured against ``initial_cash``; 0 after ruin.
    positions : pd.DataFrame
        Exposure actually held at each close, ``shares * close / equity`` (0 when equity is 0).
    shares : pd.DataFrame
        Signed shares held at each close.
    trades : pd.DataFrame
        One row per round trip (a run of same-sign holdings of one symbol), see ``TRADE_COLUMNS``.
        ``entry_price``/``exit_price`` are share-weighted averages of the fills that opened /
        closed the trade; ``size`` is the signed total of shares opened; an ``is_open`` trade is
        marked at the last close.
    metrics : dict
        :func:`trading_signals.stats.metrics.summarize` of ``returns`` with trades and positions,
        plus ``final_equity`` and ``total_costs``.
    config : dict
        The engine parameters used.
    """

    def __init__(self, index: pd.DatetimeIndex, symbols: list[str], equity: FloatArray,
                 shares: FloatArray, close: FloatArray, raw_trades: FloatArray,
                 config: dict[str, Any]) -> None:
        self.index, self.symbols, self.config = index, list(symbols), dict(config)
        self._equity, self._shares, self._close, self._raw_trades = equity, shares, close, raw_trades

    @cached_property
    def equity(self) -> pd.Series:
        return pd.Series(self._equity, index=self.index, name="equity")

    @cached_property
    def returns(self) -> pd.Series:
        rets = equity_returns(self._equity, self.config["initial_cash"])
        return pd.Series(rets, index=self.index, name="returns")

    @cached_property
    def shares(self) -> pd.DataFrame:
        return pd.DataFrame(self._shares, index=self.index, columns=self.symbols)

    @cached_property
    def positions(self) -> pd.DataFrame:
        eq = self._equity[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            expo = np.where(eq > 0, self._shares * self._close / np.where(eq > 0, eq, 1.0), 0.0)
        return pd.DataFrame(expo, index=self.index, columns=self.symbols)

    @cached_property
    def trades(self) -> pd.DataFrame:
        return trades_frame(self._raw_trades, self.index, self.symbols)

    @cached_property
    def metrics(self) -> dict[str, Any]:
        # Lazy import: risk sits above backtest in the layer order; metrics is a pure leaf.
        from trading_signals.stats.metrics import summarize

        out = summarize(self.returns, trades=self.trades, positions=self.positions,
                        periods_per_year=self.config["periods_per_year"])
        costs = float(self._raw_trades[:, 8].sum()) if len(self._raw_trades) else 0.0
        return out | {"final_equity": float(self._equity[-1]), "total_costs": costs}

    @property
    def final_equity(self) -> float:
        """Return the last equity value (no frame built)."""
        return float(self._equity[-1])

    def summary(self) -> dict[str, Any]:
        """Return ``metrics`` plus the config, as one JSON-friendly mapping."""
        return {"metrics": dict(self.metrics), "config": dict(self.config)}


def equity_returns(equity: FloatArray, initial_cash: float) -> FloatArray:
    """Return per-bar simple returns of ``equity``, 0 where the previous equity is 0."""
    prev = np.concatenate(([initial_cash], equity[:-1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(prev > 0, equity / np.where(prev > 0, prev, 1.0) - 1.0, 0.0)


def trades_frame(raw: FloatArray, index: pd.DatetimeIndex, symbols: list[str]) -> pd.DataFrame:
    """Turn the kernel's trade matrix into the public trades frame."""
    cols = dict(zip(TRADE_FIELDS, raw.T, strict=True)) if len(raw) else {k: np.empty(0) for k in TRADE_FIELDS}
    sym = np.asarray(symbols, dtype=object)[cols["symbol"].astype(np.int64)]
    size = cols["size"]
    frame = pd.DataFrame(
        {
            "symbol": pd.Series(sym, dtype=object),
            "entry_time": index[cols["entry_bar"].astype(np.int64)],
            "exit_time": index[cols["exit_bar"].astype(np.int64)],
            "entry_price": cols["entry_price"],
            "exit_price": cols["exit_price"],
            "size": size,
            "side": np.where(size > 0, "long", "short"),
            "pnl": cols["pnl"],
            "return_pct": cols["return_pct"],
            "costs": cols["costs"],
            "is_open": cols["is_open"].astype(bool),
        },
        columns=list(TRADE_COLUMNS),
    )
    return frame.sort_values(["entry_time", "symbol"], kind="stable").reset_index(drop=True)
