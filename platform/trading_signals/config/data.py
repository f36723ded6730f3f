"""Data section: where bars come from and how the quality gate judges them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from trading_signals.config._base import FrozenModel


class GateConfig(FrozenModel):
    """Thresholds of the data-quality gate."""

    jump_threshold: float = Field(0.25, gt=0, description="abs close-to-close return flagged as a suspicious jump")
    naive_timezone: str = Field("UTC", description="timezone assumed for naive timestamps (stated in the report)")
    reject_naive: bool = Field(False, description="reject naive timestamps instead of assuming naive_timezone")
    calendar: Literal["business", "daily", "none"] = "business"


class SyntheticConfig(FrozenModel):
    n_symbols: int = Field(20, ge=1)
    n_bars: int = Field(2520, ge=2)
    seed: int = 0
    planted_ic: float | None = Field(None, ge=-0.99, le=0.99)


class DataConfig(FrozenModel):
    lake: str = "lake"
    timeframe: str = "1d"
    source: Literal["sample", "synthetic", "files", "remote", "lake"] = "sample"
    symbols: tuple[str, ...] = ()
    start: str | None = None
    end: str | None = None
    gate: GateConfig = GateConfig()
    synthetic: SyntheticConfig = SyntheticConfig()
