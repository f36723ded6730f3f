"""Every location the user names can be an s3:// URI (moto S3 on loopback): the HTML run report,
the serving signal cache, and the CLI's location options (no Ray here; Tune is in
test_s3_tune.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests._services import list_objects
from tests.cluster._study import small_study
from trading_signals.cli import app
from trading_signals.config import RunConfig
from trading_signals.data import storage
from trading_signals.data.lake import read_bars, write_bars
from trading_signals.data.synthetic import generate_universe

runner = CliRunner()
SECTIONS = ("overview", "portfolios", "signals", "walkforward", "overfitting", "montecarlo", "data")


def _invoke(*args: str) -> object:
    result = runner.invoke(app, list(args))
    return result


def _main(html: str) -> str:
    # The page body without the header (which names the run directory and the render time).
    return html[html.index("<nav>"):]


@pytest.fixture(scope="module")
def s3_run(moto_s3) -> str:
    """A small study with its lake, runs and registry all on s3:// (no local disk)."""
    from trading_signals.workflow.study import run_study

    base = moto_s3.uri("loc")
    cfg = RunConfig.model_validate(small_study(storage.join(base, "lake"), storage.join(base, "runs"),
                                               storage.join(base, "models"), model=None))
    return run_study(cfg).run_dir


# --------------------------------------------------------------------------- run report


def test_report_run_reads_an_s3_run_and_writes_next_to_it(s3_run, moto_s3, tmp_path) -> None:
    from trading_signals.report.run_report import write_run_report

    assert s3_run.startswith("s3://")
    r = _invoke("report", "run", s3_run)
    assert r.exit_code == 0, r.output
    target = storage.join(s3_run, "report.html")
    assert target in r.output.replace("\n", "")
    remote = storage.read_text(target)
    key = target.split("/", 3)[3]
    assert key in list_objects(moto_s3, key)  # one object in the bucket, nothing on local disk
    assert not Path("s3:").exists()
    for anchor in SECTIONS:
        assert f"<section id='{anchor}'>" in remote
    # Bars (buy-and-hold, candlesticks) and the import report come from the s3:// lake.
    for expected in ("equity vs buy-and-hold", "price, indicators and signal changes",
                     "confluence components", "wealth fan", "walk-forward",
                     f"import report {moto_s3.uri('loc', 'lake', 'reports')}"):
        assert expected in remote, expected
    # The same run copied to local disk renders the same page (header aside: it names the dir).
    copy = tmp_path / "copy"
    storage.download_dir(s3_run, copy)
    (copy / "report.html").unlink()
    local = write_run_report(copy)
    assert local == copy / "report.html"
    assert _main(local.read_text(encoding="utf-8")) == _main(remote)
    notes = re.findall(r"<p class=.note.>([^<]*)<", remote)
    assert not [n for n in notes if "missing" in n or "could not read" in n], notes
    assert f"run directory: {s3_run}" in remote


def test_report_run_out_option_takes_a_uri_or_a_local_file(s3_run, moto_s3, tmp_path) -> None:
    elsewhere = moto_s3.uri("reports", "study.html")
    r = _invoke("report", "run", s3_run, "--out", elsewhere)
    assert r.exit_code == 0, r.output
    assert storage.is_file(elsewhere) and elsewhere in r.output.replace("\n", "")
    local = tmp_path / "out" / "study.html"
    r = _invoke("report", "run", s3_run, "--out", str(local))
    assert r.exit_code == 0, r.output
    assert _main(local.read_text(encoding="utf-8")) == _main(storage.read_text(elsewhere))


def test_report_run_on_a_missing_s3_run_is_a_clear_error(moto_s3) -> None:
    missing = moto_s3.uri("loc", "runs", "nope")
    r = _invoke("report", "run", missing)
    assert r.exit_code == 2
    assert "does not exist" in r.output and missing in r.output.replace("\n", "")


# --------------------------------------------------------------------------- serving cache


class _Clock:
    """Monotonic and wall clocks the test moves by hand (wall = real time + offset)."""

    def __init__(self) -> None:
        import time

        self._time = time
        self.mono = 1000.0  # a 5 s bucket boundary is not crossed by +1.5 s (the old TTL)
        self.wall_offset_ns = 0

    def monotonic(self) -> float:
        return self.mono

    def time_ns(self) -> int:
        return self._time.time_ns() + self.wall_offset_ns


