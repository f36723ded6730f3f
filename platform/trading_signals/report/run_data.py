"""Read a study run directory for the HTML report, tolerating missing or unreadable sections.

The layout is the one ``tsig demo`` / the backtest study writes under ``<runs>/<config_id>/``:
``summary.json``, ``config.json``, ``portfolio/<group>/{equity,returns,trades}.parquet``,
``walkforward/<symbol>/{windows,returns}.parquet``, ``montecarlo/<group>/fan.parquet`` (and
``paths.parquet`` with per-path terminal wealth and max drawdown when written), and the
``features/`` and ``signals/`` partitions ``timeframe=<tf>/symbol=<s>/part-0000.parquet``.
Every missing piece becomes a note in :attr:`RunData.notes` instead of an error, so a partial
run (a failed stage, an older layout) still gets a report of what exists.
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from trading_signals.data import storage
from trading_signals.errors import DataError


@dataclass
class Portfolio:
    """One portfolio group's stored backtest outputs."""

    name: str
    equity: pd.Series | None = None
    returns: pd.Series | None = None
    trades: pd.DataFrame | None = None
    symbols: list[str] = field(default_factory=list)


@dataclass
class RunData:
    """Everything the report renders, as read from the run's storage (nothing recomputed).

    ``run_dir`` is the location as given (a local path, ``file://`` or an object-store URI).
    """

    run_dir: str
    summary: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    portfolios: dict[str, Portfolio] = field(default_factory=dict)
    wf_windows: dict[str, pd.DataFrame] = field(default_factory=dict)
    wf_returns: dict[str, pd.Series] = field(default_factory=dict)
    mc_fans: dict[str, pd.DataFrame] = field(default_factory=dict)
    mc_paths: dict[str, pd.DataFrame] = field(default_factory=dict)
    import_report: dict[str, Any] | None = None
    signal_symbols: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def timeframe(self) -> str:
        tf = self.summary.get("timeframe") or self.config.get("data", {}).get("timeframe")
        return str(tf or "1d")

    @property
    def lake(self) -> str | None:
        lake = self.summary.get("data", {}).get("lake") or self.config.get("data", {}).get("lake")
        return str(lake) if lake else None

    def _partition(self, table: str, symbol: str) -> str:
        return storage.join(self.run_dir, table, f"timeframe={self.timeframe}", f"symbol={symbol}",
                            "part-0000.parquet")

    def signals(self, symbol: str, columns: list[str] | None = None) -> pd.DataFrame | None:
        """Return ``symbol``'s stored signals (indexed by timestamp) or ``None``."""
        return self._table("signals", symbol, columns)

    def features(self, symbol: str, columns: list[str] | None = None) -> pd.DataFrame | None:
        """Return ``symbol``'s stored features (only ``columns`` that exist) or ``None``."""
        return self._table("features", symbol, columns)

    def _table(self, table: str, symbol: str, columns: list[str] | None) -> pd.DataFrame | None:
        path = self._partition(table, symbol)
        if not storage.is_file(path):
            return None
        try:
            if columns is not None:
                have = set(storage.read_schema(path).names)
                columns = [c for c in ["timestamp", *columns] if c in have]
            frame = storage.read_table(path, columns=columns).to_pandas()
        except (OSError, ValueError) as exc:
            self.notes.append(f"could not read {path}: {exc}")
            return None
        return _indexed(frame)

    def bars(self, symbol: str) -> pd.DataFrame | None:
        """Return ``symbol``'s OHLCV bars from the run's data lake, or ``None`` if unavailable."""
        if not self.lake:
            return None
        from trading_signals.data.lake import read_bars

        try:
            return read_bars(self.lake, symbol=symbol, timeframe=self.timeframe)
        except (DataError, OSError, ValueError):
            return None


def _indexed(frame: pd.DataFrame) -> pd.DataFrame:
    if "timestamp" in frame.columns:
        frame = frame.set_index("timestamp")
    return frame


def _read_json(path: str, notes: list[str]) -> dict[str, Any]:
    try:
        data = json.loads(storage.read_text(path))
    except FileNotFoundError:
        notes.append(f"{storage.basename(path)} is missing")
        return {}
    except (OSError, ValueError) as exc:
        notes.append(f"{path} is not valid JSON ({exc})")
        return {}
    return data if isinstance(data, dict) else {}


