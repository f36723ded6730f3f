"""Feature layer: technical indicators, ML features, labels, scaling and timeframes (pure)."""

from __future__ import annotations

from trading_signals.features.indicators import (
    INDICATOR_NAMES,
    available_indicators,
    compute_indicators,
)
from trading_signals.features.labels import make_labels
from trading_signals.features.ml import ML_FEATURE_NAMES, compute_ml_features
from trading_signals.features.normalize import FeatureScaler
from trading_signals.features.pipeline import FeatureComputer, compute_features
from trading_signals.features.timeframes import align_to_base, resample_ohlcv

__all__ = [
    "INDICATOR_NAMES",
    "ML_FEATURE_NAMES",
    "FeatureComputer",
    "FeatureScaler",
    "align_to_base",
    "available_indicators",
    "compute_features",
    "compute_indicators",
    "compute_ml_features",
    "make_labels",
    "resample_ohlcv",
]
