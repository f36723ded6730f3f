"""Risk section: walk-forward windows and Monte Carlo paths."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from trading_signals.config._base import FrozenModel

_PERIOD = re.compile(r"^\s*\d*[1-9]\d*\s*[dwmy]\s*$", re.IGNORECASE)


class WalkForwardConfig(FrozenModel):
    """Windows are bar counts (int) or calendar periods ('90d', '6m', '2y').

    ``strategy`` is what each training window fits: an SMA-cross grid (``fast`` x ``slow``),
    the confluence strategy (thresholds and component weights searched per window) or a model
    retrained per window on that window's (purged) training rows.
    """

    strategy: Literal["sma_cross", "confluence", "model"] = "confluence"
    train: int | str = 756
    test: int | str = 252
    step: int | str | None = None
    anchored: bool = False
    purge: int = Field(5, ge=0, description="bars dropped between training and testing")
    embargo: int = Field(0, ge=0)
    fast: tuple[int, ...] = (5, 10, 20, 30)
    slow: tuple[int, ...] = (50, 100, 150, 200)

    @field_validator("train", "test", "step")
    @classmethod
    def _window(cls, v: int | str | None) -> int | str | None:
        if isinstance(v, int) and v < 1:
            raise ValueError("must be >= 1 bar (or a calendar period such as '6m')")
        if isinstance(v, str) and not _PERIOD.match(v):
            raise ValueError("use a bar count or a calendar period such as '90d', '4w', '6m', '2y'")
        return v

    @field_validator("fast", "slow")
    @classmethod
    def _positive(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if not v or min(v) < 1:
            raise ValueError("needs at least one window length, all >= 1 bar")
        return v

    @model_validator(mode="after")
    def _grid(self) -> WalkForwardConfig:
        if self.strategy == "sma_cross" and min(self.fast) >= max(self.slow):
            raise ValueError(f"no SMA pair with fast < slow in fast={self.fast}, slow={self.slow}")
        return self


class MonteCarloConfig(FrozenModel):
    model: Literal["gbm", "bootstrap", "garch"] = "bootstrap"
    n_paths: int = Field(10_000, ge=1)
    horizon: int = Field(252, ge=1)
    seed: int = 0
    mean_block: float = Field(20.0, ge=1.0, description="mean block length of the stationary bootstrap")


class RiskConfig(FrozenModel):
    walkforward: WalkForwardConfig = WalkForwardConfig()
    montecarlo: MonteCarloConfig = MonteCarloConfig()
