"""Check a signals frame: scores in range, labels valid, no signal before its inputs' warm-up."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from trading_signals.config.signals import SignalThresholds
from trading_signals.errors import DataError, LookAheadError
from trading_signals.signals.components import COMPONENT_INPUTS
from trading_signals.signals.labels import LABELS, label_scores

_UNIT_COLUMNS = ("confluence_score", "confidence", "coverage", "agreement")


def validate_signals(
    frame: pd.DataFrame,
    *,
    required: Sequence[str] = (),
    inputs: pd.DataFrame | None = None,
    thresholds: SignalThresholds | None = None,
    name: str = "signals",
) -> pd.DataFrame:
    """Validate a frame produced by :func:`~trading_signals.signals.fusion.fuse` and return it.

    Parameters
    ----------
    frame : DataFrame
        Signals with ``confluence_score``, ``signal``, ``score_<c>`` and ``contrib_<c>``.
    required : Sequence[str]
        Components whose warm-up must be over wherever a signal is given.
    inputs : DataFrame, optional
        The indicator frame the components were computed from; when given, a signal on a row
        where any input column of a required component is still NaN is a look-ahead error.
    thresholds : SignalThresholds, optional
        When given, each label must be the one the thresholds assign to its score.
    name : str
        Used in error messages (e.g. the symbol).

    Returns
    -------
    DataFrame
        ``frame`` unchanged.

    Raises
    ------
    DataError
        A score outside [0, 1], an unknown label, a label without a score (or the reverse),
        contributions that do not add up, or a label that contradicts the thresholds.
    LookAheadError
        A signal on a bar before the warm-up of its inputs has ended.

    Notes
    -----
    Each message names the first offending row (position and timestamp).
    """
    if "confluence_score" not in frame or "signal" not in frame:
        raise DataError(f"{name}: missing confluence_score/signal columns; build it with fuse()")
    for col in [c for c in frame.columns if c.startswith("score_")] + list(_UNIT_COLUMNS):
        if col in frame:
            _check_unit(frame, col, name)
    has_signal = _check_labels(frame, name)
    _check_contributions(frame, has_signal, name)
    if thresholds is not None:
        _check_thresholds(frame, has_signal, thresholds, name)
    _check_warmup(frame, has_signal, required, inputs, name)
    return frame


def _row(frame: pd.DataFrame, mask: np.ndarray) -> str:
    i = int(np.argmax(mask))
    return f"row {i} ({frame.index[i]})"


def _check_unit(frame: pd.DataFrame, col: str, name: str) -> None:
    x = frame[col].to_numpy(dtype=np.float64)
    bad = ~np.isnan(x) & ((x < 0.0) | (x > 1.0))
    if bad.any():
        raise DataError(f"{name}: {col} = {float(x[int(np.argmax(bad))])!r} at {_row(frame, bad)} "
                        "is outside [0, 1]")


def _check_labels(frame: pd.DataFrame, name: str) -> np.ndarray:
    labels = frame["signal"]
    has_signal = np.asarray(labels.notna(), dtype=bool)
    bad = has_signal & ~labels.isin(LABELS).to_numpy()
    if bad.any():
        raise DataError(f"{name}: signal {labels.iloc[int(np.argmax(bad))]!r} at "
                        f"{_row(frame, bad)} is not one of {list(LABELS)}")
    scored = frame["confluence_score"].notna().to_numpy()
    mismatch = has_signal != scored
    if mismatch.any():
        raise DataError(f"{name}: signal and confluence_score disagree on presence at "
                        f"{_row(frame, mismatch)}; a label needs a score and vice versa")
    return has_signal


def _check_contributions(frame: pd.DataFrame, has_signal: np.ndarray, name: str) -> None:
    contrib = [c for c in frame.columns if c.startswith("contrib_")]
    if not contrib:
        return
    total = np.nansum(frame[contrib].to_numpy(dtype=np.float64), axis=1)
    gap = np.abs(total - (frame["confluence_score"].to_numpy(dtype=np.float64) - 0.5))
    bad = has_signal & (gap > 1e-9)
    if bad.any():
        raise DataError(f"{name}: contributions do not sum to confluence_score - 0.5 at "
                        f"{_row(frame, bad)}")


def _check_thresholds(
    frame: pd.DataFrame, has_signal: np.ndarray, thresholds: SignalThresholds, name: str
) -> None:
    expected = label_scores(frame["confluence_score"], thresholds=thresholds)
    bad = has_signal & (expected.to_numpy() != frame["signal"].to_numpy())
    if bad.any():
        raise DataError(f"{name}: label at {_row(frame, bad)} contradicts the thresholds "
                        f"(expected {expected.iloc[int(np.argmax(bad))]})")


def _check_warmup(
    frame: pd.DataFrame,
    has_signal: np.ndarray,
    required: Sequence[str],
    inputs: pd.DataFrame | None,
    name: str,
) -> None:
    for comp in required:
        col = f"score_{comp}"
        if col in frame:
            early = has_signal & frame[col].isna().to_numpy()
            if early.any():
                raise LookAheadError(f"{name}: signal at {_row(frame, early)} before the "
                                     f"warm-up of component {comp!r} ended")
        if inputs is None or comp not in COMPONENT_INPUTS:
            continue
        cols = [c for c in COMPONENT_INPUTS[comp] if c in inputs]
        not_ready = inputs[cols].isna().any(axis=1).to_numpy()
        if len(not_ready) != len(has_signal):
            raise DataError(f"{name}: inputs has {len(not_ready)} rows, signals {len(has_signal)}")
        early = has_signal & not_ready
        if early.any():
            missing = [c for c in cols if pd.isna(inputs[c].iloc[int(np.argmax(early))])]
            raise LookAheadError(f"{name}: signal at {_row(frame, early)} before the warm-up "
                                 f"of {comp} input(s) {missing} ended")
