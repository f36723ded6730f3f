"""The HTML run report: sections from a run directory, tolerance, size, and a real browser."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from _browser import pixel_std, render  # noqa: E402
from _runs import make_run  # noqa: E402

from trading_signals.errors import ConfigError, DataError  # noqa: E402
from trading_signals.report.run_report import write_run_report  # noqa: E402

SECTIONS = ("overview", "portfolios", "signals", "walkforward", "overfitting", "montecarlo", "data")


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run(tmp_path_factory.mktemp("small"), n_symbols=4, n_bars=600)


def test_report_has_every_section_and_is_self_contained(small_run: Path) -> None:
    path = write_run_report(small_run)
    assert path == small_run / "report.html"
    text = path.read_text(encoding="utf-8")
    for anchor in SECTIONS:
        assert f"<section id='{anchor}'>" in text
    from plotly.offline import get_plotlyjs

    library = get_plotlyjs()
    assert library in text  # plotly.js inlined once (~3.5 MB), not loaded from a CDN
    rest = text.replace(library, "")
    assert "<script src" not in rest and "cdn.plot.ly" not in rest and "Plotly.newPlot" in rest
    for expected in ("equity vs buy-and-hold", "price, indicators and signal changes",
                     "confluence components", "walk-forward", "wealth fan", "distributions over paths",
                     "PSR, deflated Sharpe and PBO", "quality-gate findings"):
        assert expected in rest, expected
    # the explanation text is escaped, not injected as markup
    assert "&lt;trend&gt; &amp; co" in text and "<trend>" not in text


def test_report_tolerates_missing_sections(small_run: Path, tmp_path: Path) -> None:
    run = tmp_path / "partial"
    shutil.copytree(small_run, run)
    for sub in ("montecarlo", "walkforward", "portfolio"):
        shutil.rmtree(run / sub)
    (run / "summary.json").unlink()
    text = write_run_report(run).read_text(encoding="utf-8")
    assert "summary.json is missing" in text
    assert "no portfolio/ outputs in this run" in text
    assert "no walkforward/ outputs in this run" in text
    assert "no montecarlo/ outputs in this run" in text
    assert "confluence components" in text  # the signals that exist are still drawn


def test_not_a_run_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        write_run_report(tmp_path / "nope")
    with pytest.raises(DataError, match="holds no study outputs"):
        write_run_report(tmp_path)
    with pytest.raises(DataError, match="does not exist"):
        write_run_report(f"file://{tmp_path}/nope")  # URIs go through the same storage layer
    with pytest.raises(ConfigError, match="unsupported storage scheme"):
        write_run_report("nosuchscheme://bucket/runs/abc")


def test_large_universe_summary_plus_top_and_bottom(tmp_path: Path) -> None:
    run = make_run(tmp_path, n_symbols=200, n_bars=1500, wf_symbols=12)
    path = write_run_report(run, top_n=3)
    size = path.stat().st_size
    assert size < 10_000_000, f"report is {size / 1e6:.1f} MB"
    text = path.read_text(encoding="utf-8")
    shown = re.findall(r"<h3 id='sym-([^']+)'>", text)
    assert len(shown) == 6
    import json

    latest = json.loads((run / "summary.json").read_text())["signals"]["latest"]
    ranked = sorted(latest, key=lambda s: -latest[s]["confluence_score"])
    assert shown == ranked[:3] + ranked[-3:]
    assert "latest label across the universe (200 symbols)" in text
    assert "showing the 3 best and worst by out-of-sample Sharpe" in text


def test_report_renders_in_headless_chromium(small_run: Path) -> None:
    path = write_run_report(small_run, small_run / "browser.html")
    n_divs = path.read_text(encoding="utf-8").count("class=\"plotly-graph-div\"")
    result = render(path)
    assert result.errors == []
    assert result.charts == n_divs > 5
    assert result.rendered == result.charts
    assert all(u.startswith(("file://", "data:", "about:")) for u in result.requests), result.requests
    assert pixel_std(result.screenshot) > 10.0
