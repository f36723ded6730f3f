"""The import pipeline: raw inputs -> quality gate -> lake partitions, quarantine and a report.

Layout written under the lake::

    <lake>/ohlcv/timeframe=<tf>/symbol=<SYM>/part-0000.parquet   clean bars (lake.write_bars)
    <lake>/quarantine/<run_id>/<nnn>-<source>.parquet            rejected raw rows + reasons
    <lake>/reports/import-<run_id>.json                          ImportReport.to_dict()

When two inputs of one import (or, with ``mode="merge"``, the lake and an input) hold a bar
for the same symbol and timestamp, the bar seen first wins: an identical later bar is counted
clean (``lake_duplicate``, info), a different one is quarantined (``lake_conflict``).

The lake may be a local path or an object-store URI (``s3://bucket/lake``); the layout is the same.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from trading_signals._typing import OHLCV_COLUMNS
from trading_signals.config.data import GateConfig
from trading_signals.data.gate import run_gate
from trading_signals.data.gate_report import GateReport, GateResult, Issue
from trading_signals.data.gate_rules import summarise
from trading_signals.data.runs import write_json_atomic
from trading_signals.data import storage
from trading_signals.data.lake import (
    atomic_write_table,
    check_no_overwrite,
    child,
    partition_path,
    read_bars,
    write_bars,
)
from trading_signals.data.raw import RawInput
from trading_signals.errors import DataError
from trading_signals.observability.metrics import counter

Mode = Literal["new", "replace", "merge"]
MODES = ("new", "replace", "merge")


@dataclass
class ImportReport:
    """What one import did: a gate report per input and where every row went."""

    lake: str
    run_id: str
    mode: str
    inputs: list[GateReport] = field(default_factory=list)
    partitions: list[dict[str, Any]] = field(default_factory=list)
    quarantine_files: list[str] = field(default_factory=list)
    report_path: str | None = None

    @property
    def rows_in(self) -> int:
        return sum(r.rows_in for r in self.inputs)

    @property
    def rows_clean(self) -> int:
        return sum(r.rows_clean for r in self.inputs)

    @property
    def rows_quarantined(self) -> int:
        return sum(r.rows_quarantined for r in self.inputs)

    @property
    def ok(self) -> bool:
        """True when no row was quarantined and no input has an error (e.g. ``empty_file``).

        An input that yields no rows at all (an empty file, a header-only CSV) quarantines
        nothing, yet nothing of it reached the lake: that is a failed import, not a clean one.
        """
        return self.rows_quarantined == 0 and not any(
            i.severity == "error" for r in self.inputs for i in r.issues)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-safe builtins."""
        return {
            "lake": self.lake,
            "run_id": self.run_id,
            "mode": self.mode,
            "rows_in": self.rows_in,
            "rows_clean": self.rows_clean,
            "rows_quarantined": self.rows_quarantined,
            "ok": self.ok,
            "partitions": self.partitions,
            "quarantine_files": self.quarantine_files,
            "report_path": self.report_path,
            "inputs": [r.to_dict() for r in self.inputs],
        }


@dataclass
class _Pending:
    frame: pd.DataFrame
    origin: str


def import_raw(
    inputs: Iterable[RawInput],
    *,
    lake: str | Path,
    timeframe: str | None = None,
    config: GateConfig | None = None,
    mode: Mode = "new",
) -> ImportReport:
    """Pass every input through the gate and write clean bars, quarantine and a JSON report.

    Parameters
    ----------
    inputs : iterable of RawInput
    lake : path
        Lake root (created when missing).
    timeframe : str, optional
        Override every input's own ``timeframe``.
    config : GateConfig, optional
    mode : {"new", "replace", "merge"}
        ``new`` (default) writes each touched partition but refuses (DataError, nothing
        written) when one already holds different bars: a user's bars are never replaced
        silently; ``replace`` rewrites each touched partition with this import's bars;
        ``merge`` unions them with the bars already in the lake (existing bars win conflicts).

    Returns
    -------
    ImportReport
        Per-input gate reports (``rows_in == rows_clean + rows_quarantined`` each) and paths.

    Notes
    -----
    Bars are stored as the gate accepted them; nothing is resampled or filled, so the lake
    holds no value derived from a later bar.
    """
    if mode not in MODES:
        raise DataError(f"mode {mode!r} is not supported; use 'new', 'replace' or 'merge'")
    root = child(lake)
    report = ImportReport(lake=str(root), run_id=_run_id(), mode=mode)
    pending: dict[tuple[str, str], _Pending] = {}
    quarantines: list[tuple[str, pd.DataFrame]] = []
    cfg = config or GateConfig()
    for inp in inputs:
        tf = timeframe or inp.timeframe
        result = run_gate(inp.frame, source=inp.source, symbol=inp.symbol, timeframe=tf, config=cfg)
        extra = [_combine(pending, result, sym, tf, root, mode, cfg) for sym in list(result.clean)]
        quarantined = pd.concat(
            [result.quarantined, *[e for e in extra if len(e)]], ignore_index=True
        )
        report.inputs.append(result.report)
        if len(quarantined):
            quarantines.append((inp.source, quarantined.sort_values("row", kind="stable")))
    if mode == "new":  # check every partition before writing any (all or nothing)
        for (tf, sym), item in sorted(pending.items()):
            check_no_overwrite(root, item.frame, symbol=sym, timeframe=tf)
    for (tf, sym), item in sorted(pending.items()):
        path = write_bars(root, item.frame, symbol=sym, timeframe=tf)
        report.partitions.append(
            {"timeframe": tf, "symbol": sym, "rows": len(item.frame), "path": str(path)}
        )
    report.quarantine_files = [
        str(_write_quarantine(root, report.run_id, k, src, q))
        for k, (src, q) in enumerate(quarantines)
    ]
    report.report_path = str(child(root, "reports", f"import-{report.run_id}.json"))
    write_json_atomic(report.to_dict(), report.report_path)
    _record_metrics(report)
    return report


