"""Structural OpenAPI validation (openapi-spec-validator), located, and split into parts.

The document is split into one sub-document per path item (holding exactly the components it
references) plus one for everything else (`prepare`). Each part carries `text`, the compact
JSON of everything its sub-document is built from, so a caller may reuse a part's errors while
that text is unchanged (`generator.speed` does, so a one-path edit re-validates one path).
`$ref`s are read from that compact JSON too, which is much faster than walking the document.
When many parts are wanted (a cold build) the whole document is validated once and its errors
are filed under the part they belong to, which yields the same set of errors at a fraction of
the cost (`errors_by_part`). Checks that span path items (operationId uniqueness) live in the
IR builder, which sees the whole document.

For OpenAPI 3.1 the meta-schema validator is built over a registry crawled once up front:
`referencing` otherwise re-crawls every registered schema on each `$dynamicRef` lookup, which
made validation 2-3x slower without changing a single result.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator.canonical import compact_json, compact_members
from generator.diagnostics import Diagnostics
from generator.load.refs import check_refs, closure, parse_ref, resolve_pointer
from generator.load.yaml_loader import Pointer, YamlDocument

_TOP_KEYS = ("openapi", "info", "jsonSchemaDialect", "servers", "security", "tags", "externalDocs")
_VERSIONS = ("3.0.0", "3.0.1", "3.0.2", "3.0.3", "3.0.4", "3.1.0", "3.1.1")


@functools.cache
def _validator_for(version: str) -> Any:
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    if not version.startswith("3.1"):
        return OpenAPIV30SpecValidator
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
    from jsonschema_specifications import REGISTRY  # type: ignore[import-untyped]
    from openapi_spec_validator.schemas import schema_v31
    from referencing.jsonschema import DRAFT202012

    registry = REGISTRY.with_resource(schema_v31["$id"], DRAFT202012.create_resource(schema_v31)).crawl()

    class CrawledV31(OpenAPIV31SpecValidator):
        schema_validator = Draft202012Validator(schema_v31, registry=registry)

    return CrawledV31


VALIDATOR_LIBRARIES = ("openapi_spec_validator", "jsonschema", "referencing")
"""The libraries whose versions decide which errors a part has (besides its text)."""

Errors = list[tuple[list[str | int], str]]
"""(JSON path within the document, message) per error."""


@dataclass(frozen=True)
class Part:
    """One sub-document: the pointer that locates errors reported without a path, `text` that
    determines the sub-document exactly (compact JSON of what it is built from), and how to
    build it."""

    base: Pointer
    text: str
    build: Callable[[], dict[str, Any]]


@dataclass(frozen=True)
class Prepared:
    """A document ready for validation: its data, OpenAPI version and parts."""

    data: dict[str, Any]
    version: str
    parts: list[Part]


# In compact JSON a `$ref` key can only follow a structural `{` or `,` (inside a string both the
# `,` or `{` and the quote after it would be escaped), so this finds exactly the `$ref` strings.
_REF = re.compile(r'[{,]"\$ref":("(?:[^"\\]|\\.)*")')


def _compact(value: Any, compact: Callable[[Any], str] = compact_json) -> str:
    try:
        return compact(value)
    except TypeError:
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _refs(compact: str) -> list[str]:
    return [json.loads(m) if "\\" in m else m[1:-1] for m in _REF.findall(compact)]


class _Refs:
    """`$ref`s of the document's parts, read from their compact JSON (C speed) instead of a walk."""

    def __init__(self, data: dict[str, Any], compact: Callable[[Any], str] = compact_json) -> None:
        self.data = data
        self.compact = compact
        self.json: dict[Pointer, str] = {}
        self.targets: dict[Pointer, list[str]] = {}

    def of_target(self, target: Pointer) -> list[str]:
        refs = self.targets.get(target)
        if refs is None:
            text = self.json[target] = _compact(resolve_pointer(self.data, target), self.compact)  # KeyError if dangling
            refs = self.targets[target] = _refs(text)
        return refs

    def closure(self, roots: list[str]) -> set[Pointer]:
        """What `ref_closure` returns for a subtree whose `$ref`s are `roots`."""
        return closure(roots, self.of_target)


