"""moto as the local AWS: moto's own server application on a free loopback port, in this process.

`LocalAws.start(region)` patches moto first, before anything serves (`moto_kinesis.install()`;
`moto_dynamodb.install()`, Query reads one partition, not the table;
`moto_expressions.install()`, each condition expression is parsed once; and a cache for moto's
per-request listing of its own package directory, a hundred ``stat`` calls per request, and of
a response class's methods), serves moto's `DomainDispatcherApplication` -- the
application `ThreadedMotoServer` runs -- with the keep-alive `WsgiServer` on ``127.0.0.1:0``
(half the cost per AWS call of werkzeug's one-connection-per-request server), resets moto's
in-process state (a second stack in the same process starts empty) and returns the running
instance. `client(service)` is a boto3 client bound to it with dummy credentials; `stop()`
closes every connection and joins the server's threads.
"""

from __future__ import annotations

import functools
import urllib.request
from typing import Any

import boto3
from botocore.config import Config
from moto import backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from generator.dev import moto_dynamodb, moto_expressions, moto_kinesis
from generator.dev.in_process import InProcessAws
from generator.dev.wsgi_server import WsgiServer

ACCESS_KEY = "testing"


def _cache_module_listing() -> None:
    """moto lists its package directory on every request to route it; the listing is constant."""
    listing: Any = backends.list_of_moto_modules
    if not hasattr(listing, "cache_info"):
        cached = functools.lru_cache(maxsize=1)(lambda: tuple(listing()))
        backends.list_of_moto_modules = cached


def _cache_method_names() -> None:
    """moto lists a response class's methods (inspect.getmembers) on every call; they are fixed."""
    from moto.core import responses

    module: Any = responses
    names = module.method_names_from_class
    if not hasattr(names, "cache_info"):
        module.method_names_from_class = functools.lru_cache(maxsize=None)(
            lambda cls: tuple(names(cls))
        )


class LocalAws:
    def __init__(self, server: WsgiServer, app: Any, region: str) -> None:
        self._server = server
        self.endpoint = f"http://{server.host}:{server.port}"
        # Calls from this process (boto3 clients, the API emulator) skip the socket.
        self.in_process = InProcessAws(app, self.endpoint)
        self.region = region
        self._config = Config(
            retries={"mode": "standard", "max_attempts": 3}, max_pool_connections=32
        )

    @classmethod
    def start(cls, region: str) -> LocalAws:
        moto_kinesis.install()
        moto_dynamodb.install()
        moto_expressions.install()
        _cache_module_listing()
        _cache_method_names()
        app = DomainDispatcherApplication(create_backend_app)
        server = WsgiServer(app, "127.0.0.1", 0)
        server.start(name="moto")
        instance = cls(server, app, region)
        try:
            request = urllib.request.Request(f"{instance.endpoint}/moto-api/reset", method="POST")
            with urllib.request.urlopen(request, timeout=10) as answer:
                answer.read()
        except Exception:
            instance.stop()
            raise
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

    def stop(self) -> None:
        self.in_process.uninstall()
        self._server.stop()
