"""Study section: the universe and stages of the end-to-end backtest study (``jobs/backtest.py``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from trading_signals.config._base import FrozenModel


class UniverseConfig(FrozenModel):
    """Which symbols the study covers; imported into the lake through the quality gate."""

    sample: bool = Field(True, description="import the packaged S&P 500 and NASDAQ Composite (arch)")
    synthetic_symbols: int = Field(0, ge=0, description="seeded synthetic symbols (labelled SYN....)")
    synthetic_bars: int = Field(2520, ge=300)
    synthetic_seed: int = 0
    lake_symbols: tuple[str, ...] = Field((), description="symbols already in the lake to include")


class PortfolioConfig(FrozenModel):
    strategy: Literal["confluence", "sma_cross"] = "confluence"
    fast: int = Field(20, ge=1)
    slow: int = Field(100, ge=2)
    long_only: bool = False
    max_gross: float = Field(1.0, gt=0, description="gross exposure cap of the portfolio")


class StudyConfig(FrozenModel):
    universe: UniverseConfig = UniverseConfig()
    portfolio: PortfolioConfig = PortfolioConfig()
    walkforward_symbols: tuple[str, ...] = Field(("SP500", "NASDAQ"), description="'*' means every symbol")
    montecarlo: bool = True
    runs: str = Field("runs", description="root directory of run outputs")
