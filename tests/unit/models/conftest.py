"""Shared panels for the models tests: planted signal + noise features, next-bar return label."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from trading_signals.data.synthetic import generate_universe
from trading_signals.models import forward_return, make_dataset


def planted_panel(n_symbols: int, n_bars: int, *, seed: int, n_noise: int = 3, planted_ic: float = 0.1):
    """Return ``(X, y, universe)``: feature ``sig`` = the planted signal, ``n*`` = noise."""
    u = generate_universe(n_symbols, n_bars, seed=seed, planted_ic=planted_ic)
    rng = np.random.default_rng(seed + 1000)
    feats = {}
    for s in u.bars:
        cols = {"sig": u.signal[s].to_numpy()}
        cols.update({f"n{i}": rng.normal(size=n_bars) for i in range(n_noise)})
        feats[s] = pd.DataFrame(cols, index=u.signal.index)
    X, y, _ = make_dataset(feats, {s: forward_return(u.bars[s]["close"]) for s in u.bars})
    return X, y, u


@pytest.fixture(scope="session")
def lake_with_model():
    """``lake_with_model(root, n_symbols, n_bars, seed=, name=)`` -> ``(root, model id)``: a 1d
    lake under ``root/lake`` and a window model registered under ``root/reg``."""
    return _lake_with_model


def _lake_with_model(root, n_symbols: int, n_bars: int, *, seed: int, name: str):
    from trading_signals.data.lake import write_bars
    from trading_signals.models.training import train_window_model

    u = generate_universe(n_symbols, n_bars, seed=seed)
    for sym, bars in u.bars.items():
        write_bars(root / "lake", bars, symbol=sym, timeframe="1d")
    mid = train_window_model(u.bars, registry=root / "reg", train_fraction=0.5, horizon=2,
                             name=name, max_rows=None)
    return root, mid


@pytest.fixture(scope="session")
def planted_50x400():
    return planted_panel(50, 400, seed=3)


@pytest.fixture(scope="session")
def planted_small():
    return planted_panel(12, 120, seed=5, n_noise=2)
