"""The local Cognito token form of docs/api-definition.md."""

from __future__ import annotations

import base64
import json

import pytest

from generator.dev.apigw.auth import AuthError, authorize, local_token

NOW = 1_800_000_000


def test_local_token_claims_become_strings() -> None:
    token = local_token(
        {"sub": "u-1", "email_verified": True, "auth_time": 5, "groups": ["a", "b"]}
    )
    assert authorize(f"Bearer {token}", NOW) == {
        "sub": "u-1",
        "email_verified": "true",
        "auth_time": "5",
        "groups": '["a","b"]',
    }
    assert authorize(token, NOW)["sub"] == "u-1"
    assert authorize(f"bearer   {token}", NOW)["sub"] == "u-1"


def test_unexpired_token_passes_and_expired_one_fails() -> None:
    assert authorize(local_token({"sub": "u", "exp": NOW + 60}), NOW)["exp"] == "1800000060"
    with pytest.raises(AuthError, match="The incoming token has expired"):
        authorize(local_token({"sub": "u", "exp": NOW - 1}), NOW)


def _segment(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "   ",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        local_token({"email": "no sub"}),
        local_token({"sub": ""}),
        local_token({"sub": 7}),
        local_token({"sub": "u", "exp": "tomorrow"}),
        local_token({"sub": "u"}) + "sig",
        f"{_segment({'alg': 'RS256'})}.{_segment({'sub': 'u'})}.",
        f"{_segment({'alg': 'none'})}.{_segment(['sub'])}.",
        "a.b.",
        "!!.??.",
    ],
)
def test_everything_else_is_unauthorized(header: str | None) -> None:
    with pytest.raises(AuthError, match="^Unauthorized$"):
        authorize(header, NOW)
