"""Data section: where bars come from and how the quality gate judges them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from trading_signals.config._base import FrozenModel


class GateConfig(FrozenModel):
    """Thresholds and assumptions of the data-quality gate (see ``trading_signals.data.gate``)."""

    jump_threshold: float = Field(
        default=0.25, gt=0, description="abs close-to-close return flagged as a suspicious jump"
    )
    naive_timezone: str = Field(
        default="UTC", description="timezone assumed for naive timestamps (stated in the report)"
    )
    reject_naive: bool = Field(
        default=False, description="reject naive timestamps instead of assuming naive_timezone"
    )
    calendar: Literal["business", "daily", "none"] = Field(
        default="business",
        description="expected calendar of daily bars for gap reports ('none' disables them)",
    )
    dayfirst: bool = Field(
        default=False, description="read non-ISO dates like 01/02/2024 day-first (1 Feb)"
    )
    gap_min_bars: int = Field(
        default=1,
        ge=1,
        description="report a calendar gap when at least this many bars are missing",
    )
    max_issues_per_rule: int = Field(
        default=50,
        ge=1,
        description="individual issues listed per rule; the rest are summarised in one issue",
    )


class SyntheticConfig(FrozenModel):
    n_symbols: int = Field(default=20, ge=1)
    n_bars: int = Field(default=2520, ge=2)
    seed: int = 0
    planted_ic: float | None = Field(default=None, ge=-0.99, le=0.99)


class DataConfig(FrozenModel):
    lake: str = "lake"
    timeframe: str = "1d"
    source: Literal["sample", "synthetic", "files", "remote", "lake"] = "sample"
    symbols: tuple[str, ...] = ()
    start: str | None = None
    end: str | None = None
    gate: GateConfig = GateConfig()
    synthetic: SyntheticConfig = SyntheticConfig()
