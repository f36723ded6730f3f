"""``tsig data update``: only new bars are appended, through the gate, idempotently."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from trading_signals.cli import app
from trading_signals.data.lake import partition_path, read_bars
from trading_signals.data.synthetic import generate_universe
from trading_signals.data.update import append_new_bars
from trading_signals.data.raw import RawInput


def _csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.reset_index().to_csv(path, index=False)
    return path


def test_update_appends_only_new_bars_and_a_rerun_adds_nothing(lake_factory, tmp_path) -> None:
    lake = lake_factory(cut=250)
    full = generate_universe(3, 320, seed=5).bars["SYN0000"]
    src = _csv(full.iloc[240:300], tmp_path / "syn0000.csv")  # 10 known bars + 50 new ones
    runner = CliRunner()
    args = ["data", "update", "SYN0000", "--source", "files", "--path", str(src), "--lake", str(lake), "--json"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    rep = json.loads(first.output)
    assert rep["appended"] == 50 and rep["symbols"][0]["duplicates"] == 10
    bars = read_bars(lake, symbol="SYN0000")
    assert len(bars) == 300 and bars.index.equals(full.index[:300])
    assert (bars.to_numpy() == full.iloc[:300][bars.columns].to_numpy()).all()
    mtime = Path(partition_path(lake, symbol="SYN0000", timeframe="1d")).stat().st_mtime_ns
    second = runner.invoke(app, args)
    assert second.exit_code == 0 and json.loads(second.output)["appended"] == 0
    assert Path(partition_path(lake, symbol="SYN0000", timeframe="1d")).stat().st_mtime_ns == mtime


def test_update_reports_conflicts_and_never_rewrites_history(lake_factory) -> None:
    lake = lake_factory(cut=250)
    full = generate_universe(3, 320, seed=5).bars["SYN0001"]
    raw = full.iloc[245:260].copy()
    raw.iloc[0, raw.columns.get_loc("close")] *= 1.01  # a revised known bar (still valid OHLC)
    raw.iloc[0, raw.columns.get_loc("high")] = max(raw.iloc[0]["high"], raw.iloc[0]["close"])
    rep = append_new_bars([RawInput(source="t", symbol="SYN0001", frame=raw.reset_index())],
                          lake=str(lake), timeframe="1d")
    st = rep.symbols[0]
    assert (st.appended, st.duplicates, st.conflicts) == (10, 4, 1) and not rep.ok
    stored = read_bars(lake, symbol="SYN0001")
    assert stored.loc[full.index[245], "close"] == full.loc[full.index[245], "close"]
    assert len(stored) == 260


def test_gate_rejects_bad_new_rows_into_quarantine(lake_factory, tmp_path) -> None:
    lake = lake_factory(cut=250)
    full = generate_universe(3, 320, seed=5).bars["SYN0002"]
    raw = full.iloc[250:260].reset_index()
    raw.loc[3, "high"] = raw.loc[3, "low"] / 2  # high below low: the gate quarantines it
    rep = append_new_bars([RawInput(source="bad.csv", symbol="SYN0002", frame=raw)],
                          lake=str(lake), timeframe="1d")
    assert rep.rows_quarantined >= 1 and rep.quarantine_files and not rep.ok
    assert full.index[253] not in read_bars(lake, symbol="SYN0002").index


def test_signals_endpoint_sees_updated_bars_on_the_next_request(make_client, lake_factory, auth, tmp_path) -> None:
    lake = lake_factory(cut=250)
    client, _ = make_client(lake=lake)
    before = client.get("/v1/signals/SYN0000", headers=auth).json()
    full = generate_universe(3, 320, seed=5).bars["SYN0000"]
    src = _csv(full.iloc[250:270], tmp_path / "new.csv")
    res = CliRunner().invoke(app, ["data", "update", "SYN0000", "--source", "files", "--path", str(src),
                                   "--lake", str(lake)])
    assert res.exit_code == 0, res.output
    after = client.get("/v1/signals/SYN0000", headers=auth).json()
    assert after["cache"] == "miss" and after["bars_used"] == 270
    assert pd.Timestamp(after["last_bar"]) == full.index[269] > pd.Timestamp(before["last_bar"])


def test_update_usage_errors_exit_2(lake_factory) -> None:
    lake = lake_factory(cut=250)
    res = CliRunner().invoke(app, ["data", "update", "SYN0000", "--source", "files", "--lake", str(lake)])
    assert res.exit_code == 2 and "--path" in res.output
    res = CliRunner().invoke(app, ["data", "update", "SYN0000", "--source", "ftp", "--lake", str(lake)])
    assert res.exit_code == 2


def test_remote_update_fetches_from_the_last_bar_and_appends_only_new_ones(lake_factory, monkeypatch) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs, urlparse

    lake = lake_factory(cut=250)
    full = generate_universe(3, 320, seed=5).bars["SYN0001"]
    seen: list[dict[str, list[str]]] = []

    class Stooq(BaseHTTPRequestHandler):  # a loopback stand-in for stooq.com's CSV endpoint
        def do_GET(self) -> None:
            q = parse_qs(urlparse(self.path).query)
            seen.append(q)
            rows = full.iloc[:300]
            if "d1" in q:
                rows = rows.loc[pd.Timestamp(q["d1"][0], tz="UTC"):]
            lines = ["Date,Open,High,Low,Close,Volume"] + [
                f"{t:%Y-%m-%d},{float(r.open)!r},{float(r.high)!r},{float(r.low)!r},{float(r.close)!r},{float(r.volume)!r}"
                for t, r in rows.iterrows()]
            body = ("\n".join(lines) + "\n").encode()
            self.send_response(200)
            self.send_header("content-type", "text/csv")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Stooq)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("TSIG_STOOQ_BASE_URL", f"http://127.0.0.1:{server.server_address[1]}")
        for var in ("ALPHAVANTAGE_API_KEY", "POLYGON_API_KEY"):
            monkeypatch.delenv(var, raising=False)
        args = ["data", "update", "SYN0001", "--source", "remote", "--lake", str(lake), "--json",
                "--lookback-days", "7"]
        first = CliRunner().invoke(app, args)
        assert first.exit_code == 0, first.output
        assert json.loads(first.output)["appended"] == 50
        last_before = full.index[249]
        assert seen and pd.Timestamp(seen[-1]["d1"][0], tz="UTC") == (last_before - pd.Timedelta(days=7)).normalize()
        second = CliRunner().invoke(app, args)
        assert second.exit_code == 0 and json.loads(second.output)["appended"] == 0
    finally:
        server.shutdown()
    assert read_bars(lake, symbol="SYN0001").index.equals(full.index[:300])