def _all_resolve(data: dict[str, Any], texts: list[str]) -> bool:
    """True when every `$ref` in these compact texts (together the whole document) is a local
    pointer that resolves: exactly when `check_refs` would report nothing."""
    for ref in {ref for text in texts for ref in _refs(text)}:
        target = parse_ref(ref)
        if target is None:
            return False
        try:
            resolve_pointer(data, target)
        except KeyError:
            return False
    return True


def _parts(data: dict[str, Any], refs: _Refs) -> tuple[list[Part], list[str]]:
    """One sub-document per path item (with the components it needs), plus one for the rest;
    and the compact texts that together hold the whole document (for the `$ref` check)."""
    top = {k: data[k] for k in _TOP_KEYS if k in data}
    top_json = _compact(top, refs.compact)
    parts: list[Part] = []
    texts: list[str] = []
    paths = data.get("paths")
    if isinstance(paths, dict):
        for path, item in paths.items():
            item_json = _compact(item, refs.compact)
            texts.append(item_json)
            closure = sorted(refs.closure(_refs(item_json)), key=str)
            needed: list[Pointer] = [ptr for ptr in closure if len(ptr) == 3 and ptr[0] == "components"]
            # NUL never occurs in compact JSON (it is escaped), so the parts stay apart
            text = "\0".join([top_json, json.dumps(path), item_json]
                             + [compact_json([str(p) for p in ptr]) + refs.json[ptr] for ptr in needed])
            parts.append(Part(("paths", path), text, functools.partial(_path_document, data, top, path, needed)))
    rest = dict(top)
    if "components" in data:
        rest["components"] = data["components"]
    if "webhooks" in data:
        rest["webhooks"] = data["webhooks"]
    if not isinstance(paths, dict):
        if "paths" in data:
            rest["paths"] = paths
    else:
        rest["paths"] = {}
    try:
        rest_json = compact_members(rest, refs.compact)
    except TypeError:
        rest_json = _compact(rest)
    others = {k: v for k, v in data.items() if k not in rest and k != "paths"}
    texts += [rest_json, _compact(others, refs.compact)]
    parts.append(Part((), rest_json, lambda: rest))
    return parts, texts


def _path_document(data: dict[str, Any], top: dict[str, Any], path: str, needed: list[Pointer]) -> dict[str, Any]:
    components: dict[str, Any] = {}
    for ptr in needed:
        section, name = str(ptr[1]), str(ptr[2])
        components.setdefault(section, {})[name] = data.get("components", {}).get(section, {}).get(name)
    doc = dict(top, paths={path: data["paths"][path]})
    if components:
        doc["components"] = components
    return doc


def _subdocuments(data: dict[str, Any]) -> list[tuple[Pointer, dict[str, Any]]]:
    """Every part's sub-document (tests compare them with the cached path)."""
    parts, _ = _parts(data, _Refs(data))
    return [(part.base, part.build()) for part in parts]


def part_errors(part: Part, version: str) -> Errors:
    """The errors of one part's sub-document."""
    return _run(part.build(), version)


def _run(doc: dict[str, Any], version: str) -> Errors:
    found: Errors = []
    try:
        for err in _validator_for(version)(doc).iter_errors():
            path = list(getattr(err, "absolute_path", []) or [])
            if not _ours(_message(err)):
                found.append((path, _message(err)))
    except Exception as exc:  # the validator raises on some malformed inputs instead of yielding
        if not found:
            found.append(([], f"the OpenAPI validator could not process this part: {exc}"))
    return found


def whole_errors(doc: dict[str, Any], version: str) -> tuple[Errors, bool]:
    """Errors of the whole document, and whether the validator gave up part way."""
    found: Errors = []
    try:
        for err in _validator_for(version)(doc).iter_errors():
            if not _ours(_message(err)):
                found.append((list(getattr(err, "absolute_path", []) or []), _message(err)))
    except Exception:  # retried part by part, where the failure is attributed to its path item
        return found, True
    return found, False


