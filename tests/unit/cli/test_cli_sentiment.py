"""`tsig sentiment eval|score|aggregate` through the Typer runner."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from trading_signals.cli import app
from trading_signals.data.lake import write_bars
from typer.testing import CliRunner

runner = CliRunner()
EVAL_FILE = Path(__file__).resolve().parents[3].parent / "shared/eval/financial_phrasebank_allagree.txt"


@pytest.fixture
def labelled(tmp_path: Path) -> Path:
    p = tmp_path / "mini.txt"
    p.write_text("# authored mini set\n"
                 "Net sales rose 10 % to EUR 5 mn .@positive\n"
                 "Operating profit fell to EUR 1 mn from EUR 3 mn .@negative\n"
                 "The company is based in Vaasa .@neutral\n"
                 "The board will meet on Friday .@positive\n", encoding="utf-8")
    return p


def test_cli_sentiment_eval_json_reports_metrics(labelled: Path) -> None:
    result = runner.invoke(app, ["sentiment", "eval", str(labelled), "--json"])
    assert result.exit_code == 0, result.output
    r = json.loads(result.stdout)
    assert r["n"] == 4 and r["scorer"] == "default"
    # The last line is mislabelled on purpose: three of four can be right, not four.
    assert r["accuracy"] == pytest.approx(0.75)
    assert set(r["per_class"]) == {"negative", "neutral", "positive"}
    assert r["sentences_per_s"] > 0


def test_cli_sentiment_eval_table_and_errors(labelled: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["sentiment", "eval", str(labelled)])
    assert result.exit_code == 0 and "macro-F1" in result.stdout
    bad = runner.invoke(app, ["sentiment", "eval", str(labelled), "--scorer", "nope"])
    assert bad.exit_code == 2 and "unknown sentiment scorer" in bad.output
    missing = runner.invoke(app, ["sentiment", "eval", str(tmp_path / "none.txt")])
    assert missing.exit_code == 2


@pytest.mark.skipif(not EVAL_FILE.is_file(), reason="evaluation file not present")
def test_cli_sentiment_eval_real_file_reports_fractions() -> None:
    result = runner.invoke(app, ["sentiment", "eval", str(EVAL_FILE), "--json"])
    assert result.exit_code == 0, result.output
    r = json.loads(result.stdout)
    assert r["n"] == 2264
    assert 0.0 <= r["accuracy"] <= 1.0 and 0.0 <= r["macro_f1"] <= 1.0


def test_cli_sentiment_score_sample_file_json(tmp_path: Path) -> None:
    p = tmp_path / "n.jsonl"
    p.write_text('{"_comment": "test file, not real news"}\n'
                 '{"published_at": "2020-01-01T10:00:00Z", "symbol": "AAA", "headline": "Net sales rose 8 %"}\n'
                 '{"published_at": "2020-01-02T10:00:00Z", "symbol": "AAA", "headline": "Profit fell sharply"}\n',
                 encoding="utf-8")
    result = runner.invoke(app, ["sentiment", "score", str(p), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["label"] for r in rows] == ["positive", "negative"]
    assert all(abs(r["score"] - (r["p_pos"] - r["p_neg"])) < 1e-9 for r in rows)


def test_cli_sentiment_aggregate_writes_sentiment_table(tmp_path: Path, synthetic_universe) -> None:
    bars = synthetic_universe.bars["SYN0000"].iloc[:20]
    write_bars(tmp_path / "lake", bars, symbol="SYN0000", timeframe="1d")
    t = bars.index[3] + pd.Timedelta(hours=5)
    p = tmp_path / "n.jsonl"
    p.write_text(json.dumps({"published_at": t.isoformat(), "symbol": "SYN0000",
                             "headline": "SYN0000 wins a large order"}) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["sentiment", "aggregate", str(p), "--lake", str(tmp_path / "lake"),
                                 "--write", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary[0]["articles"] == 1 and summary[0]["bars_with_news"] == 1
    assert pd.Timestamp(summary[0]["first_scored_bar"]) == bars.index[3]
    written = pd.read_parquet(tmp_path / "lake/sentiment/timeframe=1d/symbol=SYN0000/part-0000.parquet")
    assert len(written) == 20 and written["sentiment_score"].iloc[:3].isna().all()


def test_cli_sentiment_aggregate_config_sets_half_life(tmp_path: Path, synthetic_universe) -> None:
    bars = synthetic_universe.bars["SYN0001"].iloc[:10]
    write_bars(tmp_path / "lake", bars, symbol="SYN0001", timeframe="1d")
    p = tmp_path / "n.jsonl"
    p.write_text(json.dumps({"published_at": (bars.index[1] + pd.Timedelta(hours=1)).isoformat(),
                             "symbol": "SYN0001", "headline": "Net sales rose 9 %"}) + "\n",
                 encoding="utf-8")
    cfg = tmp_path / "run.yaml"
    cfg.write_text("sentiment:\n  half_life_hours: 1.0\n", encoding="utf-8")
    args = ["sentiment", "aggregate", str(p), "--lake", str(tmp_path / "lake"), "--write"]
    assert runner.invoke(app, [*args, "--config", str(cfg)]).exit_code == 0
    path = tmp_path / "lake/sentiment/timeframe=1d/symbol=SYN0001/part-0000.parquet"
    short = pd.read_parquet(path)["sentiment_decayed"]
    # Another half-life is another sentiment table: refused unless --replace (table manifest).
    assert runner.invoke(app, args).exit_code == 2
    assert runner.invoke(app, [*args, "--replace"]).exit_code == 0  # default: 24 h half-life
    long = pd.read_parquet(path)["sentiment_decayed"]
    # At bar 2's close (start + 1 day) the item is `age` hours old: weights 0.5**age vs 0.5**(age/24).
    age = (bars.index[2] + pd.Timedelta("1D") - bars.index[1] - pd.Timedelta("1h")) / pd.Timedelta("1h")
    assert short.iloc[2] == pytest.approx(long.iloc[2] * 0.5**age / 0.5 ** (age / 24), rel=1e-6)
    bad = tmp_path / "bad.yaml"
    bad.write_text("sentiment:\n  scorer: vader\n", encoding="utf-8")
    assert runner.invoke(app, [*args, "--config", str(bad)]).exit_code == 2
