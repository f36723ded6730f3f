"""Models section: which estimator, its parameters and the training window."""

from __future__ import annotations

from typing import Any

from trading_signals.config._base import FrozenModel


class ModelConfig(FrozenModel):
    name: str = "lightgbm"
    params: dict[str, Any] = {}
    horizon: int = 1
    registry: str = "artifacts/models"
