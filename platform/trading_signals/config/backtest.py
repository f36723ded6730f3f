"""Backtest section: fills, costs, exposure limits, volatility targeting and sweeps."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from trading_signals.config._base import FrozenModel


class BacktestConfig(FrozenModel):
    """Engine options: ``run_backtest(prices, positions, config)`` uses every field.

    Field names are also the keyword overrides of :func:`trading_signals.backtest.run_backtest`.
    Options that only act together with another one are rejected when set alone, so a value is
    never silently ignored: ``vol_window`` and ``max_vol_scale`` need ``target_vol``.
    """

    fill: Literal["next_open", "next_close"] = "next_open"
    commission_bps: float = Field(1.0, ge=0)
    slippage_bps: float = Field(1.0, ge=0)
    spread_bps: float = Field(0.0, ge=0)
    initial_cash: float = Field(10_000.0, gt=0)
    max_gross: float | None = Field(None, ge=0)
    max_net: float | None = Field(None, ge=0)
    target_vol: float | None = Field(None, gt=0)
    vol_window: int = Field(20, ge=2)
    max_vol_scale: float = Field(3.0, gt=0)
    rebalance: Literal["on_change", "every_bar"] = "on_change"
    close_at_end: Literal["last_close", "last_open"] = "last_close"
    periods_per_year: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _applicable(self) -> BacktestConfig:
        if self.target_vol is None:
            fields = type(self).model_fields
            lone = [k for k in ("vol_window", "max_vol_scale") if getattr(self, k) != fields[k].default]
            if lone:
                raise ValueError(f"{' and '.join(lone)} set but only used with target_vol "
                                 "(volatility targeting); set target_vol or remove them")
        return self

    def engine_kwargs(self) -> dict[str, object]:
        """Return the keyword arguments of ``run_backtest``."""
        return self.model_dump()
