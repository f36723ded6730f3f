"""Multi-timeframe consensus: per-timeframe confluence scores aligned causally onto base bars."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from trading_signals.config.signals import SignalThresholds
from trading_signals.timeframes import TIMEFRAMES
from trading_signals.features.timeframes import align_to_base, resample_ohlcv
from trading_signals.signals._explain import missing_text, text_column
from trading_signals.signals.labels import (
    LABEL_TO_INT,
    LABELS,
    label_codes,
    labels_of,
    signal_frame,
)

#: ``score_fn(bars) -> Series`` of confluence scores in [0, 1] on the bars' index.
ScoreFn = Callable[[pd.DataFrame], pd.Series]

_ORDER = TIMEFRAMES  # finest first, from the one table


def multi_timeframe_consensus(
    bars: pd.DataFrame,
    *,
    base_timeframe: str,
    timeframe_weights: Mapping[str, float],
    thresholds: SignalThresholds,
    score_fn: ScoreFn,
    base_scores: pd.Series | None = None,
) -> pd.DataFrame:
    """Combine confluence scores computed on several timeframes into one score per base bar.

    For each timeframe ``tf`` with weight > 0: the base timeframe uses ``base_scores`` (or
    ``score_fn(bars)``); a coarser ``tf`` resamples the bars (complete periods only) and
    scores them with ``score_fn``, then aligns with
    :func:`~trading_signals.features.timeframes.align_to_base`; a finer ``tf`` cannot be built
    from ``bars`` and is reported missing. Then, over the timeframes present at bar t,

    - ``consensus_score = sum(w_tf * score_tf) / sum(w_tf)`` (weights renormalised),
    - ``consensus_signal`` = label of ``consensus_score`` (same thresholds),
    - ``votes_<LABEL>`` = number of timeframes whose own score has that label,
    - ``consensus_agreement`` = weight share of timeframes on the consensus side
      (sell / hold / buy),
    - ``timeframes_missing`` names the weighted timeframes without a score.

    The base timeframe, when weighted, must have a score for the bar to get a consensus.

    Parameters
    ----------
    bars : DataFrame
        Canonical OHLCV bars of the base timeframe, stamped at bar starts.
    base_timeframe : str
        Timeframe of ``bars``.
    timeframe_weights : Mapping[str, float]
        Weight per timeframe (e.g. ``{"1h": 0.1, "4h": 0.2, "1d": 0.4, "1w": 0.3}``).
    thresholds : SignalThresholds
        Label cut points.
    score_fn : callable
        Confluence score of a canonical frame (must itself be causal).
    base_scores : Series, optional
        Already computed base-timeframe scores (saves recomputing them).

    Returns
    -------
    DataFrame
        On ``bars.index``: ``score_tf_<tf>``, ``signal_tf_<tf>``, ``consensus_score``,
        ``consensus_signal``, ``votes_<LABEL>``, ``consensus_agreement``, ``timeframes_missing``.

    Notes
    -----
    No look-ahead: a higher-timeframe score becomes visible only at the first base bar that
    ENDS at or after the higher bar's end (``align_to_base(..., base_rule=base_timeframe)``),
    and incomplete trailing higher periods are dropped, so values at base bar t depend only on
    base bars ``<= t``.
    """
    cols = consensus_arrays(bars, base_timeframe=base_timeframe,
                            timeframe_weights=timeframe_weights, thresholds=thresholds,
                            score_fn=score_fn, base_scores=base_scores)
    return signal_frame(cols, bars.index)


def consensus_arrays(
    bars: pd.DataFrame,
    *,
    base_timeframe: str,
    timeframe_weights: Mapping[str, float],
    thresholds: SignalThresholds,
    score_fn: ScoreFn,
    base_scores: pd.Series | None = None,
) -> dict[str, np.ndarray]:
    """Return :func:`multi_timeframe_consensus`'s columns as arrays, in its column order.

    Notes
    -----
    Same semantics (and no look-ahead) as :func:`multi_timeframe_consensus`.
    """
    tfs = [tf for tf, w in timeframe_weights.items() if w > 0]
    per_tf: dict[str, np.ndarray] = {}
    for tf in sorted(tfs, key=_ORDER.index):
        per_tf[tf] = np.asarray(_tf_scores(bars, tf, base_timeframe, score_fn, base_scores),
                                dtype=np.float64)
    scores = np.column_stack(list(per_tf.values()))
    w = np.array([float(timeframe_weights[tf]) for tf in per_tf])
    present = ~np.isnan(scores)
    eligible = present.any(axis=1)
    if base_timeframe in per_tf:
        eligible &= present[:, list(per_tf).index(base_timeframe)]
    wp = present * w
    with np.errstate(invalid="ignore", divide="ignore"):
        consensus = np.nansum(wp * np.nan_to_num(scores), axis=1) / wp.sum(axis=1)
    consensus = np.where(eligible, consensus, np.nan)

    out: dict[str, np.ndarray] = {}
    codes = []
    for j, tf in enumerate(per_tf):
        out[f"score_tf_{tf}"] = scores[:, j]
        codes.append(label_codes(scores[:, j], thresholds=thresholds))
        out[f"signal_tf_{tf}"] = labels_of(codes[-1])
    out["consensus_score"] = consensus
    c_code = label_codes(consensus, thresholds=thresholds)
    out["consensus_signal"] = labels_of(c_code)
    code_matrix = np.column_stack(codes)
    for k, lab in enumerate(LABELS):
        out[f"votes_{lab}"] = np.where(eligible, (code_matrix == k).sum(axis=1), 0)
    out["consensus_agreement"] = _agreement(code_matrix, c_code, wp, eligible)
    out["timeframes_missing"] = text_column(missing_text(list(per_tf), present))
    return out


def _tf_scores(
    bars: pd.DataFrame, tf: str, base: str, score_fn: ScoreFn, base_scores: pd.Series | None
) -> pd.Series:
    if tf == base:
        return base_scores if base_scores is not None else score_fn(bars)
    if _ORDER.index(tf) < _ORDER.index(base):
        return pd.Series(np.nan, index=bars.index)
    framed = bars.copy(deep=False)  # attrs are copied, the data is not
    framed.attrs["timeframe"] = base
    higher = resample_ohlcv(framed, tf, drop_incomplete=True)
    if higher.empty:
        return pd.Series(np.nan, index=bars.index)
    scores = score_fn(higher).rename("s")
    return align_to_base(scores, bars.index, higher_rule=tf, base_rule=base)[f"s__{tf}"]


def _agreement(
    codes: np.ndarray, c_code: np.ndarray, wp: np.ndarray, eligible: np.ndarray
) -> np.ndarray:
    # Direction of a label code (0..4 = STRONG_SELL..STRONG_BUY, 5 = none): -1/0/+1 or NaN.
    direction = np.array([np.sign(LABEL_TO_INT[lab]) for lab in LABELS] + [np.nan])
    tf_dir = direction[codes]
    c_dir = direction[c_code]
    same = (tf_dir == c_dir[:, None]) & ~np.isnan(tf_dir)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = (wp * same).sum(axis=1) / wp.sum(axis=1)
    return np.where(eligible, share, np.nan)
