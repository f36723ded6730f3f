"""Features stage: one lake partition in, one features partition out, per symbol.

The unit of work (:func:`features_partition`) reads one bars partition, computes its features
and writes them atomically, returning only a small summary, so the driver's memory stays flat
however many symbols a build covers (the Ray executor runs chunks of these as tasks).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from trading_signals.config.features import FeaturesConfig
from trading_signals.data.features_lake import read_partition, require_files, write_features
from trading_signals.data.lake import partition_files
from trading_signals.features.pipeline import FeatureComputer
from trading_signals.observability.metrics import counter
from trading_signals.workflow.executor import Executor, Progress, SerialExecutor


def features_partition(path: str, out: str, compute: FeatureComputer) -> dict[str, Any]:
    """Read one bars partition, compute its features, write them; return a small summary.

    Notes
    -----
    Per-symbol and causal: the features of a partition depend only on that symbol's bars (see
    :func:`trading_signals.features.pipeline.compute_features`).
    """
    t0 = time.perf_counter()
    bars = read_partition(path)
    symbol, timeframe = bars.attrs["symbol"], bars.attrs["timeframe"]
    try:
        features = compute(bars)
    except Exception as exc:
        exc.add_note(f"while computing features of symbol={symbol} timeframe={timeframe} ({path})")
        raise
    written = write_features(out, features, symbol=symbol, timeframe=timeframe)
    counter("tsig_rows_processed").inc(len(features), {"stage": "features"})
    return {"symbol": symbol, "timeframe": timeframe, "rows": len(features),
            "columns": int(features.shape[1]), "path": str(written),
            "seconds": time.perf_counter() - t0}


@dataclass
class FeatureBuildSummary:
    """What a feature build did: per-partition summaries (sorted by symbol) and totals."""

    engine: str
    timeframe: str
    out: str
    partitions: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(int(p["rows"]) for p in self.partitions)

    def to_dict(self) -> dict[str, Any]:
        """Return the totals (JSON-able; per-partition rows are in ``partitions``)."""
        return {
            "engine": self.engine, "timeframe": self.timeframe, "out": self.out,
            "symbols": len(self.partitions), "rows": self.rows,
            "columns": sorted({int(p["columns"]) for p in self.partitions}),
            "seconds": round(self.seconds, 3),
            "rows_per_second": round(self.rows / self.seconds, 1) if self.seconds else None,
        }


def build_features(
    config: FeaturesConfig,
    executor: Executor | None = None,
    *,
    lake: str,
    out: str,
    timeframe: str = "1d",
    symbols: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> FeatureBuildSummary:
    """Build the features table ``<out>/features/timeframe=<tf>/symbol=<SYM>/`` from a bars lake.

    Parameters
    ----------
    config
        The ``features`` section (indicator spec, ML features, higher timeframes).
    executor
        Serial (default) or Ray; the files written are identical.
    lake, out
        Bars lake to read and root to write the ``features`` table into.
    timeframe, symbols
        Which partitions (every symbol of ``timeframe`` when None).
    progress
        ``progress(done, total)`` as partitions finish.

    Raises
    ------
    DataError
        When the selection holds no partition.
    """
    executor = executor or SerialExecutor()
    names = list(symbols) if symbols else None
    files = [str(p) for p in require_files(partition_files(lake, timeframe=timeframe, symbols=names),
                                           lake, timeframe)]
    compute = FeatureComputer.from_config(config)
    t0 = time.perf_counter()
    rows = executor.map(partial(features_partition, out=str(out), compute=compute), files,
                        name="features", progress=progress)
    return FeatureBuildSummary(engine=executor.name, timeframe=timeframe, out=str(out),
                               partitions=sorted(rows, key=lambda r: r["symbol"]),
                               seconds=time.perf_counter() - t0)
