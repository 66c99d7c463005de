"""The frontend (private bucket behind CloudFront), Cognito, and the custom domain. Each is
optional: the web bucket and CloudFront exist exactly when model.yaml has `frontend:`, Route 53
and ACM exactly when it sets frontend.domain, the user pool exactly when an operation is
protected or openapi.yaml declares a Cognito scheme."""

from __future__ import annotations

import pytest
from tests.infra.terraform_stack import CASES, Stack, jsonencoded, many, one, ref, stack

WEB_ONLY = {
    "aws_cloudfront_distribution",
    "aws_cloudfront_origin_access_control",
    "aws_cloudfront_response_headers_policy",
    "aws_s3_object",
}
COGNITO_ONLY = {"aws_cognito_user_pool", "aws_cognito_user_pool_client"}

DOMAIN_ONLY = {
    "aws_acm_certificate",
    "aws_acm_certificate_validation",
    "aws_route53_record",
    "aws_api_gateway_domain_name",
    "aws_api_gateway_base_path_mapping",
}


@pytest.fixture(params=[c for c in sorted(CASES) if stack(c).ir.frontend])
def web_stack(request: pytest.FixtureRequest) -> Stack:
    """Every case whose spec has a frontend."""
    return stack(request.param)


@pytest.fixture(params=[c for c in sorted(CASES) if stack(c).ir.cognito])
def cognito_stack(request: pytest.FixtureRequest) -> Stack:
    """Every case whose spec uses Cognito."""
    return stack(request.param)


def test_optional_parts_exist_exactly_when_the_spec_uses_them(any_stack: Stack) -> None:
    ir = any_stack.ir
    types = set(any_stack.blocks.get("resource", {}))
    assert (WEB_ONLY & types == WEB_ONLY) if ir.frontend else not (WEB_ONLY & types)
    assert ("web" in any_stack.resources("aws_s3_bucket")) == ir.frontend
    assert (COGNITO_ONLY & types == COGNITO_ONLY) if ir.cognito else not (COGNITO_ONLY & types)
    text = "\n".join(any_stack.files.values())
    assert ("cloudfront" in text.lower()) == ir.frontend  # no KMS grant, comment or log ACL for it
    assert ("cognito" in text.lower()) == ir.cognito
    key_sids = {s.get("sid") for s in many(any_stack.data("aws_iam_policy_document")["key"], "statement")}
    assert ("CloudFrontReadsWebBucket" in key_sids) == ir.frontend


def test_the_web_bucket_is_read_only_by_the_distribution(web_stack: Stack) -> None:
    any_stack = web_stack
    dist = any_stack.resource("aws_cloudfront_distribution", "web")
    (origin,) = many(dist, "origin")
    assert ref(origin["origin_access_control_id"]) == "aws_cloudfront_origin_access_control.web.id"
    assert ref(origin["domain_name"]) == "aws_s3_bucket.web.bucket_regional_domain_name"
    oac = any_stack.resource("aws_cloudfront_origin_access_control", "web")
    assert (oac["signing_behavior"], oac["signing_protocol"]) == ("always", "sigv4")
    policy = any_stack.data("aws_iam_policy_document")["web_bucket"]
    (read,) = [s for s in many(policy, "statement") if s.get("effect", "Allow") == "Allow"]
    assert read["actions"] == ["s3:GetObject"]
    assert one(read, "condition")["values"] == ["${aws_cloudfront_distribution.web.arn}"]


def test_https_only_security_headers_and_spa_fallback(web_stack: Stack) -> None:
    any_stack = web_stack
    dist = any_stack.resource("aws_cloudfront_distribution", "web")
    for behavior in many(dist, "default_cache_behavior") + many(dist, "ordered_cache_behavior"):
        assert behavior["viewer_protocol_policy"] == "redirect-to-https"
        assert (
            ref(behavior["response_headers_policy_id"])
            == "aws_cloudfront_response_headers_policy.web.id"
        )
    fallbacks = {e["error_code"]: e for e in many(dist, "custom_error_response")}
    assert set(fallbacks) == {403, 404}
    assert all(
        e["response_code"] == 200 and e["response_page_path"] == "/index.html"
        for e in fallbacks.values()
    )
    headers = one(
        any_stack.resource("aws_cloudfront_response_headers_policy", "web"),
        "security_headers_config",
    )
    hsts = one(headers, "strict_transport_security")
    assert hsts["access_control_max_age_sec"] >= 31536000 and hsts["include_subdomains"] is True
    assert one(headers, "frame_options")["frame_option"] == "DENY"
    csp = one(headers, "content_security_policy")["content_security_policy"]
    assert (
        "default-src 'self'" in csp
        and "${local.api_origin}" in csp
        and "frame-ancestors 'none'" in csp
    )
    assert "content_type_options" in headers and "referrer_policy" in headers
    assert ("cognito-idp" in csp) == any_stack.ir.cognito  # the app talks to Cognito only to sign in


