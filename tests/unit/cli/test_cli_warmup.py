"""``tsig warmup`` runs the kernel warm-up and reports what it spent."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from trading_signals.cli import app


def test_tsig_warmup_json_reports_each_part_and_cache_dir() -> None:
    res = CliRunner().invoke(app, ["warmup", "--json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.output)
    for part in ("features", "signals", "backtest", "montecarlo"):
        assert payload[f"{part}_seconds"] >= 0.0, part
    assert payload["numba_cache_dir"]


def test_tsig_warmup_features_only_skips_the_rest() -> None:
    res = CliRunner().invoke(app, ["warmup", "--features-only", "--json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.output)
    assert "features_cpu_seconds" in payload and "backtest_seconds" not in payload


def test_tsig_lists_warmup_without_loading_it() -> None:
    res = CliRunner().invoke(app, ["--help"])
    assert res.exit_code == 0
    assert "warmup" in res.output
