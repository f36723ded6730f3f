"""The one serial/Ray choice of every command: which executor runs the workflow stages."""

from __future__ import annotations

from trading_signals.workflow.executor import Executor, SerialExecutor


def make_executor(ray: bool, address: str | None = None) -> Executor:
    """Return a :class:`RayExecutor` (``--ray``; joins ``address`` or ``RAY_ADDRESS``) or serial.

    Ray is imported only when asked for, so serial commands start fast.
    """
    if not ray:
        return SerialExecutor()
    from trading_signals.distributed.executor import RayExecutor

    return RayExecutor(address=address)
