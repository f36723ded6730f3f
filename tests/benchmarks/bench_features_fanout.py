"""Feature-build fan-out: speed-up of Ray vs the serial core, and peak memory vs universe size.

    python tests/benchmarks/bench_features_fanout.py                 # 1,000 x 2,520, sizes 100/500/1000
    python tests/benchmarks/bench_features_fanout.py --symbols 200 --sizes 50,100,200

Both tables are measured in the same run; ratios are against the serial core. Ray workers are
warmed up first (imports, numba caches), so the timing is steady state; cold start is reported
separately. Memory: each size runs in a fresh subprocess (peak RSS is per process). The load
average is printed because other processes on the machine skew wall-clock ratios; the last
column is therefore also given from CPU time: serial CPU seconds / (CPU seconds of every process
of the Ray run, driver + raylet + GCS + workers, / 2), the speed-up two otherwise idle CPUs give
if the work keeps both busy.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("RAY_AUTH_MODE", "disabled")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
# Ray nices its workers to 15 by default; on a machine shared with other nice-0 processes that
# starves them and measures the scheduler, not the fan-out. Run them at the serial driver's
# priority (override with RAY_worker_niceness=15 to see Ray's default).
os.environ.setdefault("RAY_worker_niceness", "0")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "platform"))

from trading_signals.data.lake import write_bars
from trading_signals.data.synthetic import generate_universe
from trading_signals.config.features import FeaturesConfig
from trading_signals.features.pipeline import FeatureComputer

COMPUTE = FeatureComputer()  # default indicators + 17 ML features
CONFIG = FeaturesConfig()  # the same, as the features stage takes it


def make_lake(root: Path, n_symbols: int, n_bars: int) -> Path:
    # Generated in blocks so building the lake itself stays small in memory.
    done = 0
    while done < n_symbols:
        k = min(100, n_symbols - done)
        for sym, bars in generate_universe(k, n_bars, seed=1000 + done).bars.items():
            idx = int(sym[3:]) + done
            write_bars(root, bars, symbol=f"SYN{idx:04d}", timeframe="1d")
        done += k
    return root


def _ray() -> None:
    from trading_signals.distributed.runtime import ensure_ray

    ensure_ray(num_cpus=2, object_store_memory=300 * 1024 * 1024)


def _tree_cpu() -> float:
    """CPU seconds used so far by this process and all its children (raylet, GCS, workers)."""
    import psutil

    me = psutil.Process()
    total = 0.0
    for proc in [me, *me.children(recursive=True)]:
        try:
            t = proc.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def speed(lake: Path, work: Path, n: int) -> list[tuple[str, float, float, float]]:
    from trading_signals.data.lake import list_symbols
    from trading_signals.distributed.executor import RayExecutor
    from trading_signals.workflow.executor import SerialExecutor
    from trading_signals.workflow.features import build_features

    syms = list_symbols(lake, timeframe="1d")[:n]
    rows: list[tuple[str, float, float, float]] = []
    COMPUTE(generate_universe(1, 300, seed=0).bars["SYN0000"])  # warm the driver too
    c0 = _tree_cpu()
    s = build_features(CONFIG, SerialExecutor(), lake=str(lake), out=str(work / "serial"), symbols=syms)
    rows.append(("serial core", s.seconds, s.rows / s.seconds, _tree_cpu() - c0))
    t0 = time.perf_counter()
    _ray()
    ray_ex = RayExecutor()
    build_features(CONFIG, ray_ex, lake=str(lake), out=str(work / "warm"), symbols=syms[:4])  # warm workers
    cold = time.perf_counter() - t0
    c0 = _tree_cpu()
    r = build_features(CONFIG, ray_ex, lake=str(lake), out=str(work / "ray"), symbols=syms)
    rows.append(("ray executor (bounded task window)", r.seconds, r.rows / r.seconds, _tree_cpu() - c0))
    rows.append(("ray start + warm-up (once)", cold, float("nan"), float("nan")))
    import ray

    ray.shutdown()  # the memory runs start their own clusters
    return rows


def memory_child(n: int, lake: Path) -> None:
    from trading_signals.data.lake import list_symbols
    from trading_signals.distributed.executor import RayExecutor
    from trading_signals.workflow.features import build_features

    symbols = list_symbols(lake, timeframe="1d")[:n]
    with tempfile.TemporaryDirectory() as tmp:
        _ray()
        r = build_features(CONFIG, RayExecutor(), lake=str(lake), out=tmp, symbols=symbols)
        print(json.dumps({
            "symbols": n, "seconds": r.seconds,
            "driver_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "worker_peak_rss_mb": _worker_peak_rss_mb(),
        }))


def _worker_peak_rss_mb() -> float:
    # Peak RSS over the Ray worker processes still alive (children of the raylet).
    import psutil

    peaks = []
    for p in psutil.process_iter():
        try:
            cmd = " ".join(p.cmdline() or [])
            if "ray::" in cmd or "default_worker" in cmd:
                peaks.append(p.memory_info().rss / 2**20)
        except psutil.Error:
            continue
    return max(peaks, default=float("nan"))


def memory(sizes: list[int], lake: Path) -> list[dict[str, float]]:
    # One lake of the largest size; each child builds the first n symbols in a fresh process.
    out = []
    for n in sizes:
        res = subprocess.run([sys.executable, __file__, "--memory-child", str(n), "--lake", str(lake)],
                             capture_output=True, text=True, check=True)
        out.append(json.loads(res.stdout.strip().splitlines()[-1]))
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--symbols", type=int, default=1000)
    p.add_argument("--bars", type=int, default=2520)
    p.add_argument("--sizes", default="100,500,1000")
    p.add_argument("--skip-memory", action="store_true")
    p.add_argument("--memory-child", type=int, default=0)
    p.add_argument("--lake", type=Path, default=None)
    a = p.parse_args()
    if a.memory_child:
        memory_child(a.memory_child, a.lake)
        return
    sizes = [int(s) for s in a.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="bench_features_"))
    try:
        make_lake(work / "lake", max(a.symbols, *sizes), a.bars)
        rows = speed(work / "lake", work, a.symbols)
        base, base_cpu = rows[0][1], rows[0][3]
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"\nFeature build, {a.symbols} symbols x {a.bars} bars, 2 CPUs (default indicators + ML);"
              f" load average after: {load}; Ray worker niceness {os.environ['RAY_worker_niceness']}")
        print(f"{'path':<28}{'seconds':>9}{'bars/s':>10}{'wall speed-up':>15}{'CPU s':>8}"
              f"{'CPU-bound speed-up, 2 idle CPUs':>33}")
        for name, sec, bps, cpu in rows:
            if math.isnan(bps):
                print(f"{name:<28}{sec:>9.2f}{'-':>10}{'-':>15}{'-':>8}{'-':>33}")
                continue
            # serial CPU / (CPU of all Ray processes / 2): what 2 otherwise idle CPUs would give
            proj = 1.0 if name == "serial core" else base_cpu / (cpu / 2)
            print(f"{name:<28}{sec:>9.2f}{bps:>10,.0f}{base / sec:>14.2f}x{cpu:>8.1f}{proj:>32.2f}x")
        mem = [] if a.skip_memory else memory(sizes, work / "lake")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if not mem:
        return
    first = mem[0]
    print(f"\nPeak RSS vs universe size (Ray tasks, {a.bars} bars/symbol; fresh process per size)")
    print(f"{'symbols':>8}{'driver MB':>11}{'x smallest':>12}{'worker MB':>11}{'x smallest':>12}{'seconds':>9}")
    for m in mem:
        print(f"{m['symbols']:>8}{m['driver_peak_rss_mb']:>11.0f}{m['driver_peak_rss_mb'] / first['driver_peak_rss_mb']:>11.2f}x"
              f"{m['worker_peak_rss_mb']:>11.0f}{m['worker_peak_rss_mb'] / first['worker_peak_rss_mb']:>11.2f}x{m['seconds']:>9.1f}")


if __name__ == "__main__":
    main()
