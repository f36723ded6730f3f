from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import cross_val_score
from trading_signals.errors import ConfigError
from trading_signals.models import PurgedTimeSeriesSplit, purged_walk_forward_splits


def test_splits_all_symbols_of_a_date_in_one_fold() -> None:
    ts = np.repeat(np.arange(20), 3)  # 3 symbols per date
    for train, test in purged_walk_forward_splits(ts, n_splits=3, test_size=4, purge=2):
        assert not set(ts[train]) & set(ts[test])
        assert np.isin(np.flatnonzero(np.isin(ts, ts[test])), test).all()
        assert ts[train].max() < ts[test].min() - 2


def test_splits_rolling_train_size_limits_window() -> None:
    folds = purged_walk_forward_splits(np.arange(30), n_splits=2, test_size=5, train_size=6, purge=1)
    assert [len(tr) for tr, _ in folds] == [6, 6]
    assert folds[0][0].tolist() == list(range(13, 19))


def test_splits_too_little_data_raises_config_error() -> None:
    with pytest.raises(ConfigError, match="cannot hold"):
        purged_walk_forward_splits(np.arange(5), n_splits=3, test_size=2, purge=1)


def test_purged_time_series_split_works_in_cross_val_score() -> None:
    rng = np.random.default_rng(0)
    idx = pd.MultiIndex.from_product([pd.bdate_range("2024-01-01", periods=40, tz="UTC"), ["A", "B"]],
                                     names=["timestamp", "symbol"])
    X = pd.DataFrame({"x": rng.normal(size=80)}, index=idx)
    y = 2 * X["x"] + rng.normal(scale=0.1, size=80)
    scores = cross_val_score(Ridge(), X, y, cv=PurgedTimeSeriesSplit(3, purge=1))
    assert len(scores) == 3 and (scores > 0.9).all()
