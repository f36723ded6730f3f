"""How a stage's independent work items run: the only place the serial/Ray choice matters.

A stage describes its fan-out as ``executor.map(fn, items, name=stage)``: ``fn`` is a picklable
callable (usually a :func:`functools.partial` that carries the shared inputs: a feature
computer, a news table, a price panel) and ``items`` are small (partition paths, symbols,
windows). :class:`SerialExecutor` runs them in a loop; the Ray executor
(:class:`trading_signals.distributed.executor.RayExecutor`) ships ``fn`` to the object store
once and runs chunks of items as tasks. Both return the results in item order, so every stage
gives bit-identical outputs whichever executor runs it (tests/integration checks it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, TypeVar, runtime_checkable

from trading_signals.observability.metrics import counter
from trading_signals.observability.tracing import span

T = TypeVar("T")
R = TypeVar("R")

#: ``progress(done, total)`` after each finished item (or chunk of items).
Progress = Callable[[int, int], None]


@runtime_checkable
class Executor(Protocol):
    """Run ``fn`` over ``items`` and return the results in item order."""

    name: str

    def map(self, fn: Callable[[T], R], items: Iterable[T], *, name: str | None = None,
            progress: Progress | None = None) -> list[R]:
        """Return ``[fn(x) for x in items]`` (order kept), however the calls are scheduled.

        Parameters
        ----------
        fn
            Picklable callable; shared inputs travel inside it (sent once, not per item).
        items
            Small, picklable work items.
        name
            Stage name, used to label the work (Ray task names read ``"{name}:{first item}"``).
        progress
            Called with ``(done, total)`` as items finish.
        """
        ...


class SerialExecutor:
    """Run every item in this process, one after another (the reference for every fan-out).

    >>> SerialExecutor().map(abs, [-2, 3, -1])
    [2, 3, 1]
    """

    name = "serial"

    def map(self, fn: Callable[[T], R], items: Iterable[T], *, name: str | None = None,
            progress: Progress | None = None) -> list[R]:
        todo: Sequence[T] = list(items)
        out: list[R] = []
        items_done = counter("tsig_items_done")
        for i, item in enumerate(todo):
            try:
                with span(f"task:{name or 'map'}", stage=name, item=item_label(item)):
                    out.append(fn(item))
            except Exception as exc:
                if name:
                    exc.add_note(f"in stage {name!r}, item {item_label(item)}")
                raise
            items_done.inc(1, {"stage": name or "map"})
            if progress is not None:
                progress(i + 1, len(todo))
        return out

    def __repr__(self) -> str:
        return "SerialExecutor()"


def item_label(item: Any) -> str:
    """Return a short human label of a work item (task names, error notes).

    >>> item_label("/lake/ohlcv/timeframe=1d/symbol=AAPL/part-0000.parquet")
    'AAPL'
    >>> item_label(("SPY", 3))
    'SPY/3'
    """
    label = getattr(item, "label", None)
    if isinstance(label, str):
        return label
    if isinstance(item, tuple):
        return "/".join(item_label(x) for x in item)
    if isinstance(item, str) and "symbol=" in item:
        return item.split("symbol=", 1)[1].split("/", 1)[0]
    shape = getattr(item, "shape", None)
    if isinstance(shape, tuple) and len(shape) >= 1 and shape[0]:  # e.g. a shard of SMA pairs
        first = item[0].tolist() if hasattr(item[0], "tolist") else item[0]
        return f"{shape[0]}rows@{first}".replace(" ", "")
    index = getattr(item, "index", None)
    if isinstance(index, int):
        return f"{type(item).__name__.lower()}{index}"
    text = str(item)
    return text if len(text) <= 40 else text[:37] + "..."
