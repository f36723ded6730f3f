"""Scale benchmark of the end-to-end study: N synthetic symbols x 10 years of daily bars.

Run: ``python tests/benchmarks/bench_study_scale.py [--sizes 100 500 2000] [--serial-too]``.
Each size runs in a fresh process with its own local Ray (2 CPUs); the table shows wall time
per stage, peak memory (driver + Ray workers, sampled every 0.2 s) and seconds per 100 symbols.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("RAY_AUTH_MODE", "disabled")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")


def _peak_sampler(stop: threading.Event, peak: list[float]) -> None:
    import psutil

    me = os.getpid()
    while not stop.is_set():
        total = 0
        for p in psutil.process_iter(["pid", "name", "cmdline", "memory_info"]):
            try:
                cmd = " ".join(p.info["cmdline"] or [])
                if p.info["pid"] == me or "ray::" in (p.info["name"] or "") or "ray::" in cmd \
                        or "default_worker.py" in cmd:
                    total += p.info["memory_info"].rss
            except Exception:  # noqa: BLE001, S112 - processes come and go
                continue
        peak[0] = max(peak[0], total / 2**20)
        time.sleep(0.2)


def run_one(n_symbols: int, use_ray: bool) -> dict[str, object]:
    from trading_signals.config import RunConfig
    from trading_signals.cli._executor import make_executor
    from trading_signals.workflow.study import run_study

    tmp = Path(tempfile.mkdtemp(prefix="tsig-scale-"))
    cfg = RunConfig.model_validate({
        "name": f"scale-{n_symbols}",
        "data": {"lake": str(tmp / "lake")},
        "study": {"universe": {"sample": False, "synthetic_symbols": n_symbols, "synthetic_bars": 2520},
                  "walkforward_symbols": ["SYN0000", "SYN0001"], "runs": str(tmp / "runs")},
        "risk": {"montecarlo": {"n_paths": 10_000, "horizon": 252}},
    })
    stop, peak = threading.Event(), [0.0]
    sampler = threading.Thread(target=_peak_sampler, args=(stop, peak), daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    if use_ray:
        from trading_signals.distributed.runtime import ensure_ray

        ensure_ray(num_cpus=2)
    t_ray = time.perf_counter() - t0
    res = run_study(cfg, make_executor(use_ray))
    wall = time.perf_counter() - t0
    stop.set()
    sampler.join()
    return {"symbols": n_symbols, "engine": "ray" if use_ray else "serial", "wall_s": round(wall, 1),
            "ray_start_s": round(t_ray, 1), "stages": res.summary["seconds"], "peak_mb": round(peak[0])}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 500, 2000])
    parser.add_argument("--serial-too", action="store_true")
    parser.add_argument("--one", type=int, default=None)
    parser.add_argument("--serial", action="store_true")
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(run_one(args.one, not args.serial)))
        return
    rows = []
    for n in args.sizes:
        for serial in ([False, True] if args.serial_too else [False]):
            cmd = [sys.executable, __file__, "--one", str(n)] + (["--serial"] if serial else [])
            out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
            rows.append(json.loads(out.strip().splitlines()[-1]))
            print(rows[-1], flush=True)
    base = rows[0]
    print("\nStudy scale, synthetic symbols x 2,520 daily bars, 2 CPUs")
    print(f"{'symbols':>8} {'engine':>7} {'wall s':>8} {'s/100 sym':>10} {'peak MB':>8}  stages (s)")
    for r in rows:
        per100 = r["wall_s"] / r["symbols"] * 100
        print(f"{r['symbols']:>8} {r['engine']:>7} {r['wall_s']:>8} {per100:>10.2f} {r['peak_mb']:>8}  {r['stages']}")
    base_rate = base["wall_s"] / base["symbols"]
    growth = ", ".join(f"{(r['wall_s'] / r['symbols']) / base_rate:.2f}" for r in rows)
    print(f"(growth check: wall per symbol relative to the first row = {growth})")


if __name__ == "__main__":
    main()
