"""Hostile values reaching well-written templates through path, query, header and body: every
answer is still JSON and carries the value back unchanged (through DynamoDB and through a mock)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from apigw_support import Caller, body_of, cloud_event

HOSTILE = [
    "it's",
    'say "hi"',
    "back\\slash\\",
    "\\'",
    "tab\tnew\nline\rcr\x01\x1f\x7f",
    "unicode éß漢字 ‮",
    "emoji 😀🏳️‍🌈",
    "</script><script>alert(1)</script>",
    '{"json": "looking", "n": [1, 2]}',
    "$input.body ${x} $!y #set($a = 1) #if(true)x#end ## comment",
    "\u2028\u2029 separators",
    "%20%2F plus+sign &amp; ?q=1#frag",
]

IDS = [f"h{index}" for index in range(len(HOSTILE))]


@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_hostile_query_and_header_values_reach_a_mock_template_intact(
    call: Caller, value: str
) -> None:
    header_value = value.replace("\n", " ").replace("\r", " ")
    response = call("GET", "/api/search", query={"q": [value]}, headers={"X-Tenant": header_value})
    assert response.status == 200
    assert body_of(response) == {"q": value, "tenant": header_value}


@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_hostile_values_round_trip_through_dynamodb(call: Caller, value: str) -> None:
    device = "dev-" + value
    path = "/api/devices/" + quote(device, safe="")
    stored = call(
        "PUT",
        path,
        query={"note": [value]},
        body={"name": value, "tags": {value: value, "plain": "p"}},
    )
    assert stored.status == 200, stored.body
    assert body_of(stored) == {"deviceId": device}
    fetched = call("GET", path)
    assert fetched.status == 200, fetched.body
    assert body_of(fetched) == {
        "deviceId": device,
        "name": value,
        "note": value,
        "tags": {value: value, "plain": "p"},
    }


@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_hostile_path_parameter_in_a_404_message(call: Caller, value: str) -> None:
    device = "absent-" + value
    response = call("GET", "/api/devices/" + quote(device, safe=""))
    assert response.status == 404
    assert body_of(response) == {"message": f"device {device} not found"}


@pytest.mark.parametrize("value", HOSTILE, ids=IDS)
def test_hostile_event_subjects_and_data_are_accepted(call: Caller, value: str) -> None:
    response = call("POST", "/api/events", body=[cloud_event(value, text=value)])
    assert response.status == 202, response.body
    assert body_of(response)["failed"] == 0
