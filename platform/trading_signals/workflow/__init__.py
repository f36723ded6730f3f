"""The spine: every entry point (CLI, jobs, HTTP service) runs the same stages through here.

Stages take their frozen config section(s), an :class:`~trading_signals.workflow.executor.Executor`
(serial here, Ray in :mod:`trading_signals.distributed.executor`) and locations, and return a
small summary. No Ray import happens in this package.
"""

from __future__ import annotations

from trading_signals.workflow.executor import Executor, SerialExecutor

__all__ = ["Executor", "SerialExecutor"]
