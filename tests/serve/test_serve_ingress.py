"""Ingress modes: ``tsig serve`` in its default HAProxy mode, end to end, on its own Ray.

The flags must be in the environment before Ray starts, so this cannot use the session Ray
(``ray_local``): the app runs under ``tsig serve`` in a child process with its own local Ray,
stopped by PID at the end.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests._services import free_port
from trading_signals.serving.ingress import (
    DEFAULT_INGRESS,
    INGRESS_MODES,
    SERVE_FLAG_DEFAULTS,
    SERVE_HTTP_CALLBACK,
    ingress_env,
    private_haproxy_env,
)

API_KEY = "ingress-test-key-0123456789abcdef"
HEADERS = {"X-API-Key": API_KEY}
TSIG = [sys.executable, "-c", "from trading_signals.cli import main; main()"]
PLATFORM = str(Path(__file__).resolve().parents[2] / "platform")


def test_ingress_env_sets_one_mode_and_clears_the_other() -> None:
    assert ingress_env("haproxy") == {"RAY_SERVE_ENABLE_HA_PROXY": "1", "RAY_SERVE_ENABLE_DIRECT_INGRESS": "0",
                                      "RAY_SERVE_THROUGHPUT_OPTIMIZED": "1",
                                      "RAY_SERVE_HAPROXY_METRICS_ENABLED": "0",
                                      "RAY_SERVE_HTTP_PROXY_CALLBACK_IMPORT_PATH": SERVE_HTTP_CALLBACK}
    # direct / proxy switch the bundle off: it would turn direct ingress on again by itself
    assert ingress_env("direct") == {"RAY_SERVE_ENABLE_HA_PROXY": "0", "RAY_SERVE_ENABLE_DIRECT_INGRESS": "1",
                                     "RAY_SERVE_THROUGHPUT_OPTIMIZED": "0",
                                     "RAY_SERVE_HAPROXY_METRICS_ENABLED": "1"}
    assert ingress_env("proxy") == SERVE_FLAG_DEFAULTS  # Serve's own defaults, whatever was set before
    with pytest.raises(ValueError, match="haproxy"):
        ingress_env("nginx")
    assert DEFAULT_INGRESS in INGRESS_MODES


def test_serve_accepts_the_middleware_callback_of_the_haproxy_mode() -> None:
    """What Serve does with RAY_SERVE_HTTP_PROXY_CALLBACK_IMPORT_PATH, with Serve's own code."""
    from ray.serve._private.http_util import validate_http_proxy_callback_return
    from ray.serve._private.utils import call_function_from_import_path

    assert ingress_env("haproxy")["RAY_SERVE_HTTP_PROXY_CALLBACK_IMPORT_PATH"] == SERVE_HTTP_CALLBACK
    middlewares = validate_http_proxy_callback_return(call_function_from_import_path(SERVE_HTTP_CALLBACK))
    assert [m.cls.__name__ for m in middlewares] == ["QuickReadsServedDirectly"]
    assert "RAY_SERVE_HTTP_PROXY_CALLBACK_IMPORT_PATH" not in ingress_env("proxy")  # the user's own stays


@pytest.mark.parametrize(("method", "path", "client", "marked"), [
    ("GET", "/v1/signals/AAPL", None, True),
    ("GET", "/u/v1/signals/AAPL", None, True),            # behind a route prefix
    ("GET", "/v1/signals/AAPL", b"?0", True),             # ours is appended last and wins
    ("GET", "/v1/symbols", None, True),
    ("GET", "/v1/health", None, True),
    ("POST", "/v1/predict", None, False),                  # can run long: keep the watch
    ("POST", "/v1/backtest", None, False),
    ("GET", "/v1/reports/AAPL", None, False),
    ("GET", "/", None, False),
])
def test_quick_reads_skip_serves_disconnect_watch_and_timeout(method, path, client, marked) -> None:
    import asyncio

    from ray.serve._private.http_util import (
        parse_disconnect_disabled_header,
        parse_request_timeout_header,
    )

    from trading_signals.serving.serve_http import QuickReadsServedDirectly

    seen = {}

    async def app(scope, receive, send) -> None:
        seen["headers"] = dict(scope["headers"])

    headers = [(b"host", b"x")] + ([(b"x-request-disconnect-disabled", client)] if client else [])
    scope = {"type": "http", "method": method, "path": path, "headers": headers}
    asyncio.run(QuickReadsServedDirectly(app)(scope, None, None))
    assert parse_disconnect_disabled_header(seen["headers"]) is marked
    # Serve's own parser: None = no timeout task; otherwise the configured timeout stays.
    assert parse_request_timeout_header(seen["headers"], 30.0) == (None if marked else 30.0)


