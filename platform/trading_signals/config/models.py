"""Models section: which estimator, its parameters, the label and the registry."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from trading_signals.config._base import FrozenModel


class ModelConfig(FrozenModel):
    """One model configuration (what ``tsig train`` fits and registers).

    ``name`` is the model family (``lightgbm``, ``ensemble``, ``lstm``); ``params`` its
    hyper-parameters. ``features`` selects feature columns (all if empty). ``test_bars`` unique
    timestamps at the end are held out for evaluation (0: train on everything).
    """

    name: Literal["lightgbm", "ensemble", "lstm"] = "lightgbm"
    params: dict[str, Any] = {}
    horizon: int = Field(1, ge=1)
    features: tuple[str, ...] = ()
    test_bars: int = Field(0, ge=0)
    registry: str = "artifacts/models"
    registry_name: str | None = None
