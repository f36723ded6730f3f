"""Study section: the universe and stages of the end-to-end backtest study (``jobs/backtest.py``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from trading_signals.config._base import FrozenModel


class UniverseConfig(FrozenModel):
    """Which symbols the study covers; imported into the lake through the quality gate."""

    sample: bool = Field(True, description="import the packaged S&P 500 and NASDAQ Composite (arch)")
    synthetic_symbols: int = Field(0, ge=0, description="seeded synthetic symbols (labelled SYN....)")
    synthetic_bars: int = Field(2520, ge=300)
    synthetic_seed: int = Field(0, ge=0)
    lake_symbols: tuple[str, ...] = Field((), description="symbols already in the lake to include")


class PortfolioConfig(FrozenModel):
    """How signals become one portfolio per bar calendar (engine options: the backtest section)."""

    strategy: Literal["confluence", "sma_cross"] = "confluence"
    fast: int = Field(20, ge=1, description="fast SMA window (strategy sma_cross)")
    slow: int = Field(100, ge=2, description="slow SMA window (strategy sma_cross)")
    long_only: bool = False

    @model_validator(mode="before")
    @classmethod
    def _moved(cls, data: Any) -> Any:
        if isinstance(data, dict) and "max_gross" in data:
            raise ValueError("study.portfolio.max_gross moved to backtest.max_gross (one gross "
                             "exposure cap for every backtest); set it there")
        return data

    @model_validator(mode="after")
    def _ordered(self) -> PortfolioConfig:
        if self.fast >= self.slow:
            raise ValueError(f"fast ({self.fast}) must be < slow ({self.slow})")
        return self


class StudyConfig(FrozenModel):
    universe: UniverseConfig = UniverseConfig()
    portfolio: PortfolioConfig = PortfolioConfig()
    walkforward_symbols: tuple[str, ...] = Field(("SP500", "NASDAQ"), description="'*' means every symbol")
    montecarlo: bool = True
    model: str | None = Field(
        None, description="registered model id (name or name/vNNNN) filling the signals' model "
                          "component point-in-time, or 'train' to fit one on the study's data")
    runs: str = Field("runs", description="root of run outputs (path or URI)")
    storage: str | None = Field(
        None, description="storage root for relative locations under `ray job submit` "
                          "(env TSIG_STORAGE wins); an absolute path or URI")
