"""The study's portfolio stage: calendars decide the groups, and every engine option counts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from trading_signals.config.backtest import BacktestConfig
from trading_signals.config.study import PortfolioConfig
from trading_signals.data.lake import write_bars
from trading_signals.data.synthetic import generate_universe
from trading_signals.errors import ConfigError
from trading_signals.workflow.portfolio import calendar_groups, calendar_key, run_portfolio

PORTFOLIO = PortfolioConfig(strategy="sma_cross", fast=5, slow=20)
BASE = BacktestConfig()
# One altered value per BacktestConfig field, and the base it is applied to (vol_window and
# max_vol_scale act only with volatility targeting). A new field without an entry fails below.
ALTERED: dict[str, tuple[object, dict[str, object]]] = {
    "fill": ("next_close", {}),
    "commission_bps": (25.0, {}),
    "slippage_bps": (25.0, {}),
    "spread_bps": (40.0, {}),
    "initial_cash": (50_000.0, {}),
    "max_gross": (0.2, {}),
    "max_net": (0.05, {}),
    "target_vol": (0.05, {}),
    "vol_window": (60, {"target_vol": 0.1}),
    "max_vol_scale": (0.5, {"target_vol": 0.1}),
    "rebalance": ("every_bar", {}),
    "close_at_end": ("last_open", {}),
    "periods_per_year": (52.0, {}),
}


@pytest.fixture(scope="module")
def lake(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("pf_lake")
    for sym, bars in generate_universe(3, 300, seed=21).bars.items():
        write_bars(root, bars, symbol=sym, timeframe="1d")
    # Same symbol-name pattern, another calendar: must form its own portfolio.
    other = generate_universe(1, 250, seed=22, start="2015-01-01").bars["SYN0000"]
    write_bars(root, other, symbol="SYN9999", timeframe="1d")
    return str(root)


def _output(lake: str, run_dir: Path, backtest: BacktestConfig) -> tuple[pd.DataFrame, dict]:
    res = run_portfolio(PORTFOLIO, backtest, lake=lake, run_dir=str(run_dir),
                        symbols=["SYN0000", "SYN0001", "SYN0002"])
    (name, group), = res.items()
    equity = pd.read_parquet(run_dir / "portfolio" / name / "equity.parquet")
    return equity, group["metrics"]


def test_every_backtest_field_has_a_case() -> None:
    assert set(ALTERED) == set(BacktestConfig.model_fields)


@pytest.mark.parametrize("field", sorted(ALTERED))
def test_changing_each_backtest_field_changes_the_portfolio_output(field, lake, tmp_path) -> None:
    # Arrange
    value, base_update = ALTERED[field]
    base = BacktestConfig(**{**BASE.model_dump(exclude_unset=True), **base_update})
    changed = BacktestConfig(**{**base.model_dump(exclude_unset=True), **base_update, field: value})
    # Act
    eq_a, m_a = _output(lake, tmp_path / "a", base)
    eq_b, m_b = _output(lake, tmp_path / "b", changed)
    # Assert: the equity curve or the reported metrics differ
    assert not (eq_a.equals(eq_b) and m_a == m_b), f"{field}={value!r} changed nothing"


@pytest.mark.parametrize("field", ["vol_window", "max_vol_scale"])
def test_options_that_cannot_act_are_rejected_not_ignored(field) -> None:
    with pytest.raises(ValueError, match="target_vol"):
        BacktestConfig(**{field: ALTERED[field][0]})


def test_portfolios_are_grouped_by_calendar_not_by_name(lake, tmp_path) -> None:
    # Act
    res = run_portfolio(PORTFOLIO, BASE, lake=lake, run_dir=str(tmp_path),
                        symbols=["SYN0000", "SYN0001", "SYN0002", "SYN9999"])
    # Assert
    assert sorted(len(v["symbols"]) for v in res.values()) == [1, 3]
    names = sorted(res)
    assert [n.split("-")[:2] for n in names] == [["20100104", "300bars"], ["20150101", "250bars"]]
    for name in names:
        assert (tmp_path / "portfolio" / name / "returns.parquet").is_file()


def test_calendar_key_changes_with_any_timestamp() -> None:
    idx = pd.bdate_range("2024-01-01", periods=10, tz="UTC")
    moved = idx.delete(5).append(pd.DatetimeIndex([idx[-1] + pd.Timedelta(days=1)]))
    assert calendar_key(idx) != calendar_key(moved) and calendar_key(idx) == calendar_key(idx.copy())
    frame = pd.DataFrame(index=idx)
    groups = calendar_groups({"B": frame, "A": frame, "C": pd.DataFrame(index=moved)})
    assert [sorted(g) for g in groups.values()] == [["A", "B"], ["C"]] or \
        [sorted(g) for g in groups.values()] == [["C"], ["A", "B"]]


def test_portfolio_max_gross_moved_to_backtest_section() -> None:
    with pytest.raises(ValueError, match="backtest.max_gross"):
        PortfolioConfig(max_gross=1.0)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="fast"):
        PortfolioConfig(fast=100, slow=20)


def test_run_backtest_rejects_unknown_and_invalid_options(tmp_path) -> None:
    from trading_signals.backtest import run_backtest

    bars = generate_universe(1, 60, seed=1).bars["SYN0000"]
    pos = pd.Series(1.0, index=bars.index)
    with pytest.raises(ConfigError, match="comission_bps"):
        run_backtest(bars, pos, comission_bps=1.0)
    with pytest.raises(ConfigError, match="commission_bps"):
        run_backtest(bars, pos, commission_bps=-1.0)
    a = run_backtest(bars, pos, BacktestConfig(commission_bps=3.0))
    b = run_backtest(bars, pos, commission_bps=3.0, slippage_bps=1.0)  # config defaults: 1 bp slippage
    assert a.metrics == b.metrics
