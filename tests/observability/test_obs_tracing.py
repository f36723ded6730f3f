"""Tracing: spans nest, context crosses processes (W3C traceparent), executors add task spans."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _otel import memory_tracing, otlp_receiver  # noqa: E402

from trading_signals.observability import tracing  # noqa: E402
from trading_signals.workflow.executor import SerialExecutor  # noqa: E402


def _tree(spans: list) -> dict[str, str | None]:
    by_id = {s.context.span_id: s.name for s in spans}
    return {s.name: (by_id.get(s.parent.span_id) if s.parent else None) for s in spans}


def test_spans_nest_and_carry_attributes() -> None:
    with memory_tracing() as exporter:
        with tracing.span("study", run_id="r1"), tracing.span("stage:features", stage="features",
                                                              skipped=None, obj=Path("/x")):
            pass
    spans = exporter.get_finished_spans()
    assert _tree(spans) == {"study": None, "stage:features": "study"}
    feat = next(s for s in spans if s.name == "stage:features")
    assert dict(feat.attributes) == {"stage": "features", "obj": "/x"}  # None dropped, str() applied


def test_serial_executor_records_task_spans_under_the_stage() -> None:
    with memory_tracing() as exporter:
        with tracing.span("stage:square"):
            assert SerialExecutor().map(partial(pow, exp=2), [1, 2, 3], name="square") == [1, 4, 9]
    spans = exporter.get_finished_spans()
    tasks = [s for s in spans if s.name == "task:square"]
    stage = next(s for s in spans if s.name == "stage:square")
    assert len(tasks) == 3
    assert all(t.parent.span_id == stage.context.span_id for t in tasks)
    assert [t.attributes["item"] for t in tasks] == ["1", "2", "3"]


def test_inject_and_attach_continue_the_trace() -> None:
    with memory_tracing() as exporter:
        with tracing.span("driver") as parent:
            carrier = tracing.inject()
        assert carrier["traceparent"].split("-")[1] == format(parent.get_span_context().trace_id, "032x")
        with tracing.attached(carrier), tracing.span("remote"):
            pass
    spans = {s.name: s for s in exporter.get_finished_spans()}
    assert spans["remote"].parent.span_id == spans["driver"].context.span_id
    assert spans["remote"].context.trace_id == spans["driver"].context.trace_id


def test_off_by_default_costs_nothing() -> None:
    assert tracing.set_tracer_provider(None) is None
    tracing.reload_from_env()
    if not any(os.environ.get(v) for v in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")):
        assert not tracing.enabled()
        assert tracing.inject() == {}
        with tracing.span("x") as s:
            assert not s.is_recording()


def test_otlp_export_from_the_environment() -> None:
    """With OTEL_EXPORTER_OTLP_ENDPOINT set, a fresh process exports its spans over OTLP/HTTP."""
    with otlp_receiver() as (endpoint, spans):
        code = ("from trading_signals.observability import tracing\n"
                "with tracing.span('report', run_dir='r'):\n    pass\n"
                "tracing.force_flush()\n")
        env = {**os.environ, "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_SERVICE_NAME": "tsig-test"}
        subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
        assert [s["name"] for s in spans] == ["report"]
        assert spans[0]["attrs"] == {"run_dir": "r"}


def test_ray_task_spans_join_the_driver_trace(ray_local: None) -> None:
    """distributed.tracing carries the driver's context into a Ray task (exported over OTLP)."""
    import ray

    from trading_signals.distributed.executor import _run_chunk
    from trading_signals.distributed.tracing import traced

    with otlp_receiver() as (endpoint, received), memory_tracing() as exporter:
        with tracing.span("stage:square") as stage:
            fn = traced(partial(pow, exp=2), "square")
            task = ray.remote(_run_chunk).options(runtime_env={"env_vars": {
                "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_BSP_SCHEDULE_DELAY": "50"}})
            assert ray.get(task.remote(fn, [2, 3])) == [4, 9]
        deadline = time.monotonic() + 60
        while len(received) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
    assert [s["name"] for s in received] == ["task:square", "task:square"]
    stage_ctx = stage.get_span_context()
    assert {s["parent"] for s in received} == {format(stage_ctx.span_id, "016x")}
    assert {s["trace_id"] for s in received} == {format(stage_ctx.trace_id, "032x")}
    assert [s.name for s in exporter.get_finished_spans()] == ["stage:square"]


def test_http_requests_get_a_span(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from trading_signals.data.lake import write_bars
    from trading_signals.data.synthetic import generate_universe
    from trading_signals.serving.api import create_app, local_backend
    from trading_signals.serving.settings import ServeSettings

    write_bars(tmp_path, generate_universe(1, 300, seed=3).bars["SYN0000"], symbol="SYN0000",
               timeframe="1d")
    backend = local_backend(ServeSettings(lake=str(tmp_path), insecure_local=True), api_key=None)
    with memory_tracing() as exporter, TestClient(create_app(backend)) as client:
        assert client.get("/v1/signals/SYN0000").status_code == 200
        assert client.get("/v1/signals/NOPE").status_code == 404
    spans = [s for s in exporter.get_finished_spans() if s.name == "http GET"]
    assert [(s.attributes["http.route"], s.attributes["http.status_code"]) for s in spans] == [
        ("/v1/signals/{symbol}", 200), ("/v1/signals/{symbol}", 404)]
    assert all(s.attributes["request_id"] for s in spans)
