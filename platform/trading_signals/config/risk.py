"""Risk section: walk-forward windows and Monte Carlo paths."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from trading_signals.config._base import FrozenModel


class WalkForwardConfig(FrozenModel):
    """Windows are bar counts (int) or calendar periods ('90d', '6m', '2y')."""

    train: int | str = 756
    test: int | str = 252
    step: int | str | None = None
    anchored: bool = False
    purge: int = Field(5, ge=0, description="bars dropped between training and testing")
    embargo: int = Field(0, ge=0)
    fast: tuple[int, ...] = (5, 10, 20, 30)
    slow: tuple[int, ...] = (50, 100, 150, 200)

    @field_validator("fast", "slow")
    @classmethod
    def _positive(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if not v or min(v) < 1:
            raise ValueError("needs at least one window length, all >= 1 bar")
        return v


class MonteCarloConfig(FrozenModel):
    model: Literal["gbm", "bootstrap", "garch"] = "bootstrap"
    n_paths: int = Field(10_000, ge=1)
    horizon: int = Field(252, ge=1)
    seed: int = 0
    mean_block: float = Field(20.0, ge=1.0, description="mean block length of the stationary bootstrap")


class RiskConfig(FrozenModel):
    walkforward: WalkForwardConfig = WalkForwardConfig()
    montecarlo: MonteCarloConfig = MonteCarloConfig()
