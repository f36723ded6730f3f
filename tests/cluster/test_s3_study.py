"""Every location on s3:// (moto on loopback): the study, a features build and a model
registration give the same outputs as with local paths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests._services import list_objects
from tests.cluster._study import assert_same_outputs, run_outputs, small_study, strip_locations
from trading_signals.config import RunConfig
from trading_signals.data import storage


@pytest.fixture(scope="module")
def both_runs(moto_s3, tmp_path_factory):
    from trading_signals.workflow.study import run_study

    local = tmp_path_factory.mktemp("local")
    runs = {}
    for where, base in (("local", str(local)), ("s3", moto_s3.uri("study"))):
        cfg = RunConfig.model_validate(small_study(storage.join(base, "lake"), storage.join(base, "runs"),
                                                   storage.join(base, "models")))
        runs[where] = (cfg, run_study(cfg))
    return runs


def test_study_on_s3_writes_only_to_the_bucket_and_matches_local(both_runs, moto_s3):
    (_, loc), (cfg, s3) = both_runs["local"], both_runs["s3"]
    assert s3.run_dir.startswith(f"s3://{moto_s3.bucket}/study/runs/")
    keys = list_objects(moto_s3, "study/")
    prefixes = {k.split("/")[1] for k in keys}
    assert prefixes == {"lake", "runs", "models"}, prefixes
    assert any(k.startswith("study/lake/ohlcv/timeframe=1d/symbol=SYN0003/") for k in keys)
    assert any(k.startswith("study/lake/reports/import-") for k in keys)
    # Same outputs: every table equal, every JSON equal but for locations and timings.
    assert strip_locations(loc.summary) == strip_locations(s3.summary)
    outputs = run_outputs(s3.run_dir)
    assert any(n.startswith("features/") for n in outputs) and "summary.json" in outputs
    assert any(n.startswith("walkforward/") for n in outputs)
    assert_same_outputs(run_outputs(loc.run_dir), outputs)
    # The lake is byte-identical (same layout, same Parquet bytes).
    lake_l, lake_s = both_runs["local"][0].data.lake, cfg.data.lake
    files = storage.walk_files(lake_s)
    assert [f for f in files if f.startswith("ohlcv/")] == \
           [f for f in storage.walk_files(lake_l) if f.startswith("ohlcv/")]
    for f in (f for f in files if f.startswith("ohlcv/")):
        assert storage.read_bytes(storage.join(lake_s, f)) == storage.read_bytes(storage.join(lake_l, f))


def test_model_registered_on_s3_matches_local_and_loads(both_runs):
    from trading_signals.models.registry import ModelRegistry

    (cfg_l, loc), (cfg_s, s3) = both_runs["local"], both_runs["s3"]
    assert s3.summary["signals"]["model"] == loc.summary["signals"]["model"]
    reg_l, reg_s = ModelRegistry(cfg_l.models.registry), ModelRegistry(cfg_s.models.registry)
    man_l, man_s = reg_l.list(), reg_s.list()
    assert len(man_s) == 1 and strip_locations(man_s) == strip_locations(man_l)
    mid = man_s[0]["model_id"]
    X = pd.DataFrame(np.zeros((3, len(man_s[0]["features"]))), columns=man_s[0]["features"])
    np.testing.assert_array_equal(reg_s.load(mid).predict(X), reg_l.load(mid).predict(X))


def test_rerun_on_s3_reuses_the_finished_run(both_runs):
    from trading_signals.workflow.study import run_study

    cfg, first = both_runs["s3"]
    again = run_study(cfg)
    assert again.run_dir == first.run_dir and again.summary.get("reused") is True


def test_features_build_on_s3_matches_local(moto_s3, tmp_path, synthetic_universe):
    from trading_signals.config.features import FeaturesConfig
    from trading_signals.data.features_lake import read_features
    from trading_signals.data.lake import write_bars
    from trading_signals.workflow.executor import SerialExecutor
    from trading_signals.workflow.features import build_features

    bars = dict(list(synthetic_universe.bars.items())[:3])
    out = {}
    for where, base in (("local", str(tmp_path)), ("s3", moto_s3.uri("feat"))):
        lake, dest = storage.join(base, "lake"), storage.join(base, "out")
        for sym, frame in bars.items():
            write_bars(lake, frame, symbol=sym, timeframe="1d")
        build_features(FeaturesConfig(), SerialExecutor(), lake=lake, out=dest, timeframe="1d",
                       symbols=sorted(bars))
        out[where] = {s: read_features(dest, symbol=s) for s in bars}
        assert storage.walk_files(dest), f"{where}: nothing written under {dest}"
    for sym in bars:
        assert out["local"][sym].equals(out["s3"][sym])
        assert out["s3"][sym].shape[1] > 5
