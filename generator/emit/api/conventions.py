"""The conventions the API definition shares with Terraform and `gen dev` (docs/api-definition.md).

Placeholders (`${region}`, `${role_<operationId>}`, `${user_pool_arn}`) appear only in integration
`uri`, `credentials` and authorizer `providerARNs`; stage variables carry physical table and
stream names into the mapping templates, and the stage's CORS origin into every CORS header.
The names themselves (stage variables, template files, role variables, body models) are decided
in the IR (`<node>.names`); this module holds the fixed parts. Nothing here reads the environment.
"""

from __future__ import annotations

from typing import Final

from generator.ir import names
from generator.ir.nodes import Operation

API_JSON: Final = "generated/api/openapi.json"
VTL_DIR: Final = names.VTL_DIR
SOURCE: Final = "spec/"

REGION: Final = "${region}"
USER_POOL_ARN: Final = "${user_pool_arn}"
PLACEHOLDER_KEYS: Final = ("uri", "credentials", "providerARNs")
"""The only document keys whose values may hold `${...}` (Terraform templatefile fills them)."""

ACTIONS: Final = {"get_item": "GetItem", "scan": "Scan", "query": "Query", "ingest": "PutRecords"}
SERVICES: Final = {"get_item": "dynamodb", "scan": "dynamodb", "query": "dynamodb", "ingest": "kinesis"}

SELECT_4XX: Final = "4\\d{2}"
SELECT_5XX: Final = "5\\d{2}"
SUCCESS: Final = {"get_item": "200", "scan": "200", "query": "200", "ingest": "202"}
STATUS_4XX: Final = "400"
STATUS_5XX: Final = "502"
STATUS_BUSY: Final = "503"

INGEST_CONTENT_TYPES: Final = ("application/cloudevents-batch+json", "application/json")
JSON: Final = "application/json"

VALIDATOR_BODY: Final = "body-and-params"
VALIDATOR_PARAMS: Final = "params-only"

CORS_ORIGIN: Final = f"stageVariables.{names.CORS_ORIGIN_VARIABLE}"
"""Every CORS header names the stage's origin (never `*`): Terraform sets it per stage."""
CORS_HEADERS: Final = ("'Authorization,Content-Type,X-Amz-Content-Sha256,X-Amz-Date,X-Amz-Security-Token,"
                       "X-Amz-User-Agent,X-Api-Key'")

API_KEY_HEADER: Final = "x-api-key"
"""Where API Gateway reads API keys (`x-amazon-apigateway-api-key-source: HEADER`)."""

GATEWAY_ERROR_MODEL: Final = names.GATEWAY_ERROR_MODEL


def role_placeholder(op: Operation) -> str:
    """``${role_<operationId>}``: the `templatefile` placeholder of the operation's role ARN."""
    return "${" + op.names.role_variable + "}"


def action_uri(op: Operation) -> str:
    return f"arn:aws:apigateway:{REGION}:{SERVICES[op.kind]}:action/{ACTIONS[op.kind]}"


def error_vtl(service: str, family: str) -> str:
    """Shared error templates: ``dynamodb.4xx.vtl``, ``kinesis.5xx.vtl``."""
    return f"{VTL_DIR}/{service}.{family}.vtl"
