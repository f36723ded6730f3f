"""serve/config.yaml and kuberay/rayservice.yaml: strict offline validation, and they agree."""

from __future__ import annotations

import copy
import importlib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.kuberay.crd_validation import broken_copy, validate_manifest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "serve" / "config.yaml"
RAYSERVICE = ROOT / "kuberay" / "rayservice.yaml"


def _strict(node: Any) -> Any:
    # Mimic strict field validation: every object schema listing properties rejects other keys.
    # A field typed "dict or Model" (autoscaling_config) accepts any dict; keep only the model.
    if isinstance(node, dict):
        out = {k: _strict(v) for k, v in node.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        alts = out.get("anyOf")
        if isinstance(alts, list) and any("$ref" in a for a in alts):
            out["anyOf"] = [a for a in alts if a != {"additionalProperties": True, "type": "object"}]
        return out
    if isinstance(node, list):
        return [_strict(v) for v in node]
    return node


def serve_config_errors(doc: dict[str, Any]) -> list[str]:
    """Schema errors of a Serve config (ServeDeploySchema's JSON schema, unknown keys rejected)."""
    from pydantic import ValidationError
    from ray.serve.schema import ServeDeploySchema

    validator = jsonschema.Draft7Validator(_strict(ServeDeploySchema.model_json_schema()))
    errors = [f"{'.'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
              for e in validator.iter_errors(doc)]
    try:
        ServeDeploySchema.model_validate(doc)  # cross-field rules the JSON schema lacks
    except ValidationError as exc:
        errors.append(str(exc))
    return errors


def _config() -> dict[str, Any]:
    return yaml.safe_load(CONFIG.read_text())


def test_serve_config_is_strictly_valid() -> None:
    assert serve_config_errors(_config()) == []


@pytest.mark.parametrize("mutate", ["misspelled_key", "string_for_int", "nested_unknown", "replicas_and_autoscaling"])
def test_broken_serve_config_fails(mutate: str) -> None:
    bad = copy.deepcopy(_config())
    app = bad["applications"][0]
    if mutate == "misspelled_key":
        app["route_prefx"] = app.pop("route_prefix")
    elif mutate == "string_for_int":
        app["deployments"][0]["max_ongoing_requests"] = "many"
    elif mutate == "nested_unknown":
        app["deployments"][1]["autoscaling_config"]["max_replica"] = 3
    else:
        app["deployments"][1]["num_replicas"] = 2
    assert serve_config_errors(bad) != []


def test_serve_config_matches_the_application() -> None:
    from trading_signals.serving.settings import load_settings

    app_cfg = _config()["applications"][0]
    module, attr = app_cfg["import_path"].split(":")
    builder = getattr(importlib.import_module(module), attr)
    settings = load_settings(app_cfg["args"])  # unknown or mistyped args fail here
    app = builder(settings)
    names = {app._bound_deployment.name, *(a._bound_deployment.name for a in app._bound_deployment.init_args
                                             if hasattr(a, "_bound_deployment"))}
    assert {d["name"] for d in app_cfg["deployments"]} == names == {"api", "model"}
    for d in app_cfg["deployments"]:
        assert 0 < d["ray_actor_options"]["num_cpus"] < 1  # fractional: fits on 2 cores


def test_rayservice_is_strictly_valid_and_embeds_the_serve_config() -> None:
    import ray

    doc = yaml.safe_load(RAYSERVICE.read_text())
    assert validate_manifest(doc) == []
    assert doc["spec"]["serveConfigV2"] == CONFIG.read_text()
    cluster = doc["spec"]["rayClusterConfig"]
    assert cluster["rayVersion"] == ray.__version__ == "2.60.0"
    assert cluster["authOptions"] == {"mode": "token"}
    containers = [c for g in [cluster["headGroupSpec"], *cluster["workerGroupSpecs"]]
                  for c in g["template"]["spec"]["containers"]]
    for c in containers:
        assert f"ray{ray.__version__}-py311" in c["image"]
        key = next(e for e in c["env"] if e["name"] == "TSIG_API_KEY")
        assert "secretKeyRef" in key["valueFrom"] and "value" not in key


@pytest.mark.parametrize("mutate", ["misspelled_key", "string_for_int"])
def test_broken_rayservice_fails(mutate: str) -> None:
    doc = yaml.safe_load(RAYSERVICE.read_text())
    assert validate_manifest(broken_copy(doc, mutate)) != []


def test_literal_api_key_in_the_rayservice_is_rejected() -> None:
    doc = yaml.safe_load(RAYSERVICE.read_text())
    env = doc["spec"]["rayClusterConfig"]["headGroupSpec"]["template"]["spec"]["containers"][0]["env"]
    for e in env:
        if e["name"] == "TSIG_API_KEY":
            e.pop("valueFrom")
            e["value"] = "literal-key-0123456789"
    assert any("TSIG_API_KEY" in p for p in validate_manifest(doc))


def test_tsig_serve_refuses_to_start_without_a_key(monkeypatch, tmp_path) -> None:
    from typer.testing import CliRunner

    from trading_signals.cli import app

    monkeypatch.delenv("TSIG_API_KEY", raising=False)
    monkeypatch.delenv("TSIG_API_KEY_FILE", raising=False)
    res = CliRunner().invoke(app, ["serve", "--config", str(CONFIG), "--lake", str(tmp_path)])
    assert res.exit_code == 2 and "--insecure-local" in res.output
    res = CliRunner().invoke(app, ["serve", "--config", str(tmp_path / "nope.yaml")])
    assert res.exit_code == 2 and "no such file" in res.output
    bad = tmp_path / "bad.yaml"
    doc = _config()
    doc["applications"][0]["args"]["max_body_byte"] = 10
    bad.write_text(yaml.safe_dump(doc))
    res = CliRunner().invoke(app, ["serve", "--config", str(bad), "--insecure-local"])
    assert res.exit_code == 2 and "max_body_byte" in res.output
    res = CliRunner().invoke(app, ["serve", "--config", str(CONFIG), "--insecure-local",
                                   "--registry", str(tmp_path), "--model", "nothing"])
    assert res.exit_code == 2 and "no model named 'nothing'" in res.output
