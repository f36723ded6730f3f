"""No look-ahead in point-in-time model predictions and the model component built on them."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from trading_signals.data.synthetic import generate_universe
from trading_signals.features.pipeline import FeatureComputer
from trading_signals.models.gbm import LightGBMRegressor
from trading_signals.models.pit import ModelVersion, PointInTimeModel, predict_point_in_time
from trading_signals.models.training import training_panel

from tests._perturb import perturb_after

UNIVERSE = generate_universe(6, 360, seed=31)
BARS = UNIVERSE.bars["SYN0002"]
COMPUTER = FeatureComputer(spec=(), ml=True)
HORIZON = 3


def _version(cut: int, label: str) -> ModelVersion:
    cutoff = BARS.index[cut]
    X, y = training_panel(UNIVERSE.bars, cutoff=cutoff, horizon=HORIZON, computer=COMPUTER)
    model = LightGBMRegressor(n_estimators=20, min_child_samples=20).fit(X, y)
    return ModelVersion(label, model, tuple(X.columns), X.index.get_level_values(0).max(), HORIZON)


V1, V2 = _version(150, "m/v0001"), _version(240, "m/v0002")
COMPONENT = PointInTimeModel(versions=(V1, V2), computer=COMPUTER, timeframe="1d", min_periods=5)


@settings(max_examples=10, deadline=None)
@given(t=st.integers(100, 350), scale=st.floats(0.3, 3.0), seed=st.integers(0, 2**16))
def test_perturbing_bars_after_t_leaves_predictions_and_scores_up_to_t_unchanged(
        t: int, scale: float, seed: int) -> None:
    base = COMPONENT.predictions(BARS)
    other = COMPONENT.predictions(perturb_after(BARS, t, scale=scale, seed=seed))
    pd.testing.assert_frame_equal(base.iloc[: t + 1], other.iloc[: t + 1], check_exact=True)
    if t < len(BARS) - 5:  # the perturbation is real: later predictions move
        assert not np.allclose(base["prediction"].iloc[t + 1:], other["prediction"].iloc[t + 1:],
                               equal_nan=True)


@settings(max_examples=10, deadline=None)
@given(cut=st.integers(40, 330), purge=st.integers(0, 10))
def test_a_model_with_training_end_T_is_nan_at_every_bar_up_to_T_plus_purge(cut: int, purge: int) -> None:
    feats = COMPUTER(BARS)
    version = ModelVersion("x", V1.model, V1.features, BARS.index[cut], purge)
    pred = predict_point_in_time(feats, version)
    assert pred.iloc[: cut + purge + 1].isna().all()
    after = pred.iloc[cut + purge + 1:]
    assert after.notna().all()  # features are out of warm-up by bar 40
    assert set(pred.attrs["model_id"][cut + purge + 1:]) <= {"x"}


def test_each_bar_is_scored_by_the_freshest_version_trained_before_it() -> None:
    pred = predict_point_in_time(COMPUTER(BARS), (V2, V1))  # order given does not matter
    ids = pred.attrs["model_id"]
    pos1 = BARS.index.get_loc(V1.train_end) + HORIZON + 1
    pos2 = BARS.index.get_loc(V2.train_end) + HORIZON + 1
    assert (ids[:pos1] == None).all()  # noqa: E711 - object array comparison
    assert (ids[pos1:pos2] == "m/v0001").all() and (ids[pos2:] == "m/v0002").all()
    assert pred.iloc[:pos1].isna().all() and pred.iloc[pos1:].notna().all()
    # the v1 stretch is exactly what v1 alone predicts there
    alone = predict_point_in_time(COMPUTER(BARS), V1)
    np.testing.assert_array_equal(pred.iloc[pos1:pos2], alone.iloc[pos1:pos2])
