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

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

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
    """Everything the report renders, as read from disk (nothing recomputed)."""

    run_dir: Path
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

    def _partition(self, table: str, symbol: str) -> Path:
        return self.run_dir / table / f"timeframe={self.timeframe}" / f"symbol={symbol}" / "part-0000.parquet"

    def signals(self, symbol: str, columns: list[str] | None = None) -> pd.DataFrame | None:
        """Return ``symbol``'s stored signals (indexed by timestamp) or ``None``."""
        return self._table("signals", symbol, columns)

    def features(self, symbol: str, columns: list[str] | None = None) -> pd.DataFrame | None:
        """Return ``symbol``'s stored features (only ``columns`` that exist) or ``None``."""
        return self._table("features", symbol, columns)

    def _table(self, table: str, symbol: str, columns: list[str] | None) -> pd.DataFrame | None:
        path = self._partition(table, symbol)
        if not path.is_file():
            return None
        try:
            if columns is not None:
                import pyarrow.parquet as pq

                have = set(pq.read_schema(path).names)
                columns = [c for c in ["timestamp", *columns] if c in have]
            frame = pd.read_parquet(path, columns=columns)
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


def _read_json(path: Path, notes: list[str]) -> dict[str, Any]:
    if not path.is_file():
        notes.append(f"{path.name} is missing")
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        notes.append(f"{path} is not valid JSON ({exc})")
        return {}
    return data if isinstance(data, dict) else {}


def _read_frame(path: Path, notes: list[str]) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        notes.append(f"could not read {path}: {exc}")
        return None


def _column(frame: pd.DataFrame | None, name: str) -> pd.Series | None:
    if frame is None or frame.empty:
        return None
    frame = _indexed(frame)
    col = name if name in frame.columns else frame.columns[0]
    return frame[col].astype(float)


def _portfolio_symbols(folder: Path, trades: pd.DataFrame | None) -> list[str]:
    # positions.parquet has one column per symbol (newer runs); else the symbols traded.
    path = folder / "positions.parquet"
    if path.is_file():
        try:
            import pyarrow.parquet as pq

            schema = pq.read_schema(path)
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


def _subdirs(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.is_dir()) if path.is_dir() else []


def load_run(run_dir: str | Path) -> RunData:
    """Read the run directory ``run_dir`` into a :class:`RunData`.

    Raises
    ------
    DataError
        If ``run_dir`` is not a directory or holds neither ``summary.json`` nor any stage output.
    """
    text = str(run_dir)
    if text.startswith("file://"):
        text = text[len("file://"):]
    elif "://" in text:
        raise DataError(f"run directory {text} is remote; the report reads local runs: copy it first "
                        f"(e.g. `aws s3 sync {text} ./{text.rstrip('/').rsplit('/', 1)[-1]}`) and pass "
                        "the local copy")
    root = Path(text)
    if not root.is_dir():
        raise DataError(f"run directory {root} does not exist; pass the directory a study wrote "
                        "(printed by `tsig demo` as 'outputs: ...', e.g. runs/<config_id>)")
    data = RunData(run_dir=root)
    data.summary = _read_json(root / "summary.json", data.notes)
    data.config = _read_json(root / "config.json", data.notes)
    for d in _subdirs(root / "portfolio"):
        p = Portfolio(d.name)
        p.equity = _column(_read_frame(d / "equity.parquet", data.notes), "equity")
        p.returns = _column(_read_frame(d / "returns.parquet", data.notes), "return")
        p.trades = _read_frame(d / "trades.parquet", data.notes)
        p.symbols = _portfolio_symbols(d, p.trades)
        data.portfolios[d.name] = p
    for d in _subdirs(root / "walkforward"):
        windows = _read_frame(d / "windows.parquet", data.notes)
        if windows is not None and not windows.empty:
            data.wf_windows[d.name] = windows
        rets = _column(_read_frame(d / "returns.parquet", data.notes), "return")
        if rets is not None:
            data.wf_returns[d.name] = rets
    for d in _subdirs(root / "montecarlo"):
        fan = _read_frame(d / "fan.parquet", data.notes)
        if fan is not None and not fan.empty:
            data.mc_fans[d.name] = fan
        paths = _read_frame(d / "paths.parquet", data.notes)
        if paths is not None and not paths.empty:
            data.mc_paths[d.name] = paths
    sig_root = root / "signals" / f"timeframe={data.timeframe}"
    data.signal_symbols = [p.name.split("=", 1)[1] for p in _subdirs(sig_root) if "=" in p.name]
    report_path = data.summary.get("data", {}).get("report")
    if report_path and Path(report_path).is_file():
        data.import_report = _read_json(Path(report_path), data.notes)
    if not data.summary and not data.portfolios and not data.signal_symbols:
        raise DataError(f"{root} holds no study outputs (no summary.json, portfolio/ or signals/); "
                        "is it a run directory (runs/<config_id>)?")
    return data
