"""Browser sign-in: auth.tf's view (user pool, hosted UI domain, app client, resource servers)
and the `cognito` part of the frontend's config.json.

With a frontend, the app client is a public client (no secret) of the OAuth 2.0 authorization
code flow, which the dashboard runs with PKCE against the pool's hosted UI; its callback and
logout URLs are on the frontend's origin. Without a frontend it stays an SRP client for other
apps. Scopes: `openid email profile` plus every scope a Cognito operation's security requirement
lists; custom scopes (`<identifier>/<name>`) get a resource server each. The token the dashboard
sends follows API Gateway's Cognito authorizer: an access token when the operations demand
scopes (the authorizer then checks them), an ID token otherwise (docs/deploy.md, Signing in).
Pure: Ir -> views.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.emit.terraform.access import web_origin
from generator.ir import names
from generator.ir.nodes import Ir
from generator.ir.security import CUSTOM_SCOPE, STANDARD_SCOPES
from generator.render.filters import HclExpr

SIGN_IN_SCOPES = ("email", "openid", "profile")
TOKEN_VALIDITY_HOURS = 1  # ID and access tokens
REFRESH_VALIDITY_DAYS = 30


@dataclass(frozen=True, slots=True)
class ResourceServer:
    identifier: str
    scopes: tuple[str, ...]


def operation_scopes(ir: Ir) -> tuple[str, ...]:
    """Every scope some Cognito operation demands, sorted."""
    return tuple(sorted({s for op in ir.operations if op.auth == "cognito" for s in op.scopes}))


def client_scopes(ir: Ir) -> tuple[str, ...]:
    """What the app client may ask for: the sign-in scopes and the operations' scopes."""
    return tuple(sorted(set(SIGN_IN_SCOPES) | set(operation_scopes(ir))))


def resource_servers(ir: Ir) -> tuple[ResourceServer, ...]:
    """One resource server per identifier of a custom scope."""
    by_server: dict[str, set[str]] = {}
    for scope in operation_scopes(ir):
        match = CUSTOM_SCOPE.fullmatch(scope)
        if scope not in STANDARD_SCOPES and match:
            by_server.setdefault(match["server"], set()).add(match["name"])
    return tuple(ResourceServer(k, tuple(sorted(v))) for k, v in sorted(by_server.items()))


def api_token(ir: Ir) -> str:
    """``access`` when every Cognito operation demands scopes, else ``id``: without scopes API
    Gateway's Cognito authorizer treats the token as an ID token; with scopes it wants an access
    token carrying them. A spec mixing both cannot serve one browser token (docs/deploy.md)."""
    ops = [op for op in ir.operations if op.auth == "cognito"]
    return "access" if ops and all(op.scopes for op in ops) else "id"


def domain_default() -> HclExpr:
    """The HCL of `names.auth_domain_prefix`: `<name>-<stage>` without Cognito's reserved words,
    cut to fit, then a hash of the account (a prefix is unique across all accounts of a region)."""
    reserved = "/" + "|".join(names.AUTH_DOMAIN_RESERVED) + "/"
    keep = names.AUTH_DOMAIN_MAX - names.AUTH_DOMAIN_HASH - 1
    return HclExpr(f'"${{substr(replace(local.prefix, "{reserved}", "x"), 0, {keep})}}-'
                   f'${{substr(sha256(local.account_id), 0, {names.AUTH_DOMAIN_HASH})}}"')


def auth_view(ir: Ir) -> dict[str, object]:
    return {
        "browser": ir.frontend,
        "web_origin": web_origin(ir) if ir.frontend else None,
        "domain_variable": names.AUTH_DOMAIN_VARIABLE,
        "domain_default": domain_default(),
        "callback_path": names.AUTH_CALLBACK_PATH,
        "logout_path": names.AUTH_LOGOUT_PATH,
        "scopes": client_scopes(ir),
        "resource_servers": [(s.identifier, s.scopes) for s in resource_servers(ir)],
        "token_hours": TOKEN_VALIDITY_HOURS,
        "refresh_days": REFRESH_VALIDITY_DAYS,
    }


def config_view(ir: Ir) -> dict[str, object]:
    """The `cognito` object of config.json (frontend.tf), read by frontend/src/config.ts."""
    return {
        "scopes": client_scopes(ir),
        "token": api_token(ir),
        "callback_path": names.AUTH_CALLBACK_PATH,
        "logout_path": names.AUTH_LOGOUT_PATH,
    }
