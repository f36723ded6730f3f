"""Build a model panel (features + forward-return label) from canonical bars."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from trading_signals.errors import DataError
from trading_signals.models.base import DatasetReport, make_dataset


def build_panel(
    bars: Mapping[str, pd.DataFrame],
    *,
    horizon: int = 1,
    columns: Sequence[str] = (),
    spec: Any = None,
    ml: bool = True,
    higher_timeframes: Sequence[str] = (),
    extra: Mapping[str, pd.DataFrame] | None = None,
) -> tuple[pd.DataFrame, pd.Series, DatasetReport]:
    """Return ``(X, y, report)`` for every symbol of ``bars``.

    Parameters
    ----------
    bars
        Canonical OHLCV frames by symbol.
    horizon
        Label = ``close[t+horizon] / close[t] - 1`` (``features.labels.make_labels``).
    columns
        Feature columns to keep (all if empty), after adding ``extra``.
    spec, ml, higher_timeframes
        Passed to ``features.pipeline.compute_features``.
    extra
        Additional wide features (index timestamp, one column per symbol), e.g. the planted
        signal of a synthetic universe; each becomes a column named by its key.

    Notes
    -----
    Features at t use bars up to t (the features layer guarantees it); the label at t is the
    future return and is only ever ``y``. Warm-up rows (NaN features) and the last
    ``horizon`` rows (NaN labels) are dropped and counted in ``report``.
    """
    from trading_signals.features.labels import make_labels
    from trading_signals.features.pipeline import compute_features

    if not bars:
        raise DataError("build_panel: no bars given; load at least one symbol")
    feats: dict[str, pd.DataFrame] = {}
    labels: dict[str, pd.Series] = {}
    for sym, frame in bars.items():
        f = compute_features(frame, spec=spec, ml=ml, higher_timeframes=higher_timeframes)
        for name, wide in (extra or {}).items():
            if sym not in wide.columns:
                raise DataError(f"build_panel: extra feature {name!r} has no column for {sym!r}")
            f[name] = wide[sym].reindex(f.index)
        feats[sym] = f
        labels[sym] = make_labels(frame, horizon=horizon)
    cols = list(columns) if columns else None
    return make_dataset(feats, labels, columns=cols)
