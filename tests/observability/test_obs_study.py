"""One small serial study, traced and metered: the span tree, the stage metrics, the report."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from _browser import pixel_std, render  # noqa: E402
from _otel import memory_tracing  # noqa: E402

from trading_signals.observability import metrics  # noqa: E402

STAGES = ("import", "features", "signals", "portfolio", "walkforward", "montecarlo")
N_PATHS = 500


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from trading_signals.config import RunConfig
    from trading_signals.workflow.study import run_study

    root = tmp_path_factory.mktemp("study")
    cfg = RunConfig.model_validate({
        "name": "obs-study",
        "data": {"lake": str(root / "lake")},
        "study": {"universe": {"sample": False, "synthetic_symbols": 3, "synthetic_bars": 600},
                  "runs": str(root / "runs"), "walkforward_symbols": ["SYN0001"]},
        "risk": {"walkforward": {"strategy": "sma_cross", "train": 200, "test": 100,
                                 "fast": [5, 10], "slow": [20, 50]},
                 "montecarlo": {"n_paths": N_PATHS, "horizon": 50}},
    })
    sink = metrics.MemorySink()
    previous = metrics.install_sink(sink)
    try:
        with memory_tracing() as exporter:
            result = run_study(cfg)
    finally:
        metrics.install_sink(previous)
    return {"result": result, "spans": exporter.get_finished_spans(), "sink": sink}


def test_span_tree_study_stages_tasks(study: dict[str, Any]) -> None:
    spans = study["spans"]
    by_id = {s.context.span_id: s for s in spans}
    parent = {s: (by_id[s.parent.span_id].name if s.parent else None) for s in spans}
    (root,) = [s for s in spans if s.name == "study"]
    assert parent[root] is None
    stages = [s for s in spans if s.name.startswith("stage:")]
    assert sorted(s.name for s in stages) == sorted(f"stage:{n}" for n in STAGES)
    assert all(parent[s] == "study" for s in stages)
    assert all(s.context.trace_id == root.context.trace_id for s in spans)
    tasks = Counter((s.name, parent[s]) for s in spans if s.name.startswith("task:"))
    assert tasks[("task:features", "stage:features")] == 3  # one per symbol
    assert tasks[("task:signals", "stage:signals")] == 3
    assert tasks[("task:walkforward", "stage:walkforward")] >= 2  # windows of SYN0001
    assert tasks[("task:montecarlo", "stage:montecarlo")] == 1  # 500 paths = one block
    assert all(name.split(":")[1] == p.split(":")[1] for (name, p) in tasks)


def test_stage_metrics_match_the_summary(study: dict[str, Any]) -> None:
    sink: metrics.MemorySink = study["sink"]
    summary = study["result"].summary
    for stage in STAGES:
        (seconds,) = sink.values("tsig_stage_seconds", stage=stage)
        assert seconds >= 0.0
    assert sink.total("tsig_rows_processed", stage="import") == summary["data"]["rows_in"]
    assert sink.total("tsig_rows_quarantined", stage="import") == summary["data"]["rows_quarantined"]
    assert sink.total("tsig_rows_processed", stage="features") == summary["features"]["rows"]
    assert sink.total("tsig_items_done", stage="features") == 3
    run_dir = Path(study["result"].run_dir)
    labelled = 0
    for part in run_dir.glob("signals/timeframe=1d/symbol=*/part-0000.parquet"):
        labelled += int(pd.read_parquet(part, columns=["signal"])["signal"].notna().sum())
    assert labelled > 0 and sink.total("tsig_signals_generated") == labelled
    assert len(sink.values("tsig_signal_confidence")) == 3  # latest signal of each symbol
    wf = summary["walkforward"]["SYN0001"]
    assert sink.total("tsig_windows_done", stage="walkforward") == wf["windows"]
    assert sink.total("tsig_paths_done", stage="montecarlo") == N_PATHS * len(summary["montecarlo"])
    for name, m in summary["portfolios"].items():
        assert sink.values("tsig_backtest_sharpe", portfolio=name) == [pytest.approx(m["sharpe"])]


def test_report_of_the_real_study_renders(study: dict[str, Any]) -> None:
    from trading_signals.report.run_report import write_run_report

    path = write_run_report(study["result"].run_dir)
    text = path.read_text(encoding="utf-8")
    assert "no portfolio/ outputs" not in text and "no walkforward/ outputs" not in text
    assert "distributions over paths" in text  # per-path Monte Carlo data is stored by the study
    result = render(path)
    assert result.errors == [] and result.charts == result.rendered >= 10
    assert pixel_std(result.screenshot) > 10.0