def test_private_haproxy_env_fits_haproxy_socket_limit() -> None:
    env = private_haproxy_env()
    # Serve appends "/<56 hex>" to the folder; HAProxy refuses unix socket paths over 97 chars.
    for key in ("RAY_SERVE_HAPROXY_SOCKET_PATH", "RAY_SERVE_HAPROXY_METRICS_SOCKET_PATH"):
        path = Path(env[key])
        assert len(str(path.parent)) + 57 + len(path.name) + 1 <= 97, env[key]
    assert env["RAY_SERVE_HAPROXY_STATS_PORT"] != env["RAY_SERVE_HAPROXY_METRICS_PORT"]


def test_rayservice_runs_the_same_ingress_mode_as_tsig_serve() -> None:
    import yaml

    root = Path(__file__).resolve().parents[2]
    doc = yaml.safe_load((root / "kuberay" / "rayservice.yaml").read_text())
    cluster = doc["spec"]["rayClusterConfig"]
    pods = [cluster["headGroupSpec"]] + list(cluster["workerGroupSpecs"])
    for pod in pods:  # the flag is read when each node's Ray starts: every container needs it
        for container in pod["template"]["spec"]["containers"]:
            env = {e["name"]: e.get("value") for e in container.get("env", [])}
            for flag, value in ingress_env(DEFAULT_INGRESS).items():
                assert env.get(flag, SERVE_FLAG_DEFAULTS.get(flag)) == value, (container["name"], flag)
            assert 8000 in {p["containerPort"] for p in container["ports"]}, container["name"]


