"""Prediction quality: IC and rank IC per date across symbols, ICIR, directional accuracy."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from trading_signals._typing import TIMESTAMP
from trading_signals.errors import DataError


def _aligned(pred: Any, y: Any) -> pd.DataFrame:
    if not isinstance(y, pd.Series):
        raise DataError("evaluate: y must be a Series indexed by (timestamp, symbol)")
    p = pred if isinstance(pred, pd.Series) else pd.Series(np.asarray(pred, dtype=float).ravel(), index=y.index)
    if len(p) != len(y):
        raise DataError(f"evaluate: {len(p)} predictions for {len(y)} labels; pass one per row")
    frame = pd.DataFrame({"pred": p.to_numpy(dtype=float), "y": y.reindex(p.index).to_numpy(dtype=float)}, index=p.index)
    if isinstance(frame.index, pd.MultiIndex) and TIMESTAMP in frame.index.names:
        frame["date"] = frame.index.get_level_values(TIMESTAMP)
    else:
        frame["date"] = 0  # one cross-section
    return frame.dropna()


def information_coefficient(pred: Any, y: pd.Series, *, method: str = "pearson", min_names: int = 3) -> pd.Series:
    """Return the per-date cross-sectional correlation of predictions with labels.

    Parameters
    ----------
    pred
        Predictions, a Series on ``y``'s index or an array in ``y``'s row order.
    y
        Realised labels indexed by ``(timestamp, symbol)``.
    method
        ``"pearson"`` (IC) or ``"spearman"`` (rank IC).
    min_names
        Dates with fewer symbols, or a constant prediction or label, are skipped.

    Returns
    -------
    Series
        One IC per date, equivalent to ``groupby(date).apply(lambda g: g.pred.corr(g.y))``.

    Notes
    -----
    Pure scoring of already-made predictions; the caller must make sure predictions at t were
    produced from data up to t.
    """
    if method not in ("pearson", "spearman"):
        raise DataError(f"information_coefficient: method must be pearson or spearman, got {method!r}")
    frame = _aligned(pred, y)
    if method == "spearman":
        g = frame.groupby("date")
        frame = frame.assign(pred=g["pred"].rank(), y=g["y"].rank())
    g = frame.groupby("date")
    n = g["pred"].transform("size")
    frame = frame[n >= min_names]
    g = frame.groupby("date")
    dp = frame["pred"] - g["pred"].transform("mean")
    dy = frame["y"] - g["y"].transform("mean")
    parts = pd.DataFrame({"xy": dp * dy, "xx": dp * dp, "yy": dy * dy, "date": frame["date"]}).groupby("date").sum()
    den = np.sqrt(parts["xx"] * parts["yy"])
    ic = (parts["xy"] / den)[den > 1e-300]
    return ic.rename("rank_ic" if method == "spearman" else "ic")


def rank_information_coefficient(pred: Any, y: pd.Series, *, min_names: int = 3) -> pd.Series:
    """Return the per-date Spearman IC (see :func:`information_coefficient`)."""
    return information_coefficient(pred, y, method="spearman", min_names=min_names)


def icir(ic: pd.Series) -> float:
    """Return ``mean(ic) / std(ic)`` (ddof=1), NaN with fewer than two dates or zero spread."""
    if len(ic) < 2:
        return float("nan")
    sd = float(ic.std(ddof=1))
    return float(ic.mean()) / sd if sd > 0 else float("nan")


def ic_standard_error(ic: pd.Series) -> float:
    """Return ``std(ic) / sqrt(n_dates)``, the standard error of the mean IC."""
    return float(ic.std(ddof=1) / np.sqrt(len(ic))) if len(ic) > 1 else float("nan")


def time_series_ic(pred: Any, y: pd.Series, *, method: str = "pearson", block: int = 21) -> pd.Series:
    """Return correlations over consecutive blocks of ``block`` bars within each symbol.

    The fallback of :func:`evaluate_predictions` for panels with fewer than three symbols,
    where a cross-sectional IC does not exist. Indexed by ``(symbol, block number)``.
    """
    frame = _aligned(pred, y)
    index = frame.index
    sym = index.get_level_values("symbol") if isinstance(index, pd.MultiIndex) and "symbol" in index.names else 0
    frame = frame.assign(sym=sym)
    frame["blk"] = frame.groupby("sym").cumcount() // block
    out = {}
    for key, g in frame.groupby(["sym", "blk"]):
        if len(g) >= max(3, block // 2):
            c = g["pred"].corr(g["y"], method=method)
            if np.isfinite(c):
                out[key] = c
    return pd.Series(out, dtype=float, name="ts_ic")


def directional_accuracy(pred: Any, y: pd.Series) -> float:
    """Return the share of rows where ``sign(pred) == sign(y)``, ignoring rows with ``y == 0``."""
    frame = _aligned(pred, y)
    frame = frame[frame["y"] != 0]
    if frame.empty:
        return float("nan")
    return float((np.sign(frame["pred"]) == np.sign(frame["y"])).mean())


def evaluate_predictions(pred: Any, y: pd.Series) -> dict[str, float]:
    """Return IC, rank IC, their ICIR, t-stats and directional accuracy in one dict.

    Notes
    -----
    With fewer than three symbols per date (e.g. the two-index sample data) the IC series is
    :func:`time_series_ic` instead and ``cross_sectional`` is 0; ``n_dates`` then counts blocks.
    ``ic_tstat = mean(ic) / (std(ic) / sqrt(n_dates))``; labels are overlapping when the
    horizon exceeds one bar, which makes the t-stat optimistic.
    """
    ic = information_coefficient(pred, y)
    ric = rank_information_coefficient(pred, y)
    cross_sectional = len(ic) > 0
    if not cross_sectional:  # fewer than 3 symbols per date: time-series IC per symbol block
        ic, ric = time_series_ic(pred, y), time_series_ic(pred, y, method="spearman")
    se = ic_standard_error(ic)
    return {
        "ic": float(ic.mean()) if len(ic) else float("nan"),
        "rank_ic": float(ric.mean()) if len(ric) else float("nan"),
        "icir": icir(ic),
        "rank_icir": icir(ric),
        "ic_tstat": float(ic.mean()) / se if se and np.isfinite(se) and se > 0 else float("nan"),
        "directional_accuracy": directional_accuracy(pred, y),
        "n_dates": float(len(ic)),
        "cross_sectional": float(cross_sectional),
        "n_rows": float(len(y)),
    }
