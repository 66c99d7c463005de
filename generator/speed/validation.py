"""The spec checks of a build, cached by content and overlapped with the rest of the build.

- OpenAPI structure: each part's errors (`generator.validate.openapi.Part`) are kept in
  ``.gen-cache/oas/`` under its text and the validator's version, so a one-path edit validates
  one path. The parts not cached are validated in a forked worker, on the other core, while the
  IR is built, linted and emitted (`overlapped_ir`): the whole document at once when several
  are missing (a cold build), else the one edited part. Errors, too, are cached: they are a
  function of the part.
- model.yaml's shape: a clean verdict is memoised under its data, so a rebuild need not load
  jsonschema (only clean verdicts: what is reported never depends on the memo).
Nothing is returned from the overlapped build before the check has passed, and on failure the
report is exactly the sequential one (`validated_ir`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from generator.diagnostics import Diagnostics
from generator.ir.build import build_valid_ir
from generator.ir.nodes import Ir
from generator.load.spec import LoadedSpec
from generator.load.yaml_loader import YamlDocument
from generator.speed import process
from generator.speed.keys import library_version
from generator.speed.session import Session
from generator.speed.store import Store
from generator.validate.model import SCHEMA_LIBRARIES, validate_model
from generator.validate.xgen import check_xgen_keys
from generator.validate.openapi import (VALIDATOR_LIBRARIES, Errors, Prepared, errors_by_part, part_errors,
                                        prepare, report, whole_errors)


def validated_ir(session: Session, spec: LoadedSpec, diags: Diagnostics) -> Ir | None:
    """`generator.ir.build.build_ir`, with the checks' caches."""
    if spec.openapi is None or spec.model is None:
        return None
    api_ok = start_openapi(session, spec.openapi, diags, background=False)()
    model_ok = check_model(session, spec.model, diags)
    if api_ok:
        check_xgen_keys(spec.openapi, diags)
    if not (api_ok and model_ok):
        return None
    return build_valid_ir(spec, diags, spec_digest=session.spec_digest(spec))


def overlapped_ir(session: Session, spec: LoadedSpec, diags: Diagnostics) -> tuple[Ir | None, Callable[[], bool]]:
    """Like `validated_ir`, but the structural OpenAPI check may still be running in a worker.

    The IR is built provisionally; the returned function waits for the check. When the check
    fails, every diagnostic reported after it started is withdrawn, so the user sees exactly
    what `validated_ir` would report, and the IR must not be used."""
    if spec.openapi is None or spec.model is None:
        return None, lambda: False
    pending = start_openapi(session, spec.openapi, diags, background=True)
    mark = len(diags.items)
    model_ok = check_model(session, spec.model, diags)
    check_xgen_keys(spec.openapi, diags)  # withdrawn with the rest if the structural check fails

    def join() -> bool:
        later = diags.withdraw(mark)
        ok = pending()
        if ok:
            diags.extend(later)
        else:
            assert spec.model is not None
            check_model(session, spec.model, diags)  # what validated_ir reports beside the OpenAPI errors
        return ok

    if not model_ok:
        return None, join
    try:
        return build_valid_ir(spec, diags, spec_digest=session.spec_digest(spec)), join
    except Exception:
        if not join():
            return None, lambda: False  # a malformed document, now reported properly
        raise


def check_model(session: Session, doc: YamlDocument, diags: Diagnostics) -> bool:
    """`validate_model`, skipped for data it found clean before."""
    if not session.memoises:
        return validate_model(doc, diags)
    try:
        material: str | None = "\0".join([library_version(m) for m in SCHEMA_LIBRARIES]
                                         + [session.materials.compact(doc.data)])
    except (TypeError, ValueError):
        material = None
    return session.clean("valid", material, lambda found: validate_model(doc, found), diags)


def start_openapi(session: Session, doc: YamlDocument, diags: Diagnostics, *,
                  background: bool) -> Callable[[], bool]:
    """Start validating; the returned function finishes (once), adds the diagnostics and says
    whether the document is valid. With `background`, what is not cached runs in a worker."""
    prepared = prepare(doc, diags, session.materials.compact)
    if prepared is None:
        return lambda: False
    store = None if session.folder is None else Store(session.folder / "oas")
    keys: list[str] = []
    found: dict[int, Errors] = {}
    if store is not None:
        tool = "/".join(library_version(m) for m in VALIDATOR_LIBRARIES)  # read without importing them
        keys = [session.key("oas", f"{tool}\0{part.text}") for part in prepared.parts]
        for i, key in enumerate(keys):
            cached = _errors(store.get("oas", key))
            if cached is not None:
                found[i] = cached
    missing = [i for i in range(len(prepared.parts)) if i not in found]
    whole: Callable[[], tuple[Any, bool]] | None = None
    single: Callable[[], tuple[Any, bool]] | None = None
    if background and process.can_fork():
        if len(missing) > 1:
            whole = process.in_child(_worker(lambda: whole_errors(prepared.data, prepared.version)))
        elif missing:
            # one edited part (the usual rebuild): its check, and loading the validator, overlap the build
            part = prepared.parts[missing[0]]
            single = process.in_child(_worker(lambda: (part_errors(part, prepared.version), False)))
    result: list[bool] = []

    def finish() -> bool:
        if not result:
            result.append(_finish(doc, diags, prepared, found, missing, whole, single, store, keys))
        return result[0]

    return finish


def _finish(doc: YamlDocument, diags: Diagnostics, prepared: Prepared, found: dict[int, Errors], missing: list[int],
            whole: Callable[[], tuple[Any, bool]] | None, single: Callable[[], tuple[Any, bool]] | None,
            store: Store | None, keys: list[str]) -> bool:
    known: tuple[Errors, bool] | None = None
    if whole is not None:
        answer, ok = whole()
        errors = _errors(answer[0]) if ok else None
        known = (errors, bool(answer[1])) if errors is not None else ([], True)  # a failed worker: the parts decide
    if single is not None:
        answer, ok = single()
        errors = _errors(answer[0]) if ok and not answer[1] else None
        if errors is not None:
            found[missing[0]] = errors
    found.update(errors_by_part(prepared, [i for i in missing if i not in found], known))
    if store is not None:
        for i in missing:
            store.put("oas", keys[i], [[path, message] for path, message in found[i]])
        store.save()
    return report(doc, diags, prepared, found)


def _worker(task: Callable[[], tuple[Errors, bool]]) -> Callable[[], tuple[Errors, bool]]:
    def run() -> tuple[Errors, bool]:
        if "requests" not in sys.modules:
            # jsonschema-path's URL handler prefers requests (a third of the validator's import
            # time) and falls back to urllib without it; this worker never fetches anything: a
            # `$ref` that is not local is an error before validation starts
            sys.modules["requests"] = None  # type: ignore[assignment]
        return task()

    return run


def _errors(value: Any) -> Errors | None:
    """Errors read back from a memo or a worker (lists of [path, message]); None if malformed."""
    if value is None:
        return None
    try:
        return [(list(path), str(message)) for path, message in value]
    except (TypeError, ValueError):
        return None
