"""The config-layer hyper-parameter schemas match the estimators they stand for."""

from __future__ import annotations

import inspect

import pytest

from trading_signals.config import load_config
from trading_signals.config.model_params import PARAM_SCHEMAS, check_model_params
from trading_signals.config.models import ModelConfig
from trading_signals.errors import ConfigError
from trading_signals.models.factory import MODEL_FAMILIES, build_model


@pytest.mark.parametrize("family", sorted(MODEL_FAMILIES))
def test_schema_has_exactly_the_estimator_keywords_and_defaults(family: str) -> None:
    est = build_model(family, {})
    sig = inspect.signature(type(est).__init__)
    keywords = {k: p.default for k, p in sig.parameters.items() if k != "self"}
    schema = PARAM_SCHEMAS[family]
    assert set(schema.model_fields) == set(keywords)
    assert {k: f.default for k, f in schema.model_fields.items()} == keywords


@pytest.mark.parametrize(("family", "params", "path"), [
    ("lightgbm", {"n_estimators": -5}, "params.n_estimators"),
    ("lightgbm", {"learning_rate": 0}, "params.learning_rate"),
    ("lstm", {"hidden_size": 10, "num_heads": 3}, "params.hidden_size"),
    ("lstm", {"lr": -1}, "params.lr"),
    ("lstm", {"dropout": 1.0}, "params.dropout"),
    ("ensemble", {"max_depth": 0}, "params.max_depth"),
    ("ensemble", {"bogus": 1}, "params.bogus"),
])
def test_bad_params_name_their_key_path(family: str, params: dict, path: str) -> None:
    with pytest.raises(ValueError, match=path.replace(".", r"\.")):
        check_model_params(family, params)
    with pytest.raises(Exception, match=path.replace(".", r"\.")):
        ModelConfig(name=family, params=params)  # type: ignore[arg-type]


def test_good_params_pass_and_search_floats_for_ints_are_accepted() -> None:
    ModelConfig(name="lightgbm", params={"n_estimators": 60.0, "num_leaves": 15})
    ModelConfig(name="lstm", params={"hidden_size": 8, "num_heads": 2, "lr": 0.001})


def test_load_config_message_has_full_key_path(tmp_path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("models:\n  name: lstm\n  params: {hidden_size: 10, num_heads: 4}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    msg = str(info.value)
    assert "c.yaml" in msg and "models.params.hidden_size: must be divisible by num_heads (4)" in msg
    assert "(got 10)" in msg
