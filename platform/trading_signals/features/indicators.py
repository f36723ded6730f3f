"""Technical-indicator engine: a registry of indicator families run by fused numba kernels.

``compute_indicators(ohlcv)`` returns the contract columns (``sma_10`` ... ``keltner_lower_20``)
on the frame's index. Each family (``sma``, ``macd``, ``bbands``, ...) takes keyword params with
TA-Lib's defaults and yields one or more columns whose names derive from the params. Every column
that TA-Lib also computes reproduces TA-Lib (as called with defaults, unstable period 0): same
warm-up NaNs, same seeding, same zero-division conventions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from trading_signals._typing import OHLCV_COLUMNS, FloatArray
from trading_signals.config.features import IndicatorSpec
from trading_signals.data.schema import validate_ohlcv
from trading_signals.errors import DataError
from trading_signals.features import _kernels_plan as kp
from trading_signals.features.indicator_spec import (
    DEFAULT_SPEC,
    INDICATOR_FAMILIES,
    INDICATOR_NAMES,
    IndicatorPlan,
    available_indicators,
    compile_spec,
    plan_for,
)

__all__ = [
    "DEFAULT_SPEC",
    "INDICATOR_FAMILIES",
    "INDICATOR_NAMES",
    "IndicatorPlan",
    "available_indicators",
    "compile_spec",
    "compute_indicator_arrays",
    "compute_indicators",
]


def _execute(kernel: Any, arrs: Sequence[FloatArray], plan: IndicatorPlan, out: FloatArray) -> None:
    # One typed call site for the numba dispatchers (mypy cannot see their signatures).
    o, h, lo, c, v = arrs
    kernel(o, h, lo, c, v, plan.codes, plan.iparams, plan.fparams, plan.first_rows, out)


def compute_indicators(
    ohlcv: pd.DataFrame,
    spec: Sequence[IndicatorSpec | Mapping[str, Any] | str] | None = None,
    *,
    prefix: str = "",
) -> pd.DataFrame:
    """Compute technical indicators on a canonical OHLCV frame.

    Parameters
    ----------
    ohlcv
        Canonical frame (see :func:`trading_signals.data.schema.validate_ohlcv`).
    spec
        ``None`` for the full default set (:data:`INDICATOR_NAMES`), else a sequence of
        :class:`IndicatorSpec` / ``{name, params, alias}`` mappings / family names.
    prefix
        String prepended to every output column.

    Returns
    -------
    pandas.DataFrame
        float64 columns on ``ohlcv.index``; NaN during each indicator's warm-up, exactly where
        TA-Lib has NaN.

    Raises
    ------
    ConfigError
        If the spec is invalid (unknown names are listed with the valid ones).
    DataError
        If ``ohlcv`` is not a canonical frame.

    Notes
    -----
    No look-ahead: the value at bar t uses bars up to and including t only. A bar with any NaN
    field is a gap: its outputs are NaN and the indicators restart after it, as if the series
    began at the next complete bar (TA-Lib instead lets one NaN poison every later value of a
    recursive indicator). Leading NaN bars therefore match TA-Lib exactly.

    Examples
    --------
    >>> from trading_signals.data.synthetic import generate_universe
    >>> bars = generate_universe(1, 300, seed=1).bars["SYN0000"]
    >>> compute_indicators(bars, [{"name": "rsi", "params": {"timeperiod": 14}}]).columns.tolist()
    ['rsi_14']
    """
    arrays = _ohlcv_arrays(ohlcv)
    plan = plan_for(spec, prefix)
    out = np.empty((len(plan.columns), len(ohlcv)), dtype=np.float64)
    _execute(kp.run_plan, arrays, plan, out)
    # out.T is one F-ordered block: pandas wraps it without a copy. Building the column Index
    # from strings costs more than that (~35 us), so it is cached per plan and copied (a
    # caller may rename ``columns`` in place).
    columns = _column_index(plan.columns).copy()
    return pd.DataFrame(out.T, index=ohlcv.index, columns=columns, copy=False)


def _ohlcv_arrays(ohlcv: pd.DataFrame) -> list[FloatArray]:
    # The hot path of a universe build: fetch each column once and check the canonical rules
    # on what was fetched (validate_ohlcv looks the columns up again: ~15 us a frame). Any
    # failure goes through validate_ohlcv, so the error names the broken rule.
    try:
        series = [ohlcv[c] for c in OHLCV_COLUMNS]
        idx = ohlcv.index
        canonical = (
            isinstance(idx, pd.DatetimeIndex)
            and idx.tz is not None
            and str(idx.tz) == "UTC"
            and idx.is_monotonic_increasing
            and idx.is_unique
            and all(isinstance(s, pd.Series) and s.dtype == np.float64 for s in series)
        )
    except (KeyError, TypeError, AttributeError):
        canonical = False
    if not canonical:
        validate_ohlcv(ohlcv, name="ohlcv")
        # Unreachable while both checks agree; kept so a drift between them cannot pass bad data.
        raise DataError("ohlcv: not a canonical OHLCV frame; see data.schema.validate_ohlcv")
    # Writable too: frames from Ray's object store are read-only, and the kernels' explicit
    # signatures take only writable C arrays (np.require copies only when it must).
    return [np.require(s.to_numpy(), requirements=("C", "W")) for s in series]


@lru_cache(maxsize=64)
def _column_index(columns: tuple[str, ...]) -> pd.Index:
    return pd.Index(columns, dtype=object)


def compute_indicator_arrays(
    open_: FloatArray,
    high: FloatArray,
    low: FloatArray,
    close: FloatArray,
    volume: FloatArray,
    spec: Sequence[IndicatorSpec | Mapping[str, Any] | str] | IndicatorPlan | None = None,
) -> tuple[tuple[str, ...], FloatArray]:
    """Compute indicators on raw arrays: one symbol, or a stack of aligned symbols.

    Parameters
    ----------
    open_, high, low, close, volume
        Arrays of shape ``(n_symbols, n_bars)`` (or ``(n_bars,)`` for one symbol), one row per
        symbol, aligned bars.
    spec
        As in :func:`compute_indicators`, or a precompiled :class:`IndicatorPlan`.

    Returns
    -------
    tuple
        ``(columns, values)`` with ``values`` of shape ``(n_symbols, n_columns, n_bars)``
        (``(n_columns, n_bars)`` for 1-D input); row-for-row identical to
        :func:`compute_indicators`.

    Notes
    -----
    Same look-ahead and NaN-gap semantics as :func:`compute_indicators`. Symbols run one after
    the other through the same per-symbol kernels (there is no separate panel engine: it
    needed its own compiled kernel family and the feature build, which works per symbol, never
    used it).
    """
    plan = plan_for(spec)
    arrs = _as_arrays(open_, high, low, close, volume, ndims=(1, 2))
    shape = arrs[0].shape
    if len(shape) == 1:
        out = np.empty((len(plan.columns), shape[0]), dtype=np.float64)
        _execute(kp.run_plan, arrs, plan, out)
    else:
        out = np.empty((shape[0], len(plan.columns), shape[1]), dtype=np.float64)
        for i in range(shape[0]):
            _execute(kp.run_plan, [a[i] for a in arrs], plan, out[i])
    return plan.columns, out


def _as_arrays(*cols: Any, ndims: tuple[int, ...]) -> list[FloatArray]:
    arrs = [np.require(np.asarray(a, dtype=np.float64), requirements=("C", "W")) for a in cols]
    shape = arrs[0].shape
    if any(a.shape != shape for a in arrs) or len(shape) not in ndims:
        raise DataError(
            f"indicator arrays: open/high/low/close/volume must share one shape with "
            f"{' or '.join(map(str, ndims))} dimension(s), got {[a.shape for a in arrs]}"
        )
    return arrs
