"""Confluence signal engine: component scores, weighted fusion, labels, explanations and
multi-timeframe consensus, all pure and causal (a value at bar t uses bars up to t)."""

from __future__ import annotations

from trading_signals.signals.components import ModelComponent
from trading_signals.signals.consensus import multi_timeframe_consensus
from trading_signals.signals.engine import (
    compute_components,
    generate_signals,
    indicator_frame,
    signals_for_symbol,
    technical_score,
)
from trading_signals.signals.fusion import fuse
from trading_signals.signals.labels import LABELS, SignalLabel, label_scores
from trading_signals.signals.validate import validate_signals

__all__ = [
    "LABELS",
    "ModelComponent",
    "SignalLabel",
    "compute_components",
    "fuse",
    "generate_signals",
    "indicator_frame",
    "label_scores",
    "multi_timeframe_consensus",
    "signals_for_symbol",
    "technical_score",
    "validate_signals",
]
