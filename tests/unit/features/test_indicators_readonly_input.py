"""Frames that come out of Ray's object store are read-only; indicators must accept them."""

from __future__ import annotations

import pandas as pd

from trading_signals.data.synthetic import generate_universe
from trading_signals.features.indicators import compute_indicators


def test_compute_indicators_read_only_frame_equals_writable_frame() -> None:
    bars = generate_universe(1, 300, seed=0).bars["SYN0000"]
    arrays = {c: bars[c].to_numpy().copy() for c in bars.columns}
    for a in arrays.values():
        a.flags.writeable = False
    read_only = pd.DataFrame(arrays, index=bars.index, copy=False)
    read_only.attrs = dict(bars.attrs)
    assert not read_only["close"].to_numpy().flags.writeable
    pd.testing.assert_frame_equal(compute_indicators(read_only), compute_indicators(bars))
