"""Validate and align backtest inputs into dense arrays (bars x symbols)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pandas as pd

from trading_signals._typing import FloatArray
from trading_signals.data.schema import same_index, validate_ohlcv
from trading_signals.errors import DataError
from trading_signals.timeframes import TIMEFRAME_TABLE

# Bars per year by timeframe, from the one table (equity-session convention).
PERIODS_PER_YEAR = {n: tf.periods_per_year for n, tf in TIMEFRAME_TABLE.items()}

Prices: TypeAlias = pd.DataFrame | Mapping[str, pd.DataFrame]
Positions: TypeAlias = pd.Series | pd.DataFrame


@dataclass(frozen=True)
class Aligned:
    index: pd.DatetimeIndex
    symbols: list[str]
    open: FloatArray
    close: FloatArray
    weights: FloatArray
    timeframe: str | None


def align(prices: Prices, positions: Positions) -> Aligned:
    """Return dense open/close/target arrays on the price index (see run_backtest Notes)."""
    index, symbols, open_, close, timeframe = _price_arrays(prices, positions)
    weights = _weight_array(positions, index, symbols)
    return Aligned(index, symbols, open_, close, weights, timeframe)


def _price_arrays(
    prices: Prices, positions: Positions
) -> tuple[pd.DatetimeIndex, list[str], FloatArray, FloatArray, str | None]:
    if isinstance(prices, pd.DataFrame):
        validate_ohlcv(prices, name="prices")
        sym = prices.attrs.get("symbol") or _series_name(positions) or "asset"
        index = prices.index
        open_ = prices["open"].to_numpy(float).reshape(-1, 1)
        close = prices["close"].to_numpy(float).reshape(-1, 1)
        symbols, timeframe = [str(sym)], prices.attrs.get("timeframe")
    elif isinstance(prices, Mapping) and set(prices) == {"open", "close"} and "close" not in prices["close"]:
        wide_o, wide_c = prices["open"], prices["close"]
        if not same_index(wide_o.index, wide_c.index) or list(wide_o.columns) != list(wide_c.columns):
            raise DataError("prices: wide 'open' and 'close' frames need the same index and columns")
        index, symbols = wide_c.index, [str(c) for c in wide_c.columns]
        open_, close = wide_o.to_numpy(float), wide_c.to_numpy(float)
        timeframe = wide_c.attrs.get("timeframe")
    elif isinstance(prices, Mapping) and prices:
        symbols = [str(s) for s in prices]
        frames = [validate_ohlcv(prices[s], name=f"prices[{s!r}]") for s in prices]
        index = frames[0].index
        for s, f in zip(symbols, frames, strict=True):
            if not same_index(f.index, index):
                raise DataError(
                    f"prices[{s!r}]: index differs from prices[{symbols[0]!r}]; align the panel "
                    "first (e.g. reindex every frame on the union of timestamps and ffill)"
                )
        open_ = np.column_stack([f["open"].to_numpy(float) for f in frames])
        close = np.column_stack([f["close"].to_numpy(float) for f in frames])
        timeframe = frames[0].attrs.get("timeframe")
    else:
        raise DataError("prices: pass a canonical OHLCV frame, a dict symbol -> frame, or "
                        "{'open': wide, 'close': wide}")
    _check_prices(open_, close, index, symbols)
    return index, symbols, open_, close, timeframe


def _check_prices(open_: FloatArray, close: FloatArray, index: pd.Index, symbols: list[str]) -> None:
    if not isinstance(index, pd.DatetimeIndex) or not index.is_monotonic_increasing or not index.is_unique:
        raise DataError("prices: index must be a unique, increasing DatetimeIndex")
    for name, arr in (("open", open_), ("close", close)):
        bad = ~(np.isfinite(arr) & (arr > 0))
        if bad.any():
            t, i = np.argwhere(bad)[0]
            raise DataError(
                f"prices: {name} of {symbols[i]!r} at {index[t]} is {arr[t, i]!r}; prices must be "
                "finite and > 0 (fix or drop the bar upstream)"
            )


def _series_name(positions: Positions) -> str | None:
    if isinstance(positions, pd.Series) and positions.name is not None:
        return str(positions.name)
    return None


def _weight_array(positions: Positions, index: pd.DatetimeIndex, symbols: list[str]) -> FloatArray:
    if isinstance(positions, pd.Series):
        if len(symbols) != 1:
            raise DataError("positions: a Series only fits a single-symbol backtest; pass a wide "
                            "frame (columns = symbols) for a panel")
        values = positions.to_numpy(dtype=float)
        if same_index(positions.index, index) and np.isfinite(values).all():
            return np.ascontiguousarray(values.reshape(-1, 1))
        positions = positions.to_frame(symbols[0])
    elif isinstance(positions, pd.DataFrame) and len(symbols) == 1 and positions.shape[1] == 1:
        positions = positions.set_axis(symbols, axis=1)
    if not isinstance(positions, pd.DataFrame):
        raise DataError(f"positions: expected a Series or DataFrame, got {type(positions).__name__}")
    unknown = [c for c in positions.columns if str(c) not in symbols]
    if unknown:
        raise DataError(f"positions: column(s) {unknown} have no prices; known symbols: {symbols}")
    missing = positions.index.difference(index)
    if len(missing):
        raise DataError(
            f"positions: {len(missing)} timestamp(s) are not price bars, first {missing[0]}; "
            "the positions index must be a subset of the price index"
        )
    values = positions.to_numpy(dtype=float)
    if np.isnan(values).any():
        t, i = np.argwhere(np.isnan(values))[0]
        raise DataError(
            f"positions: NaN target for {positions.columns[i]!r} at {positions.index[t]}; use 0 "
            "for flat (e.g. positions.fillna(0)) so no decision is silently invented"
        )
    if not np.isfinite(values).all():
        raise DataError("positions: targets must be finite fractions of equity")
    if same_index(positions.index, index) and [str(c) for c in positions.columns] == symbols:
        return np.ascontiguousarray(values)
    frame = positions.set_axis([str(c) for c in positions.columns], axis=1)
    # Bars without a decision hold the previous target; before the first decision: flat.
    dense = frame.reindex(index=index, columns=symbols).ffill().fillna(0.0)
    return np.ascontiguousarray(dense.to_numpy(dtype=float))
