"""Idempotent helpers for tests that need an outside service: moto S3, Debian tools, Ray nodes.

Everything here starts on loopback only and stops what it started by PID. When a required
tool is missing and cannot be installed, the helpers raise (tests FAIL rather than skip: CI
must notice a missing part).

    from tests._services import moto_server, ensure_debian_package, ray_cluster

    with moto_server(bucket="tsig") as s3:          # exports AWS_* for the block
        ...  s3.uri("lake")  ->  "s3://tsig/lake"
    chromium = ensure_debian_package("chromium", "chromium")
    with ray_cluster(worker_nodes=1) as cluster:     # `ray start --head` + one more node
        ...  cluster.address, cluster.dashboard_url
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

# --------------------------------------------------------------------------- ports


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, host: str = "127.0.0.1", timeout: float = 30.0) -> None:
    """Block until something accepts connections on ``host:port`` (or raise after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout:.0f}s")


# --------------------------------------------------------------------------- moto S3


@dataclass
class MotoS3:
    """A running moto S3 server: its endpoint, bucket and the AWS env it was started with."""

    endpoint: str
    bucket: str
    env: dict[str, str] = field(default_factory=dict)

    def uri(self, *parts: str) -> str:
        """``s3://<bucket>/<parts...>``."""
        return "/".join([f"s3://{self.bucket}", *[p.strip("/") for p in parts if p]])


AWS_TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


@contextlib.contextmanager
def moto_server(bucket: str = "tsig", *, export_env: bool = True) -> Iterator[MotoS3]:
    """Start moto's S3 API on 127.0.0.1 (a free port), create ``bucket``, export the AWS env.

    The environment variables (credentials, region, ``AWS_ENDPOINT_URL``) are set for the
    duration of the block and restored afterwards; ``AWS_ENDPOINT_URL_S3`` is removed meanwhile
    so an ambient value cannot redirect the test to a real service.
    """
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:  # part of the dev dependencies: fail loudly
        raise RuntimeError("moto[server] is not installed; `pip install 'moto[server]'`") from exc
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one log line per request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    env = {**AWS_TEST_ENV, "AWS_ENDPOINT_URL": endpoint}
    saved = {k: os.environ.get(k) for k in [*env, "AWS_ENDPOINT_URL_S3", "AWS_SESSION_TOKEN",
                                            "AWS_PROFILE"]}
    try:
        wait_for_port(port)
        if export_env:
            for k in ("AWS_ENDPOINT_URL_S3", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
                os.environ.pop(k, None)
            os.environ.update(env)
        import boto3

        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                     aws_access_key_id="testing", aws_secret_access_key="testing").create_bucket(
            Bucket=bucket)
        yield MotoS3(endpoint=endpoint, bucket=bucket, env=env)
    finally:
        if export_env:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        # moto keeps its backends in process globals: reset them so the next server starts empty.
        import urllib.request

        with contextlib.suppress(OSError):
            urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"),
                                   timeout=10).close()
        server.stop()


def list_objects(s3: MotoS3, prefix: str = "") -> dict[str, bytes]:
    """Return ``{key: content}`` for every object under ``prefix`` (read with boto3)."""
    import boto3

    client = boto3.client("s3", endpoint_url=s3.endpoint, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    out: dict[str, bytes] = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=s3.bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            out[obj["Key"]] = client.get_object(Bucket=s3.bucket, Key=obj["Key"])["Body"].read()
    return out


# --------------------------------------------------------------------------- Debian packages


def ensure_debian_package(package: str, binary: str, *, timeout: float = 600.0) -> str:
    """Return the path of ``binary``, installing Debian ``package`` first when it is missing.

    Installs with ``apt-get install -y`` under ``flock /tmp/apt.lock`` (parallel test workers
    and helpers share one dpkg lock). Raises ``RuntimeError`` with the command to run by hand
    when the install is impossible (no root, no apt): a test needing the tool must fail, not skip.
    """
    found = shutil.which(binary)
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None:
        raise RuntimeError(f"{binary!r} is missing and apt-get is not available; install the "
                           f"Debian package {package!r} (or its equivalent) and rerun")
    prefix: list[str] = [] if os.geteuid() == 0 else ["sudo", "-n"]
    lock = ["flock", "/tmp/apt.lock"] if shutil.which("flock") else []
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    cmd = [*lock, *prefix, "sh", "-c",
           f"command -v {binary} >/dev/null || (apt-get install -y --no-install-recommends {package}"
           f" || (apt-get update && apt-get install -y --no-install-recommends {package}))"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    found = shutil.which(binary)
    if found is None:
        raise RuntimeError(
            f"could not install {package!r} for {binary!r} (exit {proc.returncode}): "
            f"{proc.stderr.strip()[-500:]}\nrun `sudo apt-get install -y {package}` and rerun")
    return found


# --------------------------------------------------------------------------- Ray nodes


def ray_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for ``ray`` CLI calls in tests: auth and usage stats off."""
    env = {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}
    env.pop("RAY_ADDRESS", None)
    # As an activated venv would: `python` in a job entrypoint is the interpreter running the
    # tests (with the package and its dependencies), not whatever else is on PATH.
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([bindir, *[p for p in env.get("PATH", "").split(os.pathsep) if p != bindir]])
    env.update(extra or {})
    return env


def _ray_cli() -> str:
    cand = Path(sys.executable).with_name("ray")
    if cand.exists():
        return str(cand)
    found = shutil.which("ray")
    if found is None:
        raise RuntimeError("the `ray` CLI is not installed next to the test interpreter")
    return found


@dataclass
class RayNode:
    """One ``ray start`` node: its temp dir and the PIDs of the processes it started."""

    temp_dir: str
    pids: list[int]
    node_id: str = ""
    raylet_pid: int | None = None


@dataclass
class RayCluster:
    """A head plus worker nodes started with the ``ray`` CLI on this machine."""

    address: str
    dashboard_url: str
    head: RayNode
    workers: list[RayNode]
    env: dict[str, str]


def _session_pids(temp_dir: str) -> list[int]:
    """PIDs of every process whose command line mentions this node's temp dir."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if temp_dir in cmd:
            pids.append(int(proc.name))
    return pids


def raylet_pid(temp_dir: str) -> int | None:
    """PID of the raylet of the node started with ``--temp-dir temp_dir`` (None if gone)."""
    for pid in _session_pids(temp_dir):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cmd and cmd[0].endswith(b"raylet"):
            return pid
    return None


def _stop_pids(pids: list[int], grace: float = 5.0) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        alive = []
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)
                alive.append(pid)
        if not alive:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() and
                                                  "Z" not in _state(p) for p in alive):
            time.sleep(0.1)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except (OSError, IndexError):
        return "X"


