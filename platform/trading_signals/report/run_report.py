"""The interactive HTML report of one study run: ``write_run_report(run_dir) -> path``.

One self-contained file (plotly.js inlined, no CDN, so it renders offline and from
``file://``): the portfolio metrics table, equity and drawdown against buy-and-hold,
candlesticks with signal changes and indicator overlays, the confluence components over time,
walk-forward windows with in- and out-of-sample Sharpe, the Monte Carlo fan chart and
return/drawdown histograms with VaR lines, the overfitting statistics (PSR, deflated Sharpe,
PBO) and the data-quality summary. Render only: numbers come from the run's files.

Large universes get the label distribution of the whole universe plus the ``top_n`` most
bullish and ``top_n`` most bearish symbols by latest confluence score; candlestick charts show
the last ``max_bars`` bars. A 200-symbol run stays well under 10 MB (tests check it).
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from trading_signals.data import storage
from trading_signals.observability.tracing import span
from trading_signals.report import figures as F
from trading_signals.report.html import Page, note, para, table
from trading_signals.report.run_data import RunData, load_run
from trading_signals.risk.metrics import drawdown_series

REPORT_NAME = "report.html"
_METRIC_ROWS = ("symbols", "total_return", "annual_return", "annual_volatility", "sharpe", "sortino",
                "calmar", "max_drawdown", "max_drawdown_duration", "var_historical", "cvar_historical",
                "n_trades", "win_rate", "profit_factor", "exposure", "turnover", "total_costs",
                "final_equity")
_OVERFIT = ("windows", "oos_sharpe", "oos_psr", "deflated_sharpe", "n_trials_per_window", "grid_pbo",
            "grid_deflated_sharpe")


def write_run_report(run_dir: str | Path, out: str | Path | None = None, *, top_n: int = 3,
                     max_bars: int = 750) -> str | Path:
    """Write the HTML report of the study run in ``run_dir`` and return where it went.

    Parameters
    ----------
    run_dir
        A study run directory (``runs/<config_id>``): a local path, ``file://`` or an
        object-store URI (``s3://bucket/runs/<config_id>``); read through
        :mod:`trading_signals.data.storage`.
    out
        Output file, local or URI; default ``<run_dir>/report.html`` (next to the run, on the
        same storage).
    top_n
        Symbols shown in detail from each end of the latest-confluence-score ranking.
    max_bars
        Bars shown in each candlestick/component chart (the most recent ones).

    Returns
    -------
    pathlib.Path or str
        A ``Path`` for a local target, the URI (``str``) for an object-store target.

    Raises
    ------
    DataError
        If ``run_dir`` is not a run directory.

    Notes
    -----
    The write is atomic: a temp file + ``os.replace`` locally, one complete object upload on
    an object store, so a browser or a sync never sees half a report.
    """
    if top_n < 1 or max_bars < 10:
        raise ValueError(f"top_n must be >= 1 and max_bars >= 10 (got {top_n}, {max_bars})")
    with span("report", run_dir=str(run_dir)):
        data = load_run(run_dir)
        page = build_page(data, top_n=top_n, max_bars=max_bars)
        target = storage.as_str(out) if out is not None else storage.join(data.run_dir, REPORT_NAME)
        storage.write_text_atomic(target, page.render())
    return target if storage.is_remote(target) else Path(storage.local_path(target))


def build_page(data: RunData, *, top_n: int = 3, max_bars: int = 750) -> Page:
    """Assemble every section the run's files allow (missing ones become notes)."""
    s = data.summary
    name = data.config.get("name") or "study"
    cid = s.get("run_id") or s.get("config_id") or storage.basename(data.run_dir)
    n_symbols = s.get("data", {}).get("symbols") or len(data.signal_symbols)
    page = Page(f"trading_signals run report: {name} ({cid})", [
        f"run directory: {data.run_dir}", f"timeframe {data.timeframe} · {n_symbols} symbols · "
        f"generated {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"])
    overview = _overview(page, data)
    _portfolios(page, data)
    selected = select_symbols(s.get("signals", {}).get("latest", {}), data.signal_symbols, top_n)
    _signals(page, data, selected, max_bars)
    _walkforward(page, data, 2 * top_n)
    _overfitting(page, data)
    _montecarlo(page, data)
    _data_quality(page, data)
    overview.extend(note(n) for n in data.notes)  # including files found unreadable on the way
    return page


def select_symbols(latest: dict[str, Any], available: list[str], top_n: int) -> list[str]:
    """Return the ``top_n`` highest and ``top_n`` lowest symbols by latest confluence score.

    >>> latest = {s: {"confluence_score": v} for s, v in zip("ABCDE", [.1, .9, .5, .3, .7])}
    >>> select_symbols(latest, list("ABCDE"), 2)
    ['B', 'E', 'D', 'A']
    """
    def score(sym: str) -> float:
        return _num(latest.get(sym, {}).get("confluence_score"))

    # Rank the symbols that have a latest score; the rest only when none has one.
    pool = [sym for sym in available if np.isfinite(score(sym))] or list(available)
    scored = sorted(pool, key=lambda sym: -score(sym) if np.isfinite(score(sym)) else np.inf)
    if len(scored) <= 2 * top_n:
        return scored
    return scored[:top_n] + scored[-top_n:]


def _num(v: Any, default: float = np.nan) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return default
    return f if np.isfinite(f) else default


def _overview(page: Page, data: RunData) -> list[str]:
    parts = page.section("overview", "Overview")
    secs = data.summary.get("seconds", {})
    if secs:
        parts.append(table(["stage", *secs], [["seconds", *secs.values()]]))
    if data.config:
        cfg = json.dumps(data.config, indent=2, default=str)
        parts.append("<details><summary>configuration (config.json)</summary><pre>"
                     + html.escape(cfg) + "</pre></details>")
    return parts


def _portfolios(page: Page, data: RunData) -> None:
    parts = page.section("portfolios", "Portfolio backtests")
    metrics = data.summary.get("portfolios", {})
    if metrics:
        names = list(metrics)
        rows = [[k, *[metrics[n].get(k) for n in names]] for k in _METRIC_ROWS
                if any(k in metrics[n] for n in names)]
        parts.append(table(["metric", *names], rows, caption="from summary.json (costs included)"))
    if not data.portfolios:
        parts.append(note("no portfolio/ outputs in this run"))
    for pname, p in data.portfolios.items():
        if p.equity is None or p.equity.empty:
            parts.append(note(f"portfolio {pname}: equity.parquet missing"))
            continue
        rets = p.returns if p.returns is not None else p.equity.pct_change().fillna(0.0)
        bench, label = _buy_and_hold(data, p)
        bench_dd = None if bench is None else drawdown_series(bench.pct_change().fillna(0.0).to_numpy())
        parts.append(page.chart(F.equity_chart(pname, p.equity, drawdown_series(rets.to_numpy()),
                                               bench, bench_dd, label)))


def _buy_and_hold(data: RunData, p: Any) -> tuple[pd.Series | None, str]:
    # Equal-weight buy-and-hold of the portfolio's symbols, closes from the run's lake.
    closes = {}
    for sym in p.symbols:
        bars = data.bars(sym)
        if bars is not None and not bars.empty:
            closes[sym] = bars["close"]
    if not closes:
        return None, ""
    panel = pd.DataFrame(closes).reindex(p.equity.index).ffill()
    growth = (panel / panel.bfill().iloc[0]).mean(axis=1)
    return growth * float(p.equity.iloc[0]), f"buy-and-hold ({len(closes)} symbols, equal weight)"


def _signals(page: Page, data: RunData, selected: list[str], max_bars: int) -> None:
    parts = page.section("signals", "Signals")
    latest = data.summary.get("signals", {}).get("latest", {})
    if latest:
        counts = Counter(str(v.get("signal")) for v in latest.values())
        order = [k for k in ("STRONG_SELL", "SELL", "HOLD", "BUY", "STRONG_BUY") if k in counts]
        order += sorted(k for k in counts if k not in order)
        parts.append(page.chart(F.bars_chart(f"latest label across the universe ({len(latest)} symbols)",
                                             order, {"symbols": [counts[k] for k in order]},
                                             height=300,
                                             colors=[F.LABEL_COLORS.get(k, "#666") for k in order])))
        parts.append(table(["symbol", "signal", "confluence score", "explanation"],
                           [[sym, latest[sym].get("signal"), latest[sym].get("confluence_score"),
                             latest[sym].get("explanation")] for sym in selected if sym in latest],
                           caption="symbols shown in detail: highest and lowest latest confluence score"))
    if not selected:
        parts.append(note("no signals/ outputs in this run"))
    for sym in selected:
        parts.append(f"<h3 id='sym-{html.escape(sym)}'>{html.escape(sym)}</h3>")
        sig = data.signals(sym)
        bars = data.bars(sym)
        if bars is not None and not bars.empty:
            bars = bars.iloc[-max_bars:]
            feats = data.features(sym, [*F.OVERLAYS, F.OSCILLATOR])
            parts.append(page.chart(F.price_chart(sym, bars, sig, feats)))
        else:
            parts.append(note(f"{sym}: bars not found in the run's lake ({data.lake}); no candlesticks"))
        if sig is not None and not sig.empty:
            parts.append(page.chart(F.components_chart(sym, sig.iloc[-max_bars:])))


def _walkforward(page: Page, data: RunData, limit: int) -> None:
    parts = page.section("walkforward", "Walk-forward")
    wf = data.summary.get("walkforward", {})
    if not data.wf_windows:
        parts.append(note("no walkforward/ outputs in this run"))
        return
    syms = list(data.wf_windows)
    if len(syms) > limit:
        syms = sorted(syms, key=lambda k: -_num(wf.get(k, {}).get("oos_sharpe"), -np.inf))
        parts.append(para(f"{len(data.wf_windows)} symbols; showing the {limit // 2} best and worst "
                          "by out-of-sample Sharpe"))
        syms = syms[: limit // 2] + syms[-(limit // 2):]
    for sym in syms:
        w = data.wf_windows[sym]
        parts.append(page.chart(F.walkforward_chart(sym, w, data.wf_returns.get(sym))))
        cols = [c for c in ("window", "test_start", "test_end", "fast", "slow", "is_sharpe", "oos_sharpe",
                            "oos_total_return", "oos_max_drawdown", "oos_trades") if c in w.columns]
        rows = [[(str(r[c])[:10] if "start" in c or "end" in c else r[c]) for c in cols]
                for r in w.to_dict("records")]
        parts.append(f"<details><summary>{sym}: windows table</summary>{table(cols, rows)}</details>")


def _overfitting(page: Page, data: RunData) -> None:
    parts = page.section("overfitting", "Overfitting statistics")
    wf = data.summary.get("walkforward", {})
    if not wf:
        parts.append(note("no walk-forward summary: no overfitting statistics"))
        return
    syms = list(wf)
    cols = [c for c in _OVERFIT if any(c in wf[s] for s in syms)]
    parts.append(table(["symbol", *cols], [[s, *[wf[s].get(c) for c in cols]] for s in syms]))
    parts.append(para("PSR: probability the out-of-sample Sharpe is above 0. Deflated Sharpe: the same "
                      "after deflating for the number of trials per window. PBO: probability of "
                      "backtest overfitting over the parameter grid (CSCV); above 0.5 the in-sample "
                      "choice is worse than the median out of sample."))
    series = {c: [wf[s].get(c) for s in syms] for c in ("oos_psr", "deflated_sharpe", "grid_pbo")
              if c in cols}
    if series:
        parts.append(page.chart(F.bars_chart("PSR, deflated Sharpe and PBO per symbol", syms,
                                             {k: [_num(v) for v in vs] for k, vs in series.items()},
                                             lines={"PBO 0.5": 0.5, "PSR / DSR 0.95": 0.95})))


def _montecarlo(page: Page, data: RunData) -> None:
    parts = page.section("montecarlo", "Monte Carlo risk")
    mc = data.summary.get("montecarlo", {})
    if mc:
        names = list(mc)
        keys = [k for k in ("n_paths", "horizon", "expected_return", "prob_loss", "var_95", "cvar_95",
                            "var_99", "cvar_99", "max_drawdown_p50", "max_drawdown_p95",
                            "terminal_wealth_p5", "terminal_wealth_p50", "terminal_wealth_p95")
                if any(k in mc[n] for n in names)]
        parts.append(table(["statistic", *names], [[k, *[mc[n].get(k) for n in names]] for k in keys],
                           caption="horizon returns; VaR/CVaR and drawdowns are losses (positive)"))
    if not data.mc_fans and not mc:
        parts.append(note("no montecarlo/ outputs in this run"))
    for name in sorted(set(data.mc_fans) | set(mc)):
        if name in data.mc_fans:
            parts.append(page.chart(F.fan_chart(name, data.mc_fans[name])))
        hist = F.risk_histograms(name, data.mc_paths.get(name), mc.get(name, {}))
        if hist is not None:
            parts.append(page.chart(hist))


def _data_quality(page: Page, data: RunData) -> None:
    parts = page.section("data", "Data quality")
    d = data.summary.get("data", {})
    if not d:
        parts.append(note("no data summary in summary.json"))
        return
    parts.append(table(["symbols", "rows in", "rows clean", "rows quarantined", "lake"],
                       [[d.get("symbols"), d.get("rows_in"), d.get("rows_clean"),
                         d.get("rows_quarantined"), d.get("lake")]]))
    rules = d.get("issues_by_rule") or {}
    if rules:
        parts.append(page.chart(F.bars_chart("quality-gate findings by rule", list(rules),
                                             {"issues": list(rules.values())}, height=320)))
    rep = data.import_report or {}
    inputs = rep.get("inputs") or []
    if inputs:
        shown = inputs[:50]
        parts.append(table(["source", "symbols", "rows in", "clean", "quarantined", "ok", "rules"],
                           [[i.get("source"), ", ".join(map(str, i.get("symbols", [])[:5])), i.get("rows_in"),
                             i.get("rows_clean"), i.get("rows_quarantined"), i.get("ok"),
                             ", ".join(f"{k}: {v}" for k, v in (i.get("rule_counts") or {}).items())]
                            for i in shown],
                           caption=f"import report {rep.get('report_path', '')}"
                                   + (f" (first 50 of {len(inputs)} inputs)" if len(inputs) > 50 else "")))
    qfiles = d.get("quarantine_files") or []
    if qfiles:
        parts.append(para(f"quarantined rows are kept in: {', '.join(map(str, qfiles[:10]))}"))


def try_write_run_report(run_dir: str | Path) -> tuple[str | Path | None, str]:
    """Write the report for a command that just finished a study: ``(path, "")`` or ``(None, why)``.

    The study's outputs are already stored, so a report that cannot be written (storage
    unreachable, an unexpected rendering error) is reported, not raised; ``tsig report run``
    can write it later.
    """
    try:
        return write_run_report(run_dir), ""
    except Exception as exc:  # noqa: BLE001 - reported to the user with the retry command
        return None, f"{exc} (retry with `tsig report run {run_dir}`)"