def test_unknown_ingress_mode_is_a_usage_error() -> None:
    env = {**os.environ, "PYTHONPATH": PLATFORM, "COLUMNS": "200"}
    out = subprocess.run([*TSIG, "serve", "--ingress", "nginx", "--insecure-local"],
                         capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 2
    assert "--ingress" in out.stderr and "haproxy" in out.stderr


def test_a_refused_start_leaves_the_environment_alone(monkeypatch, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from trading_signals.cli import app

    for name in ("TSIG_API_KEY", "TSIG_API_KEY_FILE", "RAY_SERVE_ENABLE_HA_PROXY"):
        monkeypatch.delenv(name, raising=False)
    res = CliRunner().invoke(app, ["serve", "--lake", str(tmp_path)])  # no key: refused
    assert res.exit_code == 2 and "--insecure-local" in res.output
    # The flags are set only right before a local Ray starts (else this test process, and the
    # session Ray started after it, would silently run in HAProxy mode).
    assert "RAY_SERVE_ENABLE_HA_PROXY" not in os.environ


def _bars(n: int = 80) -> list[dict[str, Any]]:
    from trading_signals.data.synthetic import generate_universe

    frame = generate_universe(1, n, seed=4).bars["SYN0000"].reset_index()
    return [{"timestamp": r.timestamp.isoformat(), "open": r.open, "high": r.high, "low": r.low,
             "close": r.close, "volume": r.volume} for r in frame.itertuples()]


@pytest.fixture(scope="module")
def haproxy_serve(shared_lake: Path, registry: dict[str, Any]) -> Iterator[dict[str, Any]]:
    port = free_port()
    hap = private_haproxy_env()
    env = {**os.environ, **hap, "TSIG_API_KEY": API_KEY, "RAY_AUTH_MODE": "disabled",
           "RAY_USAGE_STATS_ENABLED": "0", "PYTHONUNBUFFERED": "1", "PYTHONPATH": PLATFORM,
           # Replicas behind HAProxy drain >= 30 s on shutdown by default (for a remote LB).
           "RAY_SERVE_DIRECT_INGRESS_MIN_DRAINING_PERIOD_S": "1"}
    for flag in ("RAY_SERVE_ENABLE_HA_PROXY", "RAY_SERVE_ENABLE_DIRECT_INGRESS", "RAY_ADDRESS"):
        env.pop(flag, None)  # the CLI's default mode must set them itself
    log = Path(hap["RAY_SERVE_HAPROXY_CONFIG_FILE_LOC"]).parent / "tsig-serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*TSIG, "serve", "--lake", str(shared_lake), "--registry", registry["root"], "--model", "ens",
             "--host", "127.0.0.1", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    t0 = time.time()
    try:
        deadline = time.time() + 240
        while "serving on" not in log.read_text():
            if proc.poll() is not None or time.time() > deadline:
                pytest.fail(f"tsig serve did not start (exit {proc.poll()}):\n{log.read_text()[-4000:]}")
            time.sleep(0.5)
        print(f"tsig serve (HAProxy mode) up in {time.time() - t0:.1f} s")
        yield {"url": url, "env": hap, "log": log}
    finally:
        proc.send_signal(signal.SIGINT)  # tsig serve shuts Serve down, then its local Ray
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the child's own session: its Ray processes
            proc.wait(timeout=10)
        shutil.rmtree(log.parent, ignore_errors=True)


@pytest.mark.slow
def test_tsig_serve_default_haproxy_mode_serves_every_endpoint(haproxy_serve: dict[str, Any]) -> None:
    url, hap = haproxy_serve["url"], haproxy_serve["env"]
    assert "ingress: haproxy" in haproxy_serve["log"].read_text()
    # HAProxy, not Serve's Python proxy, owns the port: its config names the port and its
    # Prometheus frontend answers on the private metrics port.
    cfg = next(Path(hap["RAY_SERVE_HAPROXY_CONFIG_FILE_LOC"]).parent.rglob("haproxy.cfg")).read_text()
    assert f":{url.rsplit(':', 1)[1]}" in cfg
    stats = httpx.get(f"http://127.0.0.1:{hap['RAY_SERVE_HAPROXY_METRICS_PORT']}/metrics", timeout=30)
    assert stats.status_code == 200 and "haproxy_" in stats.text
    with httpx.Client(base_url=url, timeout=60) as c:
        assert c.get("/-/healthz").status_code == 200
        health = c.get("/v1/health")
        assert health.status_code == 200 and health.json()["auth"] == "api_key"
        assert health.json()["model"]["model_id"] == "ens/v0001"
        assert c.get("/v1/symbols").status_code == 401
        assert c.get("/v1/symbols", headers={"X-API-Key": "wrong-key-0123456789abc"}).status_code == 401
        sig = c.get("/v1/signals/SYN0001", headers={**HEADERS, "x-request-id": "trace-42"})
        assert sig.status_code == 200 and sig.json()["signal"] is not None
        assert sig.headers.get_list("x-request-id") == ["trace-42"]  # through HAProxy, once
        fresh = c.get("/v1/signals/SYN0001", headers=HEADERS).headers.get_list("x-request-id")
        assert len(fresh) == 1 and len(fresh[0]) >= 16
        missing = c.get("/v1/signals/NOPE", headers=HEADERS)
        assert missing.status_code == 404 and missing.json()["error"]["request_id"]
        assert c.get("/v1/signals/SYN0001", params={"timeframe": "7d"}, headers=HEADERS).status_code == 422
        bad = c.post("/v1/predict", json={"rows": [{"x": False}]}, headers=HEADERS)
        assert bad.status_code == 422 and bad.json()["error"]["fields"]
        huge = c.post("/v1/predict", content=b"{" + b" " * 1_100_000 + b"}",
                      headers={**HEADERS, "content-type": "application/json"})
        assert huge.status_code == 413
        page = c.get("/", headers=HEADERS)
        assert page.status_code == 200 and "SYN0002" in page.text
        spec = c.get("/openapi.json")
        assert spec.status_code == 200 and "/v1/predict" in spec.json()["paths"]
        assert c.get("/docs").status_code == 200

    body = {"bars": _bars()}

    def call(_: int) -> dict[str, Any]:
        r = httpx.post(f"{url}/v1/predict", json=body, headers=HEADERS, timeout=60)
        assert r.status_code == 200, r.text
        return r.json()

    with ThreadPoolExecutor(12) as pool:  # batching still happens behind HAProxy
        out = list(pool.map(call, range(24)))
    assert len({o["predictions"][0]["value"] for o in out}) == 1
    assert max(o["batch_size"] for o in out) > 1
