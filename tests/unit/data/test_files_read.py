"""Reading user files: delimiters, encodings, ragged lines, Parquet, symbols, Adj Close."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest
from trading_signals.data.files import expand_paths, load_files, read_table, sniff_delimiter
from trading_signals.data.gate import run_gate
from trading_signals.errors import SourceError

FILES = Path(__file__).parent / "files"


def _rules(frame: pd.DataFrame) -> list[str]:
    return [d["rule"] for d in frame.attrs["read_issues"]]


def test_read_table_csv_keeps_every_cell_as_written():
    frame = read_table(FILES / "good.csv")
    with open(FILES / "good.csv", encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    assert list(frame.columns) == lines[0].split(",")
    assert frame.to_numpy().tolist() == [ln.split(",") for ln in lines[1:]]


def test_read_table_semicolon_latin1_detected_and_reported():
    frame = read_table(FILES / "semicolon_latin1.csv")
    assert list(frame.columns)[:2] == ["Datum", "Open"]
    assert frame.loc[0, "Note"] == "café" and frame.loc[0, "Open"] == "100,5"
    assert _rules(frame) == ["encoding", "delimiter"]


def test_gate_decimal_comma_row_gets_actionable_hint():
    result = run_gate(read_table(FILES / "semicolon_latin1.csv"), source="s.csv", symbol="S")
    issue = next(i for i in result.report.issues if i.rule == "bad_number")
    assert issue.row == 1 and "decimal comma" in issue.message
    assert result.report.rows_clean == 1


def test_read_table_ragged_lines_kept_and_marked(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("a,b,c\n1,2,3\n4,5\n6,7,8,9\n\n10,11,12\n", encoding="utf-8")
    frame = read_table(path)
    assert len(frame) == 4
    assert frame["__ragged__"].tolist() == [
        "",
        "line 3 has 2 field(s), the header has 3",
        "line 4 has 4 field(s), the header has 3",
        "",
    ]
    assert frame["__extra__"].tolist()[2] == "9"
    assert "blank_lines" in _rules(frame)


def test_gate_ragged_line_quarantined_as_field_count():
    result = run_gate(read_table(FILES / "malformed.csv"), source="m.csv", symbol="M")
    issue = next(i for i in result.report.issues if i.rule == "field_count")
    assert issue.row == 13 and "line 14" in issue.message


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["a,b", "1,2"], ","),
        (["a;b;c", "1,5;2;3"], ";"),
        (["a\tb", "1\t2"], "\t"),
        (["a|b", "1|2"], "|"),
        (["abc", "1"], ","),
    ],
)
def test_sniff_delimiter_picks_consistent_split(lines, expected):
    assert sniff_delimiter(lines) == expected


def test_read_table_utf8_bom_and_utf16_decode_same_as_plain(tmp_path):
    text = "Date,Open\n2024-01-02,1\n"
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode())
    (tmp_path / "u16.csv").write_bytes(text.encode("utf-16"))
    (tmp_path / "plain.csv").write_text(text, encoding="utf-8")
    plain = read_table(tmp_path / "plain.csv")
    for name in ("bom.csv", "u16.csv"):
        pd.testing.assert_frame_equal(read_table(tmp_path / name), plain)


def test_read_table_gzip_equals_plain(tmp_path):
    (tmp_path / "g.csv.gz").write_bytes(gzip.compress((FILES / "good.csv").read_bytes()))
    pd.testing.assert_frame_equal(read_table(tmp_path / "g.csv.gz"), read_table(FILES / "good.csv"))
    (inp,) = load_files([tmp_path / "g.csv.gz"])
    assert inp.symbol == "g"


def test_read_table_parquet_round_trip(tmp_path, tiny_ohlcv):
    tiny_ohlcv.reset_index().to_parquet(tmp_path / "t.parquet")
    result = run_gate(read_table(tmp_path / "t.parquet"), source="t.parquet", symbol="TINY")
    pd.testing.assert_frame_equal(result.clean["TINY"], tiny_ohlcv, check_freq=False)


@pytest.mark.parametrize("content", [b"\x00\x01\x02binary\x00" * 20, b"PAR1 not really parquet"])
def test_read_table_unreadable_raises_source_error_naming_file(tmp_path, content):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(SourceError, match="bad.csv"):
        read_table(path)


def test_read_table_missing_file_raises():
    with pytest.raises(SourceError, match="no such file"):
        read_table(FILES / "nope.csv")


def test_read_table_empty_file_gives_empty_frame():
    assert read_table(FILES / "empty.csv").empty


def test_load_files_symbol_from_column_option_or_stem():
    by_stem = load_files([FILES / "good.csv"])
    by_option = load_files([FILES / "good.csv"], symbol="AAPL")
    by_column = load_files([FILES / "multi_symbol.csv"], symbol="IGNORED")
    assert [by_stem[0].symbol, by_option[0].symbol, by_column[0].symbol] == ["good", "AAPL", None]


def test_expand_paths_directory_lists_data_files_sorted():
    files = expand_paths([FILES])
    assert [f.name for f in files] == sorted(f.name for f in FILES.iterdir() if f.suffix == ".csv")
    with pytest.raises(SourceError, match="no data file"):
        expand_paths([Path(__file__).parent.parent])


def test_load_files_adj_close_scales_prices_by_ratio():
    (inp,) = load_files([FILES / "good.csv"], adj_close=True)
    result = run_gate(inp.frame, source=inp.source, symbol=inp.symbol)
    raw = pd.read_csv(FILES / "good.csv")
    factor = (raw["Adj Close"] / raw["Close"]).to_numpy()
    clean = result.clean["good"]
    assert clean["close"].to_numpy() == pytest.approx(raw["Adj Close"].to_numpy())
    assert clean["open"].to_numpy() == pytest.approx(raw["Open"].to_numpy() * factor)
    assert clean["volume"].to_numpy() == pytest.approx(raw["Volume"].to_numpy())
    assert any(i.rule == "adjusted" for i in result.report.issues)


def test_load_files_adj_close_unusable_row_quarantined(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(
        "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,1,2,1,1.5,,10\n2024-01-03,1,2,1,1.5,1.4,10\n"
    )
    (inp,) = load_files([path], adj_close=True)
    result = run_gate(inp.frame, source=inp.source, symbol=inp.symbol)
    assert result.quarantined["rule"].tolist() == ["bad_adjustment"]
    assert result.report.rows_clean == 1


H = "Date,Open,High,Low,Close,Volume\n"


@pytest.mark.parametrize(
    ("text", "expected_lines"),
    [
        (H + "2024-01-02,1,1,1,1,1\nx,2,2,2,2,2\n", [3]),  # fast path, contiguous
        (H + "\n2024-01-02,1,1,1,1,1\n\nx,2,2,2,2,2\n", [5]),  # blank lines shift lines
        (H + '2024-01-02,"a\nb",1,1,1,1\nx,2,2,2,2,2\n', [2, 4]),  # quoted newline: exact path
    ],
)
def test_gate_messages_name_the_file_line_of_each_row(tmp_path, text, expected_lines):
    path = tmp_path / "l.csv"
    path.write_text(text, encoding="utf-8")
    result = run_gate(read_table(path), source="l.csv", symbol="L")
    messages = [i.message for i in result.report.issues if "(line " in i.message]
    assert sorted({int(m.split("(line ")[1].split(")")[0]) for m in messages}) == expected_lines
