"""Model contract and panel helpers.

A model dataset is a long frame indexed by ``(timestamp, symbol)`` (sorted by timestamp, then
symbol) whose columns are features; the label is a Series on the same index.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from trading_signals._typing import SYMBOL, TIMESTAMP
from trading_signals.errors import DataError


@dataclass(frozen=True)
class DatasetReport:
    """Row counts of :func:`make_dataset`: nothing is dropped silently."""

    n_rows_in: int
    n_rows_out: int
    n_dropped_feature_nan: int
    n_dropped_label_nan: int
    per_symbol_dropped: dict[str, int]


def make_dataset(
    features_by_symbol: Mapping[str, pd.DataFrame],
    labels_by_symbol: Mapping[str, pd.Series],
    *,
    columns: list[str] | None = None,
) -> tuple[pd.DataFrame, pd.Series, DatasetReport]:
    """Stack per-symbol features and labels into a ``(timestamp, symbol)`` panel.

    Parameters
    ----------
    features_by_symbol
        Frames indexed by timestamp, one per symbol, with the same feature columns.
    labels_by_symbol
        Label series per symbol on the same timestamps (e.g. the forward return at t).
    columns
        Feature columns to keep (all columns of the first frame if None).

    Returns
    -------
    X, y, report
        ``X`` and ``y`` share a MultiIndex ``(timestamp, symbol)`` sorted by timestamp then
        symbol. Rows whose features or label are NaN are dropped and counted in ``report``.

    Raises
    ------
    DataError
        If a symbol has no label, a requested column is missing, or nothing is left.

    Notes
    -----
    No alignment shifts happen here: the label at t must already be the *future* outcome of
    bar t (e.g. ``close[t+h] / close[t] - 1``) and the features at t must use data up to t.
    """
    if not features_by_symbol:
        raise DataError("make_dataset: no symbols given; pass at least one feature frame")
    xs, ys = [], []
    dropped: dict[str, int] = {}
    n_in = n_feat = n_lab = 0
    for sym in sorted(features_by_symbol):
        feats = features_by_symbol[sym]
        if sym not in labels_by_symbol:
            raise DataError(f"make_dataset: symbol {sym!r} has features but no labels; add its labels")
        cols = list(feats.columns) if columns is None else columns
        missing = [c for c in cols if c not in feats.columns]
        if missing:
            raise DataError(f"make_dataset: symbol {sym!r} lacks feature columns {missing}")
        f = feats[cols].astype(np.float64)
        lab = labels_by_symbol[sym].reindex(f.index).astype(np.float64)
        bad_f = ~np.isfinite(f.to_numpy()).all(axis=1)
        bad_l = ~np.isfinite(lab.to_numpy())
        n_in += len(f)
        n_feat += int(bad_f.sum())
        n_lab += int((bad_l & ~bad_f).sum())
        keep = ~(bad_f | bad_l)
        dropped[sym] = int((~keep).sum())
        f = f[keep]
        idx = pd.MultiIndex.from_arrays([f.index, np.full(len(f), sym, dtype=object)], names=[TIMESTAMP, SYMBOL])
        xs.append(pd.DataFrame(f.to_numpy(), index=idx, columns=cols))
        ys.append(pd.Series(lab[keep].to_numpy(), index=idx, name="label"))
    X = pd.concat(xs).sort_index(level=[TIMESTAMP, SYMBOL])
    y = pd.concat(ys).reindex(X.index)
    if len(X) == 0:
        raise DataError("make_dataset: every row has a NaN feature or label; check warm-up and horizon")
    report = DatasetReport(n_in, len(X), n_feat, n_lab, dropped)
    return X, y, report


def row_timestamps(X: Any) -> np.ndarray:
    """Return one sortable time key per row of ``X``.

    A frame with a ``timestamp`` index level (or a DatetimeIndex) gives its timestamps; any
    other input is taken as one series in row order, so the key is the row number.
    """
    index = getattr(X, "index", None)
    if isinstance(index, pd.MultiIndex) and TIMESTAMP in index.names:
        return np.asarray(index.get_level_values(TIMESTAMP).asi8)
    if isinstance(index, pd.DatetimeIndex):
        return np.asarray(index.asi8)
    from sklearn.utils.validation import _num_samples  # lazy: keeps `tsig` start-up light

    return np.arange(_num_samples(X), dtype=np.int64)


def row_groups(X: Any) -> np.ndarray:
    """Return the symbol of each row (a single group when ``X`` has no ``symbol`` level)."""
    index = getattr(X, "index", None)
    if isinstance(index, pd.MultiIndex) and SYMBOL in index.names:
        return np.asarray(index.get_level_values(SYMBOL).astype(str))
    from sklearn.utils.validation import _num_samples  # lazy: keeps `tsig` start-up light

    return np.zeros(_num_samples(X), dtype=object).astype(str)


def forward_return(close: pd.Series, *, horizon: int = 1) -> pd.Series:
    """Return the label ``close[t+horizon] / close[t] - 1`` aligned at t (NaN for the last bars).

    Notes
    -----
    This is the *future* outcome of bar t and must only be used as a label, never as a feature.
    """
    if horizon < 1:
        raise DataError(f"forward_return: horizon must be >= 1, got {horizon}")
    return (close.shift(-horizon) / close - 1.0).rename("label")
