"""Fixtures for the cluster tests: a moto S3 server on loopback (credentials via the AWS env)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests._services import MotoS3, moto_server


@pytest.fixture(scope="module")
def moto_s3() -> Iterator[MotoS3]:
    """A moto S3 API on 127.0.0.1 with bucket ``tsig``; AWS_* exported for the module."""
    with moto_server(bucket="tsig") as server:
        yield server
