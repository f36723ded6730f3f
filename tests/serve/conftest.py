"""Fixtures of the serving tests: a small lake, registered models, API keys and clients."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from trading_signals.data.lake import write_bars
from trading_signals.data.synthetic import generate_universe

API_KEY = "test-key-0123456789abcdef"
SYMBOLS = ("SYN0000", "SYN0001", "SYN0002")


def make_lake(root: Path, *, n_bars: int = 320, cut: int | None = None) -> dict[str, pd.DataFrame]:
    """Write a 3-symbol synthetic lake (the first ``cut`` bars when given); return all bars."""
    uni = generate_universe(len(SYMBOLS), n_bars, seed=5)
    for sym, frame in uni.bars.items():
        write_bars(root, frame.iloc[:cut] if cut else frame, symbol=sym, timeframe="1d")
    return dict(uni.bars)


@pytest.fixture(scope="session")
def shared_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A read-only lake shared by the tests that do not write to it."""
    root = tmp_path_factory.mktemp("serve-lake")
    make_lake(root)
    return root


def _register(registry: Path, model: Any, name: str) -> str:
    from trading_signals.config import RunConfig
    from trading_signals.models.dataset import build_panel
    from trading_signals.models.registry import ModelRegistry

    bars = generate_universe(3, 400, seed=9).bars
    X, y, _ = build_panel(bars, horizon=1, spec=[], ml=True)
    model.fit(X, y)
    run = RunConfig.model_validate({"name": name, "features": {"indicators": [], "ml_features": True}})
    return ModelRegistry(registry).register(
        model, name=name, config_id="test", features=[str(c) for c in X.columns],
        train_start=X.index[0][0], train_end=X.index[-1][0], extra={"run_config": run.model_dump(mode="json")})


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A registry with a small LightGBM and a small stacked ensemble (ML features only)."""
    from trading_signals.models.ensemble import StackedEnsemble
    from trading_signals.models.gbm import LightGBMRegressor

    root = tmp_path_factory.mktemp("serve-registry")
    lgbm = _register(root, LightGBMRegressor(n_estimators=20, min_child_samples=20), "lgbm")
    ens = _register(root, StackedEnsemble(n_estimators=8, n_splits=2, min_samples_leaf=20), "ens")
    return {"root": str(root), "lgbm": lgbm, "ens": ens}


@pytest.fixture
def make_client() -> Callable[..., Any]:
    """``make_client(lake=..., **settings)`` -> (TestClient, backend) of the plain FastAPI app."""
    from fastapi.testclient import TestClient

    from trading_signals.serving.api import create_app, local_backend
    from trading_signals.serving.metrics import RecordingMetrics
    from trading_signals.serving.settings import ServeSettings

    def build(*, api_key: str | None = API_KEY, **settings: Any) -> tuple[Any, Any]:
        cfg = ServeSettings(**{k: (str(v) if isinstance(v, Path) else v) for k, v in settings.items()})
        backend = local_backend(cfg, api_key=api_key, metrics=RecordingMetrics())
        return TestClient(create_app(backend), raise_server_exceptions=False), backend

    return build


@pytest.fixture
def auth() -> dict[str, str]:
    """Headers carrying the test API key."""
    return {"X-API-Key": API_KEY}


@pytest.fixture
def lake_factory(tmp_path: Path) -> Callable[..., Path]:
    """``lake_factory(cut=N)`` -> a fresh writable lake holding the first N bars per symbol."""
    def build(**kwargs: Any) -> Path:
        root = tmp_path / "lake"
        make_lake(root, **kwargs)
        return root

    return build
