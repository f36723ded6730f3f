"""trading_signals: market data and news in, explainable and honestly tested trading signals out.

The package is a pure research core (``data`` is the only layer doing I/O) plus a thin Ray
adapter layer in :mod:`trading_signals.distributed`.
"""

from __future__ import annotations

from trading_signals.errors import (
    ConfigError,
    DataError,
    LookAheadError,
    NotFittedError,
    SourceError,
    TradingSignalsError,
)

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "DataError",
    "LookAheadError",
    "NotFittedError",
    "SourceError",
    "TradingSignalsError",
    "__version__",
]
