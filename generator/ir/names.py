"""Every name gen derives from a spec name, decided once while the IR is built.

Case helpers (`snake`, `pascal`, `kebab`, `py_identifier`) and one frozen record per node kind
(`TableNames`, `IndexNames`, `StreamNames`, `ProcessorNames`, `OperationNames`, `ProjectNames`):
Terraform addresses, physical names, stage and environment variables, Python modules and
classes, file paths. Emitters, templates, `gen dev` and `gen package` read these records and
never derive a name themselves; `generator.ir.collisions` reports two spec names that map onto
one derived name. Physical names are stored as the part after ``<name>-<stage>-`` (the stage
is only known at deploy time, or is ``local`` for `gen dev`). Pure: no I/O.
"""

from __future__ import annotations

import functools
import hashlib
import keyword
import re
import sys
from dataclasses import dataclass
from typing import Final

from generator.aws.limits import ROLE_NAME_MAX, STAGE_MAX

# -- where generated files live -------------------------------------------------------------------

PYTHON_ROOT: Final = "generated/python"
VTL_DIR: Final = "generated/api/vtl"
SCAFFOLD_DIR: Final = "handwritten/processors"
HANDWRITTEN_PACKAGE: Final = "handwritten"
IMPL_PACKAGE: Final = "handwritten.processors"

# -- naming rules of spec names that reach derived names ------------------------------------------

OPERATION_ID: Final = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
"""operationIds name `${role_<operationId>}` (an HCL identifier: letters, digits, _ and -) and files."""

CLAIM: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
"""Claims a template reads as `$context.authorizer.claims.<claim>`."""

TEMPLATE_NAME: Final = re.compile(r"[A-Za-z0-9_.:@-]+")
"""Attribute, property and parameter names that mapping templates may carry verbatim."""

GATEWAY_ERROR_MODEL: Final = "GatewayError"
"""Component schema of `{"message": string}` for statuses the spec does not declare."""

