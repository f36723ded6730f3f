"""Metric names, a metric facade and tracing spans: no-ops until a sink or exporter is configured.

This package sits at layer rank 0: it imports nothing from the platform except errors, and
never imports Ray (``trading_signals.distributed.metrics`` installs the Ray sink) nor the
OpenTelemetry SDK unless tracing is switched on.
"""

from __future__ import annotations

from trading_signals.observability.metrics import counter, gauge, histogram
from trading_signals.observability.tracing import span

__all__ = ["counter", "gauge", "histogram", "span"]
