"""Check a signals frame: scores in range, labels valid, no signal before its inputs' warm-up."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from trading_signals.config.signals import SignalThresholds
from trading_signals.errors import DataError, LookAheadError
from trading_signals.signals.components import COMPONENT_INPUTS
from trading_signals.signals.labels import LABELS, label_array

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
    columns = {c: frame[c].to_numpy() for c in frame.columns}
    ins = None if inputs is None else _InputColumns(inputs)
    validate_columns(columns, frame.index, required=required, inputs=ins,
                     thresholds=thresholds, name=name)
    return frame


def validate_columns(
    columns: Mapping[str, np.ndarray],
    index: pd.Index,
    *,
    required: Sequence[str] = (),
    inputs: Mapping[str, np.ndarray] | None = None,
    thresholds: SignalThresholds | None = None,
    name: str = "signals",
) -> None:
    """Run :func:`validate_signals` on the columns of a signals frame given as arrays.

    The engine calls this on its arrays before building the frame (same checks, same
    messages); ``inputs`` maps indicator column names to arrays.

    Notes
    -----
    Each message names the first offending row (position and timestamp of ``index``).
    """
    if "confluence_score" not in columns or "signal" not in columns:
        raise DataError(f"{name}: missing confluence_score/signal columns; build it with fuse()")
    for col in [c for c in columns if c.startswith("score_")] + list(_UNIT_COLUMNS):
        if col in columns:
            _check_unit(columns[col], index, col, name)
    has_signal = _check_labels(columns, index, name)
    _check_contributions(columns, index, has_signal, name)
    if thresholds is not None:
        _check_thresholds(columns, index, has_signal, thresholds, name)
    _check_warmup(columns, index, has_signal, required, inputs, name)


class _InputColumns(Mapping[str, np.ndarray]):
    # Lazy column access to an inputs frame (only the columns a check reads are converted).
    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame

    def __getitem__(self, key: str) -> np.ndarray:
        return self._frame[key].to_numpy()

    def __iter__(self) -> Iterator[str]:
        return iter(self._frame.columns)

    def __len__(self) -> int:
        return len(self._frame.columns)

    def __contains__(self, key: object) -> bool:
        return key in self._frame.columns


def _row(index: pd.Index, mask: np.ndarray) -> str:
    i = int(np.argmax(mask))
    return f"row {i} ({index[i]})"


def _check_unit(x: np.ndarray, index: pd.Index, col: str, name: str) -> None:
    x = np.asarray(x, dtype=np.float64)
    bad = ~np.isnan(x) & ((x < 0.0) | (x > 1.0))
    if bad.any():
        raise DataError(f"{name}: {col} = {float(x[int(np.argmax(bad))])!r} at "
                        f"{_row(index, bad)} is outside [0, 1]")


def _check_labels(columns: Mapping[str, np.ndarray], index: pd.Index, name: str) -> np.ndarray:
    labels = np.asarray(columns["signal"], dtype=object)
    has_signal = np.asarray(pd.notna(labels), dtype=bool)
    bad = has_signal & ~pd.Series(labels, dtype=object, copy=False).isin(LABELS).to_numpy()
    if bad.any():
        raise DataError(f"{name}: signal {labels[int(np.argmax(bad))]!r} at "
                        f"{_row(index, bad)} is not one of {list(LABELS)}")
    scored = ~np.isnan(np.asarray(columns["confluence_score"], dtype=np.float64))
    mismatch = has_signal != scored
    if mismatch.any():
        raise DataError(f"{name}: signal and confluence_score disagree on presence at "
                        f"{_row(index, mismatch)}; a label needs a score and vice versa")
    return has_signal


def _check_contributions(
    columns: Mapping[str, np.ndarray], index: pd.Index, has_signal: np.ndarray, name: str
) -> None:
    contrib = [np.asarray(v, dtype=np.float64) for c, v in columns.items()
               if c.startswith("contrib_")]
    if not contrib:
        return
    total = np.nansum(np.column_stack(contrib), axis=1)
    score = np.asarray(columns["confluence_score"], dtype=np.float64)
    gap = np.abs(total - (score - 0.5))
    bad = has_signal & (gap > 1e-9)
    if bad.any():
        raise DataError(f"{name}: contributions do not sum to confluence_score - 0.5 at "
                        f"{_row(index, bad)}")


def _check_thresholds(
    columns: Mapping[str, np.ndarray],
    index: pd.Index,
    has_signal: np.ndarray,
    thresholds: SignalThresholds,
    name: str,
) -> None:
    expected = label_array(columns["confluence_score"], thresholds=thresholds)
    bad = has_signal & (expected != np.asarray(columns["signal"], dtype=object))
    if bad.any():
        raise DataError(f"{name}: label at {_row(index, bad)} contradicts the thresholds "
                        f"(expected {expected[int(np.argmax(bad))]})")


def _check_warmup(
    columns: Mapping[str, np.ndarray],
    index: pd.Index,
    has_signal: np.ndarray,
    required: Sequence[str],
    inputs: Mapping[str, np.ndarray] | None,
    name: str,
) -> None:
    for comp in required:
        col = f"score_{comp}"
        if col in columns:
            early = has_signal & np.isnan(np.asarray(columns[col], dtype=np.float64))
            if early.any():
                raise LookAheadError(f"{name}: signal at {_row(index, early)} before the "
                                     f"warm-up of component {comp!r} ended")
        if inputs is None or comp not in COMPONENT_INPUTS:
            continue
        cols = [c for c in COMPONENT_INPUTS[comp] if c in inputs]
        na = [np.asarray(pd.isna(inputs[c]), dtype=bool) for c in cols]
        not_ready = (np.logical_or.reduce(na) if na
                     else np.zeros(len(has_signal) if inputs is None else _rows(inputs), bool))
        if len(not_ready) != len(has_signal):
            raise DataError(f"{name}: inputs has {len(not_ready)} rows, signals {len(has_signal)}")
        early = has_signal & not_ready
        if early.any():
            i = int(np.argmax(early))
            missing = [c for c, m in zip(cols, na, strict=True) if m[i]]
            raise LookAheadError(f"{name}: signal at {_row(index, early)} before the warm-up "
                                 f"of {comp} input(s) {missing} ended")


def _rows(inputs: Mapping[str, np.ndarray]) -> int:
    if isinstance(inputs, _InputColumns):
        return len(inputs._frame)
    return len(next(iter(inputs.values()))) if len(inputs) else 0
