"""Views of the stack-wide files: versions.tf, variables.tf, outputs.tf, frontend.tf, auth.tf, iam.tf."""

from __future__ import annotations

from generator.emit.terraform import access, logs, signin
from generator.emit.terraform.iam import roles
from generator.aws.limits import STAGE_MAX
from generator.emit.terraform.monitoring import needs_access_logs
from generator.ir.changes import forgotten_tables
from generator.ir import names
from generator.ir.nodes import Ir

PROVIDER_VERSION = "~> 6.0"
# The account's own statement in the key policy: administer the key, and let IAM policies
# (the roles of iam.tf) grant its use. Listed, so the policy holds no "kms:*".
KEY_ACCOUNT_ACTIONS = (
    "kms:CancelKeyDeletion",
    "kms:Create*",
    "kms:Decrypt",
    "kms:Delete*",
    "kms:Describe*",
    "kms:Disable*",
    "kms:Enable*",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:Get*",
    "kms:List*",
    "kms:Put*",
    "kms:ReEncrypt*",
    "kms:Revoke*",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:Update*",
)
TERRAFORM_VERSION = ">= 1.6.0"
# `removed` blocks with `lifecycle { destroy = false }` (tables the spec let go) need 1.7.
TERRAFORM_VERSION_REMOVED = ">= 1.7.0"
STAGE_PATTERN = f"^[a-z][a-z0-9-]{{0,{STAGE_MAX - 1}}}$"
NAME_PATTERN = "^[a-z][a-z0-9]*(-[a-z0-9]+)*$"


def zone_of(domain: str) -> str:
    """The hosted zone a domain most likely lives in: its parent, unless it is an apex itself."""
    labels = domain.split(".")
    return ".".join(labels[1:]) if len(labels) > 2 else domain


def versions_view(ir: Ir) -> dict[str, object]:
    return {
        "provider_version": PROVIDER_VERSION,
        "terraform_version": TERRAFORM_VERSION_REMOVED if forgotten_tables(ir) else TERRAFORM_VERSION,
        "domain": ir.frontend_domain is not None,
    }


def variables_view(ir: Ir) -> dict[str, object]:
    return {
        "name": ir.name,
        "name_max": len(ir.name),
        "name_pattern": NAME_PATTERN,
        "name_message": f"name_prefix must be lowercase words joined by hyphens, at most {len(ir.name)} "
        "characters (gen checked every physical name's length for that).",
        "stage_pattern": STAGE_PATTERN,
        "stage_message": f"stage must be lowercase letters, digits and hyphens, start with a letter, "
        f"at most {STAGE_MAX} characters.",
        "domain": ir.frontend_domain,
        "zone": zone_of(ir.frontend_domain) if ir.frontend_domain else None,
        "cors_origin_default": "the frontend's origin" if ir.frontend else "the API's own origin, i.e. no other",
        "waf_rate_limit": access.WAF_RATE_LIMIT,
        "ingest": any(op.kind == "ingest" for op in ir.operations),
        "ingest_rate_limit": access.INGEST_RATE_LIMIT,
        "ingest_burst_limit": access.INGEST_BURST_LIMIT,
        "producer": bool(access.producer_routes(ir)),
        "client_defaults": [(c.name, c.hcl) for c in access.clients(ir)],
        "sign_in": ir.cognito and ir.frontend,
        "auth_domain_variable": names.AUTH_DOMAIN_VARIABLE,
        "auth_domain_reserved": names.AUTH_DOMAIN_RESERVED,
    }


def outputs_view(ir: Ir) -> dict[str, object]:
    return {
        "domain": ir.frontend_domain is not None,
        "lake": any(s.archive for s in ir.streams),
        "frontend": ir.frontend,
        "cognito": ir.cognito,
        "access_logs": needs_access_logs(ir),
        "producer": bool(access.producer_routes(ir)),
        "clients": bool(ir.api_clients),
        "names": ir.names,
        "logged": "S3 and CloudFront" if ir.frontend else "S3",
        "client_description": "Cognito app client of the frontend." if ir.frontend
        else "Cognito app client that signs users in (tokens for the protected operations).",
    }


def frontend_view(ir: Ir) -> dict[str, object]:
    return {"domain": ir.frontend_domain is not None, "title": ir.name, "cognito": ir.cognito,
            "sign_in": signin.config_view(ir) if ir.cognito else None}


def iam_view(ir: Ir) -> dict[str, object]:
    return {
        "key_admin_actions": KEY_ACCOUNT_ACTIONS,
        "frontend": ir.frontend,
        "roles": roles(ir),
        "log_groups": logs.all_groups(ir),
        "producer": any(r.trusted is not None for r in roles(ir)),
    }
