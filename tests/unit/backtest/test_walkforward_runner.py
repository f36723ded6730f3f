"""Walk-forward runner: no look-ahead, resumable, stitched curve consistent with its windows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from trading_signals.backtest.walkforward import SmaCrossSearch, run_walk_forward, run_window
from trading_signals.backtest.windows import make_windows
from trading_signals.data.checkpoints import CheckpointStore, fingerprint
from trading_signals.data.synthetic import generate_universe
from trading_signals.errors import ConfigError

STRATEGY = SmaCrossSearch(fast=(5, 10), slow=(20, 40), commission_bps=2.0)


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return generate_universe(1, 900, seed=21).bars["SYN0000"]


@pytest.fixture(scope="module")
def windows(prices):
    return make_windows(prices.index, train=300, test=150, purge=5)


def test_run_window_params_depend_only_on_training_bars(prices, windows) -> None:
    w = windows[0]
    base = run_window(prices, w, strategy=STRATEGY, engine={})
    shocked = prices.copy()
    shocked.iloc[w.train_end:, :4] *= np.linspace(0.5, 2.0, len(prices) - w.train_end)[:, None]
    assert run_window(shocked, w, strategy=STRATEGY, engine={}).params == base.params


def test_run_window_ignores_bars_after_the_test_block(prices, windows) -> None:
    w = windows[0]
    base = run_window(prices, w, strategy=STRATEGY, engine={})
    shocked = prices.copy()
    shocked.iloc[w.test_end:, :4] *= 3.0
    other = run_window(shocked, w, strategy=STRATEGY, engine={})
    pd.testing.assert_series_equal(other.returns, base.returns)


def test_walk_forward_stitches_exactly_the_test_bars(prices, windows) -> None:
    res = run_walk_forward(prices, windows, strategy=STRATEGY)
    expected = np.concatenate([np.arange(w.test_start, w.test_end) for w in windows])
    assert res.returns.index.equals(prices.index[expected])
    assert res.equity.iloc[-1] == pytest.approx(10_000.0 * np.prod(1 + res.returns.to_numpy()))
    assert len(res.windows) == len(windows)
    assert set(res.overfitting) >= {"oos_psr", "deflated_sharpe"}
    assert 0.0 <= res.overfitting["deflated_sharpe"] <= res.overfitting["oos_psr"] <= 1.0


def test_walk_forward_resumes_from_finished_windows(prices, windows, tmp_path) -> None:
    fresh = run_walk_forward(prices, windows, strategy=STRATEGY)
    fp = fingerprint(prices, {"strategy": repr(STRATEGY)})
    run_walk_forward(prices, windows[:2], strategy=STRATEGY, store=CheckpointStore(tmp_path, fp))
    store = CheckpointStore(tmp_path, fp)
    assert sorted(store.load_all()) == [0, 1]
    resumed = run_walk_forward(prices, windows, strategy=STRATEGY, store=store)
    pd.testing.assert_series_equal(resumed.returns, fresh.returns, check_freq=False)
    pd.testing.assert_frame_equal(resumed.windows, fresh.windows)
    assert resumed.metrics == fresh.metrics


def test_checkpoint_store_refuses_a_different_study(tmp_path) -> None:
    CheckpointStore(tmp_path, "aaaa")
    with pytest.raises(ConfigError, match="another study"):
        CheckpointStore(tmp_path, "bbbb")
