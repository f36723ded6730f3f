"""Signals outputs on disk: round trip, partition layout, the workflow's build with news."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from trading_signals.data.lake import write_bars
from trading_signals.config.signals import SignalsConfig
from trading_signals.data.signals_lake import list_signal_symbols, read_signals, write_signals
from trading_signals.errors import DataError
from trading_signals.signals.engine import generate_signals
from trading_signals.workflow.signals import build_signals


def build_signals_serial(lake, out, *, symbols, news=None):
    return build_signals(SignalsConfig(), None, lake=str(lake), out=str(out), symbols=symbols, news=news)


@pytest.fixture(scope="module")
def lake(tmp_path_factory, synthetic_universe) -> Path:
    root = tmp_path_factory.mktemp("lake")
    for sym in ("SYN0000", "SYN0001"):
        write_bars(root, synthetic_universe.bars[sym].iloc[:260], symbol=sym, timeframe="1d")
    return root


def test_write_signals_round_trip_keeps_every_column(tmp_path: Path, synthetic_universe) -> None:
    sig = generate_signals(synthetic_universe.bars["SYN0003"].iloc[:150])
    path = write_signals(tmp_path, sig, symbol="SYN0003", timeframe="1d")
    assert path == tmp_path / "signals/timeframe=1d/symbol=SYN0003/part-0000.parquet"
    back = read_signals(tmp_path, symbol="SYN0003", timeframe="1d")
    pd.testing.assert_frame_equal(back, sig, check_freq=False)
    assert list_signal_symbols(tmp_path, timeframe="1d") == ["SYN0003"]
    assert not list(path.parent.glob(".*.tmp"))  # atomic write left no temp file


def test_read_signals_missing_partition_raises_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="tsig signals"):
        read_signals(tmp_path, symbol="NOPE", timeframe="1d")


def test_build_signals_serial_with_news_joins_by_publish_time(lake: Path, tmp_path: Path) -> None:
    from trading_signals.data.news import load_news

    bars = pd.read_parquet(lake / "ohlcv/timeframe=1d/symbol=SYN0000/part-0000.parquet")
    stamp = bars["timestamp"].iloc[200]
    news_file = tmp_path / "news.jsonl"
    items = [{"published_at": (stamp + pd.Timedelta(hours=h)).isoformat(), "symbols": ["SYN0000"],
              "headline": "Profit rose sharply and the company raised its outlook"}
             for h in (10, 30)]
    news_file.write_text("\n".join(json.dumps(i) for i in items) + "\n")
    summaries = build_signals_serial(lake, tmp_path / "out", symbols=["SYN0000", "SYN0001"],
                                     news=load_news(news_file))
    assert [s["symbol"] for s in summaries] == ["SYN0000", "SYN0001"]
    sig = read_signals(tmp_path / "out", symbol="SYN0000")
    assert sig["score_sentiment"].iloc[:200].isna().all()  # nothing before publication
    assert sig["score_sentiment"].iloc[200] > 0.5  # published 10:00 on bar 200's day
    assert read_signals(tmp_path / "out", symbol="SYN0001")["score_sentiment"].isna().all()


def test_build_signals_serial_short_history_reports_no_signal(tmp_path: Path,
                                                              synthetic_universe) -> None:
    write_bars(tmp_path / "lake", synthetic_universe.bars["SYN0004"].iloc[:30], symbol="SYN0004",
               timeframe="1d")
    (summary,) = build_signals_serial(tmp_path / "lake", tmp_path / "out", symbols=["SYN0004"])
    assert summary["signal"] is None and summary["signals"] == 0
    assert summary["explanation"].startswith("NO SIGNAL: warm-up")
    assert read_signals(tmp_path / "out", symbol="SYN0004")["signal"].isna().all()
