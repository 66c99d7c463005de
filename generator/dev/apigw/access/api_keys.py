"""API keys and usage-plan quotas of the local API Gateway.

A method whose security scheme is `type: apiKey, name: x-api-key, in: header` (API Gateway's
`apiKeyRequired`) takes only requests whose `x-api-key` header holds the key of a usage-plan
client; each client's quota (requests per UTC day, ISO week or calendar month) is counted as API
Gateway counts it, on every request that presents the key to such a method.

Contract: `ApiKeys({key: Plan(client, quota, period)})`; `check(headers, now) -> client` returns
the client the key belongs to, or raises `ApiKeyError(kind, message)` with the gateway response
type and API Gateway's message:
- no key, or a key of no client -> INVALID_API_KEY "Forbidden" (403);
- the client's quota used up in this period -> QUOTA_EXCEEDED "Limit Exceeded" (429).
Rate and burst limits are not enforced locally (they are timing-dependent; the stage's are not
either); `gen dev` prints each client's key at start (docs/api-definition.md). Thread-safe.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

HEADER = "x-api-key"
PERIODS = ("DAY", "WEEK", "MONTH")


class ApiKeyError(Exception):
    """The request's key is refused; `kind` is the gateway response type."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class Plan:
    client: str
    quota: int
    period: str  # DAY | WEEK | MONTH


def is_api_key_scheme(scheme: Any) -> bool:
    """A security scheme API Gateway enforces as a required API key (no authorizer)."""
    return (isinstance(scheme, Mapping) and scheme.get("type") == "apiKey" and scheme.get("in") == "header"
            and str(scheme.get("name", "")).lower() == HEADER and not scheme.get("x-amazon-apigateway-authtype"))


def period_start(period: str, now: datetime) -> str:
    """The period `now` falls in, as a stable label (UTC day, ISO week, calendar month)."""
    if period == "DAY":
        return now.strftime("%Y-%m-%d")
    if period == "WEEK":
        year, week, _ = now.isocalendar()
        return f"{year}-W{week:02d}"
    return now.strftime("%Y-%m")


class ApiKeys:
    def __init__(self, plans: Mapping[str, Plan]) -> None:
        for plan in plans.values():
            if plan.period not in PERIODS or plan.quota < 1:
                raise ValueError(f"usage plan of {plan.client}: quota {plan.quota} per {plan.period}")
        self._plans = dict(plans)
        self._used: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def check(self, headers: Sequence[tuple[str, str]], now: datetime) -> str:
        key = next((v for k, v in reversed(headers) if k.lower() == HEADER), None)
        plan = self._plans.get(key) if key else None
        if plan is None:
            raise ApiKeyError("INVALID_API_KEY", "Forbidden")
        window = (plan.client, period_start(plan.period, now))
        with self._lock:
            used = self._used.get(window, 0)
            if used >= plan.quota:
                raise ApiKeyError("QUOTA_EXCEEDED", "Limit Exceeded")
            self._used[window] = used + 1
        return plan.client

    def used(self, client: str, now: datetime) -> int:
        """Requests `client` made in the current period (for tests and the dev console)."""
        plan = next((p for p in self._plans.values() if p.client == client), None)
        if plan is None:
            return 0
        with self._lock:
            return self._used.get((client, period_start(plan.period, now)), 0)
