"""The walk-forward stage: strategy from config, many symbols, stale window stores restarted."""

from __future__ import annotations

import pytest
from trading_signals.backtest.walkforward import SmaCrossSearch
from trading_signals.backtest.wf_strategies import ConfluenceSearch, ModelSearch
from trading_signals.config.backtest import BacktestConfig
from trading_signals.config.risk import WalkForwardConfig
from trading_signals.data.lake import write_bars
from trading_signals.data.synthetic import generate_universe
from trading_signals.errors import ConfigError
from trading_signals.workflow.walkforward import make_strategy, run_walkforward

ENGINE = BacktestConfig(commission_bps=2.0, slippage_bps=3.0)


@pytest.mark.parametrize(("name", "cls"), [("sma_cross", SmaCrossSearch), ("confluence", ConfluenceSearch),
                                           ("model", ModelSearch)])
def test_make_strategy_follows_the_config_and_costs(name, cls) -> None:
    s = make_strategy(WalkForwardConfig(strategy=name), ENGINE, horizon=3)
    assert isinstance(s, cls)
    if name != "model":
        assert (s.commission_bps, s.slippage_bps) == (2.0, 3.0)
    else:
        assert s.horizon == 3


def test_walkforward_config_rejects_bad_windows() -> None:
    with pytest.raises(ValueError, match="train"):
        WalkForwardConfig(train=-5)
    with pytest.raises(ValueError, match="test"):
        WalkForwardConfig(test=0)


def test_walkforward_many_symbols_and_a_stale_store_is_restarted(tmp_path) -> None:
    lake = tmp_path / "lake"
    for sym, bars in generate_universe(2, 500, seed=9).bars.items():
        write_bars(lake, bars, symbol=sym, timeframe="1d")
    wf = WalkForwardConfig(strategy="sma_cross", train=200, test=100, purge=2, fast=(5,), slow=(20, 40))
    kw = dict(lake=str(lake), run_dir=str(tmp_path / "run"), symbols=["SYN0000", "SYN0001"])
    first = run_walkforward(wf, ENGINE, **kw)
    assert set(first) == {"SYN0000", "SYN0001"} and all(len(r.windows) == 3 for r in first.values())
    # Same run directory, another strategy: the old windows are discarded, not mixed in.
    other = run_walkforward(wf, ENGINE, strategy=SmaCrossSearch(fast=(10,), slow=(30,)), **kw)
    assert set(other["SYN0000"].windows["fast"]) == {10}
    with pytest.raises(ConfigError, match="no symbols"):
        run_walkforward(wf, ENGINE, lake=str(lake), run_dir=str(tmp_path / "x"), symbols=[])
