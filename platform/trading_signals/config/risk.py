"""Risk section: walk-forward windows and Monte Carlo."""

from __future__ import annotations

from pydantic import Field

from trading_signals.config._base import FrozenModel


class RiskConfig(FrozenModel):
    n_paths: int = Field(10_000, ge=1)
    horizon: int = Field(252, ge=1)
    seed: int = 0
