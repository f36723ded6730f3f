"""Confluence and model walk-forward strategies: no look-ahead, determinism, picklability."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from trading_signals.backtest.walkforward import run_walk_forward, run_window
from trading_signals.backtest.wf_strategies import ConfluenceSearch, ModelSearch
from trading_signals.backtest.windows import make_windows
from trading_signals.data.schema import make_ohlcv
from trading_signals.data.synthetic import generate_universe
from trading_signals.errors import ConfigError

BARS = generate_universe(1, 700, seed=44).bars["SYN0000"]
WINDOWS = make_windows(BARS.index, train=300, test=100, purge=2)
STRATEGIES = [ConfluenceSearch(bands=(0.02, 0.05)),
              ModelSearch(horizon=2, embargo=1, params=(("n_estimators", 15), ("min_child_samples", 20))),
              ModelSearch(horizon=2, params=(("min_child_samples", 20),), name="model_grid",
                          grid=((("n_estimators", 5),), (("n_estimators", 20), ("num_leaves", 3))))]


def _perturb_after(bars: pd.DataFrame, t: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = len(bars) - t
    f = np.exp(np.cumsum(0.03 * rng.standard_normal(n)))
    o, h, l, c, v = (bars[k].to_numpy().copy() for k in ("open", "high", "low", "close", "volume"))
    o[t:], c[t:] = o[t:] * f, c[t:] * f[::-1]
    h[t:] = np.maximum(h[t:] * f, np.maximum(o[t:], c[t:]))
    l[t:] = np.minimum(l[t:] * f, np.minimum(o[t:], c[t:]))
    v[t:] = v[t:] * rng.uniform(0.2, 4.0, n)
    return make_ohlcv(bars.index, o, h, l, c, v, symbol="SYN0000", timeframe="1d")


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda s: s.name)
def test_changing_test_window_bars_does_not_change_the_chosen_parameters(strategy) -> None:
    w = WINDOWS[1]
    base = run_window(BARS, w, strategy=strategy)
    other = run_window(_perturb_after(BARS, w.train_end, seed=3), w, strategy=strategy)
    assert base.params == other.params
    assert not base.returns.equals(other.returns)  # the test block did change
    # and positions up to a bar depend only on bars up to it
    hist = BARS.iloc[:w.test_end]
    pos = strategy.positions(hist, base.params)
    t = w.test_start + 30
    pos2 = strategy.positions(_perturb_after(hist, t + 1, seed=5), base.params)
    pd.testing.assert_series_equal(pos.iloc[: t + 1], pos2.iloc[: t + 1])


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda s: s.name)
def test_repeated_and_unpickled_runs_are_identical(strategy) -> None:
    a = run_walk_forward(BARS, WINDOWS, strategy=strategy)
    b = run_walk_forward(BARS, WINDOWS, strategy=pickle.loads(pickle.dumps(strategy)))
    pd.testing.assert_series_equal(a.returns, b.returns, check_exact=True)
    pd.testing.assert_frame_equal(a.windows, b.windows, check_exact=True)
    assert len(a.windows) == len(WINDOWS) and a.returns.notna().all()
    assert a.overfitting["oos_sharpe_per_bar"] == b.overfitting["oos_sharpe_per_bar"]


def test_confluence_search_picks_the_in_sample_best_candidate() -> None:
    s = ConfluenceSearch(bands=(0.02, 0.05, 0.1))
    train = BARS.iloc[:300]
    params = s.fit(train)
    assert params["n_trials"] == len(s.candidates()) == 12
    assert "w_model" not in params and params["buy"] + params["sell"] == pytest.approx(1.0)
    # refit with only the chosen candidate gives the same in-sample Sharpe: the best was chosen
    weights = tuple((k[2:], v) for k, v in params.items() if k.startswith("w_"))
    only = ConfluenceSearch(weight_sets=(weights,), bands=(round(params["buy"] - 0.5, 10),)).fit(train)
    assert only["is_sharpe"] == pytest.approx(params["is_sharpe"])
    assert params["is_sharpe"] >= max(ConfluenceSearch(weight_sets=(ws,), bands=(b,)).fit(train)["is_sharpe"]
                                      for ws in s.weight_sets[:2] for b in (0.02, 0.1)) - 1e-12


def test_model_search_scores_only_bars_after_its_training_rows() -> None:
    s = STRATEGIES[1]
    w = WINDOWS[0]
    params = s.fit(BARS.iloc[w.train_start:w.train_end])
    assert pd.Timestamp(params["model_train_end"]) == BARS.index[w.train_end - 1 - 2 - 1]
    pos = s.positions(BARS.iloc[:w.test_end], params)
    assert (pos.iloc[:w.train_end] == 0).all()
    assert (pos.iloc[w.test_start:] != 0).mean() > 0.9


def test_bad_parameters_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="bands"):
        ConfluenceSearch(bands=(0.6,))
    with pytest.raises(ConfigError, match="horizon"):
        ModelSearch(horizon=0)


def test_model_grid_search_chooses_on_the_validation_share_and_reports_trials() -> None:
    s = STRATEGIES[2]
    params = s.fit(BARS.iloc[:300])
    assert params["n_trials"] == 2 and params["trial_sharpe_var"] >= 0.0
    assert params["p_n_estimators"] in (5, 20)
    with pytest.raises(ConfigError, match="too few"):
        s.fit(BARS.iloc[:90])
    with pytest.raises(ConfigError, match="validation"):
        ModelSearch(validation=1.0)