def _record_metrics(report: ImportReport) -> None:
    # After the writes succeeded: the counters describe what reached the lake / quarantine.
    counter("tsig_rows_processed").inc(sum(r.rows_in for r in report.inputs), {"stage": "import"})
    quarantined = counter("tsig_rows_quarantined")
    for r in report.inputs:
        quarantined.inc(r.rows_quarantined, {"stage": "import", "source": r.source})


def _combine(
    pending: dict[tuple[str, str], _Pending],
    result: GateResult,
    sym: str,
    tf: str,
    root: Path | str,
    mode: str,
    cfg: GateConfig,
) -> pd.DataFrame:
    """Add ``result.clean[sym]`` to the pending partition; return rows moved to quarantine."""
    new, rows = result.clean[sym], result.clean_rows[sym]
    key = (tf, sym)
    if (
        key not in pending
        and mode == "merge"
        and storage.is_file(partition_path(root, symbol=sym, timeframe=tf))
    ):
        pending[key] = _Pending(
            read_bars(root, symbol=sym, timeframe=tf), origin=f"the lake ({root})"
        )
    if key not in pending:
        pending[key] = _Pending(new, origin=result.report.source)
        return result.quarantined.iloc[0:0]
    base = pending[key]
    overlap = new.index.isin(base.frame.index)
    same = np.zeros(len(new), dtype=bool)
    if overlap.any():
        old = base.frame.loc[new.index[overlap], list(OHLCV_COLUMNS)].to_numpy()
        same[overlap] = (old == new.loc[overlap, list(OHLCV_COLUMNS)].to_numpy()).all(axis=1)
    conflict = overlap & ~same
    merged = pd.concat([base.frame, new.loc[~overlap]]).sort_index(kind="stable")
    merged.attrs = dict(base.frame.attrs)
    pending[key] = _Pending(merged, origin=base.origin)
    _note(result.report, "lake_duplicate", rows[same], sym, base.origin, cfg, new.index[same])
    _note(
        result.report, "lake_conflict", rows[conflict], sym, base.origin, cfg, new.index[conflict]
    )
    return _quarantine_rows(result, rows[conflict], sym, base.origin, new.index[conflict])


def _note(
    report: GateReport,
    rule: str,
    rows: np.ndarray,
    sym: str,
    origin: str,
    cfg: GateConfig,
    stamps: pd.DatetimeIndex,
) -> None:
    if len(rows) == 0:
        return
    if rule == "lake_conflict":
        report.rows_clean -= len(rows)
        report.rows_quarantined += len(rows)
        what, sev = "a different bar is already in", "error"
        how = "; the existing bar was kept (re-import with mode=replace to overwrite)"
    else:
        what, sev, how = "an identical bar is already in", "info", "; counted clean, stored once"
    for r, ts in list(zip(rows, stamps, strict=True))[: cfg.max_issues_per_rule]:
        msg = f"{report.source}, row {r}: {sym} at {ts.isoformat()}: {what} {origin}{how}"
        report.issues.append(Issue(rule, sev, msg, row=int(r), column="timestamp"))  # type: ignore[arg-type]
    report.issues.extend(
        summarise(rule, [int(r) - 1 for r in rows[cfg.max_issues_per_rule :]], report.source)
    )


def _quarantine_rows(
    result: GateResult, rows: np.ndarray, sym: str, origin: str, stamps: pd.DatetimeIndex
) -> pd.DataFrame:
    out = result.raw_rows(rows)
    out.insert(0, "source", result.report.source)
    out.insert(1, "row", rows.astype(np.int64))
    out.insert(2, "rule", "lake_conflict")
    out.insert(3, "column", "timestamp")
    out.insert(
        4,
        "message",
        [f"{sym} at {ts.isoformat()}: a different bar is already in {origin}" for ts in stamps],
    )
    return out


def _run_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


def _safe_name(source: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(source).name or source).strip("._") or "input"
    return name[:60]


def _write_quarantine(root: Path | str, run_id: str, k: int, source: str, frame: pd.DataFrame) -> Path | str:
    cols = {c: (pa.int64() if c == "row" else pa.string()) for c in frame.columns}
    data = {
        c: (frame[c].astype(np.int64) if c == "row" else frame[c].astype(str))
        for c in frame.columns
    }
    table = pa.table({c: pa.array(v.to_numpy(), type=cols[c]) for c, v in data.items()})
    table = table.replace_schema_metadata({"source": source, "run_id": run_id})
    return atomic_write_table(
        table, child(root, "quarantine", run_id, f"{k:03d}-{_safe_name(source)}.parquet")
    )
