"""The confluence engine: OHLCV (+ sentiment, + model) in, labelled explained signals out."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from trading_signals._typing import OHLCV_COLUMNS
from trading_signals.config.signals import COMPONENT_NAMES, SignalsConfig
from trading_signals.data.schema import check_timeframe, validate_ohlcv
from trading_signals.errors import DataError
from trading_signals.features.indicators import compute_indicators
from trading_signals.signals.components import (
    ModelComponent,
    model_score,
    momentum_score,
    sentiment_score,
    trend_score,
    volatility_score,
    volume_score,
)
from trading_signals.signals.consensus import multi_timeframe_consensus
from trading_signals.signals.fusion import fuse
from trading_signals.signals.validate import validate_signals

#: ``sentiment_fn(bars) -> per-bar frame`` with ``sentiment_score`` (used for news joins).
SentimentFn = Callable[[pd.DataFrame], pd.DataFrame]


def indicator_frame(ohlcv: pd.DataFrame) -> pd.DataFrame:
    """Return the OHLCV columns joined with :func:`compute_indicators` (the components' input).

    Notes
    -----
    Inherits the indicators' semantics: the row at bar t uses bars ``<= t``.
    """
    validate_ohlcv(ohlcv, name=f"bars of {ohlcv.attrs.get('symbol', 'frame')}")
    ind = compute_indicators(ohlcv)
    extra = ind.loc[:, [c for c in ind.columns if c not in OHLCV_COLUMNS]]
    return ohlcv.loc[:, list(OHLCV_COLUMNS)].join(extra)


def compute_components(
    frame: pd.DataFrame,
    *,
    sentiment: pd.DataFrame | pd.Series | None = None,
    model: ModelComponent | None = None,
    config: SignalsConfig | None = None,
    model_features: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Compute every component score (columns in ``COMPONENT_NAMES`` order) on ``frame``.

    Parameters
    ----------
    frame : DataFrame
        Indicator frame from :func:`indicator_frame`.
    sentiment : DataFrame or Series, optional
        Per-bar ``sentiment_score`` in [-1, 1] on ``frame.index`` (NaN: no news yet).
    model : ModelComponent, optional
        Called with ``model_features`` (default: ``frame``); returns scores in [0, 1].
    config : SignalsConfig, optional
        Volatility rank window, sentiment staleness (defaults when None).
    model_features : DataFrame, optional
        The model's input (e.g. ``compute_features`` output) on ``frame.index``.

    Returns
    -------
    DataFrame
        Columns ``trend momentum volatility volume sentiment model`` in [0, 1] or NaN.

    Notes
    -----
    Each column at bar t uses bars ``<= t`` (see the component functions).
    """
    config = config or SignalsConfig()
    if model_features is not None and not model_features.index.equals(frame.index):
        raise DataError("model_features: index differs from the bars' index; compute the "
                        "features on the same bars (one row per bar)")
    comps = {
        "trend": trend_score(frame),
        "momentum": momentum_score(frame),
        "volatility": volatility_score(
            frame, window=config.volatility_window, min_periods=config.volatility_min_periods
        ),
        "volume": volume_score(frame),
        "sentiment": sentiment_score(sentiment, frame.index,
                                     max_age_bars=config.sentiment_max_age_bars),
        "model": model_score(frame if model_features is None else model_features, model),
    }
    return pd.DataFrame({k: comps[k] for k in COMPONENT_NAMES}, index=frame.index)


def generate_signals(
    ohlcv: pd.DataFrame,
    *,
    sentiment: pd.DataFrame | pd.Series | None = None,
    model: ModelComponent | None = None,
    config: SignalsConfig | None = None,
    timeframe: str = "1d",
    model_features: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Generate validated confluence signals for one symbol's bars.

    Parameters
    ----------
    ohlcv : DataFrame
        Canonical OHLCV bars of one symbol, stamped at bar starts.
    sentiment : DataFrame or Series, optional
        Per-bar news sentiment (``sentiment_score`` in [-1, 1], NaN before the first article).
    model : ModelComponent, optional
        Pluggable model component.
    config : SignalsConfig, optional
        Weights, thresholds, warm-up policy and multi-timeframe settings (defaults when None).
    timeframe : str
        Timeframe of ``ohlcv`` (for the multi-timeframe consensus).
    model_features : DataFrame, optional
        Input of ``model`` on ``ohlcv.index`` (default: the indicator frame).

    Returns
    -------
    DataFrame
        ``close``, ``score_<c>``, ``contrib_<c>``, ``confluence_score``, ``signal``,
        ``confidence``, ``coverage``, ``agreement``, ``missing_components``, ``explanation``
        and, with ``config.multi_timeframe``, the consensus columns. ``attrs`` carry
        ``symbol`` and ``timeframe``.

    Raises
    ------
    DataError, LookAheadError
        From input validation and :func:`validate_signals`.

    Notes
    -----
    No look-ahead: every column at bar t depends only on bars (and news) up to t; a property
    test perturbs bars after t and checks that nothing up to t changes. Sentiment and model
    apply to the base timeframe only; higher timeframes use technical components.
    """
    check_timeframe(timeframe)
    config = config or SignalsConfig()
    frame = indicator_frame(ohlcv)
    comps = compute_components(frame, sentiment=sentiment, model=model, config=config,
                               model_features=model_features)
    out = _fuse(comps, config)
    validate_signals(out, required=config.required_components, inputs=frame,
                     thresholds=config.thresholds, name=str(ohlcv.attrs.get("symbol", "signals")))
    out.insert(0, "close", ohlcv["close"])
    if config.multi_timeframe:
        cons = multi_timeframe_consensus(
            ohlcv, base_timeframe=timeframe, timeframe_weights=config.timeframe_weights,
            thresholds=config.thresholds, score_fn=lambda b: technical_score(b, config=config),
            base_scores=out["confluence_score"],
        )
        out = out.join(cons)
    out.attrs.update(symbol=ohlcv.attrs.get("symbol"), timeframe=timeframe)
    return out


def technical_score(ohlcv: pd.DataFrame, *, config: SignalsConfig | None = None) -> pd.Series:
    """Return the confluence score from the technical components only (no news, no model).

    Used for higher timeframes in the consensus. Notes: bars ``<= t`` only.
    """
    config = config or SignalsConfig()
    comps = compute_components(indicator_frame(ohlcv), config=config)
    return _fuse(comps, config)["confluence_score"]


def signals_for_symbol(
    ohlcv: pd.DataFrame,
    *,
    sentiment_fn: SentimentFn | None = None,
    model: ModelComponent | None = None,
    config: SignalsConfig | None = None,
    timeframe: str = "1d",
) -> pd.DataFrame:
    """Generate one symbol's signals, computing its sentiment with ``sentiment_fn`` if given.

    The unit of work of both the serial loop and the Ray fan-out, so both give equal results.

    Notes
    -----
    ``sentiment_fn`` must join news by publish time (see :func:`generate_signals`).
    """
    sentiment = sentiment_fn(ohlcv) if sentiment_fn is not None else None
    return generate_signals(ohlcv, sentiment=sentiment, model=model, config=config,
                            timeframe=timeframe)


def _fuse(comps: pd.DataFrame, config: SignalsConfig) -> pd.DataFrame:
    return fuse(comps, weights=config.weights, thresholds=config.thresholds,
                required=config.required_components, min_coverage=config.min_coverage)
