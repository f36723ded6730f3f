"""Walk-forward as Ray tasks: equal to the serial runner, resumable, failed windows retried."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from trading_signals.backtest.walkforward import SmaCrossSearch, run_walk_forward
from trading_signals.backtest.windows import make_windows
from trading_signals.data.checkpoints import CheckpointStore
from trading_signals.data.synthetic import generate_universe

pytestmark = pytest.mark.ray
STRATEGY = SmaCrossSearch(fast=(5, 10), slow=(20, 40))


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return generate_universe(1, 800, seed=5).bars["SYN0000"]


def test_walk_forward_ray_equals_serial_and_resumes(ray_local, prices, tmp_path) -> None:
    from trading_signals.distributed.walkforward import run_walk_forward_ray

    windows = make_windows(prices.index, train=250, test=125, purge=3)
    serial = run_walk_forward(prices, windows, strategy=STRATEGY)
    store = CheckpointStore(tmp_path, "study")
    run_walk_forward_ray(prices, windows[:1], strategy=STRATEGY, store=store)
    par = run_walk_forward_ray(prices, windows, strategy=STRATEGY, store=CheckpointStore(tmp_path, "study"))
    pd.testing.assert_series_equal(par.returns, serial.returns, check_freq=False)
    pd.testing.assert_frame_equal(par.windows, serial.windows)
    assert par.metrics == serial.metrics


def test_walk_forward_ray_retries_a_failing_window(ray_local, prices, tmp_path) -> None:
    from trading_signals.distributed.walkforward import run_walk_forward_ray

    windows = make_windows(prices.index, train=250, test=125, purge=3)[:2]

    @dataclass(frozen=True)
    class FlakyOnce(SmaCrossSearch):
        """Fails its first fit; the marker file is shared across worker processes."""

        marker: str = ""

        def fit(self, train):  # type: ignore[override]
            m = Path(self.marker)
            if not m.exists():
                m.write_text("failed once")
                raise RuntimeError("transient failure")
            return super().fit(train)

    flaky = FlakyOnce(fast=(5, 10), slow=(20, 40), marker=str(tmp_path / "marker"))
    res = run_walk_forward_ray(prices, windows, strategy=flaky)
    assert (tmp_path / "marker").exists()
    expected = run_walk_forward(prices, windows, strategy=STRATEGY)
    pd.testing.assert_series_equal(res.returns, expected.returns, check_freq=False)
