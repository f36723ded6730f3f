"""Data layer: the only place that reads or writes files or the network.

Names resolve lazily (PEP 562): ``import trading_signals.data`` (which every ``from
trading_signals.data.x import y`` runs first) no longer imports the gate, the importer and the
synthetic generator up front, which kept ``tsig`` start-up slow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trading_signals._lazy import lazy_exports

_EXPORTS = {
    "describe_lake": "lake",
    "list_symbols": "lake",
    "partition_files": "lake",
    "read_bars": "lake",
    "read_panel": "lake",
    "write_bars": "lake",
    "load_files": "files",
    "read_table": "files",
    "run_gate": "gate",
    "import_raw": "importer",
    "load_news": "news",
    "RawInput": "raw",
    "load_sample": "sample",
    "check_symbol": "schema",
    "check_timeframe": "schema",
    "make_ohlcv": "schema",
    "validate_ohlcv": "schema",
    "SyntheticUniverse": "synthetic",
    "generate_universe": "synthetic",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, {k: f"{__name__}.{m}" for k, m in _EXPORTS.items()},
                                     globals(), submodules=True)

if TYPE_CHECKING:  # pragma: no cover
    from trading_signals.data.files import load_files, read_table
    from trading_signals.data.gate import run_gate
    from trading_signals.data.importer import import_raw
    from trading_signals.data.lake import (
        describe_lake,
        list_symbols,
        partition_files,
        read_bars,
        read_panel,
        write_bars,
    )
    from trading_signals.data.news import load_news
    from trading_signals.data.raw import RawInput
    from trading_signals.data.sample import load_sample
    from trading_signals.data.schema import (
        check_symbol,
        check_timeframe,
        make_ohlcv,
        validate_ohlcv,
    )
    from trading_signals.data.synthetic import SyntheticUniverse, generate_universe

