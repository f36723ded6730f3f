"""Indicator spec parsing, column naming, config loading and the frame/array API contract."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from trading_signals.config import load_config
from trading_signals.config.features import IndicatorSpec
from trading_signals.errors import ConfigError, DataError
from trading_signals.features import INDICATOR_NAMES, available_indicators, compute_indicators
from trading_signals.features.indicators import (
    INDICATOR_FAMILIES,
    compile_spec,
    compute_indicator_arrays,
)

CONTRACT = [
    "sma_10",
    "sma_20",
    "sma_50",
    "sma_200",
    "ema_12",
    "ema_26",
    "ema_50",
    "rsi_14",
    "macd",
    "macd_signal",
    "macd_hist",
    "bb_upper_20",
    "bb_middle_20",
    "bb_lower_20",
    "atr_14",
    "natr_14",
    "adx_14",
    "plus_di_14",
    "minus_di_14",
    "stoch_k",
    "stoch_d",
    "cci_20",
    "obv",
    "mfi_14",
    "willr_14",
    "roc_10",
    "mom_10",
    "aroon_up_25",
    "aroon_down_25",
    "ad",
    "adosc",
    "trix_30",
    "ultosc",
    "sar",
    "stddev_20",
    "linreg_slope_14",
    "vwap_20",
    "donchian_upper_20",
    "donchian_lower_20",
    "keltner_upper_20",
    "keltner_lower_20",
]


def test_default_spec_yields_exactly_the_contract_columns(synthetic_ohlcv: pd.DataFrame) -> None:
    # Act
    out = compute_indicators(synthetic_ohlcv)
    # Assert
    assert list(INDICATOR_NAMES) == CONTRACT
    assert list(out.columns) == CONTRACT
    assert out.index.equals(synthetic_ohlcv.index)
    assert (out.dtypes == np.float64).all()


def test_compile_spec_unknown_name_raises_listing_valid_names() -> None:
    with pytest.raises(ConfigError, match="unknown indicator 'rsx'") as info:
        compile_spec([{"name": "rsx"}])
    assert all(name in str(info.value) for name in INDICATOR_FAMILIES)


def test_compile_spec_unknown_param_raises_listing_valid_params() -> None:
    with pytest.raises(ConfigError, match=r"unknown param\(s\) \['period'\].*timeperiod"):
        compile_spec([{"name": "rsi", "params": {"period": 14}}])


@pytest.mark.parametrize(
    "bad",
    [
        {"name": "sma", "params": {"timeperiod": 1}},
        {"name": "sma", "params": {"timeperiod": 2.5}},
        {"name": "sma", "params": {"timeperiod": True}},
        {"name": "bbands", "params": {"nbdevup": -1}},
        {"name": "macd", "params": {"fastperiod": 30, "slowperiod": 10}},
        {"name": "ultosc", "params": {"timeperiod1": 14, "timeperiod2": 7}},
        {"name": "rsi", "oops": 1},
        42,
    ],
)
def test_compile_spec_bad_param_raises_config_error(bad: object) -> None:
    with pytest.raises(ConfigError, match=r"indicators\[0\]"):
        compile_spec([bad])  # type: ignore[list-item]


def test_compile_spec_names_columns_from_params_alias_and_prefix() -> None:
    # Act
    plan = compile_spec(
        [
            "rsi",
            {"name": "sma", "params": {"timeperiod": 5}, "alias": "fast"},
            {"name": "bbands", "params": {"timeperiod": 10}, "alias": "bb"},
            {"name": "macd", "params": {"fastperiod": 5}},
            IndicatorSpec(name="STOCH"),
        ],
        prefix="f_",
    )
    # Assert
    assert plan.columns == (
        "f_rsi_14",
        "f_fast",
        "f_bb_upper",
        "f_bb_middle",
        "f_bb_lower",
        "f_macd_5_26_9",
        "f_macd_signal_5_26_9",
        "f_macd_hist_5_26_9",
        "f_stoch_k",
        "f_stoch_d",
    )


def test_compile_spec_duplicate_columns_raise_suggesting_alias() -> None:
    with pytest.raises(ConfigError, match="duplicate.*alias"):
        compile_spec(
            [
                {"name": "sma", "params": {"timeperiod": 5}},
                {"name": "sma", "params": {"timeperiod": 5}},
            ]
        )


def test_compile_spec_single_mapping_instead_of_list_raises() -> None:
    with pytest.raises(ConfigError, match="expected a list of specs"):
        compile_spec({"name": "rsi"})  # type: ignore[arg-type]


def test_available_indicators_outputs_match_compiled_default_columns() -> None:
    # Arrange
    info = available_indicators()
    # Act
    compiled = {name: list(compile_spec([name]).columns) for name in info}
    # Assert
    assert set(info) == set(INDICATOR_FAMILIES)
    assert all(compiled[name] == info[name]["outputs"] for name in info)


def test_spec_from_yaml_config_drives_compute(
    tmp_path: Path, synthetic_ohlcv: pd.DataFrame
) -> None:
    # Arrange
    path = tmp_path / "run.yaml"
    path.write_text(
        "features:\n  indicators:\n"
        "    - {name: rsi, params: {timeperiod: 7}}\n"
        "    - {name: keltner, params: {timeperiod: 10, atr_period: 5, multiplier: 1.5}}\n",
        encoding="utf-8",
    )
    cfg = load_config(path)
    # Act
    out = compute_indicators(synthetic_ohlcv, cfg.features.indicators)
    # Assert
    assert list(out.columns) == ["rsi_7", "keltner_upper_10", "keltner_lower_10"]
    assert out.notna().any().all()


@pytest.mark.parametrize("n_bars", [1, 5, 13])
def test_compute_indicators_short_frames_are_nan_without_error(
    synthetic_ohlcv: pd.DataFrame, n_bars: int
) -> None:
    # Act
    out = compute_indicators(synthetic_ohlcv.iloc[:n_bars])
    # Assert: windows longer than the frame give all-NaN columns; obv/ad need no warm-up
    assert out.shape == (n_bars, len(CONTRACT))
    long_window = [
        "sma_20",
        "sma_200",
        "ema_26",
        "macd",
        "bb_upper_20",
        "adx_14",
        "cci_20",
        "trix_30",
        "ultosc",
        "aroon_up_25",
        "vwap_20",
        "keltner_upper_20",
    ]
    assert out[long_window].isna().all().all()
    assert out[["obv", "ad"]].notna().all().all()
    if n_bars == 1:
        assert out.drop(columns=["obv", "ad"]).isna().all().all()


def test_compute_indicators_frame_and_panel_paths_agree(synthetic_universe) -> None:
    # Arrange
    frames = list(synthetic_universe.bars.values())
    stack = [
        np.stack([f[c].to_numpy() for f in frames])
        for c in ("open", "high", "low", "close", "volume")
    ]
    # Act
    cols, panel = compute_indicator_arrays(*stack)
    # Assert
    for i, frame in enumerate(frames):
        np.testing.assert_array_equal(compute_indicators(frame).to_numpy(), panel[i].T)
    assert list(cols) == CONTRACT


def test_compute_indicators_rejects_non_canonical_frame(synthetic_ohlcv: pd.DataFrame) -> None:
    with pytest.raises(DataError):
        compute_indicators(synthetic_ohlcv.drop(columns="volume"))


def _int_volume(f: pd.DataFrame) -> pd.DataFrame:
    return f.assign(volume=f["volume"].astype(np.int64))


def _duplicate_close(f: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([f, f[["close"]]], axis=1)


@pytest.mark.parametrize(
    ("breaks", "message"),
    [
        (_int_volume, "volume"),
        (lambda f: f.tz_convert("America/New_York"), "timezone"),
        (lambda f: f.iloc[::-1], "increasing"),
        (lambda f: f.tz_localize(None), "tz-aware"),
        (_duplicate_close, "duplicate column"),
    ],
)
def test_compute_indicators_names_the_broken_rule(
    synthetic_ohlcv: pd.DataFrame, breaks: object, message: str
) -> None:
    # Act / Assert: the fast column fetch falls back to the full validation's message
    with pytest.raises(DataError, match=message):
        compute_indicators(breaks(synthetic_ohlcv))  # type: ignore[operator]


def test_compute_indicator_arrays_rejects_mismatched_shapes() -> None:
    x = np.ones(10)
    with pytest.raises(DataError, match="shape"):
        compute_indicator_arrays(x, x, x, x, np.ones(9))


def test_compute_indicators_on_tiny_frame_matches_hand_values(tiny_ohlcv: pd.DataFrame) -> None:
    # Act
    out = compute_indicators(
        tiny_ohlcv,
        [
            {"name": "sma", "params": {"timeperiod": 3}},
            {"name": "mom", "params": {"timeperiod": 2}},
            "obv",
        ],
    )
    # Assert: SMA3 of 10,11,12 = 11; MOM2 at bar 2 = 12-10; OBV starts at the first volume
    assert out["sma_3"].iloc[2] == pytest.approx(11.0)
    assert out["mom_2"].iloc[2] == pytest.approx(2.0)
    assert np.isnan(out["sma_3"].iloc[1])
    assert out["obv"].tolist()[:3] == [100.0, 220.0, 310.0]


def test_compute_indicator_arrays_stack_matches_per_symbol_frames_bitwise(synthetic_universe) -> None:
    # Arrange: a (symbols, bars) stack; symbol 1 gets integer prices (ties), symbol 2 is
    # listed late (leading NaN) and symbol 3 has a NaN gap, so the gap path runs too.
    frames = [f.copy() for f in synthetic_universe.bars.values()]
    frames[1][["open", "high", "low", "close"]] = np.round(frames[1][["open", "high", "low", "close"]])
    frames[2].iloc[:50] = np.nan
    frames[3].iloc[300:303] = np.nan
    stack = [np.stack([f[c].to_numpy() for f in frames]) for c in ("open", "high", "low", "close", "volume")]
    # Act
    cols, rows = compute_indicator_arrays(*stack)
    # Assert
    assert rows.shape == (len(frames), len(CONTRACT), stack[0].shape[1])
    assert list(cols) == CONTRACT
    for i, f in enumerate(frames):
        np.testing.assert_array_equal(rows[i].T, compute_indicators(f).to_numpy())
