"""Recording helpers for the places where one call would otherwise be several lines.

Each takes plain values or a pandas object and records the declared metrics through the
facade (so they cost nothing without a sink).
"""

from __future__ import annotations

from typing import Any

from trading_signals.observability.metrics import counter, histogram


def record_signals(symbol: str, frame: Any) -> None:
    """Record one symbol's signals frame: bars per label, rows processed, latest confidence.

    ``frame`` has a ``signal`` label column (``None`` during warm-up) and optionally a
    ``confidence`` column. Only the latest labelled bar's confidence is observed (the live
    signal): one observation per symbol and run, not one per bar.
    """
    counter("tsig_rows_processed").inc(len(frame), {"stage": "signals"})
    if "signal" not in frame.columns:
        return
    labels = frame["signal"].dropna()
    generated = counter("tsig_signals_generated")
    for label, n in labels.value_counts().items():
        generated.inc(int(n), {"label": str(label), "symbol": symbol})
    if len(labels) and "confidence" in frame.columns:
        last = labels.index[-1]
        conf = frame["confidence"].loc[last]
        if conf == conf:  # not NaN
            histogram("tsig_signal_confidence").observe(float(conf), {"label": str(labels.iloc[-1])})
