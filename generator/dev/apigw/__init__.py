"""API Gateway emulator of the local stack: runs the generated REST API definition on moto."""

from generator.dev.apigw.definition import DefinitionError
from generator.dev.apigw.gateway import ApiGateway
from generator.dev.apigw.response import Response
from generator.dev.apigw.velocity import VtlError
from generator.dev.apigw.wsgi import wsgi_app

__all__ = ["ApiGateway", "DefinitionError", "Response", "VtlError", "wsgi_app"]
