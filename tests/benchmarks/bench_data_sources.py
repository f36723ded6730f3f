"""Benchmark the data sources: synthetic generation at scale and remote-chain overhead.

Run: ``python tests/benchmarks/bench_data_sources.py``. Timings are noisy on a shared machine,
so each row is reported as a ratio against a reference measured in the same run:

* synthetic: ``generate_universe(N, T)`` vs drawing the same number of normals with NumPy
  (8 x N x T), the floor for any generator of that size;
* remote: ``fetch_remote`` (retry machinery + parse into a raw frame) of a 2,520-bar Stooq
  history from a loopback server vs a bare ``httpx.get`` of the same body, and each provider's
  parser vs the plain pandas/json reading of the same body (which checks nothing).
"""

from __future__ import annotations

import io
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "data"))

from fake_provider_server import serving
from trading_signals.config.remote import RemoteConfig
from trading_signals.data.remote import build_providers, fetch_remote
from trading_signals.data.synthetic import generate_universe


def _best(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_synthetic() -> list[tuple[str, float, float]]:
    rows = []
    for n, t in [(50, 2520), (200, 2520), (500, 2520)]:
        ref = _best(lambda n=n, t=t: np.random.default_rng(0).standard_normal((8, t, n)))
        ours = _best(lambda n=n, t=t: generate_universe(n, t, seed=1, planted_ic=0.05), repeat=2)
        rows.append((f"generate_universe({n}, {t})", ours, ref))
    return rows


def bench_remote() -> list[tuple[str, float, float]]:
    import httpx

    days = pd.bdate_range("2010-01-04", periods=2520)
    close = 100 * np.exp(np.cumsum(np.random.default_rng(0).normal(0, 0.01, len(days))))
    bars = pd.DataFrame(
        {
            "open": close,
            "high": close * 1.01,
            "low": close * 0.99,
            "close": close,
            "volume": np.full(len(days), 1e6),
        },
        index=days,
    )
    env = {"ALPHAVANTAGE_API_KEY": "k", "POLYGON_API_KEY": "k"}
    paths = {
        "stooq": "/q/d/l/?s=x.us&i=d",
        "alphavantage": "/query?symbol=X",
        "polygon": "/v2/aggs/ticker/X/range/1/day/2010-01-01/2020-12-31",
    }
    with serving(bars) as fake:
        bodies = {p: httpx.get(fake.url + path).content for p, path in paths.items()}
        # End to end: chain (retry machinery + parse) vs a bare GET of the same body.
        e2e_ref = _best(lambda: httpx.get(fake.url + paths["stooq"]).content, repeat=5)
        e2e = _best(
            lambda: fetch_remote(
                ["X"],
                providers=["stooq"],
                base_urls={"stooq": fake.url},
                config=RemoteConfig(timeout=10.0),
            ),
            repeat=5,
        )
    rows = [("fetch_remote stooq vs bare httpx.get", e2e, e2e_ref)]
    references: dict[str, Callable[[bytes], object]] = {
        "stooq": lambda b: pd.read_csv(io.BytesIO(b)),
        "alphavantage": lambda b: pd.DataFrame.from_dict(
            json.loads(b)["Time Series (Daily)"], orient="index"
        ).astype(float),
        "polygon": lambda b: pd.DataFrame(json.loads(b)["results"]),
    }
    for name, body in bodies.items():
        provider = build_providers([name], env=env)[0]
        ours = _best(lambda p=provider, b=body: p.parse(b, symbol="X", timeframe="1d"), repeat=5)
        ref = _best(lambda r=references[name], b=body: r(b), repeat=5)
        rows.append((f"parse {name} 2520 bars vs pandas", ours, ref))
    return rows


def main() -> None:
    rows = bench_synthetic() + bench_remote()
    print(f"{'case':<40} {'ours [s]':>10} {'reference [s]':>14} {'ratio':>8}")
    for name, ours, ref in rows:
        print(f"{name:<40} {ours:>10.4f} {ref:>14.4f} {ours / ref:>8.1f}")


if __name__ == "__main__":
    main()