def _ours(message: str) -> bool:
    """Checks gen makes itself, with better locations, across the whole document."""
    return message.startswith("Operation ID ") and message.endswith(" is not unique")


def _message(err: Any) -> str:
    text = str(getattr(err, "message", err)).strip().splitlines()[0]
    return text if len(text) <= 300 else text[:297] + "..."


def prepare(doc: YamlDocument, diags: Diagnostics, compact: Callable[[Any], str] = compact_json) -> Prepared | None:
    """The document split into parts; None, with located errors, when it cannot be validated
    (not a mapping, an unsupported version, a `$ref` that does not resolve). `compact` encodes
    sub-trees (a caller may pass one that remembers what it encoded)."""
    data = doc.data
    if not isinstance(data, dict):
        diags.error("E-OAS", "the OpenAPI document must be a mapping", doc.locate(()),
                    "start the file with 'openapi: 3.1.0', 'info:' and 'paths:'")
        return None
    version = data.get("openapi")
    if not isinstance(version, str) or version not in _VERSIONS:
        diags.error("E-OAS-VERSION", f"unsupported OpenAPI version {version!r}", doc.locate(("openapi",)),
                    "use 'openapi: 3.1.0' (3.0.x is accepted too)")
        return None
    try:
        parts, texts = _parts(data, _Refs(data, compact))
        refs_ok = _all_resolve(data, texts)
    except (KeyError, TypeError, ValueError, RecursionError):  # a dangling `$ref`, reported below
        parts, refs_ok = [], False
    if not refs_ok:
        if not check_refs(doc, diags):  # it words and locates what is wrong
            return None
        parts, _ = _parts(data, _Refs(data, compact))
    return Prepared(data, version, parts)


def errors_by_part(prepared: Prepared, wanted: list[int],
                   whole: tuple[Errors, bool] | None = None) -> dict[int, Errors]:
    """The errors of each wanted part. `whole` is `whole_errors` of the document when already
    known; when more than one part is wanted it is computed here, and its errors are filed under
    their parts. A part whose errors cannot be told from it is validated on its own."""
    if whole is None and len(wanted) > 1:
        whole = whole_errors(prepared.data, prepared.version)
    found: dict[int, Errors] = {}
    if whole is not None:
        errors, crashed = whole
        # errors without a path cannot be filed under a part: let the parts find them
        if not crashed and all(path for path, _ in errors):
            found.update(_partition(errors, prepared.parts, wanted))
    for i in wanted:
        if i not in found:
            found[i] = part_errors(prepared.parts[i], prepared.version)
    return found


def report(doc: YamlDocument, diags: Diagnostics, prepared: Prepared, found: dict[int, Errors]) -> bool:
    """Add every part's errors (`found`, by part index) to `diags`; True when there are none."""
    ok = True
    for i, part in enumerate(prepared.parts):
        for path, message in found[i]:
            ok = False
            ptr: Pointer = tuple(path) or part.base
            diags.error("E-OAS", message, doc.locate(ptr, key=True),
                        "see the OpenAPI specification for this object's fields")
    return ok


def validate_openapi(doc: YamlDocument, diags: Diagnostics) -> bool:
    """Validate the OpenAPI document; returns True when it is structurally valid."""
    prepared = prepare(doc, diags)
    if prepared is None:
        return False
    return report(doc, diags, prepared, errors_by_part(prepared, list(range(len(prepared.parts)))))


def _partition(errors: Errors, parts: list[Part], wanted: list[int]) -> dict[int, Errors]:
    """File whole-document errors under the part (path item, or the rest) they belong to."""
    index = {part.base: i for i, part in enumerate(parts)}
    rest = index[()]
    out: dict[int, Errors] = {i: [] for i in wanted}
    for path, message in errors:
        i = index.get(tuple(path[:2]), rest) if len(path) >= 2 and path[0] == "paths" else rest
        if i in out:
            out[i].append((path, message))
    return out
