"""moto's per-request bookkeeping cached: the same listing and method names as plain moto."""

from __future__ import annotations

import boto3
import pytest
from moto import backends
from moto.core import responses
from moto.dynamodb.responses import DynamoHandler
from moto.kinesis.responses import KinesisResponse

from generator.dev.local_aws.patches import moto_method_names, moto_module_listing


def test_the_module_listing_is_moto_s_own_and_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    moto_module_listing.uninstall()
    plain = list(backends.list_of_moto_modules())
    assert "dynamodb" in plain and "kinesis" in plain
    moto_module_listing.install()
    assert list(backends.list_of_moto_modules()) == plain
    listed = []
    monkeypatch.setattr("os.listdir", lambda path: listed.append(path) or [])
    assert list(backends.list_of_moto_modules()) == plain  # cached: no directory read
    assert listed == []


def test_method_names_are_moto_s_own() -> None:
    moto_method_names.uninstall()
    plain = {cls: list(responses.method_names_from_class(cls)) for cls in (DynamoHandler, KinesisResponse)}
    moto_method_names.install()
    for cls, names in plain.items():
        assert list(responses.method_names_from_class(cls)) == names
        assert responses.method_names_from_class(cls) is responses.method_names_from_class(cls)


@pytest.mark.parametrize("patched", [False, True], ids=["plain", "patched"])
def test_moto_routes_alike(moto_endpoint: str, patched: bool) -> None:
    for patch in (moto_module_listing, moto_method_names):
        (patch.install if patched else patch.uninstall)()
    dynamodb = boto3.client("dynamodb", endpoint_url=moto_endpoint, region_name="us-east-1")
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    assert "TableNames" in dynamodb.list_tables()
    assert "Buckets" in s3.list_buckets()
    with pytest.raises(dynamodb.exceptions.ResourceNotFoundException):
        dynamodb.describe_table(TableName="no-such-table")


def test_install_is_idempotent_and_uninstall_restores() -> None:
    for patch, owner, name in ((moto_module_listing, backends, "list_of_moto_modules"),
                               (moto_method_names, responses, "method_names_from_class")):
        patch.uninstall()
        original = getattr(owner, name)
        patch.install()
        patched = getattr(owner, name)
        patch.install()
        assert getattr(owner, name) is patched is not original
        patch.uninstall()
        patch.uninstall()
        assert getattr(owner, name) is original and not patch.installed()
