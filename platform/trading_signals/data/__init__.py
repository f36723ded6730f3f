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
from trading_signals.data.files import load_files, read_table
from trading_signals.data.gate import run_gate
from trading_signals.data.importer import import_raw
from trading_signals.data.news import load_news
from trading_signals.data.raw import RawInput
from trading_signals.data.sample import load_sample
from trading_signals.data.schema import check_symbol, check_timeframe, make_ohlcv, validate_ohlcv
from trading_signals.data.synthetic import SyntheticUniverse, generate_universe

__all__ = [
    "RawInput",
    "SyntheticUniverse",
    "import_raw",
    "load_files",
    "load_news",
    "load_sample",
    "read_table",
    "run_gate",
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
