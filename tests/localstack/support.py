"""Helpers of the local-stack tests: an HTTP client for the running stack, CloudEvents, the seed
as written in spec/seed/, polling, and a fault-injecting proxy in front of moto.

Everything here talks to the stack the way a user would (HTTP) or to its moto endpoint the way
a tool would (boto3); nothing reaches into the stack's objects except `RunningStack` fields.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import boto3
import requests
import urllib3
import yaml
from werkzeug.serving import make_server
from werkzeug.wrappers import Request
from werkzeug.wrappers import Response as WerkzeugResponse

from generator.dev.local_aws.patches import gate

REPO = Path(__file__).resolve().parents[2]
T = TypeVar("T")
# The stack runs on plain moto when the moto patches are off (`make test-plain-moto`) or do not
# fit this moto: the same answers, several times slower under the pipeline's load (moto copies
# the idempotency table per item of a transaction). Waits for the pipeline to settle allow that.
PLAIN_MOTO = not gate.decide().patched
PATIENCE = 5.0 if PLAIN_MOTO else 1.0


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


INGEST_PATH = "/api/events"
LOCAL_KEY = ("testing", "testing")  # what gen dev verifies SigV4 signatures against
REGION = "us-east-1"


def sign(method: str, url: str, headers: dict[str, str], data: bytes, key: tuple[str, str] = LOCAL_KEY,
         region: str = REGION) -> dict[str, str]:
    """`headers` plus the SigV4 headers a device using botocore would send (service execute-api)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method=method, url=url, data=data, headers=headers)
    SigV4Auth(Credentials(*key), "execute-api", region).add_auth(request)
    return dict(request.headers.items())


class Http:
    """A keep-alive client for one stack; paths are relative to the stack's root URL.

    POSTs to the ingestion route are signed (SigV4, the local key pair) as a producer signs them,
    unless `signed=False`."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        body: Any = None,
        data: bytes | str | None = None,
        signed: bool | None = None,
    ) -> Reply:
        if body is not None:
            data = json.dumps(body)
            headers = {"Content-Type": "application/json", **(headers or {})}
        if signed is None:
            signed = method == "POST" and path == INGEST_PATH
        if signed:
            prepared = requests.Request(method, self.base + path, params=params).prepare()
            raw = data.encode() if isinstance(data, str) else (data or b"")
            headers = sign(method, str(prepared.url), dict(headers or {}), raw)
            data = raw
        answer = self.session.request(
            method, self.base + path, params=params, headers=headers, data=data, timeout=30
        )
        return Reply(answer.status_code, dict(answer.headers), answer.text)

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Reply:
        return self.request("POST", path, **kwargs)


def drain(http: Http, timeout: float) -> bool:
    """Wait (``POST /_local/drain``) until the pollers have settled their streams; False if they
    have not within ``timeout`` seconds (times `PATIENCE`)."""
    deadline = time.monotonic() + timeout * PATIENCE
    while True:
        wait = max(0.0, min(deadline - time.monotonic(), 25.0))
        answer = http.post("/_local/drain", params={"timeout": f"{wait:.1f}"})
        assert answer.status in (200, 504), answer.text
        if answer.json["drained"] or time.monotonic() >= deadline:
            return bool(answer.json["drained"])


def now_iso(offset_s: float = 0.0) -> str:
    """Now (plus an offset) in whole seconds, as devices in the seed report time."""
    return datetime.fromtimestamp(time.time() + offset_s, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def envelope(type_: str, subject: str, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": extra.pop("id", str(uuid.uuid4())),
        "source": "tests/localstack",
        "type": type_,
        "subject": subject,
        "time": extra.pop("time", now_iso()),
        "data": data,
        **extra,
    }


def registered(device_id: str, site_id: str, name: str = "Test device", **data: Any) -> dict[str, Any]:
    payload = {"deviceId": device_id, "siteId": site_id, "name": name, "model": "TH-200", **data}
    return envelope("device.registered", device_id, payload)


def reading(device_id: str, time_: str, temperature: float, battery: int = 90,
            humidity: float | None = None) -> dict[str, Any]:
    payload = {"deviceId": device_id, "time": time_, "temperature": temperature,
               "humidity": humidity, "battery": battery}
    return envelope("reading.recorded", device_id, payload, time=time_)


def eventually(probe: Callable[[], T | None], timeout: float, interval: float = 0.02) -> T:
    """Call `probe` until it returns something other than None/False; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value is not None and value is not False:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


