"""Structural OpenAPI validation (openapi-spec-validator), located and cached by content.

The document is split into one sub-document per path item (holding exactly the components it
references) plus one for everything else; each one's errors are cached in ``.gen-cache/oas/``
keyed by the sha256 of the sub-document and the validator version, so a one-path edit
re-validates one path. When many parts are uncached (a cold build) the whole document is
validated once and its errors are filed under the part they belong to, which yields the same
set of errors at a fraction of the cost. Checks that span path items (operationId uniqueness)
live in the IR builder, which sees the whole document.

For OpenAPI 3.1 the meta-schema validator is built over a registry crawled once up front:
`referencing` otherwise re-crawls every registered schema on each `$dynamicRef` lookup, which
made validation 2-3x slower without changing a single result.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.cache import library_version, read_json, write_json
from generator.diagnostics import Diagnostics
from generator.load.yaml_loader import Pointer, YamlDocument
from generator.validate.refs import check_refs, ref_closure

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


def _subdocuments(data: dict[str, Any]) -> list[tuple[Pointer, dict[str, Any]]]:
    """One document per path item (with the components it needs), plus one for the rest.

    Each comes with the pointer that locates errors the validator reports without a path."""
    top = {k: data[k] for k in _TOP_KEYS if k in data}
    subdocs: list[tuple[Pointer, dict[str, Any]]] = []
    paths = data.get("paths")
    if isinstance(paths, dict):
        for path, item in paths.items():
            components: dict[str, Any] = {}
            for ptr in sorted(ref_closure(data, item), key=str):
                if len(ptr) == 3 and ptr[0] == "components":
                    section, name = str(ptr[1]), str(ptr[2])
                    value = data.get("components", {}).get(section, {}).get(name)
                    components.setdefault(section, {})[name] = value
            doc = dict(top, paths={path: item})
            if components:
                doc["components"] = components
            subdocs.append((("paths", path), doc))
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
    subdocs.append(((), rest))
    return subdocs


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
    if not check_refs(doc, diags):
        return Pending(lambda: False)
    tool_version = _validator_version()
    parts = _subdocuments(data)
    found: dict[int, list[tuple[list[str | int], str]]] = {}
    keys = [_cache_key(sub, tool_version) for _, sub in parts]
    for i, key in enumerate(keys):
        cached = _cache_get(cache_dir, key)
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
        part = parts[missing[0]][1]
        single = _in_child(lambda: (_run(part, version), False))

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
                found[i] = _run(parts[i][1], version)
        for i in missing:
            _cache_put(cache_dir, keys[i], found[i])
        ok = True
        for i, (base, _) in enumerate(parts):
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


def _partition(errors: list[tuple[list[str | int], str]], parts: list[tuple[Pointer, dict[str, Any]]],
               wanted: list[int]) -> dict[int, list[tuple[list[str | int], str]]]:
    """File whole-document errors under the part (path item, or the rest) they belong to."""
    index = {base: i for i, (base, _) in enumerate(parts)}
    rest = index[()]
    out: dict[int, list[tuple[list[str | int], str]]] = {i: [] for i in wanted}
    for path, message in errors:
        i = index.get(tuple(path[:2]), rest) if len(path) >= 2 and path[0] == "paths" else rest
        if i in out:
            out[i].append((path, message))
    return out


def _cache_key(sub: dict[str, Any], tool_version: str) -> str:
    blob = json.dumps(sub, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(f"{tool_version}\0{blob}".encode()).hexdigest()


def _cache_get(cache_dir: Path | None, key: str) -> list[tuple[list[str | int], str]] | None:
    if cache_dir is None:
        return None
    cached = read_json(cache_dir / "oas" / f"{key}.json")
    try:
        return [(list(p), str(m)) for p, m in cached] if cached is not None else None
    except (TypeError, ValueError):
        return None


def _cache_put(cache_dir: Path | None, key: str, found: list[tuple[list[str | int], str]]) -> None:
    if cache_dir is not None:
        write_json(cache_dir / "oas" / f"{key}.json", found)
