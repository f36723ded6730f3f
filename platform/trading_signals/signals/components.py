"""Component scores in [0, 1] per bar, each a documented rule over the indicator columns.

Every component is a pure function of the *indicator frame*: the canonical OHLCV columns
joined with :func:`trading_signals.features.indicators.compute_indicators` output. A score of
0.5 is neutral, above 0.5 bullish, below bearish; NaN means "not available" (warm-up, no news,
no model) and is never replaced by 0.5.

Notes
-----
No look-ahead: every input column at bar t uses bars up to t (TA-Lib conventions), and every
extra window here (rolling sums, rolling ranks, ``diff``) looks backwards only, so a score at
bar t depends only on bars ``<= t``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from trading_signals.data.schema import same_index
from trading_signals.errors import DataError
from trading_signals.signals import _arrays

#: Indicator/OHLCV columns each technical component reads (used by validation and docs).
COMPONENT_INPUTS: dict[str, tuple[str, ...]] = {
    "trend": ("close", "sma_20", "sma_50", "ema_12", "ema_26", "atr_14", "adx_14", "plus_di_14",
              "minus_di_14"),
    "momentum": ("close", "rsi_14", "macd_hist", "atr_14", "roc_10", "natr_14", "stoch_k"),
    "volatility": ("natr_14", "bb_upper_20", "bb_lower_20", "bb_middle_20"),
    "volume": ("close", "volume", "obv", "mfi_14"),
}


@runtime_checkable
class ModelComponent(Protocol):
    """A pluggable model: ``model(features) -> Series`` of scores in [0, 1] on the same index.

    Contract: the value at bar t may use only rows ``<= t`` of ``features`` (a model fitted on
    a training window and applied row by row satisfies this). NaN means "no opinion".
    Registered models plug in through
    :func:`trading_signals.models.pit.model_component_for`, whose
    :class:`~trading_signals.models.pit.PointInTimeModel` scores a bar only with a model whose
    training window ended before it.
    """

    def __call__(self, features: pd.DataFrame) -> pd.Series: ...


def trend_score(frame: pd.DataFrame) -> pd.Series:
    """Score the trend: price/moving-average structure blended with ADX-weighted DI.

    ``ma = mean(sq((close-sma_20)/atr), sq((close-sma_50)/atr), sq((ema_12-ema_26)/atr),
    sq((sma_20-sma_50)/atr))`` with ``sq(x) = 0.5 + 0.5 tanh(x)``;
    ``di = 0.5 + 0.5 * (+DI - -DI)/(+DI + -DI) * min(ADX/50, 1)``; ``trend = (ma + di) / 2``.

    Parameters
    ----------
    frame : DataFrame
        Indicator frame with the columns in ``COMPONENT_INPUTS["trend"]``.

    Returns
    -------
    Series
        ``trend`` in [0, 1]; NaN while any input is in warm-up (about 50 bars).

    Notes
    -----
    Uses bars ``<= t`` only (all inputs are trailing indicators).
    """
    _require(frame, "trend")
    return _series(_arrays.trend(_columns(frame, "trend")), frame.index, "trend")


def momentum_score(frame: pd.DataFrame) -> pd.Series:
    """Score momentum as the mean of RSI, MACD histogram, ROC and stochastic %K sub-scores.

    ``rsi_14/100``, ``sq(macd_hist/atr_14)``, ``sq(roc_10 / (natr_14 * sqrt(10)))`` (the 10-bar
    return in units of the typical 10-bar range) and ``stoch_k/100``.

    Parameters
    ----------
    frame : DataFrame
        Indicator frame with the columns in ``COMPONENT_INPUTS["momentum"]``.

    Returns
    -------
    Series
        ``momentum`` in [0, 1]; NaN during warm-up (MACD signal: about 33 bars).

    Notes
    -----
    Uses bars ``<= t`` only.
    """
    _require(frame, "momentum")
    return _series(_arrays.momentum(_columns(frame, "momentum")), frame.index, "momentum")


def volatility_score(
    frame: pd.DataFrame, *, window: int = 252, min_periods: int = 20
) -> pd.Series:
    """Score the volatility regime: 1 - mean trailing percentile of NATR and Bollinger width.

    Each measure is ranked against its own trailing history (rolling window of ``window``
    bars, expanding until then, at least ``min_periods`` values): percentile
    ``(rank - 1) / (n - 1)`` in [0, 1]. A calm regime (volatility low versus its own past)
    scores near 1, a stressed one near 0; 0.5 is the median regime.

    Parameters
    ----------
    frame : DataFrame
        Indicator frame with the columns in ``COMPONENT_INPUTS["volatility"]``.
    window, min_periods : int
        Trailing rank window and the minimum history before a score is given.

    Returns
    -------
    Series
        ``volatility`` in [0, 1]; NaN until ``min_periods`` valid values exist.

    Notes
    -----
    The rank at bar t compares bar t with bars ``t-window+1 .. t`` only: no future values.
    """
    _require(frame, "volatility")
    raw = _arrays.volatility(_columns(frame, "volatility"), window=window, min_periods=min_periods)
    return _series(raw, frame.index, "volatility")


def volume_score(frame: pd.DataFrame) -> pd.Series:
    """Score volume confirmation: OBV slope, MFI and direction-signed relative volume.

    ``obv = 0.5 + 0.5 * (obv_t - obv_{t-10}) / sum(volume_{t-9..t})`` (exactly in [0, 1]),
    ``mfi_14/100`` and ``0.5 + 0.5 * sign(close_t - close_{t-1}) * tanh(max(v_t/avg20 - 1, 0))``
    (heavy volume on an up bar is bullish, on a down bar bearish, light volume neutral).

    Parameters
    ----------
    frame : DataFrame
        Indicator frame with the columns in ``COMPONENT_INPUTS["volume"]``.

    Returns
    -------
    Series
        ``volume`` in [0, 1]; NaN during warm-up (about 20 bars).

    Notes
    -----
    Uses bars ``<= t`` only (trailing differences, sums and means).
    """
    _require(frame, "volume")
    return _series(_arrays.volume(_columns(frame, "volume")), frame.index, "volume")


def sentiment_score(
    sentiment: pd.DataFrame | pd.Series | None,
    index: pd.Index,
    *,
    max_age_bars: int | None = None,
) -> pd.Series:
    """Map per-bar news sentiment in [-1, 1] to [0, 1]: ``(s + 1) / 2``, NaN when no news.

    Parameters
    ----------
    sentiment : DataFrame or Series or None
        Per-bar frame with ``sentiment_score`` (and optionally ``article_count``), or the
        score Series itself, on exactly ``index``. None gives an all-NaN series.
    index : Index
        The bar index the scores must be aligned to.
    max_age_bars : int, optional
        With an ``article_count`` column: NaN (missing, not neutral) at bars where no article
        arrived in the last ``max_age_bars`` bars, this one included.

    Returns
    -------
    Series
        ``sentiment`` in [0, 1] or NaN.

    Raises
    ------
    DataError
        If the index differs from the bars' index or a score is outside [-1, 1].

    Notes
    -----
    The caller's aggregation joins news by publish time (an article counts from the first bar
    closing after it); the mapping is pointwise and the staleness window looks backwards.
    """
    if sentiment is None:
        return pd.Series(np.nan, index=index, name="sentiment")
    s = sentiment["sentiment_score"] if isinstance(sentiment, pd.DataFrame) else sentiment
    if not same_index(s.index, index):
        raise DataError(
            "sentiment: its index differs from the bars' index; aggregate news onto the same "
            "bars (aggregate_sentiment(..., bars.index)) before generating signals"
        )
    s = s.astype("float64").set_axis(index)  # the bars' stamps (and datetime unit)
    bad = s[(s < -1.0) | (s > 1.0)]
    if len(bad):
        raise DataError(
            f"sentiment: sentiment_score {float(bad.iloc[0])!r} at {bad.index[0]} is outside [-1, 1]"
        )
    out = ((s + 1.0) / 2.0).rename("sentiment")
    if max_age_bars is not None and isinstance(sentiment, pd.DataFrame) and (
        "article_count" in sentiment
    ):
        recent = sentiment["article_count"].fillna(0.0).rolling(max_age_bars, min_periods=1).sum()
        out = out.where(recent > 0)
    return out


def model_score(features: pd.DataFrame, model: ModelComponent | None) -> pd.Series:
    """Call a pluggable model on ``features`` and check its output (NaN series when None).

    Raises
    ------
    DataError
        If the output is not aligned with ``features.index`` or leaves [0, 1].

    Notes
    -----
    Look-ahead safety is the model's contract (see :class:`ModelComponent`); the engine's
    property tests check it for the models it ships.
    """
    if model is None:
        return pd.Series(np.nan, index=features.index, name="model")
    out = model(features)
    if not isinstance(out, pd.Series):
        out = pd.Series(np.asarray(out, dtype=np.float64), index=features.index)
    if not out.index.equals(features.index):
        raise DataError(
            f"model {type(model).__name__}: output index differs from the features index; "
            "return one score per input row, on the same index"
        )
    out = out.astype("float64").rename("model")
    _bounded(out, f"model {type(model).__name__}")
    return out


def trailing_percentile(values: pd.Series, *, window: int, min_periods: int) -> pd.Series:
    """Return the percentile of each value among the trailing ``window`` values, in [0, 1].

    Equivalent to ``(rank - 1) / (n - 1)`` of ``values[t]`` within
    ``values[t-window+1 .. t]`` (average rank for ties; n counts non-NaN values).

    >>> trailing_percentile(pd.Series([1.0, 3.0, 2.0, 4.0]), window=3, min_periods=2).tolist()
    [nan, 1.0, 0.5, 1.0]

    Notes
    -----
    Backward-looking only.
    """
    # A numba kernel with pandas' exact rolling-rank/count semantics (about 3x faster).
    pct = _arrays.trailing_percentile_array(values.to_numpy(dtype=np.float64), window,
                                            min_periods)
    return pd.Series(pct, index=values.index, name=values.name)


def _require(frame: pd.DataFrame, component: str) -> None:
    require_columns(frame.columns, component)


def require_columns(columns: Iterable[str] | Mapping[str, object], component: str) -> None:
    """Raise DataError naming the indicator columns ``component`` needs but ``columns`` lacks."""
    have = columns if isinstance(columns, Mapping) else set(columns)
    missing = [c for c in COMPONENT_INPUTS[component] if c not in have]
    if missing:
        raise DataError(
            f"{component} component: indicator frame lacks column(s) {missing}; build it with "
            "trading_signals.features.indicators.compute_indicators(ohlcv) joined to the bars"
        )


def _columns(frame: pd.DataFrame, component: str) -> dict[str, np.ndarray]:
    return {c: frame[c].to_numpy(dtype=np.float64) for c in COMPONENT_INPUTS[component]}


def bounded_array(score: np.ndarray, index: pd.Index, name: str) -> np.ndarray:
    """Check a raw component score is within [0, 1] (1e-12 slack) and clip it; NaN kept.

    Raises
    ------
    DataError
        Naming the first bar outside [0, 1].
    """
    bad = ~np.isnan(score) & ((score < -1e-12) | (score > 1.0 + 1e-12))
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(f"{name}: score {float(score[i])!r} at {index[i]} is outside [0, 1]")
    return _arrays.clip(score, 0.0, 1.0)


def _series(score: np.ndarray, index: pd.Index, name: str) -> pd.Series:
    return pd.Series(bounded_array(score, index, name), index=index, name=name)


def _bounded(score: pd.Series, name: str) -> pd.Series:
    arr = score.to_numpy(dtype=np.float64)
    bad = ~np.isnan(arr) & ((arr < -1e-12) | (arr > 1.0 + 1e-12))
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(f"{name}: score {float(arr[i])!r} at {score.index[i]} is outside [0, 1]")
    return score.clip(0.0, 1.0).rename(name.split()[0])
