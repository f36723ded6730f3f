"""OpenTelemetry spans for studies, stages, tasks, HTTP requests, data fetches and reports.

Off by default at (almost) no cost: unless ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) is set, or a provider was installed with
:func:`set_tracer_provider`, :func:`span` returns a shared no-op context manager and the
OpenTelemetry SDK is never imported. When the endpoint is set, spans are batched and exported
over OTLP/HTTP (Jaeger, Tempo and the OpenTelemetry Collector all accept it), with the service
name from ``OTEL_SERVICE_NAME`` (default ``trading-signals``).

Context crosses process boundaries as a W3C ``traceparent`` carrier: :func:`inject` returns
it, :func:`attached` re-enters it (``trading_signals.distributed.tracing`` does this for Ray
tasks).

Examples
--------
>>> from trading_signals.observability.tracing import span
>>> with span("study", run_id="abc") as s:   # no-op unless tracing is configured
...     pass
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])

_ENDPOINT_VARS = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
_provider: Any = None
_env_on: bool | None = None  # the environment is read once (see reload_from_env)
_lock = threading.Lock()


class _NoopSpan:
    """Shared no-op stand-in for a span and its context manager."""

    def __enter__(self) -> _NoopSpan:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def set_attribute(self, key: str, value: object) -> None:
        return None

    def is_recording(self) -> bool:
        return False


_NOOP = _NoopSpan()


def _env_configured() -> bool:
    if os.environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return False
    return any(os.environ.get(v) for v in _ENDPOINT_VARS)


def _configure_from_env() -> Any:
    # Imported only here, so an unconfigured process never loads the SDK.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    service = os.environ.get("OTEL_SERVICE_NAME", "trading-signals")
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


def reload_from_env() -> None:
    """Re-read the ``OTEL_*`` variables (they are read once, at the first span)."""
    global _env_on
    _env_on = None


def _active_provider() -> Any:
    global _provider, _env_on
    if _provider is not None:
        return _provider
    if _env_on is None:
        _env_on = _env_configured()
    if not _env_on:
        return None
    with _lock:
        if _provider is None:
            _provider = _configure_from_env()
    return _provider


def enabled() -> bool:
    """Return whether spans are recorded in this process."""
    return _active_provider() is not None


def set_tracer_provider(provider: Any) -> Any:
    """Use ``provider`` (an SDK ``TracerProvider``, or ``None`` to switch off); return the old one.

    Tests install a provider with an ``InMemorySpanExporter``; the process-global OpenTelemetry
    provider is left alone (it can only be set once per process).
    """
    global _provider
    with _lock:
        previous, _provider = _provider, provider
    return previous


def _attributes(attrs: Mapping[str, object]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in attrs.items():
        if v is None:
            continue
        out[k] = v if isinstance(v, str | bool | int | float) else str(v)
    return out


def span(name: str, **attrs: object) -> Any:
    """Return a context manager that records a span ``name`` with ``attrs`` (no-op when off).

    Parameters
    ----------
    name
        Span name, e.g. ``"study"``, ``"stage:features"``, ``"task:features"``.
    **attrs
        Span attributes; ``None`` values are dropped, non-primitive values become strings.
    """
    provider = _active_provider()
    if provider is None:
        return _NOOP
    tracer = provider.get_tracer("trading_signals")
    return tracer.start_as_current_span(name, attributes=_attributes(attrs))


def spanned(name: str) -> Callable[[F], F]:
    """Decorate a function so that each call runs inside ``span(name)``.

    >>> @spanned("study")
    ... def run() -> int:
    ...     return 1
    >>> run()
    1
    """
    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            with span(name):
                return fn(*args, **kwargs)

        return cast(F, inner)

    return wrap


def inject() -> dict[str, str]:
    """Return the current trace context as a W3C carrier (``{}`` when tracing is off)."""
    if _active_provider() is None:
        return {}
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    carrier: dict[str, str] = {}
    TraceContextTextMapPropagator().inject(carrier)
    return carrier


@contextmanager
def attached(carrier: Mapping[str, str] | None) -> Iterator[None]:
    """Make the context in ``carrier`` (from :func:`inject`) current inside the block."""
    if not carrier or _active_provider() is None:
        yield
        return
    from opentelemetry import context
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    token = context.attach(TraceContextTextMapPropagator().extract(dict(carrier)))
    try:
        yield
    finally:
        context.detach(token)


def force_flush(timeout_millis: int = 5000) -> None:
    """Export buffered spans now (call before a short-lived process exits)."""
    provider = _provider
    if provider is not None and hasattr(provider, "force_flush"):
        provider.force_flush(timeout_millis)
