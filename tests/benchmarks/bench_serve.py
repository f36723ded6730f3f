"""Load benchmark of the HTTP API: Ray Serve (default and direct ingress) next to plain FastAPI.

Run by hand from the repository root (loopback only, bounded: ``--requests`` per scenario)::

    RAY_AUTH_MODE=disabled python tests/benchmarks/bench_serve.py [--requests 400] [--conc 16 64]

Scenarios, each at every concurrency, with the same aiohttp client (httpx would cost 3-7 ms of
client CPU per request and measure itself):

- ``GET /v1/signals/SYN0001`` (the cached signal lookup: the hot path of a dashboard);
- ``POST /v1/predict`` with 60 recent bars (features computed per request + stacked-ensemble
  inference) and with one feature row (the model call dominates); Serve: batched
  (``@serve.batch``) and unbatched (the same model deployment, one call per request).

Servers, started one after the other as child processes and stopped by PID:
``plain`` = the same FastAPI app (``trading_signals.serving.api``) under uvicorn, one worker;
``serve`` = ``serve/app.py`` on a local 2-CPU Ray; ``serve+direct`` = the same with
``RAY_SERVE_ENABLE_DIRECT_INGRESS=1`` (measured through the proxy port and, when a replica
listens in 30000-31000, directly on it). Numbers on a shared machine are noisy: compare
columns of the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("RAY_AUTH_MODE", "disabled")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
ROOT = Path(__file__).resolve().parents[2]
KEY = "bench-key-0123456789abcdef"
HEADERS = {"X-API-Key": KEY}


# --------------------------------------------------------------------------- fixtures
def prepare(workdir: Path) -> tuple[str, str]:
    """Write a 5 x 600-bar lake and register a stacked ensemble; return (lake, registry)."""
    from trading_signals.config import RunConfig
    from trading_signals.data.lake import write_bars
    from trading_signals.data.synthetic import generate_universe
    from trading_signals.models.dataset import build_panel
    from trading_signals.models.ensemble import StackedEnsemble
    from trading_signals.models.registry import ModelRegistry

    lake, registry = workdir / "lake", workdir / "registry"
    uni = generate_universe(5, 600, seed=3)
    for sym, frame in uni.bars.items():
        write_bars(lake, frame, symbol=sym, timeframe="1d")
    X, y, _ = build_panel(dict(uni.bars), horizon=1, spec=[], ml=True)
    model = StackedEnsemble(n_estimators=30, n_splits=2).fit(X, y)
    run = RunConfig.model_validate({"name": "bench", "features": {"indicators": [], "ml_features": True}})
    ModelRegistry(registry).register(model, name="bench", config_id="bench", features=list(X.columns),
                                     train_start=X.index[0][0], train_end=X.index[-1][0],
                                     extra={"run_config": run.model_dump(mode="json")})
    return str(lake), str(registry)


def predict_body() -> dict[str, Any]:
    from trading_signals.data.synthetic import generate_universe

    frame = generate_universe(1, 60, seed=8).bars["SYN0000"].reset_index()
    return {"bars": [{"timestamp": r.timestamp.isoformat(), "open": r.open, "high": r.high,
                      "low": r.low, "close": r.close, "volume": r.volume} for r in frame.itertuples()]}


def rows_body() -> dict[str, Any]:
    """One feature row (the last of the same 60 bars): the model call dominates this request."""
    from trading_signals.data.synthetic import generate_universe
    from trading_signals.features.pipeline import compute_features

    feats = compute_features(generate_universe(1, 60, seed=8).bars["SYN0000"], spec=[], ml=True)
    return {"rows": [{k: float(v) for k, v in feats.iloc[-1].items()}]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --------------------------------------------------------------------------- servers (child roles)
def serve_plain(args: argparse.Namespace) -> None:
    import uvicorn

    from trading_signals.serving.api import create_app, local_backend
    from trading_signals.serving.settings import ServeSettings

    settings = ServeSettings(lake=args.lake, registry=args.registry, model_id="bench")
    app = create_app(local_backend(settings, api_key=KEY))
    print("READY", args.port, flush=True)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


def serve_ray(args: argparse.Namespace) -> None:
    if args.direct:
        os.environ["RAY_SERVE_ENABLE_DIRECT_INGRESS"] = "1"
    os.environ["TSIG_API_KEY"] = KEY  # inherited by the local Ray's workers
    sys.path.insert(0, str(ROOT))
    import importlib

    import ray
    from ray import serve

    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False,
             object_store_memory=200 * 1024 * 1024)
    sapp = importlib.import_module("serve.app")
    serve.start(http_options={"host": "127.0.0.1", "port": args.port})
    cpu = {"num_cpus": 0.25}
    for name, prefix, batching in (("batched", "/", True), ("unbatched", "/u", False)):
        cfg = {"lake": args.lake, "registry": args.registry, "model_id": "bench",
               "predict_batching": batching, "max_batch_size": 32, "batch_wait_timeout_s": 0.005}
        model = sapp.ModelDeployment.options(ray_actor_options=cpu).bind(cfg)
        serve.run(sapp.ApiIngress.options(ray_actor_options=cpu).bind(model, cfg),
                  name=name, route_prefix=prefix)
    print("READY", args.port, flush=True)
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    while not stop["now"]:
        time.sleep(0.2)
    serve.shutdown()
    ray.shutdown()


# --------------------------------------------------------------------------- client
async def load(url: str, *, method: str, body: Any, total: int, conc: int) -> dict[str, Any]:
    import aiohttp

    latencies: list[float] = []
    errors = 0
    todo = iter(range(total))
    payload = json.dumps(body).encode() if body is not None else None
    headers = {**HEADERS, "content-type": "application/json"}

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal errors
        for _ in todo:
            t0 = time.perf_counter()
            try:
                async with session.request(method, url, data=payload, headers=headers) as r:
                    await r.read()
                    ok = r.status == 200
            except aiohttp.ClientError:
                ok = False
            latencies.append(time.perf_counter() - t0)
            errors += not ok

    conn = aiohttp.TCPConnector(limit=conc)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=conn, timeout=timeout) as session:
        for _ in range(min(conc, 8)):  # warm-up (caches, connections, batching loop)
            async with session.request(method, url, data=payload, headers=headers) as r:
                await r.read()
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(conc)))
        wall = time.perf_counter() - t0
    lat = sorted(latencies)
    return {"rps": len(lat) / wall, "p50_ms": 1e3 * lat[len(lat) // 2],
            "p99_ms": 1e3 * lat[min(len(lat) - 1, int(0.99 * len(lat)))], "errors": errors}


def start(role: list[str], port: int, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, __file__, *role, "--port", str(port)], text=True,
                            stdout=subprocess.PIPE, env={**os.environ, **(env or {})})
    assert proc.stdout is not None
    deadline = time.time() + 240
    for line in proc.stdout:
        if line.startswith("READY"):
            return proc
        if time.time() > deadline:
            break
    proc.kill()
    raise RuntimeError(f"server {role} did not start")


def stop(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()


def direct_port() -> int | None:
    for port in range(30000, 30020):
        with socket.socket() as s:
            s.settimeout(0.05)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return port
    return None


def run_scenarios(label: str, base: str, *, total: int, concs: list[int], serve: bool,
                  signals_only: bool = False) -> list[dict[str, Any]]:
    body, rows = predict_body(), rows_body()
    cases = [("GET /v1/signals", "GET", "/v1/signals/SYN0001", None)]
    if signals_only:
        pass
    elif serve:
        cases += [("POST /v1/predict bars batched", "POST", "/v1/predict", body),
                  ("POST /v1/predict bars unbatched", "POST", "/u/v1/predict", body),
                  ("POST /v1/predict row batched", "POST", "/v1/predict", rows),
                  ("POST /v1/predict row unbatched", "POST", "/u/v1/predict", rows)]
    else:
        cases += [("POST /v1/predict bars", "POST", "/v1/predict", body),
                  ("POST /v1/predict row", "POST", "/v1/predict", rows)]
    rows = []
    for name, method, path, payload in cases:
        for conc in concs:
            res = asyncio.run(load(base + path, method=method, body=payload, total=total, conc=conc))
            rows.append({"server": label, "scenario": name, "conc": conc, **res})
            print(f"{label:14s} {name:28s} c={conc:3d} {res['rps']:8.1f} req/s  p50 {res['p50_ms']:7.1f} ms"
                  f"  p99 {res['p99_ms']:7.1f} ms  errors {res['errors']}", flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("role", nargs="?", default="bench", choices=["bench", "plain", "ray"])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--lake", default="")
    ap.add_argument("--registry", default="")
    ap.add_argument("--direct", action="store_true")
    ap.add_argument("--requests", type=int, default=400, help="requests per scenario and concurrency")
    ap.add_argument("--conc", type=int, nargs="+", default=[16, 64])
    ap.add_argument("--skip-direct", action="store_true", help="skip the direct-ingress run")
    ap.add_argument("--json", type=Path, default=None, help="also write the rows as JSON")
    args = ap.parse_args()
    if args.role == "plain":
        return serve_plain(args)
    if args.role == "ray":
        return serve_ray(args)
    with tempfile.TemporaryDirectory() as tmp:
        lake, registry = prepare(Path(tmp))
        common = ["--lake", lake, "--registry", registry]
        rows: list[dict[str, Any]] = []
        port = free_port()
        proc = start(["plain", *common], port)
        try:
            rows += run_scenarios("plain+uvicorn", f"http://127.0.0.1:{port}", total=args.requests,
                                  concs=args.conc, serve=False)
        finally:
            stop(proc)
        runs = [("serve", [])] + ([] if args.skip_direct else [("serve+direct", ["--direct"])])
        for label, extra in runs:
            port = free_port()
            proc = start(["ray", *common, *extra], port)
            try:
                rows += run_scenarios(label, f"http://127.0.0.1:{port}", total=args.requests,
                                      concs=args.conc, serve=True)
                replica = direct_port() if extra else None
                if replica is not None:
                    rows += run_scenarios(f"{label}@{replica}", f"http://127.0.0.1:{replica}",
                                          total=args.requests, concs=args.conc, serve=False,
                                          signals_only=True)
            finally:
                stop(proc)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
