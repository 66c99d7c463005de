"""moto's Kinesis answered one request at a time: the correctness fix, on in every mode.

moto (checked: 5.1.22; the code says "this function is not safe for concurrency") numbers a
shard's next record by reading the current last one and writing the next key without a lock,
so two PutRecords to one shard at the same time can take the same sequence number and one
overwrites the other: the producers are told "accepted", the record is gone. GetRecords walks
the shard's dict while a put may insert into it ("mutated during iteration", a 500). Upstream
report: docs/upstream/moto-kinesis-concurrent-puts.md (no moto issue found).

The fix is in our own call path, not in moto: `SerialKinesis(app)` wraps moto's WSGI
application and runs every Kinesis request (``X-Amz-Target: Kinesis_20131202.*``) under
`KINESIS_LOCK`, to the end of its answer; other services pass through untouched. Both ways
into the local moto -- its HTTP server and `in_process` -- go through this wrapper, and
whatever reads moto's Kinesis backend directly (`backend_reads`, the in-process JSON dispatch)
holds the same lock. It touches nothing private of moto, so it holds on any moto version, with
the speed patches on or off. The cost is nothing the GIL did not already charge: Kinesis
requests no longer interleave with each other.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

KINESIS_TARGET = "Kinesis_20131202."
KINESIS_LOCK = threading.Lock()


def is_kinesis(environ: Mapping[str, Any]) -> bool:
    """True for a request to the Kinesis API (routed by its ``X-Amz-Target``, JSON or CBOR)."""
    return str(environ.get("HTTP_X_AMZ_TARGET", "")).startswith(KINESIS_TARGET)


class SerialKinesis:
    """A WSGI application: `app`, with its Kinesis requests answered one at a time."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if not is_kinesis(environ):
            return self.app(environ, start_response)
        with KINESIS_LOCK:
            answer = self.app(environ, start_response)
            try:
                return [b"".join(answer)]  # the whole answer is computed under the lock
            finally:
                close = getattr(answer, "close", None)
                if close is not None:
                    close()
