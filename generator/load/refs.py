"""Local JSON-pointer `$ref`s of the OpenAPI document: resolution and dangling-ref checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from generator.diagnostics import Diagnostics, known_names_hint
from generator.load.yaml_loader import Pointer, YamlDocument


def parse_ref(ref: str) -> Pointer | None:
    """``#/components/schemas/X`` -> ('components', 'schemas', 'X'); None if not a local pointer."""
    if not ref.startswith("#/"):
        return None
    parts = ref[2:].split("/")
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in parts)


def resolve_pointer(doc: Any, pointer: Pointer) -> Any:
    """The value at `pointer`, or raise KeyError."""
    node = doc
    for part in pointer:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, str) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(part)
    return node


def deref(doc: Any, node: Any) -> Any:
    """Follow one local `$ref` (parameters, responses); anything else is returned as is."""
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        pointer = parse_ref(node["$ref"])
        if pointer is not None:
            return resolve_pointer(doc, pointer)
    return node


def iter_refs(node: Any, ptr: Pointer = ()) -> Iterator[tuple[Pointer, str]]:
    """Every ``$ref`` string in `node` with the pointer of the ``$ref`` key itself."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ptr + ("$ref",), ref
        for key, value in node.items():
            if key != "$ref":
                yield from iter_refs(value, ptr + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from iter_refs(value, ptr + (i,))


def check_refs(doc: YamlDocument, diags: Diagnostics) -> bool:
    """Report every `$ref` that is not a resolvable local pointer. True when all resolve."""
    ok = True
    for ptr, ref in iter_refs(doc.data):
        target = parse_ref(ref)
        if target is None:
            diags.error("E-REF", f"unsupported $ref '{ref}'", doc.locate(ptr),
                        "only local references like '#/components/schemas/Name' are supported")
            ok = False
            continue
        try:
            resolve_pointer(doc.data, target)
        except KeyError:
            ok = False
            section = target[:-1]
            try:
                siblings = resolve_pointer(doc.data, section)
            except KeyError:
                siblings = {}
            names = siblings.keys() if isinstance(siblings, dict) else []
            diags.error("E-REF", f"$ref '{ref}' points to nothing", doc.locate(ptr),
                        known_names_hint(str(target[-1]), names, "/".join(map(str, section))))
    return ok


def ref_closure(doc: Any, roots: Any) -> set[Pointer]:
    """Pointers of every component reachable from `roots` through `$ref`s (transitively)."""
    return closure(
        [ref for _, ref in iter_refs(roots)],
        lambda target: [ref for _, ref in iter_refs(resolve_pointer(doc, target))],
    )


def closure(refs: list[str], refs_of: Callable[[Pointer], list[str]]) -> set[Pointer]:
    """Pointers reachable from the `$ref` strings `refs`, where `refs_of(target)` gives the
    `$ref`s inside a target (KeyError when it points to nothing: not followed further)."""
    seen: set[Pointer] = set()
    stack = list(refs)
    while stack:
        target = parse_ref(stack.pop())
        if target is None or target in seen:
            continue
        seen.add(target)
        try:
            stack.extend(refs_of(target))
        except KeyError:
            continue
    return seen
