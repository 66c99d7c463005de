"""Each processor's Powertools log context is its own, also when processors share a process.

gen dev runs every processor in one process, and Powertools' Loggers of one service share one
logging.Logger, handler and formatter: keys appended by one processor (its ``processor`` key,
its Lambda context, keys its handwritten code appends) used to appear in another's lines. The
shipped runtime (`generator/runtime/python/observe.py`, imported here from its source) gives
each processor its own keys. Two processors log concurrently; every line carries only its own.
"""

from __future__ import annotations

import io
import json
import logging
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from generator.dev.lambdas.shapes import LambdaContext
from generator.runtime.python import observe

ROUNDS = 200


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, io.StringIO]]:
    """A service name of this test's own (loggers are per process) and what its lines print."""
    monkeypatch.delenv("POWERTOOLS_SERVICE_NAME", raising=False)
    monkeypatch.delenv("POWERTOOLS_METRICS_NAMESPACE", raising=False)
    name = f"iso{uuid.uuid4().hex[:8]}"
    observe.telemetry(name, "first")
    stream = io.StringIO()
    for handler in logging.getLogger(name).handlers:
        handler.setStream(stream)  # type: ignore[attr-defined]
    yield name, stream


def _run(service: str, processor: str, barrier: threading.Barrier) -> None:
    tel = observe.telemetry(service, processor)

    def handler(event: dict[str, Any], context: Any) -> None:
        tel.logger.append_keys(**{f"only_{processor}": event["n"]})
        barrier.wait()  # both processors are inside an invocation at once
        tel.logger.info(f"from {processor}")
        tel.count("Logged")
        barrier.wait()

    wrapped = tel.wrap(handler)
    context = LambdaContext(function_name=f"fn-{processor}", invoked_function_arn=f"arn:{processor}")
    for n in range(ROUNDS):
        wrapped({"n": n}, context)


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]


def test_keys_one_processor_appends_never_appear_in_anothers_lines(
        service: tuple[str, io.StringIO], capsys: pytest.CaptureFixture[str]) -> None:
    name, stream = service
    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=_run, args=(name, p, barrier)) for p in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = [line for line in _lines(stream) if str(line.get("message", "")).startswith("from ")]
    assert len(lines) == 2 * ROUNDS
    for line in lines:
        own = line["message"].removeprefix("from ")
        other = "b" if own == "a" else "a"
        assert line["processor"] == own, line
        assert line["function_name"] == f"fn-{own}", line
        assert f"only_{own}" in line and f"only_{other}" not in line, line
    emf = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith("{")]
    assert {e["processor"] for e in emf if "Logged" in e} == {"a", "b"}


def test_concurrent_invocations_of_one_processor_keep_their_own_lambda_context(
        service: tuple[str, io.StringIO]) -> None:
    """gen dev runs a processor on every shard at once; in Lambda they are separate environments."""
    name, stream = service
    tel = observe.telemetry(name, "sharded")
    barrier = threading.Barrier(2)

    def handler(event: dict[str, Any], context: Any) -> None:
        tel.logger.append_keys(shard=event["shard"])
        barrier.wait()
        tel.logger.info(f"shard {event['shard']} request {context.aws_request_id}")
        tel.count("Logged")
        barrier.wait()

    wrapped = tel.wrap(handler)

    def run(shard: str) -> None:
        for _ in range(ROUNDS // 4):
            wrapped({"shard": shard}, LambdaContext(function_name="fn", invoked_function_arn="arn"))

    threads = [threading.Thread(target=run, args=(s,)) for s in ("s0", "s1")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = [x for x in _lines(stream) if str(x.get("message", "")).startswith("shard ")]
    assert len(lines) == 2 * (ROUNDS // 4)
    for line in lines:
        _, shard, _, request = line["message"].split()
        assert (line["shard"], line["function_request_id"]) == (shard, request), line


def test_concurrent_invocations_of_one_processor_flush_their_own_metrics(
        service: tuple[str, io.StringIO], capsys: pytest.CaptureFixture[str]) -> None:
    """Each invocation's EMF document holds its own values: none lost, none flushed by another."""
    name, _ = service
    tel = observe.telemetry(name, "counted")
    barrier = threading.Barrier(2)

    def handler(event: dict[str, Any], context: Any) -> None:
        tel.count("Counted", event["value"])
        barrier.wait()  # both invocations have counted before either flushes

    wrapped = tel.wrap(handler)

    def run(value: int) -> None:
        for _ in range(ROUNDS // 4):
            wrapped({"value": value}, LambdaContext(function_name="fn", invoked_function_arn="arn"))

    threads = [threading.Thread(target=run, args=(v,)) for v in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    documents = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith("{")]
    values = sorted(d["Counted"] for d in documents if "Counted" in d)
    assert values == [[1.0]] * (ROUNDS // 4) + [[2.0]] * (ROUNDS // 4)


def test_a_processor_keeps_its_keys_across_invocations(service: tuple[str, io.StringIO]) -> None:
    """As in one Lambda execution environment: appended keys last until removed."""
    name, stream = service
    tel = observe.telemetry(name, "keeper")
    context = LambdaContext(function_name="fn-keeper", invoked_function_arn="arn:keeper")

    def first(event: Any, ctx: Any) -> None:
        tel.logger.append_keys(tenant="t1")
        tel.count("Logged")

    def second(event: Any, ctx: Any) -> None:
        tel.logger.info("later")
        tel.count("Logged")

    tel.wrap(first)({}, context)
    tel.wrap(second)({}, context)
    (line,) = [x for x in _lines(stream) if x.get("message") == "later"]
    assert line["tenant"] == "t1" and line["processor"] == "keeper"
