"""Two spec names that map onto one derived name: a located E-NAME error, for every kind.

Every derived name of every node (generator.ir.names) is registered under its namespace: a
Terraform address, a physical name of one AWS service, a stage, template or environment
variable, a Python package, module, class, method or attribute, a file path (compared
case-insensitively: macOS and Windows checkouts), a data-lake prefix. Names gen itself uses
are registered first, as reserved. A name registered twice is reported once per pair of
owners, at the later one, naming the first namespace where they meet. (API Gateway model
names are checked with the rest of the API definition, in generator.check.api_gateway.)
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterable
from dataclasses import dataclass

from generator.diagnostics import Diagnostics, Location
from generator.ir.names import (ARCHIVE_ERRORS, FUNCTION_SETTINGS, HANDWRITTEN_PACKAGE, ProjectNames, Resource,
                                 Role)
from generator.ir.nodes import Event, Model, Operation, Processor, Stream, Table

_PHYSICAL = {
    "aws_dynamodb_table": "DynamoDB table name",
    "aws_kinesis_stream": "Kinesis stream name",
    "aws_kinesis_firehose_delivery_stream": "Firehose delivery stream name",
    "aws_lambda_function": "Lambda function name",
    "aws_sqs_queue": "SQS queue name",
    "aws_iam_role": "IAM role name",
    "aws_cloudwatch_metric_alarm": "CloudWatch alarm name",
    "aws_scheduler_schedule": "EventBridge schedule name",
}

_PLURAL = {"index": "indexes"}

# Packages imported beside the generated one (in Lambda and in `gen dev`): it must not shadow them
_PACKAGES = ("aws_lambda_powertools", "boto3", "botocore", "msgspec", "s3transfer")


@dataclass(frozen=True, slots=True)
class Owner:
    """Who claims a name: a spec element (kind and name, where it is written) or gen itself."""

    kind: str
    name: str
    location: Location | None = None  # None: reserved by gen, `name` says for what

    def describe(self) -> str:
        return f"{self.kind} '{self.name}'"


class NameRegistry:
    """Collects (namespace, name) -> first owner and reports later owners of the same name."""

    def __init__(self, diags: Diagnostics, project: str) -> None:
        self._diags = diags
        self._project = project
        self._taken: dict[tuple[str, str], tuple[Owner, str]] = dict(_fixed())
        self._reported: set[tuple[Owner, Owner]] = set()

    def claim(self, owner: Owner, what: str, name: str, *, fold: bool = False) -> None:
        """`owner` derives `name`, a `what` (``Terraform address``, ``stage variable``...)."""
        key = (what, name.casefold() if fold else name)
        first = self._taken.setdefault(key, (owner, name))
        if first[0] is not owner and first[0] != owner:
            self._report(first[0], owner, what, first[1], name)

    def resource(self, owner: Owner, resource: Resource) -> None:
        self.claim(owner, "Terraform address", resource.address)
        if resource.physical is not None and resource.type in _PHYSICAL:
            self.claim(owner, _PHYSICAL[resource.type], f"{self._project}-<stage>-{resource.physical}")

    def resources(self, owner: Owner, resources: Iterable[Resource]) -> None:
        for resource in resources:
            self.resource(owner, resource)

    def _report(self, first: Owner, later: Owner, what: str, name: str, again: str) -> None:
        pair = (first, later)
        if pair in self._reported or later.location is None:
            return
        self._reported.add(pair)
        if name == again:
            target = f"the {what} {name}"
        else:
            target = f"the {what}s {name} and {again}, one {what} on a case-insensitive file system"
        if first.location is None:
            what_to_change = "operationId" if later.kind == "operation" else "name"
            self._diags.error("E-NAME", f"{later.describe()} maps to {target}, which is {first.name}",
                              later.location, f"choose another {what_to_change}")
            return
        if first.kind == later.kind:
            who = f"{_PLURAL.get(later.kind, later.kind + 's')} '{first.name}' and '{later.name}'"
        else:
            who = f"{first.describe()} and {later.describe()}"
        self._diags.error("E-NAME", f"{who} both map to {target}", later.location, "rename one of them")


def check_collisions(diags: Diagnostics, project: ProjectNames, models: Iterable[Model],
                     tables: Iterable[Table], streams: Iterable[Stream], events: Iterable[Event],
                     processors: Iterable[Processor], operations: Iterable[Operation],
                     operation_locations: dict[str, Location], name_location: Location) -> None:
    """Report every derived name that two owners share (see the module docstring)."""
    reg = NameRegistry(diags, project.project)
    _reserved(reg, project)
    reg.claim(Owner("name", project.project, name_location), "Python package", project.package)
    for m in models:
        reg.claim(Owner("schema", m.name, m.source.location), "class", m.class_name)
    for t in tables:
        _table(reg, t)
    for s in streams:
        _stream(reg, s, any(e.stream == s.name for e in events))
    for e in events:
        reg.claim(Owner("event", e.type, e.source.location), "events.py class", e.class_name)
    for p in processors:
        _processor(reg, p)
    for op in operations:
        _operation(reg, op, operation_locations.get(op.operation_id, op.source.location))


def _reserved(reg: NameRegistry, project: ProjectNames) -> None:
    """The names of what gen adds to every stack that depend on the project (see `_fixed`)."""
    # The idempotency table is reserved by generator.ir.aws_names (E-AWS-NAME), so not here.
    for resource in project.api_logs_role.resources:
        reg.resource(Owner("gen", "part of the API's logging role"), resource)
    reg.resource(Owner("gen", "the API's access log"), project.api_access_log)
    reg.resource(Owner("gen", "the API's execution log"), project.api_execution_log)
    reg.resources(Owner("gen", "an alarm on the API"), project.api_alarms)
    reg.resource(Owner("gen", "the API stage's method settings"), project.api_settings)
    reg.claim(Owner("gen", "the API stage's CORS origin"), "stage variable", project.cors_origin_variable)
    producer = Owner("gen", "part of the producer role of signed ingestion")
    reg.resources(producer, (*project.producer_role.resources, project.producer_policy))
    reg.resources(Owner("gen", "part of the API keys of the API's clients"),
                  (project.clients_plan, project.clients_key, project.clients_plan_key))
    reg.resources(Owner("gen", "part of the API's WAF"),
                  (project.waf_acl, project.waf_association, project.waf_log, project.waf_logging))
    reg.claim(Owner("gen", "set on every function"), "environment variable", project.idempotency_env)


@functools.cache
def _fixed() -> dict[tuple[str, str], tuple[Owner, str]]:
    """Reserved names that are the same for every project, registered once per process."""
    owners: list[tuple[Owner, str, tuple[str, ...]]] = [
        (Owner("gen", "set on every function"), "environment variable", FUNCTION_SETTINGS),
        (Owner("gen", "a placeholder of every API definition"), "template variable",
         ("region", "user_pool_arn")),
        (Owner("gen", "where Firehose writes delivery errors"), "data-lake prefix", (ARCHIVE_ERRORS,)),
        (Owner("gen", "the package of handwritten code"), "Python package", (HANDWRITTEN_PACKAGE,)),
        (Owner("gen", "a package the generated code imports"), "Python package", _PACKAGES),
        (Owner("gen", "a module of Python's standard library"), "Python package",
         tuple(sorted(sys.stdlib_module_names))),
    ]
    fixed: dict[tuple[str, str], tuple[Owner, str]] = {}
    for owner, what, names in owners:
        for name in names:
            fixed.setdefault((what, name), (owner, name))
    return fixed


def _role(reg: NameRegistry, owner: Owner, role: Role) -> None:
    reg.resources(owner, role.resources)


def _table(reg: NameRegistry, t: Table) -> None:
    owner, n = Owner("table", t.name, t.source.location), t.names
    reg.resource(owner, n.table)
    reg.resources(owner, n.alarms)
    reg.claim(owner, "stage variable", n.stage_variable)
    reg.claim(owner, "environment variable", n.env_var)
    reg.claim(owner, "IAM statement id", n.policy_sid)
    reg.claim(owner, "processor context attribute", n.context_attr)
    for cls in (n.table_class, n.reads_class, n.writes_class):
        reg.claim(owner, "tables.py class", cls)
    for i in t.indexes:
        reg.claim(Owner("index", i.name, i.source.location), f"{n.table_class} method", i.names.query_method)


def _stream(reg: NameRegistry, s: Stream, carries_events: bool) -> None:
    owner, n = Owner("stream", s.name, s.source.location), s.names
    reg.resource(owner, n.stream)
    reg.resources(owner, (n.iterator_alarm, n.write_alarm))
    reg.claim(owner, "stage variable", n.stage_variable)
    if carries_events:
        reg.claim(owner, "events.py class", n.union_class)
    if s.archive:
        reg.resources(owner, (n.archive, n.archive_log_group, n.archive_log_stream, n.archive_alarm))
        _role(reg, owner, n.archive_role)
        reg.claim(owner, "data-lake prefix", n.archive_prefix)


def _processor(reg: NameRegistry, p: Processor) -> None:
    owner, n = Owner("processor", p.name, p.source.location), p.names
    reg.resources(owner, (n.function, n.log_group, n.dlq, n.errors_alarm, n.throttles_alarm, n.dlq_alarm))
    _role(reg, owner, n.role)
    if p.kind == "stream":
        reg.resources(owner, (n.mapping, n.iterator_alarm))
        reg.claim(owner, "events.py class", n.union_class)
    else:
        reg.resource(owner, n.schedule)
        _role(reg, owner, n.schedule_role)
    reg.claim(owner, "Python module", n.module)
    reg.claim(owner, "Python module", n.impl_module)
    for path in (n.entry_file, n.scaffold_file, n.zip_file):
        reg.claim(owner, "file", path, fold=True)
    for cls in (n.context_class, n.handler_class):
        reg.claim(owner, "contracts.py class", cls)


def _operation(reg: NameRegistry, op: Operation, location: Location) -> None:
    owner, n = Owner("operation", op.operation_id, location), op.names
    _role(reg, owner, n.role)
    if op.kind == "ingest":
        reg.resource(owner, n.throttle)
    reg.claim(owner, "template variable", n.role_variable)
    for path in (n.request_vtl, n.response_vtl):
        reg.claim(owner, "file", path, fold=True)
