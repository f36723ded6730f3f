"""Cold start: numba compilation of the default feature set, and ``tsig`` start-up time.

Run: ``python tests/benchmarks/bench_cold_start.py [--pythonpath DIR] [--bars 2000] [--repeat 3] [--demo]``

Every measurement runs in a fresh subprocess, with ``NUMBA_CACHE_DIR`` pointed at a new empty
temporary directory:

- ``features cold``: the first process computes the default feature set
  (``FeatureComputer()``: every indicator plus the ML features) on one clean synthetic symbol
  and on one with a NaN gap (the gap path is what production lakes with holidays/outages hit),
  so every kernel is compiled and written to the cache;
- ``features warm``: a second process does the same with the cache now full (loads only);
- ``tsig --help`` and ``tsig models ls`` (empty registry): wall and CPU time of the whole
  command (start-up dominated: interpreter, imports);
- ``--demo``: the whole ``tsig demo`` (local Ray, packaged data) in a fresh directory, first with
  the empty cache (what ``make demo`` on a fresh clone pays after the install), then again with
  the cache that run filled. Ray workers inherit ``NUMBA_CACHE_DIR``, so they share the cache.

CPU seconds are the child's ``resource.getrusage(RUSAGE_SELF)`` user+system time (less
sensitive to a loaded machine than wall time). ``compile`` = cold CPU - warm CPU of the
compute step. ``--pythonpath`` points the children at another source root (e.g. a copy of the
code before a change) to get before/after numbers from one script.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_CHILD = r"""
import json, resource, sys, time
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
t0, c0 = time.perf_counter(), cpu()
import numpy as np
from trading_signals.data.synthetic import generate_universe
from trading_signals.features.pipeline import FeatureComputer
t1, c1 = time.perf_counter(), cpu()
bars = generate_universe(1, int(sys.argv[1]), seed=7).bars["SYN0000"]
gapped = bars.copy()
gapped.iloc[len(bars) // 2 : len(bars) // 2 + 3] = np.nan
comp = FeatureComputer()
t2, c2 = time.perf_counter(), cpu()
a = comp(bars)
b = comp(gapped)
t3, c3 = time.perf_counter(), cpu()
print(json.dumps({"import_cpu": c1 - c0, "import_wall": t1 - t0,
                  "compute_cpu": c3 - c2, "compute_wall": t3 - t2,
                  "total_cpu": c3 - c0, "columns": a.shape[1]}))
"""


def _env(pythonpath: str, cache_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = pythonpath
    env["NUMBA_CACHE_DIR"] = cache_dir
    env.setdefault("NUMBA_NUM_THREADS", "1")
    return env


def features_run(pythonpath: str, cache_dir: str, bars: int) -> dict[str, float]:
    """Compute the default feature set in a fresh process; return its timings."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(bars)],
        env=_env(pythonpath, cache_dir),
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def command_times(pythonpath: str, cache_dir: str, args: list[str], repeat: int) -> tuple[float, float]:
    """Best (wall, CPU) seconds of ``python -m trading_signals ARGS`` in fresh processes."""
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as cwd:
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "trading_signals", *args],
                env=_env(pythonpath, cache_dir),
                capture_output=True,
                check=True,
                cwd=cwd,
            )
            wall = time.perf_counter() - t0
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
            best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
    return best_wall, best_cpu


def demo_run(pythonpath: str, cache_dir: str) -> tuple[float, float]:
    """Wall seconds and CPU seconds (driver + Ray workers) of ``tsig demo`` in a fresh directory."""
    env = _env(pythonpath, cache_dir)
    env.pop("NUMBA_NUM_THREADS", None)  # the demo as a user runs it
    env.setdefault("RAY_AUTH_MODE", "disabled")
    env.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    with tempfile.TemporaryDirectory() as cwd:
        env["HOME"] = cwd  # no ~/.ray state shared between the two runs
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "trading_signals", "demo"], env=env, check=True,
                       cwd=cwd, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pythonpath", default=str(ROOT / "platform"), help="source root to test")
    ap.add_argument("--bars", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each tsig command (best)")
    ap.add_argument("--skip-cli", action="store_true")
    ap.add_argument("--skip-features", action="store_true")
    ap.add_argument("--demo", action="store_true", help="also time tsig demo cold vs warm")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        print(f"source root: {args.pythonpath}")
        if not args.skip_features:
            cold = features_run(args.pythonpath, cache, args.bars)
            warm = features_run(args.pythonpath, cache, args.bars)
            n_files = sum(1 for p in Path(cache).rglob("*.nbc"))
            rows = [
                ("features cold (empty NUMBA_CACHE_DIR)", cold),
                ("features warm (cache filled by the cold run)", warm),
            ]
            print(f"{'step':46s} {'import s':>9s} {'compute CPU s':>14s} {'compute wall s':>15s}"
                  f" {'total CPU s':>12s}")
            for name, r in rows:
                print(f"{name:46s} {r['import_wall']:9.2f} {r['compute_cpu']:14.2f}"
                      f" {r['compute_wall']:15.2f} {r['total_cpu']:12.2f}")
            print(f"numba compilation (cold - warm compute CPU): "
                  f"{cold['compute_cpu'] - warm['compute_cpu']:.1f} s; "
                  f"{n_files} cached specialisations (.nbc files); {cold['columns']} feature columns")
        if not args.skip_cli:  # each run in an empty temp dir: models ls sees an empty registry
            for cmd in (["--help"], ["models", "ls"]):
                wall, cpu = command_times(args.pythonpath, cache, cmd, args.repeat)
                print(f"tsig {' '.join(cmd):20s} {wall:6.2f} s wall, {cpu:6.2f} s CPU"
                      f" (best of {args.repeat})")
    if args.demo:
        with tempfile.TemporaryDirectory() as cache:
            cold = demo_run(args.pythonpath, cache)
            warm = demo_run(args.pythonpath, cache)
        print(f"{'tsig demo':20s} {'wall s':>8s} {'CPU s':>8s}")
        for name, (wall, cpu) in (("cold (empty cache)", cold), ("warm", warm)):
            print(f"{name:20s} {wall:8.1f} {cpu:8.1f}")
        print(f"cold - warm: {cold[0] - warm[0]:.1f} s wall (goal: <= 60), "
              f"{cold[1] - warm[1]:.1f} s CPU")


if __name__ == "__main__":
    main()
