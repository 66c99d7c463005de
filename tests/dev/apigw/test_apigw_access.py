"""IAM (SigV4) and API keys with usage-plan quotas in the local API Gateway (#11 item 1).

The emulator runs the fixture definition with `ingestEvents` protected by one scheme or the
other; requests are signed with botocore's own signer, as a device using boto3 would sign them.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from apigw_support import REGION, Resources, cloud_event, fixture_definition, fixture_vars
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from generator.dev.apigw import ApiGateway, Response
from generator.dev.apigw.access.api_keys import ApiKeys, Plan, period_start
from generator.dev.apigw.definition import load_definition
from generator.dev.apigw.access.sigv4 import MISMATCH, SignatureError, SigV4Verifier

SIGV4 = {"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"}
API_KEY = {"type": "apiKey", "name": "x-api-key", "in": "header"}
HOST = "localhost:8000"


def _definition(scheme: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(fixture_definition())
    document["components"]["securitySchemes"]["guard"] = scheme
    document["paths"]["/events"]["post"]["security"] = [{"guard": []}]
    return document


@pytest.fixture(scope="module")
def signed_api(moto_endpoint: str, resources: Resources) -> Any:
    api = ApiGateway(_definition(SIGV4), fixture_vars(), resources.stage_variables(), moto_endpoint, REGION)
    yield api
    api.close()


@pytest.fixture(scope="module")
def keyed_api(moto_endpoint: str, resources: Resources) -> Any:
    keys = ApiKeys({"key-of-acme-0123456789": Plan("acme", 3, "DAY"), "key-of-globex-012345678": Plan("globex", 1, "MONTH")})
    api = ApiGateway(_definition(API_KEY), fixture_vars(), resources.stage_variables(), moto_endpoint, REGION,
                     api_keys=keys)
    yield api
    api.close()


def _batch() -> bytes:
    return json.dumps([cloud_event("dev-1", temperature=21.5)]).encode()


def _signed(body: bytes, *, key: str = "testing", secret: str = "testing", region: str = REGION,
            query: str = "", when: datetime | None = None) -> list[tuple[str, str]]:
    """The headers boto3 would send: botocore's SigV4Auth over the request as sent."""
    url = f"http://{HOST}/api/events" + (f"?{query}" if query else "")
    request = AWSRequest(method="POST", url=url, data=body, headers={"Content-Type": "application/json"})
    signer = SigV4Auth(Credentials(key, secret), "execute-api", region)
    if when is None:
        signer.add_auth(request)
    else:  # sign as of `when`: the signer reads the clock once, through the request context
        request.context["timestamp"] = when.strftime("%Y%m%dT%H%M%SZ")
        request.headers["X-Amz-Date"] = request.context["timestamp"]
        canonical = signer.canonical_request(request)
        signature = signer.signature(signer.string_to_sign(request, canonical), request)
        request.headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={key}/{when:%Y%m%d}/{region}/execute-api/aws4_request, "
            f"SignedHeaders={signer.signed_headers(signer.headers_to_sign(request))}, Signature={signature}")
    return [("Host", HOST), *request.headers.items()]


def _post(api: ApiGateway, headers: list[tuple[str, str]], body: bytes, query: dict[str, list[str]] | None = None
          ) -> Response:
    if not any(k.lower() == "content-type" for k, _ in headers):
        headers = [*headers, ("Content-Type", "application/json")]
    return api.handle("POST", "/api/events", query or {}, headers, body)


def _message(response: Response) -> str:
    return str(json.loads(response.body)["message"])


def test_a_request_signed_with_the_local_key_is_ingested(signed_api: ApiGateway) -> None:
    body = _batch()
    answer = _post(signed_api, _signed(body), body)
    assert answer.status == 202, answer.body
    assert json.loads(answer.body)["failed"] == 0


def test_a_signed_query_string_is_verified_too(signed_api: ApiGateway) -> None:
    body = _batch()
    answer = _post(signed_api, _signed(body, query="b=2&a=x%20y"), body, {"b": ["2"], "a": ["x y"]})
    assert answer.status == 202, answer.body


def test_an_unsigned_request_is_refused_as_api_gateway_does(signed_api: ApiGateway) -> None:
    answer = _post(signed_api, [("Host", HOST)], _batch())
    assert answer.status == 403
    assert _message(answer) == "Missing Authentication Token"
    assert answer.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


