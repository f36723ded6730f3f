"""The dashboard page: server-rendered HTML with Plotly, the library inlined (no CDN).

One table of the universe's latest signals (sortable by clicking a header) and, for the
selected symbol, a candlestick chart with BUY/SELL markers above the per-component
contributions over time. Everything is computed by :class:`SignalService`, so the page shows
exactly what ``GET /v1/signals`` answers.
"""

from __future__ import annotations

import functools
import html
from typing import Any

import pandas as pd

from trading_signals.config.signals import COMPONENT_NAMES
from trading_signals.serving.signals import SignalService

_SORT_JS = """
document.querySelectorAll('table.sortable th').forEach(function (th, col) {
  th.addEventListener('click', function () {
    var body = th.closest('table').tBodies[0];
    var asc = th.dataset.dir !== 'asc';
    th.dataset.dir = asc ? 'asc' : 'desc';
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].dataset.v || a.cells[col].textContent;
      var y = b.cells[col].dataset.v || b.cells[col].textContent;
      var nx = parseFloat(x), ny = parseFloat(y);
      var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
"""
_CSS = """body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}
table{border-collapse:collapse;font-size:.9rem}th,td{padding:.3rem .6rem;border-bottom:1px solid #ddd}
th{cursor:pointer;background:#f4f4f4;text-align:left}td.num{text-align:right}
.STRONG_BUY,.BUY{color:#0a7d32;font-weight:600}.STRONG_SELL,.SELL{color:#b3261e;font-weight:600}
.expl{max-width:42rem;color:#555}"""


@functools.lru_cache(maxsize=1)
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


def _cell(value: Any, *, num: bool = False) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return '<td class="num" data-v="-1e99">-</td>' if num else "<td>-</td>"
    if num:
        return f'<td class="num" data-v="{float(value):.6f}">{float(value):.3f}</td>'
    text = html.escape(str(value))
    return f'<td class="{text}">{text}</td>'


def _table(rows: list[dict[str, Any]], timeframe: str) -> str:
    head = "".join(f"<th>{h}</th>" for h in
                   ("symbol", "bar", "signal", "score", "confidence", "explanation"))
    body = []
    for r in rows:
        sym = html.escape(r["symbol"])
        link = f'<td><a href="?symbol={sym}&amp;timeframe={html.escape(timeframe)}">{sym}</a></td>'
        bar = r.get("timestamp")
        when = None if bar is None else (f"{bar:%Y-%m-%d}" if (bar.hour, bar.minute) == (0, 0)
                                         else f"{bar:%Y-%m-%d %H:%M}")
        body.append("<tr>" + link + _cell(when)
                    + _cell(r.get("signal")) + _cell(r.get("confluence_score"), num=True)
                    + _cell(r.get("confidence"), num=True)
                    + f'<td class="expl">{html.escape(str(r.get("explanation", "")))}</td></tr>')
    return (f'<table id="signals" class="sortable"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def _chart(frame: pd.DataFrame, bars: pd.DataFrame, symbol: str) -> str:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.65, 0.35],
                        vertical_spacing=0.04,
                        subplot_titles=(f"{symbol} with signals", "component contributions"))
    b = bars.loc[frame.index]
    fig.add_trace(go.Candlestick(x=b.index, open=b["open"], high=b["high"], low=b["low"],
                                 close=b["close"], name="bars"), row=1, col=1)
    for labels, symbol_name, color, col in ((("BUY", "STRONG_BUY"), "triangle-up", "#0a7d32", "low"),
                                            (("SELL", "STRONG_SELL"), "triangle-down", "#b3261e", "high")):
        hit = frame["signal"].isin(labels).to_numpy()
        fig.add_trace(go.Scatter(x=b.index[hit], y=b[col].to_numpy()[hit], mode="markers",
                                 marker={"symbol": symbol_name, "color": color, "size": 8},
                                 name="/".join(labels), text=frame["signal"][hit]), row=1, col=1)
    for comp in COMPONENT_NAMES:
        col = f"contrib_{comp}"
        if col in frame.columns and frame[col].notna().any():
            fig.add_trace(go.Bar(x=frame.index, y=frame[col], name=comp), row=2, col=1)
    fig.update_layout(barmode="relative", height=720, xaxis_rangeslider_visible=False,
                      margin={"l": 40, "r": 20, "t": 40, "b": 30}, legend={"orientation": "h"})
    return str(fig.to_html(full_html=False, include_plotlyjs=False, div_id="chart"))


def render_dashboard(service: SignalService, *, timeframe: str, symbol: str | None,
                     max_symbols: int, max_bars: int) -> str:
    """Return the full HTML page (about 4 MB: the Plotly library is inlined)."""
    rows = service.latest_table(timeframe, limit=max_symbols)
    chosen = symbol or (rows[0]["symbol"] if rows else None)
    chart = "<p>No symbols in the lake: run <code>tsig data import</code>.</p>"
    if chosen is not None:
        frame, _ = service.signals(chosen, timeframe)
        frame = frame.iloc[-max_bars:]
        chart = _chart(frame, service.bars(chosen, timeframe), chosen)
    total = len(service.symbols(timeframe))
    note = f" (first {max_symbols} of {total})" if total > max_symbols else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>trading_signals dashboard</title>
<link rel="icon" href="data:,"><style>{_CSS}</style>
<script>{_plotly_js()}</script></head>
<body><h1>Latest signals, {html.escape(timeframe)}{note}</h1>
{_table(rows, timeframe)}
<h2>{html.escape(chosen or "")}</h2>
{chart}
<script>{_SORT_JS}</script></body></html>"""
