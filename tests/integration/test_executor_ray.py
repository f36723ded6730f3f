"""RayExecutor: same results and order as SerialExecutor, bounded window, clear failures."""

from __future__ import annotations

import pytest
from trading_signals.errors import ConfigError
from trading_signals.workflow.executor import SerialExecutor

pytestmark = pytest.mark.ray


# Work functions from importable modules: Ray workers cannot import this test module by name.
@pytest.mark.parametrize(("chunk_size", "max_in_flight"), [(None, None), (1, 1), (3, 2), (50, 4)])
def test_ray_executor_equals_serial_in_order(ray_local, chunk_size, max_in_flight) -> None:
    import operator
    from functools import partial

    from trading_signals.distributed.executor import RayExecutor

    items = list(range(23))
    fn = partial(operator.add, 7)
    seen: list[tuple[int, int]] = []
    got = RayExecutor(chunk_size=chunk_size, max_in_flight=max_in_flight).map(
        fn, items, name="demo", progress=lambda d, t: seen.append((d, t)))
    assert got == SerialExecutor().map(fn, items)
    assert seen[-1] == (23, 23) and all(t == 23 for _, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_ray_executor_surfaces_the_item_error_and_handles_empty(ray_local) -> None:
    from trading_signals.distributed.executor import RayExecutor

    with pytest.raises(ValueError, match="invalid literal"):
        RayExecutor(chunk_size=1).map(int, ["1", "2", "three", "4"], name="demo")
    assert RayExecutor().map(int, [], name="demo") == []


def test_ray_executor_rejects_bad_settings() -> None:
    from trading_signals.distributed.executor import RayExecutor, default_chunk

    with pytest.raises(ConfigError, match="chunk_size"):
        RayExecutor(chunk_size=0)
    with pytest.raises(ConfigError, match="max_in_flight"):
        RayExecutor(max_in_flight=-1)
    assert default_chunk(6, 2) == 1 and default_chunk(100_000, 2) == 32
