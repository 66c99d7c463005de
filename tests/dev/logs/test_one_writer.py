"""Many threads print access lines, EMF documents, Powertools-style logs and text in pieces, with
stdout and stderr on one file (as ``gen dev > log 2>&1``): every line comes out whole.

The control shows how lines merged before the one writer (stdlib logging to stderr, ``print()``
to a block-buffered stdout): stdout's buffer is written when full, mid-line, and a line written
to stderr before the rest lands inside it; the order is fixed here, so the test is exact.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import pytest

from generator.dev import logsink

THREADS = 4
ROUNDS = 150
ACCESS = logging.getLogger("generator.dev.access")
PRETTY = re.compile(r"\d\d:\d\d:\d\d\.\d{3} (INFO|WARNING|ERROR) +(\S+) +(.*)")


def _emf(n: int) -> str:
    return json.dumps({
        "_aws": {"Timestamp": n, "CloudWatchMetrics": [{
            "Namespace": "fleet", "Dimensions": [["processor", "service"]],
            "Metrics": [{"Name": "ReadingsStored", "Unit": "Count"}]}]},
        "processor": "emitter", "service": "fleet", "ReadingsStored": [float(n)],
        "padding": "x" * 150,
    })


def _workload() -> list[threading.Thread]:
    def access(i: int) -> None:
        for n in range(ROUNDS):
            ACCESS.info("%s %s -> %s (%.1f ms)", "POST", f"/api/events/{i}/{n}", "202", 1.5)

    def function(i: int) -> None:
        for n in range(ROUNDS):
            print(_emf(n))
            print(json.dumps({"level": "INFO", "message": f"stored {i}/{n}", "processor": "emitter"}))
            print("partial", i, n, "of", ROUNDS)  # print writes each piece separately
            sys.stderr.write(f"warned {i}/")
            sys.stderr.write(f"{n}\n")

    emitter = logsink.attributed("emitter", function)
    return [threading.Thread(target=t, args=(i,)) for i in range(THREADS) for t in (access, emitter)]


@contextmanager
def one_file(path: Path) -> Iterator[None]:
    """sys.stdout (block-buffered) and sys.stderr (line-buffered) both on one file, as with
    ``> path 2>&1`` (set inside the test: pytest puts its own capture back after fixtures)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    out: TextIO = open(fd, "w", buffering=8192, closefd=False)  # noqa: SIM115
    err: TextIO = open(fd, "w", buffering=1, closefd=False)  # noqa: SIM115
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
        out.close()
        err.close()
        os.close(fd)


def _run(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _expected() -> set[str]:
    """The message of every line the workload prints (each once)."""
    lines = set()
    for i in range(THREADS):
        for n in range(ROUNDS):
            lines |= {f"POST /api/events/{i}/{n} -> 202 (1.5 ms)", f"stored {i}/{n}",
                      f"partial {i} {n} of {ROUNDS}", f"warned {i}/{n}"}
    return lines


@pytest.mark.parametrize("log_format", logsink.LOG_FORMATS)
def test_every_line_is_whole(tmp_path: Path, log_format: str) -> None:
    path = tmp_path / "out.log"
    with one_file(path), logsink.installed(log_format):
        _run(_workload())
    messages: list[str] = []
    metrics = 0
    for line in path.read_text().splitlines():
        if log_format == "json":
            record = json.loads(line)
            assert record.keys() >= {"time", "source", "name", "level", "message"}, line
            source, name, message = record["source"], record["name"], record["message"]
        else:
            match = PRETTY.fullmatch(line)
            assert match, f"not a pretty line: {line!r}"
            source = match[2] if match[2] in ("access", "stack") else "function"
            name, message = match[2], match[3]
        if message.startswith("metrics "):
            assert message == f"metrics ReadingsStored={message.split('=')[1]}", line
            metrics += 1
            continue
        expected = "access" if message.startswith("POST ") else "function"
        assert source == expected, line
        assert name == ("emitter" if expected == "function" else name), line
        messages.append(message)
    assert metrics == THREADS * ROUNDS
    assert len(messages) == len(set(messages)) and set(messages) == _expected()


def _emf_then_access() -> None:
    """An EMF document longer than stdout's buffer (written before its newline, as a full
    buffer is written mid-line under load), one access line, five more documents."""
    print(_emf(0).replace("x" * 150, "x" * 9000))
    ACCESS.info("%s %s -> %s (%.1f ms)", "GET", "/api/devices", "200", 2.0)
    for n in range(5):
        print(_emf(n))


def _whole_lines(path: Path) -> tuple[int, int]:
    """(lines, lines that are neither a JSON document nor an access line)."""
    access = re.compile(r"[\d:,. -]+ INFO +(generator\.dev\.access: |access +)GET /api/devices -> 200 \(2\.0 ms\)")
    lines = path.read_text().splitlines()
    broken = 0
    for line in lines:
        try:
            json.loads(line)
        except ValueError:
            broken += 0 if access.fullmatch(line) else 1
    return len(lines), broken


def test_without_one_writer_a_line_is_cut_by_another(tmp_path: Path) -> None:
    """The control: gen dev's output before (logging to stderr, print to stdout) merges lines."""
    path = tmp_path / "out.log"
    with one_file(path):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
        ACCESS.addHandler(handler)
        ACCESS.setLevel(logging.INFO)
        try:
            _emf_then_access()
        finally:
            ACCESS.removeHandler(handler)
            ACCESS.setLevel(logging.NOTSET)
    assert _whole_lines(path) == (7, 2)  # the access line inside the first document, then its newline


def test_with_one_writer_the_same_lines_stay_whole(tmp_path: Path) -> None:
    path = tmp_path / "out.log"
    with one_file(path), logsink.installed("json"):
        logsink.attributed("emitter", _emf_then_access)()
    assert _whole_lines(path) == (7, 0)
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["source"] for r in records] == ["function", "access"] + ["function"] * 5
    assert records[1]["message"] == "GET /api/devices -> 200 (2.0 ms)"


def test_a_line_written_in_pieces_by_two_threads_stays_two_lines() -> None:
    out, err = io.StringIO(), io.StringIO()
    writer = logsink.writer.LineWriter(out, err, "pretty")
    capture = logsink.capture.LineCapture(writer, out, on_stderr=False)
    first_half = threading.Event()
    other_done = threading.Event()

    def first() -> None:
        capture.write("first ")
        first_half.set()
        other_done.wait()
        capture.write("line\n")

    def second() -> None:
        first_half.wait()
        capture.write("second line\n")
        other_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    _run(threads)
    capture.write("unterminated")
    capture.flush()
    assert out.getvalue() == "second line\nfirst line\n"
    capture.close()
    assert out.getvalue() == "second line\nfirst line\nunterminated\n"
