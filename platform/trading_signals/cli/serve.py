"""``tsig serve``: start the Ray Serve application of ``serve/config.yaml`` on a local Ray.

Ray is not imported here (only ``distributed/``, ``jobs/`` and ``serve/`` may): the command
loads ``serve/app.py`` from the checkout and calls its ``run_from_config``.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Annotated

import typer

from trading_signals.cli._output import user_errors
from trading_signals.serving.ingress import DEFAULT_INGRESS, INGRESS_MODES

REPO = Path(__file__).resolve().parents[3]


def serve_cmd(
    config: Annotated[Path, typer.Option("--config", help="Serve config (ServeDeploySchema YAML).")] = REPO / "serve" / "config.yaml",
    insecure_local: Annotated[bool, typer.Option(
        "--insecure-local", help="Serve without an API key (localhost only; never in production).")] = False,
    host: Annotated[str, typer.Option("--host", help="HTTP host (default: the config's).")] = "",
    port: Annotated[int, typer.Option("--port", help="HTTP port (0: the config's).")] = 0,
    address: Annotated[str | None, typer.Option("--address", help="Ray address (default: a local Ray).")] = None,
    lake: Annotated[str | None, typer.Option("--lake", help="Override the lake in the config.")] = None,
    registry: Annotated[str | None, typer.Option("--registry", help="Model registry to serve from.")] = None,
    model: Annotated[str | None, typer.Option("--model", help="Model id (name or name/vNNNN).")] = None,
    ingress: Annotated[str, typer.Option(
        "--ingress", help="How HTTP reaches the app: haproxy (Ray 2.60's HAProxy on the HTTP port, "
        "replicas on 30000-31000, with RAY_SERVE_THROUGHPUT_OPTIMIZED; the fastest), proxy (Serve's Python proxy) or direct (replica "
        "ports only, for an external load balancer). Sets the RAY_SERVE_* flags of the local Ray; "
        "with --address the cluster's own environment decides (docs/serving.md).")] = DEFAULT_INGRESS,
) -> None:
    """Run the HTTP API (signals, predict, backtest, dashboard) until Ctrl-C."""
    with user_errors():
        from trading_signals.errors import ConfigError

        if not config.is_file():
            raise ConfigError(f"--config {config}: no such file; the default is serve/config.yaml")
        if ingress not in INGRESS_MODES:
            raise typer.BadParameter(f"{ingress!r}; choose one of {', '.join(INGRESS_MODES)}",
                                     param_hint="--ingress")
        if str(REPO) not in sys.path:
            sys.path.insert(0, str(REPO))
        try:
            module = importlib.import_module("serve.app")
        except ImportError as exc:
            raise ConfigError(f"cannot import serve/app.py from {REPO} ({exc}); run from a checkout") from exc
        overrides = {k: v for k, v in (("lake", lake), ("registry", registry), ("model_id", model))
                     if v is not None}
        module.run_from_config(config, insecure_local=insecure_local, host=host or None,
                               port=port or None, address=address, overrides=overrides,
                               ingress=ingress)


def register(app: typer.Typer) -> None:
    """Add ``tsig serve`` to ``app``."""
    app.command("serve")(serve_cmd)
