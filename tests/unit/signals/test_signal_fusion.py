"""Fusion: contributions add up, missing components renormalise and are reported."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from trading_signals.config.signals import SignalThresholds
from trading_signals.errors import ConfigError
from trading_signals.signals.fusion import fuse

NAMES = ["trend", "momentum", "volatility", "volume", "sentiment", "model"]
WEIGHTS = {"trend": 0.25, "momentum": 0.25, "volatility": 0.1, "volume": 0.15,
           "sentiment": 0.15, "model": 0.1}
TH = SignalThresholds()


def _frame(rows: list[list[float]]) -> pd.DataFrame:
    idx = pd.date_range("2024-01-01", periods=len(rows), freq="D", tz="UTC")
    return pd.DataFrame(rows, columns=NAMES, index=idx, dtype=float)


unit_or_nan = st.one_of(st.floats(0.0, 1.0), st.just(np.nan))


@settings(max_examples=25, deadline=None)
@given(arrays(np.float64, (8, 6), elements=unit_or_nan))
def test_fuse_random_scores_contributions_sum_to_score_minus_half(scores: np.ndarray) -> None:
    comps = pd.DataFrame(scores, columns=NAMES)
    out = fuse(comps, weights=WEIGHTS, thresholds=TH)
    contrib = out.filter(like="contrib_").to_numpy()
    ok = out["confluence_score"].notna().to_numpy()
    np.testing.assert_allclose(np.nansum(contrib, axis=1)[ok],
                               out["confluence_score"].to_numpy()[ok] - 0.5, atol=1e-12)
    # Naive reference: the weighted mean of the present scores.
    w = np.array([WEIGHTS[n] for n in NAMES])
    for i in np.flatnonzero(ok):
        p = ~np.isnan(scores[i])
        expected = (w[p] * scores[i, p]).sum() / w[p].sum()
        assert out["confluence_score"].iloc[i] == pytest.approx(expected, abs=1e-12)
    conf = out["confidence"].to_numpy()[ok]
    assert ((conf >= 0) & (conf <= 1)).all()
    # A row with no component at all gets no signal.
    assert (~ok == np.isnan(scores).all(axis=1)).all()


def test_fuse_missing_sentiment_and_model_renormalises_and_says_so() -> None:
    comps = _frame([[0.8, 0.7, 0.5, 0.6, np.nan, np.nan]])
    out = fuse(comps, weights=WEIGHTS, thresholds=TH)
    tech = {k: WEIGHTS[k] for k in ["trend", "momentum", "volatility", "volume"]}
    only_tech = fuse(comps[list(tech)], weights=tech, thresholds=TH)
    assert out["confluence_score"].iloc[0] == pytest.approx(only_tech["confluence_score"].iloc[0])
    assert out["missing_components"].iloc[0] == "sentiment, model"
    assert "missing: sentiment, model (weights renormalised)" in out["explanation"].iloc[0]
    assert out["coverage"].iloc[0] == pytest.approx(0.75)
    assert np.isnan(out["contrib_sentiment"].iloc[0])  # missing is not neutral 0


def test_fuse_explanation_lists_label_score_and_contributions_by_size() -> None:
    comps = _frame([[0.9, 0.6, 0.5, 0.4, 0.3, 0.7]])
    out = fuse(comps, weights=WEIGHTS, thresholds=TH)
    text = out["explanation"].iloc[0]
    label, score = out["signal"].iloc[0], out["confluence_score"].iloc[0]
    assert text.startswith(f"{label} {score:.2f}: trend +0.10")
    assert "sentiment -0.03" in text and "missing" not in text
    names_in_order = [p.split()[0] for p in text.split(": ", 1)[1].split(", ")]
    sizes = [abs(out[f"contrib_{n}"].iloc[0]) for n in names_in_order]
    assert sizes == sorted(sizes, reverse=True)


def test_fuse_required_component_missing_gives_no_signal_with_reason() -> None:
    comps = _frame([[np.nan, 0.9, 0.9, 0.9, 0.9, 0.9]])
    out = fuse(comps, weights=WEIGHTS, thresholds=TH, required=["trend", "momentum"])
    assert np.isnan(out["confluence_score"].iloc[0]) and out["signal"].iloc[0] is None
    assert out["explanation"].iloc[0] == "NO SIGNAL: warm-up, waiting for trend"


def test_fuse_below_min_coverage_gives_no_signal() -> None:
    comps = _frame([[0.9, np.nan, np.nan, np.nan, np.nan, np.nan]])
    out = fuse(comps, weights=WEIGHTS, thresholds=TH, min_coverage=0.5)
    assert out["signal"].iloc[0] is None
    assert out["explanation"].iloc[0].startswith("NO SIGNAL: coverage 0.25 < 0.50")


def test_fuse_all_neutral_scores_give_hold_with_zero_confidence() -> None:
    out = fuse(_frame([[0.5] * 6]), weights=WEIGHTS, thresholds=TH)
    assert out["signal"].iloc[0] == "HOLD" and out["confidence"].iloc[0] == 0.0


def test_fuse_unanimous_components_have_higher_confidence_than_split() -> None:
    # Same score 0.8 in both rows; the second has a dissenting volatility component.
    comps = _frame([[0.8] * 6, [0.92, 0.92, 0.2, 0.8, 0.8, 0.8]])
    out = fuse(comps, weights=WEIGHTS, thresholds=TH)
    assert out["confluence_score"].iloc[1] == pytest.approx(out["confluence_score"].iloc[0])
    assert out["agreement"].iloc[0] == 1.0 and out["agreement"].iloc[1] == pytest.approx(0.9)
    assert out["confidence"].iloc[0] > out["confidence"].iloc[1]


def test_fuse_negative_weight_raises_config_error() -> None:
    with pytest.raises(ConfigError, match=">= 0"):
        fuse(_frame([[0.5] * 6]), weights={"trend": -1.0, "momentum": 1.0}, thresholds=TH)


def test_fuse_required_without_weight_raises_config_error() -> None:
    with pytest.raises(ConfigError, match="no weight"):
        fuse(_frame([[0.5] * 6]), weights={"trend": 1.0}, thresholds=TH, required=["volume"])
