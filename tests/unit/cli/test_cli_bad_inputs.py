"""Bad options and configs through the real CLI: exit code 2, no traceback, the culprit named.

Each row of :data:`OPTION_CASES` / :data:`CONFIG_CASES` is one bad input from issue 11. The
message must name the option (``--paths``) or the config key path (``models.params.lr``), and the
command must stop before doing any work (a 100-million-path Monte Carlo fails in well under a
second; an unreachable Ray address within 30 s).
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trading_signals.cli import app

runner = CliRunner()


def _invoke(args: list[str]) -> tuple[int, str, BaseException | None]:
    result = runner.invoke(app, args)
    out = result.output  # stdout and stderr, interleaved
    return result.exit_code, out, result.exception


def _assert_usage_error(args: list[str], names: tuple[str, ...]) -> str:
    code, out, exc = _invoke(args)
    # An uncaught exception reaches CliRunner as result.exception (a traceback for a user).
    assert exc is None or isinstance(exc, SystemExit), f"{args}: uncaught {exc!r}\n{out}"
    assert code == 2, f"{args}: exit {code}\n{out}"
    assert "Traceback" not in out
    flat = " ".join(out.split())
    for name in names:
        assert name in flat, f"{args}: message does not name {name!r}:\n{out}"
    return out


@pytest.fixture(scope="module")
def lake(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("badlake") / "lake"
    code, out, _ = _invoke(["data", "import", "synthetic", "--lake", str(root), "--symbols", "1",
                            "--bars", "300", "--json"])
    assert code == 0, out
    return root


@pytest.fixture(scope="module")
def a_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("files") / "not_a_dir.txt"
    path.write_text("x")
    return path


@pytest.fixture(scope="module")
def prices_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("csv") / "prices.csv"
    path.write_text("date,close\n2020-01-01,1\n2020-01-02,2\n")
    return path


# (id, args with {lake}/{file}/{csv} placeholders, names the message must contain)
OPTION_CASES = [
    ("mc-paths-0", ["montecarlo", "--symbol", "SYN0000", "--lake", "{lake}", "--paths", "0"], ("--paths",)),
    ("mc-horizon-neg", ["montecarlo", "--symbol", "SYN0000", "--lake", "{lake}", "--horizon", "-1"],
     ("--horizon",)),
    ("mc-model-foo", ["montecarlo", "--symbol", "SYN0000", "--lake", "{lake}", "--model", "foo"],
     ("--model", "garch")),
    ("mc-mean-block-0", ["montecarlo", "--symbol", "SYN0000", "--lake", "{lake}", "--mean-block", "0"],
     ("--mean-block",)),
    ("mc-paths-huge", ["montecarlo", "--symbol", "SYN0000", "--lake", "{lake}", "--paths", "100000000",
                       "--serial"], ("--paths",)),
    ("mc-returns-csv", ["montecarlo", "--returns", "{csv}", "--serial"], ("--returns", "prices.csv")),
    ("wf-purge-neg", ["walkforward", "--symbol", "SYN0000", "--lake", "{lake}", "--purge", "-3"],
     ("--purge",)),
    ("demo-synthetic-neg", ["demo", "--synthetic", "-1", "--lake", "{tmp}/l", "--runs", "{tmp}/r"],
     ("--synthetic",)),
    ("import-seed-neg", ["data", "import", "synthetic", "--lake", "{tmp}/l", "--seed", "-1"], ("--seed",)),
    ("backtest-slow-huge", ["backtest", "--lake", "{lake}", "--symbols", "SYN0000", "--out", "{tmp}/o",
                            "--slow", "99999999999999999999999"], ("--slow",)),
    ("backtest-slow-longer-than-data", ["backtest", "--lake", "{lake}", "--symbols", "SYN0000",
                                        "--out", "{tmp}/o", "--slow", "5000"], ("--slow", "300")),
    ("explain-at-notadate", ["signals", "explain", "--out", "{tmp}/s", "--symbol", "SYN0000",
                             "--at", "notadate"], ("--at",)),
    ("sweep-top-neg", ["sweep", "--lake", "{lake}", "--symbol", "SYN0000", "--top", "-1", "--serial"],
     ("--top",)),
    ("sweep-fast-reversed", ["sweep", "--lake", "{lake}", "--symbol", "SYN0000", "--fast", "50:5",
                             "--serial"], ("--fast",)),
    ("sweep-fast-above-slow", ["sweep", "--lake", "{lake}", "--symbol", "SYN0000", "--fast", "100:120",
                               "--slow", "20:40", "--serial"], ("--fast", "--slow")),
    ("sweep-slow-longer-than-data", ["sweep", "--lake", "{lake}", "--symbol", "SYN0000",
                                     "--slow", "400:500", "--serial"], ("--slow",)),
    ("lake-is-file", ["data", "import", "synthetic", "--lake", "{file}", "--symbols", "1", "--bars", "50"],
     ("--lake",)),
    ("lake-uncreatable", ["data", "import", "synthetic", "--lake", "{file}/sub", "--symbols", "1",
                          "--bars", "50"], ("--lake",)),
    ("out-is-file", ["backtest", "--lake", "{lake}", "--symbols", "SYN0000", "--out", "{file}"], ("--out",)),
    ("mc-out-is-file", ["montecarlo", "--symbol", "SYN0000", "--lake", "{lake}", "--out", "{file}",
                        "--serial", "--paths", "10"], ("--out",)),
    ("runs-is-file", ["demo", "--lake", "{tmp}/l", "--runs", "{file}", "--serial"], ("--runs",)),
    ("features-out-is-file", ["features", "--lake", "{lake}", "--out", "{file}", "--serial"], ("--out",)),
    ("lake-missing-for-read", ["backtest", "--lake", "{tmp}/nolake", "--symbols", "SYN0000",
                               "--out", "{tmp}/o"], ("--lake",)),
]


@pytest.mark.parametrize(("args", "names"), [c[1:] for c in OPTION_CASES], ids=[c[0] for c in OPTION_CASES])
def test_bad_option_exits_2_naming_it(args, names, lake, a_file, prices_csv, tmp_path) -> None:
    subst = {"{lake}": str(lake), "{file}": str(a_file), "{csv}": str(prices_csv), "{tmp}": str(tmp_path)}
    resolved = []
    for a in args:
        for k, v in subst.items():
            a = a.replace(k, v)
        resolved.append(a)
    t0 = time.perf_counter()
    _assert_usage_error(resolved, names)
    assert time.perf_counter() - t0 < 20  # rejected before any real work


def _yaml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    return path


CONFIG_CASES = [
    ("n-estimators-neg", "models:\n  name: lightgbm\n  params: {n_estimators: -5}\n",
     "models.params.n_estimators"),
    ("lstm-heads", "models:\n  name: lstm\n  params: {hidden_size: 10, num_heads: 3}\n",
     "models.params.hidden_size"),
    ("lstm-lr-neg", "models:\n  name: lstm\n  params: {lr: -1}\n", "models.params.lr"),
    ("unknown-param", "models:\n  name: lightgbm\n  params: {n_estimatorz: 5}\n",
     "models.params.n_estimatorz"),
    ("study-param", "tune:\n  studies:\n    - model: lightgbm\n      params: {num_leaves: 0}\n",
     "tune.studies.0.params.num_leaves"),
    ("timeframe-7x", "data:\n  timeframe: 7x\n", "data.timeframe"),
    ("naive-tz", "data:\n  gate:\n    naive_timezone: Mars/Olympus\n", "data.gate.naive_timezone"),
    ("wf-train-test", "risk:\n  walkforward: {train: -5, test: 0}\n", "risk.walkforward.train"),
    ("wf-test-0", "risk:\n  walkforward: {test: 0}\n", "risk.walkforward.test"),
    ("portfolio-fast-slow", "study:\n  portfolio: {fast: 100, slow: 20}\n", "study.portfolio"),
    ("unknown-indicator", "features:\n  indicators: [{name: sma}, {name: frobnicate}]\n", "features.indicators"),
    ("indicator-bad-param", "features:\n  indicators: [{name: rsi, params: {timeperiod: 0}}]\n",
     "features.indicators"),
    ("higher-timeframe", "features:\n  higher_timeframes: [1w, 3q]\n", "features.higher_timeframes"),
    ("synthetic-seed", "data:\n  synthetic: {seed: -1}\n", "data.synthetic.seed"),
]


@pytest.mark.parametrize(("text", "key"), [c[1:] for c in CONFIG_CASES], ids=[c[0] for c in CONFIG_CASES])
def test_bad_config_rejected_by_config_show_naming_key(text: str, key: str, tmp_path: Path) -> None:
    from trading_signals.config import load_config
    from trading_signals.errors import ConfigError

    path = _yaml(tmp_path, text)
    # Every check, the indicator spec included, runs in load_config itself (jobs too).
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_config(path)
    out = _assert_usage_error(["config", "show", str(path)], (key,))
    assert "bad.yaml" in out


def test_empty_csv_import_exits_nonzero_with_empty_file_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    code, out, exc = _invoke(["data", "import", "files", str(empty), "--lake", str(tmp_path / "l"),
                              "--symbol", "AAA", "--json"])
    assert exc is None or isinstance(exc, SystemExit)
    assert code != 0 and "empty_file" in out


def _dead_port() -> int:
    with socket.socket() as s:  # bound then closed: nothing listens there
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_ray_address_fails_fast(lake: Path, tmp_path: Path) -> None:
    # A TEST-NET address drops packets (no RST): the worst case for a hanging connect.
    for address in (f"127.0.0.1:{_dead_port()}", "192.0.2.1:6379"):
        t0 = time.perf_counter()
        _assert_usage_error(["montecarlo", "--symbol", "SYN0000", "--lake", str(lake), "--paths", "10",
                             "--out", str(tmp_path / "o"), "--ray", "--address", address],
                            ("--address", address))
        assert time.perf_counter() - t0 < 30


@pytest.mark.skipif(os.environ.get("TSIG_SKIP_TRANSFORMER_CHECK") == "1", reason="opt-out")
def test_transformer_model_path_that_is_not_a_model(tmp_path: Path) -> None:
    news = tmp_path / "n.jsonl"
    news.write_text('{"published_at": "2020-01-01T00:00:00Z", "symbol": "AAA", "headline": "up"}\n')
    (tmp_path / "notamodel").mkdir()
    (tmp_path / "notamodel" / "readme.txt").write_text("hello")
    _assert_usage_error(["sentiment", "score", str(news), "--scorer", "transformer",
                         "--model-path", str(tmp_path / "notamodel")], ("--model-path",))
