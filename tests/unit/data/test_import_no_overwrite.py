"""A user's bars are never replaced silently: importer modes, the study import and `tsig demo`."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from trading_signals.data.importer import import_raw
from trading_signals.data.lake import read_bars, write_bars
from trading_signals.data.raw import RawInput
from trading_signals.data.synthetic import generate_universe
from trading_signals.errors import DataError


@pytest.fixture(scope="module")
def user_bars():
    # Different seed from the demo universe: same symbol names, different bars.
    return generate_universe(2, 60, seed=987).bars


def _inputs(bars):
    return [RawInput(source="mine", symbol=s, frame=f.reset_index(), timeframe="1d") for s, f in bars.items()]


def test_default_import_refuses_different_bars_and_writes_nothing(tmp_path, user_bars):
    for sym, frame in user_bars.items():
        write_bars(tmp_path, frame, symbol=sym, timeframe="1d")
    demo = generate_universe(3, 60, seed=1).bars  # SYN0000..SYN0002
    with pytest.raises(DataError, match=r"symbol=SYN0000.*--replace"):
        import_raw(_inputs(demo), lake=tmp_path)
    for sym, frame in user_bars.items():  # untouched, and SYN0002 was not written either
        np.testing.assert_array_equal(read_bars(tmp_path, symbol=sym)["close"], frame["close"])
    assert not (tmp_path / "ohlcv" / "timeframe=1d" / "symbol=SYN0002").exists()
    # Identical bars re-imported: fine (idempotent).
    assert import_raw(_inputs(user_bars), lake=tmp_path).ok
    # Asked for: replaced.
    import_raw(_inputs(demo), lake=tmp_path, mode="replace")
    np.testing.assert_array_equal(read_bars(tmp_path, symbol="SYN0000")["close"], demo["SYN0000"]["close"])


def test_study_import_honours_data_replace(tmp_path, user_bars):
    from trading_signals.config.data import DataConfig
    from trading_signals.config.study import UniverseConfig
    from trading_signals.workflow.universe import import_universe

    write_bars(tmp_path, user_bars["SYN0000"], symbol="SYN0000", timeframe="1d")
    uni = UniverseConfig(sample=False, synthetic_symbols=2, synthetic_bars=300)
    with pytest.raises(DataError, match="already holds different bars for symbol=SYN0000"):
        import_universe(uni, DataConfig(lake=str(tmp_path)), lake=str(tmp_path))
    np.testing.assert_array_equal(read_bars(tmp_path, symbol="SYN0000")["close"],
                                  user_bars["SYN0000"]["close"])
    out = import_universe(uni, DataConfig(lake=str(tmp_path), replace=True), lake=str(tmp_path))
    assert out.symbols == ["SYN0000", "SYN0001"]


def test_tsig_demo_refuses_to_replace_user_bars(tmp_path, user_bars):
    from trading_signals.cli import app

    lake = tmp_path / "lake"
    write_bars(lake, user_bars["SYN0000"], symbol="SYN0000", timeframe="1d")
    res = CliRunner().invoke(app, ["demo", "--synthetic", "2", "--serial", "--lake", str(lake),
                                   "--runs", str(tmp_path / "runs")])
    assert res.exit_code == 2, res.output
    assert "SYN0000" in res.output and "--replace" in res.output and "Traceback" not in res.output
    np.testing.assert_array_equal(read_bars(lake, symbol="SYN0000")["close"], user_bars["SYN0000"]["close"])
