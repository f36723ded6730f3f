"""The metrics interface of the HTTP service (no Ray here).

``serve/metrics.py`` implements it with ``ray.util.metrics`` (exported by Ray's Prometheus
endpoint with a ``ray_`` prefix); the plain FastAPI app uses :class:`NullMetrics` or, in tests,
:class:`RecordingMetrics`.
"""

from __future__ import annotations

from collections import Counter
from typing import Protocol


class ServiceMetrics(Protocol):
    def request(self, *, route: str, method: str, status: int, seconds: float) -> None: ...

    def signal_served(self, *, label: str, timeframe: str, cache: str) -> None: ...

    def prediction_batch(self, *, size: int, model_id: str) -> None: ...

    def model_loaded(self, *, model_id: str) -> None: ...


class NullMetrics:
    """Discard everything."""

    def request(self, *, route: str, method: str, status: int, seconds: float) -> None:
        return None

    def signal_served(self, *, label: str, timeframe: str, cache: str) -> None:
        return None

    def prediction_batch(self, *, size: int, model_id: str) -> None:
        return None

    def model_loaded(self, *, model_id: str) -> None:
        return None


class RecordingMetrics:
    """Count what would be exported (for tests and the load benchmark)."""

    def __init__(self) -> None:
        self.requests: Counter[tuple[str, str, int]] = Counter()
        self.latencies: list[float] = []
        self.signals: Counter[str] = Counter()
        self.batches: list[int] = []
        self.models: list[str] = []

    def request(self, *, route: str, method: str, status: int, seconds: float) -> None:
        self.requests[(route, method, status)] += 1
        self.latencies.append(seconds)

    def signal_served(self, *, label: str, timeframe: str, cache: str) -> None:
        self.signals[label] += 1

    def prediction_batch(self, *, size: int, model_id: str) -> None:
        self.batches.append(size)

    def model_loaded(self, *, model_id: str) -> None:
        self.models.append(model_id)


class FacadeMetrics:
    """Record through :mod:`trading_signals.observability.metrics` (names in ``names.py``).

    A no-op until a sink is installed: ``serve/app.py`` installs the ``ray.util.metrics`` sink
    in each replica (exported as ``ray_tsig_serve_*``).
    """

    def request(self, *, route: str, method: str, status: int, seconds: float) -> None:
        from trading_signals.observability import metrics

        tags = {"route": route, "method": method, "status": str(status)}
        metrics.counter("tsig_serve_requests").inc(1.0, tags)
        if status >= 400:
            metrics.counter("tsig_serve_errors").inc(1.0, tags)
        metrics.histogram("tsig_serve_request_seconds").observe(seconds, {"route": route, "method": method})

    def signal_served(self, *, label: str, timeframe: str, cache: str) -> None:
        from trading_signals.observability import metrics

        metrics.counter("tsig_serve_signals").inc(1.0, {"label": label, "timeframe": timeframe, "cache": cache})

    def prediction_batch(self, *, size: int, model_id: str) -> None:
        from trading_signals.observability import metrics

        metrics.histogram("tsig_serve_predict_batch_size").observe(float(size), {"model_id": model_id})

    def model_loaded(self, *, model_id: str) -> None:
        from trading_signals.observability import metrics

        metrics.gauge("tsig_serve_model_info").set(1.0, {"model_id": model_id})
