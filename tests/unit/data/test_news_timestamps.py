"""News ``published_at``: epoch units by magnitude (as the bar gate), out-of-range dates named by line.

Before the fix, ``"published_at": 1262700000`` (epoch seconds, 2010-01-05) was read as
nanoseconds (1970-01-01T00:00:01.26Z) and the item then silently counted as missing news.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from trading_signals.data.news import load_news
from trading_signals.errors import DataError

WHEN = pd.Timestamp("2010-01-05 13:20:00", tz="UTC")  # = 1262697600 s
SECONDS = int(WHEN.timestamp())


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("scale", [1, 10**3, 10**6, 10**9], ids=["s", "ms", "us", "ns"])
@pytest.mark.parametrize("as_string", [False, True])
def test_epoch_numbers_in_any_unit_are_read_by_magnitude(tmp_path: Path, scale: int, as_string: bool) -> None:
    value = SECONDS * scale
    p = _jsonl(tmp_path / "n.jsonl", [{"published_at": str(value) if as_string else value,
                                       "symbol": "AAA", "headline": "h"}])
    assert load_news(p)["published_at"].iloc[0] == WHEN


def test_issue_example_epoch_seconds_is_2010(tmp_path: Path) -> None:
    p = _jsonl(tmp_path / "n.jsonl", [{"published_at": 1262700000, "symbol": "AAA", "headline": "h"}])
    ts = load_news(p)["published_at"].iloc[0]
    assert ts == pd.Timestamp(1262700000, unit="s", tz="UTC")
    assert ts.year == 2010


def test_epoch_and_iso_mixed_in_one_file_and_csv(tmp_path: Path) -> None:
    p = _jsonl(tmp_path / "n.jsonl", [
        {"published_at": SECONDS, "symbol": "AAA", "headline": "a"},
        {"published_at": "2010-01-05T14:20:00+01:00", "symbol": "AAA", "headline": "b"},
        {"published_at": SECONDS * 1000.0, "symbol": "AAA", "headline": "c"},
    ])
    assert load_news(p)["published_at"].tolist() == [WHEN] * 3
    csv = tmp_path / "n.csv"
    pd.DataFrame({"published_at": [str(SECONDS * 1000)], "symbol": ["AAA"], "headline": ["x"]}).to_csv(
        csv, index=False)
    assert load_news(csv)["published_at"].iloc[0] == WHEN


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ("9999-12-31T00:00:00Z", "line 3: published_at .*outside the supported time range"),
        ("1677-01-01", "line 3: published_at .*outside the supported time range"),
        ("99991231", "line 3: published_at .*outside the supported time range"),
        (4e20, "line 3: published_at .*outside the supported time range"),
        (12345, "line 3: published_at .*too small for epoch"),
        (None, "line 3: published_at"),
        (True, "line 3: published_at"),
    ],
)
def test_unusable_or_out_of_range_times_name_the_line(tmp_path: Path, value: object, match: str) -> None:
    ok = {"published_at": "2010-01-05T00:00:00Z", "symbol": "AAA", "headline": "ok"}
    p = _jsonl(tmp_path / "bad.jsonl", [ok, ok, {"published_at": value, "symbol": "AAA", "headline": "x"}])
    with pytest.raises(DataError, match=match) as info:
        load_news(p)
    assert "bad.jsonl" in str(info.value)
