"""The deployed dashboard's Cognito sign-in in a real browser (Chromium via Playwright).

The built dashboard runs against the local stack, but reads the config.json of a deployed stage
(`auth: cognito`, as generated/terraform/frontend.tf writes it) and signs in at a stand-in for
the Cognito hosted UI: Playwright answers the hosted UI's requests (a sign-in page, the token
endpoint with CORS, revocation, logout) and checks the PKCE verifier as Cognito does. The ID
token it issues is unsigned (`alg: none`), the only kind `gen dev`'s authorizer accepts, so the
protected `GET /me` runs for real.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from generator.dev.stack import RunningStack
from generator.ir.names import AUTH_CALLBACK_PATH
from tests.localstack.test_4_dashboard import browser  # noqa: F401  (the Chromium fixture)

pytestmark = pytest.mark.slow

HOSTED_UI = "https://fleet-test-1a2b3c4d.auth.us-east-1.amazoncognito.com"
ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Local"
CLIENT_ID = "4local0client"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unsigned(claims: dict[str, Any]) -> str:
    return f"{_b64url(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}.{_b64url(json.dumps(claims).encode())}."


@dataclass
class FakeCognito:
    """The hosted UI and OAuth endpoints of a user pool, answered inside the browser context."""

    origin: str  # the dashboard's origin, for CORS and the registered URLs
    grants: dict[str, dict[str, str]] = field(default_factory=dict)
    exchanged: list[dict[str, str]] = field(default_factory=list)
    revoked: list[dict[str, str]] = field(default_factory=list)
    logouts: list[dict[str, str]] = field(default_factory=list)

    def handle(self, route: Any) -> None:
        request = route.request
        url = urlsplit(request.url)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        form = {k: v[0] for k, v in parse_qs(request.post_data or "").items()}
        cors = {"Access-Control-Allow-Origin": self.origin}
        if url.path == "/oauth2/authorize":
            route.fulfill(status=200, content_type="text/html", body=self._login_page(query))
        elif url.path == "/login/submit":
            grant = {**json.loads(base64.urlsafe_b64decode(query["request"] + "==")), "username": query["username"]}
            code = f"code-{len(self.grants) + 1}"
            self.grants[code] = grant
            back = f"{grant['redirect_uri']}?{urlencode({'code': code, 'state': grant['state']})}"
            route.fulfill(status=302, headers={"Location": back})
        elif url.path == "/oauth2/token" and request.method == "POST":
            self.exchanged.append(form)
            route.fulfill(headers=cors, **self._token(form))
        elif url.path == "/oauth2/revoke" and request.method == "POST":
            self.revoked.append(form)
            route.fulfill(status=200, headers=cors, body="")
        elif url.path == "/logout":
            self.logouts.append(query)
            route.fulfill(status=302, headers={"Location": query["logout_uri"]})
        else:
            route.fulfill(status=404, body="not here")

    def _login_page(self, query: dict[str, str]) -> str:
        ok = (query.get("client_id") == CLIENT_ID and query.get("response_type") == "code"
              and query.get("redirect_uri") == self.origin + AUTH_CALLBACK_PATH)
        if not ok:
            return "<h1>invalid_request</h1>"
        carried = _b64url(json.dumps({k: query.get(k, "") for k in (
            "redirect_uri", "state", "code_challenge", "code_challenge_method", "scope", "nonce")}).encode())
        return f"""<!doctype html><title>Sign in</title><h1>Sign in to fleet</h1>
