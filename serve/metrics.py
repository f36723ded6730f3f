"""Service metrics in a Serve replica: the observability facade with the Ray sink installed.

Names, tags and buckets are declared once in ``trading_signals.observability.names``
(``tsig_serve_*``); Ray's metrics agent exports them as ``ray_tsig_serve_*``.
"""

from trading_signals.distributed.metrics import install_ray_metrics
from trading_signals.serving.metrics import FacadeMetrics


def RayMetrics() -> FacadeMetrics:  # noqa: N802 - reads like the class it used to be
    """Install the ``ray.util.metrics`` sink in this replica and return the recorder."""
    install_ray_metrics()
    return FacadeMetrics()
