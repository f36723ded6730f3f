"""Shared type aliases and column-name constants."""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]

TIMESTAMP: Final = "timestamp"
SYMBOL: Final = "symbol"
TIMEFRAME: Final = "timeframe"
OPEN: Final = "open"
HIGH: Final = "high"
LOW: Final = "low"
CLOSE: Final = "close"
VOLUME: Final = "volume"
PRICE_COLUMNS: Final = (OPEN, HIGH, LOW, CLOSE)
OHLCV_COLUMNS: Final = (OPEN, HIGH, LOW, CLOSE, VOLUME)

# Timeframes the lake accepts, as pandas offset aliases (the lake's partition values).
TIMEFRAMES: Final = ("1min", "5min", "15min", "30min", "1h", "4h", "1d", "1w", "1mo")
