from __future__ import annotations

import numpy as np
import pandas as pd
from trading_signals.models import AttentionLSTMClassifier, AttentionLSTMRegressor
from trading_signals.models._torch_net import sequence_index
from trading_signals.models.factory import predict_rows

TINY = {"seq_len": 3, "hidden_size": 8, "num_heads": 2, "max_epochs": 2}


def test_sequence_index_windows_never_cross_symbols() -> None:
    groups = np.array(["A", "B", "A", "B", "A"])
    times = np.array([0, 0, 1, 1, 2])
    idx = sequence_index(groups, times, 3)
    assert idx[4].tolist() == [0, 2, 4]  # A's three bars
    assert idx[3].tolist() == [-1, 1, 3]  # B padded on the left
    assert idx[0].tolist() == [-1, -1, 0]


def test_lstm_save_load_weights_only_same_predictions(planted_small, tmp_path) -> None:
    X, y, _ = planted_small
    model = AttentionLSTMRegressor(**TINY).fit(X, y)
    model.save(tmp_path)
    loaded = AttentionLSTMRegressor.load(tmp_path)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.get_params() == model.get_params()


def test_lstm_early_stopping_validation_is_later_and_purged(planted_small) -> None:
    X, y, _ = planted_small
    model = AttentionLSTMRegressor(**{**TINY, "max_epochs": 3}, val_fraction=0.25, purge=2)
    train, val = model._split_validation(X.index.get_level_values(0).asi8)
    ts = X.index.get_level_values(0)
    uniq = ts.unique()
    assert ts[train].max() < ts[val].min()
    gap = np.searchsorted(uniq, ts[val].min()) - np.searchsorted(uniq, ts[train].max())
    assert gap == 3  # two purged dates in between
    model.fit(X, y)
    assert model.n_val_rows_ == int(val.sum()) and "val_loss" in model.history_[0]


def test_lstm_prediction_at_t_ignores_later_rows(planted_small) -> None:
    X, y, _ = planted_small
    model = AttentionLSTMRegressor(**TINY).fit(X, y)
    ts = X.index.get_level_values(0)
    cut = ts.unique()[80]
    rows = np.flatnonzero(ts <= cut)
    base = predict_rows(model, X, rows)
    X2 = X.copy()
    X2.loc[ts > cut] = 1e3  # rewrite the future
    np.testing.assert_array_equal(predict_rows(model, X2, rows), base)
    np.testing.assert_array_equal(model.predict(X2)[rows], base)


def test_lstm_classifier_direction_probabilities_sum_to_one(planted_small) -> None:
    X, y, _ = planted_small
    direction = pd.Series(np.where(y > 0, "up", "down"), index=y.index)
    clf = AttentionLSTMClassifier(**TINY).fit(X, direction)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert set(clf.predict(X)) <= {"up", "down"} and list(clf.classes_) == ["down", "up"]


def test_lstm_fit_restores_global_torch_state(planted_small) -> None:
    import torch

    X, y, _ = planted_small
    threads, det = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    state = torch.get_rng_state()
    AttentionLSTMRegressor(**TINY, num_threads=1).fit(X, y)
    assert torch.get_num_threads() == threads
    assert torch.are_deterministic_algorithms_enabled() == det
    assert torch.equal(torch.get_rng_state(), state)
