"""``warm_up()`` fills the numba cache: a later process computes features without compiling."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# Counts numba compilations (the "numba:compile" event fires only when a kernel is compiled,
# not when it is loaded from the cache).
_COUNT_COMPILES = """
from numba.core import event
class Count(event.Listener):
    n = 0
    def on_start(self, ev): Count.n += 1
    def on_end(self, ev): pass
event.register("numba:compile", Count())
"""

_WARM = _COUNT_COMPILES + """
from trading_signals.features import warm_up
warm_up()
print(Count.n)
"""

# What a worker does after the driver warmed up: a default feature build, a gapped frame and
# the non-default plans the warm-up also covers.
_WORKER = _COUNT_COMPILES + """
import numpy as np
from trading_signals.data.synthetic import generate_universe
from trading_signals.features import compute_features, compute_indicators
bars = generate_universe(1, 500, seed=3).bars["SYN0000"]
gapped = bars.copy()
gapped.iloc[200:205] = np.nan
compute_features(bars)
compute_features(gapped)
compute_indicators(bars, [{"name": "macd"}, {"name": "trix"}])
compute_indicators(bars, [{"name": "stddev", "params": {"timeperiod": 9}}, {"name": "bbands"}])
compute_indicators(bars, [{"name": "natr"}, {"name": "trix", "params": {"timeperiod": 5}}])
print(Count.n)
"""


def _run(code: str, cache: str) -> int:
    env = {**os.environ, "NUMBA_CACHE_DIR": cache}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr
    return int(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_warm_up_then_a_fresh_process_compiles_nothing(tmp_path) -> None:
    # Arrange / Act: warm an empty cache, then run a worker-like feature build
    compiled_by_warm_up = _run(_WARM, str(tmp_path))
    compiled_by_worker = _run(_WORKER, str(tmp_path))
    # Assert
    assert compiled_by_warm_up > 10  # it really compiled the kernels into the empty cache
    assert compiled_by_worker == 0
