"""Features stage: one lake partition in, one features partition out, per symbol.

The unit of work (:func:`features_partition`) reads one bars partition, computes its features
and writes them atomically, returning only a small summary, so the driver's memory stays flat
however many symbols a build covers (the Ray executor runs chunks of these as tasks).

The table carries a manifest (:mod:`trading_signals.data.table_manifest`): before any partition
is written the driver checks that the output directory holds no other table (another features
config, timeframe or column set, or partitions of an older version without a manifest); after
the partitions are written it records their symbols and input fingerprints atomically.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from trading_signals.config import config_id
from trading_signals.config.features import FeaturesConfig
from trading_signals.config.indicators import resolve_params
from trading_signals.data.features_lake import (
    FEATURES_TABLE,
    features_schema,
    partition_key,
    read_partition,
    require_files,
    write_features,
)
from trading_signals.data.fingerprint import input_digests
from trading_signals.data.lake import partition_files
from trading_signals.data.table_manifest import (
    arrow_columns,
    forget_symbols,
    new_manifest,
    prepare_write,
    record_symbols,
)
from trading_signals.features.pipeline import FeatureComputer
from trading_signals.observability.metrics import counter
from trading_signals.workflow.executor import Executor, Progress, SerialExecutor


def features_partition(path: str, out: str, compute: FeatureComputer, *,
                       lake: str | None = None,
                       manifest: dict[str, Any] | None = None) -> dict[str, Any]:
    """Read one bars partition, compute its features, write them; return a small summary.

    ``manifest`` (the table's identity) makes a partition whose columns differ from the table's
    an error before it is written; ``lake`` roots the input names recorded in ``inputs``.

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
    written = write_features(out, features, symbol=symbol, timeframe=timeframe,
                             manifest=manifest)
    counter("tsig_rows_processed").inc(len(features), {"stage": "features"})
    return {"symbol": symbol, "timeframe": timeframe, "rows": len(features),
            "columns": int(features.shape[1]), "path": str(written),
            "inputs": input_digests([path], root=lake), "seconds": time.perf_counter() - t0}


@dataclass
class FeatureBuildSummary:
    """What a feature build did: per-partition summaries (sorted by symbol) and totals."""

    engine: str
    timeframe: str
    out: str
    partitions: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    data_fingerprint: str | None = None  # of every symbol's inputs in the table (manifest)

    @property
    def rows(self) -> int:
        return sum(int(p["rows"]) for p in self.partitions)

    def to_dict(self) -> dict[str, Any]:
        """Return the totals (JSON-able; per-partition rows are in ``partitions``)."""
        return {
            "engine": self.engine, "timeframe": self.timeframe, "out": self.out,
            "symbols": len(self.partitions), "rows": self.rows,
            "columns": sorted({int(p["columns"]) for p in self.partitions}),
            "data_fingerprint": self.data_fingerprint,
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
    replace: bool = False,
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
    replace
        Delete a features table of another config (or without a manifest) under ``out`` for
        ``timeframe`` first, instead of refusing it.

    Raises
    ------
    DataError
        When the selection holds no partition.
    TableMismatchError
        Before anything is written, when ``out`` holds another features table for
        ``timeframe`` (config or columns differ, or no manifest) and ``replace`` is False.
    """
    executor = executor or SerialExecutor()
    names = list(symbols) if symbols else None
    files = [str(p) for p in require_files(partition_files(lake, timeframe=timeframe, symbols=names),
                                           lake, timeframe)]
    compute = FeatureComputer.from_config(config)
    columns = arrow_columns(features_schema(compute.columns()))
    producing = _resolved(config)
    wanted = new_manifest(FEATURES_TABLE, timeframe, producing.model_dump(mode="json"),
                          config_id(producing), columns)
    manifest = prepare_write(str(out), wanted, replace=replace)  # before any partition is written
    forget_symbols(str(out), manifest, [partition_key(f)[0] for f in files])
    identity = {k: manifest[k] for k in ("table", "timeframe", "config_id", "columns")}
    t0 = time.perf_counter()
    rows = executor.map(partial(features_partition, out=str(out), compute=compute, lake=str(lake),
                                manifest=identity), files, name="features", progress=progress)
    rows = sorted(rows, key=lambda r: r["symbol"])
    written = {r["symbol"]: {"inputs": r.pop("inputs"), "rows": r["rows"]} for r in rows}
    recorded = record_symbols(str(out), wanted, written, columns)
    return FeatureBuildSummary(engine=executor.name, timeframe=timeframe, out=str(out),
                               partitions=rows, seconds=time.perf_counter() - t0,
                               data_fingerprint=recorded["data_fingerprint"])


def _resolved(config: FeaturesConfig) -> FeaturesConfig:
    # Defaults spelled out: `{name: rsi}` and `{name: rsi, params: {timeperiod: 14}}` build the
    # same table, so they get the same manifest config id.
    if config.indicators is None:
        return config
    items = tuple(s.model_copy(update={"params": resolve_params(s.name, s.params)})
                  for s in config.indicators)
    return config.model_copy(update={"indicators": items})
