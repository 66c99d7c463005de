"""Request templates executed with hostile parameters, claims and bodies.

A caller's value may reach DynamoDB or Kinesis only as the content of a JSON string (or as a number
that matched a regex); anything invalid turns the request into one the service rejects with a
ValidationException (answered 400), never into different JSON.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.emit.api.views import cursor_attrs
from tests.vtl.strategies import integers, numbers, strings
from tests.vtl.support import (EDGE, HOSTILE_STRINGS, REPO, STAGE_VARIABLES, case_ir, operation, render_template,
                               request_template, response_template)

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INJECTION = 'x"}, "TableName": "evil", "Key": {"a": {"S": "b'


def _request(root: Path, op_id: str, **kwargs: Any) -> dict[str, Any]:
    out = render_template(request_template(root, op_id), **kwargs)
    parsed: dict[str, Any] = json.loads(out.text)
    return parsed


def _poisoned(request: dict[str, Any]) -> bool:
    return request.get("KeyConditionExpression") == "invalid request" or "FilterExpression" in request \
        or request.get("Key") == {}


# -- GetItem ---------------------------------------------------------------------------------------


@SETTINGS
@given(device=strings, time=strings)
def test_get_item_key_carries_path_parameters_verbatim(device: str, time: str) -> None:
    request = _request(REPO, "getReading", path={"deviceId": device, "time": time})
    assert request == {"TableName": "readings-phys", "ConsistentRead": False,
                       "Key": {"deviceId": {"S": device}, "time": {"S": time}}}


@pytest.mark.parametrize("sub", HOSTILE_STRINGS + (INJECTION,))
def test_get_item_key_from_claim(sub: str) -> None:
    request = _request(REPO, "getMyProfile", claims={"sub": sub})
    assert request["Key"] == {"userId": {"S": sub}}
    assert request["TableName"] == STAGE_VARIABLES["table_profiles"]


@pytest.mark.parametrize(("series", "at", "ok"), [
    ("1", "2.5", True), ("-7", "1E+10", True), ("0", "-1.5e-3", True),
    ("1x", "1", False), ("1", "", False), ("1", "1e", False), ("NaN", "1", False), ("1", INJECTION, False),
    ("1 ", "1", False), ("+1", "1", False),
])
def test_get_item_number_keys_are_checked(series: str, at: str, ok: bool) -> None:
    request = _request(EDGE, "getMetric", path={"seriesId": series, "at": at})
    if ok:
        assert request["Key"] == {"seriesId": {"N": series}, "at": {"N": at}}
    else:
        assert request["Key"] == {}  # DynamoDB: ValidationException -> 400


# -- limit and cursor ------------------------------------------------------------------------------


@pytest.mark.parametrize(("op_id", "limit", "expected"), [
    ("listSites", None, 25), ("listSites", "1", 1), ("listSites", "100", 100), ("listSites", "", 25),
    ("listSites", "0", None), ("listSites", "101", None), ("listSites", "-1", None), ("listSites", "1.5", None),
    ("listSites", "1e2", None), ("listSites", "01", None), ("listSites", " 5", None), ("listSites", INJECTION, None),
    ("listSites", "99999999999", None),
    ("listThings", None, 10), ("listThings", "50", 50), ("listThings", "51", None),
    ("listGroupThings", "123456789", 123456789), ("listMetrics", "1000", 1000), ("listMetrics", "1001", None),
])
def test_limit_is_a_checked_number(op_id: str, limit: str | None, expected: int | None) -> None:
    root = REPO if op_id == "listSites" else EDGE
    path = {"group": "g", "seriesId": "1"}
    request = _request(root, op_id, path=path, query={} if limit is None else {"limit": limit})
    if expected is None:
        assert _poisoned(request)
    else:
        assert request["Limit"] == expected and not _poisoned(request)


def _paged_ops() -> list[tuple[Path, str]]:
    return [(root, op.operation_id) for root in (REPO, EDGE) for op in case_ir(root).operations
            if op.kind in ("scan", "query")]


@pytest.mark.parametrize(("root", "op_id"), _paged_ops(), ids=lambda v: v if isinstance(v, str) else v.name)
@SETTINGS
@given(data=st.data())
def test_cursor_round_trips_any_last_evaluated_key(root: Path, op_id: str, data: st.DataObject) -> None:
    """next (response template) -> cursor (request template) gives back the exact key, typed."""
    ir = case_ir(root)
    attrs = cursor_attrs(ir, operation(ir, op_id))
    lek = {a.name: {a.type: data.draw(strings.filter(bool) if a.type == "S" else numbers)} for a in attrs}
    page = render_template(response_template(root, op_id), body={"Items": [], "LastEvaluatedKey": lek})
    token = json.loads(page.text)["next"]
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", token)  # URL-safe: no encoding needed in a query string
    request = _request(root, op_id, path={"group": "g", "seriesId": "1", "siteId": "s", "deviceId": "d"},
                       query={"cursor": token})
    assert request["ExclusiveStartKey"] == lek
    assert not _poisoned(request)


@pytest.mark.parametrize("cursor", [
    "!!", "a", "abcde", "ab.cd", "ab=", "ab+c", "ab/c", "YWI=", " YWI", INJECTION, ".", "..", "a.b.c",
    base64.urlsafe_b64encode(b'x"}, "TableName": "evil').decode().rstrip("="),  # decodes fine: stays a string
])
def test_bad_cursors_are_rejected_or_stay_strings(cursor: str) -> None:
    request = _request(REPO, "listSites", query={"cursor": cursor})
    if _poisoned(request):
        assert "ExclusiveStartKey" not in request
    else:
        assert set(request) == {"TableName", "ExclusiveStartKey", "Limit"}
        assert set(request["ExclusiveStartKey"]) == {"siteId"}
        assert request["TableName"] == STAGE_VARIABLES["table_sites"]


@pytest.mark.parametrize("cursor", ["YWI.YWI", "YWI", "YWI.MQ.MQ"])
def test_cursor_must_have_one_part_per_key_attribute(cursor: str) -> None:
    # listMetrics' key is (at, seriesId), both numbers: "ab" is not one, "1" is.
    request = _request(EDGE, "listMetrics", path={"seriesId": "1"}, query={"cursor": cursor})
    assert _poisoned(request)
    ok = _request(EDGE, "listMetrics", path={"seriesId": "1"}, query={"cursor": "MQ.LTI"})
    assert ok["ExclusiveStartKey"] == {"at": {"N": "1"}, "seriesId": {"N": "-2"}}


# -- Query: key condition, sort range, index -------------------------------------------------------


_PLACEHOLDER = re.compile(r"[#:][A-Za-z0-9]+")


@pytest.mark.parametrize("since", [None, "2024-01-01T00:00:00Z", "it's \"odd\""])
@pytest.mark.parametrize("until", [None, "2025-01-01T00:00:00Z", INJECTION])
def test_query_sort_range_uses_only_attribute_values(since: str | None, until: str | None) -> None:
    query = {k: v for k, v in (("since", since), ("until", until)) if v is not None}
    request = _request(REPO, "listReadings", path={"deviceId": "d'1"}, query=query)
    expression = request["KeyConditionExpression"]
    used = set(_PLACEHOLDER.findall(expression))
    assert used == set(request["ExpressionAttributeNames"]) | set(request["ExpressionAttributeValues"])
    values = {v["S"] for v in request["ExpressionAttributeValues"].values()}
    assert values == {"d'1"} | set(query.values())
    operator = {(True, True): "BETWEEN", (True, False): ">=", (False, True): "<=", (False, False): None}[
        (since is not None, until is not None)]
    assert (operator is None and expression == "#k0 = :k0") or (operator in expression)
    assert request["ScanIndexForward"] is False
    assert request["ExpressionAttributeNames"]["#k0"] == "deviceId"


def test_query_on_an_index_names_it_and_its_key() -> None:
    request = _request(EDGE, "listGroupThings", path={"group": "g"}, query={"minRank": "-5", "maxRank": "7"})
    assert request["IndexName"] == "byGroup"
    assert request["KeyConditionExpression"] == "#k0 = :k0 AND #k1 BETWEEN :k1a AND :k1b"
    assert request["ExpressionAttributeNames"] == {"#k0": "group", "#k1": "rank"}
    assert request["ExpressionAttributeValues"] == {":k0": {"S": "g"}, ":k1a": {"N": "-5"}, ":k1b": {"N": "7"}}
    assert "ScanIndexForward" not in request
    assert _poisoned(_request(EDGE, "listGroupThings", path={"group": "g"}, query={"minRank": "five"}))


@SETTINGS
@given(series=integers, after=st.one_of(st.none(), numbers))
def test_query_number_keys(series: str, after: str | None) -> None:
    request = _request(EDGE, "listMetrics", path={"seriesId": series}, query={} if after is None else {"after": after})
    assert request["ExpressionAttributeValues"][":k0"] == {"N": series}
    if after is not None:
        assert request["ExpressionAttributeValues"][":k1a"] == {"N": after}
        assert request["KeyConditionExpression"] == "#k0 = :k0 AND #k1 >= :k1a"


# -- PutRecords --------------------------------------------------------------------------------------


events = st.lists(st.fixed_dictionaries({
    "specversion": st.just("1.0"), "id": strings, "source": strings, "type": st.just("thing.changed"),
    "subject": strings, "time": st.just("2024-01-01T00:00:00Z"),
    "data": st.fixed_dictionaries({"thingId": strings, "title": strings,
                                   "ratio": st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False))}),
}), min_size=1, max_size=5)


@SETTINGS
@given(batch=events)
def test_put_records_sends_each_event_as_is_keyed_by_subject(batch: list[dict[str, Any]]) -> None:
    request = _request(EDGE, "postInbox", body=batch)
    assert request["StreamName"] == STAGE_VARIABLES["stream_inbox"]
    assert [r["PartitionKey"] for r in request["Records"]] == [e["subject"] for e in batch]
    assert [json.loads(base64.b64decode(r["Data"])) for r in request["Records"]] == batch


def test_put_records_response_reports_each_event_in_order() -> None:
    kinesis = {"FailedRecordCount": 2, "Records": [
        {"SequenceNumber": "4959", "ShardId": "shardId-000000000000"},
        {"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "Rate exceeded for \"shard\" 'x'\n"},
        {"SequenceNumber": "4960", "ShardId": "shardId-000000000000"},
        {"ErrorCode": "InternalFailure", "ErrorMessage": "</script>\\"},
    ]}
    out = render_template(response_template(REPO, "ingestEvents"), body=kinesis)
    assert out.status is None
    assert json.loads(out.text) == {"failed": 2, "results": [
        {"status": "accepted", "sequenceNumber": "4959", "error": None},
        {"status": "failed", "sequenceNumber": None,
         "error": "ProvisionedThroughputExceededException: Rate exceeded for \"shard\" 'x'\n"},
        {"status": "accepted", "sequenceNumber": "4960", "error": None},
        {"status": "failed", "sequenceNumber": None, "error": "InternalFailure: </script>\\"},
    ]}
