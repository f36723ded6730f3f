"""The curated top-level API: every advertised name resolves, and ``import`` stays cheap."""

from __future__ import annotations

import subprocess
import sys

import pytest

import trading_signals as ts


@pytest.mark.parametrize("name", sorted(ts.__all__))
def test_every_public_name_resolves(name: str) -> None:
    value = getattr(ts, name)
    assert value is not None
    if name in ts._API:  # the lazy entry is the defining module's object
        module = __import__(ts._API[name], fromlist=[name])
        assert value is getattr(module, name)


def test_unknown_name_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        ts.no_such_name  # noqa: B018


def test_import_trading_signals_loads_no_heavy_module() -> None:
    code = (
        "import sys, trading_signals; "
        "print(sorted(m for m in ('pandas', 'numba', 'torch', 'ray', 'sklearn') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_quickstart_features_through_the_api() -> None:
    # Top-level names only, as in the README quickstart.
    bars = ts.generate_universe(1, 400, seed=3).bars["SYN0000"]
    feats = ts.compute_features(bars)
    assert len(feats) == len(bars) and "rsi_14" in feats
    assert ts.get_timeframe("1d").periods_per_year == 252.0
