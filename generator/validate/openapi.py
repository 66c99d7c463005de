"""Structural OpenAPI validation (openapi-spec-validator), located and cached by content.

The validator is run once per path item on a sub-document holding that path item and exactly
the components it references, so a one-path edit re-validates one path. Results are cached in
``.gen-cache/oas/`` keyed by the sha256 of the sub-document and the validator version; the
cache stores diagnostics, so a cached failure is reported just like a fresh one. Checks that
span path items (operationId uniqueness) live in `rules`, where they see the whole document.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostics
from generator.load.yaml_loader import Pointer, YamlDocument
from generator.validate.refs import check_refs, ref_closure

_TOP_KEYS = ("openapi", "info", "jsonSchemaDialect", "servers", "security", "tags", "externalDocs")
_VERSIONS = ("3.0.0", "3.0.1", "3.0.2", "3.0.3", "3.0.4", "3.1.0", "3.1.1")


def _validator_for(version: str) -> Any:
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    return OpenAPIV31SpecValidator if version.startswith("3.1") else OpenAPIV30SpecValidator


def _validator_version() -> str:
    import openapi_spec_validator

    return str(getattr(openapi_spec_validator, "__version__", "0"))


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
            found.append((path, _message(err)))
    except Exception as exc:  # the validator raises on some malformed inputs instead of yielding
        if not found:
            found.append(([], f"the OpenAPI validator could not process this part: {exc}"))
    return found


def _message(err: Any) -> str:
    text = str(getattr(err, "message", err)).strip().splitlines()[0]
    return text if len(text) <= 300 else text[:297] + "..."


def validate_openapi(doc: YamlDocument, diags: Diagnostics, cache_dir: Path | None) -> bool:
    """Validate the OpenAPI document; returns True when it is structurally valid."""
    data = doc.data
    if not isinstance(data, dict):
        diags.error("E-OAS", "the OpenAPI document must be a mapping", doc.locate(()),
                    "start the file with 'openapi: 3.1.0', 'info:' and 'paths:'")
        return False
    version = data.get("openapi")
    if not isinstance(version, str) or version not in _VERSIONS:
        diags.error("E-OAS-VERSION", f"unsupported OpenAPI version {version!r}", doc.locate(("openapi",)),
                    "use 'openapi: 3.1.0' (3.0.x is accepted too)")
        return False
    if not check_refs(doc, diags):
        return False
    ok = True
    tool_version = _validator_version()
    for base, sub in _subdocuments(data):
        for path, message in _cached_run(sub, version, tool_version, cache_dir):
            ok = False
            ptr: Pointer = tuple(path) or base
            diags.error("E-OAS", message, doc.locate(ptr, key=True),
                        "see the OpenAPI specification for this object's fields")
    return ok


def _cached_run(sub: dict[str, Any], version: str, tool_version: str,
                cache_dir: Path | None) -> list[tuple[list[str | int], str]]:
    blob = json.dumps(sub, sort_keys=True, default=str, separators=(",", ":"))
    key = hashlib.sha256(f"{tool_version}\0{blob}".encode()).hexdigest()
    path = cache_dir / "oas" / f"{key}.json" if cache_dir else None
    if path is not None and path.is_file():
        try:
            cached = json.loads(path.read_text(encoding="utf-8"))
            return [(list(p), str(m)) for p, m in cached]
        except (OSError, ValueError):
            pass
    found = _run(sub, version)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(found), encoding="utf-8")
            tmp.replace(path)
        except OSError:
            pass  # a cache that cannot be written only costs time
    return found
