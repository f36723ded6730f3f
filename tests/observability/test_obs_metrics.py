"""The metric facade: declared names only, tag checks, no-op without a sink, the Ray sink."""

from __future__ import annotations

import subprocess
import sys

import pytest

from trading_signals.observability import metrics
from trading_signals.observability.names import BY_NAME, METRICS, RAY_PREFIX


@pytest.fixture
def sink():
    s = metrics.MemorySink()
    previous = metrics.install_sink(s)
    yield s
    metrics.install_sink(previous)


def test_names_are_unique_prometheus_safe_and_described() -> None:
    assert len(BY_NAME) == len(METRICS)
    for m in METRICS:
        assert m.name.startswith("tsig_") and m.name.replace("_", "").isalnum(), m.name
        assert m.description.endswith(".") or m.description.endswith(")"), m.name
        assert (m.kind == "histogram") == bool(m.boundaries), m.name
        assert list(m.boundaries) == sorted(m.boundaries) and all(b > 0 for b in m.boundaries)
        assert all(RAY_PREFIX + m.name in n for n in m.exported())


def test_records_go_to_the_installed_sink(sink: metrics.MemorySink) -> None:
    metrics.counter("tsig_rows_processed").inc(5, {"stage": "import"})
    metrics.counter("tsig_rows_processed").inc(2, {"stage": "import"})
    metrics.gauge("tsig_backtest_sharpe").set(1.5, {"strategy": "confluence", "timeframe": "1d"})
    metrics.histogram("tsig_stage_seconds").observe(0.2, {"stage": "features"})
    assert sink.total("tsig_rows_processed", stage="import") == 7.0
    # a declared tag key the caller left out is sent as "none" (Ray rejects missing keys)
    assert sink.records[2] == ("tsig_backtest_sharpe", 1.5,
                               {"strategy": "confluence", "timeframe": "1d", "portfolio": "none"})
    assert sink.values("tsig_stage_seconds", stage="features") == [0.2]


def test_typos_fail_loudly(sink: metrics.MemorySink) -> None:
    with pytest.raises(KeyError, match="not declared"):
        metrics.counter("tsig_rows_procesed")
    with pytest.raises(ValueError, match="no tag key"):
        metrics.counter("tsig_rows_processed").inc(1, {"stag": "x"})
    with pytest.raises(TypeError, match="is a counter, not a gauge"):
        metrics.gauge("tsig_rows_processed")
    with pytest.raises(ValueError, match="cannot decrease"):
        metrics.counter("tsig_rows_processed").inc(-1, {"stage": "x"})
    assert sink.records == []


def test_no_sink_means_no_op() -> None:
    previous = metrics.install_sink(None)
    try:
        metrics.counter("tsig_rows_processed").inc(1, {"stage": "x"})  # nothing to assert but no error
        assert metrics.current_sink() is None
    finally:
        metrics.install_sink(previous)


def test_importing_the_core_facades_loads_neither_ray_nor_the_otel_sdk() -> None:
    code = ("import sys\nfrom trading_signals.observability import span, counter\n"
            "with span('x', a=1):\n    counter('tsig_items_done').inc(1, {'stage': 's'})\n"
            "print(sorted(m for m in sys.modules if m == 'ray' or m.startswith('opentelemetry')))")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": "platform"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True, cwd=str(__import__("pathlib").Path(__file__).resolve().parents[2]))
    assert out.stdout.strip() == "[]"


def test_ray_sink_records_through_ray_util_metrics(ray_local: None) -> None:
    from trading_signals.distributed.metrics import RayMetricsSink, install_ray_metrics

    previous = metrics.current_sink()
    try:
        sink = install_ray_metrics()
        assert isinstance(sink, RayMetricsSink) and install_ray_metrics() is sink  # idempotent
        for m in METRICS:  # every declared metric can be created and recorded by Ray
            value, tags = 1.0, {k: "t" for k in m.tag_keys}
            if m.kind == "counter":
                metrics.counter(m.name).inc(value, tags)
            elif m.kind == "gauge":
                metrics.gauge(m.name).set(value, tags)
            else:
                metrics.histogram(m.name).observe(value, tags)
        assert set(sink._objects) == set(BY_NAME)
    finally:
        metrics.install_sink(previous)


def test_ray_sink_keeps_records_until_ray_runs(ray_local: None, monkeypatch: pytest.MonkeyPatch) -> None:
    import ray

    from trading_signals.distributed.metrics import RayMetricsSink

    sink = RayMetricsSink()
    written: list[tuple[str, float]] = []
    monkeypatch.setattr(sink, "_object", lambda m: type("O", (), {
        "inc": lambda self, v, tags: written.append((m.name, v)),
        "set": lambda self, v, tags: written.append((m.name, v)),
        "observe": lambda self, v, tags: written.append((m.name, v))})())
    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    sink.record(BY_NAME["tsig_rows_processed"], 7.0, {"stage": "import"})
    assert written == []
    monkeypatch.setattr(ray, "is_initialized", lambda: True)
    sink.record(BY_NAME["tsig_stage_seconds"], 0.5, {"stage": "import"})
    assert written == [("tsig_rows_processed", 7.0), ("tsig_stage_seconds", 0.5)]
