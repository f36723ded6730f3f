"""Walk-forward on the Ray executor: equal to the serial runner, resumable, lost workers retried."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from trading_signals.backtest.walkforward import SmaCrossSearch, run_walk_forward
from trading_signals.backtest.windows import make_windows
from trading_signals.config.backtest import BacktestConfig
from trading_signals.config.risk import WalkForwardConfig
from trading_signals.data.lake import write_bars
from trading_signals.data.synthetic import generate_universe
from trading_signals.workflow.executor import SerialExecutor
from trading_signals.workflow.walkforward import run_walkforward

pytestmark = pytest.mark.ray
STRATEGY = SmaCrossSearch(fast=(5, 10), slow=(20, 40))
WF = WalkForwardConfig(strategy="sma_cross", train=250, test=125, purge=3, fast=(5, 10), slow=(20, 40))
ENGINE = BacktestConfig(commission_bps=0.0, slippage_bps=0.0)


@pytest.fixture(scope="module")
def lake(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("wf_lake")
    for sym, bars in generate_universe(2, 800, seed=5).bars.items():
        write_bars(root, bars, symbol=sym, timeframe="1d")
    return root


def test_walkforward_stage_ray_equals_serial_and_core(ray_local, lake, tmp_path) -> None:
    from trading_signals.data.lake import read_bars
    from trading_signals.distributed.executor import RayExecutor

    # Act
    kw = dict(lake=str(lake), symbols=["SYN0000", "SYN0001"], strategy=STRATEGY)
    serial = run_walkforward(WF, ENGINE, SerialExecutor(), run_dir=str(tmp_path / "s"), **kw)
    par = run_walkforward(WF, ENGINE, RayExecutor(chunk_size=1), run_dir=str(tmp_path / "r"), **kw)
    # Assert: both executors, and the plain core runner, give the same curves and tables
    for sym in ("SYN0000", "SYN0001"):
        prices = read_bars(lake, symbol=sym)
        core = run_walk_forward(prices, make_windows(prices.index, train=250, test=125, purge=3),
                                strategy=STRATEGY, engine=ENGINE)
        pd.testing.assert_series_equal(par[sym].returns, serial[sym].returns, check_exact=True)
        pd.testing.assert_frame_equal(par[sym].windows, serial[sym].windows, check_exact=True)
        pd.testing.assert_series_equal(serial[sym].returns, core.returns, check_freq=False)
        assert par[sym].metrics == serial[sym].metrics == core.metrics
        assert (tmp_path / "r" / "walkforward" / sym / "returns.parquet").is_file()


def test_walkforward_stage_resumes_from_finished_windows(ray_local, lake, tmp_path) -> None:
    from trading_signals.distributed.executor import RayExecutor

    # Arrange: a first run, then one window's checkpoint removed (as if interrupted)
    kw = dict(lake=str(lake), symbols=["SYN0000"], strategy=STRATEGY, run_dir=str(tmp_path))
    first = run_walkforward(WF, ENGINE, SerialExecutor(), **kw)
    windows = tmp_path / "walkforward" / "SYN0000" / "windows"
    (windows / "item=1" / "meta.json").unlink()
    ran: list[int] = []
    # Act
    again = run_walkforward(WF, ENGINE, RayExecutor(), progress=lambda d, t: ran.append(t), **kw)
    # Assert: only the missing window ran, and the result is unchanged
    assert ran == [1]
    pd.testing.assert_series_equal(again["SYN0000"].returns, first["SYN0000"].returns, check_exact=True)


def test_walkforward_stage_survives_a_lost_worker(ray_local, lake, tmp_path) -> None:
    from trading_signals.distributed.executor import RayExecutor

    # Arrange: defined here so cloudpickle ships the class by value to the workers
    @dataclass(frozen=True)
    class DiesOnce(SmaCrossSearch):
        """Kills its worker process on the first fit (a lost node); the marker is shared on disk."""

        marker: str = ""

        def fit(self, train):  # type: ignore[override]
            m = Path(self.marker)
            if not m.exists():
                m.write_text("died once")
                os._exit(1)
            return super().fit(train)

    flaky = DiesOnce(fast=(5, 10), slow=(20, 40), marker=str(tmp_path / "marker"))
    kw = dict(lake=str(lake), symbols=["SYN0000"])
    # Act
    res = run_walkforward(WF, ENGINE, RayExecutor(chunk_size=1), run_dir=str(tmp_path / "r"),
                          strategy=flaky, **kw)
    expected = run_walkforward(WF, ENGINE, SerialExecutor(), run_dir=str(tmp_path / "s"),
                               strategy=STRATEGY, **kw)
    # Assert: the worker died once, the task was retried, the answer is the serial one
    assert (tmp_path / "marker").exists()
    pd.testing.assert_series_equal(res["SYN0000"].returns, expected["SYN0000"].returns, check_exact=True)
