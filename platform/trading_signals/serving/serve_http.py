"""Middleware for the HTTP servers Ray Serve runs itself (replicas under direct ingress/HAProxy).

Serve applies the list returned by :func:`serve_http_middlewares` around its own request
handling when ``RAY_SERVE_HTTP_PROXY_CALLBACK_IMPORT_PATH`` names it (set by the ``haproxy``
ingress mode, :mod:`trading_signals.serving.ingress`), so it runs before Serve looks at the
request. No Ray import here.

For every request Serve starts a task that watches for the client disconnecting, so that it can
cancel the user code, unless the request carries ``x-request-disconnect-disabled: ?1``; and with
``http_options.request_timeout_s`` set (30 s in ``serve/config.yaml``) it runs the request as one
more task under a timer, unless ``x-request-timeout-seconds`` is ``0``. Only without both does
Serve await the app directly. For the quick, idempotent reads below there is nothing worth
cancelling or timing out (a cache miss computes a signal that the next request reuses; object
store reads have their own client timeouts), and the two tasks cost 0.06-0.17 ms of CPU per
request in A/B runs (docs/serving.md), a quarter to two thirds of the cached lookup itself. Routes that can run long (predictions, backtests,
research reports, the dashboard) keep both.
"""

from __future__ import annotations

from typing import Any

from starlette.middleware import Middleware

#: Serve's per-request headers (ray.serve._private.constants) and the values that switch off
#: the disconnect watch and the timeout.
QUICK_READ_HEADERS = ((b"x-request-disconnect-disabled", b"?1"), (b"x-request-timeout-seconds", b"0"))
#: Path fragments of the quick idempotent GET routes (any route prefix in front).
QUICK_READS = ("/v1/signals/", "/v1/symbols", "/v1/health")


class QuickReadsServedDirectly:
    """Mark quick GETs so Serve awaits them directly (no disconnect watch, no timeout task)."""

    def __init__(self, app: Any, quick_reads: tuple[str, ...] = QUICK_READS) -> None:
        self.app, self.quick_reads = app, quick_reads

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if (scope["type"] == "http" and scope.get("method") in ("GET", "HEAD")
                and any(part in scope.get("path", "") for part in self.quick_reads)):
            # Appended last, so they win over a client's own values of these headers.
            scope["headers"] = [*scope.get("headers", ()), *QUICK_READ_HEADERS]
        await self.app(scope, receive, send)


def serve_http_middlewares() -> list[Middleware]:
    """The ``RAY_SERVE_HTTP_PROXY_CALLBACK_IMPORT_PATH`` callback: Starlette middlewares."""
    return [Middleware(QuickReadsServedDirectly)]
