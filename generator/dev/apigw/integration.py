"""What the integration step reads from a rendered request template and from `$context`.

Contract:
- `mock_response(rendered)`: a mock integration's answer, the `statusCode` its request template
  rendered. AWS reads that text leniently (recorded: `{statusCode: 200}` answers 200): strict
  JSON first, else a `statusCode` key, quoted or not, with a number, quoted or not. An empty
  output, or JSON without the key, is 200; anything else raises `MockTemplateError`.
- `override_headers(context, which)`: the `$context.<which>.header` entries a template set, as
  header values: a list is sent as its items joined by commas (documented: a multi-value header
  override), nulls are dropped, anything else is its Java string.
- `status_override(context)`: `$context.responseOverride.status` as an HTTP status, None when no
  template set it, `StatusOverrideError` when it is not a status (API Gateway answers 500).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from generator.dev.apigw.service import ServiceResponse
from generator.dev.apigw.velocity import java

_STATUS_KEY = re.compile(r"""["']?statusCode["']?\s*:\s*["']?(\d{3})["']?""")


class MockTemplateError(ValueError):
    """A mock integration's request template rendered no readable status."""


class StatusOverrideError(ValueError):
    """`$context.responseOverride.status` holds something that is not an HTTP status."""


def mock_response(rendered: str) -> ServiceResponse:
    if not rendered.strip():
        return ServiceResponse(200, {}, b"")
    try:
        document = json.loads(rendered)
    except ValueError:
        document = None
    if isinstance(document, dict):
        status = document.get("statusCode", 200)
    else:
        found = _STATUS_KEY.search(rendered)
        if found is None:
            raise MockTemplateError('the mock request template did not render {"statusCode": N}')
        status = found.group(1)
    try:
        return ServiceResponse(int(status), {}, b"")
    except (TypeError, ValueError):
        raise MockTemplateError(f"the mock statusCode {status!r} is not a number") from None


def override_headers(context: Mapping[str, Any], which: str = "requestOverride") -> dict[str, str]:
    overrides = context.get(which)
    headers = overrides.get("header") if isinstance(overrides, Mapping) else None
    result: dict[str, str] = {}
    for name, value in (headers or {}).items():
        if value is None:
            continue
        if isinstance(value, list):
            result[str(name)] = ",".join(java.to_string(item) for item in value)
        else:
            result[str(name)] = java.to_string(value)
    return result


def status_override(context: Mapping[str, Any]) -> int | None:
    overrides = context.get("responseOverride")
    value = overrides.get("status") if isinstance(overrides, Mapping) else None
    if value is None:
        return None
    try:
        status = int(java.to_string(value))
    except ValueError:
        status = 0
    if not 100 <= status <= 599:
        raise StatusOverrideError(
            f"responseOverride.status {java.to_string(value)!r} is not an HTTP status"
        )
    return status
