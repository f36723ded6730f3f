"""The Ray adapter layer: the only place in the package that imports ``ray``.

:class:`~trading_signals.distributed.executor.RayExecutor` runs any workflow stage on Ray;
``tune`` holds the Tune trainables, ``sweep`` and ``montecarlo`` thin adapters. Every fan-out has
a serial path in :mod:`trading_signals.workflow` with the same answer (tests check both).
"""
