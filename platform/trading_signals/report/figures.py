"""Plotly figures of a run's stored outputs (render only: every number comes from the run).

Arrays are rounded and dates written as short strings before they go into the figure JSON,
which keeps a report with a few symbols' candlesticks near 1-2 MB plus the inlined plotly.js.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

BUY_LABELS = ("BUY", "STRONG_BUY")
SELL_LABELS = ("SELL", "STRONG_SELL")
LABEL_COLORS = {"STRONG_SELL": "#b2182b", "SELL": "#ef8a62", "HOLD": "#999999", "BUY": "#67a9cf",
                "STRONG_BUY": "#2166ac"}
COMPONENTS = ("trend", "momentum", "volatility", "volume", "sentiment", "model")
#: Indicator overlays drawn on the price chart when the features table has them.
OVERLAYS = ("sma_20", "sma_50", "sma_200", "bb_upper_20", "bb_lower_20")
#: Oscillator drawn under the price (when the features table has it).
OSCILLATOR = "rsi_14"
_LAYOUT: dict[str, Any] = {"template": "plotly_white", "margin": {"l": 60, "r": 20, "t": 50, "b": 40},
                           "legend": {"orientation": "h", "y": -0.12}, "hovermode": "x unified"}


def x_labels(index: pd.Index) -> list[str]:
    """Return short date strings (``YYYY-MM-DD`` for daily stamps, minutes otherwise)."""
    idx = pd.DatetimeIndex(index)
    if idx.tz is not None:
        idx = idx.tz_convert("UTC").tz_localize(None)
    daily = bool(len(idx)) and bool((idx == idx.normalize()).all())
    return list(idx.strftime("%Y-%m-%d" if daily else "%Y-%m-%d %H:%M"))


def rounded(values: Any, digits: int = 4) -> list[float | None]:
    """Return ``values`` rounded to ``digits`` significant-ish decimals, NaN as ``None``."""
    arr = np.asarray(values, dtype=np.float64)
    out = np.round(arr, digits)
    return [None if not np.isfinite(v) else float(v) for v in out]


def _fig(rows: int = 1, heights: Sequence[float] | None = None, titles: Sequence[str] = (),
         title: str = "", height: int = 420, shared: bool = True) -> go.Figure:
    fig = make_subplots(rows=rows, cols=1, shared_xaxes=shared, vertical_spacing=0.06 if shared else 0.1,
                        row_heights=list(heights) if heights else None,
                        subplot_titles=list(titles) or None)
    fig.update_layout(title=title, height=height, **_LAYOUT)
    return fig


def price_chart(symbol: str, bars: pd.DataFrame, signals: pd.DataFrame | None,
                features: pd.DataFrame | None) -> go.Figure:
    """Candlesticks with indicator overlays and markers where the signal label turns buy/sell."""
    x = x_labels(bars.index)
    feats = None if features is None else features.reindex(bars.index)
    rsi = feats is not None and OSCILLATOR in feats.columns and bool(feats[OSCILLATOR].notna().any())
    if rsi:
        fig = _fig(2, (0.75, 0.25), (), f"{symbol}: price, indicators and signal changes", height=560)
    else:
        fig = _fig(title=f"{symbol}: price, indicators and signal changes", height=460)
    fig.add_trace(go.Candlestick(x=x, open=rounded(bars["open"]), high=rounded(bars["high"]),
                                 low=rounded(bars["low"]), close=rounded(bars["close"]), name=symbol))
    if feats is not None:
        for col in OVERLAYS:
            if col in feats.columns and feats[col].notna().any():
                dash = "dot" if col.startswith("bb_") else None
                fig.add_trace(go.Scatter(x=x, y=rounded(feats[col]), name=col, mode="lines",
                                         line={"width": 1, "dash": dash}))
    if signals is not None and "signal" in signals.columns:
        label = signals["signal"].reindex(bars.index)
        changed = label.ne(label.shift(1)) & label.notna()
        close = bars["close"]
        for names, symbol_marker, color, tag in ((BUY_LABELS, "triangle-up", "#1a9850", "buy"),
                                                 (SELL_LABELS, "triangle-down", "#d73027", "sell")):
            hit = changed & label.isin(names)
            if hit.any():
                fig.add_trace(go.Scatter(
                    x=[x[i] for i in np.flatnonzero(hit.to_numpy())], y=rounded(close[hit]),
                    mode="markers", name=f"{tag} signal", text=list(label[hit].astype(str)),
                    marker={"symbol": symbol_marker, "size": 9, "color": color}))
    if rsi and feats is not None:
        fig.add_trace(go.Scatter(x=x, y=rounded(feats[OSCILLATOR], 2), name=OSCILLATOR, mode="lines",
                                 line={"width": 1, "color": "#762a83"}), row=2, col=1)
        for level in (30, 70):
            fig.add_hline(y=level, line_dash="dot", line_color="#999", row=2, col=1)
    fig.update_xaxes(rangeslider_visible=False)
    return fig


def components_chart(symbol: str, signals: pd.DataFrame) -> go.Figure:
    """Weighted component contributions and the confluence score over time."""
    x = x_labels(signals.index)
    fig = _fig(2, (0.6, 0.4), ("component contributions", "confluence score and confidence"),
               f"{symbol}: confluence components", height=480)
    for comp in COMPONENTS:
        col = f"contrib_{comp}"
        if col in signals.columns and signals[col].notna().any():
            fig.add_trace(go.Scatter(x=x, y=rounded(signals[col]), name=comp, mode="lines",
                                     line={"width": 1}), row=1, col=1)
    for col in ("confluence_score", "confidence"):
        if col in signals.columns:
            fig.add_trace(go.Scatter(x=x, y=rounded(signals[col]), name=col, mode="lines",
                                     line={"width": 1}), row=2, col=1)
    return fig


def equity_chart(name: str, equity: pd.Series, drawdown: np.ndarray,
                 benchmark: pd.Series | None, benchmark_drawdown: np.ndarray | None,
                 benchmark_label: str) -> go.Figure:
    """Strategy equity and drawdown against the buy-and-hold benchmark."""
    x = x_labels(equity.index)
    fig = _fig(2, (0.65, 0.35), ("equity", "drawdown"), f"portfolio {name}: equity vs buy-and-hold",
               height=520)
    fig.add_trace(go.Scatter(x=x, y=rounded(equity, 2), name="strategy", mode="lines",
                             line={"color": "#2c7bb6"}), row=1, col=1)
    fig.add_trace(go.Scatter(x=x, y=rounded(-drawdown), name="strategy drawdown", mode="lines",
                             fill="tozeroy", line={"color": "#2c7bb6", "width": 1}), row=2, col=1)
    if benchmark is not None and benchmark_drawdown is not None:
        bx = x_labels(benchmark.index)
        fig.add_trace(go.Scatter(x=bx, y=rounded(benchmark, 2), name=benchmark_label, mode="lines",
                                 line={"dash": "dot", "color": "#7f7f7f"}), row=1, col=1)
        fig.add_trace(go.Scatter(x=bx, y=rounded(-benchmark_drawdown), name="buy-and-hold drawdown",
                                 mode="lines", line={"dash": "dot", "color": "#7f7f7f", "width": 1}),
                      row=2, col=1)
    fig.update_yaxes(tickformat=".0%", row=2, col=1)
    return fig


def walkforward_chart(symbol: str, windows: pd.DataFrame, oos_returns: pd.Series | None) -> go.Figure:
    """Train/test windows, in- vs out-of-sample Sharpe per window, and the stitched OOS equity."""
    rows = 3 if oos_returns is not None else 2
    titles = ["windows (train, test)", "Sharpe per window: in-sample vs out-of-sample",
              "stitched out-of-sample equity (from 1)"][:rows]
    # Not shared: the Sharpe bars are per window, the other rows per date.
    fig = _fig(rows, (0.3, 0.35, 0.35)[:rows], titles, f"{symbol}: walk-forward", height=700,
               shared=False)
    wid = windows["window"] if "window" in windows.columns else pd.Series(range(len(windows)))
    for part, color in (("train", "#4575b4"), ("test", "#f46d43")):
        s, e = f"{part}_start", f"{part}_end"
        if s in windows.columns and e in windows.columns:
            xs: list[str | None] = []
            ys: list[float | None] = []
            for a, b, w in zip(x_labels(windows[s]), x_labels(windows[e]), wid, strict=True):
                xs += [a, b, None]
                ys += [float(w), float(w), None]
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=part,
                                     line={"width": 6, "color": color}), row=1, col=1)
    for col, label in (("is_sharpe", "in-sample"), ("oos_sharpe", "out-of-sample")):
        if col in windows.columns:
            fig.add_trace(go.Bar(x=[f"w{int(w)}" for w in wid], y=rounded(windows[col]), name=label),
                          row=2, col=1)
    if oos_returns is not None:
        wealth = np.cumprod(1.0 + np.nan_to_num(oos_returns.to_numpy(dtype=float)))
        fig.add_trace(go.Scatter(x=x_labels(oos_returns.index), y=rounded(wealth), mode="lines",
                                 name="OOS equity"), row=3, col=1)
    fig.update_layout(barmode="group")
    return fig


def fan_chart(name: str, fan: pd.DataFrame) -> go.Figure:
    """Monte Carlo wealth percentiles per step (p5-p95 and p25-p75 bands, median)."""
    steps = [int(s) for s in (fan["step"] if "step" in fan.columns else fan.index)]
    fig = _fig(title=f"Monte Carlo {name}: wealth fan (from 1)", height=420)
    bands = (("p5", "p95", "rgba(69,117,180,0.18)", "5-95%"), ("p25", "p75", "rgba(69,117,180,0.38)", "25-75%"))
    for lo, hi, color, label in bands:
        if lo in fan.columns and hi in fan.columns:
            fig.add_trace(go.Scatter(x=steps, y=rounded(fan[hi]), mode="lines", line={"width": 0},
                                     showlegend=False, hoverinfo="skip"))
            fig.add_trace(go.Scatter(x=steps, y=rounded(fan[lo]), mode="lines", line={"width": 0},
                                     fill="tonexty", fillcolor=color, name=label))
    if "p50" in fan.columns:
        fig.add_trace(go.Scatter(x=steps, y=rounded(fan["p50"]), mode="lines", name="median",
                                 line={"color": "#313695"}))
    fig.update_xaxes(title_text="bars ahead")
    return fig


def _hist_trace(values: np.ndarray, name: str, bins: int = 60) -> go.Bar:
    # Binned here (counts only) so 10k-path histograms cost 60 numbers, not 10k, in the page.
    v = values[np.isfinite(values)]
    counts, edges = np.histogram(v, bins=bins)
    centers = (edges[:-1] + edges[1:]) / 2
    return go.Bar(x=rounded(centers, 5), y=counts.tolist(), name=name, width=float(edges[1] - edges[0]),
                  marker={"line": {"width": 0}})


def risk_histograms(name: str, paths: pd.DataFrame | None, summary: Mapping[str, Any]) -> go.Figure | None:
    """Histograms of horizon return and max drawdown with VaR/CVaR lines (from the stored paths).

    Without per-path data (older runs) the stored quantiles are drawn as bars instead.
    """
    if paths is not None and {"terminal_wealth", "max_drawdown"} <= set(paths.columns):
        fig = make_subplots(rows=1, cols=2, subplot_titles=["horizon return", "max drawdown"])
        fig.add_trace(_hist_trace(paths["terminal_wealth"].to_numpy(float) - 1.0, "horizon return"), 1, 1)
        fig.add_trace(_hist_trace(paths["max_drawdown"].to_numpy(float), "max drawdown"), 1, 2)
        for key, label, col, sign in (("var_95", "VaR 95%", 1, -1), ("cvar_95", "CVaR 95%", 1, -1),
                                      ("var_99", "VaR 99%", 1, -1), ("max_drawdown_p95", "p95", 2, 1)):
            if summary.get(key) is not None:
                fig.add_vline(x=sign * float(summary[key]), line_dash="dash", annotation_text=label,
                              row=1, col=col)
        fig.update_layout(title=f"Monte Carlo {name}: distributions over paths", height=400,
                          showlegend=False, **{k: v for k, v in _LAYOUT.items() if k != "hovermode"})
        return fig
    keys = [k for k in ("var_95", "cvar_95", "var_99", "cvar_99", "max_drawdown_p50",
                        "max_drawdown_p95", "max_drawdown_p99", "max_drawdown_worst")
            if summary.get(k) is not None]
    if not keys:
        return None
    fig = _fig(title=f"Monte Carlo {name}: loss quantiles (per-path data not stored)", height=360)
    fig.add_trace(go.Bar(x=keys, y=rounded([summary[k] for k in keys]), name="loss"))
    return fig


def bars_chart(title: str, categories: Sequence[str], series: Mapping[str, Sequence[float | None]],
               *, lines: Mapping[str, float] | None = None, height: int = 360,
               colors: Sequence[str] | None = None) -> go.Figure:
    """Grouped bars (one trace per series) with optional horizontal reference lines."""
    fig = _fig(title=title, height=height)
    for label, values in series.items():
        marker = {"color": list(colors)} if colors is not None else None
        fig.add_trace(go.Bar(x=list(categories), y=rounded(values), name=label, marker=marker))
    for label, y in (lines or {}).items():
        fig.add_hline(y=y, line_dash="dash", annotation_text=label)
    fig.update_layout(barmode="group", hovermode="closest")
    return fig
