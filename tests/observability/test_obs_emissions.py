"""The core records the declared metrics where the work happens (checked with a MemorySink)."""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from trading_signals.observability import metrics

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "data"))


@pytest.fixture
def sink() -> Iterator[metrics.MemorySink]:
    s = metrics.MemorySink()
    previous = metrics.install_sink(s)
    yield s
    metrics.install_sink(previous)


def test_remote_fetch_records_duration_and_provider_errors(sink: metrics.MemorySink) -> None:
    import arch.data.sp500
    from fake_provider_server import serving

    from trading_signals.config.remote import RemoteConfig
    from trading_signals.data.remote import ProviderChain, build_providers, policy_from_config

    bars = arch.data.sp500.load().iloc[:15].rename(columns=str.lower)
    # Generous timeout: the scripted 500 is immediate, and a loaded CI machine must not time out.
    cfg = RemoteConfig(timeout=5.0, max_attempts=1, backoff_base=0.01, backoff_cap=0.02)
    names = ("alphavantage", "polygon")
    with serving(bars) as fake:
        fake.script("alphavantage", "500")
        providers = build_providers(names, base_urls=dict.fromkeys(names, fake.url),
                                    env={"ALPHAVANTAGE_API_KEY": "k1", "POLYGON_API_KEY": "k2"})
        with ProviderChain(providers, policy=policy_from_config(cfg), rng=random.Random(1),
                           sleep=[].append) as chain:
            raw = chain.fetch("SPX")
    assert raw.source == "remote:polygon"
    assert sink.total("tsig_provider_errors", provider="alphavantage") == 1.0
    assert sink.total("tsig_provider_errors", provider="polygon") == 0.0
    for source in names:
        (seconds,) = sink.values("tsig_data_fetch_seconds", source=source)
        assert 0.0 < seconds < 30.0


def test_montecarlo_blocks_count_paths(sink: metrics.MemorySink) -> None:
    from trading_signals.config.risk import MonteCarloConfig
    from trading_signals.workflow.montecarlo import run_montecarlo

    returns = np.random.default_rng(0).normal(0.0003, 0.01, 300)
    run_montecarlo(MonteCarloConfig(n_paths=2500, horizon=20, seed=2), returns=returns)
    assert sink.total("tsig_paths_done", stage="montecarlo") == 2500.0
    assert sink.total("tsig_items_done", stage="montecarlo") == 3.0  # blocks of 1024 paths


def test_model_holdout_scores_are_gauged(sink: metrics.MemorySink) -> None:
    from trading_signals.data.synthetic import generate_universe
    from trading_signals.models.dataset import build_panel
    from trading_signals.models.workflow import fit_and_score, holdout_split

    bars = generate_universe(4, 400, seed=9, planted_ic=0.1).bars
    X, y, _ = build_panel(bars, horizon=1, spec=[], ml=True)
    split = holdout_split(X, test_bars=100, purge=1)
    _, scores, _ = fit_and_score("lightgbm", {"n_estimators": 10, "min_child_samples": 20}, X, y, split)
    assert sink.values("tsig_model_accuracy", model="lightgbm") == [scores["directional_accuracy"]]
    assert sink.values("tsig_model_ic", model="lightgbm") == [scores["ic"]]


def test_import_counts_rows_and_quarantined_rows(sink: metrics.MemorySink, tmp_path: Path) -> None:
    from trading_signals.data.importer import import_raw
    from trading_signals.data.raw import RawInput
    from trading_signals.data.synthetic import generate_universe

    frame = generate_universe(1, 300, seed=4).bars["SYN0000"].reset_index()
    frame.loc[10, "high"] = frame.loc[10, "low"] - 1.0  # an impossible bar: quarantined
    report = import_raw([RawInput(source="synthetic", symbol="SYN0000", frame=frame, timeframe="1d")],
                        lake=tmp_path / "lake")
    assert report.rows_quarantined >= 1
    assert sink.total("tsig_rows_processed", stage="import") == 300.0
    assert sink.total("tsig_rows_quarantined", stage="import", source="synthetic") == report.rows_quarantined


def test_record_signals_counts_labels_and_observes_latest_confidence(sink: metrics.MemorySink) -> None:
    import pandas as pd

    from trading_signals.observability.emit import record_signals

    frame = pd.DataFrame({"signal": [None, "BUY", "BUY", "SELL", None],
                          "confidence": [float("nan"), 0.2, 0.4, 0.9, float("nan")]})
    record_signals("AAA", frame)
    assert sink.total("tsig_rows_processed", stage="signals") == 5.0
    assert sink.total("tsig_signals_generated", symbol="AAA", label="BUY") == 2.0
    assert sink.total("tsig_signals_generated", symbol="AAA", label="SELL") == 1.0
    assert sink.values("tsig_signal_confidence") == [0.9]
