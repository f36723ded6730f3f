from __future__ import annotations

import pytest
from trading_signals.config import RunConfig, validate_mapping
from trading_signals.config.tune import SearchDist
from trading_signals.errors import ConfigError


def test_tune_space_conversion_gives_matching_tune_domains() -> None:
    from ray.tune.search.sample import Categorical, Float, Integer
    from trading_signals.distributed.tune import to_tune_space

    space = to_tune_space({
        "lr": SearchDist(dist="loguniform", low=1e-4, high=1e-2),
        "d": SearchDist(dist="uniform", low=0.0, high=0.3),
        "n": SearchDist(dist="randint", low=2, high=5),
        "h": SearchDist(dist="choice", values=(8, 16)),
        "e": SearchDist(dist="quniform", low=50, high=300, q=50),
    })
    assert isinstance(space["lr"], Float) and (space["lr"].lower, space["lr"].upper) == (1e-4, 1e-2)
    assert isinstance(space["n"], Integer) and (space["n"].lower, space["n"].upper) == (2, 5)
    assert isinstance(space["h"], Categorical) and space["h"].categories == [8, 16]
    assert all(0.0 <= space["d"].sample() <= 0.3 for _ in range(20))
    assert all(v % 50 == 0 and 50 <= v <= 300 for v in (space["e"].sample() for _ in range(20)))


@pytest.mark.parametrize("bad, message", [
    ({"dist": "loguniform", "low": 0, "high": 1}, "low > 0"),
    ({"dist": "uniform", "low": 2, "high": 1}, "must be below"),
    ({"dist": "choice"}, "values"),
    ({"dist": "quniform", "low": 1, "high": 2}, "needs 'q'"),
    ({"dist": "normal", "low": 1, "high": 2}, "dist"),
])
def test_tune_config_bad_search_space_names_key_path(bad, message) -> None:
    with pytest.raises(ConfigError, match="tune.studies.0.search_space.lr") as err:
        validate_mapping(RunConfig, {"tune": {"studies": [{"model": "lstm", "search_space": {"lr": bad}}]}}, source="t.yaml")
    assert message in str(err.value)


def test_shipped_tune_configs_validate() -> None:
    from pathlib import Path

    from trading_signals.config import load_config

    root = Path(__file__).resolve().parents[3] / "configs"
    for name in ("tune_smoke.yaml", "tune_lstm.yaml", "tune_ensemble.yaml", "train_lightgbm.yaml"):
        cfg = load_config(root / name)
        assert cfg.tune.studies or name.startswith("train")
