"""The users' main flow: jobs/backtest.py run directly and submitted to a `ray start --head` cluster."""

from __future__ import annotations

import json
import os
import signal
import socket
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.ray, pytest.mark.slow]


def _config(tmp: Path, *, name: str) -> Path:
    cfg = tmp / f"{name}.yaml"
    cfg.write_text(
        f"name: {name}\n"
        f"data: {{lake: {tmp / 'lake'}}}\n"
        "study:\n"
        "  universe: {sample: true, synthetic_symbols: 4, synthetic_bars: 600}\n"
        f"  runs: {tmp / 'runs'}\n"
        "risk:\n"
        "  walkforward: {train: 1000, test: 500}\n"
        "  montecarlo: {n_paths: 1000, horizon: 20}\n"
    )
    return cfg


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env() -> dict[str, str]:
    env = dict(os.environ, RAY_AUTH_MODE="disabled", RAY_USAGE_STATS_ENABLED="0")
    env.pop("RAY_ADDRESS", None)
    # The job's `python` must be this interpreter (the venv), even when the venv is not activated.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.fixture(scope="module")
def head_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `ray start --head` cluster in its own session, stopped by PID (never `ray stop`)."""
    import psutil

    # Ray puts Unix sockets under --temp-dir: keep the path short (the socket path limit is 107).
    temp = Path(tempfile.mkdtemp(prefix="tsray", dir="/tmp"))
    gcs, dash = _free_port(), _free_port()
    # Every agent port explicit: other local Ray instances (e.g. the session fixture) hold the
    # defaults, and a head whose job agent cannot bind answers "No available agent".
    agent_ports = [f"--dashboard-agent-listen-port={_free_port()}", f"--dashboard-agent-grpc-port={_free_port()}",
                   f"--metrics-export-port={_free_port()}", f"--runtime-env-agent-port={_free_port()}",
                   f"--node-manager-port={_free_port()}", f"--object-manager-port={_free_port()}"]
    ray_bin = str(Path(sys.executable).with_name("ray"))
    proc = subprocess.Popen(
        [ray_bin, "start", "--head", "--block", f"--port={gcs}", f"--dashboard-port={dash}",
         "--dashboard-host=127.0.0.1", "--include-dashboard=true", "--num-cpus=2",
         f"--temp-dir={temp}", "--disable-usage-stats", *agent_ports],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, env=_env(),
    )
    address = f"http://127.0.0.1:{dash}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(address + "/api/version", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("ray start --head did not come up within 120 s")
    yield address
    members = [p for p in psutil.process_iter(["pid", "cmdline"])
               if str(temp) in " ".join(p.info["cmdline"] or [])]
    for p in [psutil.Process(proc.pid), *members]:
        try:
            p.kill()
        except psutil.Error:
            pass
    if not os.environ.get("TSIG_KEEP_RAY_TEMP"):
        shutil.rmtree(temp, ignore_errors=True)


def _submit(address: str, *entrypoint: str, env_vars: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`ray job submit --working-dir <repo>`; retried while the node's job agent is starting."""
    ray_bin = str(Path(sys.executable).with_name("ray"))
    runtime = ["--runtime-env-json", json.dumps({"env_vars": env_vars})] if env_vars else []
    for _ in range(30):
        proc = subprocess.run(
            [ray_bin, "job", "submit", "--address", address, "--working-dir", str(ROOT), *runtime,
             "--", *entrypoint],
            capture_output=True, text=True, timeout=600, env=_env(), cwd=ROOT,
        )
        if "No available agent" not in proc.stderr:
            return proc
        time.sleep(2)
    return proc


def test_backtest_job_submitted_to_head_cluster_writes_outputs(head_cluster: str, tmp_path: Path) -> None:
    cfg = _config(tmp_path, name="submitted")
    proc = _submit(head_cluster, "python", "jobs/backtest.py", "--config", str(cfg))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    runs = list((tmp_path / "runs").glob("*/summary.json"))
    assert len(runs) == 1
    summary = json.loads(runs[0].read_text())
    assert summary["data"]["rows_in"] == summary["data"]["rows_clean"] + summary["data"]["rows_quarantined"]
    assert set(summary["walkforward"]) == {"SP500", "NASDAQ"}
    assert summary["signals"]["symbols"] == 6
    assert all("var_95" in v for v in summary["montecarlo"].values())


def _relative_config(tmp: Path) -> Path:
    cfg = tmp / "relative.yaml"
    cfg.write_text(
        "name: relative\n"
        "data: {lake: lake}\n"
        "study:\n"
        "  universe: {sample: false, synthetic_symbols: 2, synthetic_bars: 400}\n"
        "  walkforward_symbols: []\n"
        "  montecarlo: false\n"
        "  runs: runs\n"
    )
    return cfg


def test_backtest_job_relative_paths_land_under_the_storage_root(head_cluster: str, tmp_path: Path) -> None:
    # Arrange: relative lake/runs, as configs/backtest.yaml ships them
    cfg = _relative_config(tmp_path)
    store = tmp_path / "store"
    # Act: without a storage root the job stops at once; with TSIG_STORAGE it writes there
    refused = _submit(head_cluster, "python", "jobs/backtest.py", "--config", str(cfg))
    done = _submit(head_cluster, "python", "jobs/backtest.py", "--config", str(cfg),
                   env_vars={"TSIG_STORAGE": str(store)})
    # Assert
    assert refused.returncode != 0 and "TSIG_STORAGE" in refused.stdout + refused.stderr
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    summaries = list((store / "runs").glob("*/summary.json"))
    assert len(summaries) == 1 and (store / "lake" / "ohlcv").is_dir()
    assert str(summaries[0].parent) in done.stdout  # the job prints the absolute location


def test_backtest_job_fails_clearly_on_bad_config(head_cluster: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("study: {universe: {synthetic_symbols: -3}}\n")
    proc = _submit(head_cluster, "python", "jobs/backtest.py", "--config", str(bad))
    assert proc.returncode != 0
    assert "study.universe.synthetic_symbols" in proc.stdout + proc.stderr


def test_backtest_job_run_directly_serial_and_exit_codes(tmp_path: Path) -> None:
    cfg = _config(tmp_path, name="direct")
    ok = subprocess.run([sys.executable, "jobs/backtest.py", "--config", str(cfg), "--serial"],
                        capture_output=True, text=True, timeout=600, env=_env(), cwd=ROOT)
    assert ok.returncode == 0, ok.stderr[-3000:]
    assert json.loads(ok.stdout[ok.stdout.index("{"):])["run_dir"]
    missing = subprocess.run([sys.executable, "jobs/backtest.py", "--config", str(tmp_path / "nope.yaml")],
                             capture_output=True, text=True, timeout=120, env=_env(), cwd=ROOT)
    assert missing.returncode == 2 and "not found" in missing.stderr


def test_backtest_job_under_a_job_without_storage_root_exits_2_at_once(tmp_path: Path) -> None:
    # The job supervisor's marker variable, as `ray job submit` sets it for the entrypoint.
    env = dict(_env(), RAY_JOB_CONFIG_JSON_ENV_VAR="{}")
    env.pop("TSIG_STORAGE", None)
    proc = subprocess.run([sys.executable, "jobs/backtest.py", "--config", str(_relative_config(tmp_path)),
                           "--serial"], capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert proc.returncode == 2 and "TSIG_STORAGE" in proc.stderr and "data.lake" in proc.stderr
