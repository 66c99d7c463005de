"""openapi.yaml security -> how each operation authenticates, and the clients of API keys.

Three kinds of scheme, each enforced by API Gateway (generated Terraform) and by `gen dev`
(docs/spec-format.md, Security):
- Cognito: `type: oauth2`, or `type: apiKey` with `x-amazon-apigateway-authtype: cognito_user_pools`;
- IAM (SigV4): `type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: awsSigv4`;
- API key: `type: apiKey, name: x-api-key, in: header`, with its usage-plan clients under the
  scheme's `x-gen: {clients: {<name>: {rate_limit, burst_limit, quota, period}}}`.
An operation takes one scheme. An ingestion operation needs one unless its binding says
`public: true` (`E-AUTH-INGEST`; public ingestion builds with `W-PUBLIC-INGEST`); IAM and API keys
guard ingestion only. Pure: reports located diagnostics, touches nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from collections.abc import Iterable
from typing import Any, get_args

from generator.diagnostics import did_you_mean, known_names_hint
from generator.ir.context import BuildContext
from generator.ir.nodes import ApiClient, AuthKind, Operation, QuotaPeriod
from generator.load.yaml_loader import Pointer

CLIENT_KEYS = ("rate_limit", "burst_limit", "quota", "period")
SCHEME_XGEN_KEYS = ("clients",)
DEFAULT_CLIENT = "default"
# Per client: steady requests per second, burst, and requests per period (usage plan limits).
DEFAULT_LIMITS: dict[str, Any] = {"rate_limit": 50, "burst_limit": 100, "quota": 100_000, "period": "DAY"}
_MAXIMA = {"rate_limit": 10_000, "burst_limit": 5_000, "quota": 1_000_000_000}
CLIENT_NAME = re.compile(r"[a-z][a-z0-9-]{0,31}")
LOCAL_KEY_PREFIX = "local-api-key-"
SCHEMES_HINT = ("use a Cognito scheme (type: oauth2, or type: apiKey with x-amazon-apigateway-authtype: "
                "cognito_user_pools), IAM (type: apiKey, name: Authorization, in: header, "
                "x-amazon-apigateway-authtype: awsSigv4) or an API key (type: apiKey, name: x-api-key, in: header)")


def scheme_kind(scheme: Any) -> AuthKind | None:
    """The kind of a security scheme object, or None when gen cannot enforce it."""
    if not isinstance(scheme, dict):
        return None
    kind = scheme.get("type")
    authtype = str(scheme.get("x-amazon-apigateway-authtype") or "")
    if kind == "oauth2" or (kind == "apiKey" and authtype == "cognito_user_pools"):
        return "cognito"
    if kind != "apiKey" or scheme.get("in") != "header":
        return None
    header = str(scheme.get("name") or "").lower()
    if authtype.lower() == "awssigv4" and header == "authorization":
        return "iam"
    if not authtype and header == "x-api-key":
        return "api_key"
    return None


def invoke_route(method: str, path: str) -> str:
    """The operation's part of its execute-api ARN: ``POST/events``, ``GET/devices/*``."""
    return method.upper() + "/" + re.sub(r"\{[^}/]+\}", "*", path).lstrip("/")


def local_key(client: str) -> str:
    """The API key `gen dev` accepts for `client` (printed at start, docs/api-definition.md)."""
    return LOCAL_KEY_PREFIX + client


# Scopes every Cognito token can carry (OpenID Connect's and Cognito's own); any other scope is a
# resource server's: `<identifier>/<name>`, which the generated Terraform declares.
STANDARD_SCOPES = ("aws.cognito.signin.user.admin", "email", "openid", "phone", "profile")
CUSTOM_SCOPE = re.compile(r"(?P<server>[\x21\x23-\x5b\x5d-\x7e]+)/(?P<name>[\x21\x23-\x2e\x30-\x5b\x5d-\x7e]+)")


@dataclass(frozen=True, slots=True)
class OperationAuth:
    kind: AuthKind
    scheme: str | None
    scopes: tuple[str, ...] = ()


