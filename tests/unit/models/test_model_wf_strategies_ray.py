"""The confluence and model walk-forward strategies give the same windows as Ray tasks as serially."""

from __future__ import annotations

from functools import partial

import pandas as pd
import pytest
from trading_signals.backtest.walkforward import run_window
from trading_signals.backtest.wf_strategies import ConfluenceSearch, ModelSearch
from trading_signals.backtest.windows import make_windows
from trading_signals.data.synthetic import generate_universe
from trading_signals.models.pit import model_component_for
from trading_signals.models.training import train_window_model

UNIVERSE = generate_universe(4, 560, seed=45)
BARS = UNIVERSE.bars["SYN0001"]
WINDOWS = make_windows(BARS.index, train=250, test=100, purge=2)


@pytest.fixture(scope="module")
def model_component(tmp_path_factory):
    root = tmp_path_factory.mktemp("reg")
    mid = train_window_model(UNIVERSE.bars, registry=root, train_fraction=0.5, horizon=2, max_rows=None)
    return model_component_for(mid, root, min_periods=5)


def test_ray_windows_equal_serial_windows(ray_local, model_component) -> None:
    from trading_signals.distributed.executor import RayExecutor

    strategies = [ConfluenceSearch(bands=(0.02, 0.05), model=model_component),
                  ModelSearch(horizon=2, embargo=1, params=(("n_estimators", 10), ("min_child_samples", 20)))]
    results = {}
    for strategy in strategies:
        fn = partial(run_window, BARS, strategy=strategy)
        serial = results[strategy.name] = [fn(w) for w in WINDOWS]
        remote = RayExecutor(chunk_size=1, num_cpus=0.5).map(fn, WINDOWS)
        assert len(remote) == len(serial) == len(WINDOWS)
        for a, b in zip(serial, remote, strict=True):
            assert a.params == b.params
            pd.testing.assert_series_equal(a.returns, b.returns, check_exact=True)
    # with a model plugged in, the model weight is part of every confluence candidate
    assert all("w_model" in r.params for r in results["confluence_search"])
