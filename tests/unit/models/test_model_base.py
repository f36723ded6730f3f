from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from trading_signals.errors import DataError
from trading_signals.models import forward_return, make_dataset
from trading_signals.models.base import row_groups, row_timestamps


def _frames():
    idx = pd.bdate_range("2024-01-01", periods=5, tz="UTC", name="timestamp")
    fa = pd.DataFrame({"f": [np.nan, 1.0, 2.0, 3.0, 4.0]}, index=idx)
    fb = pd.DataFrame({"f": [1.0, 2.0, 3.0, 4.0, 5.0]}, index=idx)
    la = pd.Series([0.1, 0.2, 0.3, 0.4, np.nan], index=idx)
    lb = pd.Series([0.1, np.nan, 0.3, 0.4, np.nan], index=idx)
    return {"B": fb, "A": fa}, {"A": la, "B": lb}


def test_make_dataset_nan_rows_dropped_and_counted() -> None:
    feats, labels = _frames()
    X, y, rep = make_dataset(feats, labels)
    assert rep.n_rows_in == 10 and rep.n_rows_out == len(X) == 6
    assert rep.n_dropped_feature_nan == 1 and rep.n_dropped_label_nan == 3
    assert rep.per_symbol_dropped == {"A": 2, "B": 2}
    assert np.isfinite(X.to_numpy()).all() and np.isfinite(y.to_numpy()).all()
    assert list(X.index.names) == ["timestamp", "symbol"]
    assert X.index.is_monotonic_increasing and X.index.equals(y.index)


def test_make_dataset_missing_labels_raises() -> None:
    feats, labels = _frames()
    del labels["B"]
    with pytest.raises(DataError, match="'B'"):
        make_dataset(feats, labels)


def test_forward_return_matches_naive_loop() -> None:
    close = pd.Series([10.0, 11.0, 12.1, 11.0])
    got = forward_return(close, horizon=2)
    expected = [close[i + 2] / close[i] - 1 if i + 2 < 4 else np.nan for i in range(4)]
    np.testing.assert_allclose(got.to_numpy(), expected)


def test_row_keys_plain_array_single_series_in_row_order() -> None:
    arr = np.zeros((4, 2))
    assert row_timestamps(arr).tolist() == [0, 1, 2, 3]
    assert len(set(row_groups(arr))) == 1