@contextlib.contextmanager
def ray_cluster(*, worker_nodes: int = 1, head_cpus: int = 1, worker_cpus: int = 1,
                env: dict[str, str] | None = None, object_store_mb: int = 100,
                timeout: float = 90.0) -> Iterator[RayCluster]:
    """Start ``ray start --head`` and ``worker_nodes`` more nodes on 127.0.0.1; stop them by PID.

    Each node gets its own short temp dir under /tmp (Unix socket paths are limited to 107
    bytes), its own ``--num-cpus``, and a custom resource ``node_<i>`` so tests can pin work.
    ``env`` is added to every node's environment (e.g. the AWS variables for moto).
    """
    ray = _ray_cli()
    base_env = ray_env(env)
    gcs_port, dash_port = free_port(), free_port()
    head_dir = tempfile.mkdtemp(prefix="rh", dir="/tmp")
    nodes: list[RayNode] = []
    common = ["--disable-usage-stats", f"--object-store-memory={object_store_mb * 1024 * 1024}"]

    def node_ports() -> list[str]:
        # Every fixed-default port picked free: other Ray instances on this machine (other test
        # sessions, the other node of this cluster) hold 52365, 10001 and friends.
        return [f"--dashboard-agent-listen-port={free_port()}", f"--dashboard-agent-grpc-port={free_port()}",
                f"--runtime-env-agent-port={free_port()}", f"--metrics-export-port={free_port()}",
                f"--node-manager-port={free_port()}", f"--object-manager-port={free_port()}"]
    try:
        cmd = [ray, "start", "--head", "--node-ip-address=127.0.0.1", f"--port={gcs_port}",
               f"--num-cpus={head_cpus}", "--include-dashboard=true",
               "--dashboard-host=127.0.0.1", f"--dashboard-port={dash_port}",
               f"--temp-dir={head_dir}", '--resources={"node_head": 1}',
               f"--ray-client-server-port={free_port()}", *node_ports(), *common]
        _run(cmd, base_env, timeout)
        nodes.append(RayNode(temp_dir=head_dir, pids=_session_pids(head_dir),
                             raylet_pid=raylet_pid(head_dir)))
        address = f"127.0.0.1:{gcs_port}"
        workers = []
        for i in range(worker_nodes):
            wdir = tempfile.mkdtemp(prefix=f"rw{i}", dir="/tmp")
            cmd = [ray, "start", f"--address={address}", "--node-ip-address=127.0.0.1",
                   f"--num-cpus={worker_cpus}", f"--temp-dir={wdir}",
                   f'--resources={{"node_{i + 1}": 1}}', *node_ports(), *common]
            _run(cmd, base_env, timeout)
            node = RayNode(temp_dir=wdir, pids=_session_pids(wdir), raylet_pid=raylet_pid(wdir))
            nodes.append(node)
            workers.append(node)
        wait_for_port(dash_port, timeout=timeout)
        yield RayCluster(address=address, dashboard_url=f"http://127.0.0.1:{dash_port}",
                         head=nodes[0], workers=workers, env=base_env)
    finally:
        # Workers first, then the head; refresh PIDs (workers spawn processes after start).
        for node in reversed(nodes):
            _stop_pids(sorted(set(node.pids) | set(_session_pids(node.temp_dir))))
        for node in nodes:
            shutil.rmtree(node.temp_dir, ignore_errors=True)
        if not nodes:
            shutil.rmtree(head_dir, ignore_errors=True)


def _run(cmd: list[str], env: dict[str, str], timeout: float) -> str:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"`{' '.join(cmd)}` failed ({proc.returncode}):\n"
                           f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return proc.stdout
