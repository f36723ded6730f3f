"""Models: scikit-learn-contract estimators, purged splits, evaluation and a safe registry.

Heavy modules (torch) load lazily: ``from trading_signals.models import AttentionLSTMRegressor``
imports torch only when that name is used.
"""

from __future__ import annotations

from trading_signals._lazy import lazy_exports
from trading_signals.models.base import DatasetReport, forward_return, make_dataset
from trading_signals.models.evaluate import (
    directional_accuracy,
    evaluate_predictions,
    icir,
    information_coefficient,
    rank_information_coefficient,
)
from trading_signals.models.splits import PurgedTimeSeriesSplit, purged_walk_forward_splits

_LAZY = {
    "AttentionLSTMRegressor": "trading_signals.models.lstm",
    "AttentionLSTMClassifier": "trading_signals.models.lstm",
    "StackedEnsemble": "trading_signals.models.ensemble",
    "LightGBMRegressor": "trading_signals.models.gbm",
    "FitWindowScaler": "trading_signals.models.preprocessing",
    "ModelRegistry": "trading_signals.models.registry",
    "build_model": "trading_signals.models.factory",
    "ModelVersion": "trading_signals.models.pit",
    "PointInTimeModel": "trading_signals.models.pit",
    "predict_point_in_time": "trading_signals.models.pit",
    "model_component_for": "trading_signals.models.pit",
    "train_window_model": "trading_signals.models.training",
    "MODEL_FAMILIES": "trading_signals.models.factory",
}

__all__ = [
    "MODEL_FAMILIES",
    "AttentionLSTMClassifier",
    "AttentionLSTMRegressor",
    "DatasetReport",
    "FitWindowScaler",
    "LightGBMRegressor",
    "ModelRegistry",
    "ModelVersion",
    "PointInTimeModel",
    "PurgedTimeSeriesSplit",
    "StackedEnsemble",
    "build_model",
    "directional_accuracy",
    "evaluate_predictions",
    "forward_return",
    "icir",
    "information_coefficient",
    "make_dataset",
    "model_component_for",
    "predict_point_in_time",
    "purged_walk_forward_splits",
    "rank_information_coefficient",
    "train_window_model",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
