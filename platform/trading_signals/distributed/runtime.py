"""Start or join Ray the same way from the CLI, jobs and tests."""

from __future__ import annotations

import os
from typing import Any

import ray


def ensure_ray(address: str | None = None, *, num_cpus: int | None = None, **kwargs: Any) -> None:
    """Initialise Ray once: join ``address`` (or the job's ``RAY_ADDRESS``), else start a local one.

    Inside ``ray job submit`` the job manager sets ``RAY_ADDRESS``, so a bare call joins the
    cluster; run standalone it starts a private local instance (``address="local"``), never
    attaching by accident to a stale ``ray start`` cluster.
    """
    if address:
        # An address the user named must answer even when this process already runs Ray.
        probe_address(address)
    if ray.is_initialized():
        return
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    target = address or os.environ.get("RAY_ADDRESS") or "local"
    if not address:
        probe_address(target)
    opts: dict[str, Any] = {"address": target, "log_to_driver": True, "configure_logging": False}
    if target == "local":
        opts["include_dashboard"] = kwargs.pop("include_dashboard", False)
        if num_cpus is not None:
            opts["num_cpus"] = num_cpus
    opts.update(kwargs)
    ray.init(**opts)
    from ray.data import DataContext

    DataContext.get_current().enable_progress_bars = bool(os.environ.get("TSIG_PROGRESS", ""))


def probe_address(address: str, *, timeout: float = 5.0) -> None:
    """Fail within ``timeout`` seconds when nothing listens at a ``host:port`` Ray address.

    ``ray.init`` retries an unreachable GCS for about a minute (longer behind a firewall that
    drops packets); one TCP connect with a timeout answers at once. ``local``, ``auto`` and
    addresses without a port are left to Ray.

    Raises
    ------
    ConfigError
        Naming the address, the option (``--address`` / ``RAY_ADDRESS``) and how to fix it.
    """
    import socket

    from trading_signals.errors import ConfigError

    hostport = address.split("://", 1)[-1].rstrip("/")
    if address in ("local", "auto") or ":" not in hostport:
        return
    host, _, port_text = hostport.rpartition(":")
    if not port_text.isdigit():
        raise ConfigError(f"Ray address {address!r} (--address / RAY_ADDRESS): the port "
                          f"{port_text!r} is not a number; use host:port such as 127.0.0.1:6379")
    try:
        with socket.create_connection((host.strip("[]"), int(port_text)), timeout=timeout):
            pass
    except OSError as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc))
        raise ConfigError(
            f"Ray address {address!r} (--address / RAY_ADDRESS) does not answer ({reason} after "
            f"at most {timeout:g} s); start the cluster (`ray start --head`), fix the address, or "
            "leave --address out to run on a local Ray") from exc


def cluster_cpus() -> int:
    """Return the number of CPUs Ray can schedule on (at least 1)."""
    return max(1, int(ray.cluster_resources().get("CPU", 1)))
