"""The signals stage writes exactly the same files on the Ray executor as on the serial one."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from trading_signals.config.signals import SignalsConfig
from trading_signals.data.lake import write_bars
from trading_signals.data.signals_lake import read_signals
from trading_signals.workflow.executor import SerialExecutor
from trading_signals.workflow.signals import build_signals

SYMBOLS = ["SYN0000", "SYN0001", "SYN0002"]


@pytest.mark.ray
def test_build_signals_ray_equals_serial(ray_local, tmp_path: Path, synthetic_universe) -> None:
    from trading_signals.distributed.executor import RayExecutor

    lake = tmp_path / "lake"
    for sym in SYMBOLS:
        write_bars(lake, synthetic_universe.bars[sym].iloc[:250], symbol=sym, timeframe="1d")
    cfg = SignalsConfig(multi_timeframe=True)
    serial = build_signals(cfg, None, SerialExecutor(), lake=str(lake), out=str(tmp_path / "serial"),
                           symbols=SYMBOLS)
    ray_out = build_signals(cfg, None, RayExecutor(chunk_size=1), lake=str(lake),
                            out=str(tmp_path / "ray"), symbols=SYMBOLS)

    strip = [{k: v for k, v in s.items() if k != "path"} for s in serial]
    assert strip == [{k: v for k, v in s.items() if k != "path"} for s in ray_out]
    for sym in SYMBOLS:
        pd.testing.assert_frame_equal(read_signals(tmp_path / "serial", symbol=sym),
                                      read_signals(tmp_path / "ray", symbol=sym), check_exact=True)


@pytest.mark.ray
def test_cli_signals_ray_flag_matches_serial_json(ray_local, tmp_path: Path,
                                                  synthetic_universe) -> None:
    import json

    from trading_signals.cli import app
    from typer.testing import CliRunner

    lake = tmp_path / "lake"
    for sym in SYMBOLS[:2]:
        write_bars(lake, synthetic_universe.bars[sym].iloc[:200], symbol=sym, timeframe="1d")
    runner = CliRunner()
    outs = []
    for flag, out in (("--serial", "s"), ("--ray", "r")):
        res = runner.invoke(app, ["signals", "--lake", str(lake), "--out", str(tmp_path / out),
                                  flag, "--json"])
        assert res.exit_code == 0, res.output
        outs.append([{k: v for k, v in s.items() if k != "path"} for s in json.loads(res.stdout)])
    assert outs[0] == outs[1] and [s["symbol"] for s in outs[0]] == SYMBOLS[:2]
