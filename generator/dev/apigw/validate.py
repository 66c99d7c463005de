"""Request validation as API Gateway's request validators apply it.

Contract: `RequestValidator(operation).validate(params, content_type, body)` returns `None` when
the request passes, or a `ValidationFailure(kind, message, details)`:
- `validateRequestParameters`: every required path, query string and header parameter must be
  present and not blank; failure -> `BAD_REQUEST_PARAMETERS`,
  "Missing required request parameters: [a, b]", listed as AWS lists them: headers, then path,
  then query string parameters, each by name (recorded: tests/fidelity/corpus/ls_gateway.yaml).
  (API Gateway checks presence only, not types.)
- `validateRequestBody`: only when the operation has a model for the request's content type
  (default `application/json`); the body must be JSON valid against that JSON Schema draft 4
  model (formats included), parsed as strictly as API Gateway's Java parser (`velocity.jackson`:
  no NaN/Infinity, no number beyond a double, bounded nesting, UTF-8 only); failure ->
  `BAD_REQUEST_BODY`, "Invalid request body", with the
  schema errors in `details` (`$context.error.validationErrorString`, worded as API Gateway's
  validator words them: `validation_messages`).
Parameters are checked before the body, as API Gateway does. `nullable` is not a draft 4
keyword: API Gateway's models ignore it, and so does this validator.

jsonschema is the validator of record (its verdict and its wording). It takes ~28 ms for an
ingestion batch of 100 events, so each model is also compiled to Python by fastjsonschema
(draft 4, jsonschema's own format checkers, defaults never filled in), ~14x faster: a body it
accepts is accepted; anything else -- a body it rejects, an error inside it, a model it cannot
compile -- is decided and worded by jsonschema. So the compiled check only has to never accept
what jsonschema rejects; models with the keywords where the two are known to compare values
differently (`enum`/`uniqueItems` and booleans vs numbers) are left to jsonschema alone.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import fastjsonschema
from jsonschema import Draft4Validator  # type: ignore[import-untyped]
from jsonschema.exceptions import SchemaError  # type: ignore[import-untyped]

from generator.dev.apigw.definition import DefinitionError, Operation, Parameter
from generator.dev.apigw.validation_messages import describe
from generator.dev.apigw.velocity import jackson
from generator.dev.apigw.velocity.jackson import JsonParseError
from generator.dev.apigw.velocity.variables import Params


@dataclass(frozen=True)
class ValidationFailure:
    kind: str  # the gateway response type
    message: str
    details: str = ""


def media_type(content_type: str | None) -> str:
    """`application/json; charset=utf-8` -> `application/json`; absent -> `application/json`."""
    if not content_type:
        return "application/json"
    return content_type.split(";", 1)[0].strip().lower() or "application/json"


class RequestValidator:
    """The validators of one operation, with its body models compiled once."""

    def __init__(self, operation: Operation) -> None:
        self._operation = operation
        self._models: dict[str, Draft4Validator] = {}
        self._accepts: dict[str, Callable[[Any], bool] | None] = {}
        if operation.validate_body:
            for content_type, schema in operation.body_models.items():
                try:
                    Draft4Validator.check_schema(schema)
                except SchemaError as error:
                    raise DefinitionError(
                        f"{operation.operation_id}: model for {content_type} is not a valid "
                        f"draft 4 schema: {error.message}"
                    ) from None
                self._models[content_type] = Draft4Validator(
                    schema, format_checker=Draft4Validator.FORMAT_CHECKER
                )
                self._accepts[content_type] = fast_acceptor(schema)

    def validate(
        self, params: Params, content_type: str | None, body: bytes
    ) -> ValidationFailure | None:
        if self._operation.validate_parameters:
            missing = [
                parameter.name
                for parameter in sorted(self._operation.parameters, key=_listing_order)
                if parameter.required and not _present(params, parameter.location, parameter.name)
            ]
            if missing:
                return ValidationFailure(
                    "BAD_REQUEST_PARAMETERS",
                    f"Missing required request parameters: [{', '.join(missing)}]",
                )
        kind = media_type(content_type)
        model = self._models.get(kind)
        if model is None:
            return None
        try:
            document: Any = jackson.loads(body)
        except JsonParseError as error:
            return ValidationFailure("BAD_REQUEST_BODY", "Invalid request body", _escaped(f"[{error}]"))
        accepts = self._accepts.get(kind)
        if accepts is not None and accepts(document):
            return None
        errors = sorted(model.iter_errors(document), key=lambda e: list(e.absolute_path))
        if errors:
            specific = [leaf for error in errors for leaf in _specific(error)]
            return ValidationFailure("BAD_REQUEST_BODY", "Invalid request body", _escaped(describe(specific, located=True)))
        return None


_DRAFT4 = "http://json-schema.org/draft-04/schema#"


def _format(check: Callable[[Any], Any], raises: Any) -> Callable[[Any], bool]:
    def conforms(value: Any) -> bool:
        try:
            return bool(check(value))
        except raises or ():
            return False

    return conforms


def _compares_values(node: Any) -> bool:
    """Whether `node` has `uniqueItems` or an `enum` of numbers or booleans (True == 1 in Python)."""
    if isinstance(node, dict):
        enum = node.get("enum")
        if "uniqueItems" in node or (
            isinstance(enum, list) and any(isinstance(v, (bool, int, float)) for v in enum)
        ):
            return True
        return any(_compares_values(v) for v in node.values())
    if isinstance(node, list):
        return any(_compares_values(v) for v in node)
    return False


_ACCEPTORS: dict[str, Callable[[Any], bool] | None] = {}
_ACCEPTORS_KEPT = 256


def fast_acceptor(schema: Any) -> Callable[[Any], bool] | None:
    """A check that answers True only for documents jsonschema's draft 4 model accepts.

    False means "not known to be valid" (jsonschema decides). None when the model is left to
    jsonschema alone (keywords that compare values, or fastjsonschema cannot compile it).
    Remembered by the schema's text: compiling takes ~0.1 s for a large body model, and a
    reload of gen dev --watch meets the same models again.
    """
    try:
        key = json.dumps(schema, sort_keys=True)
    except (TypeError, ValueError):
        return _fast_acceptor(schema)
    if key not in _ACCEPTORS:
        if len(_ACCEPTORS) >= _ACCEPTORS_KEPT:
            _ACCEPTORS.clear()
        _ACCEPTORS[key] = _fast_acceptor(schema)
    return _ACCEPTORS[key]


def _fast_acceptor(schema: Any) -> Callable[[Any], bool] | None:
    if not isinstance(schema, dict) or _compares_values(schema):
        return None
    formats = {
        name: _format(check, raises)
        for name, (check, raises) in Draft4Validator.FORMAT_CHECKER.checkers.items()
    }
    try:
        compiled = fastjsonschema.compile(
            {**schema, "$schema": _DRAFT4},
            formats=formats,
            use_default=False,
            detailed_exceptions=False,
        )
    except Exception:  # noqa: BLE001 (anything it cannot compile is jsonschema's alone)
        return None

    def accepts(document: Any) -> bool:
        try:
            compiled(document)
        except Exception:  # noqa: BLE001 (rejected, or it failed: jsonschema decides)
            return False
        return True

    return accepts


def _listing_order(parameter: Parameter) -> str:
    # AWS keeps a method's parameters by their key, method.request.<location>.<name>, in order.
    return f"{parameter.location}.{parameter.name}"


def _escaped(text: str) -> str:
    """`$context.error.validationErrorString` as API Gateway fills it: quotes and control
    characters escaped, so a gateway response may place it inside a JSON string."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def _location(error: Any) -> str:
    return "/" + "/".join(str(part) for part in error.absolute_path)


