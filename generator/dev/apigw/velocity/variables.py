"""API Gateway's mapping-template variables, and rendering a template with them.

Contract: `render(text, name, variables)` renders one mapping template (compiled once, see
`engine`) with `$input`, `$util`, `$context` and `$stageVariables` as API Gateway provides them,
and returns the output text. Errors: `VtlError` (template and line named); `BodyParseError` when
the template reads `$input.path`/`$input.json` of a payload that is not JSON, strictly read
(`jackson`: NaN, Infinity, 1e999 or too deep a nesting are not JSON either; API Gateway answers
that with 400 "Could not parse request body into json").

`$input` (request templates: the method request; response templates: the integration response
body, with the method request's parameters):
- `$input.body`: the raw payload text; an empty payload reads as `{}`.
- `$input.json('$.x')`: JSON text of the match (`"a"`, `{"k":1}`, `[1,2]`); an absent path gives
  the empty string.
- `$input.path('$.x')`: the match as a template value (map, JSON array, string, number,
  boolean), usable in `#foreach` and with `.size()`, `.get()`...; an absent path gives null.
- `$input.params()`: `{path: {...}, querystring: {...}, header: {...}}`;
  `$input.params().path` etc.; `$input.params('x')`: path, then querystring, then header (case
  insensitive), else the empty string.

`$context` is the map the caller hands in (`TemplateVariables.context`; the gateway builds it,
see `generator.dev.apigw.context`); what a template sets in it (`responseOverride.*`,
`requestOverride.*`) stays there for the caller to read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.dev.apigw.velocity import jackson, java, jsonpath
from generator.dev.apigw.velocity.util import UtilVariable
from generator.dev.apigw.velocity.engine import VtlError, compile_template

__all__ = ["BodyParseError", "Params", "TemplateVariables", "VtlError", "render"]


class BodyParseError(ValueError):
    """A template read the payload as JSON, and it is not JSON."""


@dataclass(frozen=True)
class Params:
    """The method request's parameters, single-valued as templates see them."""

    path: Mapping[str, str] = field(default_factory=dict)
    querystring: Mapping[str, str] = field(default_factory=dict)
    header: Mapping[str, str] = field(default_factory=dict)

    def find(self, name: str) -> str | None:
        """API Gateway's lookup order: path, then query string, then header."""
        for source in (self.path, self.querystring):
            if name in source:
                return source[name]
        lowered = name.lower()
        for key, value in self.header.items():
            if key.lower() == lowered:
                return value
        return None


_UNPARSED = object()


class InputVariable:
    """The `$input` object a template sees."""

    def __init__(self, body: str, params: Params) -> None:
        self._body = body
        self._params = params
        self._document: Any = _UNPARSED

    @property
    def body(self) -> str:
        return self._body if self._body else "{}"

    def _parsed(self) -> Any:
        if self._document is _UNPARSED:
            text = self._body if self._body.strip() else "{}"
            try:
                self._document = java.from_json(jackson.loads(text))
            except jackson.JsonParseError as error:
                raise BodyParseError(f"Could not parse request body into json: {error}") from None
        return self._document

    def path(self, expression: str) -> Any:
        found, value = jsonpath.evaluate(self._parsed(), java.to_string(expression))
        return value if found else None

    def json(self, expression: str) -> str:
        found, value = jsonpath.evaluate(self._parsed(), java.to_string(expression))
        return java.json_text(value) if found else ""

    def params(self, name: Any = None) -> Any:
        if name is None:
            return {
                "path": dict(self._params.path),
                "querystring": dict(self._params.querystring),
                "header": dict(self._params.header),
            }
        value = self._params.find(java.to_string(name))
        return "" if value is None else value


@dataclass(frozen=True)
class TemplateVariables:
    """What one template evaluation sees: the payload, the parameters and the shared `$context`."""

    body: str
    params: Params
    context: dict[str, Any]
    stage_variables: Mapping[str, str]


_UTIL = UtilVariable()


def render(text: str, name: str, variables: TemplateVariables) -> str:
    """Render one mapping template; `variables.context` receives what the template sets."""
    template = compile_template(text, name)
    namespace: dict[str, Any] = {
        "input": InputVariable(variables.body, variables.params),
        "util": _UTIL,
        "context": variables.context,
        "stageVariables": dict(variables.stage_variables),
    }
    try:
        return template.render(namespace)
    except VtlError as error:
        if isinstance(error.__cause__, BodyParseError):
            raise error.__cause__ from None
        raise
