"""Append only new bars to the lake through the quality gate (``tsig data update``).

Unlike ``import --mode merge``, an update never rewrites history: bars after a partition's last
bar are appended; a bar at or before it is compared with the lake (identical: counted as a
duplicate; different: a conflict, reported and NOT written; absent from the lake, i.e. a gap
or older history: skipped and reported). A rerun therefore adds nothing and rewrites no file,
and a reader (the HTTP service) sees new bars the moment the partition is replaced atomically.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from trading_signals._typing import OHLCV_COLUMNS
from trading_signals.config.data import GateConfig
from trading_signals.data import storage
from trading_signals.data.gate import run_gate
from trading_signals.data.lake import atomic_write_table, child, partition_path, read_bars, write_bars
from trading_signals.data.raw import RawInput
from trading_signals.data.runs import write_json_atomic


@dataclass
class SymbolUpdate:
    """What an update did to one partition."""

    symbol: str
    timeframe: str
    last_before: str | None
    last_after: str | None
    appended: int = 0
    duplicates: int = 0
    conflicts: int = 0
    skipped_older: int = 0
    conflict_examples: list[str] = field(default_factory=list)


@dataclass
class UpdateReport:
    lake: str
    run_id: str
    symbols: list[SymbolUpdate] = field(default_factory=list)
    rows_in: int = 0
    rows_quarantined: int = 0
    quarantine_files: list[str] = field(default_factory=list)
    report_path: str | None = None

    @property
    def appended(self) -> int:
        return sum(s.appended for s in self.symbols)

    @property
    def ok(self) -> bool:
        """True when nothing was quarantined and no bar conflicted with the lake."""
        return self.rows_quarantined == 0 and all(s.conflicts == 0 for s in self.symbols)

    def to_dict(self) -> dict[str, Any]:
        return {"lake": self.lake, "run_id": self.run_id, "appended": self.appended, "ok": self.ok,
                "rows_in": self.rows_in, "rows_quarantined": self.rows_quarantined,
                "quarantine_files": self.quarantine_files, "report_path": self.report_path,
                "symbols": [asdict(s) for s in self.symbols]}


def last_bars(lake: str, symbols: Iterable[str], *, timeframe: str) -> dict[str, pd.Timestamp | None]:
    """Return each symbol's last bar in the lake (None when it has no partition yet)."""
    out: dict[str, pd.Timestamp | None] = {}
    for s in symbols:
        target = partition_path(lake, symbol=s, timeframe=timeframe)
        out[s] = read_bars(lake, symbol=s, timeframe=timeframe).index[-1] if storage.is_file(target) else None
    return out


def append_new_bars(inputs: Iterable[RawInput], *, lake: str, timeframe: str,
                    config: GateConfig | None = None) -> UpdateReport:
    """Gate ``inputs`` and append each symbol's bars that are newer than its last lake bar.

    Returns
    -------
    UpdateReport
        Per symbol: appended, duplicates, conflicts (not written), skipped older bars.

    Notes
    -----
    Appending only after the last bar keeps every past signal reproducible: nothing a
    point-in-time query already saw can change.
    """
    cfg = config or GateConfig()
    run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
    report = UpdateReport(lake=storage.as_str(lake), run_id=run_id)
    base: dict[str, pd.DataFrame | None] = {}
    pending: dict[str, pd.DataFrame] = {}
    stats: dict[str, SymbolUpdate] = {}
    for k, inp in enumerate(inputs):
        result = run_gate(inp.frame, source=inp.source, symbol=inp.symbol, timeframe=timeframe, config=cfg)
        report.rows_in += result.report.rows_in
        if len(result.quarantined):
            report.rows_quarantined += len(result.quarantined)
            report.quarantine_files.append(str(_quarantine(lake, run_id, k, inp.source, result.quarantined)))
        for sym, clean in result.clean.items():
            if sym not in base:
                target = partition_path(lake, symbol=sym, timeframe=timeframe)
                base[sym] = read_bars(lake, symbol=sym, timeframe=timeframe) if storage.is_file(target) else None
                last = None if base[sym] is None else base[sym].index[-1].isoformat()
                stats[sym] = SymbolUpdate(sym, timeframe, last_before=last, last_after=last)
            current = pending.get(sym, base[sym])
            pending[sym] = _append(current, clean, stats[sym])
    for sym, frame in sorted(pending.items()):
        if stats[sym].appended:
            frame.attrs.update(symbol=sym, timeframe=timeframe)
            write_bars(lake, frame, symbol=sym, timeframe=timeframe)
            stats[sym].last_after = frame.index[-1].isoformat()
    report.symbols = [stats[s] for s in sorted(stats)]
    path = child(lake, "reports", f"update-{run_id}.json")
    report.report_path = storage.as_str(path)
    write_json_atomic(report.to_dict(), path)
    return report


def _append(current: pd.DataFrame | None, clean: pd.DataFrame, st: SymbolUpdate) -> pd.DataFrame:
    if current is None or current.empty:
        st.appended += len(clean)
        return clean.loc[:, list(OHLCV_COLUMNS)]
    last = current.index[-1]
    newer = clean.loc[clean.index > last, list(OHLCV_COLUMNS)]
    older = clean.loc[clean.index <= last, list(OHLCV_COLUMNS)]
    known = older.index.isin(current.index)
    st.skipped_older += int((~known).sum())
    if known.any():
        mine = older.loc[known]
        theirs = current.loc[mine.index, list(OHLCV_COLUMNS)]
        same = np.isclose(mine.to_numpy(), theirs.to_numpy(), rtol=0, atol=0, equal_nan=True).all(axis=1)
        st.duplicates += int(same.sum())
        st.conflicts += int((~same).sum())
        for ts in mine.index[~same][:5]:
            st.conflict_examples.append(f"{st.symbol} at {ts.isoformat()}: the lake holds a different "
                                        "bar; kept the lake's (re-import with --mode replace to overwrite)")
    st.appended += len(newer)
    if newer.empty:
        return current
    merged = pd.concat([current.loc[:, list(OHLCV_COLUMNS)], newer])
    merged.attrs = dict(current.attrs)
    return merged


def _quarantine(lake: str, run_id: str, k: int, source: str, frame: pd.DataFrame) -> Any:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", source).strip("._")[:60] or "input"
    table = pa.table({c: pa.array(frame[c].astype(np.int64 if c == "row" else str).to_numpy())
                      for c in frame.columns})
    return atomic_write_table(table, child(lake, "quarantine", run_id, f"{k:03d}-update-{name}.parquet"))