<form action="{HOSTED_UI}/login/submit" method="get">
<input type="hidden" name="request" value="{carried}">
<label>Username <input name="username"></label><button>Sign in</button></form>"""

    def _token(self, form: dict[str, str]) -> dict[str, Any]:
        grant = self.grants.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        if (grant is None or form.get("grant_type") != "authorization_code" or form.get("client_id") != CLIENT_ID
                or form.get("redirect_uri") != grant["redirect_uri"] or grant["code_challenge_method"] != "S256"
                or _b64url(hashlib.sha256(verifier.encode()).digest()) != grant["code_challenge"]):
            return {"status": 400, "content_type": "application/json", "body": '{"error": "invalid_grant"}'}
        now = int(time.time())
        claims = {"sub": grant["username"], "iss": ISSUER, "iat": now, "exp": now + 3600, "auth_time": now,
                  "cognito:username": grant["username"]}
        id_claims = {**claims, "aud": CLIENT_ID, "token_use": "id", **({"nonce": grant["nonce"]} if grant["nonce"] else {})}
        tokens = {"id_token": _unsigned(id_claims),
                  "access_token": _unsigned({**claims, "client_id": CLIENT_ID, "token_use": "access",
                                             "scope": grant["scope"]}),
                  "refresh_token": "opaque-refresh", "token_type": "Bearer", "expires_in": 3600}
        return {"status": 200, "content_type": "application/json", "body": json.dumps(tokens)}


def deployed_config(origin: str) -> dict[str, Any]:
    """config.json as generated/terraform/frontend.tf writes it, pointed at the fake pool."""
    return {"apiUrl": "/api", "auth": "cognito", "localAuth": False, "region": "us-east-1",
            "userPoolId": "us-east-1_Local", "userPoolClientId": CLIENT_ID,
            "cognito": {"domain": HOSTED_UI, "issuer": ISSUER, "clientId": CLIENT_ID,
                        "redirectUri": origin + AUTH_CALLBACK_PATH, "logoutUri": origin + "/",
                        "scopes": ["email", "openid", "profile"], "token": "id"}}


@pytest.fixture
def signin(browser: Any, stack: RunningStack) -> Iterator[tuple[Any, FakeCognito]]:  # noqa: F811
    cognito = FakeCognito(origin=stack.url)
    context = browser.new_context(base_url=stack.url)
    context.set_default_timeout(15000)
    context.route(f"{stack.url}/config.json", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(deployed_config(stack.url))))
    context.route(f"{HOSTED_UI}/**", cognito.handle)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab, cognito
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def test_sign_in_at_the_hosted_ui_then_the_profile_with_the_id_token(signin: tuple[Any, FakeCognito]) -> None:
    page, cognito = signin
    page.goto("/me")
    page.get_by_test_id("sign-in-required").wait_for()
    assert page.get_by_test_id("local-sign-in").count() == 0  # the local form stays local

    page.get_by_test_id("header-sign-in").click()
    page.get_by_role("heading", name="Sign in to fleet").wait_for()
    assert page.url.startswith(f"{HOSTED_UI}/oauth2/authorize?")
    page.get_by_label("Username").fill("local-operator")
    with page.expect_request(lambda r: r.url.endswith("/api/me") and "authorization" in r.headers) as me:
        page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/me")
    assert page.get_by_test_id("profile-name").inner_text() == "Ana Operator"

    # the code was exchanged once, with the verifier of the S256 challenge
    (exchange,) = cognito.exchanged
    assert len(exchange["code_verifier"]) >= 43 and not cognito.grants
    token = me.value.headers["authorization"].removeprefix("Bearer ")
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert claims["token_use"] == "id" and claims["sub"] == "local-operator" and claims["aud"] == CLIENT_ID
    stored = page.evaluate("() => ({...sessionStorage})")
    assert stored["fleet.idToken"] == token
    assert page.evaluate("() => localStorage.length") == 0  # nothing outlives the tab

    page.get_by_test_id("header-sign-out").click()
    page.wait_for_url(f"{cognito.origin}/")
    page.get_by_role("heading", level=1, name="Fleet overview").wait_for()
    assert [r["token"] for r in cognito.revoked] == ["opaque-refresh"]
    assert cognito.logouts == [{"client_id": CLIENT_ID, "logout_uri": cognito.origin + "/"}]
    assert "fleet.idToken" not in page.evaluate("() => ({...sessionStorage})")
    page.goto("/me")
    page.get_by_test_id("header-sign-in").wait_for()


def test_a_forged_callback_signs_nobody_in(signin: tuple[Any, FakeCognito]) -> None:
    page, _ = signin
    page.goto(f"{AUTH_CALLBACK_PATH}?code=code-1&state=forged")
    page.get_by_test_id("auth-callback-error").wait_for()
    assert "fleet.idToken" not in page.evaluate("() => ({...sessionStorage})")
