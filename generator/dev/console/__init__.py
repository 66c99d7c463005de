"""The dev console at ``/_local/``: what happened to every request and event, in one page.

Served by `gen dev` for any project (it is not part of the project's frontend). Parts:
`recorder` (bounded, thread-safe ring buffers of request traces and per-record batch outcomes,
fed by the gateway's and the pollers' observers), `tables` (browse and query items through the
local AWS), `dead_letters` (a processor's dead-letter messages with their failed records, and
redrive: the records delivered again to the processor), `views` (the JSON under ``/_local/``
and the page itself) and `static/` (one HTML page, its script and styles: no build step).

May import: the workers, the Lambda emulation, the API Gateway's trace and the local AWS (the
layers below it); nothing above (`local_endpoints`, `web`, `stack`, `server`).
"""
