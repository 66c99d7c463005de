"""spec/usage.yaml: how much the system is used, for `gen cost` (format in docs/cost.md).

The file is optional and so is every entry: what it does not say makes the lines that need it
unknown. What it says is checked like the rest of the spec: unknown keys and names are located
errors with a "did you mean".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostics, known_names_hint
from generator.ir.nodes import Ir
from generator.load.yaml_loader import YamlDocument, load_yaml

USAGE = "spec/usage.yaml"
_NUMBER = {"type": "number", "minimum": 0}
_COUNT = {"type": "integer", "minimum": 0}
_BYTES = {"type": "integer", "minimum": 1, "maximum": 1048576}


def _obj(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required), "additionalProperties": False}


def _map(value: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": value}


SCHEMA: dict[str, Any] = _obj({
    "version": {"enum": [1]},
    "region": {"type": "string"},
    "events": _map(_obj({"per_second": _NUMBER, "bytes": _BYTES}, ("per_second",))),
    "ingest": _obj({"events_per_request": {"type": "integer", "minimum": 1, "maximum": 500}}),
    "operations": _map(_NUMBER),
    "tables": _map(_obj({"items": _COUNT, "item_bytes": {"type": "integer", "minimum": 1, "maximum": 409600}})),
    "processors": _map(_obj({
        "duration_ms": {"type": "number", "exclusiveMinimum": 0, "maximum": 900000},
        "read_units_per_event": _NUMBER, "write_units_per_event": _NUMBER,
        "read_units_per_run": _NUMBER, "write_units_per_run": _NUMBER,
    })),
    "lake": _obj({"retention_days": _COUNT, "compression": {"type": "number", "exclusiveMinimum": 0, "maximum": 1}}),
    "logs": _obj({"bytes_per_invocation": _COUNT, "bytes_per_request": _COUNT}),
    "frontend": _obj({"requests_per_month": _NUMBER, "bytes_per_request": _COUNT}),
}, ("version",))


@dataclass
class Usage:
    """The profile's values; absent sections are empty. `present` is False with no file."""

    present: bool = False
    region: str = "us-east-1"
    data: dict[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        value = self.data.get(name)
        return value if isinstance(value, dict) else {}

    def get(self, section: str, name: str, key: str | None = None) -> Any:
        value = self.section(section).get(name)
        if key is None:
            return value
        return value.get(key) if isinstance(value, dict) else None


def load_usage(root: Path, ir: Ir, diags: Diagnostics, path: Path | None = None) -> Usage:
    """The profile at `path` (default spec/usage.yaml; absent: an empty profile)."""
    file = path if path is not None else root / USAGE
    shown = USAGE if path is None else str(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        if path is not None:
            diags.error("E-USAGE", f"{shown} does not exist", _loc(shown))
        return Usage()
    except (OSError, UnicodeDecodeError) as exc:
        diags.error("E-USAGE", f"cannot read {shown}: {exc}", _loc(shown))
        return Usage()
    doc = load_yaml(shown, text, diags)
    if doc is None:
        return Usage()
    if not _check_shape(doc, diags):
        return Usage()
    _check_names(doc, ir, diags)
    data = doc.data if isinstance(doc.data, dict) else {}
    return Usage(present=True, region=str(data.get("region", "us-east-1")), data=data)


def _loc(shown: str) -> Any:
    from generator.diagnostics import Location

    return Location(shown)


def _check_shape(doc: YamlDocument, diags: Diagnostics) -> bool:
    import jsonschema  # type: ignore[import-untyped]

    ok = True
    for err in sorted(jsonschema.Draft7Validator(SCHEMA).iter_errors(doc.data), key=lambda e: list(map(str, e.path))):
        ok = False
        path = tuple(err.absolute_path)
        where = "/".join(str(p) for p in path) or "usage"
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = sorted(err.schema.get("properties", {}))
            for key in sorted(set(err.instance) - set(allowed)):
                diags.error("E-USAGE", f"unknown key '{key}' in {where}", doc.locate(path + (key,), key=True),
                            known_names_hint(key, allowed, "keys"))
        else:
            diags.error("E-USAGE", f"{where}: {err.message}", doc.locate(path))
    return ok


def _check_names(doc: YamlDocument, ir: Ir, diags: Diagnostics) -> None:
    known = {
        "events": ({e.type for e in ir.events}, "event types"),
        "operations": ({o.operation_id for o in ir.operations if o.kind != "ingest"}, "GET operations"),
        "tables": ({t.name for t in ir.tables}, "tables"),
        "processors": ({p.name for p in ir.processors}, "processors"),
    }
    data = doc.data if isinstance(doc.data, dict) else {}
    for section, (names, noun) in known.items():
        for name in sorted(data.get(section) or {}):
            if name not in names:
                diags.error("E-USAGE", f"{section}: '{name}' is not one of the spec's {noun}",
                            doc.locate((section, name), key=True), known_names_hint(str(name), names, noun))
