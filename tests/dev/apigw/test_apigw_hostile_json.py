"""Hostile JSON bodies get API Gateway's 400 "Invalid request body", never a 500 or a traceback:
non-numbers (NaN, Infinity), numbers beyond a double, nesting deeper than the bound, invalid
UTF-8. Through the request validator (a body model) and through templates that read the body
(`$input.json`, `$input.path`, `$util.parseJson`) where no validator runs."""

from __future__ import annotations

import json
import logging

import pytest
from apigw_support import Caller, body_of, cloud_event

from generator.dev.apigw.velocity import jackson
from generator.dev.apigw.velocity.util import parse_json
from generator.dev.apigw.velocity.variables import BodyParseError, Params, TemplateVariables, render

DEEP = 3_000


def _event_with(raw_value: str) -> bytes:
    event = json.dumps([cloud_event("hostile-1", temperature=1.5)])
    return event.replace("1.5", raw_value).encode()


HOSTILE_BODIES = {
    "nan": _event_with("NaN"),
    "infinity": _event_with("Infinity"),
    "minus-infinity": _event_with("-Infinity"),
    "1e999": _event_with("1e999"),
    "-1e999": _event_with("-1e999"),
    "5000-digits": _event_with("1" * 5_000),
    "deep-arrays": _event_with("[" * DEEP + "]" * DEEP),
    "deep-objects": _event_with('{"a":' * DEEP + "1" + "}" * DEEP),
    "invalid-utf8": _event_with('"caf\xe9"').replace(b"caf\xc3\xa9", b"caf\xe9"),
    "overlong-utf8": _event_with('"x"').replace(b'"x"', b'"\xc0\xaf"'),
    "lone-continuation": _event_with('"x"').replace(b'"x"', b'"\x80"'),
}


@pytest.mark.parametrize("raw", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
def test_a_hostile_body_is_400_invalid_request_body(
    call: Caller, raw: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        response = call("POST", "/api/events", raw=raw)
    assert response.status == 400, response.body
    assert body_of(response)["message"] == "Invalid request body"
    assert "Traceback" not in caplog.text and "RecursionError" not in caplog.text


@pytest.mark.parametrize("raw", [b'{"name": NaN}', b'{"name": "x", "tags": ' + b"[" * DEEP + b"]" * DEEP + b"}",
                                 b'{"name": "caf\xe9"}'], ids=["nan", "deep", "utf8"])
def test_a_hostile_body_of_another_validated_route_is_400(call: Caller, raw: bytes) -> None:
    response = call("PUT", "/api/devices/hostile-json", raw=raw)
    assert response.status == 400, response.body
    assert body_of(response)["message"] == "Invalid request body"


def test_a_lone_surrogate_escape_is_not_a_500(call: Caller) -> None:
    response = call("POST", "/api/events", raw=_event_with('"\\ud800"'))
    assert response.status < 500, response.body


def test_nesting_within_the_bound_and_large_finite_numbers_are_accepted(call: Caller) -> None:
    nested = "[" * 200 + "]" * 200
    for value in ("1.7976931348623157e308", "-4.9e-324", "123456789012345678901234567890", nested):
        response = call("POST", "/api/events", raw=_event_with(value))
        assert response.status == 202, (value, response.body)


def _template(body: str, text: str) -> str:
    return render(text, "hostile.vtl", TemplateVariables(body, Params(), {}, {}))


@pytest.mark.parametrize(
    "body",
    ['{"a": NaN}', '{"a": Infinity}', '{"a": -Infinity}', '{"a": 1e999}', "[" * DEEP + "]" * DEEP,
     '{"a": 1} trailing'],
    ids=["nan", "infinity", "minus-infinity", "1e999", "deep", "trailing"],
)
@pytest.mark.parametrize("read", ["$input.json('$')", "$input.path('$.a')"])
def test_templates_reading_a_hostile_body_raise_body_parse_error(body: str, read: str) -> None:
    with pytest.raises(BodyParseError, match="Could not parse request body into json"):
        _template(body, read)


@pytest.mark.parametrize("text", ["NaN", "[1e999]", "[" * DEEP + "]" * DEEP])
def test_util_parse_json_is_as_strict(text: str) -> None:
    with pytest.raises(jackson.JsonParseError):
        parse_json(text)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("NaN", "Non-standard token 'NaN'"),
        ("[Infinity]", "Non-standard token 'Infinity'"),
        ("[-Infinity]", "Non-standard token '-Infinity'"),
        ("1e999", "out of range of double"),
        ("[" * 300 + "]" * 300, "nesting depth"),
        ('{"a": [1, }', "Unexpected"),
    ],
)
def test_the_strict_parser_names_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(jackson.JsonParseError) as raised:
        jackson.loads(text)
    assert words.lower() in str(raised.value).lower()


def test_the_strict_parser_refuses_invalid_utf8_bytes() -> None:
    with pytest.raises(jackson.JsonParseError, match="UTF-8"):
        jackson.loads(b'{"a": "caf\xe9"}')
    assert jackson.loads('{"a": "café", "n": [1, 2.5, -0.0, 1e308]}'.encode()) == {
        "a": "café", "n": [1, 2.5, -0.0, 1e308]
    }


def test_the_bound_is_on_depth_not_on_count() -> None:
    wide = "[" + ",".join(["[[1]]"] * 5_000) + "]"
    assert len(jackson.loads(wide)) == 5_000
    assert jackson.loads('"[[[[" ') == "[[[["  # brackets inside strings do not nest
    assert jackson.loads('["\\"[[[["]') == ['"[[[[']
