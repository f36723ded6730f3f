"""A real two-node Ray cluster on this machine running `jobs/backtest.py` via `ray job submit`.

Head and worker are separate `ray start` nodes (own temp dirs, 1 CPU each); every location is
on the moto S3 (the nodes share no disk for outputs). The job's tasks must run on both nodes,
its outputs must equal the serial run's, and killing the worker node's raylet in the middle of
the walk-forward (after its first window checkpoint lands) must not change them: lost tasks
are retried on the surviving node and finished windows are not recomputed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests._services import list_objects, ray_cluster, raylet_pid
from tests.cluster._study import assert_same_outputs, run_outputs, small_study, strip_locations
from trading_signals.config import RunConfig

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _config(moto_s3, prefix: str) -> dict:
    cfg = small_study(moto_s3.uri(prefix, "lake"), moto_s3.uri(prefix, "runs"),
                      moto_s3.uri(prefix, "models"), model=None)
    # Enough walk-forward windows (2 symbols x ~26) that work remains when the raylet dies.
    cfg["study"]["universe"]["synthetic_bars"] = 800
    cfg["risk"]["walkforward"] = {"train": 120, "test": 25, "purge": 5}
    return cfg


@pytest.fixture(scope="module")
def serial_run(moto_s3):
    from trading_signals.workflow.study import run_study

    cfg = RunConfig.model_validate(_config(moto_s3, "serial"))
    return run_study(cfg)


def _ray(cluster, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).with_name("ray")), *args], env=cluster.env,
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def _first_window_checkpoint(moto_s3, prefix: str) -> bool:
    return any("/walkforward/" in k and k.endswith("/meta.json") and "/item=" in k
               for k in list_objects(moto_s3, f"{prefix}/runs/"))


def test_job_on_two_nodes_survives_raylet_kill_with_identical_outputs(moto_s3, serial_run, tmp_path):
    from ray.job_submission import JobStatus, JobSubmissionClient
    from ray.util.state import list_tasks

    config = tmp_path / "multinode.yaml"
    config.write_text(yaml.safe_dump(_config(moto_s3, "ray")))
    # Faster node-death detection than the 3 s x 5 default (not too fast: a loaded machine
    # must not look dead).
    fast_fail = {"RAY_health_check_period_ms": "1000", "RAY_health_check_failure_threshold": "5"}
    with ray_cluster(worker_nodes=1, env={**moto_s3.env, **fast_fail}) as cluster:
        runtime_env = {"env_vars": {**moto_s3.env, "RAY_AUTH_MODE": "disabled"}}
        sid = f"tsig-multinode-{os.getpid()}"
        args = ["job", "submit", "--address", cluster.dashboard_url, "--no-wait", "--submission-id",
                sid, "--working-dir", ".", "--runtime-env-json", json.dumps(runtime_env), "--",
                "python", "jobs/backtest.py", "--config", str(config)]
        for _ in range(40):  # the head's job agent registers a few seconds after `ray start`
            submit = _ray(cluster, *args, timeout=90)
            if submit.returncode == 0 or "No available agent" not in submit.stderr:
                break
            time.sleep(1.5)
        assert submit.returncode == 0, submit.stdout + submit.stderr[-3000:]
        client = JobSubmissionClient(cluster.dashboard_url)
        worker = cluster.workers[0]
        killed = None
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline:
            status = client.get_job_status(sid)
            if status in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.STOPPED):
                break
            if killed is None and _first_window_checkpoint(moto_s3, "ray"):
                killed = raylet_pid(worker.temp_dir)
                assert killed is not None, "the worker node's raylet is not running"
                os.kill(killed, signal.SIGKILL)
            time.sleep(0.5)
        logs = client.get_job_logs(sid)
        assert status == JobStatus.SUCCEEDED, f"job ended {status}:\n{logs[-4000:]}"
        assert killed is not None, f"the walk-forward finished before the raylet kill:\n{logs[-2000:]}"

        # Tasks ran on both nodes (the worker node before it died), and some were retried.
        job_id = client.get_job_info(sid).job_id
        tasks = list_tasks(address=cluster.dashboard_url, filters=[("job_id", "=", job_id)],
                           limit=10_000, detail=True, raise_on_missing_output=False)
        nodes = {t.node_id for t in tasks if t.node_id and t.name.startswith(("features:", "walkforward:"))}
        assert len(nodes) == 2, f"tasks ran on {len(nodes)} node(s): {sorted(nodes)}"
        retried = sorted(t.name for t in tasks if t.attempt_number > 0)
        from ray.util.state import list_nodes

        dead = [n for n in list_nodes(address=cluster.dashboard_url, detail=True) if n.state == "DEAD"]
        assert len(dead) == 1, f"expected the worker node to be dead after the kill: {dead}"
        print(f"nodes used: {len(nodes)}; retried tasks after the raylet kill: {retried}")

    # The job's last output is one JSON object; Ray may append its own warnings after it.
    printed, _ = json.JSONDecoder().raw_decode(logs[logs.rindex("\n{\n") + 1:])
    assert printed["run_dir"].startswith(moto_s3.uri("ray", "runs"))
    assert printed["reused"] is False
    from trading_signals.workflow.runs import finished_summary

    summary = finished_summary(printed["run_dir"])
    assert summary is not None and summary["executor"] == "ray"
    assert strip_locations(summary) == strip_locations(serial_run.summary)
    assert_same_outputs(run_outputs(serial_run.run_dir), run_outputs(printed["run_dir"]))
