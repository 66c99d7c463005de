"""The catalogue of change rules: every finding `gen review` can report, by stable id.

An id is ``<area>.<name>``. The names of the `api` rules are oasdiff's check ids (so a team that
knows oasdiff reads them at once); the other areas are gen's own. The severity of a rule never
depends on the change: a finding is `breaking` (a client, producer or consumer that worked stops
working), `destructive` (data would be deleted or a stateful resource replaced), `warning`
(worth a reviewer's eye, blocks nothing) or `info`.

The ids are public: a `changes:` entry in spec/model.yaml acknowledges a finding by rule id and
target, so ids are added, never renamed. This module is data only; the rules live in
`generator.review`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["breaking", "destructive", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("destructive", "breaking", "warning", "info")
BLOCKING: frozenset[Severity] = frozenset({"destructive", "breaking"})


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    title: str
    target: str  # what a finding's target names, for acknowledgements

    @property
    def area(self) -> str:
        return self.id.split(".", 1)[0]


OPERATION = "operationId"
EVENT = "event type"
PROCESSOR = "processor"
TABLE = "table"
STREAM = "stream"
ADDRESS = "Terraform address"
ROLE = "IAM role label"
RULE = "rule id"

_API: tuple[tuple[str, Severity, str], ...] = (
    ("api-path-removed-without-deprecation", "breaking", "a path was removed"),
    ("api-path-removed-with-deprecation", "info", "a deprecated path was removed"),
    ("api-removed-without-deprecation", "breaking", "an operation was removed"),
    ("api-removed-with-deprecation", "info", "a deprecated operation was removed"),
    ("endpoint-added", "info", "an operation was added"),
    ("api-operation-id-removed", "warning", "an operation's operationId changed"),
    ("api-security-added", "breaking", "an operation now requires a token"),
    ("api-security-removed", "warning", "an operation no longer requires a token"),
    ("api-security-changed", "breaking", "an operation requires other credentials"),
    ("new-required-request-parameter", "breaking", "a required parameter was added"),
    ("new-optional-request-parameter", "info", "an optional parameter was added"),
    ("request-parameter-removed", "warning", "a parameter was removed"),
    ("request-parameter-became-required", "breaking", "a parameter became required"),
    ("request-parameter-became-optional", "info", "a parameter became optional"),
    ("request-parameter-type-changed", "breaking", "a parameter's type or format changed"),
    ("request-parameter-type-generalized", "info", "a parameter accepts a wider type"),
    ("request-parameter-became-enum", "breaking", "a parameter became an enum"),
    ("request-parameter-enum-value-removed", "breaking", "a parameter's enum lost a value"),
    ("request-parameter-enum-value-added", "info", "a parameter's enum gained a value"),
    ("request-parameter-max-decreased", "breaking", "a parameter's maximum decreased"),
    ("request-parameter-max-set", "breaking", "a parameter got a maximum"),
    ("request-parameter-max-increased", "info", "a parameter's maximum increased or was removed"),
    ("request-parameter-min-increased", "breaking", "a parameter's minimum increased"),
    ("request-parameter-min-set", "breaking", "a parameter got a minimum"),
    ("request-parameter-min-decreased", "info", "a parameter's minimum decreased or was removed"),
    ("request-parameter-max-length-decreased", "breaking", "a parameter's maxLength decreased"),
    ("request-parameter-max-length-set", "breaking", "a parameter got a maxLength"),
    ("request-parameter-max-length-increased", "info", "a parameter's maxLength increased or was removed"),
    ("request-parameter-min-length-increased", "breaking", "a parameter's minLength increased"),
    ("request-parameter-min-length-set", "breaking", "a parameter got a minLength"),
    ("request-parameter-min-length-decreased", "info", "a parameter's minLength decreased or was removed"),
    ("request-parameter-pattern-added", "breaking", "a parameter got a pattern"),
    ("request-parameter-pattern-changed", "warning", "a parameter's pattern changed"),
    ("request-parameter-pattern-removed", "info", "a parameter's pattern was removed"),
    ("response-required-property-removed", "breaking", "a required response property was removed"),
    ("response-optional-property-removed", "warning", "an optional response property was removed"),
    ("response-property-became-optional", "breaking", "a response property became optional"),
    ("response-property-became-nullable", "breaking", "a response property became nullable"),
    ("response-property-type-changed", "breaking", "a response property's type or format changed"),
    ("response-property-enum-value-added", "warning", "a response enum gained a value"),
    ("response-property-enum-value-removed", "info", "a response enum lost a value"),
    ("response-property-constraint-relaxed", "warning", "a response property may hold values it never held"),
    ("response-optional-property-added", "info", "an optional response property was added"),
    ("response-required-property-added", "info", "a required response property was added"),
    ("response-property-became-required", "info", "a response property became required"),
    ("response-property-became-not-nullable", "info", "a response property is no longer nullable"),
    ("response-non-success-status-added", "warning", "an error status was added"),
    ("response-non-success-status-removed", "info", "an error status was removed"),
)

_EVENTS: tuple[tuple[str, Severity, str, str], ...] = (
    ("event-type-removed", "breaking", "an event type was removed (producers sending it are refused)", EVENT),
    ("event-type-added", "info", "an event type was added", EVENT),
    ("event-stream-changed", "warning", "an event type moved to another stream", EVENT),
    ("event-subject-changed", "warning", "an event type's subject (its partition key) changed", EVENT),
    ("new-required-field", "breaking", "a required payload field was added (breaks producers)", EVENT),
    ("field-became-required", "breaking", "a payload field became required (breaks producers)", EVENT),
    ("became-enum", "breaking", "a payload field became an enum (breaks producers)", EVENT),
    ("enum-value-removed", "breaking", "a payload enum lost a value (breaks producers)", EVENT),
    ("constraint-narrowed", "breaking", "a payload constraint narrowed (breaks producers)", EVENT),
    ("field-type-changed", "breaking", "a payload field's type or format changed (breaks producers and consumers)",
     EVENT),
    ("required-field-removed", "breaking", "a required payload field was removed (breaks consumers)", EVENT),
    ("field-became-optional", "breaking", "a payload field became optional (breaks consumers)", EVENT),
    ("field-became-nullable", "breaking", "a payload field became nullable (breaks consumers)", EVENT),
    ("optional-field-removed", "warning", "an optional payload field was removed (consumers lose it)", EVENT),
    ("enum-value-added", "warning", "a payload enum gained a value (consumers may not handle it)", EVENT),
    ("constraint-relaxed", "warning", "a payload constraint relaxed (consumers may see new values)", EVENT),
    ("new-optional-field", "info", "an optional payload field was added", EVENT),
    ("processor-unsubscribed", "warning", "a processor no longer reads an event type", PROCESSOR),
    ("processor-subscribed", "info", "a processor reads another event type", PROCESSOR),
    ("processor-removed", "warning", "a processor was removed", PROCESSOR),
    ("processor-added", "info", "a processor was added", PROCESSOR),
)

_DATA: tuple[tuple[str, Severity, str, str], ...] = (
    ("table-removed", "destructive", "a table was removed (it and its data would be deleted)", TABLE),
    ("key-changed", "destructive", "a table's key changed (the table would be replaced, its data lost)", TABLE),
    ("table-added", "info", "a table was added", TABLE),
    ("index-added", "info", "a global secondary index was added (built in place)", TABLE),
    ("index-removed", "warning", "a global secondary index was removed (in place)", TABLE),
    ("index-changed", "warning", "a global secondary index was rebuilt (in place; unavailable meanwhile)", TABLE),
    ("ttl-enabled", "info", "items of a table now expire (TTL)", TABLE),
    ("ttl-disabled", "warning", "items of a table no longer expire (TTL off)", TABLE),
    ("ttl-changed", "warning", "a table's TTL attribute changed", TABLE),
    ("stream-added", "info", "a stream was added", STREAM),
    ("stream-removed", "warning", "a stream was removed (records not yet read are lost)", STREAM),
    ("stream-capacity-changed", "info", "a stream's shards or capacity mode changed (in place)", STREAM),
    ("stream-retention-decreased", "warning", "a stream keeps records for less time", STREAM),
    ("stream-retention-increased", "info", "a stream keeps records for longer", STREAM),
    ("archive-disabled", "warning", "a stream's archive to the data lake was switched off", STREAM),
    ("archive-enabled", "info", "a stream is archived to the data lake", STREAM),
)

_INFRA: tuple[tuple[str, Severity, str, str], ...] = (
    ("stateful-resource-destroyed", "destructive", "a resource holding data would be destroyed", ADDRESS),
    ("stateful-resource-replaced", "destructive", "a resource holding data would be replaced", ADDRESS),
    ("resource-forgotten", "warning", "Terraform forgets a resource; it stays in AWS (removed block)", ADDRESS),
    ("resource-replaced", "warning", "a resource would be destroyed and created again", ADDRESS),
    ("resource-destroyed", "info", "a resource would be destroyed", ADDRESS),
    ("resource-created", "info", "a resource would be created", ADDRESS),
    ("resource-updated", "info", "a resource would be updated in place", ADDRESS),
)

_IAM: tuple[tuple[str, Severity, str, str], ...] = (
    ("permission-granted", "warning", "a role was granted permissions", ROLE),
    ("permission-revoked", "info", "a role lost permissions", ROLE),
    ("role-added", "info", "a role was added", ROLE),
    ("role-removed", "info", "a role was removed", ROLE),
)

_REVIEW: tuple[tuple[str, Severity, str, str], ...] = (
    ("unused-acknowledgement", "warning", "a new changes: entry acknowledges nothing this change does", RULE),
)


def _catalogue() -> dict[str, Rule]:
    rules = [Rule(f"api.{name}", sev, title, OPERATION) for name, sev, title in _API]
    for area, table in (("events", _EVENTS), ("data", _DATA), ("infra", _INFRA), ("iam", _IAM),
                        ("review", _REVIEW)):
        rules += [Rule(f"{area}.{name}", sev, title, target) for name, sev, title, target in table]
    return {r.id: r for r in rules}


RULES: dict[str, Rule] = _catalogue()
AREAS: tuple[str, ...] = ("data", "api", "events", "infra", "iam", "review")

KEY_CHANGED = "data.key-changed"
TABLE_REMOVED = "data.table-removed"


def rule(rule_id: str) -> Rule:
    return RULES[rule_id]
