"""Purged, embargoed time-series splits over unique timestamps.

Every fold is cut on the sorted *unique* timestamps, so all symbols of one date fall in the
same fold, then mapped back to row positions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from trading_signals.errors import ConfigError
from trading_signals.models.base import row_timestamps

Split = tuple[np.ndarray, np.ndarray]


def purged_walk_forward_splits(
    timestamps: Any,
    *,
    n_splits: int,
    test_size: int | None = None,
    train_size: int | None = None,
    purge: int = 1,
    embargo: int = 0,
    walk_forward: bool = True,
) -> list[Split]:
    """Return ``(train_rows, test_rows)`` position arrays for purged time-ordered folds.

    Parameters
    ----------
    timestamps
        One sortable time key per row (repeats allowed: one per symbol of a date).
    n_splits
        Number of test blocks; they are contiguous and end at the last timestamp.
    test_size
        Unique timestamps per test block (default: ``n_unique // (n_splits + 1)``).
    train_size
        Unique timestamps of the rolling training window; None anchors it at the start.
    purge
        Unique timestamps dropped from training just before each test block; use at least the
        label horizon, since a label at t looks ``horizon`` bars ahead.
    embargo
        Unique timestamps dropped from training just after each test block. Walk-forward
        training never follows its test block, so it only bites with ``walk_forward=False``.
    walk_forward
        If False, train on both sides of the test block (purged K-fold on time blocks).

    Raises
    ------
    ConfigError
        If the data cannot hold the requested folds.

    Notes
    -----
    Guarantees, for every fold: no training timestamp lies in ``[start - purge, start)`` or in
    ``(end, end + embargo]`` (in units of unique timestamps), and none inside the test block.

    Examples
    --------
    >>> [(tr.tolist(), te.tolist()) for tr, te in purged_walk_forward_splits(
    ...     range(8), n_splits=2, test_size=2, purge=1)]
    [([0, 1, 2], [4, 5]), ([0, 1, 2, 3, 4], [6, 7])]
    """
    ts = np.asarray(timestamps)
    uniq, inverse = np.unique(ts, return_inverse=True)
    n_u = len(uniq)
    _check_params(n_splits, test_size, train_size, purge, embargo)
    size = test_size if test_size is not None else n_u // (n_splits + 1)
    first_test = n_u - n_splits * size
    if size < 1 or first_test - purge < 1:
        raise ConfigError(
            f"splits: {n_u} unique timestamps cannot hold {n_splits} test blocks of {size} "
            f"with purge {purge}; use fewer splits, a smaller test_size or more data"
        )
    rows_by_pos = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[rows_by_pos], np.arange(n_u + 1))
    out: list[Split] = []
    for k in range(n_splits):
        start, end = first_test + k * size, first_test + (k + 1) * size  # test = [start, end)
        train_pos = np.arange(0, start - purge)
        if train_size is not None:
            train_pos = train_pos[-train_size:]
        if not walk_forward:
            train_pos = np.concatenate([train_pos, np.arange(end + embargo, n_u)])
        out.append((_rows(train_pos, rows_by_pos, bounds), _rows(np.arange(start, end), rows_by_pos, bounds)))
    return out


def _check_params(n_splits: int, test_size: int | None, train_size: int | None, purge: int, embargo: int) -> None:
    if n_splits < 1:
        raise ConfigError(f"splits: n_splits must be >= 1, got {n_splits}")
    if test_size is not None and test_size < 1:
        raise ConfigError(f"splits: test_size must be >= 1, got {test_size}")
    if train_size is not None and train_size < 1:
        raise ConfigError(f"splits: train_size must be >= 1 or None (anchored), got {train_size}")
    if purge < 0 or embargo < 0:
        raise ConfigError(f"splits: purge and embargo must be >= 0, got {purge} and {embargo}")


def _rows(pos: np.ndarray, rows_by_pos: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    if len(pos) == 0:
        return np.empty(0, dtype=np.int64)
    parts = [rows_by_pos[bounds[p] : bounds[p + 1]] for p in pos]
    return np.sort(np.concatenate(parts)).astype(np.int64)


class PurgedTimeSeriesSplit:
    """Scikit-learn CV splitter over :func:`purged_walk_forward_splits`.

    Time keys come from ``groups`` if given, else from the ``timestamp`` index level of ``X``,
    else from row order. Usable as ``cv=`` in ``cross_val_score`` and ``GridSearchCV``.

    Notes
    -----
    Test blocks are later in time than their training rows (walk-forward), separated by
    ``purge`` unique timestamps.
    """

    def __init__(
        self,
        n_splits: int = 5,
        *,
        test_size: int | None = None,
        train_size: int | None = None,
        purge: int = 1,
        embargo: int = 0,
        walk_forward: bool = True,
    ) -> None:
        self.n_splits = n_splits
        self.test_size = test_size
        self.train_size = train_size
        self.purge = purge
        self.embargo = embargo
        self.walk_forward = walk_forward

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[Split]:
        """Yield ``(train_rows, test_rows)`` position arrays."""
        ts = np.asarray(groups) if groups is not None else row_timestamps(X)
        yield from purged_walk_forward_splits(
            ts, n_splits=self.n_splits, test_size=self.test_size, train_size=self.train_size,
            purge=self.purge, embargo=self.embargo, walk_forward=self.walk_forward,
        )

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Return the number of folds."""
        return self.n_splits

    def __repr__(self) -> str:
        return (f"PurgedTimeSeriesSplit(n_splits={self.n_splits}, test_size={self.test_size}, "
                f"train_size={self.train_size}, purge={self.purge}, embargo={self.embargo})")
