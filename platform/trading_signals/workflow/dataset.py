"""Dataset stage: a run config's bars -> the ``(timestamp, symbol)`` model panel ``(X, y)``.

What ``tsig train``, ``tsig tune`` and ``jobs/tune.py`` train on: the ``data`` section picks the
bars (synthetic, packaged sample through the gate, or the lake), the ``features`` and ``models``
sections the columns and the label horizon (:func:`trading_signals.models.dataset.build_xy`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from trading_signals.config import RunConfig
from trading_signals.models.base import DatasetReport


@dataclass(frozen=True)
class Dataset:
    """Features ``X`` and labels ``y`` on a ``(timestamp, symbol)`` index, their bars and report."""

    X: pd.DataFrame
    y: pd.Series
    bars: dict[str, pd.DataFrame]
    report: DatasetReport

    def summary(self) -> dict[str, Any]:
        """Rows, columns, symbols and time span (JSON-able)."""
        ts = self.X.index.get_level_values(0)
        return {"rows": len(self.X), "columns": int(self.X.shape[1]), "symbols": len(self.bars),
                "start": ts.min().isoformat() if len(ts) else None,
                "end": ts.max().isoformat() if len(ts) else None}


def load_dataset(cfg: RunConfig) -> Dataset:
    """Build the model panel of ``cfg`` (``data``, ``features`` and ``models`` sections).

    Notes
    -----
    Features at t use bars up to t; the label at t is the forward return over
    ``models.horizon`` bars and is only ever ``y`` (warm-up and unlabeled rows are dropped and
    counted in ``report``).
    """
    from trading_signals.models.dataset import build_xy

    X, y, bars, report = build_xy(cfg)
    return Dataset(X=X, y=y, bars=dict(bars), report=report)
