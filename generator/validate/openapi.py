"""Structural OpenAPI validation (openapi-spec-validator), located and cached by content.

The document is split into one sub-document per path item (holding exactly the components it
references) plus one for everything else; each one's errors are cached in ``.gen-cache/oas/``
(a `generator.render.memo.Memo` store) keyed by the compact JSON of the sub-document's parts
and the validator's version, so a one-path edit re-validates one path. `$ref`s are read from
that compact JSON too, which is much faster than walking the document. When many parts are uncached (a cold build) the whole document is
validated once and its errors are filed under the part they belong to, which yields the same
set of errors at a fraction of the cost. Checks that span path items (operationId uniqueness)
live in the IR builder, which sees the whole document.

For OpenAPI 3.1 the meta-schema validator is built over a registry crawled once up front:
`referencing` otherwise re-crawls every registered schema on each `$dynamicRef` lookup, which
made validation 2-3x slower without changing a single result.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.cache import library_version
from generator.diagnostics import Diagnostics
from generator.load.yaml_loader import Pointer, YamlDocument
from generator.render.memo import Memo
from generator.render.serialize import compact_json, compact_members, remember_compact
from generator.load.refs import check_refs, closure, parse_ref, resolve_pointer

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


def _validator_version() -> str:
    # read without importing: a rebuild whose parts are all cached never loads the validator
    return "/".join(library_version(m) for m in ("openapi_spec_validator", "jsonschema", "referencing"))


@dataclass(frozen=True)
class _Part:
    """One sub-document: the pointer that locates errors reported without a path, a material
    that determines the sub-document exactly (its cache key), and how to build it."""

    base: Pointer
    material: str
    build: Callable[[], dict[str, Any]]


# In compact JSON a `$ref` key can only follow a structural `{` or `,` (inside a string both the
# `,` or `{` and the quote after it would be escaped), so this finds exactly the `$ref` strings.
_REF = re.compile(r'[{,]"\$ref":("(?:[^"\\]|\\.)*")')


def _compact(value: Any) -> str:
    try:
        text = compact_json(value)
    except TypeError:
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    remember_compact(value, text)  # serialisation and the lint key the same sub-trees
    return text


def _refs(compact: str) -> list[str]:
    return [json.loads(m) if "\\" in m else m[1:-1] for m in _REF.findall(compact)]


class _Refs:
    """`$ref`s of the document's parts, read from their compact JSON (C speed) instead of a walk."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.json: dict[Pointer, str] = {}
        self.targets: dict[Pointer, list[str]] = {}

    def of_target(self, target: Pointer) -> list[str]:
        refs = self.targets.get(target)
        if refs is None:
            text = self.json[target] = _compact(resolve_pointer(self.data, target))  # KeyError if dangling
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


def _parts(data: dict[str, Any], refs: _Refs) -> tuple[list[_Part], list[str]]:
    """One sub-document per path item (with the components it needs), plus one for the rest;
    and the compact texts that together hold the whole document (for the `$ref` check)."""
    top = {k: data[k] for k in _TOP_KEYS if k in data}
    top_json = _compact(top)
    parts: list[_Part] = []
    texts: list[str] = []
    paths = data.get("paths")
    if isinstance(paths, dict):
        for path, item in paths.items():
            item_json = _compact(item)
            texts.append(item_json)
            closure = sorted(refs.closure(_refs(item_json)), key=str)
            needed: list[Pointer] = [ptr for ptr in closure if len(ptr) == 3 and ptr[0] == "components"]
            # NUL never occurs in compact JSON (it is escaped), so the parts stay apart
            material = "\0".join([top_json, json.dumps(path), item_json]
                                 + [_compact([str(p) for p in ptr]) + refs.json[ptr] for ptr in needed])
            parts.append(_Part(("paths", path), material, functools.partial(_path_document, data, top, path, needed)))
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
    for key in ("components", "webhooks"):
        if isinstance(rest.get(key), (dict, list)):
            _compact(rest[key])  # encoded once for this key, the lint's and the serialiser's
    rest_json = compact_members(rest)
    others = {k: v for k, v in data.items() if k not in rest and k != "paths"}
    texts += [rest_json, _compact(others)]
    parts.append(_Part((), rest_json, lambda: rest))
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


def _run(doc: dict[str, Any], version: str) -> list[tuple[list[str | int], str]]:
    found: list[tuple[list[str | int], str]] = []
    try:
        for err in _validator_for(version)(doc).iter_errors():
            path = list(getattr(err, "absolute_path", []) or [])
            if not _ours(_message(err)):
                found.append((path, _message(err)))
    except Exception as exc:  # the validator raises on some malformed inputs instead of yielding
        if not found:
            found.append(([], f"the OpenAPI validator could not process this part: {exc}"))
    return found


def _run_whole(doc: dict[str, Any], version: str) -> tuple[list[tuple[list[str | int], str]], bool]:
    """Errors of the whole document, and whether the validator gave up part way."""
    found: list[tuple[list[str | int], str]] = []
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


def validate_openapi(doc: YamlDocument, diags: Diagnostics, cache_dir: Path | None) -> bool:
    """Validate the OpenAPI document; returns True when it is structurally valid."""
    return start_openapi_validation(doc, diags, cache_dir).result()


class Pending:
    """A validation whose expensive part may still be running; `result()` waits for it once,
    adds its diagnostics and says whether the document is valid."""

    def __init__(self, finish: Callable[[], bool]) -> None:
        self._finish = finish
        self._ok: bool | None = None

    def result(self) -> bool:
        if self._ok is None:
            self._ok = self._finish()
        return self._ok


