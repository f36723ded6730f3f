"""The 17 scale-free ML features of the seed prototype, as one pure function.

Every feature at bar t uses bars ``<= t`` only. No scaler is fit here: normalisation is a
separate fit/transform step with an explicit fit window (:mod:`trading_signals.features.normalize`),
and forward-return targets live in :mod:`trading_signals.features.labels`, never in this frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from trading_signals._typing import FloatArray
from trading_signals.data.schema import validate_ohlcv

if TYPE_CHECKING:
    from pandas.core.window.rolling import Rolling

ML_FEATURE_NAMES: Final[tuple[str, ...]] = (
    "momentum_5",
    "momentum_10",
    "momentum_20",
    "roc_5",
    "roc_10",
    "roc_20",
    "volatility_20",
    "volatility_ratio",
    "volume_ma_ratio",
    "volume_trend",
    "volume_momentum",
    "hl_range",
    "co_position",
    "ho_position",
    "skewness",
    "kurtosis",
    "price_sma_20_ratio",
)

#: Bars of history the slowest feature needs before its first non-NaN value (20 returns).
ML_WARMUP_BARS: Final = 20


def _div(num: FloatArray, den: FloatArray) -> FloatArray:
    # A zero (or NaN) denominator gives NaN, never +/-inf: inf poisons scalers and models.
    with np.errstate(divide="ignore", invalid="ignore"):
        out = num / np.where(den == 0.0, np.nan, den)
    out[~np.isfinite(out)] = np.nan
    return out


def _lag(a: FloatArray, n: int) -> FloatArray:
    out = np.full_like(a, np.nan)
    out[n:] = a[:-n]
    return out


def _rolling(a: FloatArray, n: int) -> Rolling:
    # Plain attr-free Series: pandas' rolling kernels without per-op metadata copies.
    return pd.Series(a, copy=False).rolling(n)


def compute_ml_features(ohlcv: pd.DataFrame) -> pd.DataFrame:
    """Compute the 17 ML features of :data:`ML_FEATURE_NAMES` on the bars' index.

    Parameters
    ----------
    ohlcv
        A canonical OHLCV frame (see :func:`trading_signals.data.schema.validate_ohlcv`).

    Returns
    -------
    DataFrame
        float64 columns named exactly as :data:`ML_FEATURE_NAMES`, same index as ``ohlcv``.
        With ``r = close / close.shift(1) - 1`` (one-bar simple return):

        - ``momentum_n`` = ``log(close / close.shift(n))`` for n in 5, 10, 20: the *log* return.
          The seed defined it as ``close / close.shift(n) - 1``, identical to ``roc_n``; a
          duplicate column adds nothing, so momentum is the log return.
        - ``roc_n`` = ``close / close.shift(n) - 1`` (``close.pct_change(n)``).
        - ``volatility_20`` = ``r.rolling(20).std()`` (sample std, ddof=1), per bar, not annualised.
        - ``volatility_ratio`` = ``r.rolling(5).std() / r.rolling(20).std()``: short over long
          volatility (> 1 means volatility is expanding). Chosen over vol20/vol60 so the warm-up
          stays at 20 returns.
        - ``volume_ma_ratio`` = ``volume / volume.rolling(20).mean()``.
        - ``volume_trend`` = ``volume.rolling(5).mean() / volume.rolling(20).mean()``.
        - ``volume_momentum`` = ``volume / volume.shift(5) - 1``.
        - ``hl_range`` = ``(high - low) / close``.
        - ``co_position`` = ``(close - open) / (high - low)``, in [-1, 1] for valid bars.
        - ``ho_position`` = ``(high - open) / (high - low)``, in [0, 1] for valid bars.
        - ``skewness`` = ``r.rolling(20).skew()`` (bias-corrected sample skewness, as
          ``scipy.stats.skew(bias=False)``).
        - ``kurtosis`` = ``r.rolling(20).kurt()`` (bias-corrected *excess* kurtosis, as
          ``scipy.stats.kurtosis(fisher=True, bias=False)``).
        - ``price_sma_20_ratio`` = ``close / close.rolling(20).mean() - 1``.

        Every division by zero (zero volume, ``high == low``, zero volatility) yields NaN, not
        inf; so do skewness and kurtosis of a window with zero volatility. Warm-up rows are NaN (at most :data:`ML_WARMUP_BARS` rows + 1 for the return).

    Notes
    -----
    No look-ahead: every value at bar t is a function of bars ``0..t`` only (trailing windows
    and backward shifts); changing any bar after t never changes a value at or before t. The
    features are scale-free (returns and ratios), so they pool across symbols, but they are not
    normalised: fit :class:`~trading_signals.features.normalize.FeatureScaler` on a training
    window for that.

    Examples
    --------
    >>> from trading_signals.data.synthetic import generate_universe
    >>> bars = generate_universe(1, 60, seed=0).bars["SYN0000"]
    >>> f = compute_ml_features(bars)
    >>> f.shape, int(f["roc_20"].isna().sum())
    ((60, 17), 20)
    """
    validate_ohlcv(ohlcv, name=f"bars of {ohlcv.attrs.get('symbol', 'frame')}")
    o, h, lo, c, v = (
        ohlcv[k].to_numpy(dtype=np.float64) for k in ("open", "high", "low", "close", "volume")
    )
    r = _div(c, _lag(c, 1)) - 1.0
    out: dict[str, FloatArray] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for n in (5, 10, 20):
            out[f"momentum_{n}"] = np.log(_div(c, _lag(c, n)))
    for n in (5, 10, 20):
        out[f"roc_{n}"] = _div(c, _lag(c, n)) - 1.0
    vol20 = _rolling(r, 20).std().to_numpy()
    out["volatility_20"] = vol20
    out["volatility_ratio"] = _div(_rolling(r, 5).std().to_numpy(), vol20)
    vma20 = _rolling(v, 20).mean().to_numpy()
    out["volume_ma_ratio"] = _div(v, vma20)
    out["volume_trend"] = _div(_rolling(v, 5).mean().to_numpy(), vma20)
    out["volume_momentum"] = _div(v, _lag(v, 5)) - 1.0
    rng = h - lo
    out["hl_range"] = _div(rng, c)
    out["co_position"] = _div(c - o, rng)
    out["ho_position"] = _div(h - o, rng)
    # pandas reports skew 0 / kurt -3 for a constant window; the moments are undefined there.
    # Too-short input: all NaN anyway, and pandas' skew/kurt warn on all-NaN windows.
    flat = ~(vol20 > 0.0)
    short = len(c) <= ML_WARMUP_BARS
    for name, moment in (("skewness", "skew"), ("kurtosis", "kurt")):
        values = np.full_like(c, np.nan) if short else getattr(_rolling(r, 20), moment)().to_numpy()
        out[name] = np.where(flat, np.nan, values)
    out["price_sma_20_ratio"] = _div(c, _rolling(c, 20).mean().to_numpy()) - 1.0
    return pd.DataFrame({k: out[k] for k in ML_FEATURE_NAMES}, index=ohlcv.index)
