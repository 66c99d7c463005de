"""Local AWS for the fidelity tests: moto's application answered in this process, through the
same `InProcessAws` call path `gen dev` uses (so DynamoDB's own checks, `dynamodb_validation`,
apply to every call: the emulator's service calls and boto3 clients alike)."""

from __future__ import annotations

from typing import Any

import boto3
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from generator.dev.local_aws.in_process import InProcessAws

ENDPOINT = "http://127.0.0.1:4566"
REGION = "us-east-1"


class InProcessMoto:
    def __init__(self) -> None:
        self.aws = InProcessAws(DomainDispatcherApplication(create_backend_app), ENDPOINT)

    def call(self, method: str, target: str, headers: Any, body: bytes) -> Any:
        """The emulator's service transport: one request, answered in this thread."""
        return self.aws.call(method, target, headers, body)

    def client(self, service: str) -> Any:
        """A boto3 client whose requests take the in-process path, as the handlers' do."""
        client = boto3.client(
            service,  # type: ignore[call-overload]
            endpoint_url=ENDPOINT,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        client.meta.events.register("before-send", self.aws.before_send)
        return client
