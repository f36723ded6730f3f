"""Where a feature build spends its time per symbol.

Run: ``NUMBA_NUM_THREADS=1 python tests/benchmarks/bench_feature_stages.py [--symbols 64 --bars 2520]``

Prints ms per symbol (best of ``--repeat``) for the stages of one symbol's feature build:
indicators on warm frames (results dropped), indicators on fresh frames (new index objects,
results kept, so the result memory is touched for the first time, as in a real build), the 17
ML features, the whole ``compute_features`` and the Parquet write. (The panel engine this
script once compared against was removed: the feature build works per symbol; see
docs/indicators.md.)
"""

from __future__ import annotations

import argparse
import os
import tempfile

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import pandas as pd
from _timing import best_of
from trading_signals.data.features_lake import write_features
from trading_signals.data.synthetic import generate_universe
from trading_signals.features.indicators import compute_indicators
from trading_signals.features.ml import compute_ml_features
from trading_signals.features.pipeline import compute_features


def _fresh(frames: list[pd.DataFrame]) -> list[pd.DataFrame]:
    # New data and index objects: no cached index checks, no warm result memory.
    out = []
    for f in frames:
        g = f.copy(deep=True)
        g.index = pd.DatetimeIndex(f.index.to_numpy(), tz="UTC", name=f.index.name)
        g.attrs = dict(f.attrs)
        out.append(g)
    return out


def _drop_each(frames: list[pd.DataFrame]) -> None:
    for f in frames:
        compute_indicators(f)  # dropped at once: the result memory is reused, cache-warm


def _time_fresh(frames: list[pd.DataFrame]) -> float:
    fresh = _fresh(frames)
    return best_of(lambda: [compute_indicators(f) for f in fresh], 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--symbols", type=int, default=64)
    ap.add_argument("--bars", type=int, default=2520)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    frames = list(generate_universe(args.symbols, args.bars, seed=3).bars.values())
    for f in frames:
        f.attrs["timeframe"] = "1d"
    n = len(frames)
    compute_features(frames[0])  # JIT cache load
    with tempfile.TemporaryDirectory() as tmp:
        feats = [compute_features(f) for f in frames]
        stages = {
            "indicators, warm frames, results dropped": lambda: _drop_each(frames),
            "indicators, fresh frames, results kept": None,
            "17 ML features": lambda: [compute_ml_features(f) for f in frames],
            "compute_features (indicators + ML)": lambda: [compute_features(f) for f in frames],
            "Parquet write of the feature frame": lambda: [
                write_features(tmp, x, symbol=f"S{i}", timeframe="1d") for i, x in enumerate(feats)
            ],
        }
        print(f"{n} symbols x {args.bars} bars, one thread, best of {args.repeat}")
        print(f"| {'stage':<58} | {'ms/symbol':>9} |")
        print(f"|{'-' * 60}|{'-' * 11}|")
        for name, fn in stages.items():
            if fn is None:  # fresh inputs each repeat, prepared outside the timed call
                t = min(_time_fresh(frames) for _ in range(args.repeat))
            else:
                t = best_of(fn, args.repeat)
            print(f"| {name:<58} | {1e3 * t / n:>9.3f} |")


if __name__ == "__main__":
    main()