def _specific(error: Any) -> list[Any]:
    """The errors that say which field is wrong, for an `anyOf`/`oneOf` of tagged alternatives
    (an ingestion batch: one branch per event type, told apart by a one-value `type` enum).

    A branch whose tag does not match is not what the caller meant: when exactly one branch has
    a matching tag, its errors are the answer; when no tag matches, the tag is the answer (all
    allowed values). Anything else keeps jsonschema's own message."""
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        return [error]
    branches: dict[Any, list[Any]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)

    def is_tag(sub: Any) -> bool:
        return bool(sub.validator == "enum" and isinstance(sub.validator_value, list)
                    and len(sub.validator_value) == 1)

    matching = [subs for subs in branches.values() if not any(is_tag(sub) for sub in subs)]
    if len(matching) == 1:
        return [leaf for sub in matching[0] for leaf in _specific(sub)]
    tags = [sub for subs in branches.values() for sub in subs if is_tag(sub)]
    if not matching and tags and len({_location(t) for t in tags}) == 1 and len(tags) == len(branches):
        allowed = sorted(str(t.validator_value[0]) for t in tags)
        merged = copy.copy(tags[0])
        merged.message = f"{tags[0].instance!r} is not one of {allowed!r}"
        merged.validator_value = allowed  # worded by validation_messages like any enum
        return [merged]
    return [error]


def _present(params: Params, location: str, name: str) -> bool:
    if location == "header":
        lowered = name.lower()
        values = [v for k, v in params.header.items() if k.lower() == lowered]
    else:
        source = params.path if location == "path" else params.querystring
        values = [source[name]] if name in source else []
    return any(value.strip() for value in values)
