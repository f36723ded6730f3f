"""Shared fixtures: one session-scoped local Ray, seeded synthetic bars, tiny hand-checkable frames."""

from __future__ import annotations

import os

# Must be set before Ray is imported anywhere in the test session.
os.environ.setdefault("RAY_AUTH_MODE", "disabled")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
os.environ.setdefault("RAY_DEDUP_LOGS", "0")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TUNE_WARN_EXCESSIVE_EXPERIMENT_CHECKPOINT_SYNC_THRESHOLD_S", "0")

from collections.abc import Iterator  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

from trading_signals.data.schema import make_ohlcv  # noqa: E402
from trading_signals.data.synthetic import generate_universe  # noqa: E402

# `make test` (what CI runs) replays the same examples every run: a red CI is a regression, not a
# new random draw. A plain `pytest` draws new ones, which is how property tests find new cases.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI") or os.environ.get("HYPOTHESIS_PROFILE") == "ci":
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def ray_local() -> Iterator[None]:
    """One local Ray for the whole session (2 CPUs, no dashboard, small object store)."""
    import ray

    if not ray.is_initialized():
        ray.init(
            address="local",
            num_cpus=2,
            include_dashboard=False,
            object_store_memory=200 * 1024 * 1024,
            log_to_driver=False,
            configure_logging=False,
        )
    from ray.data import DataContext

    DataContext.get_current().enable_progress_bars = False
    yield
    ray.shutdown()


@pytest.fixture(scope="session")
def synthetic_universe():
    """Seeded 8-symbol x 600-bar universe with a planted signal (IC ~ 0.1)."""
    return generate_universe(8, 600, seed=11, planted_ic=0.1)


@pytest.fixture(scope="session")
def synthetic_ohlcv() -> pd.DataFrame:
    """Seeded 2,000-bar single-symbol canonical frame."""
    return generate_universe(1, 2000, seed=7).bars["SYN0000"]


@pytest.fixture
def tiny_ohlcv() -> pd.DataFrame:
    """Eight hand-checkable daily bars."""
    close = np.array([10.0, 11.0, 12.0, 11.0, 10.0, 11.0, 13.0, 12.0])
    open_ = np.array([10.0, 10.0, 11.0, 12.0, 11.0, 10.0, 11.0, 13.0])
    high = np.maximum(open_, close) + 0.5
    low = np.minimum(open_, close) - 0.5
    volume = np.array([100.0, 120.0, 90.0, 110.0, 130.0, 80.0, 150.0, 100.0])
    idx = pd.bdate_range("2024-01-01", periods=8, tz="UTC")
    return make_ohlcv(idx, open_, high, low, close, volume, symbol="TINY", timeframe="1d")
