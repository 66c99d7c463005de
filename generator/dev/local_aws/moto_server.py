"""moto as the local AWS: moto's own server application on a free loopback port, in this process.

`LocalAws.start(region)` first settles how moto runs in this process (`patches.gate`: the speed
patches on a checked moto, plain moto otherwise or with ``SPECSTACK_MOTO_PATCHES=off``; a
warning, when there is one, is logged: one line on `gen dev`'s stderr), then serves moto's
`DomainDispatcherApplication` -- the application `ThreadedMotoServer` runs -- behind
`kinesis_serial.SerialKinesis` (concurrent puts to a shard are safe in either mode) with the
keep-alive `WsgiServer` on ``127.0.0.1:0`` (through `in_process.PortApplication`: other
processes' calls with a body take the in-process path, writes journaled with `--state`) (half the cost per AWS call of werkzeug's
one-connection-per-request server), resets moto's in-process state (a second stack in the same
process starts empty) and returns the running instance.

`client(service)` is a boto3 client bound to it with dummy credentials; unless started with
``hook_boto3=False``, boto3's default session answers calls to it in process (`in_process`).
`shard_readers(kinesis)` and `stream_tips(kinesis)` are how consumers in this process read its
Kinesis: straight from moto's backend when patched (`backend_reads`), through the Kinesis API
when plain. `stop()` closes every connection and joins the server's threads.
"""

from __future__ import annotations

import logging
import urllib.request
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from generator.dev.http.framing import Limits
from generator.dev.http.wsgi_server import WsgiServer
from generator.dev.kinesis.shard_reader import ReaderFactory, api_readers
from generator.dev.kinesis.tips import ApiStreamTips, StreamTips
from generator.dev.local_aws import backend_reads
from generator.dev.local_aws.identity import ACCESS_KEY, LOCAL_ACCOUNT
from generator.dev.local_aws.in_process import InProcessAws, PortApplication
from generator.dev.local_aws.kinesis_serial import SerialKinesis
from generator.dev.local_aws.patches import gate

if TYPE_CHECKING:
    from mypy_boto3_kinesis import KinesisClient

log = logging.getLogger(__name__)
# moto is AWS, not API Gateway: S3 objects may exceed 10 MB, and botocore is a trusted client.
AWS_LIMITS = Limits(body=64 * 1024 * 1024, length_required=False)


class LocalAws:
    def __init__(self, server: WsgiServer, app: Any, region: str, mode: gate.MotoMode) -> None:
        self._server = server
        self.endpoint = f"http://{server.host}:{server.port}"
        self.mode = mode
        # Calls from this process (boto3 clients, the API emulator) skip the socket.
        self.in_process = InProcessAws(app, self.endpoint, direct_dispatch=mode.patched)
        self.region = region
        self._config = Config(
            retries={"mode": "standard", "max_attempts": 3}, max_pool_connections=32
        )

    @classmethod
    def start(cls, region: str, *, hook_boto3: bool = True) -> LocalAws:
        mode = gate.apply(gate.decide())
        if mode.warning:
            log.warning("%s", mode.warning)
        app = SerialKinesis(DomainDispatcherApplication(create_backend_app))
        port = PortApplication(app)
        server = WsgiServer(port, "127.0.0.1", 0, limits=AWS_LIMITS)
        server.start(name="moto")
        instance = cls(server, app, region, mode)
        port.aws = instance.in_process  # from here the port's writes take the in-process path
        try:
            request = urllib.request.Request(f"{instance.endpoint}/moto-api/reset", method="POST")
            with urllib.request.urlopen(request, timeout=10) as answer:
                answer.read()
        except Exception:
            instance.stop()
            raise
        if hook_boto3:
            instance.in_process.install()
        return instance

    def client(self, service: str) -> Any:
        return boto3.client(
            service,  # type: ignore[call-overload]
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=ACCESS_KEY,
            config=self._config,
        )

    def shard_readers(self, kinesis: KinesisClient) -> ReaderFactory:
        """Readers of this moto's shards for consumers in this process (`kinesis` when plain)."""
        if self.mode.patched:
            return backend_reads.moto_readers(self.region, LOCAL_ACCOUNT)
        return api_readers(kinesis)

    def stream_tips(self, kinesis: KinesisClient) -> StreamTips:
        """Each shard's newest sequence number, by stream name (through `kinesis` when plain)."""
        if self.mode.patched:
            region = self.region
            return lambda stream: backend_reads.shard_tips(stream, region, LOCAL_ACCOUNT)
        return ApiStreamTips(kinesis)

    def stop(self) -> None:
        self.in_process.uninstall()
        self._server.stop()
