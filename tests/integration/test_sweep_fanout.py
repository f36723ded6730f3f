"""The Ray-sharded SMA sweep equals the serial core sweep exactly."""

from __future__ import annotations

import pandas as pd
import pytest
from trading_signals.backtest import sma_sweep


@pytest.mark.ray
def test_sma_sweep_ray_shards_equal_serial(ray_local, synthetic_ohlcv):
    from trading_signals.distributed.sweep import sma_sweep_ray

    # Arrange
    opts = {"commission_bps": 2.0, "slippage_bps": 1.0}
    # Act
    serial = sma_sweep(synthetic_ohlcv, range(3, 15), range(10, 40, 3), **opts)
    sharded = sma_sweep_ray(synthetic_ohlcv, range(3, 15), range(10, 40, 3), n_shards=3, **opts)
    # Assert
    assert len(serial) > 50
    pd.testing.assert_frame_equal(sharded, serial, check_exact=True)
