"""Write a synthetic study run directory (the layout the study writes) for report tests.

The numbers are seeded and plausible, not a backtest: the report is render-only, so what the
tests check is that every stored section shows up, renders, and that large universes stay small.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from trading_signals.data.features_lake import write_features
from trading_signals.data.lake import write_bars
from trading_signals.data.runs import write_frame_atomic, write_json_atomic
from trading_signals.data.signals_lake import write_signals
from trading_signals.data.synthetic import generate_universe

LABELS = np.array(["STRONG_SELL", "SELL", "HOLD", "BUY", "STRONG_BUY"], dtype=object)
COMPONENTS = ("trend", "momentum", "volatility", "volume")


def _signals(bars: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    n = len(bars)
    out = pd.DataFrame(index=bars.index)
    out["close"] = bars["close"]
    total = np.zeros(n)
    for c in COMPONENTS:
        score = np.clip(np.cumsum(rng.normal(0, 0.05, n)) * 0.1 + 0.5, 0, 1)
        score[:50] = np.nan
        out[f"score_{c}"] = score
        out[f"contrib_{c}"] = (score - 0.5) * 0.25
        total += np.nan_to_num(out[f"contrib_{c}"].to_numpy())
    conf = np.clip(0.5 + total, 0, 1)
    conf[:50] = np.nan
    out["confluence_score"] = conf
    codes = np.digitize(np.nan_to_num(conf, nan=0.5), [0.3, 0.45, 0.55, 0.7])
    label = LABELS[codes].copy()
    label[:50] = None
    out["signal"] = label
    out["confidence"] = np.abs(conf - 0.5) * 2
    out["explanation"] = [f"{lab} {c:.2f}: <trend> & co" if lab else "NO SIGNAL: warm-up"
                          for lab, c in zip(label, np.nan_to_num(conf), strict=True)]
    return out


def make_run(root: Path, *, n_symbols: int = 4, n_bars: int = 600, seed: int = 3,
             wf_symbols: int = 2, mc_paths: bool = True) -> Path:
    """Write lake + run directory under ``root`` and return the run directory."""
    rng = np.random.default_rng(seed)
    lake, run = root / "lake", root / "runs" / f"synth{n_symbols}"
    uni = generate_universe(n_symbols, n_bars, seed=seed)
    latest = {}
    for sym, bars in uni.bars.items():
        write_bars(lake, bars, symbol=sym, timeframe="1d")
        close = bars["close"]
        feats = pd.DataFrame({"sma_20": close.rolling(20).mean(), "sma_50": close.rolling(50).mean(),
                              "bb_upper_20": close.rolling(20).mean() + 2 * close.rolling(20).std(),
                              "bb_lower_20": close.rolling(20).mean() - 2 * close.rolling(20).std(),
                              "rsi_14": rng.uniform(0, 100, len(close))}, index=bars.index)
        write_features(run, feats.astype(float), symbol=sym, timeframe="1d")
        sig = _signals(bars, rng)
        write_signals(run, sig, symbol=sym, timeframe="1d")
        last = sig.iloc[-1]
        latest[sym] = {"signal": last["signal"], "confluence_score": float(last["confluence_score"]),
                       "explanation": last["explanation"]}
    idx = next(iter(uni.bars.values())).index
    rets = pd.Series(rng.normal(0.0003, 0.01, len(idx)), index=idx)
    rets.iloc[0] = 0.0
    equity = 10_000 * (1 + rets).cumprod()
    pdir = run / "portfolio" / "synthetic-main"
    write_frame_atomic(equity.rename("equity").rename_axis("timestamp").to_frame(), pdir / "equity.parquet")
    write_frame_atomic(rets.rename("return").rename_axis("timestamp").to_frame(), pdir / "returns.parquet")
    syms = list(uni.bars)
    trades = pd.DataFrame({"symbol": [syms[i % len(syms)] for i in range(2 * len(syms))],
                           "entry_time": idx[10], "exit_time": idx[20], "pnl": 1.0})
    write_frame_atomic(trades, pdir / "trades.parquet")
    wf = {}
    for sym in syms[:wf_symbols]:
        starts = list(range(0, n_bars - 300, 100))
        w = pd.DataFrame({"window": range(len(starts)),
                          "train_start": [idx[s] for s in starts], "train_end": [idx[s + 199] for s in starts],
                          "test_start": [idx[s + 205] for s in starts], "test_end": [idx[s + 299] for s in starts],
                          "fast": 10, "slow": 50, "is_sharpe": rng.normal(1, 0.3, len(starts)),
                          "oos_sharpe": rng.normal(0.2, 0.5, len(starts)),
                          "oos_total_return": rng.normal(0.01, 0.05, len(starts))})
        write_frame_atomic(w, run / "walkforward" / sym / "windows.parquet")
        oos = pd.Series(rng.normal(0, 0.01, 300), index=idx[-300:]).rename("return")
        write_frame_atomic(oos.rename_axis("timestamp").to_frame(), run / "walkforward" / sym / "returns.parquet")
        wf[sym] = {"windows": len(starts), "oos_sharpe": float(rng.normal()), "oos_psr": 0.8,
                   "deflated_sharpe": 0.4, "n_trials_per_window": 16.0, "grid_pbo": 0.3}
    steps = np.arange(1, 65)
    fan = pd.DataFrame({f"p{q}": 1 + (q - 50) / 500 * np.sqrt(steps / 64) for q in (5, 25, 50, 75, 95)},
                       index=pd.Index(steps, name="step"))
    write_frame_atomic(fan, run / "montecarlo" / "synthetic-main" / "fan.parquet")
    if mc_paths:
        paths = pd.DataFrame({"terminal_wealth": rng.lognormal(0, 0.1, 10_000),
                              "max_drawdown": rng.beta(2, 20, 10_000)})
        write_frame_atomic(paths, run / "montecarlo" / "synthetic-main" / "paths.parquet")
    report = root / "lake" / "reports" / "import-test.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps({"report_path": str(report), "inputs": [
        {"source": "synthetic", "symbols": syms[:3], "rows_in": n_bars * n_symbols,
         "rows_clean": n_bars * n_symbols - 3, "rows_quarantined": 3, "ok": True, "rule_counts": {"calendar_gap": 7, "ohlc_order": 3}}]}))
    summary = {
        "config_id": run.name, "run_dir": str(run), "timeframe": "1d",
        "data": {"lake": str(lake), "symbols": n_symbols, "rows_in": n_bars * n_symbols,
                 "rows_clean": n_bars * n_symbols - 3, "rows_quarantined": 3,
                 "issues_by_rule": {"calendar_gap": 7, "ohlc_order": 3}, "report": str(report),
                 "quarantine_files": ["q.parquet"]},
        "signals": {"symbols": n_symbols, "latest": latest},
        "portfolios": {"synthetic-main": {"symbols": n_symbols, "total_return": float(equity.iloc[-1] / 1e4 - 1),
                                          "sharpe": 0.7, "max_drawdown": 0.12, "n_trades": len(trades)}},
        "walkforward": wf,
        "montecarlo": {"synthetic-main": {"n_paths": 10000.0, "horizon": 64.0, "var_95": 0.12, "cvar_95": 0.15,
                                          "var_99": 0.18, "max_drawdown_p95": 0.2, "prob_loss": 0.4}},
        "seconds": {"import": 1.0, "features": 2.0},
    }
    write_json_atomic(summary, run / "summary.json")
    write_json_atomic({"name": "synthetic-report-test", "data": {"lake": str(lake), "timeframe": "1d"}},
                      run / "config.json")
    return run