def test_signal_cache_refreshes_after_data_update_on_an_s3_lake(moto_s3, tmp_path, monkeypatch) -> None:
    from trading_signals.serving import signals as signals_mod
    from trading_signals.serving.signals import SignalService

    lake = moto_s3.uri("serve", "lake")
    full = generate_universe(1, 330, seed=11).bars["SYN0000"]
    write_bars(lake, full.iloc[:300], symbol="SYN0000", timeframe="1d")
    clock = _Clock()
    monkeypatch.setattr(signals_mod, "time", clock)
    reads = []
    real_read = signals_mod.read_bars
    monkeypatch.setattr(signals_mod, "read_bars", lambda *a, **k: reads.append(1) or real_read(*a, **k))
    service = SignalService(lake)  # default: a listing is trusted for 1 s on object stores

    first = service.lookup("SYN0000", "1d")
    assert first["bars_used"] == 300 and first["cache"] == "miss"
    # `tsig data update` appends 30 bars to the s3:// lake.
    src = tmp_path / "new.csv"
    full.iloc[290:330].reset_index().to_csv(src, index=False)
    r = _invoke("data", "update", "SYN0000", "--source", "files", "--path", str(src),
                "--lake", lake, "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["appended"] == 30
    assert len(read_bars(lake, symbol="SYN0000")) == 330
    clock.mono += 1.5  # past the 1 s listing TTL
    fresh = service.lookup("SYN0000", "1d")
    assert fresh["bars_used"] == 330 and fresh["cache"] == "miss"
    assert fresh["last_bar"] == full.index[329].to_pydatetime()

    # Unchanged and settled (mtime older than the coarse-mtime window): no re-read of the bars.
    clock.wall_offset_ns = 10_000_000_000
    clock.mono += 1.5
    service.lookup("SYN0000", "1d")
    n = len(reads)
    clock.mono += 1.5
    again = service.lookup("SYN0000", "1d")
    assert again["bars_used"] == 330 and again["cache"] == "hit" and len(reads) == n
    # Within the listing TTL nothing is listed again either (a polling client costs no LIST).
    assert service.lookup("SYN0000", "1d")["cache"] == "hit" and len(reads) == n


def test_fresh_whole_second_mtimes_force_a_reread_until_settled(moto_s3, monkeypatch) -> None:
    """S3 mtimes are whole seconds: a same-size rewrite within that second keeps (size, mtime), so
    a partition younger than the window is re-read at each listing, and no longer afterwards."""
    from trading_signals.serving import signals as signals_mod
    from trading_signals.serving.signals import SignalService

    lake = moto_s3.uri("serve2", "lake")
    bars = generate_universe(1, 120, seed=2).bars["SYN0000"]
    write_bars(lake, bars, symbol="SYN0000", timeframe="1d")
    entry = storage.scandir(storage.join(lake, "ohlcv", "timeframe=1d", "symbol=SYN0000"))[0]
    assert entry.coarse_mtime and entry.size > 0
    clock = _Clock()
    monkeypatch.setattr(signals_mod, "time", clock)
    service = SignalService(lake, remote_refresh_s=0.0)
    fresh = [service._fingerprint("SYN0000", "1d") for _ in range(2)]
    assert fresh[0] != fresh[1]  # each listing counts as a change
    clock.wall_offset_ns = 10_000_000_000
    settled = [service._fingerprint("SYN0000", "1d") for _ in range(2)]
    assert settled[0] == settled[1] == ((entry.name, entry.size, entry.mtime_ns),)


# --------------------------------------------------------------------------- CLI options


@pytest.fixture(scope="module")
def cli_lake(moto_s3) -> str:
    lake = moto_s3.uri("cli", "lake")
    r = _invoke("data", "import", "synthetic", "--symbols", "2", "--bars", "320", "--seed", "4",
                "--lake", lake)
    assert r.exit_code in (0, 1), r.output  # 1: rows quarantined (still imported)
    return lake


def test_data_import_and_ls_on_s3(cli_lake, moto_s3) -> None:
    keys = list_objects(moto_s3, "cli/lake/")
    assert any(k.startswith("cli/lake/ohlcv/timeframe=1d/symbol=SYN0000/") for k in keys)
    assert any(k.startswith("cli/lake/reports/import-") for k in keys)
    r = _invoke("data", "ls", "--lake", cli_lake, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["lake"] == cli_lake and [p["symbol"] for p in out["partitions"]] == ["SYN0000", "SYN0001"]
    assert out["import_reports"] == sum(1 for k in keys if k.startswith("cli/lake/reports/import-"))
    assert out["quarantine_files"] == sum(1 for k in keys if k.startswith("cli/lake/quarantine/")
                                          and k.endswith(".parquet"))


def test_signals_and_backtest_options_take_s3_uris(cli_lake, moto_s3) -> None:
    sig = moto_s3.uri("cli", "signals")
    r = _invoke("signals", "--lake", cli_lake, "--out", sig, "--json")
    assert r.exit_code == 0, r.output
    assert not Path("s3:").exists()  # a URI must never become a local folder named "s3:"
    assert storage.walk_files(storage.join(sig, "signals")) or storage.walk_files(sig)
    r = _invoke("signals", "explain", "--out", sig, "--symbol", "SYN0001", "--json")
    assert r.exit_code == 0, r.output
    runs = moto_s3.uri("cli", "runs")
    r = _invoke("backtest", "--lake", cli_lake, "--strategy", "confluence", "--signals", sig,
                "--out", runs, "--json")
    assert r.exit_code == 0, r.output
    summary = json.loads(r.output)
    assert str(summary["run_dir"]).startswith(runs + "/")
    assert storage.is_file(storage.join(summary["run_dir"], "summary.json"))


def test_walkforward_and_montecarlo_options_take_s3_uris(cli_lake, moto_s3) -> None:
    runs = moto_s3.uri("cli", "risk-runs")
    r = _invoke("walkforward", "--lake", cli_lake, "--symbols", "SYN0000", "--train", "150",
                "--test", "50", "--strategy", "sma_cross", "--serial", "--out", runs, "--json")
    assert r.exit_code == 0, r.output
    wf = json.loads(r.output)
    run_dir = wf["run_dir"]
    assert str(run_dir).startswith(runs + "/")
    returns = [f for f in storage.walk_files(run_dir) if f.endswith("returns.parquet")]
    assert returns, storage.walk_files(run_dir)
    r = _invoke("montecarlo", "--returns", storage.join(run_dir, returns[0]), "--serial",
                "--paths", "50", "--horizon", "10", "--out", runs, "--json")
    assert r.exit_code == 0, r.output
    assert str(json.loads(r.output)["run_dir"]).startswith(runs + "/")
    r = _invoke("montecarlo", "--symbol", "SYN0001", "--lake", cli_lake, "--serial",
                "--paths", "50", "--horizon", "10", "--out", runs, "--json")
    assert r.exit_code == 0, r.output


def test_research_report_out_and_lake_take_s3_uris(cli_lake, moto_s3, tmp_path) -> None:
    reports = moto_s3.uri("cli", "reports")
    r = _invoke("report", "SYN0001", "--as-of", "2020-06-30", "--lake", cli_lake,
                "--store", str(tmp_path / "no-store"), "--html", "--out", reports, "--json")
    assert r.exit_code == 0, r.output
    paths = json.loads(r.output[r.output.index("{"):])["paths"]
    assert set(paths) == {"markdown", "html"}
    for where in paths.values():
        assert where.startswith(reports + "/") and storage.is_file(where)
    assert "SYN0001" in storage.read_text(paths["markdown"])


def _callbacks(t: typer.Typer):
    for cmd in t.registered_commands:
        yield cmd.callback
    for grp in t.registered_groups:
        if grp.typer_instance.registered_callback is not None:
            yield grp.typer_instance.registered_callback.callback
        yield from _callbacks(grp.typer_instance)


def test_no_location_option_is_typed_as_a_local_path() -> None:
    """Every option naming where tables/artifacts live is a str (a URI survives untouched);
    only user input files (configs, CSV/news/corpus files, a JSON of figures) are Paths."""
    import importlib
    import inspect
    import typing

    from trading_signals.cli import _AREAS

    full = typer.Typer()
    for area in _AREAS:  # the real app registers areas lazily: build them all here
        importlib.import_module(f"trading_signals.cli.{area}").register(full)
    inputs = {"config", "paths", "path", "file", "news", "fundamentals", "questions"}
    names, typed_path = set(), set()
    for fn in _callbacks(full):
        hints = typing.get_type_hints(fn, include_extras=True)
        for name in inspect.signature(fn).parameters:
            names.add(name)
            if "Path" in str(hints.get(name)):
                typed_path.add(name)
                assert name in inputs, f"{fn.__module__}.{fn.__name__}: {name} is {hints[name]}"
    locations = {"lake", "out", "runs", "registry", "signals", "run_dir", "returns_file", "store"}
    assert locations <= names  # the walk saw the commands that take them
    assert not locations & typed_path


def _flat(text: str) -> str:
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def test_location_options_still_reject_a_local_file(tmp_path) -> None:
    """str-typed location options keep the parse-time check of local paths (exit 2)."""
    a_file = tmp_path / "f.txt"
    a_file.write_text("x")
    for args in (["data", "ls"], ["data", "update", "X", "--source", "files"],
                 ["backtest"], ["walkforward", "--serial"]):
        r = _invoke(*args, "--lake", str(a_file))
        assert r.exit_code == 2 and "is a file, not a directory" in _flat(r.output), (args, r.output)


def test_scandir_lists_the_same_entries_locally_and_on_s3(moto_s3, tmp_path) -> None:
    entries = {}
    for where, base in (("local", str(tmp_path)), ("s3", moto_s3.uri("scan"))):
        storage.write_bytes_atomic(storage.join(base, "a.parquet"), b"12345")
        storage.write_bytes_atomic(storage.join(base, "sub", "b.json"), b"{}")
        entries[where] = storage.scandir(base)
        assert [e.name for e in storage.scandir(base, "*.parquet")] == ["a.parquet"]
        assert storage.subdirs(base) == ["sub"]
        assert storage.scandir(storage.join(base, "missing")) == []
    assert [(e.name, e.is_dir, e.size) for e in entries["local"]] == \
           [(e.name, e.is_dir, e.size) for e in entries["s3"]] == [("a.parquet", False, 5), ("sub", True, None)]
    local_file, s3_file = entries["local"][0], entries["s3"][0]
    assert s3_file.coarse_mtime and s3_file.mtime_ns is not None  # S3: whole seconds
    assert abs(local_file.mtime_ns - s3_file.mtime_ns) < 5e9
