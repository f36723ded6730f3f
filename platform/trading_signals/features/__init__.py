"""Feature layer: technical indicators, ML features, labels, scaling and timeframes (pure).

Names resolve lazily (PEP 562): ``import trading_signals.features`` does not import numba or
the indicator kernels until an indicator function is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trading_signals._lazy import lazy_exports

_EXPORTS = {
    "INDICATOR_NAMES": "trading_signals.features.indicators",
    "available_indicators": "trading_signals.features.indicators",
    "compute_indicators": "trading_signals.features.indicators",
    "make_labels": "trading_signals.features.labels",
    "ML_FEATURE_NAMES": "trading_signals.features.ml",
    "compute_ml_features": "trading_signals.features.ml",
    "FeatureScaler": "trading_signals.features.normalize",
    "FeatureComputer": "trading_signals.features.pipeline",
    "compute_features": "trading_signals.features.pipeline",
    "align_to_base": "trading_signals.features.timeframes",
    "resample_ohlcv": "trading_signals.features.timeframes",
    "warm_up": "trading_signals.features.warmup",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

if TYPE_CHECKING:  # pragma: no cover
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
    from trading_signals.features.warmup import warm_up

