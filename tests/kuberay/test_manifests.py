"""KubeRay manifests and the container image: strict offline validation against the CRDs."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest

from tests.kuberay.crd_validation import (
    broken_copy,
    load_documents,
    validate_manifest,
)

ROOT = Path(__file__).resolve().parents[2]
KUBERAY = ROOT / "kuberay"
RAY_KINDS = ("RayCluster", "RayJob", "RayService")


def _pinned_ray() -> str:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = [re.search(r"==([\d.]+)", d) for d in deps if d.startswith("ray[")]
    assert pins and pins[0], "pyproject.toml must pin ray with =="
    return pins[0].group(1)


def _ray_manifests() -> list[tuple[str, dict]]:
    out = []
    for path in sorted(KUBERAY.glob("*.yaml")):
        for doc in load_documents(path):
            if doc.get("kind") in RAY_KINDS:
                out.append((path.name, doc))
    return out


MANIFESTS = _ray_manifests()


def test_kuberay_has_cluster_and_backtest_job() -> None:
    kinds = {doc["kind"] for _, doc in MANIFESTS}
    assert {"RayCluster", "RayJob"} <= kinds


@pytest.mark.parametrize("name,doc", MANIFESTS, ids=[f"{n}:{d['kind']}" for n, d in MANIFESTS])
def test_manifest_validates_strictly(name: str, doc: dict) -> None:
    assert validate_manifest(doc) == []


@pytest.mark.parametrize("mutation", ["misspelled_key", "string_for_int"])
@pytest.mark.parametrize("name,doc", MANIFESTS, ids=[f"{n}:{d['kind']}" for n, d in MANIFESTS])
def test_broken_copy_is_rejected(name: str, doc: dict, mutation: str) -> None:
    assert validate_manifest(broken_copy(doc, mutation)) != []


def _clusters(doc: dict) -> list[dict]:
    spec = doc["spec"]
    return [spec] if doc["kind"] == "RayCluster" else \
        [spec[k] for k in ("rayClusterSpec", "rayClusterConfig") if k in spec]


@pytest.mark.parametrize("name,doc", MANIFESTS, ids=[f"{n}:{d['kind']}" for n, d in MANIFESTS])
def test_ray_version_and_images_match_the_pin(name: str, doc: dict) -> None:
    ray = _pinned_ray()
    for cluster in _clusters(doc):
        assert cluster["rayVersion"] == ray
        groups = [cluster["headGroupSpec"], *cluster.get("workerGroupSpecs", [])]
        images = [c["image"] for g in groups for c in g["template"]["spec"]["containers"]]
        assert images and all(f"ray{ray}" in img for img in images), images
        assert cluster.get("authOptions", {}).get("mode") == "token"


def test_rayjob_runs_the_backtest_study_and_cleans_up() -> None:
    jobs = [doc for _, doc in MANIFESTS if doc["kind"] == "RayJob"]
    backtest = [j for j in jobs if "jobs/backtest.py" in j["spec"]["entrypoint"]]
    assert backtest, "a RayJob must run jobs/backtest.py"
    spec = backtest[0]["spec"]
    assert spec["shutdownAfterJobFinishes"] is True
    assert spec["ttlSecondsAfterFinished"] > 0 and spec["activeDeadlineSeconds"] > 0
    # Every repo file the entrypoint names exists (the image copies the repo to /home/ray/app).
    for arg in shlex.split(spec["entrypoint"]):
        if arg.startswith("/home/ray/app/"):
            assert (ROOT / arg.removeprefix("/home/ray/app/")).is_file(), arg


def test_storage_credentials_come_only_from_secrets() -> None:
    for _, doc in MANIFESTS:
        text = str(doc)
        assert "aws-secret-access-key" in text or doc["kind"] == "RayService"
    for path in KUBERAY.glob("*.yaml"):
        assert not re.search(r"(?i)(secret|password|api[_-]?key)\s*:\s*['\"]?[A-Za-z0-9/+]{16,}",
                             path.read_text()), f"{path.name} seems to hold a literal secret"


def _dockerfile() -> list[tuple[str, str]]:
    lines, buf = [], ""
    for raw in (KUBERAY / "Dockerfile").read_text().splitlines():
        if raw.strip().startswith("#") or not raw.strip():
            continue
        buf += raw.rstrip("\\").strip() + " "
        if not raw.rstrip().endswith("\\"):
            op, _, rest = buf.strip().partition(" ")
            lines.append((op.upper(), rest))
            buf = ""
    return lines


def test_dockerfile_base_tag_matches_pinned_ray() -> None:
    steps = _dockerfile()
    args = {k: v for op, rest in steps if op == "ARG" and "=" in rest for k, v in [rest.split("=", 1)]}
    base = next(rest for op, rest in steps if op == "FROM")
    base = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], base)
    assert re.fullmatch(rf"rayproject/ray:{re.escape(_pinned_ray())}-py311(-cpu)?", base), base


def test_dockerfile_copies_only_existing_files_and_ends_non_root() -> None:
    steps = _dockerfile()
    for op, rest in steps:
        if op == "COPY":
            parts = [p for p in rest.split() if not p.startswith("--")]
            for src in parts[:-1]:
                assert (ROOT / src).exists(), f"Dockerfile copies {src}, which does not exist"
    users = [rest.strip() for op, rest in steps if op == "USER"]
    assert users and users[-1] not in ("root", "0"), "the image must end on a non-root user"
    assert any(op == "RUN" and "tsig warmup" in rest for op, rest in steps), \
        "the image must warm the numba cache at build time"


def test_dockerfile_warmup_command_exists() -> None:
    from typer.testing import CliRunner

    from trading_signals.cli import app

    result = CliRunner().invoke(app, ["warmup", "--help"])
    assert result.exit_code == 0, result.output
