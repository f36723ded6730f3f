"""Gate throughput, each against a reference measured in the same run.

Run: ``python tests/benchmarks/bench_gate.py [--rows 200000 --symbols 50 --repeat 3]``

1. One big CSV: ``read_table`` + ``run_gate`` vs a bare ``pandas.read_csv`` + ``to_datetime`` +
   ``to_numeric`` (the minimum any loader does, with no checks).
2. Many daily series (synthetic, 2,520 bars each): ``import_raw`` (gate + lake + quarantine +
   report) vs plain ``write_bars`` of the same canonical frames (no gate).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from trading_signals.data.files import read_table
from trading_signals.data.gate import run_gate
from trading_signals.data.importer import import_raw
from trading_signals.data.lake import write_bars
from trading_signals.data.raw import RawInput
from trading_signals.data.synthetic import generate_universe


def _write_csv(path: Path, rows: int, *, dirty: float) -> None:
    n_sym = max(1, rows // 2520)
    panel = generate_universe(n_sym, -(-rows // n_sym), seed=1).panel().reset_index().iloc[:rows]
    panel["timestamp"] = panel["timestamp"].dt.strftime("%Y-%m-%d")
    rng = np.random.default_rng(0)
    bad = rng.random(len(panel)) < dirty
    panel = panel.astype({"open": object})
    panel.loc[bad, "open"] = "n/a"
    panel.to_csv(path, index=False)


def _reference(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path)
    df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True)
    df[["open", "high", "low", "close", "volume"]] = df[
        ["open", "high", "low", "close", "volume"]
    ].apply(pd.to_numeric, errors="coerce")
    return df


def _gate(path: Path) -> object:
    return run_gate(read_table(path), source=str(path)).report


def _best(fn: Callable[[Path], object], path: Path, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(path)
        times.append(time.perf_counter() - t0)
    return min(times)


def _bench_import(n_symbols: int, repeat: int) -> None:
    bars = generate_universe(n_symbols, 2520, seed=2).bars
    inputs = [RawInput("synthetic", s, f.reset_index()) for s, f in bars.items()]
    rows = n_symbols * 2520

    def ref(_: Path) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            for s, f in bars.items():
                write_bars(tmp, f, symbol=s, timeframe="1d")

    def ours(_: Path) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            import_raw(inputs, lake=tmp)

    t_ref, t_ours = _best(ref, Path("."), repeat), _best(ours, Path("."), repeat)
    for name, t in (("write_bars only", t_ref), ("import_raw (gated)", t_ours)):
        print(f"{name:<28}{rows:>10}{t:>10.3f}{rows / t:>12,.0f}{t / t_ref:>14.2f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--symbols", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"{'case':<28}{'rows':>10}{'seconds':>10}{'rows/s':>12}{'ratio vs ref':>14}")
    for dirty in (0.0, 0.01):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bench.csv"
            _write_csv(path, args.rows, dirty=dirty)
            ref = _best(_reference, path, args.repeat)
            ours = _best(_gate, path, args.repeat)
            for name, t in (
                (f"pandas read_csv (dirty={dirty})", ref),
                (f"read_table+gate (dirty={dirty})", ours),
            ):
                print(f"{name:<28}{args.rows:>10}{t:>10.3f}{args.rows / t:>12,.0f}{t / ref:>14.2f}")
    _bench_import(args.symbols, args.repeat)


if __name__ == "__main__":
    main()
