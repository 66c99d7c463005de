"""The emulator's HTTP response value, and the content negotiation API Gateway applies to templates.

Contract: `Response(status, headers, body)` is what `ApiGateway.handle` returns.
`select_template(templates, accept)` picks the response template API Gateway would use: the one
whose content type the `Accept` header names (first match in the header's order), else
`application/json`, else the first defined; `None` when there are none. `header_value` and
`set_header` read and replace a header whatever its case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """A header's value, case-insensitively."""
        lowered = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lowered:
                return value
        return None


def select_template(templates: Mapping[str, str], accept: str | None) -> tuple[str, str] | None:
    if not templates:
        return None
    by_type = {key.lower(): (key, value) for key, value in templates.items()}
    for item in (accept or "").split(","):
        wanted = item.split(";", 1)[0].strip().lower()
        if wanted in by_type:
            return by_type[wanted]
    if "application/json" in by_type:
        return by_type["application/json"]
    return next(iter(by_type.values()))


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header `name` in any case (the last one, if it is repeated)."""
    lowered = name.lower()
    found = None
    for key, value in headers.items():
        if key.lower() == lowered:
            found = value
    return found


def set_header(headers: dict[str, str], name: str, value: str) -> None:
    """Set header `name`, dropping any spelling of it already there."""
    for key in [k for k in headers if k.lower() == name.lower()]:
        del headers[key]
    headers[name] = value
