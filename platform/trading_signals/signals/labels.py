"""Signal labels (STRONG_SELL..STRONG_BUY) and the threshold rule that assigns them."""

from __future__ import annotations

from enum import Enum

import numpy as np
import pandas as pd

from trading_signals.config.signals import SignalThresholds


class SignalLabel(str, Enum):
    """The five signal labels, ordered from most bearish to most bullish."""

    STRONG_SELL = "STRONG_SELL"
    SELL = "SELL"
    HOLD = "HOLD"
    BUY = "BUY"
    STRONG_BUY = "STRONG_BUY"

    @property
    def direction(self) -> int:
        """Return -1 for sells, 0 for HOLD and +1 for buys."""
        return int(np.sign(LABEL_TO_INT[self.value]))


#: Label text -> ordinal position in {-2, ..., 2} (useful as a target position).
LABEL_TO_INT: dict[str, int] = {
    "STRONG_SELL": -2,
    "SELL": -1,
    "HOLD": 0,
    "BUY": 1,
    "STRONG_BUY": 2,
}
LABELS: tuple[str, ...] = tuple(LABEL_TO_INT)
_LABEL_OBJECTS = np.array([*LABELS, None], dtype=object)


def label_scores(scores: pd.Series, *, thresholds: SignalThresholds) -> pd.Series:
    """Map confluence scores in [0, 1] to label strings (None where the score is NaN).

    Parameters
    ----------
    scores : Series
        Confluence scores in [0, 1]; NaN means "no signal".
    thresholds : SignalThresholds
        Cut points: ``s <= strong_sell`` STRONG_SELL, ``s <= sell`` SELL, ``s < buy`` HOLD,
        ``s < strong_buy`` BUY, else STRONG_BUY.

    Returns
    -------
    Series
        Object dtype, same index, values from :data:`LABELS` or None.

    Notes
    -----
    Pointwise: the label at bar t depends only on the score at bar t.

    Examples
    --------
    >>> s = pd.Series([0.1, 0.4, 0.5, 0.6, 0.9, float("nan")])
    >>> label_scores(s, thresholds=SignalThresholds()).tolist()
    ['STRONG_SELL', 'SELL', 'HOLD', 'BUY', 'STRONG_BUY', None]
    """
    x = scores.to_numpy(dtype=np.float64)
    return pd.Series(label_array(x, thresholds=thresholds), index=scores.index, name="signal",
                     dtype=object)


def label_array(x: np.ndarray, *, thresholds: SignalThresholds) -> np.ndarray:
    """Return :func:`label_scores` of a float array as an object array (None where NaN).

    >>> label_array(np.array([0.3, 0.6, np.nan]), thresholds=SignalThresholds()).tolist()
    ['STRONG_SELL', 'BUY', None]

    Notes
    -----
    Pointwise. Thresholds are strictly increasing, so the label index is the number of cut
    points the score has passed.
    """
    return labels_of(label_codes(x, thresholds=thresholds))


def labels_of(codes: np.ndarray) -> np.ndarray:
    """Return the label strings of :func:`label_codes` output (None for ``len(LABELS)``)."""
    return _LABEL_OBJECTS[codes]


def label_codes(x: np.ndarray, *, thresholds: SignalThresholds) -> np.ndarray:
    """Return the position of each score's label in :data:`LABELS` (``len(LABELS)`` if NaN).

    >>> label_codes(np.array([0.3, 0.35, 0.5, 0.6, 0.7, np.nan]),
    ...             thresholds=SignalThresholds()).tolist()
    [0, 1, 2, 3, 4, 5]
    """
    x = np.asarray(x, dtype=np.float64)
    code = ((x > thresholds.strong_sell).astype(np.intp) + (x > thresholds.sell)
            + (x >= thresholds.buy) + (x >= thresholds.strong_buy))
    code[np.isnan(x)] = len(LABELS)
    return code


def signal_frame(cols: dict[str, np.ndarray], index: pd.Index) -> pd.DataFrame:
    """Build a signals frame from column arrays, keeping object columns as object dtype.

    Label columns hold a label or None and text columns are object arrays. pandas 3 would
    infer its ``str`` dtype for them and turn None into NaN (truthy, and not JSON null), so
    they are put back as object columns: the frame is the same under pandas 2 and 3.
    """
    frame = pd.DataFrame(cols, index=index, copy=False)
    for pos, (name, values) in enumerate(cols.items()):
        if getattr(values, "dtype", None) == object and frame.dtypes.iloc[pos] != object:
            frame.isetitem(pos, pd.Series(values, index=index, dtype=object, copy=False, name=name))
    return frame
