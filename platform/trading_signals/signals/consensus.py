"""Multi-timeframe consensus: per-timeframe confluence scores aligned causally onto base bars."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from trading_signals.config.signals import SignalThresholds
from trading_signals.features.timeframes import align_to_base, resample_ohlcv
from trading_signals.signals.labels import LABEL_TO_INT, LABELS, label_scores

#: ``score_fn(bars) -> Series`` of confluence scores in [0, 1] on the bars' index.
ScoreFn = Callable[[pd.DataFrame], pd.Series]

_ORDER = ("1min", "5min", "15min", "30min", "1h", "4h", "1d", "1w", "1mo")


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
    tfs = [tf for tf, w in timeframe_weights.items() if w > 0]
    per_tf: dict[str, pd.Series] = {}
    for tf in sorted(tfs, key=_ORDER.index):
        per_tf[tf] = _tf_scores(bars, tf, base_timeframe, score_fn, base_scores)
    scores = np.column_stack([per_tf[tf].to_numpy(dtype=np.float64) for tf in per_tf])
    w = np.array([float(timeframe_weights[tf]) for tf in per_tf])
    present = ~np.isnan(scores)
    eligible = present.any(axis=1)
    if base_timeframe in per_tf:
        eligible &= present[:, list(per_tf).index(base_timeframe)]
    wp = present * w
    with np.errstate(invalid="ignore", divide="ignore"):
        consensus = np.nansum(wp * np.nan_to_num(scores), axis=1) / wp.sum(axis=1)
    consensus = np.where(eligible, consensus, np.nan)

    out = pd.DataFrame(index=bars.index)
    labels_tf = {}
    for tf, s in per_tf.items():
        out[f"score_tf_{tf}"] = s.to_numpy(dtype=np.float64)
        labels_tf[tf] = label_scores(out[f"score_tf_{tf}"], thresholds=thresholds)
        out[f"signal_tf_{tf}"] = labels_tf[tf]
    out["consensus_score"] = consensus
    out["consensus_signal"] = label_scores(out["consensus_score"], thresholds=thresholds)
    label_matrix = np.column_stack([labels_tf[tf].to_numpy() for tf in per_tf])
    for lab in LABELS:
        out[f"votes_{lab}"] = np.where(eligible, (label_matrix == lab).sum(axis=1), 0)
    out["consensus_agreement"] = _agreement(label_matrix, out["consensus_signal"], wp, eligible)
    names = list(per_tf)
    out["timeframes_missing"] = [
        ", ".join(n for n, p in zip(names, row, strict=True) if not p) for row in present
    ]
    return out


def _tf_scores(
    bars: pd.DataFrame, tf: str, base: str, score_fn: ScoreFn, base_scores: pd.Series | None
) -> pd.Series:
    if tf == base:
        return base_scores if base_scores is not None else score_fn(bars)
    if _ORDER.index(tf) < _ORDER.index(base):
        return pd.Series(np.nan, index=bars.index)
    framed = bars.copy()
    framed.attrs["timeframe"] = base
    higher = resample_ohlcv(framed, tf, drop_incomplete=True)
    if higher.empty:
        return pd.Series(np.nan, index=bars.index)
    scores = score_fn(higher).rename("s")
    return align_to_base(scores, bars.index, higher_rule=tf, base_rule=base)[f"s__{tf}"]


def _agreement(
    labels: np.ndarray, consensus: pd.Series, wp: np.ndarray, eligible: np.ndarray
) -> np.ndarray:
    to_dir = np.vectorize(lambda v: np.sign(LABEL_TO_INT[v]) if v in LABEL_TO_INT else np.nan,
                          otypes=[np.float64])
    tf_dir = to_dir(labels) if labels.size else np.empty(labels.shape)
    c_dir = to_dir(consensus.to_numpy())
    same = (tf_dir == c_dir[:, None]) & ~np.isnan(tf_dir)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = (wp * same).sum(axis=1) / wp.sum(axis=1)
    return np.where(eligible, share, np.nan)
