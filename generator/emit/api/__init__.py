"""The API Gateway definition emitter: generated/api/openapi.json and generated/api/vtl/*.vtl.

Contract: `emit_api(ir, run)` is pure (`run` computes or memoises its parts, see
`generator.ir.parts`). It expects an IR that passed `lint_api` (the validate stage,
`generator.api`, runs it before any emitter, so `gen validate` and `gen build` report the same
problems); it returns the canonical JSON document and every mapping template, whose text is
byte-identical to the template embedded in the document.
"""

from __future__ import annotations

from generator.canonical import canonical_json
from generator.emit.api import conventions as cv
from generator.emit.api.document import build_document
from generator.emit.api.vtl import ERROR_TEMPLATE, render_templates, template_names
from generator.emit.base import OutputFile
from generator.ir.nodes import Ir
from generator.ir.parts import DIRECT, Runner


def emit_api(ir: Ir, run: Runner = DIRECT) -> list[OutputFile]:
    if not ir.operations:
        return []
    templates = render_templates(ir, run)
    files = [OutputFile(path=cv.API_JSON, content=canonical_json(build_document(ir, templates, run)),
                        source=cv.SOURCE, header=False)]
    for op in ir.operations:
        texts = templates.operations[op.operation_id]
        request, response = template_names(op)
        files.append(OutputFile(path=op.names.request_vtl, content=texts.request, source=cv.SOURCE, header=False,
                                template=request))
        files.append(OutputFile(path=op.names.response_vtl, content=texts.response, source=cv.SOURCE, header=False,
                                template=response))
    for (service, family), text in templates.errors.items():
        files.append(OutputFile(path=cv.error_vtl(service, family), content=text, source=cv.SOURCE, header=False,
                                template=ERROR_TEMPLATE))
    return files
