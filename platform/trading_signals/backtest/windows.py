"""Walk-forward windows over one bar index: rolling or anchored, by bar count or calendar.

Each window is ``train | gap | test`` where the gap is ``purge + embargo`` bars: ``purge`` drops
the training bars whose forward-looking labels (or fitted indicators) would overlap the test
block; ``embargo`` adds a further safety margin. Walk-forward training never follows its test
block, so the two only differ in name here; both are kept for symmetry with purged K-fold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from trading_signals.errors import ConfigError

_PERIOD = re.compile(r"^\s*(\d+)\s*(d|w|m|y)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Window:
    """Positions (``start`` inclusive, ``end`` exclusive) of one train/test split."""

    index: int
    train_start: int
    train_end: int
    test_start: int
    test_end: int

    def bounds(self, timestamps: pd.DatetimeIndex) -> dict[str, object]:
        """Return the window as timestamps (first and last bar of train and test)."""
        return {
            "window": self.index,
            "train_start": timestamps[self.train_start],
            "train_end": timestamps[self.train_end - 1],
            "test_start": timestamps[self.test_start],
            "test_end": timestamps[self.test_end - 1],
            "train_bars": self.train_end - self.train_start,
            "test_bars": self.test_end - self.test_start,
        }


def parse_period(text: str) -> pd.DateOffset:
    """Parse ``"90d"``, ``"4w"``, ``"6m"`` or ``"2y"`` into a calendar offset.

    >>> parse_period("6m")
    <DateOffset: months=6>
    """
    match = _PERIOD.match(str(text))
    if not match:
        raise ConfigError(f"calendar period {text!r} not understood; use e.g. '90d', '4w', '6m' or '2y'")
    n, unit = int(match.group(1)), match.group(2).lower()
    key = {"d": "days", "w": "weeks", "m": "months", "y": "years"}[unit]
    return pd.DateOffset(**{key: n})


def make_windows(
    index: pd.DatetimeIndex,
    *,
    train: int | str,
    test: int | str,
    step: int | str | None = None,
    anchored: bool = False,
    purge: int = 0,
    embargo: int = 0,
    min_train: int = 2,
) -> list[Window]:
    """Cut ``index`` into consecutive walk-forward windows.

    Parameters
    ----------
    index
        The bar timestamps (sorted, unique).
    train, test, step
        Bar counts (int) or calendar periods (``"2y"``, ``"6m"``...). ``step`` defaults to
        ``test`` (non-overlapping test blocks, so they stitch into one out-of-sample curve).
    anchored
        Training always starts at the first bar (expanding) instead of rolling.
    purge, embargo
        Bars left out between the end of training and the start of testing.

    Returns
    -------
    list[Window]
        In time order; windows whose training part would be shorter than ``min_train`` bars
        are not produced.

    Examples
    --------
    >>> idx = pd.date_range("2020-01-01", periods=10, freq="D")
    >>> [(w.train_start, w.train_end, w.test_start, w.test_end) for w in
    ...  make_windows(idx, train=4, test=3, purge=1)]
    [(0, 4, 5, 8), (3, 7, 8, 10)]

    The last test block may be shorter than ``test`` (here 2 bars): it ends at the data.
    """
    if purge < 0 or embargo < 0:
        raise ConfigError(f"purge and embargo must be >= 0 bars, got {purge} and {embargo}")
    if not index.is_monotonic_increasing or not index.is_unique:
        raise ConfigError("walk-forward index must be sorted and unique")
    gap = purge + embargo
    starts = _test_starts(index, train=train, test=test, step=step, gap=gap)
    windows: list[Window] = []
    for test_start, test_end in starts:
        train_end = test_start - gap
        train_start = 0 if anchored else _train_start(index, train, train_end)
        if train_end - train_start < min_train or test_end <= test_start:
            continue
        windows.append(Window(len(windows), train_start, train_end, test_start, test_end))
    if not windows:
        raise ConfigError(
            f"no walk-forward window fits {len(index)} bars with train={train}, test={test}, "
            f"gap={gap}; use shorter periods or more data"
        )
    return windows


def _test_starts(
    index: pd.DatetimeIndex, *, train: int | str, test: int | str, step: int | str | None, gap: int
) -> list[tuple[int, int]]:
    n = len(index)
    step = test if step is None else step
    if isinstance(test, int) != isinstance(step, int):
        raise ConfigError("test and step must both be bar counts or both calendar periods")
    if isinstance(test, int):
        first = (train if isinstance(train, int) else _first_after(index, parse_period(train))) + gap
        if test < 1 or step < 1:  # type: ignore[operator]
            raise ConfigError(f"test and step must be >= 1 bar, got {test} and {step}")
        return [(s, min(s + test, n)) for s in range(first, n, step)]  # type: ignore[arg-type]
    test_off, step_off = parse_period(test), parse_period(str(step))
    first_pos = (train if isinstance(train, int) else _first_after(index, parse_period(train))) + gap
    if first_pos >= n:
        return []
    out = []
    t0 = index[first_pos]
    while True:
        s = int(np.searchsorted(index, t0, side="left"))
        e = int(np.searchsorted(index, t0 + test_off, side="left"))
        if s >= n:
            break
        out.append((s, min(e, n)))
        t0 = t0 + step_off
    return out


def _first_after(index: pd.DatetimeIndex, period: pd.DateOffset) -> int:
    return int(np.searchsorted(index, index[0] + period, side="left"))


def _train_start(index: pd.DatetimeIndex, train: int | str, train_end: int) -> int:
    if isinstance(train, int):
        if train < 1:
            raise ConfigError(f"train must be >= 1 bar, got {train}")
        return max(0, train_end - train)
    if train_end <= 0:
        return 0
    start_time = index[train_end - 1] - parse_period(train)
    return int(np.searchsorted(index, start_time, side="right"))
