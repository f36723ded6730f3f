"""Every metric the platform emits, declared once: name, kind, description, tag keys.

Ray's metrics agent exports a ``ray.util.metrics`` metric called ``tsig_x`` as the Prometheus
series ``ray_tsig_x`` (plus ``_bucket``/``_sum``/``_count`` for histograms and ``_total`` for
counters), which is what ``kuberay/grafana/trading-signals.json`` queries and what
``docs/observability.md`` tabulates (tests check both against this table).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["counter", "gauge", "histogram"]

#: Prefix Ray's exporter puts in front of every application metric.
RAY_PREFIX = "ray_"


@dataclass(frozen=True)
class MetricSpec:
    """One metric: its Prometheus-safe name, kind, help text, tag keys and histogram buckets."""

    name: str
    kind: Kind
    description: str
    tag_keys: tuple[str, ...] = ()
    boundaries: tuple[float, ...] = ()

    def exported(self) -> list[str]:
        """Return the Prometheus series names Ray exports for this metric.

        >>> MetricSpec("tsig_a", "counter", "x").exported()
        ['ray_tsig_a_total']
        >>> MetricSpec("tsig_b", "histogram", "x", boundaries=(1.0,)).exported()[0]
        'ray_tsig_b_bucket'
        """
        base = RAY_PREFIX + self.name
        if self.kind == "counter":
            return [base + "_total"]
        if self.kind == "histogram":
            return [base + "_bucket", base + "_sum", base + "_count"]
        return [base]


_SECONDS = (0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
_LATENCY = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_UNIT = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)

METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("tsig_signals_generated", "counter",
               "Confluence signals generated (one per symbol and bar with a label).",
               ("label", "symbol")),
    MetricSpec("tsig_signal_confidence", "histogram",
               "Confidence of the latest signal of each symbol in a run (0..1).", ("label",), _UNIT),
    MetricSpec("tsig_backtest_sharpe", "gauge",
               "Annualised Sharpe ratio of the latest backtest.",
               ("strategy", "timeframe", "portfolio")),
    MetricSpec("tsig_model_accuracy", "gauge",
               "Directional accuracy of a model on its hold-out rows.", ("model",)),
    MetricSpec("tsig_model_ic", "gauge",
               "Information coefficient (mean Pearson IC) of a model on its hold-out rows.", ("model",)),
    MetricSpec("tsig_data_fetch_seconds", "histogram",
               "Wall time of one data fetch (remote provider or file source).",
               ("source",), _SECONDS),
    MetricSpec("tsig_provider_errors", "counter",
               "Data provider errors by provider and error type.", ("provider", "type")),
    # The HTTP service (serve/metrics.py records these in Serve replicas; same names and tags).
    MetricSpec("tsig_serve_requests", "counter",
               "HTTP requests by route, method and status.", ("route", "method", "status")),
    MetricSpec("tsig_serve_errors", "counter",
               "HTTP responses with status >= 400 (API errors by route and status).",
               ("route", "method", "status")),
    MetricSpec("tsig_serve_request_seconds", "histogram",
               "Request latency in the replica (s).", ("route", "method"), _LATENCY),
    MetricSpec("tsig_serve_signals", "counter",
               "Signals served by label.", ("label", "timeframe", "cache")),
    MetricSpec("tsig_serve_predict_batch_size", "histogram",
               "Requests per model call.", ("model_id",), (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0)),
    MetricSpec("tsig_serve_model_info", "gauge",
               "1 for the model version in use.", ("model_id",)),
    MetricSpec("tsig_rows_processed", "counter",
               "Rows processed by a stage of a job.", ("stage",)),
    MetricSpec("tsig_rows_quarantined", "counter",
               "Rows the quality gate quarantined, by stage and input source.", ("stage", "source")),
    MetricSpec("tsig_windows_done", "counter",
               "Walk-forward windows finished, by stage.", ("stage",)),
    MetricSpec("tsig_paths_done", "counter",
               "Monte Carlo paths simulated, by stage.", ("stage",)),
    MetricSpec("tsig_stage_seconds", "histogram",
               "Wall time of one stage of a study.", ("stage",), _SECONDS),
    MetricSpec("tsig_items_done", "counter",
               "Work items (symbols, windows, chunks) finished per stage.", ("stage",)),
)

BY_NAME: dict[str, MetricSpec] = {m.name: m for m in METRICS}


def spec(name: str) -> MetricSpec:
    """Return the declared metric ``name`` or raise ``KeyError`` listing the declared names."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"metric {name!r} is not declared in trading_signals.observability.names; "
                       f"declared: {', '.join(sorted(BY_NAME))}") from None


def exported_names() -> set[str]:
    """Return every Prometheus series name the platform's metrics produce (with ``ray_``)."""
    return {n for m in METRICS for n in m.exported()}


def markdown_table() -> str:
    """Return the Markdown table of every metric (docs/observability.md embeds it; a test checks).

    >>> markdown_table().splitlines()[0]
    '| Prometheus series | kind | tags | description |'
    """
    lines = ["| Prometheus series | kind | tags | description |", "|---|---|---|---|"]
    for m in METRICS:
        series = RAY_PREFIX + m.name + {"counter": "_total", "histogram": "_bucket/_sum/_count"}.get(m.kind, "")
        tags = ", ".join(f"`{t}`" for t in m.tag_keys) or "–"
        lines.append(f"| `{series}` | {m.kind} | {tags} | {m.description} |")
    return "\n".join(lines)
