"""Backtest section: fills, costs and sizing."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from trading_signals.config._base import FrozenModel


class BacktestConfig(FrozenModel):
    fill: Literal["next_open", "next_close"] = "next_open"
    commission_bps: float = Field(1.0, ge=0)
    slippage_bps: float = Field(1.0, ge=0)
    initial_cash: float = Field(10_000.0, gt=0)
