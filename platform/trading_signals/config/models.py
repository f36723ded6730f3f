"""Models section: which estimator, its parameters, the label and the registry."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from trading_signals.config._base import FrozenModel
from trading_signals.config.model_params import check_model_params


class ModelConfig(FrozenModel):
    """One model configuration (what ``tsig train`` fits and registers).

    ``name`` is the model family (``lightgbm``, ``ensemble``, ``lstm``); ``params`` its
    hyper-parameters. ``features`` selects feature columns (all if empty). ``test_bars`` unique
    timestamps at the end are held out for evaluation (0: train on everything).
    """

    name: Literal["lightgbm", "ensemble", "lstm"] = Field("lightgbm", description="model family")
    params: dict[str, Any] = Field({}, description="hyper-parameters, checked against the family's "
                                                   "schema (tables below)")
    horizon: int = Field(1, ge=1, description="bars ahead the label looks")
    features: tuple[str, ...] = Field((), description="feature columns used (empty: all)")
    test_bars: int = Field(0, ge=0, description="trailing timestamps held out for evaluation")
    registry: str = Field("artifacts/models", description="model registry root (path or URI)")
    registry_name: str | None = Field(None, description="registered name (default <run name>-<family>)")

    @model_validator(mode="after")
    def _params(self) -> ModelConfig:
        check_model_params(self.name, self.params)  # e.g. models.params.n_estimators: >= 1
        return self
