"""The Grafana dashboard and PodMonitor refer only to metrics the platform declares and exports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from trading_signals.observability.names import METRICS, RAY_PREFIX, exported_names

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "kuberay" / "grafana" / "trading-signals.json"
PODMONITOR = ROOT / "kuberay" / "podmonitor.yaml"
_NAME = re.compile(r"\b(ray_[A-Za-z0-9_]+)")


def dashboard_queries() -> list[str]:
    """Every PromQL expression of the dashboard (panel targets and template variables)."""
    dash = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    exprs = [t["expr"] for p in dash["panels"] for t in p.get("targets", [])]
    for var in dash["templating"]["list"]:
        q = var.get("query")
        if isinstance(q, dict):
            exprs.append(q["query"])
        elif var["type"] == "query":
            exprs.append(q)
    return exprs


def test_every_query_names_a_declared_metric() -> None:
    exprs = dashboard_queries()
    assert len(exprs) >= 20
    known = exported_names()
    for expr in exprs:
        names = _NAME.findall(expr)
        assert names, f"query names no ray_ metric: {expr}"
        unknown = [n for n in names if n not in known]
        assert not unknown, f"{unknown} in {expr!r} are not declared in observability/names.py"


def test_rates_use_counters_and_quantiles_use_buckets() -> None:
    kinds = {n: m.kind for m in METRICS for n in m.exported()}
    for expr in dashboard_queries():
        for fn, name in re.findall(r"\b(rate|increase)\((ray_[A-Za-z0-9_]+)", expr):
            assert name.endswith(("_total", "_bucket")), f"{fn}() over a gauge in {expr!r}"
        if "histogram_quantile" in expr:
            assert all(kinds[n] == "histogram" and n.endswith("_bucket") for n in _NAME.findall(expr)), expr


def test_dashboard_covers_every_declared_metric() -> None:
    text = " ".join(dashboard_queries())
    missing = [m.name for m in METRICS if RAY_PREFIX + m.name not in text]
    assert not missing, f"metrics without a dashboard panel: {missing}"


def test_podmonitor_scrapes_ray_metrics_port_of_head_and_workers() -> None:
    docs = list(yaml.safe_load_all(PODMONITOR.read_text(encoding="utf-8")))
    assert {d["kind"] for d in docs} == {"PodMonitor"}
    assert all(d["apiVersion"] == "monitoring.coreos.com/v1" for d in docs)
    node_types = {d["spec"]["selector"]["matchLabels"]["ray.io/node-type"] for d in docs}
    assert node_types == {"head", "worker"}
    for d in docs:
        ports = [e["port"] for e in d["spec"]["podMetricsEndpoints"]]
        assert "metrics" in ports


def test_service_metrics_record_every_declared_serve_metric() -> None:
    """The HTTP service records its tsig_serve_* metrics through the facade (names.py)."""
    from trading_signals.observability import metrics
    from trading_signals.serving.metrics import FacadeMetrics

    sink = metrics.MemorySink()
    previous = metrics.install_sink(sink)
    try:
        rec = FacadeMetrics()
        rec.request(route="/v1/signals/{symbol}", method="GET", status=404, seconds=0.01)
        rec.signal_served(label="BUY", timeframe="1d", cache="hit")
        rec.prediction_batch(size=4, model_id="m/v0001")
        rec.model_loaded(model_id="m/v0001")
    finally:
        metrics.install_sink(previous)
    serve_names = {m.name for m in METRICS if m.name.startswith("tsig_serve_")}
    assert {name for name, _, _ in sink.records} == serve_names
