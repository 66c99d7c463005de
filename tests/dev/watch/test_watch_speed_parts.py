"""What makes a reload fast must not change what is served: the one-pass substitution of the
API definition's placeholders answers exactly what the walk over the document answers."""

from __future__ import annotations

import json

import pytest

from generator.dev.apigw.definition import (
    DefinitionError,
    _required_variables,
    _substitute,
    required_variables,
    substitute,
)
from tests.conftest import REPO


def test_the_reference_definition_substitutes_as_the_walk_does() -> None:
    document = json.loads((REPO / "generated/api/openapi.json").read_text(encoding="utf-8"))
    names = required_variables(document)
    assert names == _required_variables(document) and "region" in names
    values = {name: f'value "of" \\ {name}' for name in names}  # JSON-escaped in the text pass
    assert substitute(document, values) == _substitute(document, values)


@pytest.mark.parametrize("document", [
    {"a": "x${region}y", "b": ["$${kept}", {"c": "%%{z}", "d": 1, "e": None}]},
    {"${region}": "a key is not substituted", "b": "${region}"},
])
def test_escapes_and_keys_are_kept_as_the_walk_keeps_them(document: dict[str, object]) -> None:
    values = {"region": "eu-west-1"}
    assert substitute(document, values) == _substitute(document, values)
    assert required_variables(document) == _required_variables(document)


@pytest.mark.parametrize(("document", "error"), [
    ({"a": {"b": "${nope}"}}, "/a/b: undefined template variable ${nope}"),
    ({"a": ["%{ if x }"]}, "/a/0: template directive %{ is not supported"),
    ({"a": "${not valid}"}, "/a: unsupported template expression ${not valid}"),
])
def test_a_bad_placeholder_is_reported_where_it_is(document: dict[str, object], error: str) -> None:
    with pytest.raises(DefinitionError, match=error.replace("$", r"\$").replace("{", r"\{")):
        substitute(document, {"region": "eu-west-1"})