class SecurityReader:
    """Reads `security` of operations and the API-key clients of the scheme they use."""

    def __init__(self, ctx: BuildContext) -> None:
        self.ctx = ctx
        self.doc = ctx.api
        schemes = (self.doc.data.get("components") or {}).get("securitySchemes") or {}
        self.schemes: dict[str, Any] = schemes if isinstance(schemes, dict) else {}
        self.api_key_schemes: list[str] = []

    def operation(self, op: dict[str, Any], ptr: Pointer) -> OperationAuth | None:
        """The operation's scheme; None (with an error reported) when it cannot be enforced."""
        reqs = op.get("security", self.doc.data.get("security")) or []
        names = [str(name) for req in reqs if isinstance(req, dict) for name in req]
        if not names:
            return OperationAuth("none", None)
        kinds: dict[str, AuthKind] = {}
        for name in names:
            scheme = self.schemes.get(name)
            if scheme is None:
                self.ctx.error("E-AUTH", f"security scheme '{name}' is not defined", self.doc, ptr + ("security",),
                               known_names_hint(name, self.schemes, "security schemes"))
                return None
            kind = scheme_kind(scheme)
            if kind is None:
                self.ctx.error("E-AUTH", f"security scheme '{name}' is not one gen can enforce", self.doc,
                               ("components", "securitySchemes", name), SCHEMES_HINT)
                return None
            kinds[name] = kind
        first = names[0]
        if len(set(kinds.values())) > 1 or (kinds[first] != "cognito" and len(set(names)) > 1):
            self.ctx.error("E-AUTH", f"operation '{op.get('operationId')}' lists the security schemes "
                           f"{', '.join(sorted(set(names)))}; API Gateway enforces one per operation", self.doc,
                           ptr + ("security",), "keep one scheme in its security")
            return None
        if kinds[first] == "api_key" and first not in self.api_key_schemes:
            self.api_key_schemes.append(first)
        if kinds[first] != "cognito":
            return OperationAuth(kinds[first], first)
        scopes = self._scopes(reqs, first, ptr)
        return None if scopes is None else OperationAuth("cognito", first, scopes)

    def _scopes(self, reqs: list[Any], scheme: str, ptr: Pointer) -> tuple[str, ...] | None:
        """The OAuth scopes the operation's requirement on `scheme` lists (what API Gateway's
        authorizer demands of an access token); None after an error."""
        for index, req in enumerate(reqs):
            if not isinstance(req, dict) or scheme not in req:
                continue
            raw = req[scheme] or []
            sptr = ptr + ("security", index, scheme)
            if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
                self.ctx.error("E-AUTH", f"the scopes of '{scheme}' must be a list of strings", self.doc, sptr)
                return None
            for at, scope in enumerate(raw):
                if scope not in STANDARD_SCOPES and not CUSTOM_SCOPE.fullmatch(scope):
                    self.ctx.error("E-AUTH", f"scope '{scope}' is neither an OpenID Connect scope nor a resource "
                                   "server's <identifier>/<name>", self.doc, sptr + (at,),
                                   f"use one of {', '.join(STANDARD_SCOPES)}, or a custom scope such as fleet-api/read")
                    return None
            return tuple(sorted(set(raw)))
        return ()

    def check_ingestion(self, op: dict[str, Any], xgen: dict[str, Any], xptr: Pointer, auth: OperationAuth,
                        stream: str) -> bool:
        """An ingestion operation is authenticated or says `public: true`; False after an error."""
        op_id = op.get("operationId")
        public = xgen.get("public", False)
        if not isinstance(public, bool):
            self.ctx.error("E-BIND", "x-gen public must be true or false", self.doc, xptr + ("public",))
            return False
        if auth.kind == "none" and not public:
            self.ctx.error("E-AUTH-INGEST", f"ingestion operation '{op_id}' has no security: anyone who reaches the "
                           "API could write events", self.doc, xptr,
                           "declare security with an IAM (SigV4), API key or Cognito scheme (docs/spec-format.md, "
                           f"Security), or accept anonymous events with x-gen: {{stream: {stream}, public: true}}",
                           key=True)
            return False
        if auth.kind != "none" and public:
            self.ctx.error("E-AUTH-INGEST", f"ingestion operation '{op_id}' says public: true but declares security "
                           f"'{auth.scheme}'", self.doc, xptr + ("public",), "drop public: true, or its security")
            return False
        if public:
            self.ctx.warning("W-PUBLIC-INGEST", f"ingestion operation '{op_id}' is public: anyone who reaches the API "
                             "can write events", self.doc, xptr + ("public",),
                             "protect it with an IAM (SigV4), API key or Cognito scheme before production")
        return True

    def check_read(self, auth: OperationAuth, ptr: Pointer, xgen: dict[str, Any], xptr: Pointer) -> bool:
        """Reads take Cognito or nothing; `public` belongs to ingestion. False after an error."""
        ok = True
        if "public" in xgen:
            self.ctx.error("E-BIND", "x-gen public applies to ingestion (x-gen stream) only", self.doc,
                           xptr + ("public",), "reads are public unless they declare a Cognito security scheme")
            ok = False
        if auth.kind in ("iam", "api_key"):
            self.ctx.error("E-AUTH", f"security scheme '{auth.scheme}' ({'IAM' if auth.kind == 'iam' else 'API key'}) "
                           "guards ingestion operations only", self.doc, ptr + ("security",),
                           "protect reads with a Cognito scheme, or leave them public")
            ok = False
        return ok

    def check_scopes(self, ops: Iterable[Operation]) -> None:
        """Warns (W-AUTH-SCOPES) when some Cognito operations list scopes and others do not: API
        Gateway then wants access tokens for the ones and ID tokens for the others, and a browser
        signed in once sends one kind (the dashboard sends the ID token then)."""
        cognito = [op for op in ops if op.auth == "cognito"]
        scoped = [op.operation_id for op in cognito if op.scopes]
        if not scoped or len(scoped) == len(cognito):
            return
        for op in cognito:
            if not op.scopes:
                self.ctx.warning("W-AUTH-SCOPES", f"Cognito operation '{op.operation_id}' lists no scopes, but "
                                 f"{', '.join(sorted(scoped))} do: they want an access token, this one an ID token",
                                 self.doc, ("paths", op.path, op.method),
                                 "give every Cognito operation scopes (e.g. openid), or none")

    def clients(self) -> tuple[ApiClient, ...]:
        """The usage-plan clients of the API-key scheme operations use (none: no API keys)."""
        if not self.api_key_schemes:
            return ()
        first, *others = self.api_key_schemes
        for other in others:
            self.ctx.error("E-AUTH", f"operations use the API key schemes '{first}' and '{other}'; an API has one set "
                           "of keys and usage plans", self.doc, ("components", "securitySchemes", other),
                           f"use '{first}' everywhere")
        ptr: Pointer = ("components", "securitySchemes", first)
        xgen = self.schemes[first].get("x-gen")
        if xgen is None:
            return self._default(ptr)
        if not isinstance(xgen, dict):
            self.ctx.error("E-AUTH", "x-gen of an API key scheme is a mapping {clients: ...}", self.doc, ptr + ("x-gen",))
            return ()
        for key in xgen:
            if key not in SCHEME_XGEN_KEYS:
                self.ctx.error("E-BIND-KEY", f"unknown x-gen key '{key}' of a security scheme", self.doc,
                               ptr + ("x-gen", key), did_you_mean(str(key), SCHEME_XGEN_KEYS) or "allowed: clients",
                               key=True)
        raw = xgen.get("clients")
        cptr = ptr + ("x-gen", "clients")
        if raw is None:
            return self._default(ptr)
        if not isinstance(raw, dict) or not raw:
            self.ctx.error("E-AUTH", "clients maps client names to their limits", self.doc, cptr,
                           "e.g. clients: {acme: {rate_limit: 20, burst_limit: 40, quota: 50000, period: DAY}}")
            return ()
        out = [self._client(str(name), limits, cptr + (name,)) for name, limits in raw.items()]
        return tuple(sorted((c for c in out if c is not None), key=lambda c: c.name))

    def _default(self, ptr: Pointer) -> tuple[ApiClient, ...]:
        client = self._client(DEFAULT_CLIENT, {}, ptr)
        return () if client is None else (client,)

    def _client(self, name: str, limits: Any, ptr: Pointer) -> ApiClient | None:
        ctx, doc = self.ctx, self.doc
        if not CLIENT_NAME.fullmatch(name):
            ctx.error("E-AUTH", f"client name '{name}' is not lowercase letters, digits and hyphens (at most 32)",
                      doc, ptr, "it names the client's API key and usage plan", key=True)
            return None
        if limits is None:
            limits = {}
        if not isinstance(limits, dict):
            ctx.error("E-AUTH", f"client '{name}' needs a mapping of limits", doc, ptr,
                      f"keys: {', '.join(CLIENT_KEYS)} (all optional)")
            return None
        ok = True
        for key in limits:
            if key not in CLIENT_KEYS:
                ctx.error("E-BIND-KEY", f"unknown client key '{key}'", doc, ptr + (key,),
                          did_you_mean(str(key), CLIENT_KEYS) or f"allowed: {', '.join(CLIENT_KEYS)}", key=True)
                ok = False
        values = {**DEFAULT_LIMITS, **limits}
        for key, maximum in _MAXIMA.items():
            value = values[key]
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
                ctx.error("E-AUTH", f"client '{name}': {key} must be an integer from 1 to {maximum}", doc, ptr + (key,))
                ok = False
        if values["period"] not in get_args(QuotaPeriod):
            ctx.error("E-AUTH", f"client '{name}': period must be DAY, WEEK or MONTH, not '{values['period']}'", doc,
                      ptr + ("period",))
            ok = False
        if not ok:
            return None
        return ApiClient(name=name, rate_limit=values["rate_limit"], burst_limit=values["burst_limit"],
                         quota=values["quota"], period=values["period"], local_key=local_key(name),
                         source=ctx.source(doc, ptr))
