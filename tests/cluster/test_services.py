"""The shared service helpers: moto env hygiene, Debian installs that fail loudly."""

from __future__ import annotations

import os
import shutil

import pytest

from tests import _services
from tests._services import ensure_debian_package, free_port, moto_server, wait_for_port


def test_moto_server_exports_then_restores_the_aws_env(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9")  # must not leak into the test
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with moto_server(bucket="svc") as s3:
        assert os.environ["AWS_ENDPOINT_URL"] == s3.endpoint
        assert "AWS_ENDPOINT_URL_S3" not in os.environ
        import boto3

        assert [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]] == ["svc"]
    assert "AWS_ENDPOINT_URL" not in os.environ
    assert os.environ["AWS_ENDPOINT_URL_S3"] == "http://127.0.0.1:9"


def test_ensure_debian_package_returns_present_binary_and_fails_loudly(monkeypatch):
    assert ensure_debian_package("coreutils", "ls") == shutil.which("ls")
    real = shutil.which
    monkeypatch.setattr(_services.shutil, "which",
                        lambda name, *a, **k: None if name in ("apt-get", "nosuchtool") else real(name))
    with pytest.raises(RuntimeError, match="'nosuchtool' is missing and apt-get is not available"):
        ensure_debian_package("nosuchpkg", "nosuchtool")


def test_wait_for_port_times_out_on_a_closed_port():
    with pytest.raises(TimeoutError, match="nothing listening"):
        wait_for_port(free_port(), timeout=0.3)
