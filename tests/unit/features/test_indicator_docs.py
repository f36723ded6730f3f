"""docs/indicators.md holds the indicator tables exactly as the registry generates them."""

from __future__ import annotations

from pathlib import Path

from trading_signals.features.indicator_spec import indicator_reference_markdown

DOC = Path(__file__).resolve().parents[3] / "docs" / "indicators.md"


def test_indicator_doc_table_is_the_generated_one() -> None:
    text = DOC.read_text(encoding="utf-8")
    start, end = "<!-- indicator-table:start -->\n", "<!-- indicator-table:end -->"
    assert start in text and end in text, "docs/indicators.md lost its table markers"
    got = text.split(start, 1)[1].split(end, 1)[0]
    want = indicator_reference_markdown()
    assert got == want, (
        "docs/indicators.md is stale; regenerate the table with: python -c 'from "
        "trading_signals.features.indicator_spec import indicator_reference_markdown as f; "
        "print(f(), end=\"\")'"
    )