def test_config_json_tells_the_app_where_the_api_is(web_stack: Stack) -> None:
    obj = web_stack.resource("aws_s3_object", "config")
    assert obj["key"] == "config.json" and obj["content_type"] == "application/json"
    content = jsonencoded(obj["content"])
    assert content["apiUrl"] == "${local.api_url}" and content["localAuth"] is False
    if web_stack.ir.cognito:
        assert ref(content["userPoolId"]) == "aws_cognito_user_pool.users.id"
        assert ref(content["userPoolClientId"]) == "aws_cognito_user_pool_client.web.id"
    else:
        assert set(content) == {"apiUrl", "auth", "localAuth", "region"} and content["auth"] == "none"


def test_cognito_pool_and_client(cognito_stack: Stack) -> None:
    any_stack = cognito_stack
    pool = any_stack.resource("aws_cognito_user_pool", "users")
    assert one(pool, "admin_create_user_config")["allow_admin_create_user_only"] is True
    assert one(pool, "password_policy")["minimum_length"] >= 12
    client = any_stack.resource("aws_cognito_user_pool_client", "web")
    assert client["generate_secret"] is False
    assert ref(client["user_pool_id"]) == "aws_cognito_user_pool.users.id"


def test_route53_and_acm_only_with_a_domain(any_stack: Stack) -> None:
    domain = any_stack.ir.frontend_domain
    present = {t for t in DOMAIN_ONLY if any_stack.resources(t)} | set(
        any_stack.blocks.get("data", {})
    ) & {"aws_route53_zone"}
    aliases = {p.get("alias") for block in any_stack.singles["provider"] for p in block.values()}
    if domain is None:
        assert present == set()
        assert "domain" not in any_stack.variables and aliases == {None}
        if any_stack.ir.frontend:
            dist = any_stack.resource("aws_cloudfront_distribution", "web")
            cert = one(dist, "viewer_certificate")
            assert "aliases" not in dist and cert == {"cloudfront_default_certificate": True}
        return
    dist = any_stack.resource("aws_cloudfront_distribution", "web")
    cert = one(dist, "viewer_certificate")
    assert present == DOMAIN_ONLY | {"aws_route53_zone"}
    assert any_stack.variables["domain"]["default"] == domain
    assert aliases == {None, "us_east_1"}
    assert dist["aliases"] == ["${var.domain}"]
    assert ref(cert["acm_certificate_arn"]) == "aws_acm_certificate_validation.web.certificate_arn"
    assert (cert["ssl_support_method"], cert["minimum_protocol_version"]) == (
        "sni-only",
        "TLSv1.2_2021",
    )
    web_cert = any_stack.resource("aws_acm_certificate", "web")
    assert web_cert["provider"] == "${aws.us_east_1}" and web_cert["validation_method"] == "DNS"
    record = any_stack.resource("aws_route53_record", "web")
    assert (
        record["for_each"].replace('"', "") == "${toset([A, AAAA])}"
        and record["type"] == "${each.key}"
    )
    assert ref(one(record, "alias")["name"]) == "aws_cloudfront_distribution.web.domain_name"
    api_domain = any_stack.resource("aws_api_gateway_domain_name", "api")
    assert (
        api_domain["domain_name"] == "api.${var.domain}"
        and api_domain["security_policy"] == "TLS_1_2"
    )
    assert (
        any_stack.locals["api_origin"]
        == "https://${aws_api_gateway_base_path_mapping.api.domain_name}"
    )
