"""The confluence engine: OHLCV (+ sentiment, + model) in, labelled explained signals out."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from trading_signals._typing import OHLCV_COLUMNS
from trading_signals.config.signals import COMPONENT_NAMES, SignalsConfig
from trading_signals.data.schema import check_timeframe, same_index, validate_ohlcv
from trading_signals.errors import DataError
from trading_signals.features.indicators import compute_indicators
from trading_signals.signals import _arrays
from trading_signals.signals.components import (
    ModelComponent,
    bounded_array,
    model_score,
    require_columns,
    sentiment_score,
)
from trading_signals.signals.consensus import consensus_arrays
from trading_signals.signals.fusion import fuse_arrays, fusion_weights
from trading_signals.signals.labels import signal_frame
from trading_signals.signals.validate import validate_columns

#: ``sentiment_fn(bars) -> per-bar frame`` with ``sentiment_score`` (used for news joins).
SentimentFn = Callable[[pd.DataFrame], pd.DataFrame]


def indicator_frame(ohlcv: pd.DataFrame) -> pd.DataFrame:
    """Return the OHLCV columns joined with :func:`compute_indicators` (the components' input).

    Notes
    -----
    Inherits the indicators' semantics: the row at bar t uses bars ``<= t``.
    """
    validate_ohlcv(ohlcv, name=f"bars of {ohlcv.attrs.get('symbol', 'frame')}")
    return _join_indicators(ohlcv, compute_indicators(ohlcv))


def _join_indicators(ohlcv: pd.DataFrame, ind: pd.DataFrame) -> pd.DataFrame:
    extra = ind.loc[:, [c for c in ind.columns if c not in OHLCV_COLUMNS]]
    return ohlcv.loc[:, list(OHLCV_COLUMNS)].join(extra)


def _frame_columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    # One 2-D conversion instead of a pandas column lookup per name (all-float frames).
    if len(frame.columns) and all(dt == np.float64 for dt in frame.dtypes):
        return dict(zip(frame.columns, frame.to_numpy().T, strict=True))
    return {c: frame[c].to_numpy() for c in frame.columns}


class _Inputs:
    """The indicator frame as arrays (built without the join; the frame only on demand)."""

    def __init__(self, ohlcv: pd.DataFrame, indicators: pd.DataFrame | None = None) -> None:
        validate_ohlcv(ohlcv, name=f"bars of {ohlcv.attrs.get('symbol', 'frame')}")
        self.ohlcv = ohlcv
        # Precomputed indicator columns (e.g. read back from the features table) skip the
        # recomputation; they must be compute_indicators' columns on the same bars.
        self.ind = compute_indicators(ohlcv) if indicators is None else indicators
        self._frame: pd.DataFrame | None = None
        if self.ind.index.equals(ohlcv.index):
            cols = _frame_columns(self.ind)
            cols.update({c: ohlcv[c].to_numpy() for c in OHLCV_COLUMNS})
            self.index = ohlcv.index
        else:  # unusual: let the join align rows, as indicator_frame does
            cols = _frame_columns(self.frame)
            self.index = self.frame.index
        self.columns: dict[str, np.ndarray] = cols

    @property
    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            self._frame = _join_indicators(self.ohlcv, self.ind)
        return self._frame


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
    comps = _component_arrays(_frame_columns(frame), frame.index, lambda: frame,
                              sentiment=sentiment, model=model, config=config,
                              model_features=model_features)
    return pd.DataFrame(comps, index=frame.index)


def _component_arrays(
    cols: Mapping[str, np.ndarray],
    index: pd.Index,
    frame: Callable[[], pd.DataFrame],
    *,
    sentiment: pd.DataFrame | pd.Series | None,
    model: ModelComponent | None,
    config: SignalsConfig,
    model_features: pd.DataFrame | None,
) -> dict[str, np.ndarray]:
    # Every component as a float64 array in COMPONENT_NAMES order; ``frame()`` builds the
    # indicator frame only if a model needs it as input.
    if model_features is not None:
        if not same_index(model_features.index, index):
            raise DataError("model_features: index differs from the bars' index; compute the "
                            "features on the same bars (one row per bar)")
        model_features = model_features.set_axis(index)
    for comp in ("trend", "momentum", "volatility", "volume"):
        require_columns(cols, comp)
    comps = {
        "trend": bounded_array(_arrays.trend(cols), index, "trend"),
        "momentum": bounded_array(_arrays.momentum(cols), index, "momentum"),
        "volatility": bounded_array(
            _arrays.volatility(cols, window=config.volatility_window,
                               min_periods=config.volatility_min_periods), index, "volatility"),
        "volume": bounded_array(_arrays.volume(cols), index, "volume"),
        "sentiment": sentiment_score(sentiment, index,
                                     max_age_bars=config.sentiment_max_age_bars).to_numpy(),
        "model": (np.full(len(index), np.nan) if model is None else model_score(
            frame() if model_features is None else model_features, model).to_numpy()),
    }
    return {k: np.asarray(comps[k], dtype=np.float64) for k in COMPONENT_NAMES}


def generate_signals(
    ohlcv: pd.DataFrame,
    *,
    sentiment: pd.DataFrame | pd.Series | None = None,
    model: ModelComponent | None = None,
    config: SignalsConfig | None = None,
    timeframe: str = "1d",
    model_features: pd.DataFrame | None = None,
    indicators: pd.DataFrame | None = None,
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
    indicators : DataFrame, optional
        :func:`compute_indicators` columns already computed on these bars (at least those in
        ``COMPONENT_INPUTS``, e.g. read from the features table); default: computed here.

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
    if indicators is not None:
        if not same_index(indicators.index, ohlcv.index):
            raise DataError("indicators: index differs from the bars' index; compute them on "
                            "the same bars (one row per bar)")
        indicators = indicators.set_axis(ohlcv.index)
    inp = _Inputs(ohlcv, indicators)
    comps = _component_arrays(inp.columns, inp.index, lambda: inp.frame, sentiment=sentiment,
                              model=model, config=config, model_features=model_features)
    fused = _fuse_arrays(comps, config)
    validate_columns(fused, inp.index, required=config.required_components,
                     inputs=inp.columns, thresholds=config.thresholds,
                     name=str(ohlcv.attrs.get("symbol", "signals")))
    out = _assemble(ohlcv, inp, fused, config, timeframe)
    out.attrs.update(symbol=ohlcv.attrs.get("symbol"), timeframe=timeframe)
    return out


def _assemble(
    ohlcv: pd.DataFrame,
    inp: _Inputs,
    fused: dict[str, np.ndarray],
    config: SignalsConfig,
    timeframe: str,
) -> pd.DataFrame:
    # Build the output frame once: close, the fused columns, then the consensus columns.
    close = (ohlcv["close"].to_numpy() if inp.index is ohlcv.index
             else ohlcv["close"].reindex(inp.index).to_numpy())  # as DataFrame.insert aligns
    cols = {"close": close, **fused}
    cons = None
    if config.multi_timeframe:
        cons = consensus_arrays(
            ohlcv, base_timeframe=timeframe, timeframe_weights=config.timeframe_weights,
            thresholds=config.thresholds, score_fn=lambda b: technical_score(b, config=config),
            base_scores=pd.Series(fused["confluence_score"], index=inp.index),
        )
        if inp.index is ohlcv.index:
            cols.update(cons)  # disjoint names, same index: what DataFrame.join gives
            cons = None
    out = signal_frame(cols, inp.index)
    if cons is not None:
        out = out.join(signal_frame(cons, ohlcv.index))
    return out


def technical_score(ohlcv: pd.DataFrame, *, config: SignalsConfig | None = None) -> pd.Series:
    """Return the confluence score from the technical components only (no news, no model).

    Used for higher timeframes in the consensus. Notes: bars ``<= t`` only.
    """
    config = config or SignalsConfig()
    inp = _Inputs(ohlcv)
    comps = _component_arrays(inp.columns, inp.index, lambda: inp.frame, sentiment=None,
                              model=None, config=config, model_features=None)
    score = _fuse_arrays(comps, config, score_only=True)["confluence_score"]
    return pd.Series(score, index=inp.index, name="confluence_score")


def signals_for_symbol(
    ohlcv: pd.DataFrame,
    *,
    sentiment_fn: SentimentFn | None = None,
    model: ModelComponent | None = None,
    config: SignalsConfig | None = None,
    timeframe: str = "1d",
    indicators: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Generate one symbol's signals, computing its sentiment with ``sentiment_fn`` if given.

    The unit of work of both the serial loop and the Ray fan-out, so both give equal results.

    Notes
    -----
    ``sentiment_fn`` must join news by publish time (see :func:`generate_signals`).
    """
    sentiment = sentiment_fn(ohlcv) if sentiment_fn is not None else None
    return generate_signals(ohlcv, sentiment=sentiment, model=model, config=config,
                            timeframe=timeframe, indicators=indicators)


def _fuse_arrays(
    comps: Mapping[str, np.ndarray], config: SignalsConfig, *, score_only: bool = False
) -> dict[str, np.ndarray]:
    names, w = fusion_weights(config.weights, config.required_components)
    n = len(next(iter(comps.values())))
    scores = (np.column_stack([comps[c] for c in names]) if names else np.empty((n, 0)))
    return fuse_arrays(scores, names, w, thresholds=config.thresholds,
                       required=config.required_components, min_coverage=config.min_coverage,
                       score_only=score_only)
