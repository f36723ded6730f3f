"""The whole study gives bit-identical outputs on the serial and the Ray executor."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from trading_signals.config import RunConfig
from trading_signals.workflow.executor import SerialExecutor
from trading_signals.workflow.runs import VOLATILE_KEYS
from trading_signals.workflow.study import run_study

pytestmark = [pytest.mark.ray, pytest.mark.slow]
VOLATILE = VOLATILE_KEYS - {"outputs"}


def _config(root: Path) -> RunConfig:
    return RunConfig.model_validate({
        "data": {"lake": str(root / "lake")},
        "models": {"registry": str(root / "models"), "horizon": 5},
        "study": {"universe": {"sample": False, "synthetic_symbols": 4, "synthetic_bars": 500},
                  "walkforward_symbols": ["*"], "runs": str(root / "runs"), "model": "train"},
        "risk": {"walkforward": {"train": 200, "test": 100, "purge": 5},
                 "montecarlo": {"n_paths": 2500, "horizon": 20}},
    })


def _tables(run_dir: Path) -> dict[str, pd.DataFrame]:
    return {str(p.relative_to(run_dir)): pd.read_parquet(p) for p in sorted(run_dir.rglob("*.parquet"))}


def test_study_serial_and_ray_outputs_are_bit_identical(ray_local, tmp_path) -> None:
    from trading_signals.distributed.executor import RayExecutor

    # Act
    serial = run_study(_config(tmp_path / "s"), SerialExecutor())
    fanned = run_study(_config(tmp_path / "r"), RayExecutor(chunk_size=1))
    # Assert: same run id (same config and data), same summary, same tables byte for byte
    assert serial.run_id == fanned.run_id
    strip = [{k: v for k, v in json.loads((Path(r.run_dir) / "summary.json").read_text()).items()
              if k not in VOLATILE} for r in (serial, fanned)]
    for s in strip:  # the lake location differs between the two runs
        s["data"] = {k: v for k, v in s["data"].items() if k not in ("lake", "report", "quarantine_files")}
    assert strip[0] == strip[1]
    assert strip[0]["signals"]["model"] == "demo-lightgbm/v0001"
    assert "model" in " ".join(v["explanation"] for v in strip[0]["signals"]["latest"].values())
    a, b = _tables(Path(serial.run_dir)), _tables(Path(fanned.run_dir))
    assert sorted(a) == sorted(b) and any(k.startswith("walkforward/") for k in a)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True, obj=name)


def test_study_rerun_reuses_the_finished_run(tmp_path) -> None:
    cfg = _config(tmp_path).model_copy(update={"study": _config(tmp_path).study.model_copy(
        update={"model": None, "montecarlo": False, "walkforward_symbols": ()})})
    first = run_study(cfg)
    again = run_study(cfg)
    assert again.run_dir == first.run_dir and again.summary["reused"] is True
    assert {k: v for k, v in again.summary.items() if k not in VOLATILE} == \
        {k: v for k, v in json.loads((Path(first.run_dir) / "summary.json").read_text()).items()
         if k not in VOLATILE}
