"""Table-driven parity of every TA-Lib-backed indicator column with TA-Lib itself.

Each row of ``TALIB_TABLE`` names our column, the TA-Lib function, its inputs and params, and
which output to take. Each column is checked on every input case of ``CASES``: seeded random
walks, real S&P 500 bars, EURUSD-like hourly quotes to 5 decimals whose typical prices tie up to
the last bit (``data/eurusd_h1_ties.csv``, see ``data/make_eurusd_h1.py``), prices with ties and
zero volumes, flat prices, zero volume, a single bar and fewer bars than the window. Tolerance: ``rtol=1e-9`` plus an absolute floor of
``1e-11 x`` the column's scale, because values that are mathematically zero (e.g. %K at the
window low) carry last-ulp running-sum noise that no relative tolerance can compare.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
import pytest

talib = pytest.importorskip("talib")

from trading_signals.features.indicators import INDICATOR_NAMES, compute_indicator_arrays

Arrays = dict[str, np.ndarray]

# (our column, TA-Lib function, inputs, params, output index or None)
TALIB_TABLE: list[tuple[str, str, str, dict[str, float], int | None]] = [
    ("sma_10", "SMA", "c", {"timeperiod": 10}, None),
    ("sma_20", "SMA", "c", {"timeperiod": 20}, None),
    ("sma_50", "SMA", "c", {"timeperiod": 50}, None),
    ("sma_200", "SMA", "c", {"timeperiod": 200}, None),
    ("ema_12", "EMA", "c", {"timeperiod": 12}, None),
    ("ema_26", "EMA", "c", {"timeperiod": 26}, None),
    ("ema_50", "EMA", "c", {"timeperiod": 50}, None),
    ("rsi_14", "RSI", "c", {"timeperiod": 14}, None),
    ("macd", "MACD", "c", {}, 0),
    ("macd_signal", "MACD", "c", {}, 1),
    ("macd_hist", "MACD", "c", {}, 2),
    ("bb_upper_20", "BBANDS", "c", {"timeperiod": 20, "nbdevup": 2, "nbdevdn": 2}, 0),
    ("bb_middle_20", "BBANDS", "c", {"timeperiod": 20, "nbdevup": 2, "nbdevdn": 2}, 1),
    ("bb_lower_20", "BBANDS", "c", {"timeperiod": 20, "nbdevup": 2, "nbdevdn": 2}, 2),
    ("atr_14", "ATR", "hlc", {"timeperiod": 14}, None),
    ("natr_14", "NATR", "hlc", {"timeperiod": 14}, None),
    ("adx_14", "ADX", "hlc", {"timeperiod": 14}, None),
    ("plus_di_14", "PLUS_DI", "hlc", {"timeperiod": 14}, None),
    ("minus_di_14", "MINUS_DI", "hlc", {"timeperiod": 14}, None),
    ("stoch_k", "STOCH", "hlc", {}, 0),
    ("stoch_d", "STOCH", "hlc", {}, 1),
    ("cci_20", "CCI", "hlc", {"timeperiod": 20}, None),
    ("obv", "OBV", "cv", {}, None),
    ("mfi_14", "MFI", "hlcv", {"timeperiod": 14}, None),
    ("willr_14", "WILLR", "hlc", {"timeperiod": 14}, None),
    ("roc_10", "ROC", "c", {"timeperiod": 10}, None),
    ("mom_10", "MOM", "c", {"timeperiod": 10}, None),
    ("aroon_down_25", "AROON", "hl", {"timeperiod": 25}, 0),
    ("aroon_up_25", "AROON", "hl", {"timeperiod": 25}, 1),
    ("ad", "AD", "hlcv", {}, None),
    ("adosc", "ADOSC", "hlcv", {}, None),
    ("trix_30", "TRIX", "c", {"timeperiod": 30}, None),
    ("ultosc", "ULTOSC", "hlc", {}, None),
    ("sar", "SAR", "hl", {}, None),
    ("stddev_20", "STDDEV", "c", {"timeperiod": 20, "nbdev": 1}, None),
    ("linreg_slope_14", "LINEARREG_SLOPE", "c", {"timeperiod": 14}, None),
]
NON_TALIB = {
    "vwap_20",
    "donchian_upper_20",
    "donchian_lower_20",
    "keltner_upper_20",
    "keltner_lower_20",
}


def _walk(seed: int, n: int) -> Arrays:
    rng = np.random.default_rng(seed)
    c = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.02, n)))
    o = c * np.exp(rng.normal(0.0, 0.01, n))
    h = np.maximum(o, c) * np.exp(np.abs(rng.normal(0.0, 0.01, n)))
    lo = np.minimum(o, c) * np.exp(-np.abs(rng.normal(0.0, 0.01, n)))
    v = rng.integers(0, 1_000_000, n).astype(np.float64)
    return {"o": o, "h": h, "l": lo, "c": c, "v": v}


def _ties(seed: int, n: int) -> Arrays:
    # Integer prices give equal highs/lows (tie-breaking) and some zero-volume bars.
    a = {k: np.round(x) for k, x in _walk(seed, n).items()}
    a["h"] = np.maximum(a["h"], np.maximum(a["o"], a["c"]))
    a["l"] = np.minimum(a["l"], np.minimum(a["o"], a["c"]))
    a["v"][::3] = 0.0
    return a


def _flat(n: int) -> Arrays:
    return {
        "o": np.full(n, 50.0),
        "h": np.full(n, 50.0),
        "l": np.full(n, 50.0),
        "c": np.full(n, 50.0),
        "v": np.full(n, 1000.0),
    }


def _sp500() -> Arrays:
    arch_data = pytest.importorskip("arch.data.sp500")
    df = arch_data.load().iloc[-1500:]
    return {
        k: df[col].to_numpy(dtype=np.float64).copy()
        for k, col in zip("ohlcv", ["Open", "High", "Low", "Close", "Volume"], strict=True)
    }


FX_FILE = Path(__file__).with_name("data") / "eurusd_h1_ties.csv"


def _fx(scale: float = 1.0) -> Arrays:
    # Real-looking 5-decimal FX hourly quotes: many consecutive bars whose high + low + close
    # is equal in decimal, i.e. typical prices that tie or differ only in the last bit (the
    # case where MFI's up/down classification once disagreed with TA-Lib by up to 30 points).
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(FX_FILE, index_col=0)
    a = {
        k: df[col].to_numpy(dtype=np.float64).copy()
        for k, col in zip("ohlcv", ["open", "high", "low", "close", "volume"], strict=True)
    }
    for k in "ohlc":
        a[k] *= scale
    return a


def _zero_volume(seed: int, n: int) -> Arrays:
    a = _walk(seed, n)
    a["v"][:] = 0.0
    return a


CASES: dict[str, Callable[[], Arrays]] = {
    "walk_seed0_600": lambda: _walk(0, 600),
    "walk_seed1_300": lambda: _walk(1, 300),
    "sp500_1500": _sp500,
    "eurusd_h1_ties": _fx,
    "ties_zero_vol_seed2": lambda: _ties(2, 700),
    "flat_300": lambda: _flat(300),
    "zero_volume_300": lambda: _zero_volume(3, 300),
    "single_bar": lambda: _walk(4, 1),
    "shorter_than_window_12": lambda: _walk(5, 12),
    "around_macd_warmup_34": lambda: _walk(6, 34),
}


@cache
def _ours(case: str) -> tuple[Arrays, dict[str, np.ndarray]]:
    a = CASES[case]()
    cols, out = compute_indicator_arrays(a["o"], a["h"], a["l"], a["c"], a["v"])
    return a, dict(zip(cols, out, strict=True))


def _talib(a: Arrays, func: str, inputs: str, params: dict[str, float], index: int | None):
    args = [a[{"h": "h", "l": "l", "c": "c", "v": "v"}[k]] for k in inputs]
    res = getattr(talib, func)(*args, **params)
    return res if index is None else res[index]


def assert_parity(ours: np.ndarray, ref: np.ndarray, name: str) -> None:
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(ref), err_msg=f"{name}: warm-up NaNs")
    scale = max(float(np.nanmax(np.abs(ref))), 1.0) if np.isfinite(ref).any() else 1.0
    np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-11 * scale, err_msg=name)


def test_talib_table_covers_every_contract_column() -> None:
    covered = {row[0] for row in TALIB_TABLE} | NON_TALIB
    assert covered == set(INDICATOR_NAMES)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize(
    ("column", "func", "inputs", "params", "index"), TALIB_TABLE, ids=[r[0] for r in TALIB_TABLE]
)
def test_indicator_matches_talib(case, column, func, inputs, params, index) -> None:
    # Arrange
    a, ours = _ours(case)
    # Act
    ref = _talib(a, func, inputs, params, index)
    # Assert
    assert_parity(ours[column], ref, f"{column} on {case}")


@pytest.mark.parametrize(
    ("family", "params", "column", "func", "inputs", "index"),
    [
        ("sma", {"timeperiod": 2}, "sma_2", "SMA", "c", None),
        ("ema", {"timeperiod": 3}, "ema_3", "EMA", "c", None),
        ("rsi", {"timeperiod": 2}, "rsi_2", "RSI", "c", None),
        (
            "macd",
            {"fastperiod": 5, "slowperiod": 35, "signalperiod": 5},
            "macd_signal_5_35_5",
            "MACD",
            "c",
            1,
        ),
        (
            "bbands",
            {"timeperiod": 10, "nbdevup": 1.5, "nbdevdn": 2.5},
            "bb_lower_10",
            "BBANDS",
            "c",
            2,
        ),
        (
            "stoch",
            {"fastk_period": 14, "slowk_period": 1, "slowd_period": 5},
            "stoch_d_14_1_5",
            "STOCH",
            "hlc",
            1,
        ),
        ("adx", {"timeperiod": 5}, "adx_5", "ADX", "hlc", None),
        ("aroon", {"timeperiod": 7}, "aroon_up_7", "AROON", "hl", 1),
        ("adosc", {"fastperiod": 5, "slowperiod": 20}, "adosc_5_20", "ADOSC", "hlcv", None),
        ("trix", {"timeperiod": 5}, "trix_5", "TRIX", "c", None),
        (
            "ultosc",
            {"timeperiod1": 3, "timeperiod2": 9, "timeperiod3": 20},
            "ultosc_3_9_20",
            "ULTOSC",
            "hlc",
            None,
        ),
        ("sar", {"acceleration": 0.05, "maximum": 0.3}, "sar_0.05_0.3", "SAR", "hl", None),
        ("stddev", {"timeperiod": 7, "nbdev": 2.0}, "stddev_7", "STDDEV", "c", None),
        ("cci", {"timeperiod": 5}, "cci_5", "CCI", "hlc", None),
    ],
)
def test_indicator_nondefault_params_match_talib(
    family, params, column, func, inputs, index
) -> None:
    # Arrange
    a = _walk(9, 400)
    ta_params = {k: v for k, v in params.items()}
    # Act
    cols, out = compute_indicator_arrays(
        a["o"], a["h"], a["l"], a["c"], a["v"], [{"name": family, "params": params}]
    )
    # Assert
    assert column in cols
    ref = _talib(a, func, inputs, ta_params, index)
    assert_parity(out[cols.index(column)], ref, column)


def _with_nan_rows(a: Arrays, rows: slice) -> Arrays:
    b = {k: x.copy() for k, x in a.items()}
    for x in b.values():
        x[rows] = np.nan
    return b


@pytest.mark.parametrize(
    ("column", "func", "inputs", "params", "index"), TALIB_TABLE, ids=[r[0] for r in TALIB_TABLE]
)
def test_indicator_leading_nan_rows_match_talib(column, func, inputs, params, index) -> None:
    # Arrange: TA-Lib's wrapper skips leading NaNs; so do we.
    a = _with_nan_rows(_walk(10, 400), slice(0, 7))
    # Act
    cols, out = compute_indicator_arrays(a["o"], a["h"], a["l"], a["c"], a["v"])
    # Assert
    assert_parity(out[cols.index(column)], _talib(a, func, inputs, params, index), column)


@pytest.mark.parametrize(
    ("column", "func", "inputs", "params", "index"), TALIB_TABLE, ids=[r[0] for r in TALIB_TABLE]
)
def test_indicator_nan_gap_restarts_like_talib_on_each_segment(
    column, func, inputs, params, index
) -> None:
    # Arrange: a 3-bar NaN gap splits the series; each side is computed as its own series
    # (deliberate difference: TA-Lib lets the NaN poison every later value of recursive ones).
    full = _walk(11, 700)
    gapped = _with_nan_rows(full, slice(300, 303))
    # Act
    cols, out = compute_indicator_arrays(*(gapped[k] for k in "ohlcv"))
    got = out[cols.index(column)]
    # Assert
    before = {k: x[:300] for k, x in full.items()}
    after = {k: x[303:] for k, x in full.items()}
    assert np.isnan(got[300:303]).all()
    assert_parity(got[:300], _talib(before, func, inputs, params, index), f"{column} before gap")
    assert_parity(got[303:], _talib(after, func, inputs, params, index), f"{column} after gap")


def test_fx_case_has_last_bit_typical_price_ties() -> None:
    # The FX data must keep exercising the near-tie classification (guards the data file).
    a = _fx()
    tp = (a["h"] + a["l"] + a["c"]) / 3.0
    d = np.diff(tp)
    last_bit = (d != 0.0) & (np.abs(d) <= 1e-14 * (np.abs(tp[1:]) + np.abs(tp[:-1])))
    assert (d == 0.0).sum() >= 20
    assert last_bit.sum() >= 20


@pytest.mark.parametrize("scale", [1.0, 1e-4])
@pytest.mark.parametrize("period", [2, 14, 60])
def test_mfi_fx_near_ties_bit_identical_to_talib(scale, period) -> None:
    # MFI's classification is a discrete decision: on near-ties anything but TA-Lib's exact
    # rule shows up as whole index points, so demand bit equality, not a tolerance. At 1e-4
    # the window's total money flow is far below 1.0, which TA-Lib >= 0.7 no longer zeroes.
    a = _fx(scale)
    cols, out = compute_indicator_arrays(
        a["o"], a["h"], a["l"], a["c"], a["v"], [{"name": "mfi", "params": {"timeperiod": period}}]
    )
    ref = talib.MFI(a["h"], a["l"], a["c"], a["v"], timeperiod=period)
    np.testing.assert_array_equal(out[0], ref)
