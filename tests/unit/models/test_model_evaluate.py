from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from trading_signals.models import (
    directional_accuracy,
    evaluate_predictions,
    icir,
    information_coefficient,
)
from trading_signals.models.evaluate import rank_information_coefficient


def _panel(seed: int, n_dates: int = 30, n_sym: int = 7):
    rng = np.random.default_rng(seed)
    idx = pd.MultiIndex.from_product(
        [pd.bdate_range("2024-01-01", periods=n_dates, tz="UTC"), [f"S{i}" for i in range(n_sym)]],
        names=["timestamp", "symbol"])
    y = pd.Series(rng.normal(size=len(idx)), index=idx)
    pred = pd.Series(0.3 * y.to_numpy() + rng.normal(size=len(idx)), index=idx)
    return pred, y


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_information_coefficient_matches_scipy_per_date(seed: int) -> None:
    pred, y = _panel(seed)
    ic = information_coefficient(pred, y)
    ric = rank_information_coefficient(pred, y)
    for date in ic.index[:5]:
        p, t = pred.xs(date, level="timestamp"), y.xs(date, level="timestamp")
        assert abs(ic[date] - stats.pearsonr(p, t)[0]) < 1e-10
        assert abs(ric[date] - stats.spearmanr(p, t)[0]) < 1e-10


def test_icir_and_directional_accuracy_match_naive() -> None:
    pred, y = _panel(1)
    ic = information_coefficient(pred, y)
    assert abs(icir(ic) - ic.mean() / ic.std(ddof=1)) < 1e-12
    naive = np.mean([np.sign(a) == np.sign(b) for a, b in zip(pred, y, strict=True) if b != 0])
    assert abs(directional_accuracy(pred, y) - naive) < 1e-12


def test_evaluate_predictions_two_symbols_uses_time_series_ic() -> None:
    pred, y = _panel(2, n_dates=84, n_sym=2)
    out = evaluate_predictions(pred, y)
    assert out["cross_sectional"] == 0.0
    assert out["n_dates"] == 8  # 2 symbols x 4 blocks of 21 bars
    assert 0.0 < out["ic"] < 1.0


def test_information_coefficient_constant_prediction_dates_skipped() -> None:
    pred, y = _panel(3)
    pred[:] = 1.0
    assert information_coefficient(pred, y).empty
