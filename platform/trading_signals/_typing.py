"""Shared type aliases and column-name constants."""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import NDArray

# Timeframes the lake accepts (its partition values): the names of the one timeframe table,
# re-exported here for the modules that import them from _typing.
from trading_signals.timeframes import TIMEFRAMES as TIMEFRAMES

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