FUNCTION_SETTINGS: Final = ("LOG_LEVEL", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_SERVICE_NAME")
"""Environment variables every function gets besides its tables (docs/runtime-contract.md)."""

CORS_ORIGIN_VARIABLE: Final = "cors_origin"
"""The stage variable holding the one origin the API's CORS headers allow (per stage)."""

# -- browser sign-in (Cognito hosted UI) ---------------------------------------------------------

AUTH_CALLBACK_PATH: Final = "/auth/callback"
"""Where the hosted UI sends the browser back with the code (the dashboard's callback route)."""

AUTH_LOGOUT_PATH: Final = "/"
"""Where the hosted UI's logout sends the browser back."""

AUTH_DOMAIN_VARIABLE: Final = "auth_domain_prefix"
"""The Terraform variable naming the hosted UI's domain prefix (null: `auth_domain_prefix()`)."""

AUTH_DOMAIN_RESERVED: Final = ("aws", "amazon", "cognito")
"""Words Cognito refuses in a domain prefix; the default replaces each with `x`."""

AUTH_DOMAIN_HASH: Final = 8
"""Hex digits of sha256(account id) the default prefix ends with: a prefix is unique per region
across every AWS account, and `<name>-<stage>` alone would collide with other accounts'."""

AUTH_DOMAIN_MAX: Final = 63


def auth_domain_prefix(prefix: str, account_id: str) -> str:
    """The default hosted UI domain prefix of stack `prefix` (``<name>-<stage>``) in an account:
    ``fleet-prod-1a2b3c4d``. The generated Terraform computes the same in HCL (auth.tf)."""
    cleaned = re.sub("|".join(AUTH_DOMAIN_RESERVED), "x", prefix)
    digest = hashlib.sha256(account_id.encode()).hexdigest()[:AUTH_DOMAIN_HASH]
    return f"{cleaned[:AUTH_DOMAIN_MAX - AUTH_DOMAIN_HASH - 1]}-{digest}"


CONTEXT_ATTRS: Final = ("telemetry", "lambda_context", "clock", "now", "logger", "metrics", "count")
"""Attributes every processor context has; a table attribute never takes one of them."""

# -- case conversion -------------------------------------------------------------------------------

_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | {
    "self", "cls", "None", "True", "False", "type", "id", "object", "list", "dict", "str", "int",
    "float", "bool", "bytes", "set", "tuple", "json", "msgspec", "datetime", "typing", "decimal",
}

_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_CAPS = re.compile(r"([A-Z]+)([A-Z][a-z])")
_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")


@functools.lru_cache(maxsize=8192)
def _words(text: str) -> tuple[str, ...]:
    # the same few hundred names are split thousands of times while the IR is built
    text = _CAMEL.sub(r"\1 \2", text)
    text = _CAPS.sub(r"\1 \2", text)
    return tuple(w for w in _SEPARATORS.split(text) if w)


def snake(text: str) -> str:
    """``deviceId`` -> ``device_id``; ``reading.recorded`` -> ``reading_recorded``."""
    words = _words(text)
    out = "_".join(w.lower() for w in words) or "x"
    return out if not out[0].isdigit() else f"n{out}"


def pascal(text: str) -> str:
    """``reading.recorded`` -> ``ReadingRecorded``; keeps inner capitals of ``DevicePage``."""
    words = _words(text)
    out = "".join(w[:1].upper() + w[1:] for w in words) or "X"
    return out if not out[0].isdigit() else f"N{out}"


def py_identifier(text: str) -> str:
    """A valid, non-reserved Python identifier for a property or parameter name."""
    ident = snake(text)
    return f"{ident}_" if ident in _RESERVED or keyword.iskeyword(ident) else ident


_TAKEN_PACKAGES = frozenset(sys.stdlib_module_names) | {
    "handwritten", "generated", "boto3", "botocore", "msgspec", "aws_lambda_powertools", "moto",
}


def package_identifier(text: str) -> str:
    """The generated Python package's name for project `text`: a valid identifier that no
    keyword, builtin-ish name, standard-library module or import of the functions shadows
    (``lambda`` -> ``lambda_``, ``json`` -> ``json_``, ``my-service`` -> ``my_service``)."""
    ident = py_identifier(text)
    return f"{ident}_" if ident in _TAKEN_PACKAGES else ident


def kebab(text: str) -> str:
    return snake(text).replace("_", "-")


# -- records ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Resource:
    """A Terraform resource (or data source, `data`) gen writes: its type and label, and its
    physical name after ``<name>-<stage>-`` (None when AWS or a fixed path names it)."""

    type: str
    label: str
    physical: str | None = None
    data: bool = False

    @property
    def address(self) -> str:
        """``aws_dynamodb_table.devices`` (``data.<type>.<label>`` for a data source)."""
        return f"{'data.' if self.data else ''}{self.type}.{self.label}"


@dataclass(frozen=True, slots=True)
class Role:
    """An IAM role and its companions: the inline policy, its document and the trust document."""

    role: Resource
    policy: Resource
    document: Resource
    trust: Resource

    @property
    def label(self) -> str:
        return self.role.label

    @property
    def resources(self) -> tuple[Resource, ...]:
        return (self.role, self.policy, self.document, self.trust)


def _role(project: str, label: str, base: str, kind: str) -> Role:
    return Role(role=Resource("aws_iam_role", label, role_suffix(project, base, kind)),
                policy=Resource("aws_iam_role_policy", label),
                document=Resource("aws_iam_policy_document", label, data=True),
                trust=Resource("aws_iam_policy_document", f"{label}_trust", data=True))


def role_suffix(project: str, base: str, kind: str) -> str:
    """``<kebab(base)>-<kind>``, shortened with a stable hash if the role name could exceed 64."""
    suffix = f"{kebab(base)}-{kind}"
    room = ROLE_NAME_MAX - len(project) - STAGE_MAX - 2
    if len(suffix) <= room:
        return suffix
    digest = hashlib.sha256(suffix.encode()).hexdigest()[:8]
    keep = room - len(kind) - len(digest) - 2
    return f"{kebab(base)[:keep].rstrip('-')}-{digest}-{kind}"


def _alarm(label: str, physical: str) -> Resource:
    return Resource("aws_cloudwatch_metric_alarm", label, physical)


def _table_alarms(ident: str, physical: str) -> tuple[Resource, Resource]:
    return (_alarm(f"table_{ident}_read_throttles", f"table-{physical}-read-throttles"),
            _alarm(f"table_{ident}_write_throttles", f"table-{physical}-write-throttles"))


@dataclass(frozen=True, slots=True, kw_only=True)
class TableNames:
    """A table's names: its DynamoDB table and throttle alarms (read, write), the stage variable
    the mapping templates read (``table_<table>``), the functions' environment variable
    (``TABLE_<TABLE>``), its IAM statement id, its attribute on a processor context and its
    classes in tables.py (access class, read-only and write-only Protocols)."""

    table: Resource
    alarms: tuple[Resource, Resource]
    stage_variable: str
    env_var: str
    policy_sid: str
    context_attr: str
    table_class: str
    reads_class: str
    writes_class: str


def table_names(name: str, generation: int = 1) -> TableNames:
    """`generation` is 1 plus the acknowledged key changes of the table (`generator.ir.changes`):
    generation 2 on is a new DynamoDB table (``readings_v2`` / ``readings-v2``), since DynamoDB
    cannot change a key in place. Everything else (alarms, variables, classes) keeps its name."""
    ident, physical, cls = snake(name), kebab(name), pascal(name)
    attr = py_identifier(name)
    return TableNames(
        table=table_generation(name, generation), alarms=_table_alarms(ident, physical),
        stage_variable=f"table_{name}", env_var=f"TABLE_{ident.upper()}", policy_sid=f"Table{cls}",
        context_attr=attr if attr not in CONTEXT_ATTRS else f"{attr}_table",
        table_class=f"{cls}Table", reads_class=f"{cls}Reads", writes_class=f"{cls}Writes")


def table_generation(name: str, generation: int) -> Resource:
    """The DynamoDB table of one generation of spec table `name`: ``aws_dynamodb_table.readings``
    / ``readings``, then ``aws_dynamodb_table.readings_v2`` / ``readings-v2``, ..."""
    ident, physical = snake(name), kebab(name)
    if generation > 1:
        ident, physical = f"{ident}_v{generation}", f"{physical}-v{generation}"
    return Resource("aws_dynamodb_table", ident, physical)


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexNames:
    """A secondary index: the Query method of its table's access class."""

    query_method: str


def index_names(name: str) -> IndexNames:
    return IndexNames(query_method=f"query_{snake(name)}")


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamNames:
    """A stream's names: the Kinesis stream, its iterator-age and write-throttle alarms, the
    stage variable
    (``stream_<stream>``), the union of its events in events.py, and what archiving it creates
    (Firehose delivery stream, role, log group and stream, freshness alarm, data-lake prefixes)."""

    stream: Resource
    iterator_alarm: Resource
    write_alarm: Resource
    stage_variable: str
    union_class: str
    archive: Resource
    archive_role: Role
    archive_log_group: Resource
    archive_log_stream: Resource
    archive_alarm: Resource
    archive_prefix: str
    archive_error_prefix: str


def stream_names(project: str, name: str) -> StreamNames:
    ident, physical = snake(name), kebab(name)
    return StreamNames(
        stream=Resource("aws_kinesis_stream", ident, physical),
        iterator_alarm=_alarm(f"stream_{ident}_iterator_age", f"stream-{physical}-iterator-age"),
        write_alarm=_alarm(f"stream_{ident}_write_throttles", f"stream-{physical}-write-throttles"),
        stage_variable=f"stream_{name}", union_class=f"{pascal(name)}Event",
        archive=Resource("aws_kinesis_firehose_delivery_stream", ident, f"{physical}-archive"),
        archive_role=_role(project, f"archive_{ident}", name, "archive"),
        archive_log_group=Resource("aws_cloudwatch_log_group", f"archive_{ident}", f"{physical}-archive"),
        archive_log_stream=Resource("aws_cloudwatch_log_stream", f"archive_{ident}"),
        archive_alarm=_alarm(f"archive_{ident}_freshness", f"archive-{physical}-freshness"),
        archive_prefix=f"{name}/", archive_error_prefix=f"{ARCHIVE_ERRORS}{name}/")


ARCHIVE_PARTITIONS: Final = "year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/"
"""The date partitions under a stream's data-lake prefix, in Firehose's prefix expressions (the
local archiver evaluates the same text)."""

ARCHIVE_ERRORS: Final = "errors/"
"""The data-lake prefix of Firehose delivery errors (expired by a lifecycle rule)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessorNames:
    """A processor's names: its function, log group, dead-letter queue, role and alarms
    (errors, throttles, iterator age, dead letters); the event source mapping or the schedule
    and its role; its Python entry module, handler string, entry file, handwritten module and
    scaffold file, the zip `gen package` builds; its classes in contracts.py and events.py."""

    function: Resource
    log_group: Resource
    dlq: Resource
    role: Role
    errors_alarm: Resource
    throttles_alarm: Resource
    iterator_alarm: Resource
    dlq_alarm: Resource
    poison_alarm: Resource
    mapping: Resource
    schedule: Resource
    schedule_role: Role
    module: str
    handler: str
    entry_file: str
    impl_module: str
    scaffold_file: str
    zip_file: str
    context_class: str
    handler_class: str
    union_class: str


def processor_names(project: str, name: str) -> ProcessorNames:
    ident, physical, cls, package = snake(name), kebab(name), pascal(name), snake(project)
    return ProcessorNames(
        function=Resource("aws_lambda_function", ident, physical),
        log_group=Resource("aws_cloudwatch_log_group", f"fn_{ident}", physical),
        dlq=Resource("aws_sqs_queue", f"dlq_{ident}", f"{physical}-dlq"),
        role=_role(project, f"fn_{ident}", name, "fn"),
        errors_alarm=_alarm(f"fn_{ident}_errors", f"fn-{physical}-errors"),
        throttles_alarm=_alarm(f"fn_{ident}_throttles", f"fn-{physical}-throttles"),
        iterator_alarm=_alarm(f"fn_{ident}_iterator_age", f"fn-{physical}-iterator-age"),
        dlq_alarm=_alarm(f"dlq_{ident}", f"dlq-{physical}"),
        poison_alarm=_alarm(f"fn_{ident}_poison", f"fn-{physical}-poison"),
        mapping=Resource("aws_lambda_event_source_mapping", ident),
        schedule=Resource("aws_scheduler_schedule", ident, physical),
        schedule_role=_role(project, f"schedule_{ident}", name, "schedule"),
        module=f"{package}.entry.{name}", handler=f"{package}.entry.{name}.handler",
        entry_file=f"{PYTHON_ROOT}/{package}/entry/{name}.py", impl_module=f"{IMPL_PACKAGE}.{name}",
        scaffold_file=f"{SCAFFOLD_DIR}/{name}.py", zip_file=f"{name}.zip",
        context_class=f"{cls}Context", handler_class=f"{cls}Handler", union_class=f"{cls}Event")


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationNames:
    """An operation's names: its integration role, the `templatefile` variable holding the
    role's ARN (``role_<operationId>``), its mapping-template files and, for ingestion, the
    API Gateway model of its request body and its route's throttle settings (ingestion only)."""

    role: Role
    role_variable: str
    request_vtl: str
    response_vtl: str
    body_model: str
    throttle: Resource


def operation_names(project: str, operation_id: str) -> OperationNames:
    return OperationNames(
        role=_role(project, f"api_{snake(operation_id)}", operation_id, "api"),
        role_variable=f"role_{operation_id}",
        request_vtl=f"{VTL_DIR}/{operation_id}.request.vtl",
        response_vtl=f"{VTL_DIR}/{operation_id}.response.vtl",
        body_model=operation_id[:1].upper() + operation_id[1:] + "Body",
        throttle=Resource("aws_api_gateway_method_settings", f"ingest_{snake(operation_id)}"))


def model_class(schema_name: str) -> str:
    return pascal(schema_name)


def event_class(event_type: str) -> str:
    return pascal(event_type) + "Event"


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectNames:
    """Stack-wide names: the Python package and its folder, and the resources gen adds to every
    stack whose names spec names could meet (idempotency table, API logging role, log groups
    and alarms: 5xx, 4xx rate, latency, in that order); the API's access controls: the stage's
    method settings, the CORS-origin stage variable, the producer role of SigV4 ingestion and
    its attachable policy, the usage plan, keys and plan keys of API-key clients (one resource
    each, `for_each` over the clients), the WAF web ACL, its association, log group and logging
    configuration."""

    project: str
    package: str
    package_root: str
    idempotency: Resource
    idempotency_alarms: tuple[Resource, Resource]
    idempotency_env: str
    api_logs_role: Role
    api_access_log: Resource
    api_execution_log: Resource
    api_alarms: tuple[Resource, Resource, Resource]
    api_settings: Resource
    cors_origin_variable: str
    producer_role: Role
    producer_policy: Resource
    clients_plan: Resource
    clients_key: Resource
    clients_plan_key: Resource
    waf_acl: Resource
    waf_association: Resource
    waf_log: Resource
    waf_logging: Resource

    def prefix(self, stage: str) -> str:
        """``<name>-<stage>``: what every physical name starts with."""
        return f"{self.project}-{stage}"

    def physical(self, stage: str, resource: Resource) -> str:
        """The whole physical name of `resource` in `stage`: ``fleet-local-devices``."""
        assert resource.physical is not None, resource.address
        return f"{self.prefix(stage)}-{resource.physical}"


IDEMPOTENCY: Final = "idempotency"


def project_names(project: str) -> ProjectNames:
    package = package_identifier(project)
    producer = _role(project, "producer", "ingest", "producer")
    return ProjectNames(
        project=project, package=package, package_root=f"{PYTHON_ROOT}/{package}",
        idempotency=Resource("aws_dynamodb_table", IDEMPOTENCY, IDEMPOTENCY),
        idempotency_alarms=_table_alarms(IDEMPOTENCY, IDEMPOTENCY), idempotency_env="IDEMPOTENCY_TABLE",
        api_logs_role=_role(project, "api_logs", "api", "logs"),
        api_access_log=Resource("aws_cloudwatch_log_group", "api_access", "api-access"),
        api_execution_log=Resource("aws_cloudwatch_log_group", "api_execution"),
        api_alarms=(_alarm("api_5xx", "api-5xx"), _alarm("api_4xx", "api-4xx"),
                    _alarm("api_latency", "api-latency")),
        api_settings=Resource("aws_api_gateway_method_settings", "api"),
        cors_origin_variable=CORS_ORIGIN_VARIABLE,
        producer_role=producer,
        producer_policy=Resource("aws_iam_policy", producer.label, producer.role.physical),
        clients_plan=Resource("aws_api_gateway_usage_plan", "clients"),
        clients_key=Resource("aws_api_gateway_api_key", "clients"),
        clients_plan_key=Resource("aws_api_gateway_usage_plan_key", "clients"),
        waf_acl=Resource("aws_wafv2_web_acl", "api"),
        waf_association=Resource("aws_wafv2_web_acl_association", "api"),
        # WAF logs only to groups whose name starts with aws-waf-logs- (see emit.terraform.logs)
        waf_log=Resource("aws_cloudwatch_log_group", "waf", "api"),
        waf_logging=Resource("aws_wafv2_web_acl_logging_configuration", "api"))


# -- gen replay ------------------------------------------------------------------------------------

REPLAY_DIR: Final = ".gen-cache/replay"
"""Where `gen replay` keeps its checkpoints when no --checkpoint is given (git-ignored cache)."""

REPLAY_FAILED_SUFFIX: Final = ".failed.jsonl"
"""Appended to a replay's checkpoint file: the records it finally failed, one JSON line each."""

REPLAY_SHARD: Final = "shardId-replay"
"""The one shard a replay delivers from (records keep the lake's order: one subject's in order)."""


def datalake_bucket(project: str, stage: str, account: str) -> str:
    """The data-lake bucket of `stage`: ``<name>-<stage>-datalake-<account id>`` (globally unique,
    as the Terraform names it and gen dev creates it)."""
    return f"{project}-{stage}-datalake-{account}"


def replay_checkpoint(stage: str, processor: str) -> str:
    """The default checkpoint of ``gen replay --processor P`` against `stage`."""
    return f"{REPLAY_DIR}/{stage}-{processor}.json"
