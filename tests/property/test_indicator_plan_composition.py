"""Composing a plan never changes a value: each spec in a random plan equals that spec alone.

The per-symbol executor fuses families that appear together (all SMAs/EMAs in one loop, the
first RSI/ATR/VWAP/ADX/SAR stepped together, MACD with TRIX, BBANDS with a same-period STDDEV,
NATR from a same-period ATR). Single-family plans with non-default params are pinned to TA-Lib
by the parity tests; bit equality here carries that parity over to every mix.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from trading_signals.data.schema import make_ohlcv
from trading_signals.features.indicators import (
    INDICATOR_FAMILIES,
    available_indicators,
    compute_indicators,
)

N_BARS = 180
FAMILIES = available_indicators()
ORDERED = {"macd": 3, "adosc": 2, "ultosc": 3}  # integer params that must strictly increase
# The fused families twice as often, and few distinct periods, so that fused pairs (same-period
# BBANDS+STDDEV, ATR+NATR) and repeats of a family (only the first joins a fused loop) are common.
FUSED = (
    "sma",
    "ema",
    "rsi",
    "atr",
    "natr",
    "vwap",
    "adx",
    "sar",
    "macd",
    "trix",
    "bbands",
    "stddev",
)
WEIGHTED = INDICATOR_FAMILIES + FUSED
PERIODS = st.sampled_from([2, 3, 5, 9, 14])


def _frame(seed: int, gap: bool) -> Any:
    rng = np.random.default_rng(seed)
    c = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.02, N_BARS)))
    o = c * np.exp(rng.normal(0.0, 0.01, N_BARS))
    h = np.maximum(o, c) * np.exp(np.abs(rng.normal(0.0, 0.01, N_BARS)))
    lo = np.minimum(o, c) * np.exp(-np.abs(rng.normal(0.0, 0.01, N_BARS)))
    v = rng.integers(0, 1000, N_BARS).astype(np.float64)
    if gap:
        c[90:92] = np.nan
    idx = np.datetime64("2021-01-01") + np.arange(N_BARS).astype("timedelta64[D]")
    return make_ohlcv(idx, o, h, lo, c, v, symbol="MIX", timeframe="1d")


@st.composite
def _spec(draw: st.DrawFn, pos: int) -> dict[str, Any]:
    name = draw(st.sampled_from(WEIGHTED))
    defaults = FAMILIES[name]["params"]
    ints = sorted(k for k, v in defaults.items() if isinstance(v, int))
    params: dict[str, Any] = {}
    if name in ORDERED:
        values = sorted(draw(st.sets(PERIODS, min_size=ORDERED[name], max_size=ORDERED[name])))
        ints = list(defaults)[: ORDERED[name]]  # defaults are in increasing order
        params |= dict(zip(ints, values))
    else:
        params |= {k: draw(PERIODS) for k in ints}
    for k, v in defaults.items():
        if isinstance(v, float):
            params[k] = draw(st.sampled_from([v, 0.5 * v, 1.5 * v]))
    return {"name": name, "params": params, "alias": f"s{pos}"}


@st.composite
def _plan(draw: st.DrawFn) -> list[dict[str, Any]]:
    n = draw(st.integers(2, 9))
    return [draw(_spec(i)) for i in range(n)]


@settings(max_examples=40, deadline=None)
@given(plan=_plan(), seed=st.integers(0, 2**31 - 1), gap=st.booleans())
def test_every_spec_in_a_mixed_plan_equals_that_spec_alone(
    plan: list[dict[str, Any]], seed: int, gap: bool
) -> None:
    # Arrange
    frame = _frame(seed, gap)
    # Act
    mixed = compute_indicators(frame, plan)
    # Assert: bit-identical (NaN-aware) column blocks
    for spec in plan:
        alone = compute_indicators(frame, [spec])
        got = mixed[alone.columns].to_numpy()
        np.testing.assert_array_equal(got, alone.to_numpy(), err_msg=str(spec))


def _s(name: str, alias: str, **params: Any) -> dict[str, Any]:
    return {"name": name, "params": params, "alias": alias}


# Every fusion, its repeats and its near-misses (same family, other period), named.
FUSION_CASES = {
    "atr+natr same period": [_s("atr", "a", timeperiod=5), _s("natr", "b", timeperiod=5)],
    "atr+natr other period": [_s("atr", "a", timeperiod=5), _s("natr", "b", timeperiod=9)],
    "bbands+stddev same period": [
        _s("bbands", "a", timeperiod=9, nbdevup=1.5, nbdevdn=2.5),
        _s("stddev", "b", timeperiod=9, nbdev=1.5),
        _s("stddev", "c", timeperiod=9),
    ],
    "macd+trix, repeated": [
        _s("trix", "a", timeperiod=5),
        _s("macd", "b", fastperiod=3, slowperiod=9, signalperiod=4),
        _s("trix", "c", timeperiod=9),
        _s("macd", "d"),
    ],
    "sma/ema groups": [
        *(_s("sma", f"s{n}", timeperiod=n) for n in (2, 5, 9, 14, 30)),
        *(_s("ema", f"e{n}", timeperiod=n) for n in (2, 5, 9, 14, 30)),
    ],
    "rsi/atr/vwap/adx/sar chain, repeated": [
        _s("rsi", "r1", timeperiod=5),
        _s("atr", "a1", timeperiod=9),
        _s("vwap", "v1", timeperiod=3),
        _s("adx", "x1", timeperiod=5),
        _s("sar", "p1"),
        _s("rsi", "r2", timeperiod=14),
        _s("adx", "x2", timeperiod=9),
        _s("sar", "p2", acceleration=0.05, maximum=0.3),
    ],
    "chain partly present": [_s("adx", "x", timeperiod=5), _s("vwap", "v", timeperiod=4)],
}


@pytest.mark.parametrize("plan", list(FUSION_CASES.values()), ids=list(FUSION_CASES))
@pytest.mark.parametrize("gap", [False, True])
def test_each_fusion_equals_its_families_alone(plan: list[dict[str, Any]], gap: bool) -> None:
    # Arrange
    frame = _frame(11, gap)
    # Act
    mixed = compute_indicators(frame, plan)
    # Assert
    for spec in plan:
        alone = compute_indicators(frame, [spec])
        np.testing.assert_array_equal(mixed[alone.columns].to_numpy(), alone.to_numpy(), str(spec))
