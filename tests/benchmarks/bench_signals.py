"""Benchmark the confluence engine against its own input step, and Ray fan-out against serial.

Run: ``python tests/benchmarks/bench_signals.py [--bars 5000] [--symbols 8] [--no-ray]``.
Timings on a shared machine are noisy: read the ratios (same run, same data), best of N.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

os.environ.setdefault("RAY_AUTH_MODE", "disabled")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

from _timing import best_of
from trading_signals.config.signals import SignalsConfig
from trading_signals.data.lake import write_bars
from trading_signals.workflow.signals import build_signals
from trading_signals.data.synthetic import generate_universe
from trading_signals.features.indicators import compute_indicators
from trading_signals.signals.engine import generate_signals, signals_for_symbol
from trading_signals.signals.summary import latest_summary


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bars", type=int, default=5000)
    ap.add_argument("--symbols", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-ray", action="store_true")
    args = ap.parse_args()

    uni = generate_universe(args.symbols, args.bars, seed=0)
    bars = uni.bars["SYN0000"]
    generate_signals(bars.iloc[:300], config=SignalsConfig(multi_timeframe=True))  # JIT warm-up
    mtf = SignalsConfig(multi_timeframe=True)
    sig = generate_signals(bars)
    rows = [
        ("compute_indicators (reference)", best_of(lambda: compute_indicators(bars), args.repeat)),
        ("generate_signals", best_of(lambda: generate_signals(bars), args.repeat)),
        ("signals_for_symbol", best_of(lambda: signals_for_symbol(bars), args.repeat)),
        ("generate_signals + 1d/1w consensus",
         best_of(lambda: generate_signals(bars, config=mtf), args.repeat)),
        ("latest_summary", best_of(lambda: latest_summary(sig, symbol="SYN0000"), args.repeat)),
    ]
    ref = rows[0][1]
    print(f"\nper symbol, {args.bars} daily bars (best of {args.repeat})")
    print(f"{'step':40s} {'seconds':>9s} {'x reference':>12s} {'bars/s':>10s}")
    for name, sec in rows:
        print(f"{name:40s} {sec:9.4f} {sec / ref:12.2f} {args.bars / sec:10.0f}")

    with tempfile.TemporaryDirectory() as tmp:
        lake = Path(tmp) / "lake"
        for sym, frame in uni.bars.items():
            write_bars(lake, frame, symbol=sym, timeframe="1d")
        syms = sorted(uni.bars)
        cfg = SignalsConfig()
        serial = best_of(lambda: build_signals(cfg, lake=str(lake), out=f"{tmp}/s", symbols=syms), 1)
        print(f"\n{args.symbols} symbols x {args.bars} bars, read + generate + write")
        print(f"{'path':40s} {'seconds':>9s} {'x serial':>12s}")
        print(f"{'serial (reference)':40s} {serial:9.3f} {1.0:12.2f}")
        if not args.no_ray:
            from trading_signals.distributed.executor import RayExecutor
            from trading_signals.distributed.runtime import cluster_cpus, ensure_ray

            ensure_ray(num_cpus=2)
            ray_ex = RayExecutor(chunk_size=1)
            build_signals(cfg, None, ray_ex, lake=str(lake), out=f"{tmp}/w", symbols=syms[:2])  # warm workers
            fan = best_of(lambda: build_signals(cfg, None, ray_ex, lake=str(lake), out=f"{tmp}/r",
                                                symbols=syms), 1)
            label = f"ray fan-out ({cluster_cpus()} CPUs, warm workers)"
            print(f"{label:40s} {fan:9.3f} {fan / serial:12.2f}")


if __name__ == "__main__":
    main()
