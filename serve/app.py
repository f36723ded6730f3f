"""Ray Serve application: an HTTP ingress over ``trading_signals.serving`` and a batched model.

    serve run serve/config.yaml            # from the repository root
    tsig serve [--config serve/config.yaml] [--insecure-local]

Deliberately no ``from __future__ import annotations``: FastAPI and Serve's typed app builder
read these annotations at runtime (string annotations break body parsing and /openapi.json).
"""

import asyncio
import logging
import os
import time
from pathlib import Path
from typing import Any, Optional

from ray import serve
from ray.serve import Application
from ray.serve.handle import DeploymentHandle

from trading_signals.serving.api import Backend, create_app, signal_service
from trading_signals.serving.errors import ServiceUnavailableError
from trading_signals.serving.ingress import apply_ingress_env
from trading_signals.serving.schemas import PredictRequest
from trading_signals.serving.settings import (
    ServeSettings,
    load_settings,
    require_api_key,
    resolve_locations,
)

try:  # imported as ``serve.app`` (serve run, tsig serve) or from the serve/ folder itself
    from serve.metrics import RayMetrics
except ImportError:  # pragma: no cover
    from metrics import RayMetrics  # type: ignore[no-redef]

log = logging.getLogger("trading_signals.serve")
FRACTIONAL_CPU = {"num_cpus": 0.25}


@serve.deployment(name="model", ray_actor_options=FRACTIONAL_CPU, max_ongoing_requests=128)
class ModelDeployment:
    """The registered model; ``predict`` batches concurrent requests into one model call."""

    def __init__(self, settings: dict) -> None:
        self.settings = resolve_locations(load_settings(settings))
        self.metrics = RayMetrics()
        self.predictor = None
        if self.settings.model_id is not None and self.settings.registry is not None:
            from trading_signals.serving.predictor import ModelPredictor

            self.predictor = ModelPredictor(self.settings.registry, self.settings.model_id,
                                            max_rows=self.settings.predict_max_rows,
                                            max_bars=self.settings.predict_max_bars)
            self.metrics.model_loaded(model_id=self.predictor.model_id)
        self.predict.set_max_batch_size(self.settings.max_batch_size)
        self.predict.set_batch_wait_timeout_s(self.settings.batch_wait_timeout_s)

    def reconfigure(self, user_config: dict) -> None:
        """Apply ``max_batch_size`` / ``batch_wait_timeout_s`` from the config while running."""
        if "max_batch_size" in user_config:
            self.predict.set_max_batch_size(int(user_config["max_batch_size"]))
        if "batch_wait_timeout_s" in user_config:
            self.predict.set_batch_wait_timeout_s(float(user_config["batch_wait_timeout_s"]))

    def _run(self, requests: list) -> list:
        if self.predictor is None:
            err = ServiceUnavailableError("no model is served: set registry and model_id in the "
                                          "application args (see `tsig models ls`)")
            return [err] * len(requests)
        self.metrics.prediction_batch(size=len(requests), model_id=self.predictor.model_id)
        return self.predictor.predict_batch(requests)

    @serve.batch(max_batch_size=16, batch_wait_timeout_s=0.005)
    async def predict(self, requests: list) -> list:
        # One model call for the whole batch, off the event loop so the next batch can form.
        return await asyncio.to_thread(self._run, requests)

    async def predict_unbatched(self, request: PredictRequest) -> Any:
        return (await asyncio.to_thread(self._run, [request]))[0]

    def info(self) -> Optional[dict]:
        return None if self.predictor is None else self.predictor.info()


@serve.deployment(name="api", ray_actor_options=FRACTIONAL_CPU, max_ongoing_requests=128)
@serve.ingress()
class ApiIngress:
    """HTTP ingress: the FastAPI app of ``trading_signals.serving.api``, built per replica."""

    def __init__(self, model: DeploymentHandle, settings: dict) -> None:
        self.settings = resolve_locations(load_settings(settings))
        self.model = model
        self.backend = Backend(settings=self.settings, signals=signal_service(self.settings),
                               api_key=require_api_key(self.settings), metrics=RayMetrics(),
                               predict=self._predict, model_info=self._model_info,
                               echo_request_id=False)  # Serve's middleware echoes it

    async def _predict(self, request: PredictRequest) -> dict:
        method = self.model.predict if self.settings.predict_batching else self.model.predict_unbatched
        result = await method.remote(request)
        if isinstance(result, Exception):
            raise result
        return result

    async def _model_info(self) -> Optional[dict]:
        return await self.model.info.remote()

    def __serve_build_asgi_app__(self) -> Any:
        return create_app(self.backend)


