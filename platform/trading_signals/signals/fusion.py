"""Fuse component scores into a labelled, explained ``confluence_score`` per bar."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from trading_signals.config.signals import SignalThresholds
from trading_signals.errors import ConfigError
from trading_signals.signals._explain import (
    explanations,
    missing_text,
    presence_codes,
    text_column,
)
from trading_signals.signals.labels import label_codes, labels_of, signal_frame

#: Columns :func:`fuse` adds besides ``score_<c>`` and ``contrib_<c>``.
FUSION_COLUMNS: tuple[str, ...] = (
    "confluence_score", "signal", "confidence", "coverage", "agreement",
    "missing_components", "explanation",
)


def fuse(
    components: pd.DataFrame,
    *,
    weights: Mapping[str, float],
    thresholds: SignalThresholds,
    required: Sequence[str] = (),
    min_coverage: float = 0.0,
) -> pd.DataFrame:
    """Fuse component scores in [0, 1] into a confluence score, label, confidence and story.

    With ``w_i`` the weights of the components *present* at bar t (non-NaN) and
    ``w'_i = w_i / sum(w_present)`` (renormalised):

    - ``contrib_i = w'_i * (s_i - 0.5)`` (NaN when component i is missing),
    - ``confluence_score = 0.5 + sum_i contrib_i`` (a weighted mean of the present scores),
    - ``coverage = sum(w_present) / sum(w_all)``,
    - ``agreement = sum of w'_i over components on the same side of 0.5 as the score``,
    - ``confidence = 2 |score - 0.5| * agreement * coverage``, in [0, 1].

    Parameters
    ----------
    components : DataFrame
        One column per component (e.g. ``trend momentum ... model``), values in [0, 1] or NaN.
    weights : Mapping[str, float]
        Non-negative weight per component; a weighted component absent from ``components``
        counts as missing, a column without weight is ignored.
    thresholds : SignalThresholds
        Label cut points (see :func:`trading_signals.signals.labels.label_scores`).
    required : Sequence[str]
        Components that must be present for a bar to get a signal (the warm-up policy).
    min_coverage : float
        Minimum ``coverage`` for a signal.

    Returns
    -------
    DataFrame
        Same index; ``score_<c>`` and ``contrib_<c>`` for every weighted component, then
        :data:`FUSION_COLUMNS`. Bars without a signal have NaN numbers, ``signal`` None and an
        explanation saying why.

    Raises
    ------
    ConfigError
        If the weights are negative or all zero, or a required component has no weight.

    Notes
    -----
    Pointwise in time: the output at bar t depends only on the component scores at bar t.
    Missing components never count as neutral: their weight is redistributed over the
    present ones and ``missing_components`` names them.
    """
    names, w = fusion_weights(weights, required)
    scores = np.column_stack(
        [components[c].to_numpy(dtype=np.float64) if c in components else
         np.full(len(components), np.nan) for c in names]
    ) if names else np.empty((len(components), 0))
    cols = fuse_arrays(scores, names, w, thresholds=thresholds, required=required,
                       min_coverage=min_coverage)
    return signal_frame(cols, components.index)


def fuse_arrays(
    scores: np.ndarray,
    names: Sequence[str],
    w: np.ndarray,
    *,
    thresholds: SignalThresholds,
    required: Sequence[str] = (),
    min_coverage: float = 0.0,
    score_only: bool = False,
) -> dict[str, np.ndarray]:
    """Fuse an ``(n, m)`` score matrix (columns ``names``, weights ``w``); see :func:`fuse`.

    Returns the output columns in :func:`fuse`'s order as arrays (only ``confluence_score``
    when ``score_only``, e.g. for higher timeframes of the consensus).

    Notes
    -----
    Pointwise in time, like :func:`fuse`.
    """
    names = list(names)
    present = ~np.isnan(scores)
    w_present = present * w
    w_sum = w_present.sum(axis=1)
    coverage = w_sum / w.sum()
    req_idx = [names.index(r) for r in required]
    eligible = (w_sum > 0) & (coverage >= min_coverage - 1e-12)
    if req_idx:
        eligible &= present[:, req_idx].all(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        w_norm = w_present / w_sum[:, None]
    contrib = np.where(present & eligible[:, None], w_norm * (scores - 0.5), np.nan)
    score = np.where(eligible, 0.5 + np.nansum(contrib, axis=1), np.nan)
    score = np.clip(score, 0.0, 1.0)
    if score_only:
        return {"confluence_score": score}
    side = np.sign(score - 0.5)
    agree = np.where(present, np.sign(scores - 0.5) == side[:, None], False)
    agreement = np.where(eligible, (w_norm * agree).sum(axis=1), np.nan)
    confidence = np.clip(2.0 * np.abs(score - 0.5) * agreement * coverage, 0.0, 1.0)

    out: dict[str, np.ndarray] = {}
    for j, c in enumerate(names):
        out[f"score_{c}"] = scores[:, j]
    for j, c in enumerate(names):
        out[f"contrib_{c}"] = contrib[:, j]
    out["confluence_score"] = score
    codes = label_codes(score, thresholds=thresholds)
    out["signal"] = labels_of(codes)
    out["confidence"] = confidence
    out["coverage"] = np.where(eligible, coverage, np.nan)
    out["agreement"] = agreement
    code = presence_codes(present)
    out["missing_components"] = text_column(missing_text(names, present, code))
    out["explanation"] = text_column(explanations(
        names, contrib, score, codes, present, eligible, coverage,
        required=tuple(required), min_coverage=min_coverage, code=code,
    ))
    return out


def fusion_weights(
    weights: Mapping[str, float], required: Sequence[str]
) -> tuple[list[str], np.ndarray]:
    """Return the weighted component names and their weights, checking the configuration.

    Raises
    ------
    ConfigError
        Negative or all-zero weights, or a required component without weight.
    """
    if any(v < 0 for v in weights.values()):
        raise ConfigError(f"signals.weights: weights must be >= 0 (got {dict(weights)})")
    names = [c for c, v in weights.items() if v > 0]
    if not names:
        raise ConfigError("signals.weights: at least one component needs a weight > 0")
    no_weight = [r for r in required if r not in names]
    if no_weight:
        raise ConfigError(
            f"signals.required_components {no_weight} have no weight; give them a weight > 0 "
            "or remove them from required_components"
        )
    return names, np.array([float(weights[c]) for c in names])
