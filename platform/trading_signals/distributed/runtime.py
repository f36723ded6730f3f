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
    if ray.is_initialized():
        return
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    target = address or os.environ.get("RAY_ADDRESS") or "local"
    opts: dict[str, Any] = {"address": target, "log_to_driver": True, "configure_logging": False}
    if target == "local":
        opts["include_dashboard"] = kwargs.pop("include_dashboard", False)
        if num_cpus is not None:
            opts["num_cpus"] = num_cpus
    opts.update(kwargs)
    ray.init(**opts)
    from ray.data import DataContext

    DataContext.get_current().enable_progress_bars = bool(os.environ.get("TSIG_PROGRESS", ""))


def cluster_cpus() -> int:
    """Return the number of CPUs Ray can schedule on (at least 1)."""
    return max(1, int(ray.cluster_resources().get("CPU", 1)))
