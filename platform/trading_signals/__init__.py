"""trading_signals: market data and news in, explainable and honestly tested trading signals out.

The package is a pure research core (``data`` is the only layer doing I/O) plus a thin Ray
adapter layer in :mod:`trading_signals.distributed`. The curated API below resolves lazily
(PEP 562): ``import trading_signals`` is cheap, and each name imports its module on first use.

Examples
--------
>>> import trading_signals as ts
>>> bars = ts.generate_universe(1, 300, seed=1).bars["SYN0000"]
>>> ts.compute_indicators(bars, ["rsi"]).columns.tolist()
['rsi_14']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trading_signals._lazy import lazy_exports
from trading_signals.errors import (
    ConfigError,
    DataError,
    LookAheadError,
    NotFittedError,
    SourceError,
    TradingSignalsError,
)

__version__ = "0.1.0"

# Public name -> module that defines it (imported on first attribute access).
_API: dict[str, str] = {
    # configuration
    "load_config": "trading_signals.config",
    "RunConfig": "trading_signals.config",
    "BacktestConfig": "trading_signals.config.backtest",
    # data
    "generate_universe": "trading_signals.data.synthetic",
    "load_sample": "trading_signals.data.sample",
    "read_bars": "trading_signals.data.lake",
    "write_bars": "trading_signals.data.lake",
    "list_symbols": "trading_signals.data.lake",
    "Timeframe": "trading_signals.timeframes",
    "TIMEFRAMES": "trading_signals.timeframes",
    "get_timeframe": "trading_signals.timeframes",
    # features
    "compute_indicators": "trading_signals.features.indicators",
    "available_indicators": "trading_signals.features.indicators",
    "compute_features": "trading_signals.features.pipeline",
    "FeatureComputer": "trading_signals.features.pipeline",
    "warm_up": "trading_signals.features.warmup",
    # signals, models
    "generate_signals": "trading_signals.signals.engine",
    "ModelRegistry": "trading_signals.models.registry",
    # backtests and risk
    "run_backtest": "trading_signals.backtest.engine",
    "run_walk_forward": "trading_signals.backtest.walkforward",
    "run_montecarlo": "trading_signals.risk.montecarlo",
}

__all__ = [
    "ConfigError",
    "DataError",
    "LookAheadError",
    "NotFittedError",
    "SourceError",
    "TradingSignalsError",
    "__version__",
    *sorted(_API),
]

if TYPE_CHECKING:  # pragma: no cover
    from trading_signals.backtest.engine import run_backtest
    from trading_signals.backtest.walkforward import run_walk_forward
    from trading_signals.config import RunConfig, load_config
    from trading_signals.config.backtest import BacktestConfig
    from trading_signals.data.lake import list_symbols, read_bars, write_bars
    from trading_signals.data.sample import load_sample
    from trading_signals.data.synthetic import generate_universe
    from trading_signals.features.indicators import available_indicators, compute_indicators
    from trading_signals.features.pipeline import FeatureComputer, compute_features
    from trading_signals.features.warmup import warm_up
    from trading_signals.models.registry import ModelRegistry
    from trading_signals.risk.montecarlo import run_montecarlo
    from trading_signals.signals.engine import generate_signals
    from trading_signals.timeframes import TIMEFRAMES, Timeframe, get_timeframe


__getattr__, __dir__ = lazy_exports(__name__, _API, globals())
