"""load_config checks the indicator spec against the config-layer vocabulary (issue 11).

The vocabulary (config/indicators.py) is the one source the feature kernels are built on;
these tests fail if the two drift apart or if a bad spec gets past ``load_config``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from trading_signals.config import load_config
from trading_signals.config.features import FeaturesConfig
from trading_signals.config.indicators import VOCABULARY, resolve_params
from trading_signals.errors import ConfigError
from trading_signals.features._kernels_registry import FAMILIES
from trading_signals.features.indicator_spec import INDICATOR_FAMILIES, available_indicators


def _load(tmp_path: Path, text: str):
    path = tmp_path / "run.yaml"
    path.write_text(text)
    return load_config(path)


def test_vocabulary_equals_the_feature_registry() -> None:
    assert tuple(VOCABULARY) == INDICATOR_FAMILIES == tuple(FAMILIES)
    for name, fam in FAMILIES.items():
        v = VOCABULARY[name]
        assert (fam.params, fam.outputs, fam.keys, fam.period_suffix, fam.minimum) == \
               (v.params, v.outputs, v.keys, v.period_suffix, v.minimum)
        assert available_indicators()[name]["params"] == v.params
    assert len(set(f.code for f in FAMILIES.values())) == len(FAMILIES)  # one kernel each


@pytest.mark.parametrize(("text", "key", "what"), [
    ("features:\n  indicators: [{name: sma}, {name: frobnicate}]\n",
     "features.indicators.1.name", "unknown indicator 'frobnicate'"),
    ("features:\n  indicators: [{name: rsi, params: {timeperiod: 0}}]\n",
     "features.indicators.0.params.timeperiod", "must be in [2, 100000]"),
    ("features:\n  indicators: [{name: rsi, params: {period: 14}}]\n",
     "features.indicators.0.params", "unknown param(s) ['period']"),
    ("features:\n  indicators: [{name: bbands, params: {nbdevup: -1}}]\n",
     "features.indicators.0.params.nbdevup", "positive number"),
    ("features:\n  indicators: [{name: macd, params: {fastperiod: 30, slowperiod: 10}}]\n",
     "features.indicators.0.params.fastperiod", "must be < slowperiod"),
    ("features:\n  indicators: [{name: sma, params: {timeperiod: 2.5}}]\n",
     "features.indicators.0.params.timeperiod", "expected an integer"),
    ("features:\n  indicators: [{name: sma, params: {timeperiod: 5}}, {name: sma, params: {timeperiod: 5}}]\n",
     "features.indicators.1.alias", "produces column 'sma_5'"),
])
def test_load_config_rejects_bad_indicator_specs_naming_file_and_key(
        tmp_path: Path, text: str, key: str, what: str) -> None:
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, text)
    msg = str(info.value)
    assert "run.yaml" in msg and f"{key}: " in msg and what in msg, msg


def test_valid_specs_load_and_keep_their_config_id(tmp_path: Path) -> None:
    cfg = _load(tmp_path, "features:\n  indicators: [{name: RSI, params: {timeperiod: 21}},"
                          " {name: sma, params: {timeperiod: 5}, alias: fast}]\n")
    assert [s.name for s in cfg.features.indicators] == ["rsi", "sma"]
    # Defaults are filled only when compiling: the stored params (and the config id) stay as written.
    assert cfg.features.indicators[0].params == {"timeperiod": 21}
    assert FeaturesConfig().indicators is None
    assert resolve_params("stoch", {}) == {"fastk_period": 5, "slowk_period": 3, "slowd_period": 3}
