from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from trading_signals.errors import ConfigError
from trading_signals.models import purged_walk_forward_splits


@settings(max_examples=25, deadline=None)
@given(
    n_dates=st.integers(10, 80), n_sym=st.integers(1, 4), n_splits=st.integers(1, 4),
    test_size=st.none() | st.integers(1, 10), train_size=st.none() | st.integers(1, 30),
    purge=st.integers(0, 5), embargo=st.integers(0, 5), walk_forward=st.booleans(), seed=st.integers(0, 99),
)
def test_purged_splits_no_train_in_purge_or_embargo_zone(n_dates, n_sym, n_splits, test_size, train_size,
                                                         purge, embargo, walk_forward, seed) -> None:
    rng = np.random.default_rng(seed)
    ts = rng.permutation(np.repeat(np.arange(n_dates) * 7, n_sym))  # unsorted rows, repeated dates
    try:
        folds = purged_walk_forward_splits(ts, n_splits=n_splits, test_size=test_size, train_size=train_size,
                                           purge=purge, embargo=embargo, walk_forward=walk_forward)
    except ConfigError:
        assume(False)
    uniq = np.unique(ts)
    pos = {t: i for i, t in enumerate(uniq)}
    for train, test in folds:
        test_pos = np.array([pos[t] for t in ts[test]])
        start, end = test_pos.min(), test_pos.max()
        assert set(test_pos) == set(range(start, end + 1))  # contiguous block
        assert len(test) == len(test_pos) and (np.sort(test) == np.unique(test)).all()
        for p in (pos[t] for t in ts[train]):
            assert not (start - purge <= p < start)
            assert not (end < p <= end + embargo)
            assert not (start <= p <= end)
            if walk_forward:
                assert p < start
        # every row of a test date is in the test fold
        assert np.isin(np.flatnonzero(np.isin(ts, ts[test])), test).all()
