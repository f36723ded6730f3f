"""The vectorised signal paths equal their naive references (per-row explanation loop,
pandas rolling rank)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from trading_signals.config.signals import DEFAULT_WEIGHTS, SignalThresholds
from trading_signals.signals._explain import format_2f
from trading_signals.signals.components import trailing_percentile
from trading_signals.signals.fusion import fuse


def _naive_explanation(row: dict, names: list[str]) -> str:
    if row["signal"] is None:
        return row["explanation"]  # NO SIGNAL texts are covered by the engine tests
    parts = sorted(((n, row[f"contrib_{n}"]) for n in names if not np.isnan(row[f"contrib_{n}"])),
                   key=lambda p: -abs(p[1]))
    text = f"{row['signal']} {row['confluence_score']:.2f}: " + ", ".join(
        f"{n} {c:+.2f}" for n, c in parts)
    missing = [n for n in names if np.isnan(row[f"score_{n}"])]
    return text + (f"; missing: {', '.join(missing)} (weights renormalised)" if missing else "")


def test_format_2f_values_near_rounding_ties_match_python_format() -> None:
    x = np.concatenate([np.arange(-2000, 2001) / 1000, np.arange(-400, 401) / 200,
                        np.random.default_rng(0).uniform(-1.5, 1.5, 20_000), [0.0, -0.0, 5e9]])
    assert format_2f(x, plus=True).tolist() == [format(v, "+.2f") for v in x.tolist()]
    assert format_2f(x).tolist() == [format(v, ".2f") for v in x.tolist()]


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_fuse_explanations_grid_scores_match_naive_loop(seed: int) -> None:
    rng = np.random.default_rng(seed)
    names = list(DEFAULT_WEIGHTS)
    s = rng.integers(0, 41, (60, len(names))) / 40.0  # grid scores: ties and rounding ties
    s[rng.random(s.shape) < 0.3] = np.nan
    out = fuse(pd.DataFrame(s, columns=names), weights=DEFAULT_WEIGHTS,
               thresholds=SignalThresholds())
    # Rows as dicts: pandas 3's iterrows() turns the None labels of the object column into NaN.
    rows = out.to_dict("records")
    assert out["explanation"].tolist() == [_naive_explanation(r, names) for r in rows]


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 40))
def test_trailing_percentile_ties_nan_inf_match_pandas_rolling_rank(seed: int, window: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 5, 200).astype(float)
    x[rng.random(200) < 0.1] = np.nan
    x[rng.random(200) < 0.05] = np.inf
    v = pd.Series(x)
    roll = v.rolling(window, min_periods=min(5, window))
    ref = ((roll.rank() - 1.0) / (roll.count() - 1.0).where(roll.count() > 1)).where(v.notna())
    got = trailing_percentile(v, window=window, min_periods=min(5, window))
    assert np.array_equal(got.to_numpy(), ref.to_numpy(), equal_nan=True)
