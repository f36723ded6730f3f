"""Table manifests: refuse mismatched writes before writing, and readers check them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trading_signals.config.features import FeaturesConfig
from trading_signals.config.signals import SignalsConfig
from trading_signals.data.lake import write_bars
from trading_signals.data.synthetic import generate_universe
from trading_signals.data.table_manifest import (
    MANIFEST_NAME,
    TableMismatchError,
    columns_diff,
    new_manifest,
    prepare_write,
    require_manifest,
)
from trading_signals.errors import DataError
from trading_signals.features.pipeline import FeatureComputer
from trading_signals.workflow.features import build_features
from trading_signals.workflow.signals import build_signals


def _lake(root: Path, seed: int) -> str:
    for sym, bars in generate_universe(2, 260, seed=seed).bars.items():
        write_bars(root, bars, symbol=sym, timeframe="1d")
    return str(root)


def test_columns_diff_names_added_removed_and_retyped() -> None:
    a = {"timestamp": "timestamp[ns, tz=UTC]", "rsi_14": "double", "x": "double"}
    b = {"timestamp": "timestamp[ns, tz=UTC]", "rsi_21": "double", "x": "string"}
    assert columns_diff(a, b) == "+rsi_21 -rsi_14 ~x (double -> string)"
    assert columns_diff(a, a) == ""
    assert columns_diff(a, dict(reversed(list(a.items())))) == "same names in another order"


def test_prepare_write_refuses_other_config_before_writing(tmp_path: Path) -> None:
    first = new_manifest("features", "1d", {"ml_features": True}, "aaaaaaaaaaaa", {"a": "double"})
    prepare_write(str(tmp_path), first)
    where = tmp_path / "features" / "timeframe=1d" / MANIFEST_NAME
    before = where.read_bytes()
    other = new_manifest("features", "1d", {"ml_features": False}, "bbbbbbbbbbbb", {"b": "double"})
    with pytest.raises(TableMismatchError, match=r"columns differ: \+b -a.*config differs in "
                                                 r"ml_features.*--replace") as info:
        prepare_write(str(tmp_path), other)
    assert isinstance(info.value, DataError) and str(tmp_path) in str(info.value)
    assert where.read_bytes() == before
    prepare_write(str(tmp_path), other, replace=True)
    assert json.loads(where.read_text())["config_id"] == "bbbbbbbbbbbb"


def test_feature_columns_are_known_before_computing(synthetic_universe) -> None:
    bars = synthetic_universe.bars["SYN0000"].iloc[:300]
    for cfg in (FeaturesConfig(), FeaturesConfig(higher_timeframes=("1w",)),
                FeaturesConfig(indicators=({"name": "roc"}, {"name": "rsi", "alias": "r"}),
                               ml_features=True),
                FeaturesConfig(indicators=(), ml_features=True)):
        compute = FeatureComputer.from_config(cfg)
        assert compute.columns() == tuple(compute(bars).columns)


def test_signals_read_indicators_only_from_a_features_table_of_the_same_bars(tmp_path: Path) -> None:
    lake_a, lake_b = _lake(tmp_path / "a", 1), _lake(tmp_path / "b", 2)
    build_features(FeaturesConfig(), lake=lake_b, out=str(tmp_path / "feat_b"))
    build_features(FeaturesConfig(), lake=lake_a, out=str(tmp_path / "feat_a"))
    syms = ["SYN0000", "SYN0001"]
    # Same bars: the features table is used.
    rows = build_signals(SignalsConfig(), lake=lake_a, out=str(tmp_path / "s1"), symbols=syms,
                         features=str(tmp_path / "feat_a"))
    assert [r["indicators"] for r in rows] == ["features table"] * 2
    # Other bars (same dates): the manifest's input fingerprint differs, indicators recomputed.
    rows = build_signals(SignalsConfig(), lake=lake_a, out=str(tmp_path / "s2"), symbols=syms,
                         features=str(tmp_path / "feat_b"))
    assert [r["indicators"] for r in rows] == ["computed"] * 2
    # A features table without a manifest is not trusted.
    (tmp_path / "feat_a" / "features" / "timeframe=1d" / MANIFEST_NAME).unlink()
    with pytest.raises(TableMismatchError, match="no _manifest.json"):
        build_signals(SignalsConfig(), lake=lake_a, out=str(tmp_path / "s3"), symbols=syms,
                      features=str(tmp_path / "feat_a"))


def test_require_manifest_names_an_unrecorded_symbol(tmp_path: Path) -> None:
    lake = _lake(tmp_path / "lake", 3)
    build_features(FeaturesConfig(ml_features=False), lake=lake, out=str(tmp_path / "f"),
                   symbols=["SYN0000"])
    assert require_manifest(str(tmp_path / "f"), "features", "1d", symbol="SYN0000")
    with pytest.raises(TableMismatchError, match="symbol SYN0001 is not recorded"):
        require_manifest(str(tmp_path / "f"), "features", "1d", symbol="SYN0001")


def test_a_rebuild_that_fails_half_way_leaves_its_symbols_unrecorded(tmp_path: Path) -> None:
    import pyarrow as pa

    from trading_signals.data.lake import partition_path
    from trading_signals.data.storage import write_table_atomic

    lake = _lake(tmp_path / "lake", 4)
    cfg = FeaturesConfig(ml_features=False)
    build_features(cfg, lake=lake, out=str(tmp_path / "f"))
    # SYN0001's bars become unreadable for the pipeline (timestamps out of order, written
    # around the gate): the rebuild fails after SYN0000 was re-written.
    bars = generate_universe(2, 260, seed=4).bars["SYN0001"]
    bars = bars.iloc[[1, 0, *range(2, len(bars))]]
    write_table_atomic(pa.Table.from_pandas(bars.rename_axis("timestamp").reset_index(),
                                            preserve_index=False),
                       partition_path(lake, symbol="SYN0001", timeframe="1d"))
    with pytest.raises(DataError, match="strictly increasing"):
        build_features(cfg, lake=lake, out=str(tmp_path / "f"))
    man = json.loads((tmp_path / "f" / "features" / "timeframe=1d" / MANIFEST_NAME).read_text())
    assert man["symbols"] == {}  # neither is recorded with inputs it was not built from
    with pytest.raises(TableMismatchError, match="SYN0000 is not recorded"):
        require_manifest(str(tmp_path / "f"), "features", "1d", symbol="SYN0000")
