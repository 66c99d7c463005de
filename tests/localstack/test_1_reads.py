"""Reading the reference system through the running stack: seed data exactly, 404s, hostile keys,
pagination, sort-key ranges, the global secondary index, the protected /me, CORS everywhere.

The checks any project gets from `gen test` (seed, listed, unknown-key, pagination, sort-range,
index, protected: generator/contract/reads.py) run here through that same code; the tests
written out below are the reference system's own (its keys, its ranges, its token forms).
Expectations come from spec/seed/*.yaml (what people wrote) or from DynamoDB itself (moto,
read directly), never from the API under test.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import pytest

from generator.contract import run_checks
from generator.contract.target import target_of_stack
from generator.dev.apigw.auth import local_token
from generator.dev.stack import RunningStack
from tests.localstack.support import REPO, Http, as_served, seed_items, seed_tables

pytestmark = pytest.mark.slow


def _path(*segments: str) -> str:
    return "/api/" + "/".join(quote(s, safe="") for s in segments)


def _bearer(sub: str, **claims: Any) -> dict[str, str]:
    return {"Authorization": "Bearer " + local_token({"sub": sub, **claims})}


# -- seed items, exactly --------------------------------------------------------------------------


def _passed(stack: RunningStack, check: str, subjects: int) -> None:
    """Run one check of `gen test` (generator/contract) on this stack; every case must pass."""
    report = run_checks(target_of_stack(REPO, stack), [check])
    assert len(report.cases) == subjects, [c.name for c in report.cases]
    assert report.ok and all(c.status == "passed" for c in report.cases), "\n".join(report.summary_lines())


def test_every_seed_item_is_served_exactly(stack: RunningStack) -> None:
    """Every item of spec/seed/*.yaml through its table's GetItem operation (/me with a token for
    the profile's userId), equal to the seed, numbers by value, integers as integers."""
    _passed(stack, "seed", len(seed_tables()))


def test_every_listed_item_is_fetchable_and_conforms(stack: RunningStack) -> None:
    _passed(stack, "listed", 2)


def test_text_survives_byte_for_byte(http: Http) -> None:
    """Quotes and non-ASCII seed text arrive as the same characters (not \\' or mojibake)."""
    by_id = {d["deviceId"]: d["name"] for d in seed_items("devices")}
    odd = [i for i, name in by_id.items() if not name.isascii() or "'" in name or '"' in name]
    assert len(odd) >= 3, "the reference seed should exercise quotes and unicode"
    for device_id in odd:
        answer = http.get(_path("devices", device_id))
        assert answer.json["name"] == by_id[device_id]
        assert "\\'" not in answer.text


# -- absent and hostile keys --------------------------------------------------------------------

HOSTILE = [
    'quote"inside',
    "apostrophe'inside",
    "back\\slash",
    "trailing\\",
    "ünïcödé-🌡",
    "slash/inside",
    "' OR '1'='1",
    '"}, "TableName": "fleet-local-profiles", "x": {"S": "',
    "$stageVariables.table_profiles",
    "#set($x = 1)$x",
    "${region}",
    "%2F%2e%2e",
    "line\nbreak\ttab",
    "x" * 1024,
]


@pytest.mark.parametrize("key", ["nope", "dev-0001", "DEV-001", " dev-001"])
def test_missing_keys_are_404(http: Http, key: str) -> None:
    for path in (_path("devices", key), _path("sites", key),
                 _path("devices", key, "readings", "2026-11-24T10:00:00Z"),
                 _path("devices", "dev-001", "readings", key)):
        answer = http.get(path)
        assert answer.status == 404, (path, answer.text)
        assert set(answer.json) == {"message"}


@pytest.mark.parametrize("key", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_keys_are_404_never_5xx(http: Http, key: str) -> None:
    for path in (_path("devices", key), _path("sites", key),
                 _path("devices", key, "readings", key)):
        answer = http.get(path)
        assert answer.status == 404, (path, answer.status, answer.text)
        assert answer.header("Access-Control-Allow-Origin") == http.base
    answer = http.get(_path("devices", key, "readings"))
    assert answer.status == 200 and answer.json == {"items": [], "next": None}
    answer = http.get(_path("sites", key, "devices"))
    assert answer.status == 200 and answer.json == {"items": [], "next": None}
    answer = http.get("/api/me", headers=_bearer(key))
    assert answer.status == 404, answer.text


def test_percent_2f_stays_inside_the_key(http: Http) -> None:
    """`%2F` is part of the path parameter (API Gateway routes on the raw path)."""
    answer = http.get("/api/devices/dev-001%2Freadings")
    assert answer.status == 404, answer.text
    assert http.get("/api/devices/dev-001/readings").status == 200


def test_keys_beyond_dynamodb_limits_are_client_errors(http: Http) -> None:
    """A 3,000-byte partition key is invalid for DynamoDB: the caller's mistake, never a 5xx."""
    answer = http.get(_path("devices", "k" * 3000))
    assert answer.status in (400, 404), answer.text
    assert "message" in answer.json


# -- pagination -----------------------------------------------------------------------------------


def _all_pages(http: Http, path: str, limit: int, **params: str) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    cursor = None
    for requests_made in range(1, 10_000):
        query = {**params, "limit": str(limit), **({"cursor": cursor} if cursor else {})}
        answer = http.get(path, params=query)
        assert answer.status == 200, answer.text
        page = answer.json
        assert set(page) == {"items", "next"}
        assert len(page["items"]) <= limit
        items.extend(page["items"])
        cursor = page["next"]
        if cursor is None:
            return items, requests_made
        assert isinstance(cursor, str) and cursor
    raise AssertionError("pagination never ended")


@pytest.mark.usefixtures("quiet")
def test_limit_1_pages_return_every_item_once(stack: RunningStack) -> None:
    """Every Scan and Query operation, limit=1 against the table read directly: each item once,
    all of them, and the same order as bigger pages."""
    _passed(stack, "pagination", 4)


def test_reading_pages_walk_a_device_newest_first(http: Http) -> None:
    expected = sorted((r for r in seed_items("readings") if r["deviceId"] == "dev-003"),
                      key=lambda r: r["time"], reverse=True)
    items, _ = _all_pages(http, "/api/devices/dev-003/readings", 1)
    assert items == [as_served(r, "Reading") for r in expected]


def test_default_limit_applies_without_a_limit(http: Http) -> None:
    answer = http.get("/api/devices")
    assert answer.status == 200
    assert 0 < len(answer.json["items"]) <= 25


# -- sort-key ranges -----------------------------------------------------------------------------

RANGES = [
    ({}, lambda t: True),
    ({"since": "2026-11-24T12:00:00Z"}, lambda t: t >= "2026-11-24T12:00:00Z"),
    ({"until": "2026-11-24T12:00:00Z"}, lambda t: t <= "2026-11-24T12:00:00Z"),
    ({"since": "2026-11-24T11:00:00Z", "until": "2026-11-24T13:00:00Z"},
     lambda t: "2026-11-24T11:00:00Z" <= t <= "2026-11-24T13:00:00Z"),
    ({"since": "2026-11-24T13:00:00Z", "until": "2026-11-24T13:00:00Z"},
     lambda t: t == "2026-11-24T13:00:00Z"),
    ({"since": "2026-11-24T14:00:00Z", "until": "2026-11-24T11:00:00Z"}, None),
    ({"since": "2027-01-01T00:00:00Z"}, lambda t: False),
]


@pytest.mark.parametrize(("params", "keep"), RANGES, ids=range(len(RANGES)))
def test_sort_key_ranges(http: Http, params: dict[str, str], keep: Any) -> None:
    seeded = [r for r in seed_items("readings") if r["deviceId"] == "dev-002"]
    answer = http.get("/api/devices/dev-002/readings", params={**params, "limit": "100"})
    if keep is None:
        # since > until: DynamoDB refuses the BETWEEN (ValidationException, which the API maps
        # to 400); moto answers no items. Either way: a client answer, and nothing in it.
        assert answer.status in (200, 400), answer.text
        assert answer.status == 400 or answer.json == {"items": [], "next": None}
        return
    assert answer.status == 200, answer.text
    expected = sorted((r for r in seeded if keep(r["time"])), key=lambda r: r["time"], reverse=True)
    assert answer.json == {"items": [as_served(r, "Reading") for r in expected], "next": None}


def test_a_range_pages_like_the_whole(http: Http) -> None:
    params = {"since": "2026-11-24T11:00:00Z", "until": "2026-11-24T14:00:00Z"}
    items, _ = _all_pages(http, "/api/devices/dev-001/readings", 2, **params)
    assert [r["time"] for r in items] == [
        "2026-11-24T14:00:00Z", "2026-11-24T13:00:00Z", "2026-11-24T12:00:00Z", "2026-11-24T11:00:00Z"]


# -- the global secondary index ------------------------------------------------------------------


@pytest.mark.usefixtures("quiet")
def test_index_queries_agree_with_the_table(stack: RunningStack) -> None:
    """/sites/{siteId}/devices for every site, against the devices table read directly: the same
    devices, whole, in the order of the index sort key."""
    _passed(stack, "index", 1)


@pytest.mark.usefixtures("quiet")
def test_sort_key_ranges_agree_with_the_table(stack: RunningStack) -> None:
    _passed(stack, "sort-range", 1)


def test_unknown_keys_of_every_get_item_are_404(stack: RunningStack) -> None:
    _passed(stack, "unknown-key", 4)


# -- the protected operation -----------------------------------------------------------------------


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": ""},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer not-a-jwt"},
    {"Authorization": "Basic dXNlcjpwYXNz"},
    # a signed-looking token (non-empty signature) is not the local form
    {"Authorization": "Bearer " + local_token({"sub": "local-operator"}) + "c2ln"},
    # no sub
    {"Authorization": "Bearer " + local_token({"email": "a@example.com"})},
], ids=["none", "empty", "bearer-only", "garbage", "basic", "signed", "no-sub"])
def test_me_rejects_missing_or_invalid_tokens(http: Http, headers: dict[str, str]) -> None:
    """The local token form in detail (`gen test`'s `protected` check covers every protected
    operation with none and a malformed token)."""
    answer = http.get("/api/me", headers=headers)
    assert answer.status == 401, answer.text
    assert answer.json == {"message": "Unauthorized"}
    assert answer.header("Access-Control-Allow-Origin") == http.base


def test_protected_operations_refuse_missing_credentials(stack: RunningStack) -> None:
    _passed(stack, "protected", 1)


def test_me_rejects_an_expired_token(http: Http) -> None:
    answer = http.get("/api/me", headers=_bearer("local-operator", exp=int(time.time()) - 5))
    assert answer.status == 401
    assert "expired" in answer.json["message"]


def test_me_accepts_the_bare_token_and_future_exp(http: Http) -> None:
    token = local_token({"sub": "local-viewer", "exp": int(time.time()) + 600})
    answer = http.get("/api/me", headers={"Authorization": token})
    assert answer.status == 200
    assert answer.json["userId"] == "local-viewer"


def test_me_for_an_unknown_user_is_404(http: Http) -> None:
    answer = http.get("/api/me", headers=_bearer("nobody-here"))
    assert answer.status == 404
    assert set(answer.json) == {"message"}


# -- CORS ------------------------------------------------------------------------------------------

CORS_CASES = [
    ("GET", "/api/devices/dev-001", {}, None, 200),
    ("GET", "/api/devices/nope", {}, None, 404),
    ("GET", "/api/devices", {"limit": "0"}, None, 400),
    ("GET", "/api/devices", {"cursor": "!!"}, None, 400),
    ("GET", "/api/me", {}, None, 401),
    # MISSING_AUTHENTICATION_TOKEN: 403, as API Gateway answers an unsigned request to a SigV4 route
    ("GET", "/api/no/such/route", {}, None, 403),
    ("DELETE", "/api/devices/dev-001", {}, None, 403),
    ("POST", "/api/events", {}, ("text/plain", "hello"), 415),
    ("POST", "/api/events", {}, ("application/json", "not json"), 400),
    ("POST", "/api/events", {}, ("application/json", "[]"), 400),
    ("POST", "/api/events", {"unsigned": ""}, ("application/json", "[]"), 403),
]


@pytest.mark.parametrize(("method", "path", "params", "body", "status"), CORS_CASES,
                         ids=[f"{c[0]} {c[1]} {c[4]}" for c in CORS_CASES])
def test_every_answer_carries_cors_headers(
    http: Http, method: str, path: str, params: dict[str, str], body: Any, status: int
) -> None:
    headers = {"Origin": "http://localhost:5173"}
    data = None
    if body is not None:
        headers["Content-Type"], data = body
    signed = None if "unsigned" not in params else False
    answer = http.request(method, path, params=params, headers=headers, data=data, signed=signed)
    assert answer.status == status, answer.text
    # the stage's one origin (gen dev: its own), never "*"
    assert answer.header("Access-Control-Allow-Origin") == http.base
    assert answer.header("Content-Type") is not None
    assert "message" in answer.json or status == 200


@pytest.mark.parametrize("path", [
    "/api/devices", "/api/devices/dev-001", "/api/devices/dev-001/readings",
    "/api/devices/dev-001/readings/2026-11-24T10:00:00Z", "/api/sites", "/api/sites/site-zrh",
    "/api/sites/site-zrh/devices", "/api/me", "/api/events",
])
def test_preflight_allows_the_method_and_headers(http: Http, path: str) -> None:
    method = "POST" if path.endswith("/events") else "GET"
    answer = http.request("OPTIONS", path, headers={
        "Origin": "http://localhost:5173",
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization,content-type",
    })
    assert answer.status == 200, answer.text
    assert answer.header("Access-Control-Allow-Origin") == http.base
    allowed_methods = (answer.header("Access-Control-Allow-Methods") or "").upper()
    assert method in allowed_methods and "OPTIONS" in allowed_methods
    allowed_headers = (answer.header("Access-Control-Allow-Headers") or "").lower()
    assert "authorization" in allowed_headers and "content-type" in allowed_headers
