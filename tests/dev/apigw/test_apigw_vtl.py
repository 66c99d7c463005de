"""$input, $util, $context and $stageVariables as mapping templates see them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.dev.apigw.velocity import jsonpath
from generator.dev.apigw.velocity.java import JsonList
from generator.dev.apigw.velocity.util import (
    base64_decode,
    base64_encode,
    escape_javascript,
    url_decode,
    url_encode,
)
from generator.dev.apigw.velocity.variables import BodyParseError, Params, TemplateVariables, render
from generator.dev.apigw.context import new_context

BODY = json.dumps(
    {
        "name": "sensor",
        "count": 3,
        "ratio": 0.5,
        "ok": True,
        "none": None,
        "tags": {"site": "north", "floor": "2"},
        "items": [{"id": "a", "n": 1}, {"id": "b", "n": 2}],
        "path": "a/b",
    }
)


def context(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "request_id": "req-1",
        "extended_request_id": "ext-1=",
        "http_method": "GET",
        "resource_path": "/devices/{deviceId}",
        "path": "/api/devices/d-1",
        "stage": "api",
        "request_time": datetime(2026, 3, 4, 5, 6, 7, 891000, tzinfo=UTC),
        "source_ip": "10.1.2.3",
        "user_agent": "pytest",
        "claims": None,
        "domain_name": "localhost",
        "account_id": "123456789012",
        "api_id": "local",
    }
    values.update(overrides)
    return new_context(**values)


def run(
    template: str,
    body: str = BODY,
    params: Params | None = None,
    ctx: dict[str, Any] | None = None,
    stage_variables: dict[str, str] | None = None,
) -> str:
    variables = TemplateVariables(
        body, params or Params(), ctx if ctx is not None else context(), stage_variables or {}
    )
    return render(template, "test.vtl", variables)


# --- $input ------------------------------------------------------------------------------


def test_input_body_is_the_raw_payload_and_empty_reads_as_empty_object() -> None:
    assert run("$input.body", body='{"a": 1}') == '{"a": 1}'
    assert run("$input.body", body="") == "{}"


def test_input_json_returns_json_text() -> None:
    assert run("$input.json('$.name')") == '"sensor"'
    assert run("$input.json('$.count')|$input.json('$.ok')|$input.json('$.none')") == "3|true|null"
    assert run("$input.json('$.tags')") == '{"site":"north","floor":"2"}'
    assert run("$input.json('$.items[1]')") == '{"id":"b","n":2}'
    assert run("$input.json('$.items[*].id')") == '["a","b"]'
    assert json.loads(run("$input.json('$')")) == json.loads(BODY)


def test_input_json_escapes_like_json_smart() -> None:
    assert run("$input.json('$.path')") == '"a\\/b"'
    assert run("$input.json('$.s')", body=json.dumps({"s": "\x01\u2028é"})) == '"\\u0001\\u2028é"'


def test_input_json_of_an_absent_path_is_empty() -> None:
    assert run("[$input.json('$.missing')]") == "[]"


def test_input_path_returns_objects_usable_in_templates() -> None:
    assert run("$input.path('$.name')") == "sensor"
    assert run("$input.path('$.tags').site|$input.path('$.tags').size()") == "north|2"
    assert run("#foreach($i in $input.path('$.items'))$i.id=$i.n;#end") == "a=1;b=2;"
    assert run("$input.path('$.items').size()") == "2"
    assert run("#if($input.path('$.missing') == $null)absent#end") == "absent"
    assert run("#if($input.path('$.ok'))yes#end|$input.path('$.count')") == "yes|3"


def test_input_path_renders_maps_java_style_and_arrays_as_json() -> None:
    assert run("$input.path('$.tags')") == "{site=north, floor=2}"
    assert run("$input.path('$.items')") == '[{"id":"a","n":1},{"id":"b","n":2}]'


def test_input_json_and_path_on_a_non_json_payload_raise_body_parse_error() -> None:
    with pytest.raises(BodyParseError, match="Could not parse request body into json"):
        run("$input.json('$')", body="{not json")
    with pytest.raises(BodyParseError):
        run("$input.path('$.a')", body="plain text")
    assert run("$input.body", body="plain text") == "plain text"


PARAMS = Params(
    path={"deviceId": "d-1", "shared": "from-path"},
    querystring={"limit": "10", "shared": "from-query", "only": "q"},
    header={"X-Tenant": "t-1", "shared": "from-header", "Only-Header": "h"},
)


def test_input_params_precedence_is_path_then_querystring_then_header() -> None:
    assert run("$input.params('shared')", params=PARAMS) == "from-path"
    assert run("$input.params('only')", params=PARAMS) == "q"
    assert run("$input.params('only-header')|$input.params('x-tenant')", params=PARAMS) == "h|t-1"
    assert (
        run("[$input.params('absent')]|#if($input.params('absent') == '')empty#end", params=PARAMS)
        == "[]|empty"
    )


def test_input_params_maps() -> None:
    out = run(
        "$input.params().path.deviceId|$input.params().querystring.limit|"
        "$input.params().header.get('X-Tenant')|$input.params().keySet()",
        params=PARAMS,
    )
    assert out == "d-1|10|t-1|[path, querystring, header]"
    out = run(
        "#foreach($k in $input.params().querystring.keySet())$k=$input.params().querystring.get($k);#end",
        params=PARAMS,
    )
    assert out == "limit=10;shared=from-query;only=q;"


# --- $util -------------------------------------------------------------------------------


def test_escape_javascript_is_commons_lang_exactly() -> None:
    assert escape_javascript("it's") == "it\\'s"
    assert escape_javascript('a"b\\c/d') == 'a\\"b\\\\c\\/d'
    assert escape_javascript("\b\t\n\f\r\x01\x1f\x7f") == "\\b\\t\\n\\f\\r\\u0001\\u001F\x7f"
    assert escape_javascript("é€😀") == "\\u00E9\\u20AC\\uD83D\\uDE00"
    assert escape_javascript("</script>") == "<\\/script>"
    assert escape_javascript(None) == ""  # a null argument reads as "" (see util's docstring)


def test_escape_javascript_single_quote_makes_invalid_json_unless_replaced() -> None:
    out = run("\"$util.escapeJavaScript($input.path('$.s'))\"", body=json.dumps({"s": "it's"}))
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)
    fixed = run(
        '"$util.escapeJavaScript($input.path(\'$.s\')).replaceAll("\\\\\'","\'")"',
        body=json.dumps({"s": "it's"}),
    )
    assert json.loads(fixed) == "it's"


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_escape_then_unescape_quote_idiom_round_trips_any_text_as_json(text: str) -> None:
    template = '"$util.escapeJavaScript($input.params(\'v\')).replaceAll("\\\\\'","\'")"'
    out = run(template, params=Params(querystring={"v": text}))
    assert json.loads(out) == text


def test_parse_json() -> None:
    out = run(
        "#set($o = $util.parseJson($input.path('$.raw')))$o.a|$o.b.size()|$o.b",
        body=json.dumps({"raw": '{"a": "x", "b": [1, 2]}'}),
    )
    assert out == "x|2|[1,2]"


def test_url_encode_and_decode_are_java_url_encoder() -> None:
    assert url_encode("a b&c=d/é*~-._") == "a+b%26c%3Dd%2F%C3%A9*%7E-._"
    assert url_decode("a+b%26c%3Dd%2F%C3%A9") == "a b&c=d/é"
    with pytest.raises(ValueError, match="illegal hex"):
        url_decode("100%")
    assert run("$util.urlEncode('x y')|$util.urlDecode('x+y')") == "x+y|x y"


def test_base64_encode_and_decode() -> None:
    assert base64_encode("héllo") == "aMOpbGxv"
    assert base64_decode("aMOpbGxv") == "héllo"
    assert base64_decode("YQ") == "a"
    with pytest.raises(ValueError, match="base64"):
        base64_decode("not base64!")
    assert run("$util.base64Decode($util.base64Encode('round trip'))") == "round trip"


def test_util_reads_a_null_argument_as_the_empty_string() -> None:
    # Recorded for urlEncode (tests/fidelity/corpus/ls_input_body.yaml, url-encode cases).
    template = (
        "[$util.urlEncode($x)][$util.urlDecode($x)][$util.base64Encode($x)]"
        "[$util.base64Decode($x)][$util.escapeJavaScript($x)]"
        "#if($util.parseJson($x) == $null)[null]#end"
    )
    assert run(template) == "[][][][][][null]"


def test_util_on_invalid_input_fails_the_template() -> None:
    from generator.dev.apigw.velocity.engine import VtlError

    for template in (
        "$util.base64Decode('%%%')",
        "$util.parseJson('{not json')",
        "$util.urlDecode('%zz')",
    ):
        with pytest.raises(VtlError):
            run(template)


# --- $context and $stageVariables ---------------------------------------------------------


def test_context_variables() -> None:
    out = run(
        "$context.requestId|$context.extendedRequestId|$context.httpMethod|$context.resourcePath|"
        "$context.path|$context.stage|$context.requestTime|$context.requestTimeEpoch|"
        "$context.identity.sourceIp|$context.identity.userAgent|$context.accountId"
    )
    assert out.split("|") == [
        "req-1",
        "ext-1=",
        "GET",
        "/devices/{deviceId}",
        "/api/devices/d-1",
        "api",
        "04/Mar/2026:05:06:07 +0000",
        "1772600767891",
        "10.1.2.3",
        "pytest",
        "123456789012",
    ]


def test_authorizer_claims() -> None:
    ctx = context(claims={"sub": "u-1", "email": "a@b.c", "cognito:groups": "admin"})
    out = run(
        "$context.authorizer.claims.sub|$context.authorizer.claims.email|"
        "$context.authorizer.claims['cognito:groups']",
        ctx=ctx,
    )
    assert out == "u-1|a@b.c|admin"
    assert run("[$context.authorizer.claims.sub]") == "[]"


def test_response_override_and_request_override_are_settable() -> None:
    ctx = context()
    run(
        "#set($context.responseOverride.status = 404)"
        "#set($context.responseOverride.header.Location = '/x')"
        "#set($context.requestOverride.header.XTrace = 'abc')"
        "#set($context.requestOverride.querystring.q = '1')",
        ctx=ctx,
    )
    assert ctx["responseOverride"] == {"status": 404, "header": {"Location": "/x"}}
    assert ctx["requestOverride"]["header"] == {"XTrace": "abc"}
    assert ctx["requestOverride"]["querystring"] == {"q": "1"}


def test_stage_variables() -> None:
    out = run(
        "$stageVariables.table_devices|[$stageVariables.absent]",
        stage_variables={"table_devices": "t1"},
    )
    assert out == "t1|[]"


# --- JSONPath ------------------------------------------------------------------------------


def test_jsonpath_subset() -> None:
    doc = json.loads(BODY)
    assert jsonpath.evaluate(doc, "$") == (True, doc)
    assert jsonpath.evaluate(doc, "$.tags.site") == (True, "north")
    assert jsonpath.evaluate(doc, "$['tags'][\"floor\"]") == (True, "2")
    assert jsonpath.evaluate(doc, "$.items[-1].id") == (True, "b")
    assert jsonpath.evaluate(doc, "$.items[5]") == (False, None)
    assert jsonpath.evaluate(doc, "$.tags.*") == (True, JsonList(["north", "2"]))
    assert jsonpath.evaluate(doc, "$..id") == (True, JsonList(["a", "b"]))
    assert jsonpath.evaluate(doc, "$.nothing[*]") == (True, JsonList([]))


@pytest.mark.parametrize("path", ["items", "$.items[?(@.n > 1)]", "$.items[0:1]", "$.a b"])
def test_jsonpath_rejects_unsupported_syntax(path: str) -> None:
    with pytest.raises(jsonpath.JsonPathError):
        jsonpath.parse(path)
