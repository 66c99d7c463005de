"""API Gateway emulator of the local stack: runs the generated REST API definition on moto.

Owns the request flow of a REST API (`gateway`): the definition it executes (`definition`),
routing, request validation (`validate`, `validation_messages`), the Cognito authorizer's local
token form (`auth`), `$context` (`context`), AWS service calls (`service`), gateway responses
(`gateway_responses`), the response value and the per-request trace (`response`), the
WSGI face (`wsgi`) and a latency helper (`bench`). Templates are rendered by the `velocity`
subpackage, which imports nothing from here.

May import: the standard library, airspeed, jsonschema/fastjsonschema, urllib3, werkzeug and its
own modules; nothing else of `generator` (it executes an API definition, whoever wrote it).
"""

from generator.dev.apigw.definition import DefinitionError
from generator.dev.apigw.gateway import ApiGateway
from generator.dev.apigw.response import Response
from generator.dev.apigw.velocity.engine import VtlError
from generator.dev.apigw.wsgi import wsgi_app

__all__ = ["ApiGateway", "DefinitionError", "Response", "VtlError", "wsgi_app"]
