"""The Ray executor: a stage's work items as Ray tasks in a bounded in-flight window.

``RayExecutor().map(fn, items, name="features")`` puts ``fn`` (which carries the stage's shared
inputs) into the object store once, cuts ``items`` into chunks and keeps at most
``max_in_flight`` chunk tasks running, so driver and object-store memory stay flat however many
items there are. Tasks are named ``"{stage}:{first item}"`` (e.g. ``features:AAPL``), so the Ray
dashboard's task view reads like the pipeline. Results come back in item order: the same list
:class:`trading_signals.workflow.executor.SerialExecutor` returns.

Retries: a task whose worker dies (node lost, OOM-killed) is re-run up to ``retries`` times;
stages write their outputs atomically and idempotently, so a re-run is safe. Application errors
are not retried: they surface as ``RayTaskError(<original type>)`` naming the stage and item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import ray

from trading_signals.distributed.metrics import install_ray_metrics
from trading_signals.distributed.runtime import cluster_cpus, ensure_ray
from trading_signals.distributed.tracing import traced
from trading_signals.errors import ConfigError
from trading_signals.observability.metrics import counter
from trading_signals.workflow.executor import Progress, item_label

T = TypeVar("T")
R = TypeVar("R")


def _run_chunk(fn: Callable[[Any], Any], chunk: list[Any]) -> list[Any]:
    install_ray_metrics()  # metrics the core records in this worker go to Ray's exporter
    return [fn(item) for item in chunk]


_run_chunk_remote = ray.remote(_run_chunk)


def default_chunk(n_items: int, cpus: int) -> int:
    """Items per task: about 8 chunks per CPU (stragglers vs per-task overhead), at most 32.

    >>> default_chunk(6, 2), default_chunk(2000, 2)
    (1, 32)
    """
    return max(1, min(32, n_items // (8 * cpus)))


class RayExecutor:
    """Run ``fn`` over items as Ray tasks; same results, same order as the serial executor.

    Parameters
    ----------
    address
        Ray address to join (default: ``RAY_ADDRESS`` as set by ``ray job submit``, else a
        private local Ray). Ray is started on the first ``map``.
    max_in_flight
        Chunk tasks submitted but not finished (default: 2 x cluster CPUs).
    chunk_size
        Items per task (default: :func:`default_chunk`).
    retries
        Re-runs of a task whose worker was lost.
    num_cpus
        CPUs reserved per task.
    """

    name = "ray"

    def __init__(self, address: str | None = None, max_in_flight: int | None = None,
                 chunk_size: int | None = None, *, retries: int = 3, num_cpus: float = 1.0) -> None:
        for label, value in (("max_in_flight", max_in_flight), ("chunk_size", chunk_size)):
            if value is not None and value < 1:
                raise ConfigError(f"RayExecutor: {label} must be >= 1, got {value}")
        if retries < 0:
            raise ConfigError(f"RayExecutor: retries must be >= 0, got {retries}")
        self.address = address
        self.max_in_flight = max_in_flight
        self.chunk_size = chunk_size
        self.retries = retries
        self.num_cpus = num_cpus
        install_ray_metrics()  # from now on the driver's records (e.g. the import stage) go to Ray

    def start(self) -> None:
        """Start or join Ray now (``map`` does it on first use), e.g. to time stages without it."""
        ensure_ray(self.address)

    def map(self, fn: Callable[[T], R], items: Iterable[T], *, name: str | None = None,
            progress: Progress | None = None) -> list[R]:
        todo = list(items)
        if not todo:
            return []
        ensure_ray(self.address)
        cpus = cluster_cpus()
        size = self.chunk_size or default_chunk(len(todo), cpus)
        window = self.max_in_flight or 2 * cpus
        stage = name or getattr(fn, "__name__", "map")
        # One .options() call per task: Ray 2.60's options() result has no .options() itself.
        task = {"num_cpus": self.num_cpus, "max_retries": self.retries, "retry_exceptions": False}
        items_done = counter("tsig_items_done")
        fn_ref = ray.put(traced(fn, stage))  # shared inputs travel once; trace context with them
        chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
        results: list[list[R] | None] = [None] * len(chunks)
        done = 0
        for k, part in self._stream(task, fn_ref, chunks, stage, window):
            results[k] = part
            done += len(part)
            items_done.inc(len(part), {"stage": stage})
            if progress is not None:
                progress(done, len(todo))
        return [r for part in results for r in part or []]

    @staticmethod
    def _stream(task: Any, fn_ref: Any, chunks: list[list[Any]], stage: str,
                window: int) -> Iterator[tuple[int, list[Any]]]:
        pending: dict[Any, int] = {}
        try:
            for k, chunk in enumerate(chunks):
                ref = _run_chunk_remote.options(name=f"{stage}:{item_label(chunk[0])}", **task).remote(
                    fn_ref, chunk)
                pending[ref] = k
                if len(pending) >= window:
                    ready, _ = ray.wait(list(pending), num_returns=1)
                    yield pending.pop(ready[0]), ray.get(ready[0])
            while pending:
                ready, _ = ray.wait(list(pending), num_returns=1)
                yield pending.pop(ready[0]), ray.get(ready[0])
        finally:
            for ref in pending:  # a failed item stops the stage: do not leave work running
                ray.cancel(ref)

    def __repr__(self) -> str:
        return (f"RayExecutor(address={self.address!r}, max_in_flight={self.max_in_flight}, "
                f"chunk_size={self.chunk_size})")
