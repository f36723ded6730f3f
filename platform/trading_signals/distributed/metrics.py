"""The ``ray.util.metrics`` sink for :mod:`trading_signals.observability.metrics`.

Ray's per-node metrics agent exports what a driver, task, actor or Serve replica records on
``http://<node>:<MetricsExportPort>/metrics`` with a ``ray_`` prefix; the KubeRay PodMonitor
(``kuberay/podmonitor.yaml``) scrapes that port (named ``metrics``, 8080 under KubeRay).
A sink lives in one process: the Ray executor installs it in the driver when it is created
(records made before Ray starts are kept and flushed once it runs) and in every task on entry
(``install_ray_metrics`` is idempotent and cheap).
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

import ray
from ray.util import metrics as ray_metrics

from trading_signals.observability import metrics as facade
from trading_signals.observability.names import METRICS, MetricSpec


#: Records kept while Ray is not initialised yet (the driver records the import stage before the
#: executor starts Ray); flushed at the first record after ``ray.init``. Oldest dropped beyond.
MAX_PENDING = 100_000


class RayMetricsSink:
    """Record facade metrics as ``ray.util.metrics`` Counter/Gauge/Histogram objects."""

    def __init__(self) -> None:
        self._objects: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._pending: deque[tuple[MetricSpec, float, dict[str, str]]] = deque(maxlen=MAX_PENDING)

    def _object(self, metric: MetricSpec) -> Any:
        obj = self._objects.get(metric.name)
        if obj is not None:
            return obj
        with self._lock:
            obj = self._objects.get(metric.name)
            if obj is None:
                obj = _make(metric)
                self._objects[metric.name] = obj
        return obj

    def record(self, metric: MetricSpec, value: float, tags: dict[str, str]) -> None:
        if not ray.is_initialized():
            self._pending.append((metric, value, tags))
            return
        while self._pending:
            try:
                self._write(*self._pending.popleft())
            except IndexError:  # another thread flushed the last one
                break
        self._write(metric, value, tags)

    def _write(self, metric: MetricSpec, value: float, tags: dict[str, str]) -> None:
        obj = self._object(metric)
        if metric.kind == "counter":
            obj.inc(value, tags=tags)
        elif metric.kind == "gauge":
            obj.set(value, tags=tags)
        else:
            obj.observe(value, tags=tags)


def _make(metric: MetricSpec) -> Any:
    keys = tuple(metric.tag_keys)
    if metric.kind == "counter":
        return ray_metrics.Counter(metric.name, description=metric.description, tag_keys=keys)
    if metric.kind == "gauge":
        return ray_metrics.Gauge(metric.name, description=metric.description, tag_keys=keys)
    return ray_metrics.Histogram(metric.name, description=metric.description,
                                 boundaries=list(metric.boundaries), tag_keys=keys)


def install_ray_metrics() -> RayMetricsSink:
    """Install the Ray sink in this process (idempotent) and return it."""
    current = facade.current_sink()
    if isinstance(current, RayMetricsSink):
        return current
    sink = RayMetricsSink()
    facade.install_sink(sink)
    return sink


def declared_metric_names() -> list[str]:
    """Return the declared metric names (without Ray's ``ray_`` export prefix)."""
    return [m.name for m in METRICS]