def test_a_wrong_secret_or_a_changed_body_does_not_match(signed_api: ApiGateway) -> None:
    body = _batch()
    wrong = _post(signed_api, _signed(body, secret="not-the-secret"), body)
    assert wrong.status == 403 and _message(wrong).startswith(MISMATCH)
    assert "The Canonical String for this request should have been" in _message(wrong)
    assert wrong.headers["x-amzn-ErrorType"] == "InvalidSignatureException"
    tampered = _post(signed_api, _signed(body), body.replace(b"21.5", b"99.5"))
    assert tampered.status == 403 and _message(tampered).startswith(MISMATCH)


def test_unknown_keys_other_regions_and_stale_signatures_are_refused(signed_api: ApiGateway) -> None:
    body = _batch()
    unknown = _post(signed_api, _signed(body, key="AKIAUNKNOWN"), body)
    assert (unknown.status, _message(unknown)) == (403, "The security token included in the request is invalid.")
    elsewhere = _post(signed_api, _signed(body, region="us-west-2"), body)
    assert elsewhere.status == 403 and _message(elsewhere).startswith("Credential should be scoped to a valid region")
    stale = _post(signed_api, _signed(body, when=datetime.now(UTC) - timedelta(minutes=6)), body)
    assert stale.status == 403 and _message(stale).startswith("Signature expired:")
    recent = _post(signed_api, _signed(body, when=datetime.now(UTC) - timedelta(minutes=4)), body)
    assert recent.status == 202, recent.body


def test_a_malformed_authorization_header_lists_what_is_missing() -> None:
    verifier = SigV4Verifier({"testing": "testing"}, REGION)
    with pytest.raises(SignatureError) as caught:
        verifier.verify("POST", "/api/events", {}, [("Authorization", "AWS4-HMAC-SHA256 Credential=testing/x")], b"")
    assert caught.value.kind == "INCOMPLETE_SIGNATURE"
    assert "requires 'Signature' parameter" in caught.value.message
    with pytest.raises(SignatureError, match="X-Amz-Date"):
        verifier.verify("POST", "/api/events", {}, [(
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=testing/20260101/eu-west-1/execute-api/aws4_request, "
            "SignedHeaders=host, Signature=00")], b"")


def test_api_keys_are_required_and_quotas_enforced(keyed_api: ApiGateway) -> None:
    body = _batch()
    missing = _post(keyed_api, [], body)
    assert (missing.status, _message(missing)) == (403, "Forbidden")
    unknown = _post(keyed_api, [("x-api-key", "key-nobody-has-0123456")], body)
    assert (unknown.status, _message(unknown)) == (403, "Forbidden")
    for _ in range(3):
        ok = _post(keyed_api, [("X-Api-Key", "key-of-acme-0123456789")], body)
        assert ok.status == 202, ok.body
    over = _post(keyed_api, [("x-api-key", "key-of-acme-0123456789")], body)
    assert (over.status, _message(over)) == (429, "Limit Exceeded")
    assert over.headers["x-amzn-ErrorType"] == "LimitExceededException"
    other = _post(keyed_api, [("x-api-key", "key-of-globex-012345678")], body)
    assert other.status == 202  # quotas are per client


def test_quota_periods_are_utc_day_iso_week_and_month() -> None:
    monday = datetime(2026, 11, 30, 23, 59, tzinfo=UTC)
    assert period_start("DAY", monday) == "2026-11-30"
    assert period_start("DAY", monday + timedelta(minutes=1)) == "2026-12-01"
    assert period_start("WEEK", monday) == period_start("WEEK", monday + timedelta(days=6)) == "2026-W49"
    assert period_start("MONTH", monday) == "2026-11" != period_start("MONTH", monday + timedelta(minutes=1))
    keys = ApiKeys({"k" * 20: Plan("a", 1, "DAY")})
    assert keys.check([("x-api-key", "k" * 20)], monday) == "a"
    assert keys.used("a", monday) == 1 and keys.used("a", monday + timedelta(minutes=1)) == 0
    assert keys.check([("x-api-key", "k" * 20)], monday + timedelta(minutes=1)) == "a"


def test_the_definition_says_which_methods_take_iam_or_keys() -> None:
    variables = {**fixture_vars(), "region": REGION}
    signed = load_definition(_definition(SIGV4), variables)
    keyed = load_definition(_definition(API_KEY), variables)
    for definition, iam, key in ((signed, True, False), (keyed, False, True)):
        (ingest,) = [op for op in definition.operations() if op.operation_id == "ingestEvents"]
        assert (ingest.iam, ingest.api_key, ingest.authorizer) == (iam, key, None)
    (me,) = [op for op in signed.operations() if op.operation_id == "getMyProfile"]
    assert (me.iam, me.api_key) == (False, False) and me.authorizer is not None
