"""docs/observability.md's metrics table is the one generated from observability/names.py."""

from __future__ import annotations

from pathlib import Path

from trading_signals.observability.names import markdown_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "observability.md"


def test_metrics_table_matches_names() -> None:
    text = DOC.read_text(encoding="utf-8")
    start, end = "<!-- metrics-table:start -->\n", "\n<!-- metrics-table:end -->"
    assert start in text and end in text
    table = text.split(start, 1)[1].split(end, 1)[0]
    assert table == markdown_table(), (
        "docs/observability.md is out of date: paste the output of "
        "`python -c 'from trading_signals.observability.names import markdown_table as t; print(t())'`")
