"""`$context` in API Gateway's shape (apigw.context), as the AWS-recorded corpus shows it."""

from __future__ import annotations

from datetime import UTC, datetime

from generator.dev.apigw.context import IDENTITY_KEYS, new_context, resource_id
from generator.dev.apigw.velocity.engine import compile_template


def context(claims: dict[str, str] | None = None) -> dict[str, object]:
    return new_context(
        request_id="r-1",
        extended_request_id="e-1",
        http_method="GET",
        resource_path="/devices/{deviceId}",
        path="/api/devices/d-1",
        stage="api",
        request_time=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        source_ip="192.0.2.1",
        user_agent="curl/8",
        claims=claims,
        domain_name="abc.execute-api.eu-west-1.amazonaws.com",
        account_id="123456789012",
        api_id="abc",
        deployment_id="dep1",
    )


def render(text: str, ctx: dict[str, object]) -> str:
    return compile_template(text, "context.vtl").render({"context": ctx})


def test_keys_are_awss_in_awss_order_with_no_authorizer_on_an_open_route() -> None:
    assert list(context()) == [
        "resourceId", "resourcePath", "httpMethod", "extendedRequestId", "requestTime", "path",
        "accountId", "protocol", "requestOverride", "stage", "domainPrefix", "requestTimeEpoch",
        "requestId", "identity", "domainName", "deploymentId", "responseOverride", "apiId",
    ]  # fmt: skip
    ctx = context()
    assert len(IDENTITY_KEYS) == 12 and list(ctx["identity"]) == list(IDENTITY_KEYS)  # type: ignore[call-overload]
    assert render("[$context.authorizer][$context.authorizer.claims.sub]", ctx) == "[][]"


def test_values() -> None:
    ctx = context()
    out = render(
        "$context.requestTime|$context.requestTimeEpoch|$context.domainPrefix|$context.deploymentId|"
        "$context.identity.sourceIp|$context.identity.caller|$context.resourceId",
        ctx,
    )
    assert out == (
        f"02/Jan/2026:03:04:05 +0000|1767323045000|abc|dep1|192.0.2.1||{resource_id('/devices/{deviceId}')}"
    )
    assert resource_id("/a") == resource_id("/a") != resource_id("/b")
    assert len(resource_id("/a")) == 6


def test_nested_maps_render_empty_but_read_and_write_as_maps() -> None:
    ctx = context()
    out = render(
        "[$context.identity][$context.requestOverride][$context.get('responseOverride')]"
        "#set($context.requestOverride.header.X = 'y')[$context.requestOverride.header.X]",
        ctx,
    )
    assert out == "[][][][y]"


def test_is_canary_request_reads_false_and_is_not_a_key() -> None:
    ctx = context()
    assert render("$context.isCanaryRequest|$context.get('isCanaryRequest')", ctx) == "false|false"
    assert "isCanaryRequest" not in ctx


def test_response_override_has_no_status_until_a_template_sets_it() -> None:
    ctx = context()
    assert render("#foreach($k in $context.responseOverride.keySet())$k #end", ctx) == "header "
    render("#set($context.responseOverride.status = 404)", ctx)
    assert ctx["responseOverride"]["status"] == 404  # type: ignore[index]


def test_claims_on_an_authorized_route() -> None:
    ctx = context({"sub": "u-1", "email": "a@b.c"})
    assert (
        render("$context.authorizer.claims.sub $context.authorizer.claims['email']", ctx)
        == "u-1 a@b.c"
    )
