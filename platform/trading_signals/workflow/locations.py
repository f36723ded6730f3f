"""Where outputs go: relative locations under ``ray job submit`` resolve against a storage root.

A job submitted with ``--working-dir`` runs in a temporary copy of the project
(``.../working_dir_files/_ray_pkg_<hash>``): a relative ``lake`` or ``runs`` there would land in
a folder Ray deletes, far from where the user looks. Under a job, relative output locations are
therefore joined to the declared storage root (env ``TSIG_STORAGE``, else the config's
``study.storage``); without one the job fails at once and says how to set it. Outside a job,
relative locations stay relative to the current directory.
"""

from __future__ import annotations

import os

from trading_signals.data import storage
from trading_signals.errors import ConfigError

STORAGE_ENV = "TSIG_STORAGE"
# Set by Ray's job supervisor for the entrypoint process of `ray job submit`.
_JOB_ENV = ("RAY_JOB_CONFIG_JSON_ENV_VAR", "RAY_JOB_ID")


def under_ray_job() -> bool:
    """True when running as the entrypoint of ``ray job submit`` (or in its working_dir copy)."""
    return any(os.environ.get(k) for k in _JOB_ENV) or "_ray_pkg_" in os.getcwd()


def is_relative(location: str) -> bool:
    """True for a relative local path (no scheme, not absolute, no ``~``)."""
    text = storage.as_str(location)
    return storage.scheme(text) == "" and not os.path.isabs(text) and not text.startswith("~")


def storage_root(configured: str | None = None) -> str | None:
    """Return the declared storage root: ``TSIG_STORAGE``, else ``configured``, else None."""
    return os.environ.get(STORAGE_ENV) or configured or None


def resolve_output(location: str, *, what: str, configured_root: str | None = None) -> str:
    """Return where ``location`` really is for this process (see the module docstring).

    Parameters
    ----------
    location
        A path or URI from the config or the command line.
    what
        Its config key or option (named in the error), e.g. ``"data.lake"``.
    configured_root
        ``study.storage`` from the config.

    Raises
    ------
    ConfigError
        Under a Ray job, for a relative location when no storage root is declared.
    """
    text = storage.as_str(location)
    if not is_relative(text):
        return text
    if not under_ray_job():
        return text
    root = storage_root(configured_root)
    if root is None:
        raise ConfigError(
            f"{what}={text!r} is relative, and this is a Ray job: it would land in the job's "
            "temporary working_dir copy. Declare where outputs go: submit with "
            f"`--runtime-env-json '{{\"env_vars\": {{\"{STORAGE_ENV}\": \"s3://bucket/tsig\"}}}}'` "
            f"(or a shared absolute path), set study.storage in the config, or give {what} as "
            "an absolute path or URI")
    if is_relative(root):
        raise ConfigError(f"storage root {root!r} ({STORAGE_ENV} or study.storage) must be an "
                          "absolute path or a URI such as s3://bucket/prefix")
    return storage.join(root, text)
