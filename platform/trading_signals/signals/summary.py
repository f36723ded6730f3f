"""Small per-symbol summaries of a signals frame (what the CLI prints and Ray returns)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from trading_signals.errors import DataError
from trading_signals.signals.labels import LABELS


def latest_summary(signals: pd.DataFrame, *, symbol: str) -> dict[str, Any]:
    """Return the last bar with a signal plus label counts, as a small JSON-able dict.

    Notes
    -----
    "Latest" is the last row whose ``signal`` is set; bars still in warm-up are skipped.

    >>> import numpy as np
    >>> f = pd.DataFrame({"close": [1.0, 2.0], "confluence_score": [np.nan, 0.7],
    ...                   "signal": [None, "STRONG_BUY"], "confidence": [np.nan, 0.3],
    ...                   "explanation": ["NO SIGNAL", "STRONG_BUY 0.70: trend +0.20"]},
    ...                  index=pd.DatetimeIndex(["2024-01-01", "2024-01-02"], tz="UTC"))
    >>> latest_summary(f, symbol="X")["signal"]
    'STRONG_BUY'
    """
    return summary_at(signals, symbol=symbol, at=None)


def summary_at(
    signals: pd.DataFrame, *, symbol: str, at: str | pd.Timestamp | None
) -> dict[str, Any]:
    """Return the summary of the last signalled bar at or before ``at`` (latest when None).

    Raises
    ------
    DataError
        If no bar at or before ``at`` has a signal (all still in warm-up).
    """
    frame = signals
    if at is not None:
        ts = pd.Timestamp(at)
        ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
        frame = frame.loc[:ts]
    # Position of the last signalled bar (no boolean copy of the whole frame).
    has = np.flatnonzero(frame["signal"].notna().to_numpy())
    if not has.size:
        when = f" at or before {at}" if at is not None else ""
        raise DataError(f"{symbol}: no signal{when}; all {len(frame)} bars are still in warm-up "
                        "(need more history, or pick a later --at)")
    i = int(has[-1])

    def cell(col: str) -> Any:
        return frame[col].iat[i]

    labels = signals["signal"]
    counts = Counter(labels.tolist())
    out: dict[str, Any] = {
        "symbol": symbol,
        "timestamp": frame.index[i],
        "close": float(cell("close")) if "close" in frame.columns else float("nan"),
        "signal": cell("signal"),
        "confluence_score": float(cell("confluence_score")),
        "confidence": float(cell("confidence")),
        "explanation": cell("explanation"),
        "rows": len(signals),
        "signals": int(labels.notna().sum()),
        "label_counts": {lab: int(counts.get(lab, 0)) for lab in LABELS},
    }
    if "consensus_signal" in frame.columns:
        out["consensus_signal"] = cell("consensus_signal")
        out["consensus_score"] = float(cell("consensus_score"))
    return out