def seed_tables() -> list[str]:
    """The tables spec/seed/ has items for."""
    return sorted(p.stem for p in (REPO / "spec" / "seed").glob("*.yaml"))


def seed_items(table: str) -> list[dict[str, Any]]:
    """The seed of `table` exactly as written in spec/seed/<table>.yaml."""
    items = yaml.safe_load((REPO / "spec" / "seed" / f"{table}.yaml").read_text(encoding="utf-8"))
    assert isinstance(items, list)
    return items


def nullable_properties(schema_name: str) -> set[str]:
    """Properties of a component schema that may be null (the API writes them even when absent)."""
    spec = yaml.safe_load((REPO / "spec" / "openapi.yaml").read_text(encoding="utf-8"))
    props = spec["components"]["schemas"][schema_name]["properties"]
    out = set()
    for name, prop in props.items():
        types = prop.get("type")
        if (isinstance(types, list) and "null" in types) or any(
            option.get("type") == "null" for option in prop.get("oneOf", [])
        ):
            out.add(name)
    return out


def as_served(item: dict[str, Any], schema_name: str) -> dict[str, Any]:
    """A seed item as the API serves it: nullable properties the item omits come back null."""
    return {**{name: None for name in nullable_properties(schema_name)}, **item}


def _key(item: dict[str, Any], names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(json.dumps(item[name], sort_keys=True) for name in names)


def restore_seed(stack: Any, dynamodb: Any) -> None:
    """Delete every item the seed does not have, then write the seed (changed items revert)."""
    from generator.seeding import load_seed_file, write_batches

    seed = json.loads((REPO / "generated/dynamodb/seed.json").read_text(encoding="utf-8"))
    for table in stack.ir.tables:
        physical = stack.names.tables[table.name]
        keys = table.key_names
        seeded = {_key(put["PutRequest"]["Item"], keys)
                  for batch in seed["tables"].get(table.name, []) for put in batch}
        extra: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"TableName": physical, "ProjectionExpression": ", ".join(
            f"#k{i}" for i in range(len(keys))), "ExpressionAttributeNames": {
            f"#k{i}": name for i, name in enumerate(keys)}}
        while True:
            page = dynamodb.scan(**kwargs)
            extra += [item for item in page["Items"] if _key(item, keys) not in seeded]
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        deletes = [{"DeleteRequest": {"Key": item}} for item in extra]
        write_batches(dynamodb, physical, [deletes[i:i + 25] for i in range(0, len(deletes), 25)])
    load_seed_file(REPO, stage="local", client=dynamodb)


def aws_client(service: str, endpoint: str, region: str) -> Any:
    return boto3.client(  # type: ignore[call-overload]
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def read_queue(sqs: Any, url: str) -> list[dict[str, Any]]:
    """Every message body in the queue (made visible again afterwards, never deleted)."""
    bodies: list[dict[str, Any]] = []
    handles = []
    for _ in range(50):
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30)
        messages = answer.get("Messages", [])
        if not messages:
            break
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            handles.append(message["ReceiptHandle"])
    for handle in handles:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
    return bodies


Fault = Callable[[str, dict[str, Any], int, bytes], tuple[int, bytes] | None]
"""(X-Amz-Target, request JSON, upstream status, upstream body) -> replacement answer or None."""


class FaultProxy:
    """Forwards AWS JSON-protocol calls to moto and lets a test rewrite chosen answers."""

    def __init__(self, upstream: str, fault: Fault) -> None:
        self._pool = urllib3.PoolManager()
        self._upstream = upstream
        self._fault = fault
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def _app(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        body = request.get_data()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        answer = self._pool.request("POST", self._upstream + "/", body=body, headers=headers)
        target = request.headers.get("X-Amz-Target", "")
        try:
            sent = json.loads(body)
        except ValueError:
            sent = {}
        replaced = self._fault(target, sent, answer.status, answer.data)
        status, data = replaced if replaced is not None else (answer.status, answer.data)
        response = WerkzeugResponse(data, status=status, content_type=answer.headers.get("Content-Type"))
        return response(environ, start_response)

    @contextmanager
    def running(self) -> Iterator[FaultProxy]:
        self._thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._server.server_close()
