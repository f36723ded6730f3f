"""A metric facade the core calls freely: no-op until a sink is installed.

``counter(name).inc(v, tags)``, ``gauge(name).set(v, tags)`` and
``histogram(name).observe(v, tags)`` check the name and tag keys against
:mod:`trading_signals.observability.names` (a typo fails in tests, not silently in
production), then hand the value to the installed :class:`Sink`. Without a sink the call costs a
dict lookup. ``trading_signals.distributed.metrics.install_ray_metrics()`` installs the
``ray.util.metrics`` sink; :class:`MemorySink` records values for tests.

Examples
--------
>>> from trading_signals.observability import metrics
>>> sink = metrics.MemorySink()
>>> previous = metrics.install_sink(sink)
>>> metrics.counter("tsig_rows_processed").inc(10, {"stage": "import"})
>>> sink.total("tsig_rows_processed", stage="import")
10.0
>>> _ = metrics.install_sink(previous)
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from trading_signals.observability.names import MetricSpec, spec

Tags = Mapping[str, object] | None

#: Value sent for a declared tag key the caller did not give (Ray rejects missing keys).
MISSING_TAG = "none"


class Sink(Protocol):
    """Where metric values go (Ray, memory, ...)."""

    def record(self, metric: MetricSpec, value: float, tags: dict[str, str]) -> None:
        """Record ``value`` for ``metric`` (counter increment, gauge value or observation)."""
        ...


_sink: Sink | None = None


def install_sink(sink: Sink | None) -> Sink | None:
    """Install ``sink`` for this process (``None`` switches metrics off); return the previous one."""
    global _sink
    previous, _sink = _sink, sink
    return previous


def current_sink() -> Sink | None:
    """Return the installed sink, or ``None`` when metrics are off."""
    return _sink


def _tags(metric: MetricSpec, tags: Tags) -> dict[str, str]:
    given = dict(tags or {})
    unknown = set(given) - set(metric.tag_keys)
    if unknown:
        raise ValueError(f"metric {metric.name!r} has no tag key(s) {sorted(unknown)}; "
                         f"declared tag keys: {list(metric.tag_keys)} (observability/names.py)")
    return {k: str(given.get(k, MISSING_TAG)) for k in metric.tag_keys}


@dataclass(frozen=True)
class _Instrument:
    metric: MetricSpec
    keys: frozenset[str] = field(default=frozenset(), compare=False)

    def _record(self, value: float, tags: Tags) -> None:
        sink = _sink
        if sink is None:  # still check the tag keys, cheaply, so typos fail in every test
            if tags and not self.keys.issuperset(tags):
                _tags(self.metric, tags)
            return
        sink.record(self.metric, float(value), _tags(self.metric, tags))


class Counter(_Instrument):
    def inc(self, value: float = 1.0, tags: Tags = None) -> None:
        """Add ``value`` (>= 0) to the counter."""
        if value < 0:
            raise ValueError(f"counter {self.metric.name!r} cannot decrease (got {value})")
        if value:
            self._record(value, tags)


class Gauge(_Instrument):
    def set(self, value: float, tags: Tags = None) -> None:
        """Set the gauge to ``value``."""
        self._record(value, tags)


class Histogram(_Instrument):
    def observe(self, value: float, tags: Tags = None) -> None:
        """Record one observation ``value``."""
        self._record(value, tags)


def _get(name: str, kind: str) -> MetricSpec:
    metric = spec(name)
    if metric.kind != kind:
        raise TypeError(f"metric {name!r} is a {metric.kind}, not a {kind}")
    return metric


@functools.cache
def counter(name: str) -> Counter:
    """Return the declared counter ``name``."""
    metric = _get(name, "counter")
    return Counter(metric, frozenset(metric.tag_keys))


@functools.cache
def gauge(name: str) -> Gauge:
    """Return the declared gauge ``name``."""
    metric = _get(name, "gauge")
    return Gauge(metric, frozenset(metric.tag_keys))


@functools.cache
def histogram(name: str) -> Histogram:
    """Return the declared histogram ``name``."""
    metric = _get(name, "histogram")
    return Histogram(metric, frozenset(metric.tag_keys))


@dataclass
class MemorySink:
    """Keep every recorded value in memory (tests, and ``tsig`` commands that print metrics)."""

    records: list[tuple[str, float, dict[str, str]]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, metric: MetricSpec, value: float, tags: dict[str, str]) -> None:
        with self._lock:
            self.records.append((metric.name, value, tags))

    def values(self, name: str, **tags: str) -> list[float]:
        """Return the values recorded for ``name`` whose tags include ``tags``."""
        return [v for n, v, t in self.records
                if n == name and all(t.get(k) == str(x) for k, x in tags.items())]

    def total(self, name: str, **tags: str) -> float:
        """Return the sum of the values recorded for ``name`` matching ``tags``."""
        return float(sum(self.values(name, **tags)))
