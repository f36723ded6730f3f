"""Point-in-time model component: registry round trip, scores, errors and the engine's story."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from trading_signals.data.synthetic import generate_universe
from trading_signals.errors import DataError
from trading_signals.models.pit import (
    ModelVersion,
    load_versions,
    model_component_for,
    predict_point_in_time,
    prediction_score,
)
from trading_signals.models.registry import ModelRegistry
from trading_signals.models.training import train_window_model, training_window
from trading_signals.signals.engine import generate_signals


@pytest.fixture(scope="module")
def universe():
    return generate_universe(8, 400, seed=12)


@pytest.fixture(scope="module")
def trained(universe, tmp_path_factory):
    root = tmp_path_factory.mktemp("registry")
    early = train_window_model(universe.bars, registry=root, train_fraction=0.4, horizon=3,
                               name="pit", max_rows=None)
    late = train_window_model(universe.bars, registry=root, train_fraction=0.7, horizon=3,
                              name="pit", max_rows=None)
    return root, early, late


def test_training_window_model_sees_only_bars_before_the_cutoff(universe, trained) -> None:
    root, early, _ = trained
    man = ModelRegistry(root).manifest(early)
    cutoff = training_window(universe.bars, train_fraction=0.4).cutoff
    assert pd.Timestamp(man["extra"]["cutoff"]) == cutoff
    dates = universe.bars["SYN0000"].index
    # the last training row's label (horizon 3) ends strictly before the cutoff
    assert dates.get_loc(pd.Timestamp(man["train_end"])) + 3 < dates.get_loc(cutoff)
    assert man["extra"]["purge"] == 3 and man["extra"]["feature_computer"]["spec"] == []


def test_training_is_deterministic_and_an_identical_training_is_reused(universe, tmp_path) -> None:
    a = train_window_model(universe.bars, registry=tmp_path, name="d", max_rows=500, seed=4)
    b = train_window_model(universe.bars, registry=tmp_path, name="d", max_rows=500, seed=4, reuse=False)
    c = train_window_model(universe.bars, registry=tmp_path, name="d", max_rows=500, seed=5)
    assert len({a, b, c}) == 3
    text = {m: (tmp_path / m / "model.txt").read_text() for m in (a, b, c)}
    assert text[a] == text[b] and text[a] != text[c]
    assert train_window_model(universe.bars, registry=tmp_path, name="d", max_rows=500, seed=4) == b
    changed = dict(universe.bars)
    bars = changed["SYN0000"].copy()
    bars.iloc[10, bars.columns.get_loc("volume")] += 1.0  # a bar inside the training window
    changed["SYN0000"] = bars
    assert train_window_model(changed, registry=tmp_path, name="d", max_rows=500, seed=4) not in {a, b, c}


def test_component_scores_from_the_cutoff_on_and_the_explanation_shows_the_model(universe, trained) -> None:
    root, _, late = trained
    comp = model_component_for(late, root, history=False, min_periods=10)
    bars = universe.bars["SYN0003"]
    out = comp.predictions(bars)
    cutoff = pd.Timestamp(ModelRegistry(root).manifest(late)["extra"]["cutoff"])
    assert out.loc[out.index < cutoff, "prediction"].isna().all()
    assert out.loc[out.index >= cutoff, "prediction"].notna().all()
    scored = out["score"].dropna()
    assert len(scored) > 50 and scored.between(0, 1).all() and scored.std() > 0.1
    sig = generate_signals(bars, model=comp)
    last = sig["explanation"].iloc[-1]
    assert "model " in last and "missing: model" not in last
    assert sig["contrib_model"].notna().sum() == len(scored)
    early = sig.loc[(sig.index < cutoff) & sig["signal"].notna(), "explanation"]
    # before the cutoff the model is missing, and the explanation says so
    assert len(early) > 50 and early.str.contains("missing: .*model").all()
    assert not early.str.contains(r"model [+-]").any()


def test_history_lets_the_earlier_version_fill_the_bars_before_the_newer_window(universe, trained) -> None:
    root, early, late = trained
    versions = load_versions(ModelRegistry(root), late, history=True)
    assert [v.model_id for v in versions] == [early, late]
    comp = model_component_for(late, root, history=True, min_periods=10)
    out = comp.predictions(universe.bars["SYN0001"])
    used = out["model_id"].dropna()
    cut_early = pd.Timestamp(ModelRegistry(root).manifest(early)["extra"]["cutoff"])
    cut_late = pd.Timestamp(ModelRegistry(root).manifest(late)["extra"]["cutoff"])
    assert used.index[0] == cut_early
    assert (used[used.index < cut_late] == early).all() and (used[used.index >= cut_late] == late).all()


def test_component_is_picklable_and_gives_the_same_scores(universe, trained) -> None:
    root, _, late = trained
    comp = model_component_for(late, root)
    again = pickle.loads(pickle.dumps(comp))
    bars = universe.bars["SYN0005"]
    pd.testing.assert_series_equal(comp(bars), again(bars))


def test_prediction_score_methods_are_bounded_and_causal() -> None:
    rng = np.random.default_rng(0)
    p = pd.Series(rng.normal(size=300))
    for method in ("percentile", "tanh"):
        s = prediction_score(p, method=method, window=50, min_periods=10)
        assert s.iloc[:9].isna().all() and s.iloc[9:].between(0, 1).all()
        q = p.copy()
        q.iloc[200:] = 100.0
        t = prediction_score(q, method=method, window=50, min_periods=10)
        pd.testing.assert_series_equal(s.iloc[:200], t.iloc[:200])
    tanh = prediction_score(pd.Series([0.1] * 30), method="tanh", window=10, min_periods=5)
    assert (tanh.dropna() > 0.5).all()  # tanh keeps the sign of the expected return


def test_missing_feature_and_planted_feature_are_clear_errors(universe, trained, tmp_path) -> None:
    root, _, late = trained
    comp = model_component_for(late, root)
    version = comp.versions[-1]
    feats = comp.inputs(universe.bars["SYN0000"]).drop(columns=[version.features[0]])
    with pytest.raises(DataError, match=version.features[0]):
        predict_point_in_time(feats, version)
    reg = ModelRegistry(tmp_path)
    mid = reg.register(version.model, name="planted", config_id="x",
                       features=["planted", *version.features[1:]], train_start=None,
                       train_end=version.train_end, extra={"feature_computer": {"spec": [], "ml": True}})
    with pytest.raises(DataError, match="planted"):
        model_component_for(mid, reg)
    with pytest.raises(DataError, match="no model"):
        model_component_for("nope", reg)


def test_unsorted_or_non_datetime_index_is_rejected() -> None:
    v = ModelVersion("x", object(), ("a",), pd.Timestamp("2024-01-01", tz="UTC"), 1)
    with pytest.raises(DataError, match="sorted DatetimeIndex"):
        predict_point_in_time(pd.DataFrame({"a": [1.0, 2.0]}), v)
