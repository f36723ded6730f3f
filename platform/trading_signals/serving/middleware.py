"""ASGI middleware: request ids, body-size limit, last-resort 500s and request metrics.

A pure ASGI middleware (not ``BaseHTTPMiddleware``) so a streamed body can be counted while it
is read, and so an unexpected exception becomes a JSON 500 carrying only the request id, with
the traceback logged server-side, whatever server runs the app (uvicorn or a Serve replica).
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.exceptions import HTTPException

from trading_signals.observability.tracing import span
from trading_signals.serving.metrics import NullMetrics, ServiceMetrics

log = logging.getLogger("trading_signals.serving")
REQUEST_ID_HEADER = "x-request-id"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

Scope = dict[str, Any]


class BodyTooLarge(HTTPException):
    """Raised while the body is read; FastAPI passes HTTPExceptions through to the handler."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes; send fewer rows or bars "
                              "per request")


def error_body(kind: str, message: str, request_id: str, fields: list[dict[str, Any]] | None = None
               ) -> dict[str, Any]:
    body: dict[str, Any] = {"type": kind, "message": message, "request_id": request_id}
    if fields is not None:
        body["fields"] = fields
    return {"error": body}


class RequestContextMiddleware:
    """Give every request an id, bound its body, time it and turn crashes into 500s."""

    def __init__(self, app: Any, *, max_body_bytes: int, metrics: ServiceMetrics | None = None,
                 echo_request_id: bool = True) -> None:
        self.app, self.max_body_bytes = app, max_body_bytes
        self.metrics = metrics or NullMetrics()
        # Under Ray Serve, Serve's own RequestIdMiddleware (proxy, or the replica's server with
        # direct ingress / HAProxy) sets the request header and appends the response header;
        # appending ours too would send "id, id".
        self.echo_request_id = echo_request_id

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        headers = dict(scope.get("headers") or [])
        given = headers.get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
        rid = given if _SAFE_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        state = {"started": False, "status": 500}

        async def send_wrapper(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                state["started"], state["status"] = True, message["status"]
                if not self.echo_request_id:
                    await send(message)
                    return
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (REQUEST_ID_HEADER.encode(), rid.encode())]
            await send(message)

        try:
            length = int(headers.get(b"content-length", b"0") or 0)
        except ValueError:
            length = 0
        # One span per request (a no-op unless OTEL_EXPORTER_OTLP_ENDPOINT is set).
        trace = span(f"http {scope.get('method', '')}", path=scope.get("path"), request_id=rid)
        current = trace.__enter__()
        try:
            if length > self.max_body_bytes:
                await self._json(send_wrapper, 413, error_body(
                    "payload_too_large", BodyTooLarge(self.max_body_bytes).detail, rid))
                return
            await self.app(scope, self._counting(receive), send_wrapper)
        except Exception:
            log.exception("unhandled error in %s %s (request id %s)", scope.get("method"),
                          scope.get("path"), rid)
            if not state["started"]:
                await self._json(send_wrapper, 500, error_body(
                    "internal_error", "internal error; quote the request id when reporting it", rid))
        finally:
            route = scope.get("route")
            self.metrics.request(route=getattr(route, "path", "unmatched"),
                                 method=str(scope.get("method", "")), status=int(state["status"]),
                                 seconds=time.perf_counter() - t0)
            current.set_attribute("http.route", getattr(route, "path", "unmatched"))
            current.set_attribute("http.status_code", int(state["status"]))
            trace.__exit__(None, None, None)

    def _counting(self, receive: Any) -> Any:
        seen = 0
        limit = self.max_body_bytes

        async def wrapped() -> dict[str, Any]:
            nonlocal seen
            message: dict[str, Any] = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        return wrapped

    @staticmethod
    async def _json(send: Any, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
