"""Browser sign-in for the deployed dashboard: with a frontend and Cognito, the Terraform creates
the hosted UI domain and a public app client of the code flow (PKCE) whose callback and logout
URLs are on the frontend's origin, and config.json tells the dashboard all of it. Without a
frontend the client stays an SRP client with no OAuth; the default domain prefix is safe."""

from __future__ import annotations

import pytest
from generator.emit.terraform.signin import api_token
from generator.ir import names
from tests.infra.terraform_stack import CASES, Stack, jsonencoded, many, one, ref, stack


def _signin_cases() -> list[str]:
    return [c for c in sorted(CASES) if stack(c).ir.cognito and stack(c).ir.frontend]


@pytest.fixture(params=_signin_cases())
def signin_stack(request: pytest.FixtureRequest) -> Stack:
    return stack(request.param)


def test_the_reference_and_a_scoped_case_sign_in_in_the_browser() -> None:
    assert {"reference", "scoped_signin"} <= set(_signin_cases())


def test_hosted_ui_domain_on_the_pool_with_a_safe_default_prefix(signin_stack: Stack) -> None:
    domain = signin_stack.resource("aws_cognito_user_pool_domain", "users")
    assert ref(domain["user_pool_id"]) == "aws_cognito_user_pool.users.id"
    assert ref(domain["domain"]) == "local.auth_domain_prefix"
    assert domain["managed_login_version"] == 1  # the classic hosted UI: no branding style needed
    auth = signin_stack.files["auth.tf"]
    # the default removes the words Cognito refuses, fits 63 characters and names the account
    assert 'replace(local.prefix, "/aws|amazon|cognito/", "x"), 0, 54)' in auth
    assert "substr(sha256(local.account_id), 0, 8)" in auth
    variable = signin_stack.variables[names.AUTH_DOMAIN_VARIABLE]
    assert variable["default"] is None
    assert len(many(variable, "validation")) == 2


def test_the_default_prefix_is_valid_for_cognito() -> None:
    for prefix in ("fleet-prod", "aws-tools-prod", "my-amazon-cognito-thing-" + "x" * 60 + "-stage"):
        value = names.auth_domain_prefix(prefix, "123456789012")
        assert len(value) <= 63 and value[0].isalnum() and value[-1].isalnum()
        assert not any(word in value for word in names.AUTH_DOMAIN_RESERVED)
    assert names.auth_domain_prefix("fleet-prod", "1") != names.auth_domain_prefix("fleet-prod", "2")


def test_public_code_flow_client_with_callbacks_on_the_frontend(signin_stack: Stack) -> None:
    client = signin_stack.resource("aws_cognito_user_pool_client", "web")
    assert client["generate_secret"] is False  # a browser keeps no secret: PKCE protects the code
    assert client["allowed_oauth_flows_user_pool_client"] is True
    assert client["allowed_oauth_flows"] == ["code"]  # no implicit flow: tokens never in the URL
    assert {"openid", "email", "profile"} <= set(client["allowed_oauth_scopes"])
    assert client["supported_identity_providers"] == ["COGNITO"]
    assert ref(client["callback_urls"]) == "local.auth_redirect_uris"
    assert ref(client["logout_urls"]) == "local.auth_logout_uris"
    locals_ = signin_stack.locals
    origin = "https://${var.domain}" if signin_stack.ir.frontend_domain else \
        "https://${aws_cloudfront_distribution.web.domain_name}"
    assert locals_["web_origin"] == origin
    assert '"${local.web_origin}/auth/callback"' in signin_stack.files["auth.tf"]
    assert '"${local.web_origin}/"' in signin_stack.files["auth.tf"]


def test_tokens_are_short_lived(signin_stack: Stack) -> None:
    client = signin_stack.resource("aws_cognito_user_pool_client", "web")
    units = one(client, "token_validity_units")
    assert (client["id_token_validity"], units["id_token"]) == (1, "hours")
    assert (client["access_token_validity"], units["access_token"]) == (1, "hours")
    assert (client["refresh_token_validity"], units["refresh_token"]) == (30, "days")
    assert client["enable_token_revocation"] is True  # sign-out revokes the refresh token


def test_config_json_carries_the_hosted_ui(signin_stack: Stack) -> None:
    content = jsonencoded(signin_stack.resource("aws_s3_object", "config")["content"])
    assert content["auth"] == "cognito" and content["localAuth"] is False
    cognito = content["cognito"]
    assert cognito["domain"] == "https://${local.auth_domain}"
    assert ref(cognito["clientId"]) == "aws_cognito_user_pool_client.web.id"
    assert cognito["redirectUri"] == "${local.web_origin}/auth/callback"
    assert cognito["logoutUri"] == "${local.web_origin}/"
    assert cognito["issuer"] == "https://cognito-idp.${var.region}.amazonaws.com/${aws_cognito_user_pool.users.id}"
    client = signin_stack.resource("aws_cognito_user_pool_client", "web")
    assert cognito["scopes"] == client["allowed_oauth_scopes"]
    assert cognito["token"] == api_token(signin_stack.ir)
    csp = signin_stack.files["frontend.tf"]
    assert "https://${local.auth_domain}" in csp  # the token endpoint is fetched by the app


def test_operation_scopes_reach_the_client_a_resource_server_and_the_token_choice() -> None:
    scoped = stack("scoped_signin")
    assert {op.operation_id: op.scopes for op in scoped.ir.operations} == {
        "getEntry": ("ledger-api/read", "openid"),
        "listEntries": ("https://audit.example.com/list", "ledger-api/read"),
    }
    client = scoped.resource("aws_cognito_user_pool_client", "web")
    assert client["allowed_oauth_scopes"] == ["email", "https://audit.example.com/list", "ledger-api/read",
                                              "openid", "profile"]
    assert [ref(d) for d in client["depends_on"]] == ["aws_cognito_resource_server.scopes"]
    servers = scoped.resource("aws_cognito_resource_server", "scopes")
    assert servers["for_each"] == {"https://audit.example.com": ["list"], "ledger-api": ["read"]}
    # scopes demanded: API Gateway wants the access token; none (the reference): the ID token
    assert api_token(scoped.ir) == "access"
    assert api_token(stack("reference").ir) == "id"
    assert not stack("reference").resources("aws_cognito_resource_server")


def test_without_a_frontend_the_client_has_no_oauth_and_no_domain() -> None:
    cases = [c for c in sorted(CASES) if stack(c).ir.cognito and not stack(c).ir.frontend]
    assert cases
    for case in cases:
        client = stack(case).resource("aws_cognito_user_pool_client", "web")
        assert "allowed_oauth_flows" not in client and "callback_urls" not in client
        assert not stack(case).resources("aws_cognito_user_pool_domain")


def test_sign_in_url_output(signin_stack: Stack) -> None:
    out = signin_stack.outputs["sign_in_url"]
    assert out["value"].startswith("https://${local.auth_domain}/login?client_id=")
