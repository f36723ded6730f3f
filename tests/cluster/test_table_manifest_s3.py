"""Table manifests on s3:// (moto on loopback): `tsig features` refuses a mismatched append."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from trading_signals.cli import app
from trading_signals.data import storage
from trading_signals.data.fingerprint import lake_fingerprint
from trading_signals.data.lake import write_bars
from trading_signals.data.synthetic import generate_universe
from trading_signals.data.table_manifest import MANIFEST_NAME

runner = CliRunner()


def test_features_manifest_on_s3_refuses_other_options_and_accepts_more_symbols(moto_s3) -> None:
    lake, out = moto_s3.uri("manifest", "lake"), moto_s3.uri("manifest", "out")
    for sym, bars in generate_universe(2, 80, seed=4).bars.items():
        write_bars(lake, bars, symbol=sym, timeframe="1d")
    base = ["features", "--lake", lake, "--out", out, "--json"]
    res = runner.invoke(app, [*base, "-s", "SYN0000", "--no-ml"])
    assert res.exit_code == 0, res.output
    table = storage.join(out, "features", "timeframe=1d")
    before = {f: storage.read_bytes(storage.join(table, f)) for f in storage.walk_files(table)}
    # Other options: exit 2, no object written or changed
    res = runner.invoke(app, [*base, "-s", "SYN0001", "--ml"])
    assert res.exit_code == 2 and "ml_features" in res.output and "--replace" in res.output, res.output
    assert {f: storage.read_bytes(storage.join(table, f)) for f in storage.walk_files(table)} == before
    # Same options, one more symbol: appended, manifest updated in the bucket
    res = runner.invoke(app, [*base, "-s", "SYN0001", "--no-ml"])
    assert res.exit_code == 0, res.output
    man = json.loads(storage.read_text(storage.join(table, MANIFEST_NAME)))
    assert sorted(man["symbols"]) == ["SYN0000", "SYN0001"]
    assert man["data_fingerprint"] == lake_fingerprint(lake, timeframe="1d")
