"""A small study config and helpers to compare two runs' outputs (local vs s3://, serial vs Ray)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pyarrow as pa

from trading_signals.data import storage
from trading_signals.workflow.runs import VOLATILE_KEYS

# Keys whose values name locations or timings, so they differ between equal runs: the run's own
# volatile keys plus the locations (which differ between local and s3:// runs).
_LOCATION_KEYS = VOLATILE_KEYS | {"lake", "runs", "registry", "out", "report", "quarantine_files",
                                  "run_id", "config_id", "created_at"}


def small_study(lake: str, runs: str, registry: str, *, model: str | None = "train") -> dict[str, Any]:
    """The demo study shrunk to seconds: 4 synthetic symbols x 400 bars, 200 MC paths."""
    return {
        "name": "cluster-smoke",
        "data": {"lake": lake, "timeframe": "1d"},
        "models": {"registry": registry},
        "study": {
            "universe": {"sample": False, "synthetic_symbols": 4, "synthetic_bars": 400,
                         "synthetic_seed": 3},
            "walkforward_symbols": ["SYN0000", "SYN0001"],
            "montecarlo": True, "runs": runs, "model": model,
        },
        "risk": {"walkforward": {"train": 150, "test": 50, "purge": 5},
                 "montecarlo": {"model": "bootstrap", "n_paths": 200, "horizon": 20, "seed": 0}},
    }


def strip_locations(obj: Any) -> Any:
    """Drop location/timing keys (recursively) so two equal runs compare equal."""
    if isinstance(obj, dict):
        return {k: strip_locations(v) for k, v in obj.items() if k not in _LOCATION_KEYS}
    if isinstance(obj, list):
        return [strip_locations(v) for v in obj]
    return obj


def run_outputs(run_dir: str) -> dict[str, Any]:
    """Every output under a run directory: Parquet as Arrow tables, JSON stripped of locations."""
    out: dict[str, Any] = {}
    for name in storage.walk_files(run_dir):
        where = storage.join(run_dir, *name.split("/"))
        if name.endswith(".parquet"):
            out[name] = storage.read_table(where)
        elif name.endswith(".json"):
            out[name] = strip_locations(json.loads(storage.read_text(where)))
        else:
            out[name] = storage.read_bytes(where)
    return out


def assert_same_outputs(a: dict[str, Any], b: dict[str, Any]) -> None:
    """Same files, equal tables, equal JSON (locations and timings aside)."""
    assert sorted(a) == sorted(b), sorted(set(a) ^ set(b))
    for name in a:
        if isinstance(a[name], pa.Table):
            assert a[name].schema.equals(b[name].schema), f"{name}: schemas differ"
            # NaN-aware and exact (to the last bit): the same numbers, not close ones.
            pd.testing.assert_frame_equal(a[name].to_pandas(), b[name].to_pandas(), check_exact=True,
                                          obj=name)
        else:
            assert a[name] == b[name], f"{name} differs"
