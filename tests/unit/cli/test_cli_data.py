"""``tsig data import|validate|ls|rules`` through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from trading_signals.cli import app
from trading_signals.data.lake import list_symbols
from typer.testing import CliRunner

FILES = Path(__file__).parent.parent / "data" / "files"
runner = CliRunner()


def _json(result) -> dict:
    return json.loads(result.stdout)


def test_cli_validate_clean_file_exits_0():
    result = runner.invoke(app, ["data", "validate", str(FILES / "good.csv"), "--json"])
    assert result.exit_code == 0, result.output
    assert _json(result)["files"][0]["rows_quarantined"] == 0


def test_cli_validate_malformed_file_exits_1_with_precise_report():
    result = runner.invoke(app, ["data", "validate", str(FILES / "malformed.csv"), "--json"])
    assert result.exit_code == 1
    issues = _json(result)["files"][0]["issues"]
    bad = next(i for i in issues if i["rule"] == "bad_number")
    assert (bad["row"], bad["column"]) == (6, "open") and "malformed.csv" in bad["message"]


def test_cli_validate_table_output_names_rule_and_row():
    result = runner.invoke(app, ["data", "validate", str(FILES / "malformed.csv")])
    assert result.exit_code == 1
    assert "high_below_open_close" in result.stdout and "issues found" in result.stdout


@pytest.mark.parametrize("name", ["missing.csv", "binary.csv"])
def test_cli_validate_unreadable_exits_2_naming_file(tmp_path, name):
    if name == "binary.csv":
        (tmp_path / name).write_bytes(b"\x00\x01\x02\x03" * 50)
    result = runner.invoke(app, ["data", "validate", str(tmp_path / name)])
    assert result.exit_code == 2
    assert name in result.output


def test_cli_validate_directory_reports_every_file():
    result = runner.invoke(app, ["data", "validate", str(FILES), "--json"])
    payload = _json(result)
    assert result.exit_code == 1 and len(payload["files"]) == len(list(FILES.glob("*.csv")))


def test_cli_import_files_then_ls(tmp_path):
    lake = tmp_path / "lake"
    result = runner.invoke(
        app,
        [
            "data",
            "import",
            "files",
            str(FILES / "good.csv"),
            "--symbol",
            "GOOD",
            "--lake",
            str(lake),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert _json(result)["rows_clean"] == 6 and list_symbols(lake) == ["GOOD"]
    ls = runner.invoke(app, ["data", "ls", "--lake", str(lake), "--json"])
    part = _json(ls)["partitions"][0]
    assert (part["symbol"], part["rows"], part["start"][:10]) == ("GOOD", 6, "2024-01-02")


def test_cli_import_malformed_exits_1_and_writes_quarantine(tmp_path):
    result = runner.invoke(
        app, ["data", "import", "files", str(FILES / "malformed.csv"), "--lake", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert len(list((tmp_path / "quarantine").glob("*/*.parquet"))) == 1
    assert "quarantined rows" in result.stdout


def test_cli_import_synthetic_is_gated_and_clean(tmp_path):
    args = [
        "data",
        "import",
        "synthetic",
        "--symbols",
        "2",
        "--bars",
        "60",
        "--seed",
        "3",
        "--lake",
        str(tmp_path),
        "--json",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    payload = _json(result)
    assert payload["rows_in"] == payload["rows_clean"] == 120
    assert list_symbols(tmp_path) == ["SYN0000", "SYN0001"]


def test_cli_import_unknown_source_exits_2(tmp_path):
    result = runner.invoke(app, ["data", "import", "ftp", "--lake", str(tmp_path)])
    assert result.exit_code == 2 and "unknown source" in result.output


def test_cli_ls_empty_lake_says_how_to_fill(tmp_path):
    result = runner.invoke(app, ["data", "ls", "--lake", str(tmp_path)])
    assert result.exit_code == 0 and "tsig data import" in result.stdout


def test_cli_rules_lists_catalogue():
    result = runner.invoke(app, ["data", "rules", "--json"])
    rules = {r["rule"] for r in _json(result)}
    assert {"duplicate_timestamp", "suspicious_jump", "calendar_gap", "unsafe_symbol"} <= rules


def test_cli_import_sample_sp500_all_rows_clean(tmp_path):
    result = runner.invoke(
        app, ["data", "import", "sample", "SP500", "--lake", str(tmp_path), "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = _json(result)
    assert payload["rows_in"] == payload["rows_clean"] > 5000
    assert list_symbols(tmp_path) == ["SP500"]
