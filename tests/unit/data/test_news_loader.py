"""load_news: JSONL/CSV/Parquet, symbol forms, UTC handling, row-named errors; labelled sentences."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from trading_signals.data.news import NEWS_COLUMNS, load_news, read_labelled_sentences
from trading_signals.errors import DataError, SourceError

SAMPLE = Path(__file__).resolve().parents[3] / "platform/trading_signals/resources/news_sample.jsonl"


def _jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_news_loader_jsonl_symbol_forms_and_comment_header(tmp_path: Path) -> None:
    p = _jsonl(tmp_path / "n.jsonl", [
        {"_comment": "illustrative"},
        {"published_at": "2020-01-02T10:00:00+01:00", "symbol": "AAA", "headline": "h1"},
        {"published_at": "2020-01-01T10:00:00Z", "symbols": ["BBB", "CCC"], "headline": "h2",
         "url": "u"},
        {"published_at": "2020-01-03T00:00:00Z", "symbols": "DDD; EEE,FFF", "headline": "h3"},
    ])
    news = load_news(p)
    assert tuple(news.columns) == NEWS_COLUMNS and len(news) == 3
    assert news["headline"].tolist() == ["h2", "h1", "h3"]  # sorted by publish time
    assert news["symbols"].tolist() == [["BBB", "CCC"], ["AAA"], ["DDD", "EEE", "FFF"]]
    assert news["published_at"].iloc[1] == pd.Timestamp("2020-01-02 09:00", tz="UTC")
    assert str(news["published_at"].dt.tz) == "UTC"
    assert news["news_id"].is_unique and news["news_id"].str.len().eq(16).all()


def test_news_loader_csv_and_parquet_give_same_table(tmp_path: Path) -> None:
    frame = pd.DataFrame({"published_at": ["2020-01-01T10:00:00Z", "2020-01-02T10:00:00Z"],
                          "symbol": ["AAA", "BBB"], "headline": ["up", "down"],
                          "source": ["s", "s"], "body": ["", "b"], "url": ["", ""]})
    frame.to_csv(tmp_path / "n.csv", index=False)
    frame.to_parquet(tmp_path / "n.parquet")
    pd.testing.assert_frame_equal(load_news(tmp_path / "n.csv"), load_news(tmp_path / "n.parquet"))
    both = load_news([tmp_path / "n.csv", tmp_path / "n.parquet"])
    assert len(both) == 4  # duplicates are kept, never silently dropped


def test_news_loader_naive_time_warns_and_is_utc(tmp_path: Path) -> None:
    p = _jsonl(tmp_path / "n.jsonl", [{"published_at": "2020-01-01 10:00", "symbol": "A", "headline": "x"}])
    with pytest.warns(UserWarning, match="taken as UTC"):
        news = load_news(p)
    assert news["published_at"].iloc[0] == pd.Timestamp("2020-01-01 10:00", tz="UTC")


@pytest.mark.parametrize(
    ("row", "match"),
    [
        ({"published_at": "yesterday-ish", "symbol": "A", "headline": "x"}, "line 2: published_at"),
        ({"published_at": "2020-01-01T00:00Z", "symbol": "A", "headline": "  "}, "line 2: empty headline"),
        ({"published_at": "2020-01-01T00:00Z", "headline": "x"}, "line 2: no symbol"),
        ({"published_at": "2020-01-01T00:00Z", "symbol": "../etc", "headline": "x"}, "line 2: symbol"),
    ],
)
def test_news_loader_bad_row_raises_naming_file_and_line(tmp_path: Path, row: dict, match: str) -> None:
    ok = {"published_at": "2020-01-01T00:00Z", "symbol": "A", "headline": "fine"}
    p = _jsonl(tmp_path / "bad.jsonl", [ok, row])
    with pytest.raises(DataError, match=match) as info:
        load_news(p)
    assert "bad.jsonl" in str(info.value)


def test_news_loader_header_only_file_gives_empty_table(tmp_path: Path) -> None:
    p = _jsonl(tmp_path / "empty.jsonl", [{"_comment": "illustrative, no items yet"}])
    news = load_news(p)
    assert news.empty and tuple(news.columns) == NEWS_COLUMNS
    assert str(news["published_at"].dt.tz) == "UTC"


def test_news_loader_missing_file_and_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(SourceError):
        load_news(tmp_path / "none.jsonl")
    (tmp_path / "n.xml").write_text("<x/>")
    with pytest.raises(SourceError, match="unknown news file type"):
        load_news(tmp_path / "n.xml")


def test_news_sample_file_is_marked_illustrative_and_loads() -> None:
    first = json.loads(SAMPLE.read_text(encoding="utf-8").splitlines()[0])
    assert "NOT REAL NEWS" in first["_comment"]
    news = load_news(SAMPLE)
    syms = {s for row in news["symbols"] for s in row}
    assert {"SP500", "NASDAQ", "SYN0000"} <= syms
    assert news["published_at"].min().year >= 1999 and news["published_at"].max().year <= 2019


def test_read_labelled_sentences_splits_on_last_at(tmp_path: Path) -> None:
    p = tmp_path / "s.txt"
    p.write_text("# header\nMail me @ home , sales rose .@positive\n\nNothing .@neutral\n", encoding="utf-8")
    texts, labels = read_labelled_sentences(p)
    assert texts == ["Mail me @ home , sales rose .", "Nothing ."]
    assert labels == ["positive", "neutral"]
    p.write_text("ok .@neutral\nbroken line\n", encoding="utf-8")
    with pytest.raises(DataError, match="line 2"):
        read_labelled_sentences(p)
