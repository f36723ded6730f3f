"""Data section: where bars come from and how the quality gate judges them."""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from trading_signals._typing import TIMEFRAMES
from trading_signals.config._base import FrozenModel


def check_timeframe(value: str) -> str:
    """Return ``value`` if it is a bar timeframe the lake knows, else raise ``ValueError``."""
    if value not in TIMEFRAMES:
        raise ValueError(f"unknown timeframe {value!r}; use one of {', '.join(TIMEFRAMES)}")
    return value


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

    @field_validator("naive_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA timezone {value!r}; use a name such as 'UTC', "
                             "'America/New_York' or 'Europe/London'") from exc
        return value


class SyntheticConfig(FrozenModel):
    n_symbols: int = Field(default=20, ge=1)
    n_bars: int = Field(default=2520, ge=2)
    seed: int = Field(default=0, ge=0)
    planted_ic: float | None = Field(default=None, ge=-0.99, le=0.99)


class DataConfig(FrozenModel):
    lake: str = Field(default="lake", description="lake root: a path or URI (s3://bucket/lake, gs://...)")
    # Operational, not part of the study's identity: excluded from dumps, so config ids do not
    # change with it.
    replace: bool = Field(default=False, exclude=True, description=(
        "let an import overwrite lake partitions that already hold different bars (default: "
        "such an import is an error, so a user's bars are never replaced silently)"))
    timeframe: str = Field(default="1d", description="bar timeframe: 1min 5min 15min 30min 1h 4h 1d 1w 1mo")
    source: Literal["sample", "synthetic", "files", "remote", "lake"] = Field(
        default="sample", description="where bars come from (all pass the gate; 'lake': already imported)")
    symbols: tuple[str, ...] = Field(default=(), description="symbols to use (empty: all the source has)")
    start: str | None = Field(default=None, description="first date kept (ISO 8601), inclusive")
    end: str | None = Field(default=None, description="last date kept (ISO 8601), inclusive")
    gate: GateConfig = GateConfig()
    synthetic: SyntheticConfig = SyntheticConfig()

    @field_validator("timeframe")
    @classmethod
    def _timeframe(cls, value: str) -> str:
        return check_timeframe(value)
