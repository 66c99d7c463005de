"""Render the mapping templates of every operation (and the shared error templates) from views.

Contract: `render_templates(ir, run)` returns the final text of each template, header line included:
the same text is written to generated/api/vtl/ and embedded in openapi.json. Every text is
checked against `check_template` (a gen bug, not a spec error, if it fails).

The Velocity the templates use is the subset on which API Gateway (Velocity 1.7 on the JVM) and
the airspeed-based emulator agree: `#set` with values that are never null, `#if`/`#elseif`/`#else`
on booleans, `&&`/`||`/`!`, `<`/`>` on numbers, `#foreach` over lists and `keySet()`, and the
Java methods `containsKey`, `get`, `keySet`, `matches`, `split`, `replace`, `endsWith`,
`startsWith`, `substring`, `indexOf`, `length`, `compareTo` (with references or literals as arguments, never
expressions), integer `+ - * / %` (division truncates); plus
`$input.path/json/params`, `$util.escapeJavaScript/base64Encode/base64Decode/parseJson`,
`$context.authorizer.claims.<claim>`, `$context.requestTimeEpoch`, `$context.responseOverride.status`
and `$stageVariables`.
String literals never contain a backslash, and no template contains `${` or `%{` (Terraform's
templatefile would read them).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from typing import Literal

from generator.emit.api import conventions as cv
from generator.ir.nodes import Ir, Operation
from generator.ir.parts import DIRECT, Part, Reads, Runner, are_texts, is_text, nodes_only
from generator.render.header import header_line

Family = Literal["4xx", "5xx"]
FAMILIES: tuple[Family, ...] = ("4xx", "5xx")

_FORBIDDEN = re.compile(r"\$\{|%\{|\\|#(?:macro|define|evaluate|parse|include|break|stop)\b")


class TemplateError(Exception):
    """A rendered template breaks a rule every template must keep: a bug in gen's templates."""


@dataclass(frozen=True)
class OperationTemplates:
    request: str
    response: str


@dataclass(frozen=True)
class Templates:
    """Template texts by operation id, and error templates by (service, family)."""

    operations: dict[str, OperationTemplates] = field(default_factory=dict)
    errors: dict[tuple[str, Family], str] = field(default_factory=dict)


def check_template(name: str, text: str) -> str:
    """Return `text` unchanged, or raise TemplateError naming the forbidden form."""
    match = _FORBIDDEN.search(text)
    if match:
        line = text.count("\n", 0, match.start()) + 1
        raise TemplateError(f"{name}:{line}: mapping templates must not contain {match.group(0)!r}")
    return text


def _finish(path: str, body: str) -> str:
    header = header_line(path, cv.SOURCE)
    assert header is not None
    return check_template(path.rsplit("/", 1)[-1], f"{header}\n{body}")


def template_names(op: Operation) -> tuple[str, str]:
    """The request and response templates (under templates/) an operation's files come from."""
    if op.kind == "ingest":
        return "apigw/ingest.request.vtl.j2", "apigw/ingest.response.vtl.j2"
    if op.kind == "get_item":
        return "apigw/get_item.request.vtl.j2", "apigw/get_item.response.vtl.j2"
    return f"apigw/{op.kind}.request.vtl.j2", "apigw/page.response.vtl.j2"


ERROR_TEMPLATE = "apigw/error.vtl.j2"


def _operation(ir: Ir, op: Operation) -> OperationTemplates:
    from generator.emit.api import views
    from generator.render.env import render

    request_template, response_template = template_names(op)
    if op.kind == "ingest":
        request = render(request_template, view=views.ingest_request(ir, op))
        response = render(response_template)
    elif op.kind == "get_item":
        request = render(request_template, view=views.read_request(ir, op))
        response = render(response_template, view=views.item_response(ir, op))
    else:
        request = render(request_template, view=views.read_request(ir, op))
        response = render(response_template, view=views.page_response(ir, op))
    return OperationTemplates(request=_finish(op.names.request_vtl, request),
                              response=_finish(op.names.response_vtl, response))


def _operation_texts(context: Ir, op: Operation) -> list[str]:
    """`_operation` given only `op` of all operations (and no source document), so that its text
    is a function of the IR nodes but the operations, and of `op`."""
    texts = _operation(replace(context, operations=(op,)), op)
    return [texts.request, texts.response]


def render_templates(ir: Ir, run: Runner = DIRECT) -> Templates:
    """Every template the API needs, one part per operation and per error template; performs no
    I/O beyond reading templates/."""
    out = Templates()
    context = replace(nodes_only(ir), operations=())
    for i, op in enumerate(ir.operations):
        request, response = run.value(Part("vtl", Reads(context=True, operation=i),
                                           functools.partial(_operation_texts, context, op), are_texts(2)))
        out.operations[op.operation_id] = OperationTemplates(request=request, response=response)
        service = cv.SERVICES[op.kind]
        for family in FAMILIES:
            if (service, family) not in out.errors:
                out.errors[(service, family)] = run.value(
                    Part("vtl", Reads(constant=f"error {service} {family}"),
                         functools.partial(_error_template, service, family), is_text))
    return out


def _error_template(service: str, family: Family) -> str:
    from generator.emit.api import views
    from generator.render.env import render

    body = render(ERROR_TEMPLATE, view=views.error_view(service, family))
    return _finish(cv.error_vtl(service, family), body)