def start_openapi_validation(doc: YamlDocument, diags: Diagnostics, cache_dir: Path | None, *,
                             background: bool = False) -> Pending:
    """Start validating; with `background`, an uncached whole-document pass runs in a forked
    worker (the other core) while the caller builds the IR and emits."""
    data = doc.data
    if not isinstance(data, dict):
        diags.error("E-OAS", "the OpenAPI document must be a mapping", doc.locate(()),
                    "start the file with 'openapi: 3.1.0', 'info:' and 'paths:'")
        return Pending(lambda: False)
    version = data.get("openapi")
    if not isinstance(version, str) or version not in _VERSIONS:
        diags.error("E-OAS-VERSION", f"unsupported OpenAPI version {version!r}", doc.locate(("openapi",)),
                    "use 'openapi: 3.1.0' (3.0.x is accepted too)")
        return Pending(lambda: False)
    refs = _Refs(data)
    try:
        parts, texts = _parts(data, refs)
        refs_ok = _all_resolve(data, texts)
    except (KeyError, TypeError, ValueError, RecursionError):  # a dangling `$ref`, reported below
        parts, refs_ok = [], False
    if not refs_ok:
        if not check_refs(doc, diags):  # it words and locates what is wrong
            return Pending(lambda: False)
        parts, _ = _parts(data, _Refs(data))
    tool_version = _validator_version()
    store = None if cache_dir is None else Memo(cache_dir / "oas")
    found: dict[int, list[tuple[list[str | int], str]]] = {}
    keys = [None if store is None else store.key("oas", f"{tool_version}\0{part.material}") for part in parts]
    for i, key in enumerate(keys):
        cached = _cache_get(store, key)
        if cached is not None:
            found[i] = cached
    missing = [i for i in range(len(parts)) if i not in found]
    whole: Callable[[], tuple[list[tuple[list[str | int], str]], bool]] | None = None
    single: Callable[[], tuple[list[tuple[list[str | int], str]], bool]] | None = None
    if len(missing) > 1:
        if background and _can_fork():
            whole = _in_child(lambda: _run_whole(data, version))
        else:
            done = _run_whole(data, version)
            whole = lambda: done  # noqa: E731
    elif missing and background and _can_fork():
        # one edited part (the usual rebuild): its check, and loading the validator, overlap the build
        part = parts[missing[0]]
        single = _in_child(lambda: (_run(part.build(), version), False))

    def finish() -> bool:
        if whole is not None:
            errors, crashed = whole()
            # errors without a path cannot be filed under a part: let the parts find them
            if not crashed and all(path for path, _ in errors):
                found.update(_partition(errors, parts, missing))
        if single is not None:
            errors, crashed = single()
            if not crashed:
                found[missing[0]] = errors
        for i in missing:
            if i not in found:
                found[i] = _run(parts[i].build(), version)
        if store is not None:
            for i in missing:
                store.put("oas", str(keys[i]), [[path, message] for path, message in found[i]])
            store.save()
        ok = True
        for i, part in enumerate(parts):
            base = part.base
            for path, message in found[i]:
                ok = False
                ptr: Pointer = tuple(path) or base
                diags.error("E-OAS", message, doc.locate(ptr, key=True),
                            "see the OpenAPI specification for this object's fields")
        return ok

    return Pending(finish)


def _can_fork() -> bool:
    # forking a process that runs other threads (gen dev) could copy a held lock
    return hasattr(os, "fork") and threading.active_count() == 1


def _in_child(task: Callable[[], tuple[list[tuple[list[str | int], str]], bool]],
              ) -> Callable[[], tuple[list[tuple[list[str | int], str]], bool]]:
    """Run `task` (`_run_whole` or `_run` of one part) in a forked child; the returned function
    waits for its answer, (errors, crashed); a child that fails counts as crashed."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer through the pipe, never return into the caller's code
        code = 1
        try:
            os.close(read_fd)
            if "requests" not in sys.modules:
                # jsonschema-path's URL handler prefers requests (a third of the validator's
                # import time) and falls back to urllib without it; this worker never fetches
                # anything: a `$ref` that is not local is an error before validation starts
                sys.modules["requests"] = None  # type: ignore[assignment]
            payload = json.dumps(task()).encode("utf-8")
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(payload)
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)

    def join() -> tuple[list[tuple[list[str | int], str]], bool]:
        with os.fdopen(read_fd, "rb") as pipe:
            payload = pipe.read()  # read to EOF before waiting, or a full pipe would deadlock
        _, status = os.waitpid(pid, 0)
        if status != 0 or not payload:
            return [], True  # the parts are validated in this process instead
        errors, crashed = json.loads(payload)
        return [(list(p), str(m)) for p, m in errors], bool(crashed)

    return join


def _partition(errors: list[tuple[list[str | int], str]], parts: list[_Part],
               wanted: list[int]) -> dict[int, list[tuple[list[str | int], str]]]:
    """File whole-document errors under the part (path item, or the rest) they belong to."""
    index = {part.base: i for i, part in enumerate(parts)}
    rest = index[()]
    out: dict[int, list[tuple[list[str | int], str]]] = {i: [] for i in wanted}
    for path, message in errors:
        i = index.get(tuple(path[:2]), rest) if len(path) >= 2 and path[0] == "paths" else rest
        if i in out:
            out[i].append((path, message))
    return out


def _cache_get(store: Memo | None, key: str | None) -> list[tuple[list[str | int], str]] | None:
    if store is None or key is None:
        return None
    cached = store.get("oas", key)
    try:
        return [(list(p), str(m)) for p, m in cached] if cached is not None else None
    except (TypeError, ValueError):
        return None
