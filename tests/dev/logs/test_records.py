"""The two renderings of a line: json carries the fields, pretty is readable; both one record."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
from datetime import UTC, datetime

import pytest

from generator.dev import logsink
from generator.dev.logsink.capture import LineCapture
from generator.dev.logsink.handler import SinkHandler
from generator.dev.logsink.records import Line, function_line, render_json, render_pretty
from generator.dev.logsink.writer import LineWriter

AT = datetime(2026, 12, 5, 7, 41, 2, 123000, tzinfo=UTC).timestamp()
POWERTOOLS = {"level": "WARNING", "location": "handle:60", "message": "ahead of the clock",
              "timestamp": "2026-12-05 07:41:02,123+0000", "service": "fleet", "cold_start": False,
              "function_name": "fleet-local-apply-readings", "processor": "apply_readings",
              "count": 2, "events": ["e1", "e2"]}
EMF = {"_aws": {"Timestamp": 1, "CloudWatchMetrics": [{"Namespace": "fleet", "Dimensions": [["processor"]],
       "Metrics": [{"Name": "ReadingsStored", "Unit": "Count"}, {"Name": "DevicesUpdated", "Unit": "Count"}]}]},
       "processor": "apply_readings", "ReadingsStored": [3.0], "DevicesUpdated": [1.0]}


def test_a_powertools_record_keeps_its_level_message_and_object() -> None:
    line = function_line("apply_readings", json.dumps(POWERTOOLS), "INFO", AT)
    record = json.loads(render_json(line))
    assert record == {"time": "2026-12-05T07:41:02.123Z", "source": "function", "name": "apply_readings",
                      "level": "WARNING", "message": "ahead of the clock", "data": POWERTOOLS}
    pretty = render_pretty(line)
    assert re.fullmatch(r"\d\d:\d\d:02\.123 WARNING apply_readings +ahead of the clock  "
                        r'count=2 events=\["e1", "e2"\]', pretty), pretty


def test_an_emf_document_reads_as_its_metric_values() -> None:
    line = function_line("apply_readings", json.dumps(EMF), "INFO", AT)
    assert line.message == "metrics ReadingsStored=3 DevicesUpdated=1" and line.data == EMF
    assert render_pretty(line).endswith("INFO    apply_readings   metrics ReadingsStored=3 DevicesUpdated=1")


@pytest.mark.parametrize("text", ["plain text", "{not json", "[1, 2]", '{"no": "message"}'])
def test_other_output_is_its_text(text: str) -> None:
    line = function_line("p", text, "INFO", AT)
    assert line.message == text and json.loads(render_json(line))["message"] == text


def test_an_exception_stays_in_its_record() -> None:
    line = Line("stack", "generator.dev.stack", "ERROR", "failed\nsecond line", AT,
                exception="Traceback (most recent call last):\nValueError: bad")
    assert len(render_json(line).splitlines()) == 1
    assert json.loads(render_json(line))["exception"].endswith("ValueError: bad")
    pretty = render_pretty(line).splitlines()
    assert pretty[0].endswith("ERROR   stack            failed")
    assert pretty[1:] == ["    second line", "    Traceback (most recent call last):", "    ValueError: bad"]


def test_logging_records_are_access_function_or_stack() -> None:
    out = io.StringIO()
    handler = SinkHandler(LineWriter(out, out, "json"), "generator.dev.access")

    def record(name: str) -> logging.LogRecord:
        return logging.LogRecord(name, logging.INFO, __file__, 1, "m %s", ("x",), None)

    handler.emit(record("generator.dev.access"))
    logsink.attributed("apply_readings", handler.emit)(record("handwritten.rules"))
    handler.emit(record("botocore.credentials"))
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [(x["source"], x["name"], x["message"]) for x in lines] == [
        ("access", "generator.dev.access", "m x"), ("function", "apply_readings", "m x"),
        ("stack", "botocore.credentials", "m x")]


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="pretty, json"):
        LineWriter(io.StringIO(), io.StringIO(), "xml")


def test_installed_puts_everything_back() -> None:
    saved = sys.stdout, sys.stderr, logging.getLogger().handlers[:], logging.getLogger("generator").propagate
    with logsink.installed("json") as writer:
        assert isinstance(sys.stdout, LineCapture) and writer.log_format == "json"
    assert (sys.stdout, sys.stderr, logging.getLogger().handlers, logging.getLogger("generator").propagate) == saved


def test_after_close_a_kept_capture_writes_to_the_current_stream(capsys: pytest.CaptureFixture[str]) -> None:
    """A Powertools handler keeps the stream it was created with, across gen dev runs."""
    out = io.StringIO()
    capture = LineCapture(LineWriter(out, out), out, on_stderr=False)
    capture.close()
    capture.write("after\n")
    assert capsys.readouterr().out == "after\n" and out.getvalue() == ""
