"""Strict offline validation of KubeRay manifests against the vendored CRD schemas.

kubectl's strict field validation rejects unknown fields; plain JSON-schema validation of a CRD's
``openAPIV3Schema`` does not (object schemas allow extra keys by default). We mimic kubectl by
setting ``additionalProperties: false`` on every object schema that lists ``properties`` (the
KubeRay CRDs have no ``x-kubernetes-preserve-unknown-fields``), then validate with Draft 7.
CEL rules and the operator's Go-side checks are not in the schema: the few that matter are
re-implemented in :func:`operator_rule_violations`.
"""

from __future__ import annotations

import copy
import functools
import re
from pathlib import Path
from typing import Any

import jsonschema
import yaml

CRD_DIR = Path(__file__).resolve().parents[3] / "shared" / "kuberay-crds"
CRD_FILES = {
    "RayCluster": "ray.io_rayclusters.yaml",
    "RayJob": "ray.io_rayjobs.yaml",
    "RayService": "ray.io_rayservices.yaml",
}
_DNS_1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_MAX_NAME = {"RayCluster": 53, "RayJob": 47, "RayService": 47}


def crd_dir() -> Path:
    """Return the CRD folder (``../shared/kuberay-crds`` beside the checkout)."""
    if not CRD_DIR.is_dir():
        raise FileNotFoundError(
            f"KubeRay CRD schemas not found at {CRD_DIR}: the checkout must sit beside shared/")
    return CRD_DIR


def _strict(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _strict(v) for k, v in node.items()}
        if "properties" in out and "additionalProperties" not in out \
                and not out.get("x-kubernetes-preserve-unknown-fields"):
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [_strict(v) for v in node]
    return node


@functools.lru_cache(maxsize=None)
def strict_schema(kind: str, version: str = "v1") -> dict[str, Any]:
    """Return the strict ``openAPIV3Schema`` of ``kind`` at ``version``."""
    path = crd_dir() / CRD_FILES[kind]
    crd = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)  # the pure-Python loader takes ~10 s
    for v in crd["spec"]["versions"]:
        if v["name"] == version:
            return _strict(v["schema"]["openAPIV3Schema"])
    raise KeyError(f"{kind} has no version {version} in {path}")


def schema_errors(doc: dict[str, Any]) -> list[str]:
    """Return every schema violation of one manifest (empty when valid)."""
    kind = doc.get("kind")
    if kind not in CRD_FILES:
        return [f"kind {kind!r} is not a KubeRay kind ({', '.join(CRD_FILES)})"]
    group, _, version = str(doc.get("apiVersion", "")).partition("/")
    if group != "ray.io":
        return [f"apiVersion {doc.get('apiVersion')!r} is not ray.io/<version>"]
    validator = jsonschema.Draft7Validator(strict_schema(kind, version))
    return [f"{'.'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
            for e in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.path)))]


def _cluster_specs(doc: dict[str, Any]) -> list[dict[str, Any]]:
    spec = doc.get("spec", {})
    if doc["kind"] == "RayCluster":
        return [spec]
    if doc["kind"] == "RayJob":
        return [spec["rayClusterSpec"]] if "rayClusterSpec" in spec else []
    return [spec["rayClusterConfig"]] if "rayClusterConfig" in spec else []


def _containers(cluster: dict[str, Any]) -> list[dict[str, Any]]:
    groups = [cluster.get("headGroupSpec", {})] + list(cluster.get("workerGroupSpecs", []))
    return [c for g in groups for c in g.get("template", {}).get("spec", {}).get("containers", [])]


def operator_rule_violations(doc: dict[str, Any]) -> list[str]:
    """Return violations of the operator's Go-side rules that the schema cannot express."""
    out: list[str] = []
    kind, meta, spec = doc["kind"], doc.get("metadata", {}), doc.get("spec", {})
    name = meta.get("name", "")
    if not _DNS_1035.match(name) or len(name) > _MAX_NAME[kind]:
        out.append(f"metadata.name {name!r} must be a DNS-1035 label of at most {_MAX_NAME[kind]} chars")
    if kind == "RayJob":
        if spec.get("ttlSecondsAfterFinished", 0) > 0 and not spec.get("shutdownAfterJobFinishes"):
            out.append("ttlSecondsAfterFinished > 0 requires shutdownAfterJobFinishes: true")
        if ("rayClusterSpec" in spec) == ("clusterSelector" in spec):
            out.append("a RayJob needs exactly one of rayClusterSpec or clusterSelector")
    for cluster in _cluster_specs(doc):
        autoscaling = bool(cluster.get("enableInTreeAutoscaling"))
        for g in cluster.get("workerGroupSpecs", []):
            lo, hi = g.get("minReplicas"), g.get("maxReplicas")
            if not autoscaling and (lo is None or hi is None):
                out.append(f"worker group {g.get('groupName')}: minReplicas and maxReplicas are required")
            if lo is not None and hi is not None and lo > hi:
                out.append(f"worker group {g.get('groupName')}: minReplicas {lo} > maxReplicas {hi}")
        for g in [cluster.get("headGroupSpec", {})] + list(cluster.get("workerGroupSpecs", [])):
            params = g.get("rayStartParams", {})
            for c in g.get("template", {}).get("spec", {}).get("containers", []):
                res = {**c.get("resources", {}).get("limits", {}), **c.get("resources", {}).get("requests", {})}
                for key, param in (("cpu", "num-cpus"), ("memory", "memory"), ("nvidia.com/gpu", "num-gpus")):
                    if key in res and param in params:
                        out.append(f"{c.get('name')}: {key} set both in rayStartParams ({param}) and resources")
    return out


def secret_literal_violations(doc: dict[str, Any]) -> list[str]:
    """Return env vars that look like secrets but carry a literal value instead of a secretKeyRef."""
    out = []
    for cluster in _cluster_specs(doc) or [{}]:
        for c in _containers(cluster):
            for env in c.get("env", []):
                secretish = re.search(r"KEY|SECRET|TOKEN|PASSWORD|CREDENTIAL", env.get("name", ""))
                if secretish and "value" in env:
                    out.append(f"{c.get('name')}: env {env['name']} has a literal value; use secretKeyRef")
    return out


def validate_manifest(doc: dict[str, Any]) -> list[str]:
    """Return every problem with one manifest: schema, operator rules and literal secrets."""
    errors = schema_errors(doc)
    if errors:
        return errors
    return operator_rule_violations(doc) + secret_literal_violations(doc)


def load_documents(path: Path) -> list[dict[str, Any]]:
    """Return the YAML documents of ``path`` (``---``-separated), skipping empty ones."""
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def broken_copy(doc: dict[str, Any], mutate: str) -> dict[str, Any]:
    """Return a copy of ``doc`` with one deliberate mistake, to prove the validator is strict."""
    bad = copy.deepcopy(doc)
    spec = bad["spec"]
    if mutate == "misspelled_key":
        key = next(iter(spec))
        spec[key + "d"] = spec.pop(key)
    elif mutate == "string_for_int":
        cluster = _cluster_specs(bad)[0]
        cluster["workerGroupSpecs"][0]["maxReplicas"] = "ten"
    else:
        raise ValueError(mutate)
    return bad
