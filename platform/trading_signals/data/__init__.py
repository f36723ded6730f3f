"""Data layer: the only place that reads or writes files or the network."""

from __future__ import annotations

from trading_signals.data.lake import (
    describe_lake,
    list_symbols,
    partition_files,
    read_bars,
    read_panel,
    write_bars,
)
from trading_signals.data.schema import check_symbol, check_timeframe, make_ohlcv, validate_ohlcv
from trading_signals.data.synthetic import SyntheticUniverse, generate_universe

__all__ = [
    "SyntheticUniverse",
    "check_symbol",
    "check_timeframe",
    "describe_lake",
    "generate_universe",
    "list_symbols",
    "make_ohlcv",
    "partition_files",
    "read_bars",
    "read_panel",
    "validate_ohlcv",
    "write_bars",
]