def _read_frame(path: str, notes: list[str]) -> pd.DataFrame | None:
    # One GET: a missing object is FileNotFoundError (no separate existence check per file).
    try:
        raw = storage.read_bytes(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        notes.append(f"could not read {path}: {exc}")
        return None
    try:
        return pd.read_parquet(io.BytesIO(raw))
    except (OSError, ValueError) as exc:
        notes.append(f"could not read {path}: {exc}")
        return None


def _column(frame: pd.DataFrame | None, name: str) -> pd.Series | None:
    if frame is None or frame.empty:
        return None
    frame = _indexed(frame)
    col = name if name in frame.columns else frame.columns[0]
    return frame[col].astype(float)


def _portfolio_symbols(folder: str, trades: pd.DataFrame | None) -> list[str]:
    # positions.parquet has one column per symbol (newer runs); else the symbols traded.
    path = storage.join(folder, "positions.parquet")
    if storage.is_file(path):
        try:
            schema = storage.read_schema(path)
            index_cols = set((schema.pandas_metadata or {}).get("index_columns", []) or [])
            names = [n for n in schema.names if n not in index_cols and n not in ("timestamp", "index")
                     and not n.startswith("__")]
            if names:
                return sorted(names)
        except (OSError, ValueError):
            pass
    if trades is not None and "symbol" in trades.columns:
        return sorted(set(trades["symbol"].astype(str)))
    return []


def _subdirs(location: str) -> list[tuple[str, str]]:
    # (name, location) of each subdirectory: one listing request on an object store.
    return [(name, storage.join(location, name)) for name in storage.subdirs(location)]


def load_run(run_dir: str | os.PathLike[str]) -> RunData:
    """Read the run directory ``run_dir`` (a local path, ``file://`` or ``s3://``/``gs://`` URI).

    Raises
    ------
    DataError
        If ``run_dir`` does not exist or holds neither ``summary.json`` nor any stage output.
    """
    root = storage.check_supported(storage.as_str(run_dir))
    try:
        top = storage.scandir(root)
    except OSError as exc:  # no such bucket, no credentials, endpoint down
        raise DataError(f"run directory {root}: cannot list it ({exc}); check the location and, "
                        "for s3://, the AWS_* credentials and endpoint") from exc
    if not top:  # a missing directory, an empty one, or (object stores) no object under the prefix
        if not storage.is_remote(root) and storage.is_file(root):
            raise DataError(f"run directory {root} is a file; pass the directory a study wrote "
                            "(runs/<config_id>)")
        if not storage.is_remote(root) and storage.is_dir(root):
            raise DataError(f"{root} holds no study outputs (no summary.json, portfolio/ or "
                            "signals/); is it a run directory (runs/<config_id>)?")
        raise DataError(f"run directory {root} does not exist; pass the directory a study wrote "
                        "(printed by `tsig demo` as 'outputs: ...', e.g. runs/<config_id> or "
                        "s3://bucket/runs/<config_id>)")
    dirs = {e.name for e in top if e.is_dir}
    data = RunData(run_dir=root)
    data.summary = _read_json(storage.join(root, "summary.json"), data.notes)
    data.config = _read_json(storage.join(root, "config.json"), data.notes)
    for name, d in _subdirs(storage.join(root, "portfolio")) if "portfolio" in dirs else []:
        p = Portfolio(name)
        p.equity = _column(_read_frame(storage.join(d, "equity.parquet"), data.notes), "equity")
        p.returns = _column(_read_frame(storage.join(d, "returns.parquet"), data.notes), "return")
        p.trades = _read_frame(storage.join(d, "trades.parquet"), data.notes)
        p.symbols = _portfolio_symbols(d, p.trades)
        data.portfolios[name] = p
    for name, d in _subdirs(storage.join(root, "walkforward")) if "walkforward" in dirs else []:
        windows = _read_frame(storage.join(d, "windows.parquet"), data.notes)
        if windows is not None and not windows.empty:
            data.wf_windows[name] = windows
        rets = _column(_read_frame(storage.join(d, "returns.parquet"), data.notes), "return")
        if rets is not None:
            data.wf_returns[name] = rets
    for name, d in _subdirs(storage.join(root, "montecarlo")) if "montecarlo" in dirs else []:
        fan = _read_frame(storage.join(d, "fan.parquet"), data.notes)
        if fan is not None and not fan.empty:
            data.mc_fans[name] = fan
        paths = _read_frame(storage.join(d, "paths.parquet"), data.notes)
        if paths is not None and not paths.empty:
            data.mc_paths[name] = paths
    if "signals" in dirs:
        sig_root = storage.join(root, "signals", f"timeframe={data.timeframe}")
        data.signal_symbols = [n.split("=", 1)[1] for n, _ in _subdirs(sig_root) if "=" in n]
    report_path = data.summary.get("data", {}).get("report")
    if report_path:
        # The import report lives in the lake (local or remote); a moved lake is a note, not an error.
        rep = _read_json(storage.as_str(report_path), [])
        data.import_report = rep or None
        if not rep:
            data.notes.append(f"import report {report_path} not found or unreadable")
    if not data.summary and not data.portfolios and not data.signal_symbols:
        raise DataError(f"{root} holds no study outputs (no summary.json, portfolio/ or signals/); "
                        "is it a run directory (runs/<config_id>)?")
    return data