def build_app(args: ServeSettings) -> Application:
    """Typed app builder: ``args`` are validated into :class:`ServeSettings` by Serve."""
    raw = args.model_dump()
    return ApiIngress.bind(ModelDeployment.bind(raw), raw)


def run_from_config(config: Path, *, insecure_local: bool = False, host: Optional[str] = None,
                    port: Optional[int] = None, address: Optional[str] = None,
                    overrides: Optional[dict] = None, block: bool = True,
                    ingress: Optional[str] = None) -> None:
    """Start Ray (local unless ``address``), deploy ``config`` like ``serve run`` and block.

    ``ingress`` (``trading_signals.serving.ingress``: haproxy, proxy or direct) sets the
    RAY_SERVE_* flags of a local Ray started here; a running cluster keeps its own.
    """
    import ray
    import yaml
    from ray.serve._private import api as private_api
    from ray.serve.schema import ServeDeploySchema

    doc = yaml.safe_load(Path(config).read_text(encoding="utf-8"))
    http = doc.setdefault("http_options", {})
    if host:
        http["host"] = host
    elif insecure_local:  # no key: never listen beyond this machine unless asked to
        http["host"] = "127.0.0.1"
    if port:
        http["port"] = port
    for app in doc.get("applications", []):
        app.setdefault("args", {}).update(overrides or {})
        if insecure_local:
            app["args"]["insecure_local"] = True
        checked = resolve_locations(load_settings(
            app["args"], source=f"{config}: applications[{app.get('name')}].args"), base=str(Path.cwd()))
        require_api_key(checked)  # refuse to start before starting Ray
        if checked.registry is not None and checked.model_id is not None:
            from trading_signals.models.registry import ModelRegistry

            ModelRegistry(checked.registry).manifest(checked.model_id)  # names a missing model now
        app["args"].update({k: v for k, v in checked.model_dump().items()
                            if k in ("lake", "registry", "signals_config") and v is not None})
    schema = ServeDeploySchema.model_validate(doc)
    if not ray.is_initialized():
        # The controller imports ``serve.app:build_app`` in its own worker: put the checkout on
        # every worker's path (what PYTHONPATH=/home/ray/app does in the KubeRay image).
        repo = str(Path(__file__).resolve().parents[1])
        path = os.pathsep.join(p for p in (repo, os.environ.get("PYTHONPATH", "")) if p)
        if ingress is not None and address is None:
            # Serve reads these when each Ray process starts: set them just before it starts
            # (not earlier, so a config error leaves this process's environment untouched).
            apply_ingress_env(ingress)
        kwargs: dict[str, Any] = {}
        if address is None and http.get("host") in ("127.0.0.1", "localhost"):
            # Loopback only: with direct ingress / HAProxy, HAProxy dials the replicas' ports at
            # the node IP, so that IP must be the loopback address the replicas bind to.
            kwargs["_node_ip_address"] = "127.0.0.1"
        # "local", not None: None would attach to the last `ray start` cluster of this machine.
        ray.init(address=address or "local", namespace="serve", runtime_env={"env_vars": {"PYTHONPATH": path}},
                 **kwargs)
    client = private_api.serve_start(http_options=schema.http_options.model_dump(),
                                     proxy_location=schema.proxy_location)
    client.deploy_apps(schema, _blocking=False)
    for app in schema.applications:  # up to 5 min: a loaded 2-core machine can take > 60 s
        try:
            client._wait_for_application_running(app.name, timeout_s=300)
        except (RuntimeError, TimeoutError) as exc:
            serve.shutdown()
            raise ServiceUnavailableError(f"the Serve application {app.name!r} did not start: {exc}; "
                                          "see the replica logs under /tmp/ray/session_latest/logs/serve/") from exc
    mode = f", ingress: {ingress}" if ingress and address is None else ""
    print(f"serving on http://{http.get('host', '127.0.0.1')}:{http.get('port', 8000)}/ "
          f"(docs at /docs{mode}); Ctrl-C to stop", flush=True)
    if not block:
        return
    try:
        while True:
            time.sleep(5)
    except KeyboardInterrupt:
        serve.shutdown()
