"""Carry the caller's trace context into Ray tasks.

:func:`traced` wraps a task function so that the W3C ``traceparent`` of the submitting span
travels with it (pickled with the callable) and is re-attached in the worker around a
``task:<stage>`` span: the worker's spans then hang under the stage span of the driver.
With tracing off the carrier is empty and the wrapper only adds one function call.

Ray also has its own hook, ``ray.init(_tracing_startup_hook=...)`` (present in 2.60, e.g.
``"ray.util.tracing.setup_local_tmp_tracing:setup_tracing"``). It instruments every task and
actor call, but it is private API, must be given when the cluster starts, and its sample set-up
writes spans to files under ``/tmp/spans``. The explicit carrier works on any cluster and gives
the platform's own span names, the same tree as the serial executor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from trading_signals.observability import tracing

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Traced(Generic[T, R]):
    """A picklable callable: ``fn(item)`` inside a ``task:<stage>`` span under ``carrier``."""

    fn: Callable[[T], R]
    stage: str
    carrier: dict[str, str] = field(default_factory=dict)

    def __call__(self, item: T) -> R:
        if not self.carrier:
            return self.fn(item)
        with tracing.attached(self.carrier), tracing.span(f"task:{self.stage}", stage=self.stage,
                                                          item=_label(item)):
            return self.fn(item)


def traced(fn: Callable[[T], R], stage: str) -> Callable[[T], R]:
    """Return ``fn`` wrapped to carry the current trace context (``fn`` itself when off)."""
    carrier = tracing.inject()
    if not carrier:
        return fn
    return Traced(fn, stage, carrier)


def _label(item: Any) -> str:
    from trading_signals.workflow.executor import item_label

    return item_label(item)
